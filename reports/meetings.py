"""组织生活落实情况: each branch's meetings held against what the regulations (MeetingType) ask of it.

Four queries whatever the size of the district: the meeting types, the branches, their parents, and the
meetings counted per branch and type in each period asked about.
"""
import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q

from branches.dates import add_months, today
from branches.models import (
    PERIOD_MONTHS, Meeting, MeetingType, Organization, Ownership, UnitCategory, periods_within,
)

# The windows the office looks at: a whole year, one quarter or one month of it.
WINDOWS = {"year": "全年", "quarter": "季度", "month": "月份"}
YEARS = range(2000, 2101)  # the years meetings and warnings can be asked for: periods and terms reach years either side


def held_counts(meetings, periods):
    """{(organization_id, meeting_type_id): {(start, end): meetings held}} of these meetings, in one query.

    Plain date comparisons, one conditional count per period: no date function runs per meeting.
    """
    periods = list(dict.fromkeys(periods))
    if not periods:
        return {}
    counts = {f"p{i}": Count("pk", filter=Q(held_on__gte=s, held_on__lte=e)) for i, (s, e) in enumerate(periods)}
    rows = (
        meetings
        .held_between(min(s for s, _ in periods), max(e for _, e in periods))
        .values("organization_id", "meeting_type_id")
        .annotate(**counts)
        .order_by()
    )
    return {(r["organization_id"], r["meeting_type_id"]): {p: r[f"p{i}"] for i, p in enumerate(periods)} for r in rows}


def held(counts, organization_id, meeting_type_id, period):
    return counts.get((organization_id, meeting_type_id), {}).get(period, 0)


def window(year, kind="year", number=None):
    """(start, end, label) of a year, one of its quarters or one of its months; ValueError in Chinese if not one."""
    if not isinstance(year, int) or year not in YEARS:
        raise ValueError(f"年度应为{YEARS[0]}至{YEARS[-1]}之间的四位数字。")
    if kind == "year":
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31), f"{year}年"
    if kind == "quarter":
        if number not in (1, 2, 3, 4):
            raise ValueError("季度应为1至4。")
        start = datetime.date(year, 3 * number - 2, 1)
        return start, add_months(start, 3) - datetime.timedelta(days=1), f"{year}年第{number}季度"
    if kind == "month":
        if number not in range(1, 13):
            raise ValueError("月份应为1至12。")
        start = datetime.date(year, number, 1)
        return start, add_months(start, 1) - datetime.timedelta(days=1), f"{year}年{number}月"
    raise ValueError("统计周期应为全年、季度或月份。")


@dataclass
class Tally:
    """Meetings held, and of what was expected how much was met (a period counts up to its required times)."""

    held: int = 0
    expected: int = 0
    met: int = 0

    def add(self, other):
        self.held += other.held
        self.expected += other.expected
        self.met += other.met

    @property
    def rate(self):
        return self.met / self.expected if self.expected else None

    @property
    def missed(self):
        return self.expected - self.met

    @property
    def percent(self):
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"


@dataclass
class BranchRow:
    organization: Organization
    cells: dict  # MeetingType -> Tally, or None where the type does not apply
    total: Tally = field(default_factory=Tally)


@dataclass
class Compliance:
    start: datetime.date
    end: datetime.date
    label: str
    on: datetime.date
    types: list
    rows: list
    by_category: list  # (UnitCategory label, Ownership label, branches, Tally)
    by_ownership: dict  # Ownership -> Tally
    by_type: dict  # MeetingType -> {Ownership: Tally}
    total: Tally


def compliance(year, kind="year", number=None, organizations=None, on=None):
    """Each branch's meetings in the window against what was due in it, and the district's rates.

    Only periods that have ended by `on` (today) are due: a month still running cannot be missed yet.
    `organizations` limits the branches (a secretary sees their own subtree).
    """
    start, end, label = window(year, kind, number)
    on = on or today()
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    types = [t for t in MeetingType.objects.filter(is_required=True) if PERIOD_MONTHS[t.period] <= months]
    scope = Organization.objects.branches()
    if organizations is not None:
        scope = scope.filter(pk__in=organizations.values("pk"))
    branches = list(scope.with_staffing(on).prefetch_related("parent").order_by("sort_order", "pk"))  # not joined: see warnings
    periods = {t: [p for p in periods_within(t.period, start, end) if p[1] <= on] for t in types}
    meetings = Meeting.objects.filter(organization__in=scope.values("pk")) if organizations is not None else Meeting.objects.all()
    counts = held_counts(meetings, [(start, end)] + [p for ps in periods.values() for p in ps])

    rows, total = [], Tally()
    by_ownership = {o: Tally() for o in Ownership}
    by_type = {t: {o: Tally() for o in Ownership} for t in types}
    categories = {}
    for branch in branches:
        row = BranchRow(branch, {})
        for t in types:
            due = [(s, e) for s, e in periods[t] if t.applies_to(branch, s)]
            if not due:
                row.cells[t] = None
                continue
            cell = Tally(held=held(counts, branch.pk, t.pk, (start, end)), expected=t.times * len(due),
                         met=sum(min(held(counts, branch.pk, t.pk, p), t.times) for p in due))
            row.cells[t] = cell
            row.total.add(cell)
            by_type[t][branch.ownership].add(cell)
        rows.append(row)
        total.add(row.total)
        by_ownership[branch.ownership].add(row.total)
        key = (branch.unit_category, branch.ownership)
        count, tally = categories.get(key, (0, Tally()))
        tally.add(row.total)
        categories[key] = (count + 1, tally)
    order = {c: i for i, c in enumerate(UnitCategory)}
    by_category = [
        (UnitCategory(c).label if c else "未分类", Ownership(o).label, n, tally)
        for (c, o), (n, tally) in sorted(categories.items(), key=lambda kv: (order.get(kv[0][0], 99), kv[0][1]))
    ]
    return Compliance(start, end, label, on, types, rows, by_category, by_ownership, by_type, total)
