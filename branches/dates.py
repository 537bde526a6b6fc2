"""Calendar arithmetic for terms and probation periods, where a Feb 29 must not crash a rule."""
import datetime

from django.db.models import Func, IntegerField
from django.utils import timezone


def today():
    return timezone.localdate()


def add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one: the term ends on the 28th
        return day.replace(year=day.year + years, day=28)


def add_months(day, months):
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def age_on(birth, day):
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def months_between(earlier, later):
    """Whole months from one day to a later one (how long a post is vacant, an election overdue)."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)


def earliest_reaching(shift, on, within_days=3 * 366):
    """The earliest day `d` with shift(d) >= on, for a shift forward by whole months or years (non-decreasing, by
    less than `within_days`): a rule "deadline(d) < on" becomes one SQL comparison "d < earliest_reaching(...)",
    exact at month ends and on 29 February."""
    low, high = on - datetime.timedelta(days=within_days), on  # shift(low) < on <= shift(high)
    while (high - low).days > 1:
        middle = low + (high - low) // 2
        if shift(middle) >= on:
            high = middle
        else:
            low = middle
    return high


class DaysBetween(Func):
    """Days from the date `earlier` to the date `later` in SQL, the database's own arithmetic (SQLite's julianday,
    PostgreSQL's date subtraction), where Django's DurationField subtraction calls Python once per row on SQLite."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()

    def __init__(self, later, earlier, **extra):
        super().__init__(later, earlier, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)",
                           arg_joiner=") - julianday(", **extra)
