from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_groups(**kwargs):
    from .roles import sync_groups

    sync_groups()


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "账号与权限"

    def ready(self):
        # accounts comes after the apps whose permissions the roles hold, so theirs exist by then.
        post_migrate.connect(_sync_groups, sender=self, dispatch_uid="accounts.sync_groups")
