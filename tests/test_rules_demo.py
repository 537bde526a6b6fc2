"""The rules issue's "Done when", on the demo district (built once for the module, conftest's `_shared_demo`): no
probationary post holder, no member on the roll directly in a 党委, 党总支 or the 工委, no conversion off the probation's
end without an extension, every 2023 election's secretary an on-roll member whose tenure began that day; and the
warnings, the dashboard and the report on the demo follow the rules, their figures still the seed report's."""
import datetime

from django.db.models import Count

from branches import early_warning
from branches import models as m
from reports.annual.content import build as build_report
from reports.figures import district

END = datetime.date(2023, 12, 31)
PROBATIONARY, FULL = m.Member.Status.PROBATIONARY, m.Member.Status.FULL
UPPER = (m.OrgKind.PARTY_COMMITTEE, m.OrgKind.GENERAL_BRANCH)


def test_no_probationary_member_holds_a_post(demo):
    # 中国共产党章程 第七条: 预备党员…没有表决权、选举权和被选举权. Today, at the report's year end, and on no day
    # before a holder's conversion.
    assert not m.Tenure.objects.valid_on().filter(member__status=PROBATIONARY).exists()
    assert not m.Tenure.objects.valid_on(END).filter(member__status=PROBATIONARY).exists()
    tenures = m.Tenure.objects.select_related("member")
    assert all(t.member.full_member_date and t.started_on >= t.member.full_member_date for t in tenures)


def test_no_member_on_the_roll_sits_directly_in_a_party_committee_a_general_branch_or_the_committee(demo):
    # 中国共产党章程 第八条: every member is placed in a branch; today and on the report's last day.
    assert not m.Member.objects.on_roll().exclude(organization__kind__in=m.BRANCH_KINDS).exists()
    kinds = dict(m.Organization.objects.values_list("pk", "kind"))
    assert {kinds[o] for o in m.Member.objects.as_of(END).values_list("organization_on", flat=True)} <= set(m.BRANCH_KINDS)
    # Every member on the roll passes the rule as the admin and the import apply it.
    for member in m.Member.objects.on_roll().select_related("organization"):
        assert m.branch_membership_refusal(member.organization) is None, member
    # Off the roll, a record keeps its last organization, a branch in the demo too.
    assert not m.Member.objects.exclude(organization__kind__in=m.BRANCH_KINDS).exists()


def test_the_committees_of_party_committees_and_general_branches_are_members_of_their_branches(demo):
    # 中国共产党章程 第八条 and 基层组织选举工作条例: the school's 党员大会 elects its committee from its branches' members.
    upper = m.Organization.objects.filter(kind__in=UPPER).with_staffing(END)
    assert upper.count() == 20
    held = m.Tenure.objects.counted(END).filter(organization__kind__in=UPPER).select_related("member__organization")
    assert held.count() >= 90
    for tenure in held:
        assert tenure.member.organization.kind in m.BRANCH_KINDS
        assert tenure.member.organization.parent_id == tenure.organization_id
    for org in upper:
        assert org.roll_count == 0 and m.has_secretary(org), org
        assert m.staffing_of(org) in (m.Staffing.COMPLETE, m.Staffing.INCOMPLETE)
    # The 党员大会 that elected them: the full members of the school's branches were entitled to vote.
    election = m.Election.objects.filter(organization__kind=m.OrgKind.PARTY_COMMITTEE).order_by("-held_on").first()
    assert election.electorate >= 100


def test_every_conversion_falls_on_the_probations_end_or_its_extensions(demo):
    # 发展党员工作细则 第三十二条: a year from the 支部大会 that accepted them, or once extended by six months to a year;
    # converted, the 转正 dates from the end (the 2024 arrival whose letter gave no date excepted).
    converted = m.Member.objects.filter(status=FULL, full_member_date__isnull=False).select_related("probation_extension")
    off = [x for x in converted if x.full_member_date != m.probation_end(x.join_date, x.extension_months)]
    assert off == []
    extended = [x for x in converted if x.extension_months]
    assert extended and all(6 <= x.extension_months <= 12 for x in extended)
    assert all(x.full_member_date != m.probation_end(x.join_date) for x in extended)


def test_every_2023_election_elected_an_on_roll_secretary_whose_tenure_began_that_day(demo):
    # 基层组织选举工作条例: the committee and its secretary are elected; 党章第七条: from the full members on the roll.
    held = list(m.Election.objects.new_terms().filter(held_on__year=2023).prefetch_related("tenures__member"))
    assert len({e.organization_id for e in held}) == 26
    for election in held:
        [tenure] = [t for t in election.tenures.all() if t.post == m.Member.Post.SECRETARY]
        secretary = tenure.member
        assert tenure.started_on == election.held_on, election
        assert (secretary.roll_status, secretary.status) == (m.Member.Roll.ON_ROLL, FULL)
        assert secretary.full_member_date <= election.held_on
        assert secretary.organization.kind in m.BRANCH_KINDS


# -- the warnings, the dashboard and the report -----------------------------------------------------------
def test_the_warning_list_finds_no_member_outside_a_branch_and_only_the_bureau_over_fifty(demo):
    result = early_warning.evaluate(END)
    counts = {r.code: n for r, n, _, _ in result.counts()}
    assert counts["members_outside_branches"] == 0
    # 支部工作条例 第四条: 党支部党员人数一般不超过50人. The members of the schools' committees joined their branches
    # and none of them passed it: the bureau's own branch is the one the warning names, as before.
    [large] = result.only("too_large").hits
    assert large.organization.name == "教育局机关党支部"
    sizes = (m.Member.objects.as_of(END).values("organization_on").annotate(n=Count("pk")).order_by("-n")
             .values_list("n", flat=True))
    assert sizes[0] > m.BRANCH_MAX_MEMBERS >= sizes[1]


def test_the_dashboard_and_the_report_give_the_seed_figures_with_the_members_in_branches(demo, admin_client):
    response = admin_client.get("/dashboard/", {"year": 2023})
    n = response.context["n"]
    assert (n["basic"].value, n["members"].value, n["met"].value, n["held"].value) == (68, 3800, 84, 26)
    f = district(2023)
    # The 3,800 are the branches' members; 党龄 only for the full ones (党章第七条).
    branches = m.Organization.objects.branches().with_staffing(END)
    assert sum(o.roll_count for o in branches) == f.members.total == 3800
    assert sum(b.count for b in f.members.party_years_bands) == f.members.full
    text = "\n".join(p.full for p in build_report(2023).document.paragraphs)
    assert "全系统共有68个直属党组织（含所属党支部共129个）、3800名党员" in text
    assert "指导26个基层党组织开展换届选举" in text and "84个基层党支部完成标准化建设" in text
