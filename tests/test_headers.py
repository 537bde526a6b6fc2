"""Every response says what a page may load (nothing from outside), and nothing a logged-in user is shown (the
dashboard, the reports, exports and attachments with personal data) is kept in a cache."""
import pytest
from django.urls import reverse

from shuzhi.middleware import CONTENT_SECURITY_POLICY


def test_the_login_page_has_the_content_security_policy_and_may_be_cached(client, db):
    response = client.get("/admin/login/")
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "default-src 'self'" in CONTENT_SECURITY_POLICY and "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "http" not in CONTENT_SECURITY_POLICY  # no outside source anywhere


@pytest.mark.parametrize("url", [
    "/dashboard/", "/warnings/", "/meetings/compliance/", "/todo/", "/report/?year=2023", "/report/xlsx/?year=2023",
    "/admin/branches/member/export/", "/admin/branches/member/template/", "/admin/branches/member/",
])
def test_what_a_logged_in_user_is_shown_is_never_stored(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 200, url
    assert "no-store" in response["Cache-Control"] and response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
