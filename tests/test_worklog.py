"""The committee's own year is summed from the work log, per kind and per year, in one query."""
import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from branches.models import WorkKind, WorkLogEntry
from reports.worklog import Totals, work_years


def test_entries_are_summed_per_kind_and_year(db):
    WorkLogEntry.objects.create(date=datetime.date(2023, 3, 1), kind=WorkKind.COMMITTEE_MEETING, title="a", topics=3)
    WorkLogEntry.objects.create(date=datetime.date(2023, 12, 31), kind=WorkKind.COMMITTEE_MEETING, title="b", topics=4)
    WorkLogEntry.objects.create(date=datetime.date(2024, 1, 1), kind=WorkKind.COMMITTEE_MEETING, title="c", topics=9)
    WorkLogEntry.objects.create(date=datetime.date(2022, 6, 1), kind=WorkKind.ONE_TO_ONE_TALK, title="d", teams=2, people=7)
    with CaptureQueriesContext(connection) as queries:
        years = work_years(2022, 2023)
    assert len(queries) == 1
    assert years[2023][WorkKind.COMMITTEE_MEETING] == Totals(count=2, topics=7)
    assert years[2022][WorkKind.ONE_TO_ONE_TALK] == Totals(count=1, teams=2, people=7)
    assert years[2022][WorkKind.COMMITTEE_MEETING] == Totals()


def test_the_demo_year_carries_the_seed_reports_work_figures(demo):
    y = work_years(2023)[2023]
    assert (y[WorkKind.COMMITTEE_MEETING].count, y[WorkKind.COMMITTEE_MEETING].topics) == (11, 34)
    assert y[WorkKind.CENTRAL_GROUP].count == 13 and y[WorkKind.BUREAU_STUDY].count == 36
    assert y[WorkKind.TRAINING_CLASS].count == 4 and y[WorkKind.PARTY_LESSON].count == 4
    assert y[WorkKind.COLLECTIVE_TALK].count == 4
    assert (y[WorkKind.ONE_TO_ONE_TALK].teams, y[WorkKind.ONE_TO_ONE_TALK].people) == (15, 68)
    assert (y[WorkKind.SECTION_APPOINTMENT].teams, y[WorkKind.SECTION_APPOINTMENT].people) == (6, 30)
    assert (y[WorkKind.UNIT_APPOINTMENT].teams, y[WorkKind.UNIT_APPOINTMENT].people) == (8, 10)
    assert y[WorkKind.GUIDANCE].count == 3 and y[WorkKind.RESEARCH].count == 2
    assert y[WorkKind.PAPER].count == 5 and y[WorkKind.RESEARCH_TOPIC].count == 3
    assert y[WorkKind.PROBLEM_FIXED].count == 25 and y[WorkKind.PRIVATE_MEETING].count == 3
    assert y[WorkKind.REFLECTION].count > 3000
