"""Roles, accounts and logging in: the three roles, grant_role, secretary accounts, lock-out, session expiry."""
import datetime
import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from branches import models as m

LOGIN = reverse("admin:login")


def perms(role):
    return {f"{p.content_type.app_label}.{p.codename}" for p in roles.group(role).permissions.select_related("content_type")}


def test_the_migration_sets_up_the_three_roles(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {"工委管理员", "党组织书记", "领导"}
    assert "accounts.view_personal_data" in perms(roles.ADMIN)
    assert "accounts.view_personal_data" not in perms(roles.SECRETARY) | perms(roles.LEADER)


def test_leaders_read_every_record_and_change_none(db):
    leader = perms(roles.LEADER)
    for model in apps.get_app_config("branches").get_models():
        assert f"branches.view_{model._meta.model_name}" in leader
    assert all(p.split(".")[1].startswith("view_") for p in leader)


def test_secretaries_keep_their_organizations_records_and_read_the_catalogues(db):
    secretary = perms(roles.SECRETARY)
    for name in ["member", "election", "assessment", "assessmentitem", "rectificationcase", "rectificationprogress"]:
        assert {f"branches.{a}_{name}" for a in ("add", "change", "delete", "view")} <= secretary
    assert {"branches.view_organization", "branches.view_standarditem", "branches.view_problemcategory"} <= secretary
    assert "branches.change_organization" not in secretary
    assert not any(p.endswith(("_worklogentry", "_annualplan")) or p.startswith("auth.") for p in secretary)


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_grant_role_creates_an_account_with_one_role_and_one_organization(build):
    school = build.org("红山区第一中学党委", kind=m.OrgKind.PARTY_COMMITTEE)
    said = run("grant_role", "yizhong", "secretary", "--organization", "红山区第一中学党委")
    user = get_user_model().objects.get(username="yizhong")
    assert user.is_staff and user.profile.organization == school
    assert [g.name for g in user.groups.all()] == ["党组织书记"]
    password = said.split("初始密码 ")[1].split("（")[0]
    assert user.check_password(password)
    run("grant_role", "yizhong", "leader")
    user.refresh_from_db()
    assert [g.name for g in user.groups.all()] == ["领导"] and user.profile.organization == build.root
    assert user.check_password(password)  # an update keeps the password


@pytest.mark.parametrize("args, says", [
    (["grant_role", "x", "secretary"], "--organization"),
    (["grant_role", "x", "secretary", "--organization", "没有这个组织"], "没有名为"),
    (["grant_role", "x", "superuser"], "invalid choice"),
])
def test_grant_role_refuses_what_it_cannot_do_and_creates_nothing(build, args, says):
    with pytest.raises(CommandError, match=says):
        run(*args)
    assert not get_user_model().objects.filter(username="x").exists()


def test_secretary_accounts_are_created_once_for_every_organization_with_a_secretary(build):
    with_secretary = build.org("甲党支部")
    build.member(with_secretary, name="张书记", post=m.Member.Post.SECRETARY)
    build.org("乙党支部")  # vacant
    said = run("create_secretary_accounts")
    user = get_user_model().objects.get(username="甲党支部")
    assert get_user_model().objects.count() == 1 and user.first_name == "张书记"
    assert user.profile.organization == with_secretary and user.groups.get().name == "党组织书记"
    password = said.splitlines()[0].split("\t")[2]
    client = Client()
    assert client.post(LOGIN, {"username": "甲党支部", "password": password}).status_code == 302
    assert run("create_secretary_accounts").startswith("新建书记账号0个")


@pytest.fixture
def secretary(build):
    user = get_user_model().objects.create_user("甲党支部", password="a-long-test-password")
    return roles.grant(user, roles.SECRETARY, build.org("甲党支部"))


def login(client, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": "甲党支部", "password": password}, REMOTE_ADDR=ip)


def test_five_failed_logins_lock_the_account_on_that_computer(secretary, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "wrong").status_code == 200  # the form again, with its error
    locked = login(client, "wrong")
    assert locked.status_code == 429 and "锁定" in locked.content.decode()
    assert login(client, "a-long-test-password").status_code == 429  # even the right password now
    assert login(Client(), "a-long-test-password", ip="10.0.0.2").status_code == 302  # another computer


def test_a_successful_login_clears_earlier_failures(secretary, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "wrong")
    assert login(client, "a-long-test-password").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "wrong").status_code == 200


def test_an_idle_session_expires_and_the_login_page_comes_back(secretary):
    client = Client()
    assert login(client, "a-long-test-password").status_code == 302
    members = reverse("admin:branches_member_changelist")
    assert client.get(members).status_code == 200
    assert client.session.get_expire_at_browser_close()
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(members).status_code == 302


def test_behind_the_proxy_the_lock_out_follows_the_address_the_proxy_saw_and_a_forged_one_does_not_help(secretary, settings):
    settings.SHUZHI_BEHIND_PROXY = True

    def via_proxy(client, password, client_ip, forged=""):
        return client.post(LOGIN, {"username": "甲党支部", "password": password}, REMOTE_ADDR="127.0.0.1",
                           HTTP_X_FORWARDED_FOR=f"{forged}{client_ip}")

    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        via_proxy(client, "wrong", "10.1.1.1")
    assert via_proxy(client, "a-long-test-password", "10.1.1.1", forged="10.9.9.9, ").status_code == 429
    assert via_proxy(Client(), "a-long-test-password", "10.1.1.2").status_code == 302  # another computer behind the proxy
