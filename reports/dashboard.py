"""The standardization dashboard: a year's figures from reports.figures, every number linked to the
admin list of the records behind it (filtered with the list filters in branches/admin/filters.py, read on the same day)."""
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings

from branches import links
from branches import models as m
from branches.models import ElectionState as E, Staffing as S

from . import figures

CATEGORY_LABELS = dict(m.UnitCategory.choices)
KIND_LABELS = dict(m.OrgKind.choices)
OWNERSHIP_LABELS = dict(m.Ownership.choices)
# The work-log lines compared with the year before, grouped and ordered as the duty report tells them.
K = m.WorkKind
WORK_GROUPS = [
    ("政治建设", [(K.COMMITTEE_MEETING, "count", "次"), (K.COMMITTEE_MEETING, "topics", "项"), (K.GUIDANCE, "count", "次"),
              (K.RESEARCH, "count", "次"), (K.DEMOCRATIC_LIFE, "count", "次"), (K.BRANCH_LIFE, "count", "次")]),
    ("思想建设", [(K.CENTRAL_GROUP, "count", "次"), (K.BUREAU_STUDY, "count", "次"), (K.TRAINING_CLASS, "count", "期"),
              (K.PARTY_LESSON, "count", "次"), (K.PAPER, "count", "篇"), (K.RESEARCH_TOPIC, "count", "个"),
              (K.PROBLEM_FIXED, "count", "个"), (K.REFLECTION, "count", "篇")]),
    ("组织建设", [(K.SECTION_APPOINTMENT, "teams", "个"), (K.SECTION_APPOINTMENT, "people", "人"),
              (K.UNIT_APPOINTMENT, "teams", "个"), (K.UNIT_APPOINTMENT, "people", "人"),
              (K.PRIVATE_MEETING, "count", "次"), (K.PRIVATE_INSPECTION, "count", "次")]),
    ("党风廉政建设", [(K.COLLECTIVE_TALK, "count", "次"), (K.ONE_TO_ONE_TALK, "teams", "个"), (K.ONE_TO_ONE_TALK, "people", "人")]),
]
WORK_MEASURES = {"count": "", "topics": "·研究议题", "teams": "·涉及班子", "people": "·涉及人数"}
# Long lists show their first rows; the number above them links to all.
LIST_ROWS = 10


def changelist(model, **params):
    return links.changelist(model, urlencode(params))


def change(obj):
    return links.change(obj._meta.model_name, obj.pk)


@dataclass
class Num:
    """A count shown on the dashboard and the admin list of exactly the records it counts."""

    value: int
    url: str


@dataclass
class Sum:
    """A total summed over records (议题, 人数…): it links to the records it is summed from."""

    value: int
    url: str


def pct(part, whole):
    return round(100 * part / whole, 1) if whole else 0


class Links:
    """Admin lists read as the dashboard reads them: on the as-of day, for the year."""

    def __init__(self, year, on):
        self.year, self.asof = year, on.isoformat()

    def orgs(self, **p):
        return changelist("organization", is_active__exact=1, asof=self.asof, **p)

    def members(self, **p):
        return changelist("member", asof=self.asof, **p)  # the as-of filter reads the roll as it stood that day

    def assessments(self, year=None, **p):
        return changelist("assessment", year__exact=year or self.year, review_status__exact=m.Review.APPROVED, **p)

    def cases(self, **p):
        return changelist("rectificationcase", **p)

    def recruits(self, **p):
        return changelist("recruit", review_status__exact=m.Review.APPROVED, **p)


def band_key(band):
    return f"{band.low or ''}-{band.high or ''}"


def histogram(bands, url, highlight=lambda band: False):
    top = max((b.count for b in bands), default=0)
    return [
        {"label": b.label, "n": Num(b.count, url(band_key(b))), "height": pct(b.count, top), "hot": highlight(b)}
        for b in bands
    ]


def segments(tally, L, on_assessments=None, on_orgs=None):
    """The four results of a group of branches, as a stacked bar; the extra filters pick the group."""
    a, o = on_assessments or {}, on_orgs or {}
    parts = [
        ("示范", "exemplary", Num(tally.exemplary, L.assessments(result__exact=m.AssessmentResult.EXEMPLARY, **a))),
        ("达标", "passed", Num(tally.passed, L.assessments(result__exact=m.AssessmentResult.PASSED, **a))),
        ("未达标", "failed", Num(tally.failed, L.assessments(result__exact=m.AssessmentResult.FAILED, **a))),
        ("未评定", "none", Num(tally.not_assessed_count, L.orgs(level="branch", unassessed=L.year, **o))),
    ]
    whole = sum(n.value for _, _, n in parts)
    return [{"label": label, "css": css, "n": n, "width": pct(n.value, whole)} for label, css, n in parts]


def build(year, organizations=None):
    """Everything the template shows, prepared: figures with their links, bar widths, lists."""
    f = figures.district(year, organizations=organizations)
    L = Links(year, f.as_of)
    o, mf, sf, el, rf, lead = f.organizations, f.members, f.standardization, f.elections, f.rectification, f.leadership

    # -- totals ----------------------------------------------------------------------------------
    kinds = [{"label": KIND_LABELS[k], "n": Num(n, L.orgs(level="basic", kind__exact=k))} for k, n in o.basic_by_kind.items()]
    branch_kinds = [{"label": KIND_LABELS[k], "n": Num(n, L.orgs(level="branch", kind__exact=k))} for k, n in o.branches_by_kind.items()]
    top_members = max((t.total for t in mf.by_category.values()), default=0)
    categories = []
    for c, label in m.UnitCategory.choices:
        tally = mf.by_category.get(c, figures.MemberTally())
        if not (o.basic_by_category.get(c) or o.branches_by_category.get(c) or tally.total):
            continue
        categories.append({
            "label": label,
            "private": c in m.PRIVATE_CATEGORIES,
            "basic": Num(o.basic_by_category.get(c, 0), L.orgs(level="basic", unit_category__exact=c)),
            "branches": Num(o.branches_by_category.get(c, 0), L.orgs(level="branch", unit_category__exact=c)),
            "members": Num(tally.total, L.members(organization__unit_category__exact=c)),
            "probationary": Num(tally.probationary, L.members(organization__unit_category__exact=c, status__exact="probationary")),
            "width": pct(tally.total, top_members),
        })

    # -- standardization -------------------------------------------------------------------------
    whole = segments(sf, L)
    denominator = sf.met + sf.failed + sf.not_assessed_count
    std_rows = []
    for c, label in m.UnitCategory.choices:
        tally = sf.by_category.get(c)
        if tally and (tally.branches or tally.met or tally.failed):
            parts = segments(tally, L, {"organization__unit_category__exact": c}, {"unit_category__exact": c})
            std_rows.append({"label": label, "segments": parts, "rate": tally.met_rate})
    std_sides = []
    for w, label in m.Ownership.choices:
        tally = sf.by_ownership.get(w, figures.StandardTally())
        parts = segments(tally, L, {"organization__ownership__exact": w}, {"ownership__exact": w})
        std_sides.append({"label": label, "segments": parts, "rate": tally.met_rate})
    top_short = max((n for _, n in sf.short_by_item), default=0)
    short_items = [
        {"item": item, "n": Num(n, L.assessments(result__exact=m.AssessmentResult.FAILED, short=item.code)), "width": pct(n, top_short)}
        for item, n in sf.short_by_item
    ]

    # -- leadership and members ------------------------------------------------------------------
    warning_age = settings.SHUZHI["SECRETARY_AGE_WARNING"]
    secretary_ages = histogram(
        lead.secretary_age_bands, lambda key: L.members(post=m.Member.Post.SECRETARY, age=key),
        highlight=lambda band: band.low is not None and band.low >= warning_age,
    )
    member_ages = histogram(mf.age_bands, lambda key: L.members(age=key))
    party_years = histogram(mf.party_years_bands, lambda key: L.members(party_years=key))

    # -- public and private side by side ---------------------------------------------------------
    side_rows = [
        ("工委直属党组织", "organizations", lambda w: L.orgs(level="basic", ownership__exact=w)),
        ("党支部", "branches", lambda w: L.orgs(level="branch", ownership__exact=w)),
        ("党员", "members", lambda w: L.members(organization__ownership__exact=w)),
        ("标准化达标党支部", "met", lambda w: L.assessments(met="yes", organization__ownership__exact=w)),
        ("标准化未达标党支部", "failed", lambda w: L.assessments(result__exact="failed", organization__ownership__exact=w)),
        ("尚未评定的党支部", "not_assessed", lambda w: L.orgs(level="branch", unassessed=year, ownership__exact=w)),
        ("软弱涣散整顿未销号", "open_rectification", lambda w: L.cases(year__exact=year, open="yes", organization__ownership__exact=w)),
        (S.NO_SECRETARY.label, "no_secretary", lambda w: L.orgs(staffing=S.NO_SECRETARY, ownership__exact=w)),
        (S.INCOMPLETE.label, "incomplete", lambda w: L.orgs(staffing=S.INCOMPLETE, ownership__exact=w)),
        (E.OVERDUE.label, "overdue_elections", lambda w: L.orgs(election=E.OVERDUE, ownership__exact=w)),
    ]
    sides = {
        "heads": [side.label for side in f.sides.values()],
        "rates": [side.met_rate for side in f.sides.values()],
        "rows": [
            {"label": label, "cells": [Num(getattr(side, attr), url(w)) for w, side in f.sides.items()]}
            for label, attr, url in side_rows
        ],
    }

    # -- the committee's own year ----------------------------------------------------------------
    this, last = f.work[year], f.work[year - 1]
    work = []
    for group, lines in WORK_GROUPS:
        rows = []
        for kind, measure, unit in lines:
            now, before = getattr(this[kind], measure), getattr(last[kind], measure)
            top = max(now, before) or 1
            rows.append({
                "label": m.WorkKind(kind).label + WORK_MEASURES[measure], "unit": unit,
                "now": Sum(now, changelist("worklogentry", year=year, kind__exact=kind)),
                "before": Sum(before, changelist("worklogentry", year=year - 1, kind__exact=kind)),
                "now_width": pct(now, top), "before_width": pct(before, top), "change": now - before,
            })
        work.append({"group": group, "rows": rows})

    # -- recruitment (发展党员) against the plan ------------------------------------------------------
    rec = f.recruitment
    admitted = {"admitted_year": year, "asof": L.asof}
    recruitment = {
        "applied": Num(rec.applied, L.recruits(applied_year=year)),
        "activists": Num(rec.activists, L.recruits(activist_year=year)),
        "candidates": Num(rec.candidates, L.recruits(candidate_year=year)),
        "admitted": Num(rec.admitted, L.recruits(**admitted)),
        "backbone": Num(rec.admitted_backbone, L.recruits(two_strong="backbone", **admitted)),
        "young": Num(rec.admitted_young, L.recruits(two_strong="young", **admitted)),
        "planned": rec.planned, "rate": rec.plan_rate, "plan_width": pct(min(rec.admitted, rec.planned), rec.planned),
        "stages": [{"label": stage.label, "n": Num(rec.at_stage[stage], L.recruits(stage=stage, asof=L.asof))}
                   for stage in m.RecruitStage if stage != m.RecruitStage.PROBATIONARY],
        "plans": [{"row": row, "short": row.admitted < row.quota,
                   "n": Num(row.admitted, L.recruits(within=row.organization.pk, **admitted))}
                  for row in rec.plans],
    }

    past_ids = {case.pk for case in rf.past_deadline}
    return {
        "f": f,
        "kinds": kinds,
        "branch_kinds": branch_kinds,
        "categories": categories,
        "n": {
            "basic": Num(o.basic_level, L.orgs(level="basic")),
            "branches": Num(o.branches, L.orgs(level="branch")),
            "members": Num(mf.total, L.members()),
            "full": Num(mf.full, L.members(status__exact="full")),
            "probationary": Num(mf.probationary, L.members(status__exact="probationary")),
            "new": Num(mf.new, L.members(join_year=year)),
            "new_previous": Num(mf.new_previous, L.members(join_year=year - 1)),
            "conversion_overdue": Num(mf.conversion_overdue_count, L.members(conversion="overdue")),
            "party_workers": Num(mf.party_workers, L.members(worker="yes")),
            "approved": Num(o.approved_count, changelist("organization", approved=year)),
            "approved_previous": Num(o.approved_previous, changelist("organization", approved=year - 1)),
            "provincial": Num(f.backbone.provincial, L.members(backbone_year__exact=year, backbone_title__exact="provincial")),
            "city_district": Num(f.backbone.city_and_district, L.members(backbone_year__exact=year, backbone_title__in="city,district")),
            "provincial_previous": Num(f.backbone.provincial_previous, L.members(backbone_year__exact=year - 1, backbone_title__exact="provincial")),
            "city_district_previous": Num(f.backbone.city_and_district_previous, L.members(backbone_year__exact=year - 1, backbone_title__in="city,district")),
            "met": Num(sf.met, L.assessments(met="yes")),
            "met_previous": Num(sf.met_previous, L.assessments(year=year - 1, met="yes")),
            "held": Num(el.held, changelist("organization", elected=year)),
            "held_previous": Num(el.held_previous, changelist("organization", elected=year - 1)),
            "due": Num(len(el.due), L.orgs(election=E.DUE)),
            "overdue": Num(len(el.overdue), L.orgs(election=E.OVERDUE)),
            "never": Num(len(el.never), L.orgs(election=E.NEVER)),
            "no_secretary": Num(len(lead.no_secretary), L.orgs(staffing=S.NO_SECRETARY)),
            "incomplete": Num(len(lead.incomplete), L.orgs(staffing=S.INCOMPLETE)),
            "ageing": Num(len(lead.ageing), L.orgs(staffing="ageing")),
            "secretaries": Num(lead.secretaries, L.members(post=m.Member.Post.SECRETARY)),
            "cases": Num(len(rf.cases), L.cases(year__exact=year)),
            "open": Num(len(rf.open), L.cases(year__exact=year, open="yes")),
            "past_deadline": Num(len(rf.past_deadline), L.cases(deadline="past", asof=L.asof)),
            "closed_in_year": Num(len(rf.closed_in_year), L.cases(closed=year)),
            "exemplary": Num(rf.exemplary, L.cases(year__exact=year, is_exemplary__exact=1)),
            "exemplary_previous": Num(rf.exemplary_previous, L.cases(year__exact=year - 1, is_exemplary__exact=1)),
        },
        "statuses": [
            {"label": label, "css": value, "n": Num(rf.by_status[value], L.cases(year__exact=year, status__exact=value))}
            for value, label in m.RectificationCase.Status.choices
        ],
        "std": {
            "segments": whole, "rows": std_rows, "sides": std_sides, "short_items": short_items,
            "target_at": pct(sf.target, denominator), "met_width": pct(sf.met, denominator),
            "reached": sf.met >= sf.target, "gap": max(sf.target - sf.met, 0),
        },
        "cases": [{"case": c, "past": c.pk in past_ids} for c in rf.cases],
        "secretary_ages": secretary_ages, "member_ages": member_ages, "party_years": party_years,
        "warning_age": warning_age, "list_rows": LIST_ROWS,
        "sides": sides,
        "work": work,
        "recruitment": recruitment,
    }
