"""No date or number that cannot be true gets in, by the admin's forms or by an import: a meeting in year 1 or with
10^15 attendees, a term of thousands of years. Each is refused on its field with the bound in Chinese."""
import datetime

import pytest
from conftest import make_xlsx
from django.urls import reverse

from branches import models as m
from branches.idcard import make_id_number


def preview_problems(response):
    assert response.status_code == 200
    return {(p.column, p.message) for p in response.context["preview"]["problems"]}


@pytest.fixture
def branch(build):
    return build.org(name="红山区第一小学党支部")


def test_a_meeting_with_more_attendees_than_any_school_has_is_refused(branch, sheets):
    data = make_xlsx(
        ("会议日期", "党支部", "会议类型", "会议主题", "实到人数", "应到人数"),
        (datetime.date(2023, 3, 28), branch.name, "党员大会", "学习", 10**15, 10**15),
    )
    found = preview_problems(sheets.upload("meeting", data))
    assert ("应到人数", "应到人数不能超过10000。") in found
    assert not m.Meeting.objects.exists()


@pytest.mark.parametrize("column, value, message", [
    # 中国共产党章程 第三十一条: 党的基层委员会、总支部委员会、支部委员会每届任期三年至五年.
    ("任期", 7977, "任期不能超过5年（党章规定基层党组织每届任期三年至五年）。"),
    ("任期", 99999999, "任期不能超过5年（党章规定基层党组织每届任期三年至五年）。"),
    ("选举日期", "0001-01-01", "日期不能早于2000年1月1日（本系统登记2000年以来的记录）。"),
])
def test_an_election_row_with_an_impossible_term_or_date_is_refused_on_its_column(branch, sheets, column, value, message):
    row = {"党组织": branch.name, "选举日期": "2023-06-30", "任期": 3}
    row[column] = value
    found = preview_problems(sheets.upload("election", make_xlsx(list(row), list(row.values()))))
    assert ({"任期": "任期（年）"}.get(column, column), message) in found  # reported under the column's full name
    assert not m.Election.objects.exists()


def test_a_huge_term_in_the_admin_form_is_refused_without_an_error_page(branch, admin_client):
    response = admin_client.post(reverse("admin:branches_election_add"), {
        "organization": branch.pk, "held_on": "2023-06-30", "term_years": "7977",
    })
    assert response.status_code == 200
    assert "任期不能超过5年" in response.content.decode()
    assert not m.Election.objects.exists()


@pytest.mark.parametrize("column, message", [
    ("入党日期", "日期不能早于1921年7月1日（中国共产党成立于1921年7月1日）。"),
    ("出生日期", "日期不能早于1900年1月1日（请核对出生日期）。"),
])
def test_a_member_dated_before_the_party_or_born_before_1900_is_refused(branch, sheets, column, message):
    row = {"姓名": "王芳", "身份证号码": make_id_number("620402", datetime.date(1985, 5, 6), 2),
           "所在党组织": branch.name, "入党日期": "2010-07-01", "出生日期": "1985-05-06"}
    row[column] = "1899-12-31" if column == "出生日期" else "1900-01-01"
    found = preview_problems(sheets.upload("member", make_xlsx(list(row), list(row.values()))))
    assert (column, message) in found


def test_an_election_dated_year_1_in_the_admin_is_refused(branch, admin_client):
    response = admin_client.post(reverse("admin:branches_election_add"), {
        "organization": branch.pk, "held_on": "0001-01-01", "term_years": "3",
    })
    assert response.status_code == 200
    assert "日期不能早于2000年1月1日" in response.content.decode()
    assert not m.Election.objects.exists()
