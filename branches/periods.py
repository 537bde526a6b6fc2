"""Periods: the months, quarters and years meetings are due in and figures are asked for, and their labels."""
import datetime

from django.db import models

from .dates import add_months

# The windows the office looks at: a whole year, one quarter or one month of it.
WINDOWS = {"year": "全年", "quarter": "季度", "month": "月份"}
YEARS = range(2000, 2101)  # the years meetings and warnings can be asked for: periods and terms reach years either side


class MeetingPeriod(models.TextChoices):
    MONTH = "month", "每月"
    QUARTER = "quarter", "每季度"
    YEAR = "year", "每年"


PERIOD_MONTHS = {MeetingPeriod.MONTH: 1, MeetingPeriod.QUARTER: 3, MeetingPeriod.YEAR: 12}


def period_containing(period, day):
    """(first day, last day) of the month, quarter or year that holds `day`."""
    months = PERIOD_MONTHS[period]
    start = datetime.date(day.year, (day.month - 1) // months * months + 1, 1)
    return start, add_months(start, months) - datetime.timedelta(days=1)


def last_complete_period(period, on):
    """The latest period that has ended by `on`: the running one counts only on its last day."""
    start, end = period_containing(period, on)
    if end == on:
        return start, end
    return period_containing(period, start - datetime.timedelta(days=1))


def periods_within(period, start, end):
    """The periods of this length that lie wholly inside [start, end]."""
    found, (p_start, p_end) = [], period_containing(period, start)
    while p_end <= end:
        if p_start >= start:
            found.append((p_start, p_end))
        p_start, p_end = period_containing(period, p_end + datetime.timedelta(days=1))
    return found


def period_label(period, start):
    if period == MeetingPeriod.MONTH:
        return f"{start.year}年{start.month}月"
    if period == MeetingPeriod.QUARTER:
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    return f"{start.year}年度"


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
