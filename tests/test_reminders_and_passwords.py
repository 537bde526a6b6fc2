"""Reminders by e-mail (send_reminders) and passwords handed out by the office, used once."""
import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from scoped_district import as_user, district, office, secretary  # noqa: F401

from branches import models as m

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SHUZHI_SITE_URL = "https://shuzhi.example"


def test_each_secretary_and_the_office_get_their_own_digest_and_nobody_else_does(district, secretary, office):
    secretary.email, office.email = "yuying@example.com", "office@example.com"
    secretary.save(), office.save()
    m.Meeting.objects.create(organization=district.branch, meeting_type=m.MeetingType.objects.get(name="党员大会"),
                             held_on=datetime.date.today(), topic="学习", present=5, on_roll=6,
                             review_status=m.Review.RETURNED, review_reason="缺少签到表")
    m.Meeting.objects.create(organization=district.other, meeting_type=m.MeetingType.objects.get(name="党员大会"),
                             held_on=datetime.date.today(), topic="学习", present=5, on_roll=6,
                             review_status=m.Review.PENDING)
    call_command("send_reminders")
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"yuying@example.com", "office@example.com"}
    mine = by_address["yuying@example.com"].body
    assert "缺少签到表" in mine and "博文" not in mine and "https://shuzhi.example/admin/branches/meeting/" in mine
    assert "博文学校党支部：组织生活1条待审核" in by_address["office@example.com"].body


def test_running_the_reminders_twice_sends_the_same_digest_again_and_changes_nothing(district, secretary):
    secretary.email = "yuying@example.com"
    secretary.save()
    m.RectificationCase.objects.filter(pk=district.case.pk).update(deadline=datetime.date.today())
    before = list(m.RectificationCase.objects.values())
    call_command("send_reminders")
    call_command("send_reminders")
    assert len(mail.outbox) == 2 and mail.outbox[0].body == mail.outbox[1].body
    assert list(m.RectificationCase.objects.values()) == before


def test_a_secretary_account_made_by_the_office_must_change_its_password_at_the_first_login(district):
    member = m.Member.objects.create(name="赵书记", id_number="620402198005060013", birth_date=datetime.date(1980, 5, 6),
                                     join_date=datetime.date(2005, 7, 1), full_member_date=datetime.date(2006, 7, 1),
                                     organization=district.other)
    m.Tenure.objects.create(member=member, organization=district.other, post=m.Member.Post.SECRETARY,
                            started_on=datetime.date(2021, 9, 1))
    out = io.StringIO()
    call_command("create_secretary_accounts", stdout=out)
    given = next(line.split("\t")[2] for line in out.getvalue().splitlines() if line.startswith(district.other.name))
    user = get_user_model().objects.get(username=district.other.name)
    client = as_user(user)
    assert client.get(reverse("admin:index")).url == reverse("admin:password_change")
    assert client.get(reverse("todo")).url == reverse("admin:password_change")
    assert client.get(reverse("admin:password_change")).status_code == 200
    changed = client.post(reverse("admin:password_change"), {
        "old_password": given, "new_password1": "a-new-own-password-2024", "new_password2": "a-new-own-password-2024"})
    assert changed.url == reverse("admin:password_change_done")
    client.get(changed.url)
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_password_the_office_resets_must_be_changed_by_its_holder(district, office, secretary):
    url = reverse("admin:auth_user_password_change", args=[secretary.pk])
    response = as_user(office).post(url, {"password1": "given-by-office-77", "password2": "given-by-office-77",
                                          "usable_password": "true"})
    assert response.status_code == 302
    secretary.refresh_from_db()
    assert secretary.profile.must_change_password
    assert as_user(secretary).get(reverse("admin:index")).url == reverse("admin:password_change")
