"""Writing the audit trail where Django's signals do not reach, and tying rows to the import that wrote them."""
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections, router
from django.dispatch import receiver
from django.utils import timezone
from simple_history.signals import pre_create_historical_record

_current_batch = ContextVar("import_batch", default=None)


@contextmanager
def within(batch):
    """History rows written inside this block (by save() or delete()) point to `batch`."""
    token = _current_batch.set(batch)
    try:
        yield batch
    finally:
        _current_batch.reset(token)


@receiver(pre_create_historical_record)
def _tie_to_batch(sender, history_instance, **kwargs):
    batch = _current_batch.get()
    if batch is not None:
        history_instance.import_batch = batch


def copy_to_history(model, pks, history_type, user=None, batch=None, reason=""):
    """A history row for each of these records, as they are now in the database, copied there by one
    INSERT … SELECT per 500 records.

    The same rows simple-history's bulk_history_create() writes, without building a model instance per row
    in Python first: for an import of 3,800 members that took about as long as everything else the import
    does (benchmarks/README-import.md).
    """
    if not pks or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = model.history.model
    using = router.db_for_write(history)
    connection = connections[using]
    qn = connection.ops.quote_name
    user = user or history.get_default_history_user(None)  # the request's user, as simple-history takes it
    extra = {
        "history_date": timezone.now(), "history_type": history_type, "history_user": user,
        "history_change_reason": reason, "import_batch": batch,
    }
    extra_fields = [history._meta.get_field(name) for name in extra]
    params = [
        f.get_db_prep_save(value.pk if f.is_relation and value is not None else value, connection)
        for f, value in zip(extra_fields, extra.values())
    ]
    tracked = history.tracked_fields
    into = [qn(history._meta.get_field(f.name).column) for f in tracked] + [qn(f.column) for f in extra_fields]
    select = [qn(f.column) for f in tracked] + ["%s"] * len(extra_fields)
    pks = list(pks)
    with connection.cursor() as cursor:
        for start in range(0, len(pks), 500):
            chunk = pks[start:start + 500]
            cursor.execute(
                f"INSERT INTO {qn(history._meta.db_table)} ({', '.join(into)}) "
                f"SELECT {', '.join(select)} FROM {qn(model._meta.db_table)} "
                f"WHERE {qn(model._meta.pk.column)} IN ({', '.join(['%s'] * len(chunk))})",
                params + chunk,
            )
