"""What the annual duty report needs beyond reports.figures.district(): who reports, the secretary's 包抓
organizations, and the record lists the workbook shows behind figures that district() only counts.

Report-specific for now; each is a candidate to move into reports/figures.py.
"""
from branches import models as m


def committee_and_secretary():
    """The working committee (the root organization) and its secretary (Leader), either None where not recorded."""
    committee = m.Organization.objects.filter(kind=m.OrgKind.COMMITTEE).order_by("pk").first()
    secretary = m.Leader.objects.filter(title=m.Leader.Title.SECRETARY).first()
    return committee, secretary


def assigned_to_secretary(on):
    """包抓: the organizations whose liaison leader is the committee secretary, as they stood on `on`.

    The liaison is kept as it is now (no history), like a member's post in district().
    """
    return list(
        m.Organization.objects.active().approved_by(on)
        .filter(liaison_leader__title=m.Leader.Title.SECRETARY)
        .select_related("parent", "liaison_leader").order_by("sort_order", "pk")
    )


def elections_held(year):
    """The elections held in the year, behind district().elections.held (which counts organizations)."""
    return list(
        m.Election.objects.reviewed().new_terms().filter(held_on__year=year)
        .select_related("organization").prefetch_related("tenures__member")
        .order_by("held_on", "organization__sort_order", "pk")
    )


def work_entries(*years):
    """The work-log entries of the years, behind work_years()'s totals."""
    return list(
        m.WorkLogEntry.objects.filter(date__year__in=years).select_related("leader").order_by("date", "pk")
    )


def admitted(year):
    """The people the year's 党员大会 accepted whom the upper committee approved, behind district().recruitment.admitted."""
    return list(
        m.Recruit.objects.reviewed().filter(accepted_on__year=year, approved_on__isnull=False)
        .select_related("organization").order_by("accepted_on", "organization__sort_order", "pk")
    )
