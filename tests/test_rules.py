"""The regulations' rules on the records: terms, conversions, staffing, the tree, the ledgers."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from branches import models as m
from branches.dates import add_months, add_years, today

K = m.OrgKind


# -- elections --------------------------------------------------------------------------------
@pytest.mark.parametrize("kind, years", [(K.PARTY_COMMITTEE, 5), (K.GENERAL_BRANCH, 3), (K.BRANCH, 3), (K.JOINT_BRANCH, 3)])
def test_the_term_follows_the_kind_of_organization(build, kind, years):
    org = build.org(kind=kind)
    election = m.Election.objects.create(organization=org, held_on=datetime.date(2021, 6, 30))
    assert election.term_years == years
    assert election.term_ends_on == datetime.date(2021 + years, 6, 30)


def test_a_term_begun_on_29_february_ends_on_28_february(build):
    election = m.Election.objects.create(organization=build.org(), held_on=datetime.date(2020, 2, 29))
    assert election.term_ends_on == datetime.date(2023, 2, 28)


# 中国共产党章程 第三十一条 and the 2018 中办 意见 on basic-level terms: a branch serves 3 years, a 党委 5.
@pytest.mark.parametrize("kind, years", [(K.BRANCH, 2), (K.BRANCH, 5), (K.PARTY_COMMITTEE, 3), (K.GENERAL_BRANCH, 5)])
def test_a_term_length_other_than_the_kinds_is_refused(build, kind, years):
    election = m.Election(organization=build.org(kind=kind), held_on=datetime.date(2021, 1, 5), term_years=years)
    with pytest.raises(ValidationError) as refused:
        election.full_clean()
    assert f"每届任期{m.TERM_YEARS[kind]}年，不能登记{years}年" in refused.value.message_dict["term_years"][0]


@pytest.mark.parametrize(
    "ends, status",
    [
        (lambda d: d, "due"),  # a term that ends today is due, not yet overdue
        (lambda d: d - datetime.timedelta(days=1), "overdue"),
        (lambda d: add_months(d, 6), "due"),
        (lambda d: add_months(d, 6) + datetime.timedelta(days=1), "ok"),
        (lambda d: None, "never"),
    ],
)
def test_an_election_is_due_within_six_months_of_the_terms_end_and_overdue_after(ends, status):
    on = datetime.date(2023, 12, 31)
    assert m.election_status(ends(on), on) == status


def test_due_and_overdue_querysets_agree_with_the_rule_on_the_boundary_day(build):
    on = today()
    ends_today, ended_yesterday, never = build.org(), build.org(), build.org()
    m.Election.objects.create(organization=ends_today, held_on=add_years(on, -3))
    m.Election.objects.create(organization=ended_yesterday, held_on=add_years(on, -3) - datetime.timedelta(days=1))
    assert list(m.Organization.objects.election_due(on)) == [ends_today]
    assert list(m.Organization.objects.election_overdue(on)) == [ended_yesterday]
    assert list(m.Organization.objects.never_elected()) == [never]


def test_the_latest_election_decides_the_next_one(build):
    org = build.org()
    m.Election.objects.create(organization=org, held_on=datetime.date(2017, 5, 1))
    m.Election.objects.create(organization=org, held_on=datetime.date(2020, 5, 1))
    annotated = m.Organization.objects.with_last_election().get(pk=org.pk)
    assert annotated.term_ends_on == datetime.date(2023, 5, 1)


# -- probationary members -----------------------------------------------------------------------
def test_members_off_the_roll_are_not_flagged_or_counted(build):
    org = build.org()
    build.member(org, status=m.Member.Status.PROBATIONARY, join=datetime.date(2015, 1, 1), roll_status=m.Member.Roll.TRANSFERRED)
    assert m.Member.objects.conversion_overdue().count() == 0
    assert m.Member.objects.on_roll().count() == 0


def test_a_probationary_member_cannot_have_a_conversion_date(build):
    org = build.org()
    member = build.member(org, status=m.Member.Status.PROBATIONARY, join=datetime.date(2022, 3, 1))
    member.full_member_date = datetime.date(2023, 3, 1)
    with pytest.raises(ValidationError) as err:
        member.full_clean()
    assert "预备党员不应有转正日期" in str(err.value)


def test_a_member_cannot_join_a_dissolved_organization(build):
    org = build.org(is_active=False, dissolved_on=datetime.date(2022, 1, 1))
    member = build.member(org)
    with pytest.raises(ValidationError) as err:
        member.full_clean()
    assert "已撤销" in str(err.value.message_dict["organization"])


# -- staffing -----------------------------------------------------------------------------------
def _staffing(org):
    o = m.Organization.objects.with_staffing().get(pk=org.pk)
    return m.staffing_status(o.kind, o.full_count, o.committee_count, o.secretary_birth is not None)


def test_a_branch_with_seven_full_members_needs_a_committee(build):
    org = build.org()
    build.member(org, post=m.Member.Post.SECRETARY)
    for _ in range(6):
        build.member(org)
    assert _staffing(org) == "incomplete"
    build.member(org, post=m.Member.Post.ORGANIZATION)
    build.member(org, post=m.Member.Post.PUBLICITY)
    assert _staffing(org) == "complete"


def test_a_branch_with_six_full_members_needs_only_a_secretary(build):
    org = build.org()
    build.member(org, post=m.Member.Post.SECRETARY)
    for _ in range(4):
        build.member(org)
    build.member(org, status=m.Member.Status.PROBATIONARY, join=today() - datetime.timedelta(days=30))
    build.member(org, status=m.Member.Status.PROBATIONARY, join=today() - datetime.timedelta(days=30))
    assert _staffing(org) == "complete"  # probationary members do not count towards the seven


def test_an_organization_without_a_secretary_is_flagged_whatever_its_size(build):
    org = build.org()
    build.member(org, post=m.Member.Post.ORGANIZATION)
    assert _staffing(org) == "no_secretary"


def test_a_general_branch_needs_five_committee_members(build):
    org = build.org(kind=K.GENERAL_BRANCH)
    for post in ["secretary", "organization", "publicity", "discipline"]:
        build.member(org, post=post)
    assert _staffing(org) == "incomplete"
    build.member(org, post="youth")
    assert _staffing(org) == "complete"


@override_settings(SHUZHI={"SECRETARY_AGE_WARNING": 55})
def test_a_secretary_is_ageing_from_the_birthday_that_reaches_the_warning_age():
    on = datetime.date(2023, 12, 31)
    assert m.secretary_is_ageing(datetime.date(1968, 12, 31), on)
    assert not m.secretary_is_ageing(datetime.date(1969, 1, 1), on)
    assert not m.secretary_is_ageing(None, on)


# -- the tree -----------------------------------------------------------------------------------
def test_a_branch_cannot_have_organizations_under_it(build):
    branch = build.org()
    child = m.Organization(name="下级", kind=K.BRANCH, parent=branch)
    with pytest.raises(ValidationError) as err:
        child.full_clean()
    assert "不能设在党支部之下" in str(err.value)


def test_an_organization_cannot_be_moved_under_its_own_descendant(build):
    top = build.org(kind=K.PARTY_COMMITTEE)
    middle = build.org(kind=K.GENERAL_BRANCH, parent=top)
    top.kind = K.GENERAL_BRANCH
    top.parent = middle
    with pytest.raises(ValidationError):
        top.full_clean()
    assert set(top.subtree_ids()) == {top.pk, middle.pk}


def test_a_private_category_must_be_a_private_school(build):
    org = m.Organization(name="育英学校党支部", kind=K.BRANCH, parent=build.root,
                         unit_category=m.UnitCategory.PRIVATE_SCHOOL, ownership=m.Ownership.PUBLIC)
    with pytest.raises(ValidationError) as err:
        org.full_clean()
    assert "办学性质应为民办" in str(err.value)


def test_a_dissolved_organization_names_its_dissolution_date(build):
    org = build.org()
    org.is_active = False
    with pytest.raises(ValidationError) as err:
        org.full_clean()
    assert "撤销日期" in str(err.value)


# -- standardization and rectification ------------------------------------------------------------
def test_only_branches_are_assessed_for_standardization(build):
    committee = build.org(kind=K.PARTY_COMMITTEE)
    assessment = m.Assessment(organization=committee, year=2023, result="passed", assessed_on=datetime.date(2023, 12, 1))
    with pytest.raises(ValidationError) as err:
        assessment.full_clean()
    assert "党支部" in str(err.value)


def test_an_item_score_cannot_exceed_its_points(build):
    branch = build.org()
    assessment = m.Assessment.objects.create(organization=branch, year=2023, result="passed", assessed_on=datetime.date(2023, 12, 1))
    item = m.StandardItem.objects.get(code="1.1")
    with pytest.raises(ValidationError):
        m.AssessmentItem(assessment=assessment, item=item, score=item.points + 1).full_clean()


def test_the_catalogue_is_seeded_with_one_hundred_points(db):
    from django.db.models import Sum

    assert m.StandardItem.objects.aggregate(total=Sum("points"))["total"] == 100
    assert m.StandardArea.objects.count() == 6


# 软弱涣散基层党组织整顿 concerns any basic-level organization (中组部 on 整顿软弱涣散基层党组织): public schools too; the
# seed's attention to private schools is the list's 办学性质 filter.
def test_rectification_covers_public_and_private_organizations_but_not_the_committee(build):
    for org in (build.org(), build.org(unit_category=m.UnitCategory.PRIVATE_SCHOOL)):
        m.RectificationCase(organization=org, year=2023, problems="x", deadline=datetime.date(2023, 9, 30)).full_clean()
    case = m.RectificationCase(organization=build.root, year=2023, problems="x", deadline=datetime.date(2023, 9, 30))
    with pytest.raises(ValidationError) as err:
        case.full_clean()
    assert err.value.message_dict["organization"] == ["软弱涣散整顿的对象是基层党组织，不是教育工委。"]


def test_a_case_is_closed_only_after_its_acceptance_and_not_before_it(build):
    case = m.RectificationCase(organization=build.org(), year=2023, problems="x", deadline=datetime.date(2023, 9, 30),
                               identified_by=m.RectificationCase.Identified.INSPECTION, identified_on=datetime.date(2023, 3, 1),
                               status=m.RectificationCase.Status.CLOSED, closed_on=datetime.date(2023, 9, 1))
    with pytest.raises(ValidationError) as err:
        case.full_clean()
    assert err.value.message_dict["accepted_on"] == ["销号前须经验收，请填写验收人和验收日期。"]
    case.accepted_by, case.accepted_on = "李文华", datetime.date(2023, 9, 5)
    with pytest.raises(ValidationError) as err:
        case.full_clean()
    assert err.value.message_dict["closed_on"] == ["销号日期不能早于验收日期。"]
    case.accepted_on = datetime.date(2023, 8, 28)
    case.is_exemplary = True
    case.full_clean()
    case.status, case.closed_on = m.RectificationCase.Status.IN_PROGRESS, None
    with pytest.raises(ValidationError) as err:
        case.full_clean()
    assert "待验收或已销号" in err.value.message_dict["status"][0]


def test_an_open_case_past_its_deadline_is_flagged(build):
    private = build.org(unit_category=m.UnitCategory.PRIVATE_SCHOOL)
    yesterday = today() - datetime.timedelta(days=1)
    late = m.RectificationCase.objects.create(organization=private, year=2023, problems="x", deadline=yesterday)
    m.RectificationCase.objects.create(organization=private, year=2024, problems="x", deadline=today())
    assert list(m.RectificationCase.objects.past_deadline()) == [late]
    assert late.past_deadline
