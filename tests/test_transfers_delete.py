"""Deleting a 组织关系转接 undoes it: the office corrects a mistaken entry by deleting it, and the member goes back
where the transfer found them (Transfer.delete, Transfer.deletion_refusal). Only a member's latest transfer can be
undone, and a 转入 (the member's arrival on the roll) not at all; refused in Chinese, never half done. Through the
admin with the test client, on the small scoped district."""
import datetime

import pytest
from django.core.exceptions import ValidationError

from branches import models as m
from scoped_district import account, as_user, district, office, secretary  # noqa: F401  (fixtures)

D = datetime.date
WITHIN, OUT, IN = m.Transfer.Kind.WITHIN, m.Transfer.Kind.OUT, m.Transfer.Kind.IN
LIST = "/admin/branches/transfer/"
NOT_LATEST = "只能删除该党员最近一次组织关系转接，请先删除其后的转接。"


@pytest.fixture
def moved(district, build):
    """A member moved twice: 育英学校第一党支部 → 博文学校党支部 in March, then → 育才小学党支部 in June."""
    third = build.org("育才小学党支部")
    member = build.member(district.branch, name="赵志刚")
    make = m.Transfer.objects.create
    first = make(member=member, kind=WITHIN, from_organization=district.branch, to_organization=district.other,
                 transferred_on=D(2026, 3, 2), letter_number="教组转〔2026〕3号")
    second = make(member=member, kind=WITHIN, from_organization=district.other, to_organization=third,
                  transferred_on=D(2026, 6, 1), letter_number="教组转〔2026〕8号")
    member.refresh_from_db()
    assert member.organization == third
    return member, first, second, third


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def delete_one(client, transfer):
    """The admin's delete page: asked (GET), then confirmed (POST), following the redirect."""
    url = f"{LIST}{transfer.pk}/delete/"
    asked = client.get(url, follow=True)
    assert asked.status_code == 200
    return asked, client.post(url, {"post": "yes"}, follow=True)


def delete_selected(client, *transfers):
    """删除所选: the action's confirmation page, then its confirmation, as the admin posts them."""
    chosen = {"action": "delete_selected", "_selected_action": [t.pk for t in transfers]}
    asked = client.post(LIST, chosen, follow=True)
    assert asked.status_code == 200
    return asked, client.post(LIST, {**chosen, "post": "yes"}, follow=True)


# 中国共产党章程 第八条: every member belongs to one branch; undoing a 系统内转接 puts them back in the one they left.
def test_deleting_the_latest_transfer_within_the_district_puts_the_member_back_in_the_organization_it_moved_them_from(
        district, office, moved):
    member, first, second, _ = moved
    _, done = delete_one(as_user(office), second)
    assert done.status_code == 200
    assert not m.Transfer.objects.filter(pk=second.pk).exists()
    member.refresh_from_db()
    assert member.organization == district.other and member.roll_status == m.Member.Roll.ON_ROLL
    # The history says what happened to both records, in the office's name.
    gone = m.Transfer.history.filter(id=second.pk, history_type="-").get()
    assert gone.history_user == office
    latest = member.history.latest()
    assert latest.organization_id == district.other.pk and "删除系统内转接（2026-06-01）" in latest.history_change_reason
    assert latest.history_user == office


def test_deleting_a_transfer_that_is_not_the_members_latest_is_refused_with_a_message_and_changes_nothing(
        district, office, moved):
    member, first, second, third = moved
    asked, posted = delete_one(as_user(office), first)
    for response in (asked, posted):
        assert any(NOT_LATEST in text for text in messages_of(response))
    assert m.Transfer.objects.filter(pk__in=[first.pk, second.pk]).count() == 2
    member.refresh_from_db()
    assert member.organization == third
    assert not m.Transfer.history.filter(history_type="-").exists()


def test_deleting_a_transfer_out_puts_the_member_back_on_the_roll_with_the_posts_it_ended(district, office, build):
    member = build.member(district.branch, name="周国庆", post=m.Member.Post.ORGANIZATION)
    out = m.Transfer.objects.create(member=member, kind=OUT, from_organization=district.branch,
                                    outside_unit="中共兰州市城关区委", transferred_on=D(2026, 7, 1))
    member.refresh_from_db()
    assert member.roll_status == m.Member.Roll.TRANSFERRED and member.left_on == D(2026, 7, 1)
    assert member.tenures.get().ended_on == D(2026, 7, 1)
    delete_one(as_user(office), out)
    member.refresh_from_db()
    assert (member.roll_status, member.left_on, member.organization) == (m.Member.Roll.ON_ROLL, None, district.branch)
    tenure = member.tenures.get()
    assert tenure.ended_on is None and "恢复任职" in tenure.history.latest().history_change_reason
    assert m.Member.objects.as_of(D(2026, 8, 1)).filter(pk=member.pk, organization_on=district.branch.pk).exists()


def test_a_post_taken_by_someone_else_since_the_transfer_out_stays_ended(district, office, build):
    member = build.member(district.branch, name="周国庆", post=m.Member.Post.SECRETARY)
    out = m.Transfer.objects.create(member=member, kind=OUT, from_organization=district.branch,
                                    outside_unit="中共兰州市城关区委", transferred_on=D(2026, 7, 1))
    successor = build.member(district.branch, name="吴海燕")
    build.tenure(successor, m.Member.Post.SECRETARY, since=D(2026, 8, 1))
    delete_one(as_user(office), out)
    member.refresh_from_db()
    assert member.roll_status == m.Member.Roll.ON_ROLL
    assert member.tenures.get().ended_on == D(2026, 7, 1)


def test_deleting_a_transfer_in_is_refused_the_member_came_onto_the_roll_by_it(district, office, build):
    newcomer = build.member(district.branch, name="钱文博")
    arrival = m.Transfer.objects.create(member=newcomer, kind=IN, to_organization=district.branch,
                                        outside_unit="中共天水市秦州区委", transferred_on=D(2026, 9, 1))
    _, posted = delete_one(as_user(office), arrival)
    assert any("转入是该党员进入本系统党员名册的记录，不能单独删除" in text for text in messages_of(posted))
    assert m.Transfer.objects.filter(pk=arrival.pk).exists()
    with pytest.raises(ValidationError):
        arrival.delete()
    assert m.Transfer.objects.filter(pk=arrival.pk).exists()


def test_deleting_the_selected_latest_transfers_undoes_them_latest_first(district, office, moved):
    member, first, second, _ = moved
    asked, done = delete_selected(as_user(office), first, second)
    assert "delete_selected_confirmation" in asked.templates[0].name  # Django's own confirmation page first
    assert not m.Transfer.objects.filter(member=member).exists()
    member.refresh_from_db()
    assert member.organization == district.branch
    assert m.Transfer.history.filter(history_type="-").count() == 2


def test_deleting_selected_transfers_with_one_refused_deletes_none_and_names_it(district, office, moved, build):
    member, first, second, third = moved
    other = build.member(district.branch, name="孙丽娟")
    fine = m.Transfer.objects.create(member=other, kind=WITHIN, from_organization=district.branch,
                                     to_organization=third, transferred_on=D(2026, 5, 6))
    for step in delete_selected(as_user(office), first, fine):
        assert step.status_code == 200
        texts = messages_of(step)
        assert "未删除任何转接。" in texts and any(str(first) in t and NOT_LATEST in t for t in texts)
    assert m.Transfer.objects.filter(pk__in=[first.pk, second.pk, fine.pk]).count() == 3
    other.refresh_from_db()
    member.refresh_from_db()
    assert other.organization == third and member.organization == third


def test_the_receiving_secretary_cannot_delete_the_senders_transfer(district, secretary, build):
    outsider = build.member(district.other, name="王强")
    sent = m.Transfer.objects.create(member=outsider, kind=WITHIN, from_organization=district.other,
                                     to_organization=district.branch, transferred_on=D(2026, 8, 3))
    client = as_user(secretary)
    assert client.post(f"{LIST}{sent.pk}/delete/", {"post": "yes"}).status_code == 403
    assert m.Transfer.objects.filter(pk=sent.pk).exists()
