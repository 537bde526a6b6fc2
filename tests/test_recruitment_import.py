"""发展党员 as a spreadsheet: the template's headers as the office's ledger has them, preview → confirm, the
regulations' checks on what was imported, and bad rows refused in Chinese by row and column with nothing written."""
import datetime
import io

import openpyxl
import pytest
from conftest import SheetPages, make_xlsx
from django.core.management import call_command
from django.urls import reverse
from scoped_district import as_user, district, office, secretary  # noqa: F401

from branches import models as m
from branches.early_warning import evaluate
from branches.idcard import make_id_number
from branches.resources import RecruitResource

D = datetime.date
pytestmark = pytest.mark.django_db

HEADERS = ["姓名", "公民身份号码", "所在党组织", "申请入党日期", "确定入党积极分子日期", "确定发展对象日期", "政治审查日期",
           "集中培训结业日期", "公示开始日期", "公示结束日期", "支部大会讨论日期", "上级党委审批日期"]


def an_id(seq, born=D(1995, 3, 8)):
    return make_id_number("620402", born, seq)


def row(seq, org, name=None, **steps):
    """One row: the application only unless steps are given (by field name)."""
    dated = {"applied_on": D(2021, 3, 1), **steps}
    fields = ["applied_on", "activist_on", "candidate_on", "vetted_on", "trained_on", "publicity_began_on",
              "publicity_ended_on", "accepted_on", "approved_on"]
    return [name or f"发展对象{seq}", an_id(seq), org.name] + [dated.get(f) for f in fields]


FULL = {"activist_on": D(2021, 5, 10), "candidate_on": D(2022, 6, 1), "vetted_on": D(2022, 7, 15),
        "trained_on": D(2022, 8, 20), "publicity_began_on": D(2022, 9, 5), "publicity_ended_on": D(2022, 9, 9),
        "accepted_on": D(2022, 10, 8), "approved_on": D(2022, 11, 20)}


@pytest.fixture
def branch(build):
    return build.org(name="红山区第一小学党支部")


def upload(client, data, filename="发展党员.xlsx"):
    return SheetPages(client).upload("recruit", data, filename)


def test_the_template_has_the_ledgers_headers_exactly_and_reads_back(admin_client):
    page = admin_client.get(reverse("admin:branches_recruit_template"))
    assert page.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(page.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert rows[1][1] and rows[1][0] == "李明"


def test_a_ledger_is_previewed_then_confirmed_and_an_approved_row_puts_the_person_on_the_roll(branch, sheets):
    data = make_xlsx(HEADERS, row(1, branch, "李明", **FULL), row(2, branch, "王倩", activist_on=D(2022, 5, 1)))
    preview = sheets.upload("recruit", data)
    assert preview.status_code == 200
    p = preview.context["preview"]
    assert (p["new"], p["invalid"]) == (2, 0), p["problems"]
    assert not m.Recruit.objects.exists() and not m.Member.objects.exists()  # the preview writes nothing
    assert sheets.confirm("recruit", preview).status_code == 302
    li = m.Recruit.objects.get(name="李明")
    assert li.member is not None
    assert (li.member.status, li.member.join_date) == (m.Member.Status.PROBATIONARY, D(2022, 10, 8))
    assert m.Recruit.objects.get(name="王倩").stage_on(D(2023, 1, 1)) == m.RecruitStage.ACTIVIST
    batch = m.ImportBatch.objects.get()
    assert li.history.get().import_batch == batch and li.member.history.get().import_batch == batch


def test_importing_the_same_ledger_again_makes_no_second_member(branch, sheets):
    data = make_xlsx(HEADERS, row(1, branch, "李明", **FULL))
    sheets.confirm("recruit", sheets.upload("recruit", data))
    again = sheets.upload("recruit", data)
    assert again.context["preview"]["skip"] == 1
    sheets.confirm("recruit", again)
    assert m.Member.objects.count() == 1 and m.Recruit.objects.count() == 1


def test_header_variants_are_read(branch, sheets):
    data = make_xlsx(["姓名", "身份证号码", "所在党支部", "递交入党申请书日期", "确定为入党积极分子日期", "党员大会讨论日期"],
                     ["李明", an_id(1), branch.name, D(2021, 3, 1), D(2021, 5, 10), None])
    p = sheets.upload("recruit", data).context["preview"]
    assert (p["new"], p["invalid"]) == (1, 0), p["problems"]


def test_an_imported_candidate_whose_activist_year_was_short_shows_in_the_warnings_with_that_reason(branch, tmp_path):
    # 细则 第十三条: 经过一年以上培养教育和考察的入党积极分子 … 可列为发展对象
    path = tmp_path / "发展党员.xlsx"
    path.write_bytes(make_xlsx(HEADERS, row(1, branch, "周洁", activist_on=D(2022, 9, 1), candidate_on=D(2023, 6, 1))))
    call_command("import_sheet", "recruitment", str(path), "--commit", stdout=io.StringIO())
    hits = evaluate(D(2023, 12, 31), codes=["recruit_activist_short"]).hits
    assert [(h.organization, h.detail.split("：")[0]) for h in hits] == [(branch, "周洁")]
    assert "不少于1年" in hits[0].detail and hits[0].rule.title == "入党积极分子培养不满规定时间即列为发展对象"


def problems_of(response):
    return [(p.row, p.column, p.message) for p in response.context["preview"]["problems"]]


def test_bad_rows_are_refused_by_row_and_column_in_chinese_and_nothing_is_written(branch, build, sheets):
    member = build.member(branch, name="张伟")
    bad_check = an_id(3)[:-1] + ("0" if an_id(3)[-1] != "0" else "1")
    rows = [
        row(1, branch, "李明", **FULL),  # fine
        row(2, branch, "王倩", activist_on=D(2021, 5, 10), candidate_on=D(2021, 4, 1)),  # out of order
        [*row(3, branch, "赵敏")[:1], bad_check, *row(3, branch)[2:]],  # check digit
        [*row(4, branch, "张伟")[:1], member.id_number, *row(4, branch)[2:]],  # already on the roll
        row(5, build.org(name="临时党支部"), "刘洋"),  # organization below replaced by an unknown name
    ]
    rows[4][2] = "不存在的党支部"
    response = sheets.upload("recruit", make_xlsx(HEADERS, *rows))
    found = problems_of(response)
    by_row = {r: (c, msg) for r, c, msg in found}
    assert by_row[3][0] == "确定发展对象日期" and "早于确定入党积极分子日期" in by_row[3][1]
    assert by_row[4][0] == "公民身份号码" and "校验位错误" in by_row[4][1]
    assert by_row[5][0] == "公民身份号码" and "已是党员" in by_row[5][1]
    assert by_row[6][0] == "所在党组织" and "不存在的党支部" in "".join(
        str(p.value) + p.message for p in response.context["preview"]["problems"] if p.row == 6)
    assert 2 not in by_row
    # nothing is written until the office chooses: the whole file cannot be confirmed, only the valid rows
    assert "confirm_form" not in response.context and not m.Recruit.objects.exists()
    sheets.confirm("recruit", response, skip_invalid=True)
    assert list(m.Recruit.objects.values_list("name", flat=True)) == ["李明"]
    assert m.Member.objects.count() == 2  # 张伟 as before, and 李明, accepted and approved


def test_a_secretarys_import_is_scoped_and_cannot_approve(district, secretary):
    client = as_user(secretary)
    rows = [row(1, district.branch, "李明"), row(2, district.other, "王倩"),
            row(3, district.branch, "赵敏", **FULL)]
    response = upload(client, make_xlsx(HEADERS, *rows))
    by_row = {r: (c, msg) for r, c, msg in problems_of(response)}
    assert "超出本组织范围" in by_row[3][1]
    assert "组织科审定" in by_row[4][1]
    assert 2 not in by_row


def test_the_export_reads_back_as_an_import(branch, sheets, admin_client):
    sheets.confirm("recruit", sheets.upload("recruit", make_xlsx(HEADERS, row(1, branch, "李明", **FULL))))
    page = admin_client.post(reverse("admin:branches_recruit_changelist"),
                             {"action": "export_admin_action", "_selected_action": [str(m.Recruit.objects.get().pk)]})
    assert page.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(page.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS and rows[1][0] == "李明"
    again = sheets.upload("recruit", page.content)
    assert again.context["preview"]["skip"] == 1, again.context["preview"]["problems"]
