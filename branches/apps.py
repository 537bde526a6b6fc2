from django.apps import AppConfig


class BranchesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "branches"
    verbose_name = "党组织与党员"

    def ready(self):
        from . import history  # noqa: F401  connects the receiver that ties history rows to their import
        from . import version

        version.watch(self.get_models())
