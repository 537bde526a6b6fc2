"""The district-wide views follow the same rule: the annual report is for those who see the whole district."""
import pytest
from django.test import Client
from django.urls import reverse

from scoped_district import as_user, district, leader, office, secretary  # noqa: F401  (fixtures)

REPORT = ["annual_report", "annual_report_docx", "annual_report_xlsx"]


@pytest.mark.parametrize("name", REPORT)
def test_a_schools_secretary_may_not_open_the_district_report(district, secretary, name):
    response = as_user(secretary).get(reverse(name), {"year": 2023})
    assert response.status_code == 403
    assert "博文学校" not in response.content.decode(errors="ignore")


@pytest.mark.parametrize("name", REPORT)
def test_the_leaders_and_the_office_read_the_district_report(district, leader, office, name):
    for user in (leader, office):
        assert as_user(user).get(reverse(name), {"year": 2023}).status_code == 200


def test_visitors_are_sent_to_the_login_page_for_the_report(district):
    assert Client().get(reverse("annual_report")).status_code == 302
