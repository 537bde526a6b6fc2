"""填报 → 审核: what a secretary submits waits for the office, which approves it or returns it with a reason; what
the office decides (the standardization result, a case's acceptance and closing, an election's approval) no path
lets a secretary set. Counting follows review: figures, warnings and compliance count reviewed entries only."""
import datetime

import pytest
from conftest import SheetPages, make_xlsx
from django.urls import reverse
from scoped_district import as_user, district, leader, office, secretary  # noqa: F401

from branches import models as m
from reports.meetings import compliance
from reports.todo import sections_for

D = datetime.date
pytestmark = pytest.mark.django_db


def add_meeting(client, org, **kw):
    data = {"organization": org.pk, "meeting_type": m.MeetingType.objects.get(name="党员大会").pk,
            "held_on": "2023-03-28", "topic": "学习党章", "chaired_by": "王建华", "present": 5, "on_roll": 6, "note": ""}
    data.update(kw)
    return client.post(reverse("admin:branches_meeting_add"), data)


def review(client, model, action, pks, reason=""):
    return client.post(reverse(f"admin:branches_{model}_changelist"),
                       {"action": action, "_selected_action": [str(pk) for pk in pks], "review_reason": reason})


def held_this_quarter(org):
    return compliance(2023, "quarter", 1, organizations=m.Organization.objects.filter(pk=org.pk), on=D(2023, 12, 31)).total.held


def test_a_secretarys_meeting_waits_for_review_and_counts_once_the_office_approves_it(district, secretary, office):
    assert add_meeting(as_user(secretary), district.branch).status_code == 302
    meeting = m.Meeting.objects.get(organization=district.branch)
    assert (meeting.review_status, meeting.submitted_by) == (m.Review.PENDING, secretary)
    assert held_this_quarter(district.branch) == 0  # 支部工作条例第十九条: 三会一课 counts what the office has seen

    assert review(as_user(office), "meeting", "approve_selected", [meeting.pk]).status_code == 302
    meeting.refresh_from_db()
    assert (meeting.review_status, meeting.reviewed_by) == (m.Review.APPROVED, office)
    assert held_this_quarter(district.branch) == 1


def test_the_office_returns_an_entry_with_a_reason_the_secretary_sees_on_the_todo_list(district, secretary, office):
    add_meeting(as_user(secretary), district.branch, topic="主题党日")
    meeting = m.Meeting.objects.get(organization=district.branch)
    assert review(as_user(office), "meeting", "return_selected", [meeting.pk], reason="缺少会议记录照片").status_code == 302
    meeting.refresh_from_db()
    assert (meeting.review_status, meeting.review_reason) == (m.Review.RETURNED, "缺少会议记录照片")
    page = as_user(secretary).get(reverse("todo"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "被退回的填报（1）" in text and "缺少会议记录照片" in text
    assert reverse("admin:branches_meeting_change", args=[meeting.pk]) in text

    # corrected and resubmitted: waiting again, the reason kept until the office decides
    change = reverse("admin:branches_meeting_change", args=[meeting.pk])
    data = {"organization": district.branch.pk, "meeting_type": meeting.meeting_type_id, "held_on": "2023-03-28",
            "topic": "主题党日（补充照片）", "chaired_by": "", "present": 5, "on_roll": 6, "note": ""}
    assert as_user(secretary).post(change, data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.review_status == m.Review.PENDING
    history = [h.review_status for h in meeting.history.order_by("history_date")]
    assert history == [m.Review.PENDING, m.Review.RETURNED, m.Review.PENDING]


def test_a_return_without_a_reason_is_refused(district, secretary, office):
    add_meeting(as_user(secretary), district.branch)
    meeting = m.Meeting.objects.get(organization=district.branch)
    page = review(as_user(office), "meeting", "return_selected", [meeting.pk], reason="  ")
    assert page.status_code == 302
    meeting.refresh_from_db()
    assert meeting.review_status == m.Review.PENDING


def test_a_secretary_cannot_review_even_by_a_crafted_post(district, secretary):
    add_meeting(as_user(secretary), district.branch)
    meeting = m.Meeting.objects.get(organization=district.branch)
    page = review(as_user(secretary), "meeting", "approve_selected", [meeting.pk])
    assert page.status_code in (200, 302)
    meeting.refresh_from_db()
    assert meeting.review_status == m.Review.PENDING


def test_the_offices_own_entry_needs_no_review(district, office):
    assert add_meeting(as_user(office), district.branch).status_code == 302
    assert m.Meeting.objects.get(organization=district.branch).review_status == m.Review.APPROVED


# -- what the office decides ---------------------------------------------------------------------
def test_a_secretary_cannot_make_their_branch_exemplary_through_the_admin_form(district, secretary):
    a = district.assessment
    page = as_user(secretary).get(reverse("admin:branches_assessment_change", args=[a.pk]))
    assert page.status_code == 200 and 'name="result"' not in page.content.decode()  # read-only for the role
    data = {"organization": district.branch.pk, "year": 2023, "result": "exemplary", "assessed_on": "2023-12-01", "note": "",
            "items-TOTAL_FORMS": "0", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "1000"}
    response = as_user(secretary).post(reverse("admin:branches_assessment_change", args=[a.pk]), data)
    a.refresh_from_db()
    assert a.result == "passed"
    assert response.status_code == 200 and "由工委组织科审定" in response.content.decode()


def test_a_secretary_cannot_close_their_rectification_case_through_the_admin_form(district, secretary):
    case = district.case
    data = {"organization": district.branch.pk, "year": 2023, "problems": "组织生活不规范", "measures": "",
            "deadline": "2023-09-30", "status": "closed", "closed_on": "2023-09-01",
            "progress-TOTAL_FORMS": "0", "progress-INITIAL_FORMS": "0", "progress-MIN_NUM_FORMS": "0",
            "progress-MAX_NUM_FORMS": "1000"}
    response = as_user(secretary).post(reverse("admin:branches_rectificationcase_change", args=[case.pk]), data)
    case.refresh_from_db()
    assert case.status == m.RectificationCase.Status.IN_PROGRESS and case.closed_on is None
    assert "由工委组织科审定" in response.content.decode()


def test_a_secretarys_import_that_sets_a_decided_field_is_refused_naming_the_row_and_column(district, secretary):
    pages = SheetPages(as_user(secretary))
    data = make_xlsx(("党支部", "年度", "评定结果", "评定日期"), ("育英学校第一党支部", 2023, "示范", "2023-12-01"))
    preview = pages.upload("assessment", data)
    text = preview.content.decode()
    assert preview.status_code == 200 and "评定结果" in text and "由工委组织科审定" in text
    assert "confirm_form" not in preview.context or preview.context["confirm_form"] is None
    district.assessment.refresh_from_db()
    assert district.assessment.result == "passed"


def test_the_model_refuses_a_secretarys_decided_change(district, secretary, office):
    a = district.assessment
    a.result = "exemplary"
    with pytest.raises(Exception) as refused:
        a.submit_as(secretary, {"result": "passed"})
    assert "result" in refused.value.message_dict
    a.submit_as(office, {"result": "passed"})  # the office decides
    assert a.review_status == m.Review.APPROVED


def test_a_pending_assessment_does_not_count_as_standard(district, secretary):
    mine = district.assessment
    m.Assessment.objects.filter(pk=mine.pk).update(review_status=m.Review.PENDING)
    assert not m.Assessment.objects.filter(pk=mine.pk).met().exists()


def test_a_secretary_cannot_approve_an_election_through_the_organization_pages_inline(district, secretary):
    # The elections inline sits on the organization page, which a secretary reads but may not post.
    e = district.election
    page = as_user(secretary).get(reverse("admin:branches_organization_change", args=[district.branch.pk]))
    assert page.status_code == 200 and 'name="elections-0-approved_on"' not in page.content.decode()
    data = {"name": district.branch.name, "kind": district.branch.kind,
            "elections-TOTAL_FORMS": "1", "elections-INITIAL_FORMS": "1", "elections-MIN_NUM_FORMS": "0",
            "elections-MAX_NUM_FORMS": "1000", "elections-0-id": e.pk, "elections-0-organization": district.branch.pk,
            "elections-0-held_on": "2022-05-01", "elections-0-term_years": 3,
            "elections-0-approval_document": "教工委发〔2022〕1号", "elections-0-approved_on": "2022-05-10"}
    response = as_user(secretary).post(reverse("admin:branches_organization_change", args=[district.branch.pk]), data)
    assert response.status_code == 403
    e.refresh_from_db()
    assert (e.approved_on, e.approval_document) == (None, "")


def test_a_secretary_cannot_submit_a_meeting_for_another_organization(district, secretary):
    response = add_meeting(as_user(secretary), district.other)
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not m.Meeting.objects.exists()


# -- 待办 ----------------------------------------------------------------------------------------
def test_the_office_sees_what_waits_for_review_and_the_secretary_their_own_items(district, secretary, office, leader):
    add_meeting(as_user(secretary), district.branch)
    role, sections = sections_for(office, D(2023, 12, 31))
    assert role == "工委管理员"
    waiting = next(s for s in sections if s.title == "待审核")
    assert [i.text for i in waiting.items] == ["育英学校第一党支部：组织生活1条待审核"]
    role, sections = sections_for(secretary, D(2023, 12, 31))
    assert role == "党组织书记" and "待审核" not in [s.title for s in sections]
    texts = [i.text for s in sections for i in s.items]
    assert all("博文" not in t for t in texts)  # nothing outside the subtree
    role, _ = sections_for(leader, D(2023, 12, 31))
    assert role == "领导"


def test_a_leader_sees_the_organizations_assigned_to_them(district, leader):
    person = m.Leader.objects.create(name="张书记", title=m.Leader.Title.SECRETARY, account=leader)
    district.branch.liaison_leader = person
    district.branch.save()
    _, sections = sections_for(leader, D(2023, 12, 31))
    assert [i.text for i in sections[0].items] == ["育英学校第一党支部"]


def test_the_todo_page_opens_for_every_role_on_the_demo_in_a_bounded_number_of_queries(demo, django_assert_max_num_queries):
    # The bound holds at any size; 组织关系转接待接收 added one query to it (41).
    from accounts import roles
    from scoped_district import account

    school = m.Organization.objects.filter(kind=m.OrgKind.PARTY_COMMITTEE).order_by("pk").first()
    users = [account("o", roles.ADMIN, demo), account("s", roles.SECRETARY, school), account("l", roles.LEADER, demo)]
    for user in users:
        client = as_user(user)
        with django_assert_max_num_queries(41):
            page = client.get(reverse("todo"))
        assert page.status_code == 200
        assert "None" not in page.content.decode()


def test_the_dashboard_says_how_many_entries_wait_for_review(district, secretary, office):
    add_meeting(as_user(secretary), district.branch)
    add_meeting(as_user(secretary), district.branch, topic="党课")
    page = as_user(office).get(reverse("dashboard") + "?year=2023")
    assert "另有2条填报待审核" in page.content.decode()
