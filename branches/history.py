"""Writing the audit trail where Django's signals do not reach, and tying rows to the import that wrote them."""
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Q
from django.db.models.deletion import Collector
from django.dispatch import receiver
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

_current_batch = ContextVar("import_batch", default=None)
_deleting_in_bulk = ContextVar("deleting_in_bulk", default=False)


class Records(HistoricalRecords):
    """simple-history's records, except that a record deleted by delete_with_history() leaves its history row
    to that function, which writes all of them at once (simple-history writes one INSERT per deleted row)."""

    def post_delete(self, instance, using=None, **kwargs):
        if not _deleting_in_bulk.get():
            super().post_delete(instance, using=using, **kwargs)

    def pre_delete(self, instance, **kwargs):
        # simple-history loads a deferred record's fields for the row it writes after the delete: one query per
        # record, for a row delete_with_history() has already copied in SQL.
        if not _deleting_in_bulk.get():
            super().pre_delete(instance, **kwargs)


class _BulkCollector(Collector):
    """Django's collector, told that no model has delete signals' receivers: the only ones are the history's and
    the figures version's, which delete_with_history() serves itself, once for all the records. So a relation
    without cascades of its own goes by one DELETE … WHERE fk IN (…) (Django's fast delete) and the records that
    must be fetched are fetched with only the columns the cascades read, not row by row with all of them."""

    def __init__(self, *args, whole_table=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.whole_table = whole_table  # the model whose every row is being deleted, if so

    def _has_signal_listeners(self, model):
        return False

    def related_objects(self, related_model, related_fields, objs):
        # Every row of a table going (load_demo --reset): its dependants are those pointing to any row, said by a
        # subquery, not by an IN list of every id (38,000 ids, parsed and planned once per relation on PostgreSQL).
        model = type(objs[0]) if objs else None
        if model is not None and model is self.whole_table and len(objs) == len(self.data.get(model, ())):
            every = model._base_manager.using(self.using).values("pk")
            predicate = Q.create([(f"{f.name}__in", every) for f in related_fields], connector=Q.OR)
            return related_model._base_manager.using(self.using).filter(predicate)
        return super().related_objects(related_model, related_fields, objs)


def delete_with_history(queryset, user=None, reason=""):
    """Delete these records and all that cascades from them, as QuerySet.delete() does (protected records
    refuse it), with each deleted record's history row of type "-" written by one INSERT … SELECT per 500 rows
    of a model before the rows go, and the figures' version replaced once. Returns what QuerySet.delete() returns.

    Records fetched by the cascade (those with relations of their own) still send their delete signals, the
    history's receiver standing aside; those deleted in bulk send none."""
    from . import version

    using = queryset.db
    with transaction.atomic(using=using):
        whole = queryset.model if not queryset.query.where.children else None
        collector = _BulkCollector(using=using, origin=queryset, whole_table=whole)
        # The history is copied in SQL from the rows, and the cascades read the primary keys: nothing else is
        # fetched (not a list's annotations either).
        model = queryset.model
        collector.collect(model._base_manager.using(using).filter(pk__in=queryset.values("pk")).only("pk"))
        for model, instances in collector.data.items():
            if hasattr(model._meta, "simple_history_manager_attribute"):
                copy_to_history(model, [obj.pk for obj in instances], "-", user=user, reason=reason)
        for fast in collector.fast_deletes:
            if hasattr(fast.model._meta, "simple_history_manager_attribute"):
                copy_to_history(fast.model, list(fast.values_list("pk", flat=True)), "-", user=user, reason=reason)
        token = _deleting_in_bulk.set(True)
        try:
            deleted = collector.delete()
        finally:
            _deleting_in_bulk.reset(token)
        if deleted[0]:
            version.changed(using)
        return deleted


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
    INSERT … SELECT per 500 records; and, for a model whose many-to-many fields the history tracks
    (HISTORY_M2M in models.py), each new row's snapshot of those relations, one INSERT … SELECT more per field.

    The same rows simple-history's bulk_history_create() writes, without building a model instance per row
    in Python first: for an import of 3,800 members that took about as long as everything else the import
    does (benchmarks/README-import.md). bulk_history_create() writes no many-to-many rows at all; simple-history
    writes them on save(), as a copy of the through table's rows pointing to the history row (`history_id`),
    and diff_against() compares those copies. So the relations must be written before this is called.
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
    relations = [_m2m_copy(model, field, connection) for field in history._history_m2m_fields]
    pks = list(pks)
    with connection.cursor() as cursor:
        for start in range(0, len(pks), 500):
            chunk = pks[start:start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {qn(history._meta.db_table)} ({', '.join(into)}) "
                f"SELECT {', '.join(select)} FROM {qn(model._meta.db_table)} "
                f"WHERE {qn(model._meta.pk.column)} IN ({marks})",
                params + chunk,
            )
            # The rows just written are the ones of these records with this call's date and type.
            for sql in relations:
                cursor.execute(sql.format(marks=marks), params[:2] + chunk)


def _m2m_copy(model, field, connection):
    """INSERT … SELECT of the through table's rows of one many-to-many field into simple-history's copy of it,
    each pointing to its record's new history row; `{marks}` stands for the records' ids."""
    qn = connection.ops.quote_name
    history = model.history.model
    through = field.remote_field.through
    copy = getattr(history, field.name).model  # simple-history's historical through model
    source = through._meta.get_field(field.m2m_field_name()).column
    columns = [f.column for f in through._meta.concrete_fields]
    record = history._meta.get_field(model._meta.pk.name).column
    date, kind = (history._meta.get_field(name).column for name in ("history_date", "history_type"))
    return (
        f"INSERT INTO {qn(copy._meta.db_table)} ({', '.join(qn(c) for c in columns)}, "
        f"{qn(copy._meta.get_field('history').column)}) "
        f"SELECT {', '.join('t.' + qn(c) for c in columns)}, h.{qn(history._meta.pk.column)} "
        f"FROM {qn(through._meta.db_table)} t JOIN {qn(history._meta.db_table)} h ON h.{qn(record)} = t.{qn(source)} "
        f"WHERE h.{qn(date)} = %s AND h.{qn(kind)} = %s AND h.{qn(record)} IN ({{marks}})"
    )
