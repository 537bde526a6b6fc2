"""Every page and command reads its year, date and period by one rule (branches/forms.py): full-width digits as a
Chinese input method types them are understood, anything else gets the same Chinese message and a 400, never a 500."""
import datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import escape

from branches import models as m
from branches.dates import today
from branches.forms import date_messages, parse_date, parse_year, year_message
from branches.periods import YEARS

# Each is refused: superscripts (which NFKC alone would make digits), Chinese numerals, decimals, signs, a year
# with a unit, twenty and five thousand digits, years just outside the range, a NUL, a lone ideographic space
# followed by text, hex.
BAD_YEARS = ["²⁰²³", "2²23", "二〇二三", "2023.0", "-2023", "２０２３年", "9" * 20, "9" * 5000, "1999", "2101",
             "0x7e7", "20\x0023", "abc", "2023' OR 1=1"]
BAD_DATES = ["２０２３－１３－０１", "2023-02-30", "²⁰²³-12-31", "31/12/2023", "2023-12-31T00:00", "9" * 20,
             "9999-12-31", "1999-12-31", "二〇二三年十二月三十一日", "2023-12-31' --"]


def past_message(value):
    return year_message(value, YEARS[0], today().year)


def any_year_message(value):
    return year_message(value, YEARS[0], YEARS[-1])


def test_full_width_digits_and_an_ideographic_space_are_read_as_ascii():
    assert parse_year("２０２３") == 2023
    assert parse_year("\u3000２０２３ ") == 2023
    assert parse_date("２０２３－１２－３１") == datetime.date(2023, 12, 31)
    assert parse_date("2023-1-5") == datetime.date(2023, 1, 5)
    assert parse_year("") is None and parse_year("  ") is None and parse_date(None) is None


@pytest.mark.parametrize("value", BAD_YEARS)
def test_every_bad_year_gets_one_message_naming_the_range(value):
    with pytest.raises(Exception) as raised:
        parse_year(value)
    assert raised.value.messages == [any_year_message(value)]
    message = any_year_message(value)
    assert "年度" in message and "2000年至2100年" in message and len(message) < 120  # a long value is cut short


@pytest.mark.parametrize("value", BAD_DATES)
def test_every_bad_date_gets_a_chinese_message(value):
    with pytest.raises(Exception) as raised:
        parse_date(value)
    assert raised.value.messages[0] in date_messages(value).values()


@pytest.mark.parametrize("name", ["dashboard", "annual_report", "annual_report_docx", "annual_report_xlsx"])
@pytest.mark.parametrize("value", BAD_YEARS)
def test_the_pages_of_past_years_refuse_a_bad_year_with_the_same_message(admin_client, name, value):
    response = admin_client.get(reverse(name), {"year": value})
    assert response.status_code == 400
    assert escape(past_message(value)) in response.content.decode()


@pytest.mark.parametrize("value", BAD_YEARS)
def test_the_compliance_page_refuses_a_bad_year_with_the_same_message(admin_client, value):
    response = admin_client.get(reverse("meeting_compliance"), {"year": value, "period": "quarter", "number": "1"})
    assert response.status_code == 400
    assert escape(any_year_message(value)) in response.content.decode()


@pytest.mark.parametrize("param", ["approved", "elected", "unassessed"])
@pytest.mark.parametrize("value", ["²⁰²³", "9" * 20, "二〇二三", "2101"])
def test_the_admin_year_filters_refuse_a_bad_year_with_the_same_message(admin_client, param, value):
    response = admin_client.get("/admin/branches/organization/", {param: value})
    assert response.status_code == 200 and list(response.context["cl"].result_list) == []
    assert any(any_year_message(value) in str(message) for message in response.context["messages"])


@pytest.mark.parametrize("value", BAD_YEARS)
def test_the_report_command_refuses_a_bad_year_with_the_same_message(db, tmp_path, value):
    with pytest.raises(CommandError) as raised:
        call_command("annual_report", "--year", value, "--output", str(tmp_path / "report.docx"))
    assert str(raised.value) == past_message(value)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("value", BAD_DATES)
def test_the_warning_list_its_command_and_the_admin_state_date_refuse_a_bad_date_alike(admin_client, value):
    with pytest.raises(CommandError) as raised:
        call_command("warnings", date=value)
    message = str(raised.value)
    assert message in date_messages(value).values()
    response = admin_client.get(reverse("warnings"), {"date": value})
    assert response.status_code == 400 and escape(message) in response.content.decode()
    response = admin_client.get("/admin/branches/organization/", {"asof": value})
    assert response.status_code == 200
    assert [str(x) for x in response.context["messages"]] == [f"状态日期无效：{message}已按今天统计。"]


def test_a_year_in_full_width_digits_is_understood_on_every_page(build, admin_client, tmp_path):
    org = build.org(approved_on=datetime.date(2023, 5, 1))
    response = admin_client.get(reverse("dashboard"), {"year": "２０２３"})
    assert response.status_code == 200 and response.context["year"] == 2023
    response = admin_client.get(reverse("meeting_compliance"), {"year": "２０２３", "period": "quarter", "number": "４"})
    assert response.status_code == 200 and "2023年第4季度" in response.content.decode()
    for name in ("annual_report_docx", "annual_report_xlsx"):
        assert admin_client.get(reverse(name), {"year": "２０２３"}).status_code == 200
    response = admin_client.get("/admin/branches/organization/", {"approved": "２０２３"})
    assert list(response.context["cl"].result_list) == [org]
    call_command("annual_report", "--year", "２０２３", "--output", str(tmp_path / "report.docx"))
    assert (tmp_path / "report.docx").stat().st_size > 0


def test_a_date_in_full_width_digits_is_understood_on_every_page(build, admin_client, capsys):
    later = build.org(approved_on=datetime.date(2024, 5, 1))
    response = admin_client.get(reverse("warnings"), {"date": "２０２３－１２－３１"})
    assert response.status_code == 200 and response.context["on"] == datetime.date(2023, 12, 31)
    response = admin_client.get("/admin/branches/organization/", {"asof": "２０２３－１２－３１"})
    assert list(response.context["messages"]) == []
    assert later not in response.context["cl"].result_list  # approved after that day
    call_command("warnings", date="２０２３－１２－３１")
    assert capsys.readouterr().out.startswith("截至2023-12-31")


@pytest.mark.parametrize("params", [{"year": ""}, {"year": "  "}, {}])
def test_a_blank_year_opens_the_pages_default(db, admin_client, params):
    assert admin_client.get(reverse("dashboard"), params).context["year"] == today().year
    assert admin_client.get(reverse("annual_report"), params).context["year"] == today().year - 1
    assert admin_client.get(reverse("meeting_compliance"), params).context["year"] == today().year


def test_a_future_year_is_refused_where_only_the_past_can_be_shown_and_allowed_where_periods_are_planned(admin_client):
    future = str(today().year + 1)
    assert admin_client.get(reverse("dashboard"), {"year": future}).status_code == 400
    assert admin_client.get(reverse("annual_report"), {"year": future}).status_code == 400
    assert admin_client.get(reverse("meeting_compliance"), {"year": future}).status_code == 200


@pytest.mark.parametrize("params, message", [
    ({"year": "2023", "period": "quarter", "number": "²"}, "季度应为1至4"),
    ({"year": "2023", "period": "month", "number": "9" * 20}, "月份应为1至12"),
    ({"year": "2023", "period": "quarter", "number": "４"}, None),
])
def test_the_period_number_is_read_by_the_same_rule(db, admin_client, params, message):
    response = admin_client.get(reverse("meeting_compliance"), params)
    if message is None:
        assert response.status_code == 200
    else:
        assert response.status_code == 400 and message in response.content.decode()


def test_the_warning_page_lists_every_bad_parameter_at_once(admin_client):
    response = admin_client.get(reverse("warnings"), {"date": "²⁰²³-12-31", "rule": "x" * 500, "ownership": "state"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "无法识别" in page and "没有编号为“" + "x" * 20 + "”的预警规则" in page and "办学性质应为公办或民办" in page
    assert m.Organization.objects.count() == 0
