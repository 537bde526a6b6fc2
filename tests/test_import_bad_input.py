"""Files that are wrong in the ways real files are: each gets a clear Chinese message, never a server error,
and the database stays as it was."""
import datetime
import io
import os

import pytest
from conftest import make_xlsx

from branches import models as m
from branches.idcard import make_id_number

HEADER = ("姓名", "身份证号码", "所在党组织", "入党日期")


def an_id(seq):
    return make_id_number("620402", datetime.date(1985, 5, 6), seq)


def snapshot():
    return (
        list(m.Member.objects.order_by("pk").values_list()),
        list(m.Organization.objects.order_by("pk").values_list()),
    )


@pytest.fixture
def district(build):
    branch = build.org(name="红山区第一小学党支部")
    dissolved = build.org(name="红山区第二小学党支部", is_active=False, dissolved_on=datetime.date(2023, 8, 31))
    member = build.member(branch, name="王芳")
    return branch, dissolved, member


def file_error(response):
    """The message under the file field of the upload form (the file was refused before any row was read)."""
    assert response.status_code == 200
    return " ".join(response.context["form"].errors.get("import_file", []))


def problems(response):
    assert response.status_code == 200
    return response.context["preview"]["problems"]


def docx_bytes():
    import docx

    document = docx.Document()
    document.add_paragraph("红山区教育系统党员名册")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize("name, data, expected", [
    ("an empty file", b"", "空文件"),
    ("a .docx renamed .xlsx", "docx", "Word文档"),
    ("a PDF renamed .xlsx", b"%PDF-1.7\n" + b"x" * 200, "PDF"),
    ("a zip that is no workbook", "zip", "压缩包"),
    ("a truncated workbook", "truncated", "另存为"),
    ("binary noise", bytes(range(256)) * 8, "无法识别"),
    ("a sheet with nothing in it", "blank", "没有任何内容"),
])
def test_a_file_that_is_not_a_table_is_refused_with_what_it_is(district, sheets, name, data, expected):
    if data == "docx":
        data = docx_bytes()
    elif data == "zip":
        import zipfile

        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("readme.txt", "hello")
        data = out.getvalue()
    elif data == "truncated":
        data = make_xlsx(HEADER, ["李丽", an_id(4), "红山区第一小学党支部", "2011-07-01"])[:900]
    elif data == "blank":
        data = make_xlsx()
    before = snapshot()
    assert expected in file_error(sheets.upload("member", data)), name
    assert snapshot() == before


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(district, sheets):
    data = b"PK\x03\x04" + os.urandom(20 * 1024 * 1024)
    before = snapshot()
    message = file_error(sheets.upload("member", data))
    assert "20.0 MB" in message and "上限" in message
    assert snapshot() == before


def test_a_sheet_of_another_record_type_is_sent_to_its_own_page(district, sheets):
    data = make_xlsx(("党组织名称", "上级党组织", "组织类别", "单位类别"), ("红山区第三小学党支部", "测试教育工委", "党支部", "小学"))
    before = snapshot()
    assert "看起来是“党组织”表格" in file_error(sheets.upload("member", data))
    assert snapshot() == before


def test_the_roster_is_found_on_a_later_sheet_behind_the_instructions(district, sheets):
    data = make_xlsx(
        ["填表说明：请在“党员名册”工作表中填写。"],
        title="填表说明",
        extra_sheets=[("党员名册", [HEADER, ["李丽", an_id(4), "红山区第一小学党支部", "2011-07-01"]])],
    )
    preview = sheets.upload("member", data).context["preview"]
    assert preview["new"] == 1
    assert "读取的是工作表“党员名册”。" in preview["notes"]


def test_a_sheet_without_a_header_says_which_columns_it_needs(district, sheets):
    data = make_xlsx(["李丽", an_id(4), "红山区第一小学党支部", "2011-07-01"], ["张伟", an_id(6), "红山区第一小学党支部", "2012-07-01"])
    before = snapshot()
    message = file_error(sheets.upload("member", data))
    assert "没有找到党员表的表头" in message and "身份证号码" in message
    assert snapshot() == before


def test_a_header_without_the_key_column_names_the_missing_column(district, sheets):
    data = make_xlsx(("姓名", "所在党组织", "入党日期"), ["李丽", "红山区第一小学党支部", "2011-07-01"])
    assert "缺少必需的列“身份证号码”" in file_error(sheets.upload("member", data))


def test_a_header_with_no_rows_under_it_says_so(district, sheets):
    assert "表头下面没有数据行" in file_error(sheets.upload("member", make_xlsx(["党员名册"], HEADER)))


def test_the_same_column_given_twice_is_refused(district, sheets):
    data = make_xlsx(("姓名", "身份证号", "公民身份号码", "所在党组织"), ["李丽", an_id(4), an_id(4), "红山区第一小学党支部"])
    assert "“身份证号码”出现了2次（第B、C列）" in file_error(sheets.upload("member", data))


def test_unknown_columns_are_named_and_left_out(district, sheets):
    data = make_xlsx(HEADER + ("籍贯", "备注"), ["李丽", an_id(4), "红山区第一小学党支部", "2011-07-01", "甘肃白银", "无"])
    preview = sheets.upload("member", data).context["preview"]
    assert preview["new"] == 1
    assert "以下列不是导入项，已忽略：“籍贯”、“备注”。" in preview["notes"]


def test_the_same_id_number_twice_in_one_file_is_refused_on_the_second_row(district, sheets):
    data = make_xlsx(HEADER, ["李丽", an_id(4), "红山区第一小学党支部", "2011-07-01"], ["李丽", an_id(4).lower(), "红山区第一小学党支部", "2011-07-01"])
    before = snapshot()
    response = sheets.upload("member", data)
    [problem] = problems(response)
    assert (problem.row, problem.column) == (3, "身份证号码")
    assert "与第2行的“身份证号码”相同" in problem.message
    assert snapshot() == before


def test_an_id_number_registered_to_someone_else_is_not_renamed(district, sheets):
    branch, _, member = district
    data = make_xlsx(HEADER, ["李丽", member.id_number, branch.name, member.join_date])
    before = snapshot()
    [problem] = problems(sheets.upload("member", data))
    assert problem.column == "身份证号码"
    assert "已登记为“王芳”" in problem.message and "与本行姓名“李丽”不符" in problem.message
    assert snapshot() == before


def test_a_member_put_in_a_dissolved_organization_is_refused_by_its_rule(district, sheets):
    _, dissolved, _ = district
    [problem] = problems(sheets.upload("member", make_xlsx(HEADER, ["李丽", an_id(4), dissolved.name, "2011-07-01"])))
    assert (problem.column, problem.value) == ("所在党组织", dissolved.name)
    assert "已撤销" in problem.message


def test_an_organization_that_does_not_exist_suggests_the_closest_name(district, sheets):
    [problem] = problems(sheets.upload("member", make_xlsx(HEADER, ["李丽", an_id(4), "红山区第一小学支部", "2011-07-01"])))
    assert "系统中没有名为“红山区第一小学支部”的党组织" in problem.message
    assert "是否应为“红山区第一小学党支部”" in problem.message


def test_wrong_values_in_every_column_are_each_reported_with_row_column_and_value(district, sheets):
    # (党内职务 is no column of the member import: posts are tenures, recorded on the member's page or by elections.)
    header = ("姓名", "身份证号码", "性别", "出生日期", "学历", "所在党组织", "党员类别", "入党日期", "转正日期",
              "岗位", "在册状态", "骨干教师称号", "称号年度")
    row = ["李丽", "62040219850506X", "未知", "昨天", "小学", 12345, "优秀党员", "2011.13.01", "2012-02-30",
           "校长", "在岗", "国家级", "二〇二三"]
    before = snapshot()
    response = sheets.upload("member", make_xlsx(header, row))
    found = {p.column: (p.value, p.message) for p in problems(response)}
    for column, value in zip(header[1:], row[1:]):
        assert column in found, column
        assert found[column][0] == str(value)
    assert "18位" in found["身份证号码"][1]
    assert "应填写以下之一：男、女" in found["性别"][1]
    assert "应为日期" in found["出生日期"][1]
    assert "不是有效日期" in found["入党日期"][1]
    assert "应为整数" in found["称号年度"][1]
    page = response.content.decode()
    assert "第2行" in page and "优秀党员" in page
    assert snapshot() == before


def test_a_tampered_confirm_is_refused_without_an_error_page(district, sheets):
    before = snapshot()
    response = sheets.client.post(sheets.url("member", "process_import"), {
        "import_file_name": "../../etc/passwd", "original_file_name": "x.xlsx", "format": "0", "resource": "0",
    })
    assert response.status_code == 302
    response = sheets.client.post(sheets.url("member", "process_import"), {
        "import_file_name": "nothing", "original_file_name": "x.xlsx", "format": "7", "resource": "0",
    })
    assert response.status_code in (200, 302)
    assert snapshot() == before


def test_an_empty_required_cell_is_reported_once_as_required(district, sheets):
    response = sheets.upload("member", make_xlsx(HEADER, ["李丽", None, "红山区第一小学党支部", None], ["张伟", an_id(6), "红山区第一小学党支部", "2012-07-01"]))
    found = [(p.row, p.column, p.value, p.message) for p in problems(response)]
    assert found == [
        (2, "身份证号码", "（空）", "此项必填，不能为空。"),
        (2, "入党日期", "（空）", "此项必填，不能为空。"),
    ]
