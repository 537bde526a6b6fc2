"""Existing databases migrate forward: today's posts and the elections' written names become tenures (0221)."""
import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from branches import models as m

D = datetime.date
BEFORE = [("branches", "0210_merge_review_roll_dates_items"), ("audit", "0210_merge_review_roll_dates_items")]
AFTER = [("branches", "0222_drop_posts"), ("audit", "0222_drop_posts_history")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # its flush must not re-seed the groups the next such test restores
def test_posts_become_open_tenures_from_the_last_election_and_unmatched_names_are_kept():
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        Organization, Member, Election = (old.get_model("branches", n) for n in ("Organization", "Member", "Election"))
        root = Organization.objects.create(name="测试教育工委", kind="committee")
        branch = Organization.objects.create(name="甲小学党支部", kind="branch", parent=root, founded_on=D(2010, 1, 1),
                                             secretary_vacant_since=None)
        quiet = Organization.objects.create(name="乙小学党支部", kind="branch", parent=root, founded_on=D(2012, 3, 1),
                                            secretary_vacant_since=D(2023, 2, 1))

        def member(name, n, post, joined, org=branch):
            return Member.objects.create(name=name, id_number=f"62040219800506{n:03d}X", join_date=joined, birth_date=D(1980, 5, 6),
                                         full_member_date=joined.replace(year=joined.year + 1), status="full",
                                         organization=org, party_post=post)

        zhang = member("张三", 1, "secretary", D(2000, 7, 1))
        li = member("李四", 2, "organization", D(2021, 9, 1))  # converted after the election
        never = member("周八", 3, "secretary", D(2005, 7, 1), org=quiet)  # no election in 乙
        member("赵六", 4, "", D(2001, 7, 1))
        Election.objects.create(organization=branch, kind="new_term", held_on=D(2021, 5, 10), term_years=3,
                                secretary_name="张三", committee_members="张三、李四、王五")
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    tenures = {t.member_id: t for t in m.Tenure.objects.select_related("election")}
    assert len(tenures) == 3
    assert (tenures[zhang.pk].post, tenures[zhang.pk].started_on, tenures[zhang.pk].ended_on) == ("secretary", D(2021, 5, 10), None)
    assert tenures[zhang.pk].election.held_on == D(2021, 5, 10)
    assert (tenures[li.pk].started_on, tenures[li.pk].election) == (D(2022, 9, 1), None)  # from the conversion
    assert (tenures[never.pk].started_on, tenures[never.pk].election) == (D(2006, 7, 1), None)
    election = m.Election.objects.get()
    assert "李四" in election.note and "王五" in election.note and "张三" not in election.note
    # The vacancy is derived now: 乙 has its secretary, so none; the stored date went with the column.
    assert m.has_secretary(m.Organization.objects.with_staffing().get(name="乙小学党支部"))
