"""The dashboard: the seed report's picture of 2023, every count followed to the admin list behind it."""
import datetime
import html
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory
from django.urls import resolve

from branches import models as m
from branches.dates import today

COUNT_LINK = re.compile(r'<a class="num[^"]*" href="([^"]+)"[^>]*>(\d+)</a>')


def counted_links(response):
    return sorted({(html.unescape(url), int(value)) for url, value in COUNT_LINK.findall(response.content.decode())})


def changelist_count(url, user):
    """The admin's own ChangeList for the link (its filters, its queryset), without rendering 100 rows."""
    parts = urlsplit(url)
    model_admin = resolve(parts.path).func.model_admin
    request = RequestFactory().get(parts.path, dict(parse_qsl(parts.query)))
    request.user, request._messages = user, CookieStorage(request)
    changelist = model_admin.get_changelist_instance(request)
    return changelist.result_count, [str(message) for message in request._messages]


def test_the_seed_reports_numbers_open_admin_lists_that_show_them(demo, admin_client):
    n = admin_client.get("/dashboard/").context["n"]
    for name in ("basic", "members", "met", "held", "approved", "provincial", "city_district", "exemplary",
                 "overdue", "conversion_overdue", "no_secretary", "past_deadline"):
        listing = admin_client.get(n[name].url)
        assert listing.status_code == 200, name
        assert not list(listing.context["messages"]), name
        assert listing.context["cl"].result_count == n[name].value, name


@pytest.mark.parametrize("year", [2023, 2022, None])
def test_every_count_on_the_dashboard_links_to_an_admin_list_of_exactly_that_many_records(demo, admin_client, year):
    response = admin_client.get("/dashboard/", {"year": year} if year else {})
    assert response.status_code == 200
    links = counted_links(response)
    assert len(links) > 100
    user = response.wsgi_request.user
    for url, value in links:
        count, warnings = changelist_count(url, user)
        assert not warnings, url  # no filter value was rejected
        assert count == value, url


def test_the_dashboard_opens_on_2023_with_the_seed_reports_figures(demo, admin_client):
    response = admin_client.get("/dashboard/")
    assert response.status_code == 200
    assert response.context["year"] == 2023  # the demo has no records in the current year
    n = response.context["n"]
    assert (n["basic"].value, n["members"].value, n["met"].value, n["held"].value) == (68, 3800, 84, 26)
    assert (n["approved"].value, n["provincial"].value, n["city_district"].value, n["exemplary"].value) == (3, 68, 185, 2)
    page = response.content.decode()
    assert "2023年度 基层党建工作看板" in page and "数据截至2023年12月31日" in page
    assert "目标80" in page  # the year's standardization target (AnnualPlan), drawn on the bar


def test_the_dashboard_opens_on_the_current_year_once_it_has_records(demo, admin_client):
    m.WorkLogEntry.objects.create(date=today(), kind=m.WorkKind.COMMITTEE_MEETING, title="党工委会议")
    response = admin_client.get("/dashboard/")
    assert response.context["year"] == today().year
    assert response.context["f"].as_of == today()


def test_an_empty_system_opens_on_the_current_year(db, admin_client):
    response = admin_client.get("/dashboard/")
    assert response.status_code == 200
    assert response.context["year"] == today().year and response.context["n"]["members"].value == 0


@pytest.mark.parametrize("year", ["abc", "1800", "3000", "2023.5", "-2023", "2023' OR 1=1", "²⁰²³", "9" * 5000])
def test_a_bad_year_gets_a_clear_chinese_message_not_a_server_error(demo, admin_client, year):
    response = admin_client.get("/dashboard/", {"year": year})
    assert response.status_code == 400
    page = response.content.decode()
    assert "无效：请选择" in page and "之间的年度" in page
    assert 'name="year"' in page  # the picker is there to choose again


def test_the_year_picker_offers_every_year_with_records_up_to_this_one(demo, admin_client):
    years = admin_client.get("/dashboard/").context["years"]
    assert years[0] == today().year and 2023 in years and 2022 in years
    assert years == sorted(years, reverse=True)


def test_the_dashboard_asks_for_a_login(db, client):
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response.url.startswith("/admin/login/")
    user = get_user_model().objects.create_user("teacher", password="a-long-test-password")  # not office staff
    client.force_login(user)
    assert client.get("/dashboard/").status_code == 302


def test_the_admin_header_and_index_link_to_the_dashboard(db, admin_client):
    index = admin_client.get("/admin/").content.decode()
    assert index.count('href="/dashboard/"') == 2  # in the header and on the index
    assert 'href="/dashboard/"' in admin_client.get("/admin/branches/member/").content.decode()


def test_past_year_links_read_the_state_on_31_december(demo, admin_client):
    n = admin_client.get("/dashboard/", {"year": 2022}).context["n"]
    assert "asof=2022-12-31" in n["overdue"].url and "asof=2022-12-31" in n["members"].url
    assert n["basic"].value == 68 - m.Organization.objects.basic_level().filter(approved_on__year=2023).count()
    # The roll as it stood that day: the member whose probation was cancelled in May 2023 was still on it.
    assert n["members"].value == m.Member.objects.as_of(datetime.date(2022, 12, 31)).count()
    assert m.Member.objects.as_of(datetime.date(2022, 12, 31)).filter(roll_status=m.Member.Roll.CANCELLED).exists()
