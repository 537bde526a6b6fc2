"""Each warning rule trips on a hand-built case and stays quiet on the boundary day next to it."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branches import models as m
from branches.dates import add_months, add_years
from branches import early_warning as warnings

ON = datetime.date(2023, 12, 31)
DAY = datetime.timedelta(days=1)
P = m.Member.Post
PROBATIONARY = m.Member.Status.PROBATIONARY


def flagged(code, on=ON, **kw):
    """{organization: [details]} for one rule."""
    result = warnings.evaluate(on, codes=[code], **kw)
    return {org: [h.detail for h in hits] for org, hits in result.by_organization.items()}


def staffed(build, full=3, kind=m.OrgKind.BRANCH, posts=(P.SECRETARY,), **kw):
    org = build.org(kind=kind, **kw)
    for i in range(full):
        build.member(org, post=posts[i] if i < len(posts) else "")
    return org


# -- 书记空缺 -------------------------------------------------------------------------------------
# The vacancy is derived from the tenures (任职): since the day the last secretary's tenure ended (its 离任日期, the
# first day out of office), else since the organization was founded.
def former_secretary(build, org, until, since=datetime.date(2020, 1, 1)):
    return build.tenure(build.member(org, join=datetime.date(2010, 7, 1)), P.SECRETARY, since=since, until=until)


def test_a_secretary_post_vacant_for_more_than_three_months_is_flagged_and_three_months_exactly_is_not(build):
    longer = staffed(build, posts=())
    exactly = staffed(build, posts=())
    former_secretary(build, longer, until=add_months(ON, -3) - DAY)
    former_secretary(build, exactly, until=add_months(ON, -3))
    found = flagged("secretary_vacant")
    assert list(found) == [longer]
    assert found[longer] == ["书记自2023年9月29日起空缺，已3个月"]


def test_an_organization_that_never_had_a_secretary_is_vacant_since_its_founding_or_asks_for_the_date(build):
    founded = staffed(build, posts=(), founded_on=datetime.date(2022, 3, 1))
    unknown = staffed(build, posts=())
    assert flagged("secretary_vacant") == {founded: ["书记自2022年3月1日起空缺，已21个月"],
                                           unknown: ["书记空缺，无书记任职记录，成立日期未登记"]}


def test_an_organization_with_a_secretary_is_not_flagged_whatever_tenure_ended_before(build):
    org = staffed(build)
    former_secretary(build, org, until=datetime.date(2020, 6, 1), since=datetime.date(2019, 1, 1))
    assert flagged("secretary_vacant") == {}


def test_the_vacancy_starts_the_day_the_last_secretary_tenure_ends_and_a_new_one_ends_it(build):
    org = build.org(founded_on=datetime.date(2015, 1, 1))
    secretary = build.member(org, post=P.SECRETARY)
    tenure = secretary.tenures.get()
    o = m.Organization.objects.with_staffing(ON).get(pk=org.pk)
    assert m.has_secretary(o)
    tenure.ended_on = datetime.date(2023, 4, 1)
    tenure.save()
    o = m.Organization.objects.with_staffing(ON).get(pk=org.pk)
    assert not m.has_secretary(o) and o.secretary_vacant_since == datetime.date(2023, 4, 1)
    # On a day before it ended the secretary was in office: the state as it stood then.
    assert m.has_secretary(m.Organization.objects.with_staffing(datetime.date(2023, 3, 31)).get(pk=org.pk))
    build.tenure(build.member(org), P.SECRETARY, since=datetime.date(2023, 10, 1))
    assert m.has_secretary(m.Organization.objects.with_staffing(ON).get(pk=org.pk))


def test_a_secretary_who_leaves_the_roll_leaves_the_post_vacant_from_that_day(build):
    org = build.org(founded_on=datetime.date(2015, 1, 1))
    secretary = build.member(org, post=P.SECRETARY)
    secretary.roll_status, secretary.left_on = m.Member.Roll.TRANSFERRED, datetime.date(2023, 5, 10)
    secretary.save()
    assert secretary.tenures.get().ended_on == datetime.date(2023, 5, 10)
    o = m.Organization.objects.with_staffing(ON).get(pk=org.pk)
    assert not m.has_secretary(o) and o.secretary_vacant_since == datetime.date(2023, 5, 10)


def test_a_committee_member_leaving_does_not_change_the_vacancy(build):
    org = staffed(build, posts=())
    former_secretary(build, org, until=datetime.date(2023, 2, 1))
    build.tenure(build.member(org), P.ORGANIZATION, since=datetime.date(2021, 1, 1), until=datetime.date(2023, 8, 1))
    o = m.Organization.objects.with_staffing(ON).get(pk=org.pk)
    assert o.secretary_vacant_since == datetime.date(2023, 2, 1)


# -- 班子与规模 ------------------------------------------------------------------------------------
def test_a_branch_of_seven_full_members_without_a_committee_is_flagged_and_six_is_not(build):
    seven = staffed(build, full=7)
    six = staffed(build, full=6)
    build.member(six, status=PROBATIONARY, join=ON - 30 * DAY)  # probationary members do not count
    with_committee = staffed(build, full=7, posts=(P.SECRETARY, P.ORGANIZATION, P.PUBLICITY))
    found = flagged("no_committee")
    assert list(found) == [seven]
    assert found[seven] == ["正式党员7人，任职委员仅1人"]
    assert with_committee not in found and six not in found


# 中国共产党支部工作条例（试行）第四条: 党支部党员人数一般不超过50人.
def test_a_branch_over_fifty_members_should_split_or_become_a_general_branch_and_fifty_is_allowed(build):
    big, fifty = staffed(build, full=51), staffed(build, full=50)
    assert flagged("too_large") == {big: ["在册党员51人，超过50人，应分设党支部或升格为党总支"]}
    assert fifty not in flagged("too_large")


def test_fewer_than_three_full_members_is_flagged_and_three_is_not(build):
    two = staffed(build, full=2)
    build.member(two, status=PROBATIONARY, join=ON - 30 * DAY)
    staffed(build, full=3)
    committee = staffed(build, full=1, kind=m.OrgKind.GENERAL_BRANCH)  # its members are in its branches
    assert flagged("too_small") == {two: ["正式党员2人"]}
    assert committee not in flagged("too_small")


# -- 换届 ----------------------------------------------------------------------------------------
def elect(org, held_on):
    return m.Election.objects.create(organization=org, held_on=held_on)


def test_a_term_that_ended_yesterday_is_overdue_and_one_ending_today_is_due(build):
    overdue, due_today = build.org(), build.org()
    elect(overdue, add_years(ON, -3) - DAY)
    elect(due_today, add_years(ON, -3))
    assert flagged("election_overdue") == {overdue: ["任期已于2023年12月30日届满"]}
    assert due_today in flagged("election_due") and due_today not in flagged("election_overdue")


def test_a_term_ending_in_six_months_is_due_and_a_day_later_is_not(build):
    within, beyond = build.org(), build.org()
    elect(within, add_years(add_months(ON, 6), -3))
    elect(beyond, add_years(add_months(ON, 6) + DAY, -3))
    assert flagged("election_due") == {within: ["任期将于2024年6月30日届满，应启动换届"]}


def test_an_election_held_after_the_date_asked_about_does_not_count_for_it(build):
    org = build.org()
    elect(org, datetime.date(2020, 12, 1))  # term ended 2023-12-01
    elect(org, datetime.date(2024, 1, 10))
    assert org in flagged("election_overdue", on=ON)
    assert org not in flagged("election_overdue", on=datetime.date(2024, 1, 10))


def test_an_organization_without_any_election_is_flagged_as_missing_the_record(build):
    never, elected = build.org(), build.org()
    elect(elected, datetime.date(2022, 5, 1))
    assert flagged("election_missing") == {never: ["未登记任何一次换届选举"]}


# -- 组织生活 --------------------------------------------------------------------------------------
def meeting_details(org, on=ON):
    return flagged("meeting_missed", on=on).get(org, [])


def test_no_members_assembly_in_the_last_quarter_is_flagged_and_one_on_its_last_day_is_enough(build, meet):
    missed, held = staffed(build), staffed(build)
    meet(missed, "党员大会", datetime.date(2023, 9, 30))
    meet(held, "党员大会", datetime.date(2023, 12, 31))
    assert "2023年第4季度未召开党员大会" in meeting_details(missed)
    assert not any("党员大会" in d for d in meeting_details(held))


def test_the_running_period_is_not_judged_until_its_last_day(build, meet):
    org = staffed(build)
    meet(org, "党员大会", datetime.date(2023, 9, 30))
    # On 30 December the fourth quarter is still running: the third is the last one judged, and it was held.
    assert not any("党员大会" in d for d in meeting_details(org, on=ON - DAY))
    assert "2023年11月未召开主题党日" in meeting_details(org, on=ON - DAY)


def test_committee_meetings_are_asked_only_of_branches_with_a_committee(build, meet):
    with_committee = staffed(build, full=7, posts=(P.SECRETARY, P.ORGANIZATION, P.PUBLICITY))
    small = staffed(build, full=3)
    assert "2023年12月未召开支委会" in meeting_details(with_committee)
    assert not any("支委会" in d or "党小组会" in d for d in meeting_details(small))
    meet(with_committee, "支委会", datetime.date(2023, 12, 1), present=3, on_roll=3)
    assert "2023年12月未召开支委会" not in meeting_details(with_committee)


def test_a_branch_founded_during_a_period_is_judged_from_its_first_whole_period(build):
    first_day = staffed(build, founded_on=datetime.date(2023, 12, 1))
    later = staffed(build, founded_on=datetime.date(2023, 12, 2))
    assert "2023年12月未召开主题党日" in meeting_details(first_day)
    assert meeting_details(later) == []


def test_the_offices_frequency_is_what_counts(build, meet):
    org = staffed(build)
    meet(org, "党课", datetime.date(2023, 11, 15))
    assert not any("党课" in d for d in meeting_details(org))
    m.MeetingType.objects.filter(name="党课").update(times=2)
    assert "2023年第4季度召开党课1次，少于规定的2次" in meeting_details(org)
    m.MeetingType.objects.filter(name="主题党日").update(is_required=False)
    assert not any("主题党日" in d for d in meeting_details(org))


def test_general_branches_and_party_committees_are_not_asked_for_branch_meetings(build):
    staffed(build, kind=m.OrgKind.GENERAL_BRANCH, full=5)
    assert flagged("meeting_missed") == {}


# -- 党员 ----------------------------------------------------------------------------------------
def test_a_probationary_member_a_day_past_the_margins_is_flagged_and_on_the_last_day_is_not(build):
    # 发展党员工作细则第三十二条 and the settings' margins (a month to decide, three to approve): see test_rules_probation.
    org = staffed(build)
    late = build.member(org, status=PROBATIONARY, join=datetime.date(2022, 8, 30), name="逾期")  # last day 2023-12-30
    build.member(org, status=PROBATIONARY, join=datetime.date(2022, 8, 31), name="当日")  # last day 2023-12-31
    result = warnings.evaluate(ON, codes=["conversion_overdue"])
    [hit] = result.hits
    assert hit.records == (late.pk,)
    assert hit.detail == "1名：逾期（预备期2023年8月30日期满）（预备期满后支部1个月内讨论、上级党委其后3个月内审批，均已逾期）"


def test_a_member_converted_after_the_date_was_overdue_on_it(build):
    org = staffed(build)
    member = build.member(org, join=datetime.date(2022, 3, 1))
    m.Member.objects.filter(pk=member.pk).update(full_member_date=datetime.date(2024, 2, 1))
    assert org in flagged("conversion_overdue", on=ON)
    assert org not in flagged("conversion_overdue", on=datetime.date(2024, 2, 1))


def test_no_new_member_for_two_years_is_flagged_and_one_who_joined_a_day_later_clears_it(build):
    stale, recruiting = staffed(build), staffed(build)
    build.member(stale, status=PROBATIONARY, join=add_years(ON, -2))
    build.member(recruiting, status=PROBATIONARY, join=add_years(ON, -2) + DAY)
    assert flagged("no_recruitment") == {stale: ["2021年12月31日以来无新入党的党员"]}


def test_a_branch_younger_than_two_years_is_not_judged_on_recruitment(build):
    young = staffed(build, founded_on=add_years(ON, -2) + DAY)
    old = staffed(build, founded_on=add_years(ON, -2))
    assert list(flagged("no_recruitment")) == [old]
    assert young not in flagged("no_recruitment")


# -- 标准化与整顿 -----------------------------------------------------------------------------------
def assess(org, year, result, on):
    return m.Assessment.objects.create(organization=org, year=year, result=result, assessed_on=on)


def test_failing_the_latest_round_is_flagged_and_an_older_failure_is_not(build):
    failed, recovered, not_reassessed = build.org(), build.org(), build.org()
    for org in (failed, recovered, not_reassessed):
        assess(org, 2022, m.AssessmentResult.FAILED, datetime.date(2022, 12, 10))
    assess(failed, 2023, m.AssessmentResult.FAILED, datetime.date(2023, 12, 10))
    assess(recovered, 2023, m.AssessmentResult.PASSED, datetime.date(2023, 12, 10))
    assert flagged("assessment_failed") == {failed: ["2023年党支部建设标准化评定未达标"]}
    # Before the 2023 round was assessed, the 2022 round was the latest.
    assert set(flagged("assessment_failed", on=datetime.date(2023, 12, 9))) == {failed, recovered, not_reassessed}


def test_an_open_case_past_its_deadline_is_flagged_and_one_due_today_is_not(build):
    late, due_today = (build.org(unit_category=m.UnitCategory.PRIVATE_SCHOOL) for _ in range(2))
    m.RectificationCase.objects.create(organization=late, year=2023, problems="x", deadline=ON - DAY)
    m.RectificationCase.objects.create(organization=due_today, year=2023, problems="x", deadline=ON)
    assert flagged("rectification_overdue") == {late: ["2023年软弱涣散整顿，整改时限2023年12月30日已过仍未销号"]}


def test_a_case_closed_after_the_date_was_still_open_on_it(build):
    org = build.org(unit_category=m.UnitCategory.PRIVATE_SCHOOL)
    m.RectificationCase.objects.create(organization=org, year=2023, problems="x", deadline=datetime.date(2023, 9, 30),
                                       status=m.RectificationCase.Status.CLOSED, closed_on=datetime.date(2024, 1, 15))
    assert org in flagged("rectification_overdue", on=ON)
    assert org not in flagged("rectification_overdue", on=datetime.date(2024, 1, 15))


# -- the list as a whole ---------------------------------------------------------------------------------
def test_every_rule_has_its_own_code_and_chinese_title():
    codes = [r.code for r in warnings.RULES]
    # election_unapproved and follow_up_late made it 20, the transfers' two 22, members_outside_branches 23
    assert len(codes) == len(set(codes)) == 23
    assert all(r.title and not r.title.isascii() for r in warnings.RULES)


def test_the_organizations_parameter_limits_every_rule_to_a_subtree(build):
    mine = build.org(kind=m.OrgKind.GENERAL_BRANCH)
    my_branch = build.org(parent=mine)
    other = build.org()
    result = warnings.evaluate(ON, organizations=m.Organization.objects.filter(pk__in=mine.subtree_ids()))
    assert set(result.by_organization) == {mine, my_branch}
    assert other in warnings.evaluate(ON).by_organization


def test_organizations_founded_after_the_date_and_dissolved_ones_are_not_judged(build):
    build.org(founded_on=ON + DAY)
    build.org(is_active=False, dissolved_on=datetime.date(2023, 1, 1))
    assert warnings.evaluate(ON).organizations == []


def _district(build, meet, branches):
    """A small district in which every rule has something to find."""
    for i in range(branches):
        org = staffed(build, full=3 + i % 9, unit_category=m.UnitCategory.PRIVATE_SCHOOL if i % 3 == 0 else m.UnitCategory.PRIMARY)
        build.member(org, status=PROBATIONARY, join=datetime.date(2021, 5, 1))
        elect(org, datetime.date(2020, 6, 1))
        meet(org, "党员大会", datetime.date(2023, 11, 1))
        assess(org, 2023, m.AssessmentResult.FAILED, datetime.date(2023, 12, 5))
        if org.ownership == m.Ownership.PRIVATE:
            m.RectificationCase.objects.create(organization=org, year=2023, problems="x", deadline=datetime.date(2023, 6, 30))


def test_the_whole_list_costs_the_same_number_of_queries_for_two_branches_as_for_twenty(build, meet):
    _district(build, meet, 2)
    with CaptureQueriesContext(connection) as small:
        few = warnings.evaluate(ON)
    _district(build, meet, 18)
    with CaptureQueriesContext(connection) as large:
        many = warnings.evaluate(ON)
    assert len(many.by_organization) > len(few.by_organization)
    # 11 for the organizations (their parents joined) and their rules (the unapproved elections', the late
    # follow-ups' and the two transfer rules' among them), 3 shared by the 发展党员 rules (the recruits, their
    # 培养联系人, the office's time rules)
    assert len(small) == len(large) <= 14

