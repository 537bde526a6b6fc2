"""reports.figures: the district's figures, as the seed report states them and at the edges of the rules."""
import datetime


from branches import demo as demo_module
from branches import models as m
from branches.dates import add_years, today
from branches.models import WorkKind
from reports.figures import as_of, district

K = m.OrgKind
P = m.Member.Status.PROBATIONARY
YEAR = 2025  # a past year for the hand-built cases: its state is read on 31 December
END = datetime.date(YEAR, 12, 31)


def test_a_past_year_is_read_on_31_december_and_the_current_year_today():
    assert as_of(2023) == datetime.date(2023, 12, 31)
    assert as_of(today().year) == today()


# -- the demo district holds the seed report's 2023 figures ----------------------------------------
def test_the_demo_districts_2023_figures_are_the_seed_reports(demo):
    f = district(2023)
    assert f.as_of == datetime.date(2023, 12, 31)
    assert f.organizations.basic_level == 68  # 全系统共有68个党组织
    assert f.members.total == 3800  # 3800名党员
    assert f.organizations.approved_count == 3  # 批准成立3个党组织
    assert f.elections.held == 26  # 指导26个基层党组织开展换届选举
    assert f.standardization.met == 84  # 84个基层党支部完成标准化建设
    assert (f.backbone.provincial, f.backbone.city_and_district) == (68, 185)  # 省级骨干68人，市区级骨干185人
    assert f.rectification.exemplary == 2  # 2个民办教育机构被作为典型
    meetings = f.work[2023][WorkKind.COMMITTEE_MEETING]
    assert (meetings.count, meetings.topics) == (11, 34)  # 党工委会议11次，研究党建议题34项


def test_the_demo_districts_figures_add_up(demo):
    f = district(2023)
    o, mf, sf = f.organizations, f.members, f.standardization
    assert sum(o.basic_by_kind.values()) == sum(o.basic_by_ownership.values()) == sum(o.basic_by_category.values()) == 68
    assert mf.full + mf.probationary == mf.total == sum(t.total for t in mf.by_ownership.values())
    assert sum(b.count for b in mf.age_bands) + mf.age_unknown == mf.total
    assert sum(b.count for b in mf.party_years_bands) == mf.full  # probationary members have no 党龄
    assert sf.met + sf.failed + sf.not_assessed_count == sf.branches == o.branches
    assert sum(t.met for t in sf.by_category.values()) == sum(t.met for t in sf.by_ownership.values()) == 84
    assert f.sides["public"].members + f.sides["private"].members == 3800
    assert sf.target == m.AnnualPlan.objects.get(year=2023).standardization_target
    assert f.leadership.secretaries == sum(b.count for b in f.leadership.secretary_age_bands)


def test_the_demo_districts_problems_are_listed(demo):
    f = district(2023)
    assert f.leadership.no_secretary and f.leadership.incomplete and f.leadership.ageing
    assert all(org.secretary_age >= 55 for org in f.leadership.ageing)
    assert f.elections.due and f.elections.overdue and f.elections.never
    assert all(org.days_overdue > 0 for org in f.elections.overdue)
    assert len(f.members.conversion_overdue) == m.Member.objects.conversion_overdue(f.as_of).count() > 0
    assert f.standardization.short and all(a.short_items for a in f.standardization.short)
    assert f.sides["private"].failed > 0 and f.sides["private"].open_rectification > 0
    assert f.members.party_workers == m.Member.objects.party_workers().count()  # 党建工作力量
    assert f.members.members_per_worker == 3800 / f.members.party_workers


def test_the_previous_years_figures_come_with_the_year(demo):
    f = district(2023)
    assert f.elections.held_previous == demo_module.ELECTIONS_PER_YEAR[2022]
    provincial, city, district_level = demo_module.BACKBONE_PER_YEAR[2022]
    assert (f.backbone.provincial_previous, f.backbone.city_and_district_previous) == (provincial, city + district_level)
    assert f.standardization.met_previous == m.Assessment.objects.filter(year=2022).met().count()
    assert f.rectification.exemplary_previous == 0
    assert f.organizations.approved_previous == m.Organization.objects.filter(approved_on__year=2022).count()


# -- the edges of the rules, on hand-built records --------------------------------------------------
def test_a_term_that_ends_on_the_as_of_day_is_due_and_one_that_ended_the_day_before_is_overdue(build):
    ends_on_day, ended_before = build.org(), build.org()
    m.Election.objects.create(organization=ends_on_day, held_on=add_years(END, -3))
    m.Election.objects.create(organization=ended_before, held_on=add_years(END, -3) - datetime.timedelta(days=1))
    f = district(YEAR)
    assert f.elections.due == [ends_on_day]
    assert f.elections.overdue == [ended_before]
    overdue = f.elections.overdue[0]
    assert (overdue.days_overdue, overdue.months_overdue) == (1, 0)
    assert overdue.last_election_on == add_years(END, -3) - datetime.timedelta(days=1)


def test_an_election_held_after_the_as_of_day_does_not_change_that_days_state(build):
    org, never = build.org(), build.org()
    m.Election.objects.create(organization=org, held_on=datetime.date(YEAR - 3, 6, 1))  # term ended mid-YEAR
    m.Election.objects.create(organization=org, held_on=datetime.date(YEAR + 1, 3, 1))
    f = district(YEAR)
    assert f.elections.overdue == [org] and f.elections.overdue[0].months_overdue == 6
    assert f.elections.never == [never]
    assert f.elections.held == 0
    assert district(YEAR + 1).elections.held == 1


def test_a_conversion_due_the_day_after_as_of_is_not_overdue(build):
    org = build.org()
    # The last day on time is four months (the branch's one, the committee's three) after probation ends.
    late = build.member(org, status=P, join=datetime.date(YEAR - 1, 8, 30))  # last day the day before as_of
    build.member(org, status=P, join=datetime.date(YEAR - 1, 8, 31))  # last day on the as_of day
    build.member(org, status=P, join=datetime.date(YEAR - 1, 9, 1))  # last day after it
    assert district(YEAR).members.conversion_overdue == [late]


def test_a_member_who_joined_after_as_of_is_not_counted(build):
    org = build.org()
    build.member(org, join=datetime.date(YEAR, 12, 31))
    build.member(org, status=P, join=datetime.date(YEAR + 1, 1, 1))
    build.member(org, join=datetime.date(2001, 1, 1), roll_status=m.Member.Roll.TRANSFERRED)
    f = district(YEAR)
    assert (f.members.total, f.members.new, f.members.probationary) == (1, 1, 0)
    later = district(YEAR + 1)
    assert (later.members.total, later.members.new, later.members.new_previous) == (2, 1, 1)


def test_an_organization_approved_after_as_of_is_not_yet_counted(build):
    build.org(approved_on=datetime.date(YEAR - 1, 5, 1))
    build.org(approved_on=datetime.date(YEAR, 12, 31))
    build.org(approved_on=datetime.date(YEAR + 1, 1, 2))
    build.org(kind=K.BRANCH, approved_on=None)
    f = district(YEAR)
    assert (f.organizations.basic_level, f.organizations.branches) == (3, 3)
    assert (f.organizations.approved_count, f.organizations.approved_previous) == (1, 1)


def test_ages_and_party_years_are_counted_on_the_as_of_day(build):
    org = build.org()
    # 党龄 counts from the conversion, a year after joining (党章第七条).
    build.member(org, born=datetime.date(YEAR - 30, 12, 31), join=datetime.date(YEAR - 6, 12, 31))  # 30; 5 years
    build.member(org, born=datetime.date(YEAR - 31, 12, 31), join=datetime.date(YEAR - 6, 12, 30))  # 31; 5 years
    build.member(org, born=datetime.date(YEAR - 30, 12, 30), join=datetime.date(YEAR - 5, 1, 1))  # 30; 4 years
    f = district(YEAR)
    ages = {b.label: b.count for b in f.members.age_bands}
    years = {b.label: b.count for b in f.members.party_years_bands}
    assert (ages["30岁及以下"], ages["31—35岁"]) == (2, 1)
    assert (years["不满5年"], years["5—9年"]) == (1, 2)


def test_teams_and_secretaries_are_judged_by_the_staffing_and_ageing_rules(build):
    vacant, thin, old, young = build.org(), build.org(), build.org(), build.org()
    for _ in range(7):
        build.member(thin)
    build.member(thin, post=m.Member.Post.SECRETARY)
    build.member(old, born=datetime.date(YEAR - 55, 12, 31), post=m.Member.Post.SECRETARY)  # 55 on 31 December
    build.member(young, born=datetime.date(YEAR - 55, 12, 31) + datetime.timedelta(days=1), post=m.Member.Post.SECRETARY)
    lead = district(YEAR).leadership
    assert lead.no_secretary == [vacant]
    assert lead.incomplete == [thin]  # 8 full members need a committee of three
    assert lead.ageing == [old] and lead.ageing[0].secretary_age == 55
    assert lead.secretaries == 3


def test_standardization_counts_the_years_assessments_and_names_the_criteria_short(build):
    passed, failed, unassessed = build.org(), build.org(), build.org()
    build.org(kind=K.GENERAL_BRANCH)  # not a branch: never assessed, never counted
    item = m.StandardItem.objects.get(code="2.1")
    m.Assessment.objects.create(organization=passed, year=YEAR, result="exemplary", assessed_on=END)
    m.Assessment.objects.create(organization=passed, year=YEAR - 1, result="passed", assessed_on=END)
    a = m.Assessment.objects.create(organization=failed, year=YEAR, result="failed", assessed_on=END)
    m.AssessmentItem.objects.create(assessment=a, item=item, score=item.points - 1)
    m.AssessmentItem.objects.create(assessment=a, item=m.StandardItem.objects.get(code="2.2"), score=5)  # full marks
    m.AnnualPlan.objects.create(year=YEAR, standardization_target=2)
    sf = district(YEAR).standardization
    assert (sf.branches, sf.met, sf.exemplary, sf.failed, sf.met_previous, sf.target) == (3, 1, 1, 1, 1, 2)
    assert sf.not_assessed == [unassessed]
    assert sf.short == [a] and [e.item for e in sf.short[0].short_items] == [item]
    assert sf.short_by_item == [(item, 1)]
    assert sf.by_category["primary"].met_rate == 1 / 3


def test_rectification_reads_deadlines_on_the_as_of_day(build):
    school, nursery = build.org(unit_category="private_school"), build.org(unit_category="private_kindergarten")
    late = m.RectificationCase.objects.create(organization=school, year=YEAR, problems="-", deadline=datetime.date(YEAR, 12, 30))
    on_time = m.RectificationCase.objects.create(organization=nursery, year=YEAR, problems="-", deadline=END)
    closed = m.RectificationCase.objects.create(
        organization=school, year=YEAR - 1, problems="-", deadline=datetime.date(YEAR - 1, 6, 30),
        status="closed", closed_on=datetime.date(YEAR, 1, 10), is_exemplary=True,
    )
    rf = district(YEAR).rectification
    assert rf.past_deadline == [late]
    assert rf.open == [late, on_time] and rf.by_status["in_progress"] == 2
    assert rf.closed_in_year == [closed]
    assert (rf.exemplary, rf.exemplary_previous, rf.cases_previous) == (0, 1, 1)
    assert district(YEAR).sides["private"].open_rectification == 2


def test_figures_can_be_limited_to_part_of_the_tree(build):
    mine = build.org("甲党委", kind=K.PARTY_COMMITTEE)
    mine_branch = build.org("甲党委第一党支部", parent=mine)
    other = build.org("乙党支部", unit_category="private_school")
    build.member(mine_branch, post=m.Member.Post.SECRETARY)
    build.member(other, post=m.Member.Post.SECRETARY)
    build.member(other, status=P, join=datetime.date(YEAR - 2, 1, 1))
    m.Election.objects.create(organization=other, held_on=datetime.date(YEAR, 3, 1))
    m.Assessment.objects.create(organization=other, year=YEAR, result="passed", assessed_on=END)
    m.RectificationCase.objects.create(organization=other, year=YEAR, problems="-", deadline=END)

    scoped = district(YEAR, organizations=m.Organization.objects.filter(pk__in=mine.subtree_ids()))
    assert (scoped.organizations.basic_level, scoped.organizations.branches, scoped.members.total) == (1, 1, 1)
    assert scoped.members.conversion_overdue == [] and scoped.elections.held == 0
    assert scoped.standardization.met == 0 and scoped.standardization.not_assessed == [mine_branch]
    assert scoped.rectification.cases == [] and scoped.sides["private"].organizations == 0
    assert scoped.leadership.no_secretary == [mine]

    whole = district(YEAR)
    assert (whole.organizations.basic_level, whole.members.total, whole.elections.held) == (2, 3, 1)


def test_a_team_is_judged_on_the_members_who_had_joined_by_the_as_of_day(build, admin_client):
    org = build.org()
    build.member(org, post=m.Member.Post.SECRETARY)
    for _ in range(5):
        build.member(org)
    build.member(org, join=datetime.date(YEAR + 1, 1, 10))  # the seventh full member: a committee of three needed
    assert district(YEAR).leadership.incomplete == []
    assert district(YEAR + 1).leadership.incomplete == [org]
    url = "/admin/branches/organization/"
    assert admin_client.get(url, {"staffing": "incomplete", "asof": END.isoformat()}).context["cl"].result_count == 0
    assert admin_client.get(url, {"staffing": "incomplete"}).context["cl"].result_count == 1
