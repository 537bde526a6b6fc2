"""Files made to hurt the reader, and files that are wrong in ways the old messages got wrong: the work a file may
ask for is bounded by what it really holds, and each gets its own clear Chinese message on the upload page."""
import datetime
import io
import re
import struct
import time
import tracemalloc
import zipfile

import openpyxl
import pytest
from conftest import make_xlsx

from branches import models as m
from branches.idcard import make_id_number
from branches.resources import MemberResource
from branches.sheets import SheetError

HEADER = ("姓名", "身份证号码", "所在党组织", "入党日期")
BRANCH = "红山区第一小学党支部"


def an_id(seq):
    return make_id_number("620402", datetime.date(1985, 5, 6), seq)


@pytest.fixture
def branch(build):
    return build.org(name=BRANCH)


def file_error(response):
    assert response.status_code == 200
    return " ".join(response.context["form"].errors.get("import_file", []))


def preview_of(response):
    assert response.status_code == 200
    return response.context["preview"]


def with_sheet_xml(data, change):
    """The workbook with its first sheet's XML passed through `change` (what openpyxl would refuse to write)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = change(content.decode()).encode()
            target.writestr(item, content)
    return out.getvalue()


def merge_bomb():
    """5 KB: one data row and a merged range from A2 to the last cell of the sheet (A2:XFD1048576)."""
    data = make_xlsx(HEADER, ["王芳", an_id(2), BRANCH, "2010-07-01"])
    return with_sheet_xml(data, lambda xml: xml.replace(
        "</sheetData>", '</sheetData><mergeCells count="1"><mergeCell ref="A2:XFD1048576"/></mergeCells>'))


def wide_columns(rows=1000):
    """One value at column XFD (16,384) on every row."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for r in range(2, rows + 2):
        sheet.cell(row=r, column=1, value=f"党员{r}")
        sheet.cell(row=r, column=16384, value="x")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_measured(data):
    """Reads the file as the member import does: (what it raised or the table, seconds, peak MB allocated)."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        outcome = MemberResource().read(data)
    except SheetError as exc:
        outcome = exc
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    return outcome, seconds, peak


# -- bounded by what the file holds ---------------------------------------------------------------------
def test_a_merged_range_to_the_end_of_the_sheet_fills_only_the_cells_the_table_uses(branch, sheets):
    data = merge_bomb()
    assert len(data) < 10_000
    table, seconds, peak = read_measured(data)
    assert seconds < 1 and peak < 300
    assert table.dict == [{"行号": 2, "姓名": "王芳", "身份证号码": "王芳", "所在党组织": "王芳", "入党日期": "王芳"}]
    # On the page the row is reported like any row whose cells are wrong, not a MemoryError.
    problems = preview_of(sheets.upload("member", data))["problems"]
    assert {p.column for p in problems} == {"身份证号码", "所在党组织", "入党日期"}


def test_a_value_past_the_200th_column_is_refused_at_once_naming_row_and_column(branch, sheets):
    data = wide_columns()
    outcome, seconds, peak = read_measured(data)
    assert isinstance(outcome, SheetError) and seconds < 1 and peak < 300
    message = file_error(sheets.upload("member", data))
    assert "第2行第XFD列有内容" in message and "最多200列" in message


def test_a_sheet_longer_than_the_row_limit_is_refused_with_how_to_split_it(branch, sheets, settings):
    settings.SHUZHI = {**settings.SHUZHI, "IMPORT_MAX_ROWS": 50}
    rows = [[f"党员{n}", an_id(n), BRANCH, "2010-07-01"] for n in range(1, 52)]
    assert "confirm_form" in sheets.upload("member", make_xlsx(["名册"], HEADER, *rows[:50])).context
    message = file_error(sheets.upload("member", make_xlsx(["名册"], HEADER, *rows)))
    assert "数据超过50行" in message and "分批导入" in message
    assert not m.Member.objects.exists()


def compound_file(streams):
    """An OLE2 compound file (as Excel writes a workbook with an opening password) holding empty streams."""
    sector = 512
    header = bytearray(sector)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)  # minor, major version, byte order, sizes
    struct.pack_into("<IIIIIIII", header, 44, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<I", header, 76, 0)  # the FAT is in sector 0
    header[80:sector] = b"\xff" * (sector - 80)
    fat = struct.pack("<II", 0xFFFFFFFD, 0xFFFFFFFE) + b"\xff" * (sector - 8)

    def entry(name, kind, child=0xFFFFFFFF, right=0xFFFFFFFF):
        raw = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        raw[0:len(encoded)] = encoded
        struct.pack_into("<HBB", raw, 64, len(encoded), kind, 1)
        struct.pack_into("<III", raw, 68, 0xFFFFFFFF, right, child)
        struct.pack_into("<I", raw, 116, 0xFFFFFFFE)
        return bytes(raw)

    names = list(streams)
    entries = [entry("Root Entry", 5, child=1)] + [
        entry(name, 2, right=i + 2 if i + 1 < len(names) else 0xFFFFFFFF) for i, name in enumerate(names)
    ]
    directory = b"".join(entries).ljust(sector, b"\0")
    return bytes(header) + fat + directory


def test_a_workbook_with_an_opening_password_says_it_has_one(branch, sheets):
    data = compound_file(["EncryptionInfo", "EncryptedPackage"])
    message = file_error(sheets.upload("member", data, "名册.xlsx"))
    assert "密码" in message and "97-2003" not in message


def test_a_formula_without_its_calculated_value_is_reported_on_its_cell(branch, sheets):
    # openpyxl writes formulas without results, as generated files and some programs do.
    data = make_xlsx(HEADER, ["王芳", an_id(2), f'="{BRANCH}"', "2010-07-01"])
    [problem] = preview_of(sheets.upload("member", data))["problems"]
    assert (problem.row, problem.column) == (2, "所在党组织")
    assert problem.message == "公式未计算，请在Excel中保存后再导入。"


def test_a_formula_excel_calculated_is_read_as_its_value(branch, sheets):
    data = make_xlsx(HEADER, ["王芳", an_id(2), "PLACEHOLDER", "2010-07-01"])
    data = with_sheet_xml(data, lambda xml: re.sub(
        r'<c r="C2"[^>]*>.*?</c>', f'<c r="C2" t="str"><f>"{BRANCH}"</f><v>{BRANCH}</v></c>', xml))
    preview = preview_of(sheets.upload("member", data))
    assert (preview["new"], preview["invalid"]) == (1, 0), preview["problems"]


def test_hidden_rows_are_named_in_the_preview(branch, sheets):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for n in range(1, 5):
        sheet.append([f"党员{n}", an_id(n), BRANCH, "2010-07-01"])
    sheet.row_dimensions[3].hidden = True
    sheet.row_dimensions[5].hidden = True
    out = io.BytesIO()
    book.save(out)
    notes = preview_of(sheets.upload("member", out.getvalue()))["notes"]
    assert any("第3、5行在Excel中是隐藏行" in note for note in notes), notes


@pytest.mark.parametrize("row", [2, 150])  # near the top, and past the first 4 KB the file type is judged by
@pytest.mark.parametrize("character", ["\x00", "\x01", "\x1b"])
def test_a_control_character_in_a_csv_cell_is_refused_with_its_row_and_column(branch, sheets, row, character):
    lines = [",".join(HEADER)] + [f"党员{n},{an_id(n)},{BRANCH},2010-07-01" for n in range(2, 200)]
    name, number, org, date = lines[row - 1].split(",")
    lines[row - 1] = ",".join([name, number, org[:3] + character + org[3:], date])
    data = "\n".join(lines).encode()
    assert data.index(character.encode()) > 4096 or row == 2
    message = file_error(sheets.upload("member", data, "名册.csv"))
    assert f"第{row}行第C列含有不可见的控制字符" in message
    assert not m.Member.objects.exists()


def test_a_control_character_in_an_xls_cell_is_refused_with_its_row_and_column(branch, sheets):
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("名册")
    for r, row in enumerate([HEADER, ("王\x00芳", an_id(2), BRANCH, "2010-07-01")]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    assert "第2行第A列含有不可见的控制字符" in file_error(sheets.upload("member", out.getvalue(), "名册.xls"))
