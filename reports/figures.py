"""Every district figure, computed from the records: the one place the dashboard and the annual report read them.

district(year) reads the year's state as it stood on as_of(year). The rules are the ones in branches.models;
this module only counts with them. Each family of figures is one grouped query (about twenty in all), so the
number of queries does not grow with the data; the lists it returns are of organizations, assessments and cases
(some hundreds at most), and of members only where each one is a problem to act on (conversion overdue).

The roll is read as it stood on as_of(year) (MemberQuerySet.as_of: joins, transfers, departures dated up to it), so
a report for a past year made today says what it said then. Two limits of the records themselves: a member's
status and post and a case's status are kept as they are now, so a past year's figures read those as recorded today.
"""
import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, F, Prefetch, Q
from django.db.models.functions import ExtractYear

from branches import models as m
from branches.dates import age_on, months_between
from branches.working_year import as_of
from reports.worklog import work_years

K = m.OrgKind
BASIC_KINDS = (K.PARTY_COMMITTEE, K.GENERAL_BRANCH, K.BRANCH, K.JOINT_BRANCH)


# ---------------------------------------------------------------------------------------------
# The shapes of the figures: plain attributes, so that templates and the report read them directly.
# ---------------------------------------------------------------------------------------------
@dataclass
class Band:
    label: str
    low: int | None
    high: int | None
    count: int = 0


@dataclass
class MemberTally:
    total: int = 0
    full: int = 0
    probationary: int = 0
    new: int = 0


class MetRate:
    """达标率: the branches that met the standard (达标 and 示范) over all branches; None where there are none."""

    @property
    def met_rate(self):
        return self.met / self.branches if self.branches else None


@dataclass
class StandardTally(MetRate):
    branches: int = 0
    met: int = 0
    exemplary: int = 0
    failed: int = 0
    not_assessed: int = 0

    @property
    def passed(self):
        return self.met - self.exemplary

    @property
    def not_assessed_count(self):  # as StandardizationFigures has it
        return self.not_assessed


@dataclass
class OrganizationFigures:
    basic_level: int = 0
    basic_by_kind: dict = field(default_factory=dict)  # OrgKind -> count, directly under the committee
    basic_by_ownership: dict = field(default_factory=dict)
    basic_by_category: dict = field(default_factory=dict)
    branches: int = 0  # 党支部 and 联合党支部 at any level
    branches_by_kind: dict = field(default_factory=dict)
    branches_by_ownership: dict = field(default_factory=dict)
    branches_by_category: dict = field(default_factory=dict)
    approved: list = field(default_factory=list)  # approved (批准成立) in the year
    approved_previous: int = 0

    @property
    def approved_count(self):
        return len(self.approved)


@dataclass
class MemberFigures:
    total: int = 0
    full: int = 0
    probationary: int = 0
    new: int = 0
    new_previous: int = 0
    by_ownership: dict = field(default_factory=dict)  # Ownership -> MemberTally
    by_category: dict = field(default_factory=dict)  # UnitCategory -> MemberTally
    conversion_overdue: list = field(default_factory=list)  # Member, with .conversion_due_on
    age_bands: list = field(default_factory=list)  # Band
    party_years_bands: list = field(default_factory=list)  # Band
    age_unknown: int = 0
    party_workers: int = 0

    @property
    def conversion_overdue_count(self):
        return len(self.conversion_overdue)

    @property
    def members_per_worker(self):
        return self.total / self.party_workers if self.party_workers else None


@dataclass
class BackboneFigures:
    provincial: int = 0
    city: int = 0
    district: int = 0
    provincial_previous: int = 0
    city_and_district_previous: int = 0

    @property
    def city_and_district(self):
        return self.city + self.district


@dataclass
class ElectionFigures:
    held: int = 0  # organizations that held an election in the year
    held_previous: int = 0
    due: list = field(default_factory=list)  # Organization, term ends within six months of as_of
    overdue: list = field(default_factory=list)  # Organization, with .days_overdue and .months_overdue
    never: list = field(default_factory=list)  # Organization never elected by as_of


@dataclass
class StandardizationFigures(MetRate):
    target: int = 0
    branches: int = 0
    met: int = 0  # 达标 and 示范
    exemplary: int = 0
    failed: int = 0
    met_previous: int = 0
    not_assessed: list = field(default_factory=list)  # branches without an assessment for the year
    by_category: dict = field(default_factory=dict)  # UnitCategory -> StandardTally
    by_ownership: dict = field(default_factory=dict)  # Ownership -> StandardTally
    short: list = field(default_factory=list)  # failed Assessments, each with .short_items (AssessmentItem)
    short_by_item: list = field(default_factory=list)  # (StandardItem, number of failed branches short on it)

    @property
    def passed(self):
        return self.met - self.exemplary

    @property
    def not_assessed_count(self):
        return len(self.not_assessed)


@dataclass
class RectificationFigures:
    cases: list = field(default_factory=list)  # the year's cases
    by_status: dict = field(default_factory=dict)  # RectificationCase.Status -> count of the year's cases
    open: list = field(default_factory=list)  # the year's cases not yet closed
    past_deadline: list = field(default_factory=list)  # open cases (any year) past their deadline on as_of
    closed_in_year: list = field(default_factory=list)  # cases (any year) closed in the year
    exemplary: int = 0
    exemplary_previous: int = 0
    cases_previous: int = 0


@dataclass
class LeadershipFigures:
    no_secretary: list = field(default_factory=list)  # Organization
    incomplete: list = field(default_factory=list)  # Organization
    ageing: list = field(default_factory=list)  # Organization, with .secretary_age
    secretaries: int = 0
    secretary_age_bands: list = field(default_factory=list)  # Band, the last one the ageing secretaries


@dataclass
class Side(MetRate):
    """One side of the public/private comparison."""

    ownership: str
    organizations: int = 0
    branches: int = 0
    members: int = 0
    met: int = 0
    failed: int = 0
    not_assessed: int = 0
    open_rectification: int = 0
    no_secretary: int = 0
    incomplete: int = 0
    overdue_elections: int = 0

    @property
    def label(self):
        return m.Ownership(self.ownership).label


@dataclass
class PlanRow:
    """One organization's 发展党员计划 for the year against those it admitted."""

    organization: object
    quota: int = 0
    admitted: int = 0


@dataclass
class RecruitmentFigures:
    """发展党员 in the year: who reached each step in it, who is at each stage on as_of, and the plan.

    New members are those a 党员大会 accepted in the year whom the upper committee approved (the roll's new members of
    the year, whose join date is that meeting's); 双培双强 counts them as backbone teachers, and as teachers under 35
    on as_of (by the birth date of their ID number)."""

    applied: int = 0
    activists: int = 0
    candidates: int = 0
    admitted: int = 0
    admitted_backbone: int = 0
    admitted_young: int = 0
    admitted_two_strong: int = 0  # backbone or young, each person once
    at_stage: dict = field(default_factory=dict)  # RecruitStage -> people at it on as_of
    planned: int = 0
    plans: list = field(default_factory=list)  # PlanRow: each plan, and each basic-level organization admitting without one

    @property
    def plan_rate(self):
        return self.admitted / self.planned if self.planned else None


def _plan_owner(org, organizations, planned):
    """Whose plan an admission counts against: the nearest organization at or above `org` with a plan (a school's
    plan covers its branches), else the one directly below the committee, with no quota."""
    chain = [org]
    while chain[-1].parent_id is not None:
        chain.append(organizations[chain[-1].parent_id])
    return next((node for node in chain if node.pk in planned), chain[-2] if len(chain) > 1 else org)


def recruitment(year, on, within=lambda qs: qs):
    """The year's 发展党员 figures in three queries: the counts, the admissions by organization, the plans."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    recruits = within(m.Recruit.objects.reviewed())
    in_year = {step: Q(**{f"{step}__gte": start, f"{step}__lte": min(end, on)}) for step in m.Step}
    # Approved after the year's end still counts for the year: the member's join date is the 党员大会's, as the roll has it.
    admitted = in_year[m.Step.ACCEPTED] & Q(approved_on__isnull=False)
    backbone, young = m.BACKBONE_Q, m.young_teacher_q(on)
    stages = {stage: m.stage_q(stage, on) for stage in m.RecruitStage}
    totals = recruits.aggregate(
        applied=Count("pk", filter=in_year[m.Step.APPLIED]),
        activists=Count("pk", filter=in_year[m.Step.ACTIVIST]),
        candidates=Count("pk", filter=in_year[m.Step.CANDIDATE]),
        admitted=Count("pk", filter=admitted),
        admitted_backbone=Count("pk", filter=admitted & backbone),
        admitted_young=Count("pk", filter=admitted & young),
        admitted_two_strong=Count("pk", filter=admitted & (backbone | young)),
        **{f"stage_{stage}": Count("pk", filter=q) for stage, q in stages.items()},
    )
    rf = RecruitmentFigures(at_stage={stage: totals.pop(f"stage_{stage}") for stage in stages}, **totals)
    by_org = recruits.filter(admitted).values("organization").annotate(n=Count("pk")).values_list("organization", "n").order_by()
    organizations = {org.pk: org for org in m.Organization.objects.all()}
    rows = {p.organization_id: PlanRow(organizations[p.organization_id], p.quota)
            for p in within(m.RecruitmentPlan.objects.filter(year=year))}
    for org_pk, n in by_org:
        owner = _plan_owner(organizations[org_pk], organizations, rows)
        rows.setdefault(owner.pk, PlanRow(owner)).admitted += n
    rf.plans = sorted(rows.values(), key=lambda r: (r.organization.sort_order, r.organization.pk))
    rf.planned = sum(r.quota for r in rf.plans)
    return rf


@dataclass
class DistrictFigures:
    year: int
    as_of: datetime.date
    organizations: OrganizationFigures
    members: MemberFigures
    backbone: BackboneFigures
    elections: ElectionFigures
    standardization: StandardizationFigures
    rectification: RectificationFigures
    leadership: LeadershipFigures
    sides: dict  # Ownership -> Side, public first
    work: dict  # reports.worklog.work_years(year, year - 1)
    recruitment: RecruitmentFigures
    # Each organization's state on as_of (branches.models.STATE_FIELDS), for the warnings of the same render.
    states: m.OrganizationStates


# ---------------------------------------------------------------------------------------------
# The computation
# ---------------------------------------------------------------------------------------------
def _zeros(choices, factory=int):
    return {value: factory() for value in choices}


def _count_organizations(qs, kinds):
    """(total, by kind, by ownership, by unit category) in one grouped query."""
    by_kind, by_ownership, by_category = _zeros(kinds), _zeros(m.Ownership.values), _zeros(m.UnitCategory.values)
    total = 0
    for row in qs.values("kind", "ownership", "unit_category").annotate(n=Count("pk")).order_by():
        total += row["n"]
        for counts, key in ((by_kind, "kind"), (by_ownership, "ownership"), (by_category, "unit_category")):
            counts[row[key]] = counts.get(row[key], 0) + row["n"]
    return total, by_kind, by_ownership, by_category


def _band_counts(bands, field_name, on, prefix, where=Q()):
    """Counts of "at least so many years" at each band's edges: one comparison a row each, where counting
    each band would take two; _bands() takes the differences."""
    edges = {low for _, low, _ in bands if low is not None} | {high + 1 for _, _, high in bands if high is not None}
    counts = {f"{prefix}{edge}": Count("pk", filter=where & m.years_between(field_name, on, edge, None)) for edge in edges}
    return counts | {f"{prefix}_known": Count(field_name, filter=where) if where else Count(field_name)}


def _bands(bands, totals, prefix):
    def at_least(years):
        return totals[f"{prefix}_known"] if years is None else totals[f"{prefix}{years}"]

    return [Band(label, low, high, at_least(low) - (0 if high is None else at_least(high + 1))) for label, low, high in bands]


def secretary_age_bands():
    """Five-year bands up to the ageing line, so that the last band holds exactly the ageing secretaries."""
    line = settings.SHUZHI["SECRETARY_AGE_WARNING"]
    bands = [(f"{line - 16}岁及以下", None, line - 16)]
    bands += [(f"{low}—{low + 4}岁", low, low + 4) for low in (line - 15, line - 10, line - 5)]
    return bands + [(f"{line}岁及以上", line, None)]


def district(year, organizations=None):
    """The district's figures for `year`, optionally only for the organizations in the queryset `organizations`
    (the committee's own work log is not limited by it).

    The organizations in the election and leadership lists carry their state on as_of: full_count, roll_count,
    committee_count, secretary_birth, secretary_vacant_since, secretary_age, staffing, last_election_on,
    term_ends_on and election; `states` holds them all by id, for the warnings to read instead of counting again.
    """
    on = as_of(year)
    previous = year - 1
    years = (year, previous)

    if organizations is None:
        orgs = m.Organization.objects.all()

        def within(qs):
            return qs
    else:
        scope_ids = organizations.values("pk")
        orgs = m.Organization.objects.filter(pk__in=scope_ids)

        def within(qs):
            return qs.filter(organization__in=scope_ids)

    def members_within(qs):
        """Members, after as_of(on): scoped by the organization they were in that day, not today's."""
        return qs if organizations is None else qs.in_organizations(scope_ids, on)

    # -- organizations ---------------------------------------------------------------------------
    o = OrganizationFigures()
    o.basic_level, o.basic_by_kind, o.basic_by_ownership, o.basic_by_category = _count_organizations(
        orgs.basic_level().approved_by(on), BASIC_KINDS)
    o.branches, o.branches_by_kind, o.branches_by_ownership, o.branches_by_category = _count_organizations(
        orgs.branches().approved_by(on), m.BRANCH_KINDS)
    approved = list(orgs.exclude(kind=K.COMMITTEE).filter(
        approved_on__gte=datetime.date(previous, 1, 1), approved_on__lte=datetime.date(year, 12, 31)).order_by("approved_on", "pk"))
    o.approved = [org for org in approved if org.approved_on.year == year]
    o.approved_previous = len(approved) - len(o.approved)

    # -- members ---------------------------------------------------------------------------------
    # The roll as it stood on `on`, each member in the organization they were in then (MemberQuerySet.as_of).
    members = members_within(m.Member.objects.as_of(on))
    mf = MemberFigures(by_ownership=_zeros(m.Ownership.values, MemberTally),
                       by_category=_zeros(m.UnitCategory.values, MemberTally))
    # Everything counted over the members in one pass, grouped by organization (its index, no join): over
    # 100,000 members each pass costs more than the counts in it. The organizations' sides are looked up here.
    sides_of = {pk: (w, c) for pk, w, c in m.Organization.objects.values_list("pk", "ownership", "unit_category")}
    secretary_bands = secretary_age_bands()
    rows = members.values("organization_on").annotate(
        # Over the roll on `on`: every member counted (roll_count) and the full members (full_count), as the
        # staffing rule counts them.
        **m.staffing_counts(on=on, of_roll=True),
        probationary=Count("pk", filter=Q(status=m.Member.Status.PROBATIONARY)),
        new=Count("pk", filter=Q(join_date__year=year)),
        new_previous=Count("pk", filter=Q(join_date__year=previous)),
        party_workers=Count("pk", filter=m.is_party_worker()),
        **_band_counts(m.AGE_BANDS, "birth_date", on, "age"),
        # 党龄 from the conversion (党章第七条): a member not yet converted on `on` has none.
        **_band_counts(m.PARTY_YEARS_BANDS, "full_member_date", on, "party", where=m.party_years_known(on)),
    ).order_by()
    totals, staffing = Counter(), {}
    for row in rows:
        organization = row.pop("organization_on")
        staffing[organization] = {name: row[name] for name in ("full_count", "roll_count")}
        row["total"], row["full"] = row.pop("roll_count"), row.pop("full_count")
        ownership, category = sides_of[organization]
        totals.update(row)
        for tally in (mf.by_ownership.setdefault(ownership, MemberTally()), mf.by_category.setdefault(category, MemberTally())):
            tally.total += row["total"]
            tally.full += row["full"]
            tally.probationary += row["probationary"]
            tally.new += row["new"]
    mf.total, mf.full, mf.probationary, mf.new = totals["total"], totals["full"], totals["probationary"], totals["new"]
    mf.new_previous, mf.age_unknown = totals["new_previous"], totals["total"] - totals["age_known"]
    mf.age_bands = _bands(m.AGE_BANDS, totals, "age")
    mf.party_years_bands = _bands(m.PARTY_YEARS_BANDS, totals, "party")
    mf.party_workers = totals["party_workers"]
    mf.conversion_overdue = list(
        members_within(m.Member.objects.conversion_overdue(on)).select_related("organization", "probation_extension").order_by("join_date", "pk")
    )

    backbone = BackboneFigures()
    rows = members.filter(backbone_year__in=years).exclude(backbone_title="").values("backbone_year", "backbone_title").annotate(n=Count("pk")).order_by()
    for row in rows:
        if row["backbone_year"] == year:
            setattr(backbone, row["backbone_title"], getattr(backbone, row["backbone_title"]) + row["n"])
        elif row["backbone_title"] == m.Member.Backbone.PROVINCIAL:
            backbone.provincial_previous += row["n"]
        else:
            backbone.city_and_district_previous += row["n"]

    # -- each organization's state on as_of: staffing, elections, secretary ----------------------
    existing = orgs.active().approved_by(on).exclude(kind=K.COMMITTEE)
    # The staffing counts come from the members' pass above (as with_staffing(on) counts them); the last
    # elections and the secretary's vacancy on the organizations (grouped over the members, one query would run
    # their subqueries per member row).
    state = list(existing.with_last_election(on).with_secretary_vacancy(on).order_by("sort_order", "pk"))
    no_members = {"full_count": 0, "roll_count": 0}
    # The posts on `on` from the tenures (one query): a 党委's committee are members of its branches.
    posts, secretaries = m.Tenure.objects.filter(organization__in=orgs).posts_by_organization(on)
    el = ElectionFigures()
    lead = LeadershipFigures()
    for org in state:
        org.__dict__.update(staffing.get(org.pk, no_members))
        org.committee_count, org.secretary_birth = posts.get(org.pk, (0, None))
        org.staffing = m.staffing_of(org)
        org.election = m.election_status(org.term_ends_on, on)
        org.secretary_age = age_on(org.secretary_birth, on) if org.secretary_birth else None
        if org.staffing == m.Staffing.NO_SECRETARY:
            lead.no_secretary.append(org)
        elif org.staffing == m.Staffing.INCOMPLETE:
            lead.incomplete.append(org)
        if m.secretary_is_ageing(org.secretary_birth, on):
            lead.ageing.append(org)
        if org.election == m.ElectionState.OVERDUE:
            org.days_overdue = (on - org.term_ends_on).days
            org.months_overdue = months_between(org.term_ends_on, on)
            el.overdue.append(org)
        elif org.election == m.ElectionState.DUE:
            el.due.append(org)
        elif org.election == m.ElectionState.NEVER:
            el.never.append(org)
    el.overdue.sort(key=lambda org: org.term_ends_on)
    el.due.sort(key=lambda org: org.term_ends_on)
    held = (
        within(m.Election.objects.reviewed().new_terms().filter(held_on__gte=datetime.date(previous, 1, 1), held_on__lte=datetime.date(year, 12, 31)))
        .annotate(y=ExtractYear("held_on")).values("y").annotate(n=Count("organization", distinct=True)).order_by()
    )
    held = {row["y"]: row["n"] for row in held}
    el.held, el.held_previous = held.get(year, 0), held.get(previous, 0)

    lead.secretaries = len(secretaries)
    ages = [age_on(born, on) for born in secretaries.values() if born is not None]
    lead.secretary_age_bands = [Band(label, low, high, sum(1 for a in ages if (low is None or a >= low) and (high is None or a <= high)))
                                for label, low, high in secretary_bands]

    # -- standardization -------------------------------------------------------------------------
    sf = StandardizationFigures(
        target=m.AnnualPlan.for_year(year).standardization_target, branches=o.branches,
        by_category={c: StandardTally(branches=n) for c, n in o.branches_by_category.items()},
        by_ownership={w: StandardTally(branches=n) for w, n in o.branches_by_ownership.items()},
    )
    rows = (
        within(m.Assessment.objects.reviewed().filter(year__in=years))
        .values("year", "result", "organization__ownership", "organization__unit_category")
        .annotate(n=Count("pk")).order_by()
    )
    for row in rows:
        met = row["result"] in m.STANDARD_MET
        if row["year"] == previous:
            sf.met_previous += row["n"] if met else 0
            continue
        tallies = (sf, sf.by_ownership.setdefault(row["organization__ownership"], StandardTally()),
                   sf.by_category.setdefault(row["organization__unit_category"], StandardTally()))
        for tally in tallies:
            if met:
                tally.met += row["n"]
            if row["result"] == m.AssessmentResult.EXEMPLARY:
                tally.exemplary += row["n"]
            if row["result"] == m.AssessmentResult.FAILED:
                tally.failed += row["n"]
    assessed = within(m.Assessment.objects.reviewed().filter(year=year)).values("organization")
    sf.not_assessed = list(
        orgs.branches().approved_by(on).exclude(pk__in=assessed).order_by("sort_order", "pk")
    )
    for branch in sf.not_assessed:
        sf.by_category.setdefault(branch.unit_category, StandardTally()).not_assessed += 1
        sf.by_ownership.setdefault(branch.ownership, StandardTally()).not_assessed += 1
    short_items = m.AssessmentItem.objects.filter(score__lt=F("item__points")).select_related("item").order_by("item__code")
    sf.short = list(
        within(m.Assessment.objects.reviewed().filter(year=year, result=m.AssessmentResult.FAILED))
        .select_related("organization").order_by("organization__sort_order", "organization_id")
        .prefetch_related(Prefetch("items", queryset=short_items, to_attr="short_items"))
    )
    per_item = Counter(entry.item for a in sf.short for entry in a.short_items)
    sf.short_by_item = sorted(per_item.items(), key=lambda pair: (-pair[1], pair[0].code))

    # -- rectification ---------------------------------------------------------------------------
    cases = within(m.RectificationCase.objects.all())
    rf = RectificationFigures(by_status=_zeros(m.RectificationCase.Status.values))
    for case in cases.filter(year__in=years).select_related("organization", "responsible_leader").order_by("deadline", "pk"):
        if case.year == year:
            rf.cases.append(case)
            rf.by_status[case.status] += 1
            rf.exemplary += case.is_exemplary
        else:
            rf.cases_previous += 1
            rf.exemplary_previous += case.is_exemplary
    open_ids = set(cases.filter(year=year).open().values_list("pk", flat=True))
    rf.open = [case for case in rf.cases if case.pk in open_ids]
    rf.past_deadline = list(cases.past_deadline(on).select_related("organization").order_by("deadline", "pk"))
    rf.closed_in_year = list(cases.filter(closed_on__year=year).select_related("organization").order_by("closed_on", "pk"))

    # -- public and private side by side ---------------------------------------------------------
    sides = {w: Side(w) for w in m.Ownership.values}
    for w, side in sides.items():
        side.organizations = o.basic_by_ownership.get(w, 0)
        side.branches = o.branches_by_ownership.get(w, 0)
        side.members = mf.by_ownership.get(w, MemberTally()).total
        tally = sf.by_ownership.get(w, StandardTally())
        side.met, side.failed, side.not_assessed = tally.met, tally.failed, tally.not_assessed
    for case in rf.open:
        sides[case.organization.ownership].open_rectification += 1
    for attr, rows in (("no_secretary", lead.no_secretary), ("incomplete", lead.incomplete),
                       ("overdue_elections", el.overdue)):
        for org in rows:
            setattr(sides[org.ownership], attr, getattr(sides[org.ownership], attr) + 1)

    return DistrictFigures(
        year=year, as_of=on, organizations=o, members=mf, backbone=backbone, elections=el,
        standardization=sf, rectification=rf, leadership=lead, sides=sides, work=work_years(year, previous),
        recruitment=recruitment(year, on, within), states=m.OrganizationStates(on, state),
    )
