"""组织关系转接 in the admin: the list, who sees and writes which transfer, 确认接收 by the receiving side, the
介绍信 as .docx, the member's page and the 待办. Through the admin with the test client, on the small scoped district
(育英学校党委 and its branch, and 博文学校党支部 outside it)."""
import datetime
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from accounts import roles
from branches import models as m
from branches.dates import today
from reports import todo
from reports.transfer_letters import VALID_DAYS
from scoped_district import account, as_user, district, office, secretary  # noqa: F401  (fixtures)

D = datetime.date
WITHIN, OUT, IN = m.Transfer.Kind.WITHIN, m.Transfer.Kind.OUT, m.Transfer.Kind.IN
LIST = "/admin/branches/transfer/"


@pytest.fixture
def receiver(district):
    """The receiving side's secretary: 博文学校党支部, outside 育英学校党委."""
    return account("博文学校党支部", roles.SECRETARY, district.other)


@pytest.fixture
def moves(district, build):
    """One transfer each way between the two schools, one 转出 of the district, one between two other branches."""
    leaving = build.member(district.branch, name="赵志刚", gender="男", ethnicity="回族", born=D(1981, 3, 9))
    arriving = build.member(district.other, name="孙丽娟", gender="女")
    retiring = build.member(district.branch, name="周国庆")
    third = build.org("育才小学党支部")
    elsewhere = build.member(third, name="吴海燕")
    make = m.Transfer.objects.create
    return {
        "sent": make(member=leaving, kind=WITHIN, from_organization=district.branch, to_organization=district.other,
                     transferred_on=D(2026, 8, 28), letter_number="教组转〔2026〕12号"),
        "incoming": make(member=arriving, kind=WITHIN, from_organization=district.other, to_organization=district.branch,
                         transferred_on=D(2026, 8, 30), letter_number="教组转〔2026〕13号"),
        "out": make(member=retiring, kind=OUT, from_organization=district.branch, outside_unit="中共兰州市城关区委",
                    transferred_on=D(2026, 7, 1), letter_number="教组转〔2026〕9号", reason=m.Transfer.Reason.HOME),
        "unrelated": make(member=elsewhere, kind=WITHIN, from_organization=third, to_organization=district.other,
                          transferred_on=D(2026, 8, 29), letter_number="教组转〔2026〕14号"),
    }


def listed(client, **query):
    response = client.get(LIST, query)
    assert response.status_code == 200
    return set(response.context["cl"].result_list)


# --- the list -----------------------------------------------------------------------------------
def test_the_office_lists_every_transfer_with_its_route_letter_and_receipt(district, office, moves):
    response = as_user(office).get(LIST)
    page = response.content.decode()
    assert set(response.context["cl"].result_list) == set(moves.values())
    assert "育英学校第一党支部 → 博文学校党支部" in page and "育英学校第一党支部 → 中共兰州市城关区委" in page
    assert "教组转〔2026〕12号" in page and "待接收" in page and "回执未返回" in page
    assert reverse("transfer_letter_docx", args=[moves["sent"].pk]) in page


def test_the_list_filters_by_kind_year_and_receipt_and_finds_by_name_id_number_and_letter(district, office, moves):
    client = as_user(office)
    assert listed(client, kind__exact=OUT) == {moves["out"]}
    assert listed(client, transferred="2026") == set(moves.values())
    assert listed(client, transferred="2025") == set()
    moves["sent"].confirm_receipt(office)
    assert listed(client, receipt="yes") == {moves["sent"]}
    assert listed(client, receipt="no") == {moves["incoming"], moves["out"], moves["unrelated"]}
    assert listed(client, q="孙丽娟") == {moves["incoming"]}
    assert listed(client, q=moves["out"].member.id_number) == {moves["out"]}
    assert listed(client, q="教组转〔2026〕14号") == {moves["unrelated"]}


def test_the_list_takes_the_same_number_of_queries_for_more_transfers(district, office, moves, build):
    client = as_user(office)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for n in range(6):
        member = build.member(district.branch)
        m.Transfer.objects.create(member=member, kind=OUT, from_organization=district.branch, outside_unit="外区",
                                  transferred_on=D(2026, 6, 1 + n))
    with CaptureQueriesContext(connection) as more:
        client.get(LIST)
    assert len(more) == len(few)


# --- scope ---------------------------------------------------------------------------------------
def test_a_secretary_sees_transfers_out_of_and_into_their_subtree_and_no_other(district, secretary, moves):
    client = as_user(secretary)
    assert listed(client) == {moves["sent"], moves["incoming"], moves["out"]}
    unrelated = moves["unrelated"].pk
    for view in ("change", "history", "confirm"):
        assert client.get(f"{LIST}{unrelated}/{view}/").status_code == 404, view
    assert client.get(reverse("transfer_letter_docx", args=[unrelated])).status_code == 404
    assert client.get(reverse("transfer_letters_docx"), {"ids": f"{moves['sent'].pk},{unrelated}"}).status_code == 404


def test_the_receiving_secretary_reads_an_incoming_transfer_but_cannot_change_it(district, receiver, moves):
    client = as_user(receiver)
    sent = moves["sent"]
    page = client.get(f"{LIST}{sent.pk}/change/")
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert client.post(f"{LIST}{sent.pk}/change/", {"kind": OUT, "outside_unit": "外区"}).status_code == 403
    assert client.post(f"{LIST}{sent.pk}/delete/", {"post": "yes"}).status_code == 403
    assert m.Transfer.objects.filter(pk=sent.pk, kind=WITHIN).exists()


def test_autocomplete_offers_a_secretary_only_their_members_and_organizations(district, secretary):
    client = as_user(secretary)

    def offered(field, term=""):
        response = client.get("/admin/autocomplete/", {"app_label": "branches", "model_name": "transfer",
                                                      "field_name": field, "term": term})
        assert response.status_code == 200
        return {int(r["id"]) for r in json.loads(response.content)["results"]}

    assert offered("member") == {district.member.pk}
    assert offered("member", district.other_member.name) == set()
    assert offered("from_organization") == offered("to_organization") == {district.school.pk, district.branch.pk}
    assert offered("to_organization", "博文") == set()


def form(**values):
    data = {"member": "", "kind": WITHIN, "from_organization": "", "to_organization": "", "outside_unit": "",
            "transferred_on": "2026-09-01", "letter_number": "", "reason": "job"}
    return {**data, **values}


def test_a_secretary_records_a_transfer_only_of_their_own_member(district, secretary, build):
    client = as_user(secretary)
    second = build.org("育英学校第二党支部", parent=district.school, unit_category=m.UnitCategory.PRIVATE_SCHOOL)
    outsider = client.post(f"{LIST}add/", form(member=district.other_member.pk, from_organization=district.other.pk,
                                                to_organization=second.pk))
    assert outsider.status_code == 200 and {"member", "from_organization"} <= set(outsider.context["adminform"].form.errors)
    own = client.post(f"{LIST}add/", form(member=district.member.pk, from_organization=district.branch.pk,
                                           to_organization=second.pk, letter_number="育党转〔2026〕1号"))
    assert own.status_code == 302
    assert m.Transfer.objects.get(letter_number="育党转〔2026〕1号").member == district.member


def test_a_transfer_in_from_outside_is_recorded_by_the_office_not_a_secretary(district, secretary, office, build):
    newcomer = build.member(district.branch, name="钱文博")
    data = form(member=newcomer.pk, kind=IN, to_organization=district.branch.pk, outside_unit="中共天水市秦州区委",
                letter_number="秦组转〔2026〕3号")
    refused = as_user(secretary).post(f"{LIST}add/", data)
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["kind"] == ["从系统外转入的组织关系由工委组织科登记。"]
    assert as_user(office).post(f"{LIST}add/", data).status_code == 302
    assert m.Transfer.objects.filter(member=newcomer, kind=IN).exists()


# --- 确认接收 (回执) -------------------------------------------------------------------------------
# 中国共产党党员教育管理工作条例 第二十五条: 对组织关系转出但尚未被接收的党员，原所在党组织仍然负有管理责任 —
# the move is complete when the receiving side accepts it, so the receiving side (or the office) confirms.
def test_the_receiving_secretary_confirms_the_receipt_from_the_transfers_page(district, receiver, moves):
    client = as_user(receiver)
    sent = moves["sent"]
    page = client.get(f"{LIST}{sent.pk}/change/").content.decode()
    confirm = reverse("admin:branches_transfer_confirm", args=[sent.pk])
    assert confirm in page and "确认接收" in page
    assert "确认该党员的组织关系已转到本组织" in client.get(confirm).content.decode()
    assert client.post(confirm).status_code == 302
    sent.refresh_from_db()
    assert sent.received_on == today() and sent.received_by == receiver
    assert sent.history.latest().history_user == receiver


def test_the_sending_secretary_cannot_confirm_their_own_letter(district, secretary, moves):
    # 中国共产党党员教育管理工作条例 第二十五条
    client = as_user(secretary)
    sent = moves["sent"]
    confirm = reverse("admin:branches_transfer_confirm", args=[sent.pk])
    assert confirm not in client.get(f"{LIST}{sent.pk}/change/").content.decode()
    assert "转出方不能确认接收本方开具的介绍信" in client.get(confirm).content.decode()
    assert client.post(confirm).status_code == 403
    sent.refresh_from_db()
    assert sent.received_on is None


def test_the_office_confirms_any_letter_and_records_a_transfer_outs_receipt(district, office, moves):
    client = as_user(office)
    assert client.post(reverse("admin:branches_transfer_confirm", args=[moves["unrelated"].pk])).status_code == 302
    moves["unrelated"].refresh_from_db()
    assert moves["unrelated"].received_by == office
    out = moves["out"]
    data = form(member=out.member.pk, kind=OUT, from_organization=district.branch.pk, outside_unit=out.outside_unit,
                transferred_on="2026-07-01", letter_number=out.letter_number, reason=out.reason, received_on="2026-07-20")
    assert client.post(f"{LIST}{out.pk}/change/", data).status_code == 302
    out.refresh_from_db()
    assert out.received_on == D(2026, 7, 20) and out.received_by == office


def test_a_secretary_cannot_set_a_receipt_date_through_the_form(district, secretary, moves):
    out = moves["out"]
    data = form(member=out.member.pk, kind=OUT, from_organization=district.branch.pk, outside_unit=out.outside_unit,
                transferred_on="2026-07-01", letter_number=out.letter_number, reason=out.reason, received_on="2026-07-20")
    as_user(secretary).post(f"{LIST}{out.pk}/change/", data)
    out.refresh_from_db()
    assert out.received_on is None
    assert "转出到系统外的，回执由工委组织科登记。" == out.receipt_refusal(secretary)


def test_confirming_the_selected_transfers_confirms_only_those_the_user_may(district, receiver, moves):
    response = as_user(receiver).post(LIST, {
        "action": "confirm_selected", "_selected_action": [moves["sent"].pk, moves["unrelated"].pk, moves["incoming"].pk],
    }, follow=True)
    text = " ".join(str(message) for message in response.context["messages"])
    assert "已确认接收2条" in text and "转出方不能确认接收本方开具的介绍信" in text
    received = set(m.Transfer.objects.exclude(received_on=None))
    assert received == {moves["sent"], moves["unrelated"]}


# --- 介绍信 -----------------------------------------------------------------------------------------
def paragraphs(response):
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    return Document(io.BytesIO(response.content)).paragraphs


def test_a_transfers_letter_has_its_stub_letter_and_receipt_with_the_members_particulars(district, office, moves):
    sent = moves["sent"]
    member = sent.member
    text = "\n".join(p.text for p in paragraphs(as_user(office).get(reverse("transfer_letter_docx", args=[sent.pk]))))
    for part in ("中国共产党党员组织关系介绍信（存根）", "中国共产党党员组织关系介绍信\n", "中国共产党党员组织关系介绍信回执",
                 "此处裁开"):
        assert part in text, part
    assert text.count("教组转〔2026〕12号") == 3
    assert "赵志刚同志（男，45岁，回族），系中共正式党员" in text  # born 1981-03-09, aged 45 on 2026-08-28
    assert f"公民身份号码{member.id_number}" in text
    assert "由育英学校第一党支部去博文学校党支部，因工作调动，请转接组织关系。" in text
    assert "组织关系由育英学校第一党支部转到博文学校党支部" in text  # the stub
    assert f"有效期{VALID_DAYS}天，至2026年9月27日" in text
    assert f"{district.root.name}（盖章）" in text and "2026年8月28日" in text
    assert "赵志刚同志的党员组织关系已转达我处，特此回复。" in text and "接收党组织（盖章）" in text


def test_a_transfer_out_is_addressed_to_the_unit_outside(district, office, moves):
    text = [p.text for p in paragraphs(as_user(office).get(reverse("transfer_letter_docx", args=[moves["out"].pk])))]
    assert "中共兰州市城关区委：" in text
    assert any("由育英学校第一党支部去中共兰州市城关区委，因户籍或居住地变动" in t for t in text)


def test_the_selected_transfers_print_as_one_file_one_letter_a_page(district, secretary, moves):
    client = as_user(secretary)
    chosen = [moves["sent"].pk, moves["out"].pk]
    response = client.post(LIST, {"action": "print_letters", "_selected_action": chosen})
    assert response.status_code == 302 and response.url.startswith(reverse("transfer_letters_docx"))
    found = paragraphs(client.get(response.url))
    stubs = [p for p in found if p.text == "中国共产党党员组织关系介绍信（存根）"]
    assert len(stubs) == 2 and [p.paragraph_format.page_break_before for p in stubs] == [False, True]
    body = "\n".join(p.text for p in found)
    assert body.index("周国庆") < body.index("赵志刚")  # by date: July's before August's


def test_a_secretary_without_the_permission_sees_a_masked_id_number_in_the_letter(district, secretary, moves):
    from accounts import personal

    member = moves["sent"].member
    text = "\n".join(p.text for p in paragraphs(as_user(secretary).get(reverse("transfer_letter_docx",
                                                                              args=[moves["sent"].pk]))))
    assert personal.shown(secretary, "id_number", member.id_number) in text
    if not personal.can_see(secretary):
        assert member.id_number not in text


def test_letters_of_a_transfer_in_and_bad_selections_are_refused_cleanly(district, office, build):
    newcomer = build.member(district.branch)
    arrived = m.Transfer.objects.create(member=newcomer, kind=IN, to_organization=district.branch,
                                        outside_unit="中共天水市秦州区委", transferred_on=D(2026, 9, 2))
    client = as_user(office)
    assert client.get(reverse("transfer_letter_docx", args=[arrived.pk])).status_code == 404
    for ids in ("", "abc", "1,,x", "9" * 40, "１２", ",".join(["1"] * 600)):
        response = client.get(reverse("transfer_letters_docx"), {"ids": ids})
        assert response.status_code == 400, ids
        assert "转接" in response.content.decode() or "介绍信" in response.content.decode()


# --- the member's page and 待办 -----------------------------------------------------------------------
def test_the_members_page_shows_their_organizations_through_time_with_the_letters(district, secretary, moves):
    member = moves["out"].member
    page = as_user(secretary).get(f"/admin/branches/member/{member.pk}/change/").content.decode()
    assert "组织关系转接（历次）" in page
    assert "育英学校第一党支部 → 中共兰州市城关区委" in page and "教组转〔2026〕9号" in page and "2026-07-01" in page
    assert reverse("transfer_letter_docx", args=[moves["out"].pk]) in page


def items(user, title):
    _, sections = todo.sections_for(user, D(2026, 12, 3))
    return next(s for s in sections if s.title == title).items


def test_the_receiving_secretarys_todo_lists_the_transfers_awaiting_their_receipt(district, receiver, secretary, moves):
    waiting = items(receiver, "组织关系转接待接收")
    assert [i.url for i in waiting] == [reverse("admin:branches_transfer_confirm", args=[t.pk])
                                        for t in (moves["sent"], moves["unrelated"])]
    assert "赵志刚由育英学校第一党支部转入，待确认接收" in waiting[0].text and "教组转〔2026〕12号" in waiting[0].detail
    # The sender's list has their incoming one only: not the letter they sent.
    assert [i.url for i in items(secretary, "组织关系转接待接收")] == [
        reverse("admin:branches_transfer_confirm", args=[moves["incoming"].pk])]
    moves["sent"].confirm_receipt(receiver)
    assert len(items(receiver, "组织关系转接待接收")) == 1


def test_the_offices_todo_lists_transfers_out_whose_receipt_is_missing(district, office, moves):
    waiting = items(office, "组织关系转接待接收")
    assert [i.text for i in waiting] == ["育英学校第一党支部：周国庆转出至中共兰州市城关区委，回执未返回"]
    assert waiting[0].url == f"{LIST}{moves['out'].pk}/change/"
    page = as_user(office).get("/todo/").content.decode()
    assert "组织关系转接待接收" in page and "周国庆转出至中共兰州市城关区委" in page


def test_the_transfers_todo_takes_one_query_whatever_their_number(district, receiver, moves, build):
    def count():
        with CaptureQueriesContext(connection) as queries:
            todo.transfers_awaiting(receiver, D(2026, 12, 3))
        return len(queries)

    count()  # the receiver's subtree, kept on the user object after the first call
    few = count()
    for n in range(5):
        m.Transfer.objects.create(member=build.member(district.branch), kind=WITHIN, from_organization=district.branch,
                                  to_organization=district.other, transferred_on=D(2026, 9, 1 + n))
    assert count() == few == 1
