"""Imports (django-import-export) in the audit trail: one ImportBatch per import, and a history row for every
record it writes. The import writes in bulk, which sends no signal, so the history rows are written here."""
from .models import ImportBatch
from .recording import copy_to_history, within


class AuditedResourceMixin:
    def import_data(self, dataset, dry_run=False, *args, **kwargs):
        self.batch = None
        self._dry_run, self._file_name = dry_run, kwargs.get("file_name") or ""
        return super().import_data(dataset, dry_run, *args, **kwargs)

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        if not getattr(self, "_dry_run", True):
            user = getattr(self, "user", None) or kwargs.get("user")
            user = user if user is not None and user.is_authenticated else None  # None: a command-line import
            profile = getattr(user, "profile", None)
            self.batch = ImportBatch.objects.create(
                model=self._meta.model._meta.label_lower, file_name=self._file_name[:255], user=user,
                organization=profile.organization if profile else None,
            )

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        batch = getattr(self, "batch", None)
        if batch is not None:
            totals = result.totals
            batch.created, batch.updated, batch.deleted = totals["new"], totals["update"], totals["delete"]
            batch.skipped, batch.invalid = totals["skip"], totals["invalid"] + totals["error"]
            batch.refused = getattr(self, "refused", 0)
            batch.save()

    # -- bulk writes leave their history rows ----------------------------------------------------
    def _write_history(self, objs, history_type):
        batch = getattr(self, "batch", None)
        user = getattr(self, "user", None)
        copy_to_history(
            self._meta.model, [o.pk for o in objs if o.pk is not None], history_type,
            user=user if user is not None and user.is_authenticated else None, batch=batch,
            reason=f"导入：{batch.file_name}"[:100] if batch else "导入",
        )

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        objs = list(self.create_instances)
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result)
        if using_transactions or not dry_run:
            self._write_history(objs, "+")

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        objs = list(self.update_instances)
        super().bulk_update(using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result)
        if using_transactions or not dry_run:
            self._write_history(objs, "~")

    def bulk_delete(self, using_transactions, dry_run, raise_errors, result=None):
        # A queryset delete sends post_delete for each record (history listens), so the rows are written
        # already; they only need to point to the import.
        with within(getattr(self, "batch", None)):
            super().bulk_delete(using_transactions, dry_run, raise_errors, result=result)
