"""The office's working year: picked once in the header, kept in the session, read by the lists, the warnings,
the meeting compliance page and the dashboard; until it is picked, the last year that has records."""
import datetime
import re

import pytest
from django.urls import reverse

from branches import models as m
from branches import working_year
from branches.dates import today
from branches.early_warning import evaluate

ORGS = reverse("admin:branches_organization_changelist")
YEAR_END = datetime.date(2023, 12, 31)


def choose(client, year, back=ORGS):
    return client.post(reverse("working_year"), {"year": year, "next": back})


def as_of_day(response):
    return response.context["cl"].result_list[0].as_of_day


def test_without_a_choice_the_demo_is_read_as_of_the_end_of_its_last_year_with_records(demo, admin_client):
    response = admin_client.get(ORGS)
    assert as_of_day(response) == YEAR_END
    assert admin_client.get(reverse("warnings")).context["on"] == YEAR_END
    assert admin_client.get(reverse("meeting_compliance")).context["year"] == 2023
    assert admin_client.get(reverse("dashboard")).context["year"] == 2023
    assert admin_client.get(reverse("annual_report")).context["year"] == 2023
    # Judged on its own year, the 2023 district is not all red, as it was when read as of today.
    on_year_end = len(evaluate(YEAR_END).by_organization)
    assert on_year_end < len(evaluate(today()).by_organization)
    flagged = sum(bool(o.warning_hits) for o in response.context["cl"].result_list)
    assert flagged < len(response.context["cl"].result_list)


def test_the_year_chosen_in_the_header_is_kept_and_every_page_follows_it(demo, admin_client):
    response = choose(admin_client, "2022")
    assert response.status_code == 302 and response["Location"] == ORGS
    page = admin_client.get(ORGS)
    assert as_of_day(page) == datetime.date(2022, 12, 31)
    assert re.search(r'<option value="2022" selected>2022年</option>', page.content.decode())
    assert "工作年度已设为2022年。" in [str(message) for message in page.context["messages"]]
    assert admin_client.get(reverse("warnings")).context["on"] == datetime.date(2022, 12, 31)
    assert admin_client.get(reverse("meeting_compliance")).context["year"] == 2022
    assert admin_client.get(reverse("dashboard")).context["year"] == 2022
    members = admin_client.get(reverse("admin:branches_member_changelist"))
    assert members.context["cl"].result_list[0].as_of_day == datetime.date(2022, 12, 31)


def test_an_address_that_names_a_day_or_year_still_wins_over_the_working_year(demo, admin_client):
    choose(admin_client, "2022")
    assert as_of_day(admin_client.get(ORGS, {"asof": "2023-06-30"})) == datetime.date(2023, 6, 30)
    assert admin_client.get(reverse("dashboard"), {"year": "2021"}).context["year"] == 2021
    assert admin_client.get(reverse("warnings"), {"date": "2023-12-31"}).context["on"] == YEAR_END


def test_the_working_year_of_this_year_reads_today_not_a_day_to_come(demo, admin_client):
    choose(admin_client, str(today().year))
    assert as_of_day(admin_client.get(ORGS)) == today()


@pytest.mark.parametrize("year", ["", "abc", "1999", str(today().year + 1)])
def test_a_bad_working_year_is_refused_with_a_chinese_message_and_changes_nothing(db, admin_client, year):
    choose(admin_client, "2022")
    response = admin_client.post(reverse("working_year"), {"year": year, "next": ORGS}, follow=True)
    assert response.status_code == 200
    assert any("年度" in str(message) for message in response.context["messages"])
    assert admin_client.session[working_year.SESSION_KEY] == 2022


def test_the_working_year_goes_back_only_to_a_page_of_this_site_and_only_by_post(db, admin_client):
    from django.test import Client

    assert choose(admin_client, "2022", back="https://elsewhere.example/")["Location"] == reverse("admin:index")
    assert admin_client.get(reverse("working_year")).status_code == 405
    anonymous = Client()
    response = anonymous.post(reverse("working_year"), {"year": "2022"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert working_year.SESSION_KEY not in anonymous.session


def test_with_no_records_the_working_year_is_this_year(db, admin_client):
    assert working_year.record_years() == (None, None)
    assert admin_client.get(reverse("dashboard")).context["year"] == today().year
    assert admin_client.get(reverse("meeting_compliance")).context["year"] == today().year


def test_the_last_year_with_records_is_the_latest_dated_record_of_any_kind(build):
    org = build.org()
    build.member(org, join=datetime.date(2019, 7, 1))
    assert working_year.record_years() == (2019, 2019)
    m.Assessment.objects.create(organization=org, year=2021, result="passed", assessed_on=datetime.date(2021, 12, 1))
    m.WorkLogEntry.objects.create(date=datetime.date(2022, 3, 1), kind=m.WorkKind.GUIDANCE, title="指导")
    assert working_year.record_years() == (2019, 2022)
    assert working_year.default_year(2022) == 2022
    assert working_year.default_year(today().year + 3) == today().year  # records dated ahead: this year
