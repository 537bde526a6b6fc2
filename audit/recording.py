"""Writing the audit trail where Django's signals do not reach, and tying rows to the import that wrote them."""
from contextlib import contextmanager
from contextvars import ContextVar

from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

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


def bulk_create(model, objs, user=None, batch=None, batch_size=500):
    """bulk_create that leaves a '+' history row per object (bulk_create itself sends no signal)."""
    batch = batch or _current_batch.get()
    return bulk_create_with_history(
        objs, model, batch_size=batch_size, default_user=user,
        custom_historical_attrs={"import_batch": batch} if batch else None,
    )


def bulk_update(model, objs, fields, user=None, batch=None, batch_size=500):
    """bulk_update that leaves a '~' history row per object."""
    batch = batch or _current_batch.get()
    return bulk_update_with_history(
        objs, model, fields, batch_size=batch_size, default_user=user,
        custom_historical_attrs={"import_batch": batch} if batch else None,
    )
