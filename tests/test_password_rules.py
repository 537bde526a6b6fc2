"""Wherever a password is set (grant_role, ensure_admin, the admin's forms), Django's validators apply with this
office's minimum: ten characters, not all digits, not a common password, not like the user name."""
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse


@pytest.fixture
def committee(build):
    return build.root


@pytest.mark.parametrize("password, reason", [
    ("1", "至少需要 10 个字符"), ("1234567890123", "只包含数字"), ("short-pw", "至少需要 10 个字符"), ("password123", "太常见"),
])
def test_grant_role_refuses_a_weak_password_and_creates_no_account(committee, password, reason):
    with pytest.raises(CommandError) as refused:
        call_command("grant_role", "wang", "admin", "--password", password, stdout=io.StringIO())
    assert "密码不符合要求" in str(refused.value) and reason in str(refused.value)
    assert not get_user_model().objects.filter(username="wang").exists()


def test_grant_role_takes_a_good_password(committee):
    call_command("grant_role", "wang", "admin", "--password", "红山区-工委-2024", stdout=io.StringIO())
    assert get_user_model().objects.get(username="wang").check_password("红山区-工委-2024")


def test_ensure_admin_refuses_a_weak_password(db):
    with pytest.raises(CommandError, match="密码不符合要求"):
        call_command("ensure_admin", "--password", "12345", stdout=io.StringIO())


def test_the_admin_refuses_a_short_password_for_a_new_account(admin_client):
    response = admin_client.post(reverse("admin:auth_user_add"), {
        "username": "li", "password1": "abc-12345", "password2": "abc-12345", "usable_password": "true",
    })
    assert response.status_code == 200 and "至少需要 10 个字符" in response.content.decode()
    assert not get_user_model().objects.filter(username="li").exists()
