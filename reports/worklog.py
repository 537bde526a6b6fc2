"""The working committee's own year, summed from the work log (党建工作台账)."""
from dataclasses import dataclass

from django.db.models import Sum
from django.db.models.functions import ExtractYear

from branches.models import WorkKind, WorkLogEntry


@dataclass(frozen=True)
class Totals:
    count: int = 0
    topics: int = 0
    teams: int = 0
    people: int = 0


def work_years(*years):
    """{year: {WorkKind: Totals}} for each year asked, every kind present (zero where nothing was logged).

    One query whatever the size of the log.
    """
    result = {year: {kind: Totals() for kind in WorkKind} for year in years}
    rows = (
        WorkLogEntry.objects.filter(date__year__in=years)
        .annotate(y=ExtractYear("date"))
        .values("y", "kind")
        .annotate(count=Sum("count"), topics=Sum("topics"), teams=Sum("teams"), people=Sum("people"))
        .order_by()
    )
    for row in rows:
        if row["kind"] in result[row["y"]]:
            result[row["y"]][WorkKind(row["kind"])] = Totals(row["count"], row["topics"], row["teams"], row["people"])
    return result
