from django import template
from django.utils.html import format_html

from reports.dashboard import Num, change

register = template.Library()


@register.simple_tag
def num(n, css=""):
    """A number on the dashboard, linked to its records; counts are class "num" (the list shows that many rows)."""
    kind = "num" if isinstance(n, Num) else "sum"
    return format_html('<a class="{} {}" href="{}" title="查看明细">{}</a>', kind, css, n.url, n.value)


@register.filter
def percent(rate):
    return "—" if rate is None else f"{rate * 100:.1f}%"


@register.filter
def change_url(obj):
    return change(obj)
