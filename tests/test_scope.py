"""Who may see and change what: a secretary sees their organization and the branches under it, by every way in.

Every test sets a secretary of one school against the records of another: the answer is 403 or 404, the other
school's data appears nowhere in the response, and nothing is changed.
"""
import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts import roles
from branches import models as m
from conftest import NO_EXTENSION
from scoped_district import account, as_user, district, leader, office, secretary  # noqa: F401  (fixtures)

SCOPED = [m.Organization, m.Member, m.Election, m.Assessment, m.AssessmentItem, m.RectificationCase, m.RectificationProgress]
# The scoped models with an admin of their own (items and progress are edited inline).
ADMINS = [m.Organization, m.Member, m.Election, m.Assessment, m.RectificationCase]


def url(model, view, *args):
    return reverse(f"admin:branches_{model._meta.model_name}_{view}", args=args)


def leaked(response, *objs, asked=""):
    """Whether any of these records shows in the response, by its name or its id number (the search asked aside)."""
    body = response.content.decode().replace(asked, "") if asked else response.content.decode()
    marks = [str(o) for o in objs] + [o.id_number for o in objs if isinstance(o, m.Member)]
    return [mark for mark in marks if mark in body]


def snapshot(obj):
    return type(obj).objects.filter(pk=obj.pk).values().first()


@pytest.mark.parametrize("model", SCOPED, ids=lambda model: model.__name__)
def test_visible_to_gives_a_secretary_their_organization_and_the_branches_under_it(district, secretary, model):
    mine, theirs = district.mine(model)
    visible = model.objects.visible_to(secretary)
    assert visible.filter(pk=mine.pk).exists()
    assert not visible.filter(pk=theirs.pk).exists()


def test_the_committee_sees_the_whole_district_and_an_account_without_an_organization_nothing(district, leader):
    assert m.Member.objects.visible_to(leader).count() == m.Member.objects.count() == 2
    stray = get_user_model().objects.create_user("stray", is_staff=True)
    stray.groups.add(roles.group(roles.SECRETARY))
    assert not m.Member.objects.visible_to(stray).exists()
    assert as_user(stray).get(url(m.Member, "changelist")).context["cl"].result_count == 0


@pytest.mark.parametrize("model", ADMINS, ids=lambda model: model.__name__)
def test_a_secretarys_lists_and_searches_hold_only_their_records(district, secretary, model):
    client = as_user(secretary)
    mine, theirs = district.mine(model)
    listed = client.get(url(model, "changelist"))
    assert listed.status_code == 200
    assert mine in listed.context["cl"].result_list and theirs not in listed.context["cl"].result_list
    assert not leaked(listed, district.other, district.other_member)
    found = client.get(url(model, "changelist"), {"q": "博文"})  # the other school's name
    assert found.context["cl"].result_count == 0 and not leaked(found, district.other, asked="博文")


def test_a_secretary_finds_no_member_of_another_school_by_name_or_id_number(district, secretary):
    client = as_user(secretary)
    for term in ["李秀英", district.other_member.id_number, "13887654321"]:
        response = client.get(url(m.Member, "changelist"), {"q": term})
        assert response.context["cl"].result_count == 0, term
        assert not leaked(response, district.other_member, asked=term)


@pytest.mark.parametrize("model", ADMINS, ids=lambda model: model.__name__)
@pytest.mark.parametrize("view", ["change", "delete", "history"])
def test_another_schools_record_answers_as_if_it_did_not_exist_on_every_url_typed_by_hand(district, secretary, model, view):
    client = as_user(secretary)
    _, theirs = district.mine(model)
    missing = model.objects.order_by("pk").last().pk + 1000
    before = snapshot(theirs)
    for method in (client.get, lambda path: client.post(path, {"post": "yes"})):
        response = method(url(model, view, theirs.pk))
        assert response.status_code in (403, 404)
        assert response.status_code == method(url(model, view, missing)).status_code  # not even its existence
        assert not leaked(response, theirs)
    assert snapshot(theirs) == before


@pytest.mark.parametrize("model", ADMINS, ids=lambda model: model.__name__)
def test_a_past_version_of_another_schools_record_answers_404(district, secretary, office, model):
    _, theirs = district.mine(model)
    theirs.save()  # a history row to ask for
    version = theirs.history.latest("history_date").history_id
    response = as_user(secretary).get(url(model, "simple_history", theirs.pk, version))
    assert response.status_code == 404 and not leaked(response, theirs)
    assert as_user(office).get(url(model, "simple_history", theirs.pk, version)).status_code == 200


@pytest.mark.parametrize("bad_id", ["abc", "0", "99999999999999999999", "1%20OR%201=1", "-1"])
def test_malformed_ids_typed_by_hand_answer_404_not_a_server_error(district, office, bad_id):
    client = as_user(office)
    for view in ["change", "delete", "history"]:
        assert client.get(f"/admin/branches/member/{bad_id}/{view}/").status_code == 404
    assert client.get(f"/admin/branches/member/{district.member.pk}/history/{bad_id}/").status_code == 404


@pytest.mark.parametrize("model", [m.Member, m.Election, m.Assessment, m.RectificationCase], ids=lambda model: model.__name__)
def test_autocomplete_offers_a_secretary_only_their_organizations(district, secretary, model):
    client = as_user(secretary)
    response = client.get("/admin/autocomplete/", {
        "app_label": "branches", "model_name": model._meta.model_name, "field_name": "organization", "term": "",
    })
    assert response.status_code == 200
    offered = {int(r["id"]) for r in json.loads(response.content)["results"]}
    assert offered == {district.school.pk, district.branch.pk}
    asked = client.get("/admin/autocomplete/", {
        "app_label": "branches", "model_name": model._meta.model_name, "field_name": "organization", "term": "博文",
    })
    assert json.loads(asked.content)["results"] == []


def test_the_related_object_popup_lists_only_the_secretarys_organizations(district, secretary):
    response = as_user(secretary).get(url(m.Organization, "changelist"), {"_popup": "1", "_to_field": "id"})
    assert response.status_code == 200
    assert set(response.context["cl"].result_list) == {district.school, district.branch}
    assert not leaked(response, district.other)
    popup = as_user(secretary).get(url(m.Organization, "change", district.other.pk), {"_popup": "1"})
    assert popup.status_code == 404


@pytest.mark.parametrize("model", [m.Member, m.Election, m.Assessment, m.RectificationCase], ids=lambda model: model.__name__)
def test_the_forms_choices_hold_only_the_secretarys_organizations(district, secretary, model):
    response = as_user(secretary).get(url(model, "add"))
    assert response.status_code == 200
    field = response.context["adminform"].form.fields["organization"]
    assert set(field.queryset) == {district.school, district.branch}


def test_a_secretary_cannot_add_a_member_to_another_school(district, secretary):
    count = m.Member.objects.count()
    response = as_user(secretary).post(url(m.Member, "add"), {
        "name": "张三", "id_number": "620402198503090012", "ethnicity": "汉族", "organization": district.other.pk,
        "status": "full", "join_date": "2010-07-01", "full_member_date": "2011-07-01", "roll_status": "on_roll",
    })
    assert response.status_code == 200 and response.context["adminform"].form.errors.get("organization")
    assert m.Member.objects.count() == count


def test_a_secretary_cannot_move_their_member_to_another_school(district, secretary):
    member = district.member
    response = as_user(secretary).post(url(m.Member, "change", member.pk), {
        "name": member.name, "id_number": member.id_number, "ethnicity": "汉族", "organization": district.other.pk,
        "status": "full", "join_date": member.join_date, "full_member_date": member.full_member_date, "roll_status": "on_roll",
    })
    assert response.status_code == 200 and response.context["adminform"].form.errors.get("organization")
    member.refresh_from_db()
    assert member.organization == district.branch


def test_a_secretary_changes_their_own_member_and_the_change_is_theirs_in_the_history(build, district, secretary):
    member = district.member
    # To another branch of the school (党章第八条: a member sits in a branch, not in the 党委 itself).
    second = build.org("育英学校第二党支部", parent=district.school, unit_category=m.UnitCategory.PRIVATE_SCHOOL)
    response = as_user(secretary).post(url(m.Member, "change", member.pk), {
        "name": member.name, "id_number": member.id_number, "ethnicity": "汉族", "organization": second.pk,
        "status": "full", "join_date": member.join_date, "full_member_date": member.full_member_date,
        "roll_status": "on_roll", "phone": "13900001111", **NO_EXTENSION,
    })
    assert response.status_code == 302
    # The change waits for the office's review; approved, the roll holds it, in the secretary's name.
    member.refresh_from_db()
    assert member.organization == district.branch
    change = m.MemberChange.objects.get(member=member)
    office = account("office", roles.ADMIN, district.root)
    as_user(office).post(url(m.MemberChange, "changelist"), {"action": "approve_selected", "_selected_action": [change.pk]})
    member.refresh_from_db()
    assert member.organization == second and member.phone == "13900001111"
    assert member.history.latest("history_date").history_user == secretary


@pytest.mark.parametrize("model", ADMINS, ids=lambda model: model.__name__)
def test_bulk_delete_of_another_schools_records_deletes_nothing(district, secretary, model):
    mine, theirs = district.mine(model)
    response = as_user(secretary).post(url(model, "changelist"), {
        "action": "delete_selected", "_selected_action": [theirs.pk], "post": "yes",
    })
    assert response.status_code in (200, 302)
    assert model.objects.filter(pk=theirs.pk).exists()


def test_bulk_delete_across_a_secretarys_selection_deletes_only_their_records(district, secretary):
    # Elections, not members: a secretary takes a member off the roll by a change the office reviews, never by a delete.
    response = as_user(secretary).post(url(m.Election, "changelist"), {
        "action": "delete_selected", "_selected_action": [district.election.pk, district.other_election.pk],
        "select_across": "1", "post": "yes",
    })
    assert response.status_code == 302
    assert not m.Election.objects.filter(pk=district.election.pk).exists()
    assert m.Election.objects.filter(pk=district.other_election.pk).exists()


def test_the_organization_filter_offers_only_the_secretarys_organizations(district, secretary):
    response = as_user(secretary).get(url(m.Member, "changelist"))
    assert "育英学校党委" in response.content.decode()
    assert not leaked(response, district.other)
    within = as_user(secretary).get(url(m.Member, "changelist"), {"within": district.other.pk})
    assert within.context["cl"].result_count == 0


def test_a_secretary_reads_but_does_not_change_the_organization_tree(district, secretary):
    client = as_user(secretary)
    assert client.get(url(m.Organization, "change", district.branch.pk)).status_code == 200
    assert client.get(url(m.Organization, "add")).status_code == 403
    before = snapshot(district.branch)
    assert client.post(url(m.Organization, "change", district.branch.pk), {"name": "改名"}).status_code == 403
    assert snapshot(district.branch) == before


def test_a_secretary_has_nothing_to_do_with_the_committees_own_records(district, secretary):
    client = as_user(secretary)
    assert client.get(url(m.WorkLogEntry, "changelist")).status_code == 403
    assert client.get(url(m.AnnualPlan, "changelist")).status_code == 403
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


@pytest.mark.parametrize("model", ADMINS, ids=lambda model: model.__name__)
def test_a_leader_reads_every_school_and_changes_nothing(district, leader, model):
    client = as_user(leader)
    mine, theirs = district.mine(model)
    listed = client.get(url(model, "changelist"))
    assert {mine, theirs} <= set(listed.context["cl"].result_list)
    assert client.get(url(model, "change", theirs.pk)).status_code == 200
    before = snapshot(theirs)
    assert client.post(url(model, "change", theirs.pk), {}).status_code == 403
    assert client.get(url(model, "add")).status_code == 403
    assert client.post(url(model, "delete", theirs.pk), {"post": "yes"}).status_code == 403
    client.post(url(model, "changelist"), {"action": "delete_selected", "_selected_action": [theirs.pk], "post": "yes"})
    assert snapshot(theirs) == before


def test_a_secretarys_member_list_runs_the_same_number_of_queries_for_3_rows_as_for_30(district, secretary, build):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(secretary)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(m.Member, "changelist")).status_code == 200
        return len(queries)

    few = count()
    for _ in range(28):
        build.member(district.branch)
    assert count() == few


def test_the_office_admin_changes_any_school(district, office):
    client = as_user(office)
    other = district.other_member
    response = client.post(url(m.Member, "change", other.pk), {
        "name": other.name, "id_number": other.id_number, "ethnicity": "汉族", "organization": district.branch.pk,
        "status": "full", "join_date": other.join_date, "full_member_date": other.full_member_date, "roll_status": "on_roll",
        **NO_EXTENSION,
    })
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.organization == district.branch


def test_anonymous_visitors_are_sent_to_the_login_page(district):
    from django.test import Client

    client = Client()
    assert client.get(url(m.Member, "changelist")).status_code == 302
    assert client.get("/admin/autocomplete/", {"app_label": "branches", "model_name": "member",
                                               "field_name": "organization"}).status_code == 302


MODELS = [m.Organization, m.Member, m.Election, m.Assessment, m.StandardItem, m.StandardArea, m.RectificationCase,
          m.ProblemCategory, m.WorkLogEntry, m.Leader, m.AnnualPlan]


@pytest.mark.parametrize("role", [roles.SECRETARY, roles.LEADER])
def test_every_page_a_role_may_open_renders_on_the_demo_district(demo, role):
    school = m.Organization.objects.get(name="红山区第一中学党委")
    user = as_user(account(role, role, school if role == roles.SECRETARY else demo))
    for model in MODELS:
        listed = user.get(url(model, "changelist"))
        if listed.status_code == 403:
            assert role == roles.SECRETARY and model in (m.WorkLogEntry, m.AnnualPlan)
            continue
        assert listed.status_code == 200, model
        if role == roles.SECRETARY and model is m.Member:
            assert listed.context["cl"].result_count == m.Member.objects.filter(organization__in=school.subtree_ids()).count()
        if not listed.context["cl"].result_list:  # a public school has no rectification cases
            continue
        obj = listed.context["cl"].result_list[0]
        assert user.get(url(model, "change", obj.pk)).status_code == 200, model
        assert user.get(url(model, "history", obj.pk)).status_code == 200, model


def test_an_inline_row_of_another_schools_assessment_cannot_be_changed_through_the_secretarys_own(district, secretary):
    mine, theirs = district.assessment, district.other_item
    before = snapshot(theirs)
    response = as_user(secretary).post(url(m.Assessment, "change", mine.pk), {
        "organization": district.branch.pk, "year": mine.year, "result": mine.result, "assessed_on": mine.assessed_on,
        "note": "", "items-TOTAL_FORMS": 1, "items-INITIAL_FORMS": 1, "items-MIN_NUM_FORMS": 0, "items-MAX_NUM_FORMS": 1000,
        "items-0-id": theirs.pk, "items-0-assessment": mine.pk, "items-0-item": theirs.item_id, "items-0-score": 0,
        "items-0-remark": "改动",
    })
    assert response.status_code in (200, 302)
    assert snapshot(theirs) == before


def test_the_office_sets_an_accounts_organization_on_the_users_page(district, office, secretary):
    page = as_user(office).get(reverse("admin:auth_user_change", args=[secretary.pk]))
    assert page.status_code == 200 and "所属党组织" in page.content.decode()
    listed = as_user(office).get(reverse("admin:auth_user_changelist")).content.decode()
    assert "育英学校党委" in listed and "党组织书记" in listed


@pytest.mark.parametrize("model", SCOPED, ids=lambda model: model.__name__)
def test_a_record_in_hand_is_judged_as_visible_to_judges_it(district, secretary, leader, model):
    from branches.scope import holds

    for obj in district.mine(model):
        assert holds(secretary, obj) == model.objects.visible_to(secretary).filter(pk=obj.pk).exists()
        assert holds(leader, obj)
