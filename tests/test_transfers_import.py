"""组织关系转接 from spreadsheets: the `transfers` kind, through the admin's import (preview → confirm, all or none)
and import_sheet, with real openpyxl files; bad rows each named by row and column; a secretary's scope."""
import datetime
import io

import pytest
from conftest import SheetPages, make_xlsx
from django.core.management import call_command

from branches import models as m
from branches.idcard import make_id_number
from branches.resources import KINDS, TransferResource
from scoped_district import as_user, district, office, secretary  # noqa: F401  (fixtures)

D = datetime.date
HEADER = ("姓名", "公民身份号码", "转接类型", "转出党组织", "转入党组织", "转入单位（系统外）", "转接日期", "介绍信编号", "转接原因")
NEUTRAL = "该身份证号码无法在本组织登记，请联系工委组织科。"


@pytest.fixture
def people(district, build):
    second = build.org("育英学校第二党支部", parent=district.school, unit_category=m.UnitCategory.PRIVATE_SCHOOL)
    return {
        "teacher": build.member(district.branch, name="赵志刚", join=D(2010, 7, 1)),
        "retiree": build.member(district.branch, name="周国庆"),
        "second": second,
    }


def problems(response):
    assert response.status_code == 200
    return [(p.row, p.column, p.message) for p in response.context["preview"]["problems"]]


def row(member, kind="系统内转接", source="育英学校第一党支部", target="博文学校党支部", outside="", day="2026-08-28",
        letter="教组转〔2026〕12号", reason="工作调动", name=None):
    return (name or member.name, member.id_number, kind, source, target, outside, day, letter, reason)


def test_the_template_has_the_offices_headers_and_reads_back(office):
    pages = SheetPages(as_user(office))
    response = pages.client.get(pages.url("transfer", "template"))
    assert response.status_code == 200
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert tuple(c.value for c in sheet[1]) == HEADER
    assert KINDS["transfers"] is TransferResource


def test_the_office_previews_then_applies_a_file_of_transfers(district, office, people):
    pages = SheetPages(as_user(office))
    data = make_xlsx(HEADER, row(people["teacher"]),
                     row(people["retiree"], kind="转出", target="", outside="中共兰州市城关区委", day="2026-07-01",
                         letter="教组转〔2026〕9号", reason="退休"))
    preview = pages.upload("transfer", data)
    assert problems(preview) == [] and preview.context["preview"]["new"] == 2
    assert not m.Transfer.objects.exists()  # a preview writes nothing
    done = pages.confirm("transfer", preview)
    assert done.status_code == 302
    sent = m.Transfer.objects.get(letter_number="教组转〔2026〕12号")
    assert (sent.member, sent.kind, sent.from_organization, sent.to_organization, sent.transferred_on, sent.reason) == (
        people["teacher"], m.Transfer.Kind.WITHIN, district.branch, district.other, D(2026, 8, 28), m.Transfer.Reason.JOB)
    out = m.Transfer.objects.get(kind=m.Transfer.Kind.OUT)
    assert out.outside_unit == "中共兰州市城关区委" and out.reason == m.Transfer.Reason.RETIREMENT
    assert out.history.get().history_user.username == "office"  # each written row has its history, by whom
    # Applied to the roll as each transfer's own save applies it: moved, or off the roll on its day.
    teacher, retiree = (m.Member.objects.get(pk=people[k].pk) for k in ("teacher", "retiree"))
    assert teacher.organization == district.other and teacher.roll_status == m.Member.Roll.ON_ROLL
    assert (retiree.roll_status, retiree.left_on) == (m.Member.Roll.TRANSFERRED, D(2026, 7, 1))


def test_header_variants_are_read(district, office, people):
    variants = ("党员姓名", "身份证号码", "类型", "原党组织", "接收党组织", "系统外党组织", "日期", "介绍信号", "原因")
    response = SheetPages(as_user(office)).upload("transfer", make_xlsx(variants, row(people["teacher"])))
    assert problems(response) == [] and response.context["preview"]["new"] == 1


def test_bad_rows_are_each_named_by_row_and_column_and_nothing_is_written(district, office, people):
    unknown = make_id_number("620403", D(1985, 5, 6), 77)
    teacher = people["teacher"]
    data = make_xlsx(
        HEADER,
        row(teacher, target="红星学校党支部", day="2026-08-01"),  # 2: no such organization
        row(people["retiree"], day="1990-05-01", letter="教组转〔2026〕20号"),  # 3: before the member joined
        ("陌生人", unknown, "系统内转接", "育英学校第一党支部", "博文学校党支部", "", "2026-08-02", "", "工作调动"),  # 4
        row(teacher, kind="调走", day="2026-08-03", letter="教组转〔2026〕21号"),  # 5: no such kind
        row(teacher, name="赵至刚", day="2026-08-04", letter="教组转〔2026〕22号"),  # 6: the ID number's name is another
        row(teacher, reason="想换学校", day="2026-08-05", letter="教组转〔2026〕23号"),  # 7: no such reason
    )
    found = problems(SheetPages(as_user(office)).upload("transfer", data))
    by_row = {r: (column, message) for r, column, message in found}
    assert by_row[2][0] == "转入党组织" and "系统中没有名为“红星学校党支部”的党组织" in by_row[2][1]
    assert by_row[3] == ("转接日期", f"转接日期不能早于该党员的入党日期（{people['retiree'].join_date:%Y-%m-%d}）。")
    assert by_row[4][0] == "公民身份号码" and f"党员名册中没有身份证号码为“{unknown}”的党员" in by_row[4][1]
    assert by_row[5][0] == "转接类型" and "系统内转接、转出、转入" in by_row[5][1]
    assert by_row[6] == ("姓名", "该身份证号码登记的党员是“赵志刚”，与本行姓名“赵至刚”不符。请核对姓名或身份证号码。")
    assert by_row[7][0] == "转接原因"
    assert sorted(by_row) == [2, 3, 4, 5, 6, 7]
    assert not m.Transfer.objects.exists()


def test_a_file_with_a_bad_row_is_applied_all_or_none_as_the_worker_chooses(district, office, people):
    pages = SheetPages(as_user(office))
    data = make_xlsx(HEADER, row(people["teacher"]), row(people["retiree"], target="红星学校党支部", letter="教组转〔2026〕30号"))
    preview = pages.upload("transfer", data)
    assert preview.context.get("confirm_form") is None and preview.context["skip_form"] is not None
    assert not m.Transfer.objects.exists()
    assert m.Member.objects.get(pk=people["teacher"].pk).organization == district.branch
    pages.confirm("transfer", preview, skip_invalid=True)
    assert list(m.Transfer.objects.values_list("letter_number", flat=True)) == ["教组转〔2026〕12号"]
    assert m.Member.objects.get(pk=people["teacher"].pk).organization == district.other


def test_a_row_the_roll_refuses_is_named_by_its_column(district, office, people):
    # Checked against the roll as it stands: a member is transferred out of the organization they are in.
    data = make_xlsx(HEADER, row(people["teacher"], source="博文学校党支部", target="育英学校第二党支部"))
    [(line, column, message)] = problems(SheetPages(as_user(office)).upload("transfer", data))
    assert (line, column) == (2, "转出党组织") and "育英学校第一党支部" in message


def test_a_secretary_imports_transfers_of_their_own_members_only(district, secretary, people):
    pages = SheetPages(as_user(secretary))
    unknown = make_id_number("620403", D(1985, 5, 6), 78)
    other = district.other_member
    data = make_xlsx(
        HEADER,
        row(people["teacher"], target="育英学校第二党支部"),  # 2: within the school: theirs
        (other.name, other.id_number, "系统内转接", "博文学校党支部", "育英学校第二党支部", "", "2026-08-02", "", "工作调动"),  # 3
        ("陌生人", unknown, "系统内转接", "育英学校第一党支部", "育英学校第二党支部", "", "2026-08-03", "", "工作调动"),  # 4
        (other.name, other.id_number, "系统内转接", "育英学校第一党支部", "育英学校第二党支部", "", "2026-08-04", "", "工作调动"),  # 5
        row(people["retiree"], target="博文学校党支部", day="2026-08-05", letter=""),  # 6: to another school
        row(people["retiree"], kind="转入", source="", target="育英学校第一党支部", outside="中共天水市秦州区委",
            day="2026-08-06", letter=""),  # 7: from outside: the office's
    )
    response = pages.upload("transfer", data)
    found = problems(response)
    # An outsider, known or not, whichever organization the row names: one neutral answer, nothing of the row.
    assert [(r, c, msg) for r, c, msg in found if r in (3, 4, 5)] == [(3, "公民身份号码", NEUTRAL), (4, "公民身份号码", NEUTRAL),
                                                                    (5, "公民身份号码", NEUTRAL)]
    page = response.content.decode()
    assert "博文学校党支部）" not in page and "登记的党员是" not in page
    assert (6, "转入党组织", "超出本组织范围：转入本组织以外的党组织，请联系工委组织科办理。") in found
    assert (7, "转接类型", "从系统外转入的组织关系由工委组织科登记。") in found
    assert 2 not in {r for r, _, _ in found}
    pages.confirm("transfer", response, skip_invalid=True)
    assert list(m.Transfer.objects.values_list("member__name", "to_organization__name")) == [("赵志刚", "育英学校第二党支部")]
    assert m.ImportBatch.objects.get(model="branches.transfer").refused == 3


def test_a_secretary_cannot_change_an_outside_transfer_by_import(district, secretary, people, build):
    elsewhere = build.org("育才小学党支部")
    outsider = build.member(elsewhere, name="吴海燕")
    m.Transfer.objects.create(member=outsider, kind=m.Transfer.Kind.WITHIN, from_organization=elsewhere,
                              to_organization=district.other, transferred_on=D(2026, 8, 29))
    data = make_xlsx(HEADER, (outsider.name, outsider.id_number, "系统内转接", "育英学校第一党支部", "育英学校第二党支部", "",
                              "2026-08-29", "", "工作调动"))
    assert problems(SheetPages(as_user(secretary)).upload("transfer", data)) == [(2, "公民身份号码", NEUTRAL)]


def test_the_export_masks_id_numbers_for_those_without_the_permission(district, secretary, people):
    from accounts import personal

    m.Transfer.objects.create(member=people["teacher"], kind=m.Transfer.Kind.WITHIN, from_organization=district.branch,
                              to_organization=people["second"], transferred_on=D(2026, 8, 28))
    dataset = TransferResource(user=secretary).export(m.Transfer.objects.all())
    assert dataset.headers == list(HEADER)
    assert dataset[0][0] == "赵志刚"
    assert dataset[0][1] == personal.shown(secretary, "id_number", people["teacher"].id_number)


def test_import_sheet_reads_the_transfers_kind(district, people, tmp_path):
    path = tmp_path / "转接.xlsx"
    path.write_bytes(make_xlsx(HEADER, row(people["teacher"])))
    call_command("import_sheet", "transfers", str(path), "--commit", stdout=io.StringIO())
    assert m.Transfer.objects.get().to_organization == district.other
