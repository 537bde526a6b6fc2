"""组织生活落实情况: each branch's meetings held against what the regulations (MeetingType) ask of it.

Three queries whatever the size of the district: the meeting types, the branches with their parents (and their
committee's size on the day, from the tenures: the roll itself is not read), and the meetings counted per branch
and type in each period asked about.
"""
import datetime
from dataclasses import dataclass, field

from branches.dates import months_between, today
from branches.models import Meeting, MeetingType, Organization, Ownership, UnitCategory, held
from branches.periods import PERIOD_MONTHS, periods_within, window

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
    months = months_between(start, end + datetime.timedelta(days=1))  # the window's length
    types = [t for t in MeetingType.objects.filter(is_required=True) if PERIOD_MONTHS[t.period] <= months]
    scope = Organization.objects.branches()
    if organizations is not None:
        scope = scope.filter(pk__in=organizations.values("pk"))
    # MeetingType.applies_to reads the committee on `on` from the tenures: the roll is not read (so the parents may
    # be joined: no GROUP BY to widen).
    branches = list(scope.with_committee_count(on).select_related("parent").order_by("sort_order", "pk"))
    periods = {t: [p for p in periods_within(t.period, start, end) if p[1] <= on] for t in types}
    meetings = Meeting.objects.filter(organization__in=scope.values("pk")) if organizations is not None else Meeting.objects.all()
    counts = meetings.held_counts([(start, end)] + [p for ps in periods.values() for p in ps])

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
