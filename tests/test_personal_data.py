"""ID numbers and phone numbers are shown masked to anyone without the "view personal data" permission."""
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts import personal
from branches import models as m
from scoped_district import as_user, district, leader, office, secretary  # noqa: F401  (fixtures)

MEMBERS = reverse("admin:branches_member_changelist")


@pytest.mark.parametrize("value, masked", [
    ("62040219800506123X", "6204**********123X"),
    ("13912345678", "139****5678"),
    ("", ""),
    ("1234", "****"),
])
def test_masks_keep_the_first_and_last_digits_only(value, masked):
    mask = personal.mask_id_number if len(value) == 18 else personal.mask_phone
    assert mask(value) == masked


def test_the_member_list_shows_a_secretary_masked_numbers(district, secretary):
    page = as_user(secretary).get(MEMBERS).content.decode()
    assert "139****5678" in page and "13912345678" not in page
    assert district.member.id_number not in page


def test_the_member_list_shows_the_office_full_numbers(district, office):
    page = as_user(office).get(MEMBERS).content.decode()
    assert "13912345678" in page and "13887654321" in page


def test_granting_the_permission_shows_a_secretary_full_numbers(district, secretary):
    secretary.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    page = as_user(secretary).get(MEMBERS).content.decode()
    assert "13912345678" in page


def test_without_the_permission_a_number_is_found_only_when_typed_in_full(district, secretary):
    client = as_user(secretary)
    assert client.get(MEMBERS, {"q": "1391"}).context["cl"].result_count == 0
    assert client.get(MEMBERS, {"q": "13912345678"}).context["cl"].result_count == 1


def test_a_leaders_read_only_member_page_shows_masked_numbers(district, leader):
    page = as_user(leader).get(reverse("admin:branches_member_change", args=[district.other_member.pk])).content.decode()
    assert "138****4321" in page and "13887654321" not in page
    assert district.other_member.id_number not in page


def test_a_secretary_edits_their_members_real_numbers(district, secretary):
    page = as_user(secretary).get(reverse("admin:branches_member_change", args=[district.member.pk])).content.decode()
    assert 'value="13912345678"' in page


def test_the_history_shows_a_changed_number_masked_to_a_leader(district, leader, office):
    member = district.member
    member.phone = "13700002222"
    member.save()
    history = reverse("admin:branches_member_history", args=[member.pk])
    page = as_user(leader).get(history).content.decode()
    assert "139****5678" in page and "137****2222" in page
    assert "13700002222" not in page and "13912345678" not in page
    assert "13700002222" in as_user(office).get(history).content.decode()


def test_a_leader_cannot_open_a_past_version_in_full(district, leader):
    member = district.member
    member.save()
    version = member.history.latest("history_date").history_id
    response = as_user(leader).get(reverse("admin:branches_member_simple_history", args=[member.pk, version]))
    assert response.status_code == 403
    assert member.id_number not in response.content.decode()
