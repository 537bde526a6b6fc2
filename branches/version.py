"""The records' version token: replaced after every committed change to the records, so that whatever was
computed from them (the figures, the warnings of a list page) is reused exactly as long as it is true.

Changes that send no model signal (bulk imports, the demo, a restore) call changed() themselves.
"""
import functools
import hashlib
import logging
import os
import time
from pathlib import Path

import django

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
# Several workers that miss the same entry at the same moment: the first to take the lock computes, the others
# wait for its result this long at most and then compute themselves. The lock expires by itself, so that a
# worker killed while computing holds up the others once, for WAIT_SECONDS, not for good.
WAIT_SECONDS = 10
LOCK_SECONDS = 30
# After the cache failed (Redis down or unreachable), each worker computes without it for this long before it
# tries again, so that a dead Redis costs one connection timeout per half minute, not one per page.
RETRY_SECONDS = 30

logger = logging.getLogger(__name__)
_cache_down_until = 0.0


def remember(key, compute):
    """compute()'s result for key, reused while the records and today's date stay the same.

    Kept in the "figures" cache (settings.CACHES): each worker's memory by default, one Redis for every
    worker and host where REDIS_URL is set, so the value must pickle (plain data, dataclasses, model
    instances; no lambdas). The result is shared by the requests that reuse it: callers must not change it.
    Where the cache does not answer, the value is computed as if nothing were remembered, never an error.
    """
    if not settings.SHUZHI["REMEMBER_FIGURES"]:
        return compute()
    name = cache_key(key)
    if name is None or time.monotonic() < _cache_down_until:
        return compute()
    cache = caches["figures"]
    try:
        value, locked = _found_or_locked(cache, name)
    except _UNAVAILABLE as exc:
        _cache_failed(exc)
        return compute()
    if value is not _MISSING:
        return value
    try:
        value = compute()
        _quietly(cache.set, name, value, AT_MOST_SECONDS)
    finally:
        if locked:
            _quietly(cache.delete, name + LOCK_SUFFIX)
    return value


def cache_key(key):
    """key's name in the figures cache now; None where the records have no token (nothing is reused)."""
    token = version()
    if token is None:
        return None
    return "figures:" + hashlib.sha256(repr((_release(), token, today(), *key)).encode()).hexdigest()


def _found_or_locked(cache, name):
    """(the stored value, False), or (_MISSING, True) once this worker holds the lock to compute it, or
    (_MISSING, False) when another worker held it for WAIT_SECONDS without storing a value."""
    value = cache.get(name, _MISSING)
    if value is not _MISSING:
        return value, False
    waited_until = time.monotonic() + WAIT_SECONDS
    pause = 0.02
    while not cache.add(name + LOCK_SUFFIX, os.getpid(), LOCK_SECONDS):
        # Another worker is computing it: take its result as soon as it is stored.
        if time.monotonic() >= waited_until:
            logger.warning("figures cache: another worker held %s for %s s; computing it here too", name, WAIT_SECONDS)
            return _MISSING, False
        time.sleep(pause)
        pause = min(pause * 2, 0.2)
        value = cache.get(name, _MISSING)
        if value is not _MISSING:
            return value, False
    value = cache.get(name, _MISSING)  # the worker before us may have stored it between our miss and our lock
    if value is not _MISSING:
        cache.delete(name + LOCK_SUFFIX)
        return value, False
    return _MISSING, True


def _quietly(operation, *args):
    try:
        operation(*args)
    except _UNAVAILABLE as exc:
        _cache_failed(exc)


def _cache_failed(exc):
    global _cache_down_until
    _cache_down_until = time.monotonic() + RETRY_SECONDS
    logger.warning("figures cache unavailable (%s: %s): computing without it for %s s",
                   type(exc).__name__, exc, RETRY_SECONDS)


@functools.cache
def _release():
    """The code that makes the cached values: a new release never reads what an old one stored in a shared cache
    (a value of another shape, or classes that moved), even while the records' token stays the same."""
    digest = hashlib.sha256(django.get_version().encode())
    root = Path(__file__).resolve().parent.parent
    for package in ("branches", "reports"):
        for path in sorted((root / package).rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _unavailable():
    """What a cache that does not answer raises: the socket's errors, and redis-py's where it is installed.
    Not pickling errors: a value that does not pickle is a mistake in the code, and shows as one."""
    try:
        from redis.exceptions import RedisError
    except ImportError:
        return (OSError,)
    return (OSError, RedisError)


_UNAVAILABLE = _unavailable()
LOCK_SUFFIX = ":computing"  # the key a worker holds while it computes an entry
_MISSING = object()
