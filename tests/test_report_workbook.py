"""The workbook backs every number of the report: one sheet per area, the records or grouped counts behind each
figure, and totals equal to the figures the Word file states. Read back with openpyxl."""
import io
import re

import docx
import openpyxl
import pytest
from django.urls import reverse

SHEETS = ["党组织", "党员", "换届选举", "标准化建设", "软弱涣散整顿", "发展党员", "工作台账", "预警事项", "组织生活", "与上年对比"]


def table(ws, title):
    """(headers, rows, total row or None) of the table under `title`: tables end at a blank row."""
    rows = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    start = next(i for i, row in enumerate(rows) if row[0] == title and not any(row[1:]))
    headers, body = rows[start + 1], []
    for row in rows[start + 2:]:
        if all(v in (None, "") for v in row):
            break
        body.append(row)
    total = body.pop() if body and body[-1][0] == "合计" else None
    return headers, body, total


def column(headers, rows, name):
    i = headers.index(name)
    return [row[i] for row in rows]


@pytest.fixture
def both(demo, admin_client):
    """The 2023 Word file's text and workbook, as downloaded from the report page."""
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(
        admin_client.get(reverse("annual_report_docx"), {"year": 2023}).content)).paragraphs)
    response = admin_client.get(reverse("annual_report_xlsx"), {"year": 2023})
    assert response["Content-Type"].endswith("spreadsheetml.sheet")
    return text, openpyxl.load_workbook(io.BytesIO(response.content))


def said(text, pattern):
    """The number the report states in the sentence matching `pattern` (one group)."""
    return int(re.search(pattern, text).group(1))


def test_the_workbook_has_one_sheet_per_area(both):
    assert both[1].sheetnames == SHEETS


def test_organizations_and_members_add_up_to_the_reports_totals(both):
    text, book = both
    orgs, members = said(text, r"全系统共有(\d+)个直属党组织"), said(text, r"个）、(\d+)名党员")
    headers, rows, total = table(book["党组织"], "工委直属党组织（按组织类别）")
    assert sum(column(headers, rows, "数量")) == total[1] == orgs == 68
    headers, rows, total = table(book["党组织"], "按单位类别")
    assert sum(column(headers, rows, "工委直属党组织")) == orgs
    _, rows, _ = table(book["党组织"], "2023年批准成立的党组织")
    assert len(rows) == said(text, r"批准成立(\d+)个党组织") == 3
    headers, rows, _ = table(book["党组织"], "书记包抓的党组织")
    assert len(rows) == said(text, r"包抓(\d+)个基层党组织") == 8
    assert set(column(headers, rows, "包抓领导")) == {"王建国"}
    for title in ("按单位类别", "按办学性质"):
        headers, rows, total = table(book["党员"], title)
        assert sum(column(headers, rows, "党员")) == total[1] == members == 3800
    headers, rows, total = table(book["党员"], "按年龄")
    assert sum(column(headers, rows, "党员")) == members


def test_problems_in_the_report_are_listed_organization_by_organization(both):
    text, book = both
    _, rows, _ = table(book["党组织"], "班子没有配齐的党组织")
    assert len(rows) == said(text, r"目前还有(\d+)个党组织班子没有配齐")
    _, rows, _ = table(book["党组织"], "书记年龄偏大的党组织")
    assert len(rows) == said(text, r"(\d+)个党组织书记年满55周岁")
    assert all(age >= 55 for age in column(table(book["党组织"], "书记年龄偏大的党组织")[0], rows, "书记年龄"))
    # Overdue elections and late conversions are in the annex's warning list, as in the workbook's.
    headers, warned, _ = table(book["预警事项"], "预警事项清单（附件1）")
    counts = dict(zip(column(headers, warned, "预警事项"), column(headers, warned, "党组织数")))
    _, rows, _ = table(book["换届选举"], "任期届满逾期未换届的党组织")
    assert len(rows) == counts["任期届满逾期未换届"]
    _, rows, _ = table(book["党员"], "预备期满未转正的党员")
    assert len({row[1] for row in rows}) == counts["预备党员逾期未转正"]


def test_elections_standardization_and_rectification_back_their_figures(both):
    text, book = both
    headers, rows, total = table(book["换届选举"], "2023年换届选举")
    held = said(text, r"指导(\d+)个基层党组织开展换届选举")
    assert sum(column(headers, rows, "计入党组织数")) == held == len(set(column(headers, rows, "党组织"))) == 26
    headers, rows, total = table(book["标准化建设"], "按单位类别")
    met = said(text, r"(\d+)个基层党支部完成标准化建设")
    assert sum(column(headers, rows, "达标（含示范）")) == met == 84
    headers, rows, _ = table(book["软弱涣散整顿"], "2023年整顿台账")
    assert column(headers, rows, "树为典型").count("是") == said(text, r"(\d+)个民办教育机构党组织在整顿提升中被树为典型") == 2


def test_the_work_log_sheet_lists_the_entries_behind_each_work_figure(both):
    text, book = both
    headers, rows, _ = table(book["工作台账"], "2023年党建工作台账（逐条）")
    meetings = [row for row in rows if row[headers.index("工作类型")] == "党工委会议"]
    assert len(meetings) == said(text, r"主持召开党工委会议(\d+)次") == 11
    assert sum(column(headers, meetings, "研究议题")) == said(text, r"研究党建议题(\d+)项") == 34
    reflections = sum(row[headers.index("数量")] for row in rows if row[headers.index("工作类型")] == "心得体会")
    assert reflections == 3042 and "心得体会3000余篇" in text
    talks = [row for row in rows if row[headers.index("工作类型")] == "一对一约谈"]
    assert sum(column(headers, talks, "涉及班子（单位）")) == 15 and sum(column(headers, talks, "涉及人数")) == 68
    headers, rows, _ = table(book["工作台账"], "2022年党建工作台账（按工作类型）")
    before = rows[[r[0] for r in rows].index("党工委会议")][1]
    headers, rows, _ = table(book["与上年对比"], "2023年主要工作指标与2022年对比（附件2）")
    assert rows[column(headers, rows, "指标").index("党工委会议")][3] == before == 9


def test_a_year_without_records_gives_a_workbook_of_empty_tables(admin_client):
    response = admin_client.get(reverse("annual_report_xlsx"), {"year": 2023})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == SHEETS
    headers, rows, total = table(book["党员"], "按单位类别")
    assert rows == [] and total[1] == 0
    assert table(book["换届选举"], "2023年换届选举")[1] == []
