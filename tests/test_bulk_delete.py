"""Deleting many records at once (the list's 删除所选, rebuilding the demo) keeps the audit trail whole — a "-"
history row for every deleted record, cascades included, with who deleted it — and writes it in bulk: the number
of SQL queries does not grow with the number of records."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches import demo
from branches import models as m
from branches.history import delete_with_history
from scoped_district import as_user, district, office, secretary  # noqa: F401  (fixtures)


def bulk_delete(client, model, pks):
    return client.post(
        reverse(f"admin:branches_{model._meta.model_name}_changelist"),
        {"action": "delete_selected", "_selected_action": [str(pk) for pk in pks], "post": "yes"},
    )


def members(build, org, count):
    return [build.member(org).pk for _ in range(count)]


def test_the_lists_delete_selected_writes_a_deletion_row_per_record_with_who_deleted_it(build, district, office):
    pks = members(build, district.branch, 6)
    m.ProbationExtension.objects.create(
        member=m.Member.objects.get(pk=pks[0]), decided_on=datetime.date(2023, 6, 1), months=6, reason="考察期延长")
    assert bulk_delete(as_user(office), m.Member, pks).status_code == 302
    assert not m.Member.objects.filter(pk__in=pks).exists()
    deleted = m.Member.history.filter(id__in=pks, history_type="-")
    assert sorted(deleted.values_list("id", flat=True)) == sorted(pks)
    assert set(deleted.values_list("history_user__username", flat=True)) == {"office"}
    # The extension went with its member (a cascade), and its history says so too.
    assert m.ProbationExtension.history.filter(history_type="-", member_id=pks[0]).count() == 1


def test_a_deletion_row_is_the_record_as_it_was(build, district):
    pk = build.member(district.branch, name="赵敏", phone="13700001111").pk
    delete_with_history(m.Member.objects.filter(pk=pk))
    row = m.Member.history.get(id=pk, history_type="-")
    assert (row.name, row.phone, row.organization_id) == ("赵敏", "13700001111", district.branch.pk)


def test_a_deleted_cases_history_keeps_its_problem_categories(district):
    case = district.case
    categories = list(m.ProblemCategory.objects.order_by("pk")[:2])
    case.categories.set(categories)
    delete_with_history(m.RectificationCase.objects.filter(pk=case.pk))
    row = m.RectificationCase.history.get(id=case.pk, history_type="-")
    assert sorted(r.problemcategory_id for r in row.categories.all()) == sorted(c.pk for c in categories)


@pytest.mark.parametrize("deleter", ["admin", "function"])
def test_deleting_many_records_takes_about_as_many_queries_as_deleting_a_few(build, district, office, deleter):
    client = as_user(office)

    def queries(count):
        pks = members(build, district.branch, count)
        with CaptureQueriesContext(connection) as captured:
            if deleter == "admin":
                assert bulk_delete(client, m.Member, pks).status_code == 302
            else:
                delete_with_history(m.Member.objects.filter(pk__in=pks))
        assert m.Member.history.filter(id__in=pks, history_type="-").count() == count
        return len(captured)

    # Django deletes by batches of ids (100 on SQLite); a history row written per record would add 250 queries.
    assert queries(250) <= queries(3) + 6


def test_one_records_delete_still_writes_its_history_row(build, district):
    member = build.member(district.branch)
    pk = member.pk
    member.delete()
    assert m.Member.history.filter(id=pk, history_type="-").count() == 1


def test_a_protected_record_refuses_the_bulk_delete_and_nothing_is_written(district):
    # An organization with branches under it protects them: the whole delete is refused, no history written.
    from django.db.models import ProtectedError

    before = m.Organization.history.filter(history_type="-").count()
    with pytest.raises(ProtectedError):
        delete_with_history(m.Organization.objects.filter(pk=district.school.pk))
    assert m.Organization.objects.filter(pk=district.school.pk).exists()
    assert m.Organization.history.filter(history_type="-").count() == before


def test_a_secretary_cannot_bulk_delete_outside_the_subtree(district, secretary):
    outside = district.other_member.pk
    bulk_delete(as_user(secretary), m.Member, [outside])
    assert m.Member.objects.filter(pk=outside).exists()


def test_clearing_the_demo_district_leaves_no_record_and_a_deletion_row_for_each(db):
    demo.load(members=400)
    counts = {model: model.objects.count() for model in m.TRACKED if model in demo.DEMO_MODELS}
    demo.clear()
    for model, count in counts.items():
        assert not model.objects.exists(), model
        assert model.history.filter(history_type="-").count() == count, model
    assert not m.Organization.objects.exists()


def test_a_bulk_delete_without_signals_still_tells_the_remembered_figures(build, district, monkeypatch):
    # Records deleted by one DELETE (no cascade of their own) send no signal: delete_with_history() replaces the
    # records-version token itself (on commit), so the dashboard and the lists do not go on showing them. (The
    # test's own transaction never commits, so the call is what is watched.)
    from branches import version

    told = []
    monkeypatch.setattr(version, "changed", lambda using="default": told.append(using))
    progress = district.progress
    delete_with_history(m.RectificationProgress.objects.filter(pk=progress.pk))
    assert told == ["default"]
    assert m.RectificationProgress.history.filter(id=progress.pk, history_type="-").count() == 1
