"""The preview of a large file (importing.check, what the background job and import_sheet run) against the import's
own dry run: a file with every kind of bad row gets the same invalid rows, the same messages and the same counts; it
writes nothing, looks existing records up per block of rows, and the reader hands it rows with their sheet numbers,
hidden rows, merged ranges and formulas without a result across the pieces it reads a sheet in."""
import datetime
import io
import os
import tempfile

import openpyxl
import pytest
from conftest import make_xlsx
from scoped_district import district, secretary  # noqa: F401  (fixtures)

from branches import models as m
from branches import sheets
from branches.idcard import make_id_number
from branches.importing import CHECK_BLOCK, check, preview
from branches.resources import MemberResource

HEADER = ("姓名", "身份证号码", "所在党组织", "入党日期", "联系电话", "出生日期", "性别", "在册状态", "称号年度")
BRANCH = "红山区第一小学党支部"


def an_id(seq, born=datetime.date(1985, 5, 6)):
    return make_id_number("620402", born, seq)


@pytest.fixture
def roll(build):
    branch = build.org(name=BRANCH)
    dissolved = build.org(name="红山区第二小学党支部", is_active=False, dissolved_on=datetime.date(2023, 8, 31))
    kept = build.member(branch, name="王芳", phone="13900000001")
    changed = build.member(branch, name="张伟", phone="13900000002")
    return branch, dissolved, kept, changed


def every_kind_of_row(branch, dissolved, kept, changed):
    """Valid new, updated and unchanged rows, and each way a member row is refused."""
    def row(name, number, org=BRANCH, joined="2010-07-01", phone=None, born=None, sex=None, roll="在册", year=None):
        return [name, number, org, joined, phone, born, sex, roll, year]

    return [
        row("李丽", an_id(101)),                                                          # new
        row(changed.name, changed.id_number, joined=changed.join_date, phone="13700000000"),  # updated
        row(kept.name, kept.id_number, joined=kept.join_date, phone=kept.phone, born=kept.birth_date,
            sex=kept.gender),                                                             # unchanged
        row("赵敏", "62040219850506X"),                                                   # ID number too short
        row("钱进", an_id(102)[:-1] + ("0" if an_id(102)[-1] != "0" else "1")),           # wrong check digit
        row("孙浩", 620402198505060000),                                                  # an ID Excel made a number
        row("李丽", an_id(101)),                                                          # the same ID twice in the file
        row("周杰", kept.id_number, joined=kept.join_date),                               # a registered ID, another name
        row("吴昊", an_id(103), org="红山区第一小学支部"),                                 # no such organization
        row("郑爽", an_id(104), org=dissolved.name),                                      # a dissolved organization
        row("王强", an_id(105), joined="2011.13.01"),                                     # no such date
        row("冯军", an_id(106), joined="1900-01-01"),                                     # before the Party's founding
        row("陈红", an_id(107), joined="2001-07-01"),                                     # joined before 18
        row("褚亮", an_id(108), joined=(datetime.date.today() + datetime.timedelta(days=30)).isoformat()),
        row("卫东", an_id(109), phone="12345"),                                           # not a phone number
        row("蒋文", an_id(110), born="1990-01-01"),                                       # birth date against the ID
        row("沈静", an_id(111), sex="男" if int(an_id(111)[16]) % 2 == 0 else "女"),       # sex against the ID
        row("韩梅", an_id(112), sex="未知"),                                               # not a choice
        row("杨光", an_id(113), roll="去世"),                                              # off the roll without its day
        row("朱琳", an_id(114), year="二〇二三"),                                          # not a number
        row("秦岚", None, joined=None),                                                   # required cells empty
        row("许诺", an_id(115), org=f'="{BRANCH}"'),                                      # a formula without its result
        row("何平", an_id(116)),                                                          # new, after all that
    ]


def both(data, **kwargs):
    """(the dry run's preview, check's preview) of the same bytes, and whether either wrote anything."""
    before = (list(m.Member.objects.order_by("pk").values_list()), m.ImportBatch.objects.count())
    resource = MemberResource(**kwargs)
    dry = preview(resource.import_data(resource.read(data), dry_run=True, use_transactions=True,
                                       raise_errors=False, user=kwargs.get("user")))
    resource = MemberResource(**kwargs)
    fast = preview(check(resource, resource.stream(data), user=kwargs.get("user")))
    after = (list(m.Member.objects.order_by("pk").values_list()), m.ImportBatch.objects.count())
    assert after == before
    return dry, fast


def agree(dry, fast):
    for key in ("total", "new", "update", "skip", "invalid", "valid", "invalid_rows_text", "notes", "problems",
                "updates", "more_updates", "new_rows", "more_new"):
        assert fast[key] == dry[key], key


def test_the_preview_finds_what_the_dry_run_finds_on_a_file_with_every_kind_of_bad_row(roll):
    rows = every_kind_of_row(*roll)
    dry, fast = both(make_xlsx(["红山区党员名册"], HEADER, *rows))
    agree(dry, fast)
    assert (fast["total"], fast["new"], fast["update"], fast["skip"]) == (len(rows), 2, 1, 1)
    assert fast["invalid"] == len(rows) - 4
    # Every refused row is named by its sheet row (the title and the header above the first one).
    assert {p.row for p in fast["problems"]} == set(range(6, 6 + len(rows) - 4)) - {len(rows) + 2}
    assert any(p.message == "公式未计算，请在Excel中保存后再导入。" for p in fast["problems"])


def test_a_secretarys_preview_learns_as_little_as_their_dry_run(district, secretary):  # noqa: F811
    header = ("姓名", "身份证号码", "所在党组织", "入党日期")
    rows = [
        ["新党员", an_id(201), "育英学校第一党支部", "2010-07-01"],                             # theirs
        [district.other_member.name, district.other_member.id_number, "博文学校党支部", "2010-07-01"],  # another school's
        ["不认识", an_id(202), "博文学校党支部", "2010-07-01"],                                # a new one elsewhere
    ]
    dry, fast = both(make_xlsx(header, *rows), user=secretary)
    agree(dry, fast)
    assert {p.message for p in fast["problems"]} == {"该身份证号码无法在本组织登记，请联系工委组织科。"}


def test_the_preview_looks_up_existing_records_once_per_block_of_rows(roll, django_assert_num_queries):
    def queries(size):
        data = make_xlsx(HEADER, *[["党员", an_id(n), BRANCH, "2010-07-01"] for n in range(1, size + 1)])
        resource = MemberResource()
        table = resource.stream(data)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            result = check(resource, table)
        assert result.totals["new"] == size
        return len(captured)

    assert queries(50) == queries(100) <= 5  # both one block of CHECK_BLOCK rows
    assert 100 < CHECK_BLOCK


def test_a_sheet_read_in_pieces_keeps_its_row_numbers_hidden_rows_merges_and_uncalculated_formulas(monkeypatch):
    monkeypatch.setattr(sheets, "PIECE_ROWS", 4)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["党员名册"])
    sheet.append(["姓名", "身份证号码", "所在党组织", "入党日期"])
    for n in range(1, 14):
        sheet.append([f"党员{n}", an_id(n), "某党支部" if n == 1 else None, "2010-07-01"])
    sheet.merge_cells("C3:C15")  # the organization merged down every row, across four pieces
    sheet["D11"] = '=TEXT(DATE(2010,7,1),"yyyy-mm-dd")'  # no result saved with it
    sheet["A20"] = "党员20"  # after a gap, in a piece of its own
    sheet["B20"] = an_id(20)
    sheet.row_dimensions[9].hidden = True
    out = io.BytesIO()
    book.save(out)
    left = set(os.listdir(tempfile.gettempdir()))
    table = MemberResource().stream(out.getvalue())
    rows = list(table)
    assert [r[0] for r in rows] == list(range(3, 16)) + [20]
    assert [r[1] for r in rows] == [f"党员{n}" for n in range(1, 14)] + ["党员20"]
    assert {r[3] for r in rows[:-1]} == {"某党支部"} and rows[-1][3] is None
    assert isinstance(rows[8][4], sheets.Uncalculated) and rows[8][0] == 11
    assert any("第9行在Excel中是隐藏行" in note for note in table.notes)
    # The pieces were a temporary file, gone once calamine held it open.
    assert not {n for n in set(os.listdir(tempfile.gettempdir())) - left if n.startswith("shuzhi-sheet-")}
