from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "统计与述职"

    def ready(self):
        from . import memo

        # The records the figures are computed from. (Who sees what is part of each remembered figure's key.)
        for model in self.apps.get_app_config("branches").get_models():
            post_save.connect(memo.on_write, sender=model, dispatch_uid=f"memo-save-{model._meta.label}")
            post_delete.connect(memo.on_write, sender=model, dispatch_uid=f"memo-delete-{model._meta.label}")
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(memo.on_write, sender=field.remote_field.through,
                                    dispatch_uid=f"memo-m2m-{model._meta.label}-{field.name}")
