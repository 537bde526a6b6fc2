"""Each rule is written once (branches) and every page says it the same way: the staffing and election states and
their labels, "has a secretary", "founded on", "months between", findings grouped by rule."""
import datetime

import pytest

from branches import early_warning
from branches import models as m
from branches.dates import months_between
from branches.admin.filters import ElectionStatusFilter, StaffingFilter
from reports import warnings

D = datetime.date
P = m.Member.Post


def test_each_state_has_one_code_and_one_label():
    assert dict(m.Staffing.choices) == {"complete": "班子齐全", "no_secretary": "书记空缺", "incomplete": "班子不全"}
    assert dict(m.ElectionState.choices) == {"never": "从未换届", "overdue": "逾期未换届", "due": "应换届", "ok": "任期内"}
    # The rules return the states themselves, so that a page can say their label.
    assert m.staffing_status(m.OrgKind.BRANCH, 3, 0, False) is m.Staffing.NO_SECRETARY
    assert m.election_status(None, D(2023, 12, 31)) is m.ElectionState.NEVER


def test_the_admin_filters_offer_the_states_by_their_one_label(rf):
    request = rf.get("/")
    elections = dict(ElectionStatusFilter(request, {}, m.Organization, None).lookup_choices)
    assert elections == {s.value: s.label for s in (m.ElectionState.OVERDUE, m.ElectionState.DUE, m.ElectionState.NEVER)}
    staffing = dict(StaffingFilter(request, {}, m.Organization, None).lookup_choices)
    assert staffing["no_secretary"] == m.Staffing.NO_SECRETARY.label and staffing["incomplete"] == m.Staffing.INCOMPLETE.label


def test_the_admin_list_and_the_dashboard_say_a_state_in_the_same_words(build, admin_client):
    vacant = build.org(name="无书记党支部")
    build.member(vacant)
    never = build.org(name="未选举党支部")
    build.member(never, post=P.SECRETARY)
    page = admin_client.get("/admin/branches/organization/").content.decode()
    assert m.Staffing.NO_SECRETARY.label in page and m.ElectionState.NEVER.label in page
    board = admin_client.get("/dashboard/").content.decode()
    for label in (m.Staffing.NO_SECRETARY.label, m.Staffing.INCOMPLETE.label, m.ElectionState.OVERDUE.label,
                  m.ElectionState.NEVER.label, f"{m.ELECTION_DUE_MONTHS}个月内{m.ElectionState.DUE.label}"):
        assert label in board, label


def test_an_organization_has_a_secretary_only_while_an_on_roll_member_holds_the_post(build):
    org = build.org()
    build.member(org, post=P.DEPUTY_SECRETARY)
    assert not m.has_secretary(m.Organization.objects.with_staffing().get(pk=org.pk))
    secretary = build.member(org, post=P.SECRETARY)
    assert m.has_secretary(m.Organization.objects.with_staffing().get(pk=org.pk))
    m.Member.objects.filter(pk=secretary.pk).update(roll_status=m.Member.Roll.TRANSFERRED)
    assert not m.has_secretary(m.Organization.objects.with_staffing().get(pk=org.pk))


@pytest.mark.parametrize("founded, approved, expected", [
    (D(2020, 7, 1), D(2020, 6, 20), D(2020, 7, 1)),  # 成立日期 first
    (None, D(2020, 6, 20), D(2020, 6, 20)),  # else the day it was approved
    (None, None, None),
])
def test_an_organization_was_founded_on_its_founding_else_its_approval_in_python_and_in_sql(build, founded, approved, expected):
    org = build.org(founded_on=founded, approved_on=approved)
    assert org.founded == expected
    by = m.Organization.objects.filter(pk=org.pk).founded_by
    if expected is None:
        assert by(D(1990, 1, 1)).exists()  # without either date it always counts
    else:
        assert by(expected).exists() and not by(expected - datetime.timedelta(days=1)).exists()


@pytest.mark.parametrize("earlier, later, months", [
    (D(2023, 1, 10), D(2023, 12, 31), 11), (D(2023, 1, 31), D(2023, 2, 28), 0), (D(2023, 1, 31), D(2023, 3, 1), 1),
    (D(2020, 2, 29), D(2021, 2, 28), 11), (D(2023, 12, 31), D(2023, 12, 31), 0), (D(2023, 1, 1), D(2024, 1, 1), 12),
])
def test_whole_months_between_two_days(earlier, later, months):
    assert months_between(earlier, later) == months


def test_the_panel_gathers_an_organizations_findings_under_their_rule_as_the_list_does(build):
    private = build.org(name="民办党支部", unit_category=m.UnitCategory.PRIVATE_SCHOOL)
    for _ in range(2):
        build.member(private)
    result = early_warning.evaluate(D(2023, 12, 31))
    hits = result.by_organization[private]
    grouped = early_warning.grouped_by_rule(hits)
    assert [h for group in grouped.values() for h in group] == hits  # every hit once, in order
    assert all(private in result.by_rule[r] for r in grouped)
    panel = warnings.panel_context(D(2023, 12, 31))["warning_panel"]
    [row] = [row for row in panel["private_flagged"] if row["organization"] == private]
    assert [reason["title"].split("（")[0] for reason in row["reasons"]] == [r.title for r in grouped]
