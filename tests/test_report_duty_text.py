"""The duty report reads as the secretary wrote it: the seed's four problems argued from their records, the totals
said once, the year before and the warning list in annexes (GB/T 9704 附件), the office's own fixed phrases per year,
a workbook sheet behind each figure, and the same report as PDF where LibreOffice is installed."""
import datetime
import io
import re
import shutil

import docx
import openpyxl
import pytest
from django.urls import reverse

from accounts import roles
from branches import models as m
from reports.annual.content import build as build_report
from scoped_district import account, as_user, district  # noqa: F401  (fixture)

FOUR = ["干部队伍建设还需再着力", "抓党建工作持续用力不够", "党建品牌培育力度不够", "民办教育党建仍需加强"]


def download(client, name, year=2023):
    response = client.get(reverse(name), {"year": year})
    assert response.status_code == 200, response.content[:300]
    return response.content


def word(client, year=2023):
    return docx.Document(io.BytesIO(download(client, "annual_report_docx", year)))


def body_of(document):
    """The paragraphs before the annexes' 附件说明."""
    text = "\n".join(p.text for p in document.paragraphs)
    return text.split("\n附件：")[0]


def problems_of(text):
    return next(line for line in text.splitlines() if line.startswith("存在的问题："))


def test_part_two_has_the_seeds_four_problems_each_argued_from_its_records(demo, admin_client):
    report = build_report(2023)
    f, watch = report.figures, report.watch
    problems = problems_of(body_of(word(admin_client)))
    titles = re.findall(r"[一二三四五六七]是([^。]+)。", problems)
    assert titles == FOUR
    one, two, three, four = re.split(r"[二三四]是(?:抓党建|党建品牌|民办教育党建)", problems)
    lead = f.leadership
    assert f"{len(lead.no_secretary) + len(lead.incomplete)}个党组织班子没有配齐" in one
    assert f"{len(lead.ageing)}个党组织书记年满55周岁" in one
    assert f"平均每名党务工作者联系服务{f.members.members_per_worker:.1f}名党员" in two
    assert f"组织生活按期落实率为{watch.compliance.total.rate * 100:.1f}%" in two
    sf = f.standardization
    assert f"示范党支部的{sf.exemplary}个，集中在" in three
    assert "民办学校" in three.split("还没有示范党支部")[0].split("；")[-1]  # where no exemplary branch is
    private = f.sides["private"]
    flagged, judged = watch.private_flagged
    assert 0 < flagged <= judged
    said = "全部存在预警事项" if flagged == judged else f"其中{flagged}个党组织存在预警事项"
    assert f"民办教育机构党组织{private.organizations}个、党员{private.members}名，{said}" in four
    assert f"年内整顿软弱涣散党组织{len(f.rectification.cases)}个、销号{len(f.rectification.closed_in_year)}个" in four


def test_a_problem_whose_records_show_nothing_is_not_invented(build):
    # A small public district: no private school, no standardization assessed, a staffed young team.
    branch = build.org("测试小学党支部")
    for post in (m.Member.Post.SECRETARY, m.Member.Post.ORGANIZATION, m.Member.Post.PUBLICITY):
        build.member(branch, post=post, born=datetime.date(1985, 5, 6))
    for _ in range(4):
        build.member(branch)
    text = "\n".join(p.full for p in build_report(2023).document.paragraphs)
    assert "干部队伍建设还需再着力" not in text
    assert "党建品牌培育力度不够" not in text
    assert "民办教育党建仍需加强" not in text


def test_the_totals_are_said_once_and_never_as_a_hundred_percent(demo, admin_client):
    document = word(admin_client)
    text = "\n".join(p.text for p in document.paragraphs)
    assert text.count("68个直属党组织（含所属党支部共129个）") == 1
    assert "占100.0%" not in text and "100.0%" not in body_of(document)
    assert "全系统129个党组织" not in text  # no second count of the same organizations
    assert "台账中没有" not in text


def test_the_annexes_carry_the_warning_list_and_the_year_before_in_the_standards_form(demo, admin_client):
    # GB/T 9704-2012 7.3.4: 附件说明 one blank line under the body, two characters in, "附件：1.…", no full stop
    # after a name; 8: "附件应当另面编排…“附件”二字及附件顺序号用3号黑体字顶格编排在版心左上角第一行。附件标题居中编排在
    # 版心第三行。" (quoted from a copy of the standard's text; the standard itself was not in the stored pages)
    report = build_report(2023)
    document = word(admin_client)
    texts = [p.text for p in document.paragraphs]
    assert "附件：1.基层党组织预警事项清单" in texts and "　　　2.主要工作指标与上年对比" in texts
    assert texts[texts.index("附件：1.基层党组织预警事项清单") - 1] == ""
    marks = [p for p in document.paragraphs if p.text in ("附件1", "附件2")]
    assert [p.text for p in marks] == ["附件1", "附件2"]
    for mark in marks:
        assert mark.paragraph_format.page_break_before
        assert mark.style.font.size.pt == 16
        assert mark.style.element.rPr.rFonts.get(docx.oxml.ns.qn("w:eastAsia")) == "黑体"
        assert texts[texts.index(mark.text) + 1] == ""
        title = document.paragraphs[texts.index(mark.text) + 2]
        assert title.style.name == "公文标题"
    warnings_table, comparison = document.tables
    rows = [[c.text for c in row.cells] for row in warnings_table.rows][1:]
    assert [(r[1], int(r[2])) for r in rows] == [(row[1], row[2]) for row in report.watch.rows]
    flagged = {r[1] for r in rows}
    assert {"任期届满逾期未换届", "预备党员逾期未转正", "两年未发展党员"} <= flagged
    header = [c.text for c in comparison.rows[0].cells]
    assert header == ["指标", "2023年", "2022年", "增减"]
    assert len(comparison.rows) - 1 == len(report.comparison)


def test_the_offices_text_edited_in_the_admin_is_what_the_report_says(demo, admin_client):
    row = m.ReportText.objects.get(year=2023, key=m.ReportText.Key.INSPECTION)
    assert "专项巡察、机动式巡察和“回头看”" in body_of(word(admin_client))  # the seed's words, from the migration
    response = admin_client.post(reverse("admin:branches_reporttext_change", args=[row.pk]), {
        "year": 2023, "key": row.key, "text": "全力配合区委第三轮巡察工作。",
    })
    assert response.status_code == 302
    text = body_of(word(admin_client))
    assert "全力配合区委第三轮巡察工作。" in text and "机动式巡察" not in text
    page = admin_client.get(reverse("admin:branches_reporttext_changelist"), {"year": 2023}).content.decode()
    assert "配合巡察" in page and "inspection" not in page.split('id="result_list"')[1].split("</table>")[0]


def test_next_years_text_starts_from_this_years(demo, admin_client):
    m.ReportText.objects.filter(year=2023, key=m.ReportText.Key.THEME_EDUCATION).update(text="新的学习教育")
    m.WorkLogEntry.objects.create(date=datetime.date(2024, 3, 1), kind=m.WorkKind.TRAINING_CLASS, title="书记轮训班")
    report = build_report(2024)
    assert "在教育系统深入开展新的学习教育" in "\n".join(p.full for p in report.document.paragraphs)
    assert any("暂用上一年度的文字" in note for note in report.notes)
    ids = list(m.ReportText.objects.filter(year=2023).values_list("pk", flat=True))
    response = admin_client.post(reverse("admin:branches_reporttext_changelist"), {
        "action": "prefill_next_year", "_selected_action": ids,
    })
    assert response.status_code == 302
    assert m.ReportText.objects.get(year=2024, key=m.ReportText.Key.THEME_EDUCATION).text == "新的学习教育"
    assert m.ReportText.objects.filter(year=2024).count() == len(m.ReportText.Key.values)
    assert not any("暂用上一年度的文字" in note for note in build_report(2024).notes)


def test_a_secretary_cannot_edit_the_reports_text(district):
    secretary = as_user(account("书记", roles.SECRETARY, district.school))
    row = m.ReportText.objects.get(year=2023, key=m.ReportText.Key.INSPECTION)
    assert secretary.get(reverse("admin:branches_reporttext_change", args=[row.pk])).status_code == 403
    response = secretary.post(reverse("admin:branches_reporttext_change", args=[row.pk]),
                              {"year": 2023, "key": row.key, "text": "改"})
    assert response.status_code == 403
    assert m.ReportText.objects.get(pk=row.pk).text == row.text


def sheet_rows(ws, title):
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == title)
    body = []
    for row in rows[start + 2:]:
        if all(v in (None, "") for v in row):
            break
        body.append(row)
    return body


def test_the_workbook_backs_the_warnings_the_meetings_and_the_comparison(demo, admin_client):
    document = word(admin_client)
    book = openpyxl.load_workbook(io.BytesIO(download(admin_client, "annual_report_xlsx")))
    warned = sheet_rows(book["预警事项"], "预警事项清单（附件1）")
    annex = [[c.text for c in row.cells] for row in document.tables[0].rows][1:]
    assert [(w[1], w[2], w[3], w[4]) for w in warned] == [(a[1], int(a[2]), int(a[3]), int(a[4])) for a in annex]
    summary = dict(r[:2] for r in sheet_rows(book["预警事项"], "截至2023-12-31预警汇总"))
    assert f"涉及{summary['存在预警事项的党组织']}个党组织" in body_of(document)
    assert f"含所属党支部共{summary['参与研判的党组织（直属党组织及所属党支部）']}个" in body_of(document)
    life = sheet_rows(book["组织生活"], "2023年“三会一课”等组织生活落实情况")
    rates = {row[0]: row[4] for row in life}
    text = body_of(document)
    assert f"组织生活按期落实率为{rates['合计']:.1f}%，其中公办{rates['公办']:.1f}%、民办{rates['民办']:.1f}%" in text
    compared = {row[0]: row[2:4] for row in sheet_rows(book["与上年对比"], "2023年主要工作指标与2022年对比（附件2）")}
    table = {row.cells[0].text: (int(row.cells[1].text), int(row.cells[2].text)) for row in document.tables[1].rows[1:]}
    assert {k.rsplit("（", 1)[0]: v for k, v in table.items()} == {k: tuple(v) for k, v in compared.items()}
    assert compared["党工委会议"] == (11, 9)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed here")
def test_the_report_downloads_as_a_pdf_converted_by_libreoffice(demo, admin_client):
    page = admin_client.get(reverse("annual_report"), {"year": 2023}).content.decode()
    assert f'{reverse("annual_report_pdf")}?year=2023' in page
    response = admin_client.get(reverse("annual_report_pdf"), {"year": 2023})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "filename*=utf-8''2023" in response["Content-Disposition"]


def test_without_libreoffice_the_pdf_link_says_so_in_chinese(db, admin_client, settings):
    settings.SHUZHI = {**settings.SHUZHI, "SOFFICE": "/nonexistent/soffice"}
    response = admin_client.get(reverse("annual_report_pdf"), {"year": 2023})
    assert response.status_code == 503
    assert "未安装 LibreOffice" in response.content.decode()
