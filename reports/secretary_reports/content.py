"""A secretary's duty report (述职报告) drafted from their organization's own records for the year, in the seed's
three parts: 履职工作特色和亮点 / 存在的主要问题及原因 / 下一步工作思路和措施.

Every sentence rests on a figure gathered here from the organization's subtree (itself and the branches below it);
a part with nothing to say from the records says so, rather than inventing. `gather` reads the whole round (or one
organization) in a fixed number of queries: one per kind of record, grouped by organization and folded onto the
reporting organization in Python.
"""
import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q

from branches import models as m
from branches import secretary_reviews
from branches.early_warning import evaluate

from ..meetings import Tally, compliance


@dataclass
class Facts:
    organization: m.Organization
    year: int
    on: datetime.date
    secretary: str = ""
    on_roll: int = 0
    probationary: int = 0
    joined: int = 0  # admitted (入党) in the year
    recruited: int = 0  # accepted and approved as probationary members in the year
    activists: int = 0  # became 入党积极分子 in the year
    meetings_held: int = 0
    meetings: Tally = field(default_factory=Tally)  # 三会一课 held against due, the subtree's branches
    elections: int = 0  # held in the year, in the subtree
    election_overdue: bool = False  # its own term
    term_ends_on: datetime.date = None
    assessed: int = 0
    met: int = 0
    exemplary: int = 0
    failed: list = field(default_factory=list)  # names of branches below the standard
    cases: list = field(default_factory=list)  # its rectification cases up to the year
    staffing: str = ""
    warnings_before: list = field(default_factory=list)  # (rule code, title) at the year's start
    warnings_after: list = field(default_factory=list)  # (rule code, title) at the year's end

    @property
    def cleared(self):
        return [title for code, title in dict.fromkeys(self.warnings_before) if (code, title) not in self.warnings_after]

    @property
    def still(self):
        return list(dict.fromkeys(self.warnings_after))


# Warnings the problems part already states in its own sentence, from the records behind them.
SAID_ABOVE = {"meeting_missed", "election_overdue", "assessment_failed", "rectification_overdue"}


def _grouped(queryset, root_of, **aggregates):
    """{reporting organization id: {name: sum}} from per-organization aggregates."""
    out = {}
    for row in queryset.values("organization_id").annotate(**aggregates).order_by():
        root = root_of.get(row["organization_id"])
        if root is not None:
            totals = out.setdefault(root, Counter())
            for name in aggregates:
                totals[name] += row[name] or 0
    return out


def gather(year, organizations, on=None):
    """{organization id: Facts} for the reporting organizations, as of `on` (default: the year's last day)."""
    organizations = list(organizations)
    on = on or datetime.date(year, 12, 31)
    root_of = secretary_reviews.roots(organizations)
    within = list(root_of)
    scope = m.Organization.objects.filter(pk__in=within)
    start = datetime.date(year, 1, 1)
    facts = {o.pk: Facts(o, year, on) for o in organizations}

    members = _grouped(
        m.Member.objects.filter(organization_id__in=within), root_of,
        on_roll=Count("pk", filter=Q(roll_status=m.Member.Roll.ON_ROLL)),
        probationary=Count("pk", filter=Q(roll_status=m.Member.Roll.ON_ROLL, status=m.Member.Status.PROBATIONARY)),
        joined=Count("pk", filter=Q(join_date__year=year)),
    )
    recruits = _grouped(
        m.Recruit.objects.reviewed().filter(organization_id__in=within), root_of,
        recruited=Count("pk", filter=Q(accepted_on__year=year, approved_on__isnull=False)),
        activists=Count("pk", filter=Q(activist_on__year=year)),
    )
    meetings = _grouped(m.Meeting.objects.reviewed().filter(organization_id__in=within, held_on__year=year), root_of,
                        meetings_held=Count("pk"))
    elections = _grouped(m.Election.objects.reviewed().filter(organization_id__in=within, held_on__year=year), root_of,
                         elections=Count("pk"))
    assessments = _grouped(
        m.Assessment.objects.reviewed().filter(organization_id__in=within, year=year), root_of,
        assessed=Count("pk"), met=Count("pk", filter=Q(result__in=m.STANDARD_MET)),
        exemplary=Count("pk", filter=Q(result=m.AssessmentResult.EXEMPLARY)),
    )
    for grouped in (members, recruits, meetings, elections, assessments):
        for pk, totals in grouped.items():
            for name, value in totals.items():
                setattr(facts[pk], name, value)

    for pk, name in (m.Assessment.objects.reviewed().filter(organization_id__in=within, year=year,
                                                            result=m.AssessmentResult.FAILED)
                     .values_list("organization_id", "organization__name")):
        facts[root_of[pk]].failed.append(name)
    for case in m.RectificationCase.objects.filter(organization_id__in=within, year__lte=year).order_by("year"):
        facts[root_of[case.organization_id]].cases.append(case)
    for row in compliance(year, organizations=scope, on=on).rows:
        facts[root_of[row.organization.pk]].meetings.add(row.total)
    for org in m.Organization.objects.filter(pk__in=facts).with_staffing(on).with_last_election(on):
        f = facts[org.pk]
        f.staffing = m.Staffing(m.staffing_of(org)).label
        f.term_ends_on = org.term_ends_on
        f.election_overdue = org.term_ends_on is not None and org.term_ends_on < on
    for org_id, names in m.Tenure.objects.filter(organization_id__in=facts).secretary_names(on).items():
        facts[org_id].secretary = names[0]
    for when, attribute in ((start, "warnings_before"), (on, "warnings_after")):
        for hit in evaluate(when, scope).hits:
            root = root_of.get(hit.organization.pk)
            if root is not None:
                getattr(facts[root], attribute).append((hit.rule.code, hit.rule.title))
    return facts


def _day(d):
    return f"{d.year}年{d.month}月{d.day}日"


def _percent(tally):
    return f"{tally.rate * 100:.1f}%"


def highlights(f):
    said = []
    team = f"本组织现有在册党员{f.on_roll}名"
    if f.probationary:
        team += f"，其中预备党员{f.probationary}名"
    if f.joined:
        team += f"，{f.year}年新入党{f.joined}名"
    said.append(team + f"，班子配备情况为“{f.staffing}”。")
    recruiting = [f"接收预备党员{f.recruited}名" if f.recruited else "",
                  f"新确定入党积极分子{f.activists}名" if f.activists else ""]
    if any(recruiting):
        said.append(f"坚持发展党员工作，全年{'，'.join(r for r in recruiting if r)}。")
    if f.meetings.expected:
        said.append(f"落实“三会一课”制度，全年召开并登记组织生活会议{f.meetings_held}次，应开{f.meetings.expected}次、"
                    f"按期召开{f.meetings.met}次，落实率{_percent(f.meetings)}。")
    elif f.meetings_held:
        said.append(f"全年召开并登记组织生活会议{f.meetings_held}次。")
    if f.elections:
        said.append(f"按期做好换届工作，全年完成换届选举{f.elections}次。")
    if f.assessed:
        line = f"推进党支部建设标准化，{f.assessed}个党支部参加年度评定，{f.met}个达标"
        said.append(line + (f"，其中{f.exemplary}个评为示范。" if f.exemplary else "。"))
    closed = [c for c in f.cases if c.status == m.RectificationCase.Status.CLOSED and c.closed_on and c.closed_on.year == f.year]
    for case in closed:
        said.append(f"{case.year}年软弱涣散整顿于{_day(case.closed_on)}销号" + ("，树为典型。" if case.is_exemplary else "。"))
    if f.cleared:
        said.append(f"年初列入预警的“{'”“'.join(f.cleared)}”，至年底已消除。")
    return said


def problems(f):
    """What the records show wrong; the causes are the secretary's to write (the draft states none it cannot show)."""
    said = []
    if f.meetings.missed:
        said.append(f"组织生活落实不够到位，全年应开“三会一课”{f.meetings.expected}次，有{f.meetings.missed}次未按期召开，"
                    f"落实率{_percent(f.meetings)}。")
    if f.election_overdue:
        said.append(f"本组织任期已于{_day(f.term_ends_on)}届满，未按期换届。")
    if f.failed:
        said.append(f"{'、'.join(f.failed)}年度标准化评定未达标，规范化建设存在短板。")
    still = [c for c in f.cases if c.past_deadline_on(f.on)]
    for case in still:
        said.append(f"{case.year}年软弱涣散整顿整改时限{_day(case.deadline)}已过仍未销号，整改措施落实不力。")
    if not f.recruited and not f.activists:
        said.append(f"{f.year}年未接收预备党员，也未新确定入党积极分子，党员队伍补充乏力。")
    if f.staffing != m.Staffing.COMPLETE.label:
        said.append(f"班子配备情况为“{f.staffing}”，班子建设有待加强。")
    others = [title for code, title in f.still if code not in SAID_ABOVE]
    if others:
        said.append(f"年底仍有预警事项：{'、'.join(others)}。")
    if not said:
        said.append("记录中未见组织生活、换届、标准化、整顿和班子配备方面的问题，仍须对照更高标准查找不足。")
    return said


def measures(f):
    said = []
    if f.meetings.missed:
        said.append("严格落实“三会一课”制度，按月、按季制定组织生活计划，会后及时登记，确保按期召开。")
    if f.election_overdue:
        said.append("向工委报告换届事宜，按照程序尽快完成换届选举。")
    if f.failed:
        said.append("对照党支部建设标准逐项整改，争取下一年度评定达标。")
    if any(c.past_deadline_on(f.on) for c in f.cases):
        said.append("对照整顿问题清单逐项整改，按时提请验收销号。")
    if not f.recruited and not f.activists:
        said.append("把优秀青年教师和骨干教师培养成党员，做好入党积极分子的确定和培养。")
    if f.staffing != m.Staffing.COMPLETE.label:
        said.append("配齐配强班子，选优书记和委员。")
    said.append("持续抓好党建与业务深度融合，落实书记抓基层党建第一责任人职责。")
    return said


def draft(f):
    """{part field: text} of the report, one paragraph a line."""
    return {"highlights": "\n".join(highlights(f)), "problems": "\n".join(problems(f)),
            "measures": "\n".join(measures(f))}
