"""Figures remembered between requests until a record changes.

The dashboard is what everybody opens, and its figures cost some fifty queries and their arithmetic. Each
worker process keeps the last ones it computed under the records' version token (RecordsVersion), which
every committed change to the records replaces. Changes that send no model signal (bulk imports, the demo,
a restore) call changed() themselves.
"""
import time
from collections import OrderedDict
from threading import Lock

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from branches.dates import today

from .models import RecordsVersion, new_token

KEEP = 32  # entries per process: a few years, scopes and pages of the organization list
# Nothing is reused for longer than this, whatever the token says: the token is written just after the
# commit, and a process that dies between the two would otherwise leave it unchanged.
AT_MOST_SECONDS = 300
_entries, _lock = OrderedDict(), Lock()


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


def remember(key, compute):
    """compute()'s result for key, reused while the records and today's date stay the same.

    The result is shared by the requests that reuse it: callers must not change it.
    """
    if not settings.SHUZHI["REMEMBER_FIGURES"]:
        return compute()
    token = version()
    if token is None:
        return compute()
    key = (token, today(), int(time.time() // AT_MOST_SECONDS), *key)
    with _lock:
        if key in _entries:
            _entries.move_to_end(key)
            return _entries[key]
    value = compute()
    with _lock:
        _entries[key] = value
        while len(_entries) > KEEP:
            _entries.popitem(last=False)
    return value


def forget():
    with _lock:
        _entries.clear()


def on_write(sender, raw=False, using=DEFAULT_DB_ALIAS, **kwargs):
    """Signal receiver: a record was saved, deleted or had its many-to-many links changed."""
    if not raw:  # loaddata: the restore command calls changed() once
        changed(using)
