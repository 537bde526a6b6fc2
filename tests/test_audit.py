"""The audit trail: every create, change and delete, who and when and which fields from what to what."""
import datetime

import pytest
from django.urls import reverse

from branches import history as recording
from branches.models import TRACKED, ImportBatch
from branches import models as m
from branches.idcard import gender, make_id_number
from conftest import NO_EXTENSION
from scoped_district import as_user, district, leader, office, secretary  # noqa: F401  (fixtures)


def member_form(member, **changes):
    data = {
        "name": member.name, "id_number": member.id_number, "ethnicity": member.ethnicity, "phone": member.phone,
        "organization": member.organization_id, "status": member.status, "join_date": member.join_date,
        "full_member_date": member.full_member_date or "", "roll_status": member.roll_status,
        "party_worker": member.party_worker,
    }
    data = {**data, **changes}
    return {**data, "gender": gender(data["id_number"]), **NO_EXTENSION}


def test_every_record_kind_has_a_history(db):
    for model in TRACKED:
        assert model.history.model._meta.app_label == "audit", model


def test_a_change_through_the_admin_records_who_when_and_which_fields_from_what_to_what(district, secretary, office):
    member = district.member
    member.gender = gender(member.id_number)
    member.save()
    response = as_user(secretary).post(
        reverse("admin:branches_member_change", args=[member.pk]), member_form(member, name="王建军", party_worker="part_time")
    )
    assert response.status_code == 302
    # A secretary's change reaches the roll when the office approves it; the history names the secretary who made it.
    m.MemberChange.objects.get(member=member).approve(office)
    latest = member.history.latest("history_date")
    assert latest.history_type == "~" and latest.history_user == secretary
    changes = {c.field: (c.old, c.new) for c in latest.diff_against(latest.prev_record).changes}
    assert changes == {"name": ("王建华", "王建军"), "party_worker": ("", "part_time")}


def test_the_admin_history_page_shows_the_change_and_who_made_it(district, secretary, office):
    member = district.member
    as_user(secretary).post(reverse("admin:branches_member_change", args=[member.pk]), member_form(member, name="王建军"))
    m.MemberChange.objects.get(member=member).approve(office)
    page = as_user(office).get(reverse("admin:branches_member_history", args=[member.pk])).content.decode()
    assert "王建华" in page and "王建军" in page and "育英学校党委" in page  # the secretary's username


def test_creating_and_deleting_through_the_admin_are_recorded(district, office):
    client = as_user(office)
    data = member_form(district.member, name="新党员", id_number=make_id_number("620402", datetime.date(1975, 1, 2), 77), phone="")
    assert client.post(reverse("admin:branches_member_add"), data).status_code == 302
    new = m.Member.objects.get(name="新党员")
    assert client.post(reverse("admin:branches_member_delete", args=[new.pk]), {"post": "yes"}).status_code == 302
    kinds = list(m.Member.history.filter(id=new.pk).order_by("history_date").values_list("history_type", "history_user__username"))
    assert kinds == [("+", "office"), ("-", "office")]


def test_the_history_of_a_deleted_record_stays_open_to_the_office(district, office, secretary):
    member = district.member
    pk = member.pk
    member.delete()
    history = reverse("admin:branches_member_history", args=[pk])
    assert as_user(office).get(history).status_code == 200
    assert as_user(secretary).get(history).status_code == 404


def test_a_change_of_problem_categories_is_recorded(district, office):
    case = district.case
    category = m.ProblemCategory.objects.first()
    case.categories.add(category)
    latest = case.history.latest("history_date")
    assert [c.field for c in latest.diff_against(latest.prev_record).changes] == ["categories"]


def test_saves_within_an_import_point_to_it(district, office):
    batch = ImportBatch.objects.create(model="branches.member", file_name="党员名册.xlsx", user=office)
    with recording.within(batch):
        district.member.phone = "13100000001"
        district.member.save()
    district.other_member.save()  # outside the import
    assert district.member.history.latest("history_date").import_batch == batch
    assert district.other_member.history.latest("history_date").import_batch is None


def test_the_imports_list_is_read_only_and_a_secretary_sees_only_their_schools(district, office, secretary):
    theirs = ImportBatch.objects.create(model="branches.member", file_name="博文.xlsx", user=office, organization=district.other)
    mine = ImportBatch.objects.create(model="branches.member", file_name="育英.xlsx", user=secretary, organization=district.school)
    changelist = reverse("admin:branches_importbatch_changelist")
    assert set(as_user(secretary).get(changelist).context["cl"].result_list) == {mine}
    assert as_user(secretary).get(reverse("admin:branches_importbatch_change", args=[theirs.pk])).status_code == 404
    assert as_user(office).get(reverse("admin:branches_importbatch_change", args=[theirs.pk])).status_code == 200
    assert as_user(office).post(reverse("admin:branches_importbatch_delete", args=[theirs.pk]), {"post": "yes"}).status_code == 403
    assert ImportBatch.objects.filter(pk=theirs.pk).exists()
