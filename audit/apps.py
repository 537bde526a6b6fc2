from django.apps import AppConfig


class AuditConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = "审计记录"

    def ready(self):
        from . import recording  # noqa: F401  (connects the signal that ties history rows to their import)
