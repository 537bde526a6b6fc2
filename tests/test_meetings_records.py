"""Meeting records, their periods, and each branch's meetings held against what the regulations ask."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branches import models as m
from branches import periods
from branches.periods import window
from reports.meetings import compliance

P = m.Member.Post
D = datetime.date


def test_the_migration_seeds_the_regulations_frequencies(db):
    seeded = {t.name: (t.period, t.scope) for t in m.MeetingType.objects.all()}
    assert seeded == {
        "党员大会": ("quarter", "branches"), "支委会": ("month", "with_committee"), "党小组会": ("month", "with_committee"),
        "党课": ("quarter", "branches"), "主题党日": ("month", "branches"),
        "组织生活会": ("year", "branches"), "民主评议党员": ("year", "branches"),
    }


@pytest.mark.parametrize("period, day, start, end", [
    ("month", D(2024, 2, 10), D(2024, 2, 1), D(2024, 2, 29)),
    ("quarter", D(2023, 11, 30), D(2023, 10, 1), D(2023, 12, 31)),
    ("year", D(2023, 1, 1), D(2023, 1, 1), D(2023, 12, 31)),
])
def test_a_period_is_the_calendar_month_quarter_or_year_holding_the_day(period, day, start, end):
    assert periods.period_containing(period, day) == (start, end)


def test_the_last_complete_period_is_the_running_one_only_on_its_last_day():
    assert periods.last_complete_period("quarter", D(2023, 12, 31)) == (D(2023, 10, 1), D(2023, 12, 31))
    assert periods.last_complete_period("quarter", D(2023, 12, 30)) == (D(2023, 7, 1), D(2023, 9, 30))
    assert periods.last_complete_period("year", D(2024, 3, 1)) == (D(2023, 1, 1), D(2023, 12, 31))


# -- the record -------------------------------------------------------------------------------------
def meeting(org, **kw):
    kw.setdefault("meeting_type", m.MeetingType.objects.get(name="党员大会"))
    kw.setdefault("held_on", D(2023, 5, 6))
    return m.Meeting(organization=org, topic="学习", present=kw.pop("present", 8), on_roll=kw.pop("on_roll", 10), **kw)


def errors_of(obj):
    with pytest.raises(ValidationError) as err:
        obj.full_clean()
    return err.value.message_dict


def test_more_present_than_on_the_roll_is_refused(build):
    assert "不能多于应到人数" in errors_of(meeting(build.org(), present=11, on_roll=10))["present"][0]
    meeting(build.org(), present=10, on_roll=10).full_clean()


def test_a_meeting_cannot_be_dated_in_the_future_or_before_the_organization_existed(build):
    org = build.org(founded_on=D(2023, 3, 1))
    assert "晚于今天" in errors_of(meeting(org, held_on=m.today() + datetime.timedelta(days=1)))["held_on"][0]
    assert "早于党组织成立日期" in errors_of(meeting(org, held_on=D(2023, 2, 28)))["held_on"][0]
    meeting(org, held_on=D(2023, 3, 1)).full_clean()


def test_meetings_are_not_recorded_under_the_working_committee(build):
    assert "教育工委" in errors_of(meeting(build.root))["organization"][0]


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_an_attachment_must_be_a_pdf_word_file_or_image_and_its_content_must_match(build, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    org = build.org()
    ok = meeting(org, attachment=SimpleUploadedFile("会议记录.pdf", PDF))
    ok.full_clean()
    assert "只能是PDF" in errors_of(meeting(org, attachment=SimpleUploadedFile("run.exe", b"MZ\x90\x00")))["attachment"][0]
    renamed = SimpleUploadedFile("照片.jpg", b"<html>not a photo</html>")
    assert "不是JPG文件" in errors_of(meeting(org, attachment=renamed))["attachment"][0]


def test_an_attachment_over_the_size_limit_is_refused(build, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SHUZHI = {**settings.SHUZHI, "MEETING_ATTACHMENT_MAX_MB": 1}
    org = build.org()
    just = SimpleUploadedFile("a.pdf", PDF + b"0" * (1024 * 1024 - len(PDF)))
    meeting(org, attachment=just).full_clean()
    over = SimpleUploadedFile("b.pdf", PDF + b"0" * (1024 * 1024 - len(PDF) + 1))
    assert "不能超过1MB" in errors_of(meeting(org, attachment=over))["attachment"][0]


# -- held against expected -----------------------------------------------------------------------------
def branch(build, committee=False, **kw):
    org = build.org(**kw)
    posts = [P.SECRETARY, P.ORGANIZATION, P.PUBLICITY] if committee else [P.SECRETARY]
    for i in range(7 if committee else 3):
        build.member(org, post=posts[i] if i < len(posts) else "")
    return org


def cells(result, org):
    row = next(r for r in result.rows if r.organization == org)
    return {t.name: c and (c.held, c.expected, c.met) for t, c in row.cells.items()}


def test_each_branch_is_counted_per_type_periods_met_not_meetings_held(build, meet):
    org = branch(build, committee=True)
    for month in range(1, 11):  # committee meetings in ten months, twice in October
        meet(org, "支委会", D(2023, month, 3))
    meet(org, "支委会", D(2023, 10, 20))
    meet(org, "党员大会", D(2023, 2, 1))
    meet(org, "党员大会", D(2023, 3, 1))  # a second one in the first quarter does not stand in for the others
    result = compliance(2023, on=D(2024, 1, 1))
    got = cells(result, org)
    assert got["支委会"] == (11, 12, 10)
    assert got["党员大会"] == (2, 4, 1)
    assert got["组织生活会"] == (0, 1, 0)


def test_committee_meetings_are_not_expected_of_a_branch_without_a_committee(build):
    org = branch(build)
    got = cells(compliance(2023, on=D(2024, 1, 1)), org)
    assert got["支委会"] is None and got["党小组会"] is None
    assert got["主题党日"] == (0, 12, 0)


def test_a_quarter_asks_nothing_yearly_and_periods_still_running_are_not_expected(build, meet):
    org = branch(build)
    result = compliance(2023, "quarter", 4, on=D(2023, 11, 15))
    assert [t.name for t in result.types] == ["党员大会", "支委会", "党小组会", "党课", "主题党日"]
    assert cells(result, org)["主题党日"] == (0, 1, 0)  # October only: November is still running
    assert cells(result, org)["党员大会"] is None  # the quarter has not ended


def test_a_branch_founded_mid_year_is_expected_only_from_its_first_whole_period(build):
    org = branch(build, founded_on=D(2023, 7, 1))
    got = cells(compliance(2023, on=D(2024, 1, 1)), org)
    assert got["主题党日"] == (0, 6, 0) and got["党员大会"] == (0, 2, 0) and got["组织生活会"] is None


def test_the_district_rate_is_given_by_unit_category_and_by_public_and_private(build, meet):
    public = branch(build)
    private = branch(build, unit_category=m.UnitCategory.PRIVATE_SCHOOL)
    for month in range(1, 13):
        meet(public, "主题党日", D(2023, month, 5))
        if month % 2:
            meet(private, "主题党日", D(2023, month, 5))
    result = compliance(2023, on=D(2024, 1, 1))
    # Per branch: 12 主题党日 + 4 党员大会 + 4 党课 + 1 组织生活会 + 1 民主评议党员 expected.
    assert (result.by_ownership[m.Ownership.PUBLIC].met, result.by_ownership[m.Ownership.PUBLIC].expected) == (12, 22)
    assert (result.by_ownership[m.Ownership.PRIVATE].met, result.by_ownership[m.Ownership.PRIVATE].expected) == (6, 22)
    categories = {(label, ownership): (n, tally.met) for label, ownership, n, tally in result.by_category}
    assert categories == {("小学", "公办"): (1, 12), ("民办学校", "民办"): (1, 6)}
    theme_day = next(t for t in result.types if t.name == "主题党日")
    assert result.by_type[theme_day][m.Ownership.PRIVATE].rate == 0.5


def test_compliance_can_be_limited_to_a_subtree(build):
    mine, _other = branch(build), branch(build)
    result = compliance(2023, organizations=m.Organization.objects.filter(pk=mine.pk), on=D(2024, 1, 1))
    assert [r.organization for r in result.rows] == [mine]


@pytest.mark.parametrize("args, message", [
    ((1999,), "年度应为2000至2100"), ((2023, "quarter", 5), "季度应为1至4"),
    ((2023, "month", 0), "月份应为1至12"), ((2023, "week"), "统计周期"),
])
def test_a_window_that_is_not_a_year_quarter_or_month_is_refused_in_chinese(args, message):
    with pytest.raises(ValueError, match=message):
        window(*args)


def test_compliance_costs_three_queries_whatever_the_number_of_branches_and_meetings(build, meet):
    def add(n):
        for _ in range(n):
            org = branch(build, committee=True)
            for month in range(1, 13):
                meet(org, "支委会", D(2023, month, 2))

    add(1)
    with CaptureQueriesContext(connection) as small:
        compliance(2023, on=D(2024, 1, 1))
    add(8)
    with CaptureQueriesContext(connection) as large:
        result = compliance(2023, on=D(2024, 1, 1))
    assert len(result.rows) == 9
    assert len(small) == len(large) == 3  # meeting types, branches with their parents, meetings
