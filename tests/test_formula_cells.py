"""Every workbook the system hands out keeps a text that looks like a formula (=, +, -, @, tab, CR first) as that
exact text in a text cell, never a live formula: exports and templates, the annual report's tables, the warnings
list, from the pages and from the commands. Numbers stay numbers."""
import datetime
import io
import re
import zipfile

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from branches import models as m
from branches.sheets import safe_cell, write_workbook

TEXTS = ["=1+1", "+1", "-1", "@SUM(A1)"]


def downloaded(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_texts_stay_text(data, texts=TEXTS):
    """Each text is in the workbook as a text cell reading back exactly as written, and no sheet holds a formula."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/") and name.endswith(".xml")]
    for name in sheets:
        assert not re.search(rb"<(\w+:)?f[\s>/]", archive.read(name)), f"a formula in {name}"
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cells.setdefault(cell.value, cell)
    for text in texts:
        assert text in cells, f"{text!r} not written as that text"
        assert cells[text].data_type == "s"
        assert cells[text].quotePrefix  # Excel keeps it text when the cell is edited
    return book


# -- the writer itself ----------------------------------------------------------------------------------
def test_a_formula_like_text_is_written_as_that_text_and_a_negative_number_as_a_number():
    specs = [("名称", "general", None, False), ("数量", "general", None, False), ("说明", "text", None, False)]
    data = write_workbook(specs, [[text, -1, "\tx\r"] for text in TEXTS], "测试")
    book = assert_texts_stay_text(data, TEXTS + ["\tx\r"])
    numbers = [cell for cell in book["测试"]["B"][1:]]
    assert [(c.value, c.data_type) for c in numbers] == [(-1, "n")] * len(TEXTS)


def test_plain_text_is_a_text_cell_without_the_quote_mark():
    book = openpyxl.Workbook()
    cell = safe_cell(book.active, "红山区第一小学党支部")
    assert (cell.data_type, cell.quotePrefix) == ("s", False)


# -- exports and templates through the admin ------------------------------------------------------------
@pytest.fixture
def formula_names(build):
    """Organizations and members named like formulas, each organization with two members."""
    orgs = [build.org(name=text) for text in TEXTS]
    for org, text in zip(orgs, TEXTS):
        build.member(org, name=text)
        build.member(org)
    return orgs


def test_the_organization_and_member_exports_keep_formula_like_names_as_text(formula_names, admin_client):
    assert_texts_stay_text(downloaded(admin_client.get("/admin/branches/organization/export/")))
    assert_texts_stay_text(downloaded(admin_client.get("/admin/branches/member/export/")))


def test_an_exported_roster_with_formula_like_names_imports_again_unchanged(formula_names, admin_client, sheets):
    exported = downloaded(admin_client.get("/admin/branches/member/export/"))
    preview = sheets.upload("member", exported, "党员.xlsx")
    assert preview.status_code == 200
    result = preview.context["result"]
    assert (result.totals["new"], result.totals["update"], result.totals["invalid"]) == (0, 0, 0)
    assert set(m.Member.objects.filter(name__in=TEXTS).values_list("name", flat=True)) == set(TEXTS)


def test_the_blank_templates_drop_down_keeps_formula_like_organization_names_as_text(formula_names, admin_client):
    book = assert_texts_stay_text(downloaded(admin_client.get("/admin/branches/member/template/")))
    assert "下拉选项" in book.sheetnames  # where the organization names of the drop-down are kept


# -- the annual report ----------------------------------------------------------------------------------
@pytest.fixture
def formula_work_log(build):
    for day, text in enumerate(TEXTS, start=1):
        m.WorkLogEntry.objects.create(date=datetime.date(2023, 3, day), kind=m.WorkKind.COMMITTEE_MEETING, title=text)


def test_the_annual_reports_workbook_keeps_formula_like_titles_as_text(formula_work_log, admin_client):
    data = downloaded(admin_client.get(reverse("annual_report_xlsx"), {"year": 2023}))
    book = assert_texts_stay_text(data)
    counts = [row for row in book["工作台账"].iter_rows() if row[0].value == m.WorkKind.COMMITTEE_MEETING.label]
    assert counts and counts[0][1].data_type == "n"  # the figures stay numbers


def test_the_annual_report_command_writes_the_same_text_cells(formula_work_log, tmp_path):
    out = tmp_path / "report.xlsx"
    call_command("annual_report", "--year", "2023", "--output", str(out))
    assert_texts_stay_text(out.read_bytes())


# -- the warnings list ----------------------------------------------------------------------------------
def test_the_warnings_xlsx_keeps_formula_like_organization_names_as_text(formula_names, admin_client):
    # Two full members each: every one of these branches is flagged as too small.
    response = admin_client.get(reverse("warnings"), {"date": "2023-12-31", "format": "xlsx"})
    book = assert_texts_stay_text(downloaded(response))
    assert {row[0] for row in book["预警清单"].iter_rows(min_row=3, values_only=True)} >= set(TEXTS)


def test_the_warnings_command_writes_the_same_text_cells(formula_names, tmp_path):
    out = tmp_path / "预警.xlsx"
    call_command("warnings", date="2023-12-31", output=str(out))
    assert_texts_stay_text(out.read_bytes())
