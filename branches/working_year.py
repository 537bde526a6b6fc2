"""The office's working year: the one year every list, the warnings, the compliance page and the dashboard read.

The office picks it once (`/working-year/`, kept in the session); until it does, it is the last year that has
records, so that a district whose records are for 2023 is judged as of 31 December 2023, not as of today.
"""
import datetime

from django.db.models import Max, Min

from . import models as m
from . import scope
from .dates import today
from .periods import YEARS

SESSION_KEY = "shuzhi_working_year"

# The dated records whose years say which years the district has records for; the committee's own work log
# only for those who see the whole district (a secretary's years are their school's).
_SPANS = [
    (m.Member, "join_date"), (m.Organization, "approved_on"), (m.Election, "held_on"),
    (m.Assessment, "year"), (m.RectificationCase, "year"),
]


def _year(value):
    return value if isinstance(value, int) or value is None else value.year


def record_years(user=None):
    """(first, last): the years in which anything was recorded (a member joined, an organization was approved,
    an election held, a branch assessed, a case opened, work logged); (None, None) while there are no records.

    With a user, only what that user sees. The years lie in periods.YEARS whatever a record says.
    """
    everything = user is None or scope.sees_everything(user)
    spans = _SPANS + [(m.WorkLogEntry, "date")] if everything else _SPANS
    years = []
    for model, name in spans:
        records = model.objects.all() if everything else model.objects.visible_to(user)
        found = records.aggregate(first=Min(name), last=Max(name))
        years += [min(max(_year(v), YEARS[0]), YEARS[-1]) for v in found.values() if v is not None]
    return (min(years), max(years)) if years else (None, None)


def default_year(last):
    """The last year with records (`last`), this year when there are none or the records reach it."""
    current = today().year
    return current if last is None or last >= current else last


def as_of(year):
    """The day a year's state is read on: 31 December of a past year, today for the current year."""
    return min(datetime.date(year, 12, 31), today())


def chosen_year(request):
    """The year the office chose in this session, None when it has not."""
    session = getattr(request, "session", None)
    year = session.get(SESSION_KEY) if session is not None else None
    return year if isinstance(year, int) and year in YEARS and year <= today().year else None


def recorded_years(request):
    """record_years() as the request's user sees them, worked out once per request."""
    if not hasattr(request, "_shuzhi_record_years"):
        request._shuzhi_record_years = record_years(getattr(request, "user", None))
    return request._shuzhi_record_years


def working_year(request):
    """The session's working year, else the default; worked out once per request."""
    if not hasattr(request, "_shuzhi_working_year"):
        request._shuzhi_working_year = chosen_year(request) or default_year(recorded_years(request)[1])
    return request._shuzhi_working_year


def choose(request, year):
    request.session[SESSION_KEY] = year
    request._shuzhi_working_year = year


def selectable_years(request):
    """The years the header offers, newest first: from the first year with records to this year."""
    first = recorded_years(request)[0]
    current = today().year
    return list(range(current, min(first or current, current) - 1, -1))
