"""Remembered figures (branches/version.py, the "figures" cache): the dashboard is computed once and reused until a record changes,
and whatever way a record changes, the next page shows it; in each worker's memory and in Redis alike.

These tests commit (the token is replaced on commit), so they run on a transactional database.
"""
import datetime

import pytest
from conftest import NO_EXTENSION, make_xlsx
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches import models as m
from branches.dates import today
from branches.idcard import make_id_number
from branches import version

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def remembering(figures_cache):
    """Every test here twice: with each worker's own cache, and with the Redis that several workers share."""


@pytest.fixture
def school(build):
    org = build.org(name="红山区实验小学党支部")
    for _ in range(3):
        build.member(org)
    return org


def shown(client, **params):
    """(members on the dashboard, queries the page took)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard"), params)
    assert response.status_code == 200
    return response.context["n"]["members"].value, len(queries)


def test_the_second_dashboard_reuses_the_figures_of_the_first(school, admin_client):
    members, computed = shown(admin_client)
    again, reused = shown(admin_client)
    assert members == again == 3
    assert reused < computed - 20  # the figures' queries are gone; session, user and the token remain


def test_a_member_saved_or_deleted_shows_on_the_next_dashboard(build, school, admin_client):
    assert shown(admin_client)[0] == 3
    newcomer = build.member(school)
    assert shown(admin_client)[0] == 4
    newcomer.delete()
    assert shown(admin_client)[0] == 3


def test_a_change_made_through_the_admin_shows_on_the_next_dashboard(build, school, admin_client):
    member = m.Member.objects.filter(organization=school).first()
    this_year = {"year": today().year}  # a departure today shows on this year's figures; a past year's keep it
    assert shown(admin_client, **this_year)[0] == 3
    url = reverse("admin:branches_member_change", args=[member.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields} | NO_EXTENSION
    data["roll_status"] = m.Member.Roll.TRANSFERRED
    data["left_on"] = today().isoformat()  # every departure has its day
    assert admin_client.post(url, data).status_code == 302
    assert shown(admin_client, **this_year)[0] == 2


def test_an_import_shows_on_the_next_dashboard(school, admin_client, sheets):
    assert shown(admin_client)[0] == 3
    rows = [(f"新党员{i}", make_id_number("620403", datetime.date(1990, 1, 1), i), school.name, "2015-07-01") for i in range(5)]
    preview = sheets.upload("member", make_xlsx(("姓名", "身份证号码", "所在党组织", "入党日期"), *rows))
    assert shown(admin_client)[0] == 3  # the preview wrote nothing
    sheets.confirm("member", preview)
    assert shown(admin_client)[0] == 8


def test_a_rolled_back_change_keeps_the_remembered_figures(build, school, admin_client):
    shown(admin_client)
    before = version.version()
    with pytest.raises(RuntimeError), transaction.atomic():
        build.member(school)
        raise RuntimeError("the save fails after the member was written")
    assert version.version() == before
    members, queries = shown(admin_client)
    assert members == 3


def test_each_scope_and_year_has_figures_of_its_own(build, school, admin_client, django_user_model):
    other = build.org(name="红山区第二小学党支部")
    build.member(other, join=datetime.date(2024, 7, 1))
    call_command("grant_role", "secretary", "secretary", "--organization", school.name, "--password", "a-long-test-password")
    secretary = Client()
    secretary.force_login(django_user_model.objects.get(username="secretary"))
    assert shown(admin_client)[0] == 4
    assert shown(secretary)[0] == 3  # not the office's figures
    assert shown(admin_client, year=2023)[0] == 3  # joined in 2024: not yet a member at the end of 2023


def test_the_organization_list_reuses_its_warnings_until_a_record_changes(build, school, admin_client):
    url = reverse("admin:branches_organization_changelist")

    def warnings_column():
        with CaptureQueriesContext(connection) as queries:
            page = admin_client.get(url).content.decode()
        return 'title="正式党员2人">不足3人</a>' in page, len(queries)

    (flagged, computed), (flagged_again, reused) = warnings_column(), warnings_column()
    assert flagged is flagged_again is False
    assert reused < computed
    m.Member.objects.filter(organization=school).first().delete()
    assert warnings_column()[0] is True  # two full members now: the warning appears at once
