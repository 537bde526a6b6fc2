"""Each record type's natural key, as its import defines it, is a unique constraint in the database; the migration
that adds the constraints lists the records that already share a key instead of dropping any."""
import datetime
import importlib

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from branches import models as m
from branches.resources import KINDS

CONSTRAINED = importlib.import_module("branches.migrations.0070_natural_keys")


def unique_sets(model):
    """The field sets the database holds unique for a model: unique fields and unique constraints."""
    sets = {(f.name,) for f in model._meta.fields if f.unique and not f.primary_key}
    sets |= {tuple(c.fields) for c in model._meta.constraints if getattr(c, "fields", None)}
    return {frozenset(s) for s in sets}


@pytest.mark.django_db  # the ballots resource reads its rounds' 测评 items to know its columns
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_import_natural_key_is_unique_in_the_database(kind):
    resource = KINDS[kind]
    key = frozenset(resource().get_import_id_fields())
    assert key in unique_sets(resource._meta.model)


def test_a_meeting_written_twice_is_refused_by_the_database(build):
    org = build.org()
    fields = dict(organization=org, meeting_type=m.MeetingType.objects.get(name="党小组会"),
                  held_on=datetime.date(2023, 3, 1), topic="学习", present=5, on_roll=6)
    m.Meeting.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        m.Meeting.objects.create(**fields)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_lists_existing_duplicates_and_adds_the_constraints_only_once_they_are_gone():
    before, after = [("branches", "0050_review")], [("branches", "0070_natural_keys")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        Org, Entry = old.get_model("branches", "Organization"), old.get_model("branches", "WorkLogEntry")
        Org.objects.create(name="迁移测试党支部", kind="branch")
        entries = [Entry.objects.create(date=datetime.date(2023, 3, 1), kind="committee_meeting", title="党工委会议")
                   for _ in range(2)]
        executor = MigrationExecutor(connection)
        with pytest.raises(RuntimeError) as refused:
            executor.migrate(after)
        message = str(refused.value)
        assert "党建工作台账（2023-03-01，党工委会议，党工委会议）" in message
        assert f"记录编号 {entries[0].pk}、{entries[1].pk}" in message
        assert Entry.objects.count() == 2  # nothing dropped
        entries[1].delete()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert ("branches", "0070_natural_keys") in MigrationExecutor(connection).loader.applied_migrations
