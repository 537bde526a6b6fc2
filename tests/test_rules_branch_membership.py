"""A member belongs to a branch: 中国共产党章程 第八条 ("每个党员，不论职务高低，都必须编入党的一个支部、小组或其他特定
组织", the text found with the search tool, corpus pages). An on-roll member sits in a 党支部 or 联合党支部, never directly
in a 党委 or 党总支; the members of a 党委's or 党总支's committee are members of its branches who hold a post in it.
One message for the rule wherever a member is placed: the member's record, its import, a transfer's two ends, a
recruit who joins the roll. Records from before the rule are not moved: the warning list names them."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches import early_warning
from branches import models as m
from branches.idcard import make_id_number
from conftest import NO_EXTENSION, make_xlsx

D = datetime.date
K = m.OrgKind
P = m.Member.Post
MESSAGE = m.BRANCH_MEMBERSHIP_MESSAGE


def organization_errors(record):
    with pytest.raises(ValidationError) as err:
        record.full_clean()
    return err.value.message_dict.get("organization", [])


@pytest.fixture
def school(build):
    """A 党委 with a branch, and a 党总支 beside it."""
    committee = build.org("红山区第一中学党委", kind=K.PARTY_COMMITTEE)
    general = build.org("红山区第四中学党总支", kind=K.GENERAL_BRANCH)
    return committee, build.org("红山区第一中学行政后勤党支部", parent=committee), general


# -- the member's record ---------------------------------------------------------------------------
@pytest.mark.parametrize("kind", [K.PARTY_COMMITTEE, K.GENERAL_BRANCH])
def test_an_on_roll_member_is_refused_directly_in_a_party_committee_or_general_branch(build, kind):
    # 党章第八条: every member is placed in a branch.
    upper = build.org(kind=kind)
    member = build.member(upper)  # as a record entered before the rule (no full_clean)
    assert organization_errors(member) == [MESSAGE]
    member.organization = build.org(parent=upper)
    member.full_clean()
    member.organization = build.org(kind=K.JOINT_BRANCH, parent=upper)
    member.full_clean()


def test_a_member_directly_in_the_working_committee_is_refused_on_the_roll_or_off_it(build):
    # 党章第八条; the 教育工委 holds no members of its own.
    member = build.member(build.root)
    assert organization_errors(member) == [MESSAGE]
    member.roll_status, member.left_on = m.Member.Roll.DECEASED, D(2022, 3, 1)
    assert organization_errors(member) == ["党员应编入基层党组织，不能直接编入教育工委。"]


def test_a_member_off_the_roll_keeps_the_last_organization_they_belonged_to(build, school):
    # 党章第八条 asks it of the members on the roll: one who died or left keeps their record where it was.
    committee, _, general = school
    for org, roll in ((committee, m.Member.Roll.DECEASED), (general, m.Member.Roll.TRANSFERRED)):
        member = build.member(org, roll_status=roll, left_on=D(2022, 3, 1))
        member.full_clean()


def test_a_dissolved_organizations_message_comes_first(build):
    upper = build.org(kind=K.GENERAL_BRANCH, is_active=False, dissolved_on=D(2022, 1, 1))
    assert "已撤销" in organization_errors(build.member(upper))[0]


def test_the_admin_refuses_a_member_in_a_party_committee_naming_the_field(build, admin_client, school):
    # 党章第八条, through the member's admin form.
    committee, branch, _ = school
    data = {"name": "张三", "id_number": make_id_number("620402", D(1985, 3, 9), 123), "ethnicity": "汉族",
            "organization": committee.pk, "status": "full", "join_date": "2010-07-01", "full_member_date": "2011-07-01",
            "roll_status": "on_roll", **NO_EXTENSION}
    response = admin_client.post(reverse("admin:branches_member_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["organization"] == [MESSAGE]
    assert not m.Member.objects.exists()
    assert admin_client.post(reverse("admin:branches_member_add"), {**data, "organization": branch.pk}).status_code == 302
    assert m.Member.objects.get().organization == branch


# -- the member import ----------------------------------------------------------------------------------
def test_the_member_import_refuses_a_row_in_a_general_branch_with_its_row_and_column(build, sheets, school):
    # 党章第八条, in the file the office uploads: the same message, the row and the column named.
    _, branch, general = school
    header = ("姓名", "身份证号码", "所在党组织", "入党日期")
    rows = [["李丽", make_id_number("620402", D(1985, 5, 6), 4), branch.name, "2011-07-01"],
            ["王强", make_id_number("620402", D(1986, 5, 6), 5), general.name, "2012-07-01"]]
    response = sheets.upload("member", make_xlsx(header, *rows))
    assert response.status_code == 200
    [problem] = response.context["preview"]["problems"]
    assert (problem.row, problem.column, problem.value, problem.message) == (3, "所在党组织", general.name, MESSAGE)
    page = response.content.decode()
    assert "第3行" in page and MESSAGE in page
    assert not m.Member.objects.exists()


# -- the same rule elsewhere -----------------------------------------------------------------------------------
def test_a_transfer_gives_the_same_message_for_either_end_outside_a_branch(build, school):
    # 党章第八条: a transfer moves a member from one branch to another.
    committee, branch, general = school
    member = build.member(branch, join=D(2010, 7, 1))
    transfer = m.Transfer(member=member, kind=m.Transfer.Kind.WITHIN, from_organization=committee,
                          to_organization=general, transferred_on=D(2023, 8, 1))
    with pytest.raises(ValidationError) as err:
        transfer.full_clean()
    errors = err.value.message_dict
    assert errors["from_organization"] == [MESSAGE] and errors["to_organization"] == [MESSAGE]


def test_a_recruit_accepted_and_approved_joins_the_roll_only_in_a_branch(build, school):
    # 党章第八条: an approved recruit becomes a member of the branch whose 党员大会 accepted them.
    committee, branch, _ = school
    contacts = [build.member(branch, join=D(2010, 7, 1)) for _ in range(2)]
    steps = {"applied_on": D(2021, 3, 1), "talked_on": D(2021, 3, 10), "activist_on": D(2021, 5, 1),
             "candidate_on": D(2022, 6, 1), "vetted_on": D(2022, 6, 20), "training_began_on": D(2022, 7, 1),
             "trained_on": D(2022, 7, 3), "publicity_began_on": D(2022, 8, 1), "publicity_ended_on": D(2022, 8, 8),
             "pre_reviewed_on": D(2022, 8, 15), "accepted_on": D(2022, 9, 1), "approved_on": D(2022, 10, 10)}
    recruit = m.Recruit(name="赵敏", id_number=make_id_number("620402", D(1995, 4, 5), 8), organization=committee,
                        contact_1=contacts[0], contact_2=contacts[1], **steps)
    assert organization_errors(recruit) == [MESSAGE]
    recruit.approved_on = None  # on the way: an applicant's record may sit with the 党委 until the branch takes it up
    assert "organization" not in _errors(recruit)
    recruit.organization, recruit.approved_on = branch, D(2022, 10, 10)
    recruit.full_clean()
    recruit.save()
    assert recruit.member.organization == branch and recruit.member.status == m.Member.Status.PROBATIONARY


def _errors(record):
    try:
        record.full_clean()
    except ValidationError as exc:
        return exc.message_dict
    return {}


# -- posts in the organizations above -------------------------------------------------------------------
def test_a_branch_member_holds_a_post_in_the_party_committee_and_general_branch_above(build):
    # 党章第八条 with the issue's rule: a 党委's committee are members of its branches holding a post in it.
    committee = build.org(kind=K.PARTY_COMMITTEE)
    general = build.org(kind=K.GENERAL_BRANCH, parent=committee)
    branch = build.org(parent=general)
    member = build.member(branch, join=D(2010, 7, 1))
    for org, post in ((committee, P.SECRETARY), (general, P.ORGANIZATION), (branch, P.PUBLICITY)):
        tenure = m.Tenure(member=member, organization=org, post=post, started_on=D(2021, 9, 1))
        tenure.full_clean()
        tenure.save()
    state = {o.pk: o for o in m.Organization.objects.with_staffing(D(2023, 12, 31))}
    assert (state[committee.pk].committee_count, state[committee.pk].roll_count) == (1, 0)
    assert state[committee.pk].secretary_birth == member.birth_date  # its secretary, a member of the branch below
    assert (state[branch.pk].committee_count, state[branch.pk].roll_count) == (1, 1)


# -- existing records: the warning list names them ----------------------------------------------------------
def test_the_warning_list_names_an_organization_holding_members_directly(build, school):
    # 党章第八条. A record from before the rule is not moved by a migration: the office moves it, the list says where.
    committee, branch, general = school
    for _ in range(2):
        build.member(committee)
    build.member(branch)
    build.member(general, roll_status=m.Member.Roll.DECEASED, left_on=D(2022, 3, 1))  # off the roll: not counted
    result = early_warning.evaluate(D(2023, 12, 31), codes=["members_outside_branches"])
    assert [(h.organization, h.detail) for h in result.hits] == [
        (committee, "在册党员2人直接编在党委，未编入党支部（党章第八条），应转入所在党支部")]
    assert result.hits[0].url.endswith(f"?organization__id__exact={committee.pk}")
    assert result.hits[0].rule.title == "党员直接编在党委/党总支"


def test_the_rule_costs_no_query_of_its_own(build, school):
    # Read from the organizations' member counts the other rules share: the list's queries stay as they were.
    committee, *_ = school
    build.member(committee)
    with CaptureQueriesContext(connection) as one:
        early_warning.evaluate(D(2023, 12, 31), codes=["too_small"])
    with CaptureQueriesContext(connection) as both:
        found = early_warning.evaluate(D(2023, 12, 31), codes=["too_small", "members_outside_branches"])
    assert len(both) == len(one) and [h.organization for h in found.only("members_outside_branches").hits] == [committee]


def test_the_warnings_page_and_the_organization_list_show_it_to_the_office(build, admin_client, school):
    # 党章第八条: what the office reads to move them.
    committee, *_ = school
    build.member(committee)
    page = admin_client.get(reverse("warnings"), {"date": "2023-12-31"}).content.decode()
    assert "党员直接编在党委/党总支" in page and "在册党员1人直接编在党委" in page
    listing = admin_client.get(reverse("admin:branches_organization_changelist")).content.decode()
    assert "党员未编入支部" in listing
