"""The admin list filters the dashboard links to: a past day's state, and bad values told in Chinese, never a 500."""
import datetime

import pytest

from branches import models as m
from branches.dates import add_years

END = datetime.date(2025, 12, 31)


def results(response):
    return list(response.context["cl"].result_list)


def warnings(response):
    return [str(message) for message in response.context["messages"]]


def test_an_election_list_read_on_a_past_day_calls_a_term_ending_that_day_due(build, admin_client):
    org = build.org()
    m.Election.objects.create(organization=org, held_on=add_years(END, -3))
    m.Election.objects.create(organization=org, held_on=datetime.date(2026, 3, 1))  # after that day: not yet known
    url = "/admin/branches/organization/"
    assert results(admin_client.get(url, {"election": "due", "asof": "2025-12-31"})) == [org]
    assert results(admin_client.get(url, {"election": "overdue", "asof": "2026-01-01"})) == [org]
    assert results(admin_client.get(url, {"election": "overdue", "asof": "2026-03-01"})) == []  # re-elected that day
    page = admin_client.get(url, {"asof": "2025-12-31"}).content.decode()
    assert "2025-12-31（应换届）" in page  # the column reads the same day


def test_a_member_list_read_on_a_past_day_leaves_out_later_members_and_counts_ages_then(build, admin_client):
    org = build.org()
    young = build.member(org, born=datetime.date(1995, 12, 31), join=datetime.date(2020, 1, 1))  # 30 on END
    build.member(org, born=datetime.date(1990, 1, 1), join=datetime.date(2026, 1, 5))  # joined after END
    url = "/admin/branches/member/"
    assert results(admin_client.get(url, {"asof": "2025-12-31"})) == [young]
    assert results(admin_client.get(url, {"asof": "2025-12-31", "age": "-30"})) == [young]
    assert results(admin_client.get(url, {"asof": "2025-12-30", "age": "-30"})) == [young]
    assert results(admin_client.get(url, {"asof": "2025-12-31", "age": "31-35"})) == []


def test_an_overdue_conversion_is_judged_on_the_lists_day(build, admin_client):
    org = build.org()
    # Probation ends 2025-08-30; a month for the branch and three for the committee: on time until 2025-12-30.
    late = build.member(org, status=m.Member.Status.PROBATIONARY, join=datetime.date(2024, 8, 30))
    url = "/admin/branches/member/"
    assert results(admin_client.get(url, {"conversion": "overdue", "asof": "2025-12-30"})) == []
    assert results(admin_client.get(url, {"conversion": "overdue", "asof": "2025-12-31"})) == [late]


@pytest.mark.parametrize("url, params, words", [
    ("/admin/branches/organization/", {"asof": "2023-13-45", "election": "overdue"}, "状态日期"),
    ("/admin/branches/organization/", {"asof": "0001-01-01", "staffing": "ageing"}, "状态日期"),
    ("/admin/branches/member/", {"asof": "9999-12-31", "conversion": "overdue", "age": "-30"}, "状态日期"),
    ("/admin/branches/organization/", {"approved": "20x3"}, "批准成立年度"),
    ("/admin/branches/organization/", {"elected": "99999"}, "换届年度"),
    ("/admin/branches/organization/", {"unassessed": "-1"}, "标准化未评定"),
    ("/admin/branches/rectificationcase/", {"closed": "last year"}, "销号年度"),
    ("/admin/branches/member/", {"age": "old"}, "年龄段"),
    ("/admin/branches/member/", {"party_years": "9-5"}, "党龄"),
    ("/admin/branches/member/", {"age": "²-³"}, "年龄段"),
    ("/admin/branches/member/", {"age": "-9999"}, "年龄段"),
    ("/admin/branches/organization/", {"approved": "²⁰²³"}, "批准成立年度"),
])
def test_a_bad_filter_value_gets_a_chinese_message_not_a_server_error(build, admin_client, url, params, words):
    response = admin_client.get(url, params)
    assert response.status_code == 200
    assert any(words in text and "无效" in text for text in warnings(response))


def test_an_unknown_criterion_or_band_lists_nothing_rather_than_everything(build, admin_client):
    build.member(build.org())
    assert results(admin_client.get("/admin/branches/assessment/", {"short": "no-such-item"})) == []
    assert results(admin_client.get("/admin/branches/member/", {"age": "abc"})) == []
