"""Meetings come in from the offices' spreadsheets through the one import machinery, as every record does."""
import datetime
import io

import openpyxl
from django.urls import reverse

from branches import models as m
from conftest import make_xlsx

HEADERS = ("会议日期", "党支部", "会议类型", "会议主题", "主持人", "实到人数", "应到人数")


def test_a_sheet_of_meetings_is_previewed_then_imported_and_importing_it_again_adds_nothing(build, sheets):
    org = build.org(name="红山区示例小学党支部")
    data = make_xlsx(
        HEADERS,
        (datetime.date(2023, 3, 27), org.name, "党员大会", "讨论接收预备党员", "张三", 18, 20),
        (datetime.date(2023, 3, 28), org.name, "党小组会", "第一党小组学习", "李四", 6, 7),
        (datetime.date(2023, 3, 28), org.name, "党小组会", "第二党小组学习", "王五", 7, 7),
    )
    preview = sheets.upload("meeting", data)
    assert preview.status_code == 200 and preview.context["preview"]["new"] == 3
    assert m.Meeting.objects.count() == 0  # nothing is written before the worker confirms
    sheets.confirm("meeting", preview)
    assert m.Meeting.objects.filter(organization=org).count() == 3
    again = sheets.upload("meeting", data)
    assert again.context["preview"]["skip"] == 3
    sheets.confirm("meeting", again)
    assert m.Meeting.objects.count() == 3


def test_a_bad_row_is_reported_by_row_column_and_value_and_nothing_is_written(build, sheets):
    org = build.org(name="红山区示例小学党支部")
    data = make_xlsx(
        HEADERS,
        (datetime.date(2023, 3, 28), org.name, "党员大会", "学习", "张三", 21, 20),
        (datetime.date(2023, 4, 2), org.name, "茶话会", "联欢", "张三", 5, 5),
        (datetime.date(2023, 4, 3), "不存在的党支部", "党课", "党课", "张三", 5, 5),
    )
    preview = sheets.upload("meeting", data)
    problems = {(p.row, p.column): p.message for p in preview.context["preview"]["problems"]}
    assert "实到人数（21）不能多于应到人数（20）" in problems[(2, "实到人数")]
    assert (3, "类型") in problems and (4, "党组织") in problems
    assert m.Meeting.objects.count() == 0


def test_meetings_export_to_a_sheet_the_import_reads_back(build, meet, admin_client, sheets):
    org = build.org(name="红山区示例小学党支部")
    meet(org, "主题党日", datetime.date(2023, 5, 4), topic="重温入党誓词", present=9, on_roll=10)
    response = admin_client.get(reverse("admin:branches_meeting_export"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    header, *rows = list(book.active.iter_rows(values_only=True))
    [row] = [dict(zip(header, r)) for r in rows if any(r)]
    assert (row["党组织"], row["类型"], row["主题"], row["实到人数"], row["应到人数"]) == (org.name, "主题党日", "重温入党誓词", 9, 10)
    assert sheets.upload("meeting", response.content).context["preview"]["skip"] == 1
