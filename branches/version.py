"""The records' version token: replaced after every committed change to the records, so that whatever was
computed from them (the figures, the warnings of a list page) is reused exactly as long as it is true.

Changes that send no model signal (bulk imports, the demo, a restore) call changed() themselves.
"""
import hashlib

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from .dates import today
from .models import RecordsVersion, new_token


def version():
    """The records' version token; None where the row is missing (a flushed database): nothing is reused."""
    return RecordsVersion.objects.filter(pk=1).values_list("token", flat=True).first()


def _write_token():
    if not RecordsVersion.objects.filter(pk=1).update(token=new_token()):
        RecordsVersion.objects.get_or_create(pk=1)


def changed(using=DEFAULT_DB_ALIAS):
    """The records changed: a new token once the transaction commits (at once outside one; never if it rolls back).

    After the commit, not in the transaction: one row written by every change would make concurrent imports
    and saves wait for each other until commit. Once per transaction, however many records it writes.
    """
    connection = connections[using]
    if connection.in_atomic_block and any(entry[1] is _write_token for entry in connection.run_on_commit):
        return
    transaction.on_commit(_write_token, using=using)


def on_write(sender, raw=False, using=DEFAULT_DB_ALIAS, **kwargs):
    """Signal receiver: a record was saved, deleted or had its many-to-many links changed."""
    if not raw:  # loaddata: the restore command calls changed() once
        changed(using)


def watch(models):
    """Every save, delete and many-to-many change of these models replaces the token."""
    for model in models:
        if model is RecordsVersion:
            continue
        post_save.connect(on_write, sender=model, dispatch_uid=f"version-save-{model._meta.label}")
        post_delete.connect(on_write, sender=model, dispatch_uid=f"version-delete-{model._meta.label}")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(on_write, sender=field.remote_field.through,
                                dispatch_uid=f"version-m2m-{model._meta.label}-{field.name}")


# Nothing is reused for longer than this, whatever the token says: the token is written just after the
# commit, and a process that dies between the two would otherwise leave it unchanged.
AT_MOST_SECONDS = 300


def remember(key, compute):
    """compute()'s result for key, reused while the records and today's date stay the same.

    Kept in the "figures" cache (settings.CACHES): each worker's memory by default, one Redis for every
    worker and host where REDIS_URL is set. The result is shared by the requests that reuse it: callers
    must not change it.
    """
    if not settings.SHUZHI["REMEMBER_FIGURES"]:
        return compute()
    token = version()
    if token is None:
        return compute()
    cache = caches["figures"]
    name = "figures:" + hashlib.sha256(repr((token, today(), *key)).encode()).hexdigest()
    value = cache.get(name, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(name, value, AT_MOST_SECONDS)
    return value


_MISSING = object()
