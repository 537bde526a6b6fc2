"""Admin URLs of the records, for pages that link hundreds of them (the dashboard, the warning list):
reverse() once per model, not once per link."""
from functools import lru_cache

from django.urls import get_script_prefix, reverse


@lru_cache(maxsize=None)
def _changelist(prefix, model_name):  # keyed by the script prefix, which reverse() puts in front
    return reverse(f"admin:branches_{model_name}_changelist")


def changelist(model_name, query=""):
    url = _changelist(get_script_prefix(), model_name)
    return f"{url}?{query}" if query else url


def change(model_name, pk):
    return f"{changelist(model_name)}{pk}/change/"
