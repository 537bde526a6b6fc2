"""The annual duty report: every figure of the seed report, computed from the records, in the Word file the
secretary downloads; figures that move with the records; a clear report for a year with none."""
import datetime
import io
import re

import docx
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches import demo as demo_module
from conftest import NO_EXTENSION
from branches import models as m
from branches.dates import today
from branches.idcard import make_id_number
from reports.annual.content import about, build
from reports.annual.document import render_docx
from reports.annual.workbook import render_xlsx


def report_text(client, year):
    response = client.get(reverse("annual_report_docx"), {"year": year})
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].endswith("wordprocessingml.document")
    return "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)


# Each figure of the seed report (shared/seed/duty-report-2023.txt beside the repository), in a sentence of its own
# subject, with nothing beside it: the year before is in the annex's comparison table.
SEED_SENTENCES = [
    rf"全系统共有68个直属党组织（含所属党支部共129个）、3800名党员",
    rf"专题指导基层党建工作3次，开展专题调研2次，包抓8个基层党组织党建工作",
    rf"主持召开党工委会议11次，研究党建议题34项",
    rf"参加专题民主生活会1次，参加所在支部组织生活会2次",
    rf"全系统开展书记轮训班4期，本人撰写研讨交流材料5篇，完成调研专题3个，上专题党课4次，检视整改问题25个",
    rf"召开中心组理论学习会议13次，组织局机关党员干部集中学习36次",
    rf"全系统干部群众撰写心得体会3000余篇",
    rf"调整配备6个科级班子30名科级领导干部，调整配备8个股级单位10名领导干部",
    rf"批准成立3个党组织，指导26个基层党组织开展换届选举",
    rf"84个基层党支部完成标准化建设",
    rf"培养省级骨干、学科带头人68人，市区级骨干名师185人",
    rf"召开民办教育机构党组织负责人工作会议3次，全覆盖进行民办教育机构党建工作调研检查1次",
    rf"2个民办教育机构党组织在整顿提升中被树为典型",
    rf"开展集体约谈4次，一对一约谈学校领导班子15个，领导干部68人",
]


def test_the_2023_word_file_carries_every_figure_of_the_seed_report(demo, admin_client):
    text = report_text(admin_client, 2023)
    missing = [pattern for pattern in SEED_SENTENCES if not re.search(pattern, text)]
    assert not missing, missing
    assert "根据会议安排，现就本人2023年抓基层党建履职情况述职如下：" in text
    for heading in ("一、履职工作特色和亮点", "二、存在的主要问题及原因", "三、下一步工作思路和措施"):
        assert heading in text.splitlines()


def test_the_year_before_is_in_the_annexs_comparison_table_not_beside_the_figures(demo, admin_client):
    text = report_text(admin_client, 2023)
    assert "上年" not in text.split("附件：")[0]
    assert "主持召开党工委会议11次，研究党建议题34项，" in text
    assert "84个基层党支部完成标准化建设（年度目标80个）" in text
    document = docx.Document(io.BytesIO(admin_client.get(reverse("annual_report_docx"), {"year": 2023}).content))
    rows = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in document.tables[-1].rows}
    assert rows["党工委会议（次）"] == ["11", "9", "+2"]
    assert rows["党工委会议研究党建议题（项）"] == ["34", "26", "+8"]
    previous = m.Assessment.objects.filter(year=2022).met().count()  # the demo draws it; the seed gives no figure
    assert rows["标准化建设达标党支部（个）"] == ["84", str(previous), f"{84 - previous:+d}"]
    assert rows["心得体会（篇）"][:2] == ["3042", "2350"]


def test_counts_of_a_thousand_and_more_are_said_the_way_the_seed_says_them():
    assert [about(n) for n in (999, 1000, 3042, 12345)] == ["999", "1000", "3000余", "12000余"]


def test_the_problems_are_sentences_built_from_the_figures(demo, admin_client):
    report = build(2023)
    f = report.figures
    text = report_text(admin_client, 2023)
    problems = next(line for line in text.splitlines() if line.startswith("存在的问题："))
    lead = f.leadership
    assert f"目前还有{len(lead.no_secretary) + len(lead.incomplete)}个党组织班子没有配齐" in problems
    assert f"书记空缺{len(lead.no_secretary)}个" in problems
    assert f"{len(lead.ageing)}个党组织书记年满55周岁" in problems
    assert f"党务工作者{f.members.party_workers}人，平均每名党务工作者联系服务{f.members.members_per_worker:.1f}名党员" in problems
    assert f"{f.standardization.failed}个党支部未达到标准化建设要求，主要差在“" in problems
    private, public = f.sides["private"], f.sides["public"]
    assert private.met_rate < public.met_rate  # the demo's private schools lag, as the seed says
    assert (f"党支部标准化达标率{private.met_rate * 100:.1f}%，低于公办学校的{public.met_rate * 100:.1f}%") in problems
    # Overdue elections and late conversions are warnings: listed in the annex, not argued in the body.
    assert f"涉及{report.watch.flagged}个党组织，逐项见附件1" in problems
    # The office's own reflection follows, as the seed's "通过认真自省，查找原因" paragraph.
    lines = text.splitlines()
    assert lines[lines.index(problems) + 1].startswith("通过认真自省，查找原因")


def test_adding_a_member_through_the_admin_moves_the_total(demo, admin_client):
    assert "、3800名党员" in report_text(admin_client, 2023)
    org = m.Organization.objects.get(name="红山区第一小学低年级党支部")
    born = datetime.date(1990, 3, 4)
    response = admin_client.post(reverse("admin:branches_member_add"), {
        "name": "新党员", "id_number": make_id_number("620402", born, 777), "gender": "男", "ethnicity": "汉族",
        "birth_date": "1990-03-04", "education": "bachelor", "phone": "", "organization": org.pk,
        "status": "full", "join_date": "2015-07-01", "full_member_date": "2016-07-01",
        "roll_status": "on_roll", "job": "teacher", "backbone_title": "", "backbone_year": "", **NO_EXTENSION,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "、3801名党员" in report_text(admin_client, 2023)


def test_a_new_organization_approved_in_the_year_moves_the_approved_count(demo, admin_client):
    root = m.Organization.objects.get(kind=m.OrgKind.COMMITTEE)
    m.Organization.objects.create(name="红山区新建学校党支部", parent=root, kind=m.OrgKind.BRANCH,
                                  unit_category=m.UnitCategory.PRIMARY, approved_on=datetime.date(2023, 11, 1))
    text = report_text(admin_client, 2023)
    assert "批准成立4个党组织" in text and "全系统共有69个直属党组织（含所属党支部共130个）" in text


def test_a_year_with_no_records_tells_the_office_instead_of_counting_zeros(admin_client):
    text = report_text(admin_client, 2023)
    assert "台账中没有" not in text and "系统中没有" not in text  # notes for the office, not the document
    assert "存在的问题" not in text and "尚未填写" not in text
    assert not re.search(r"(?<![\d.])0(个|次|名|人|篇|期|项)", text), text
    notes = build(2023).notes
    assert "台账中没有2023年政治建设、思想建设、组织建设、党风廉政建设方面的工作记录，报告中略去了这些方面。" in notes
    assert any(note.startswith("系统中没有2023年的党组织和党员记录") for note in notes)
    assert "2023年的下一步工作思路和措施尚未填写。" in notes


def test_the_current_year_is_reported_up_to_today(db):
    year = today().year
    intro = build(year).document.paragraphs[0].full
    assert f"{year}年（截至{today().month}月{today().day}日）" in intro


def test_part_three_is_the_offices_text_for_the_year_edited_in_the_admin(demo, admin_client):
    plan = m.AnnualPlan.objects.get(year=2023)
    response = admin_client.post(reverse("admin:branches_annualplan_change", args=[plan.pk]), {
        "year": 2023, "standardization_target": 80, "reflection": plan.reflection,
        "next_steps": "1.抓好新修订条例的学习。组织全系统党组织书记逐条学习。\n2.推进民办学校党建全覆盖。",
    })
    assert response.status_code == 302
    doc = docx.Document(io.BytesIO(admin_client.get(reverse("annual_report_docx"), {"year": 2023}).content))
    steps = [p for p in doc.paragraphs if p.text.startswith("1.抓好")]
    assert len(steps) == 1
    assert steps[0].runs[0].text == "1.抓好新修订条例的学习。"  # its own heading, run in at the start (楷体)
    assert steps[0].text == "1.抓好新修订条例的学习。组织全系统党组织书记逐条学习。"
    assert "2.推进民办学校党建全覆盖。" in [p.text for p in doc.paragraphs]


def test_a_year_without_its_own_text_starts_from_the_previous_years_and_says_so(demo, admin_client):
    assert not m.AnnualPlan.objects.filter(year=2024).exists()
    report = build(2024)
    text = "\n".join(p.full for p in report.document.paragraphs)
    assert "1.进一步强化思想政治教育。" in text
    assert any("暂用上一年度的文稿" in note for note in report.notes)
    page = admin_client.get(reverse("annual_report"), {"year": 2024}).content.decode()
    assert "暂用上一年度的文稿" in page
    assert f'{reverse("admin:branches_annualplan_add")}?year=2024' in page


def test_the_preview_page_shows_the_report_with_its_downloads_and_the_plan_link(demo, admin_client):
    response = admin_client.get(reverse("annual_report"), {"year": 2023})
    page = response.content.decode()
    assert response.status_code == 200
    assert "2023年抓基层党建工作述职报告" in page
    assert "主持召开党工委会议11次" in page
    assert f'{reverse("annual_report_docx")}?year=2023' in page
    assert f'{reverse("annual_report_xlsx")}?year=2023' in page
    plan = m.AnnualPlan.objects.get(year=2023)
    assert reverse("admin:branches_annualplan_change", args=[plan.pk]) in page


def test_without_a_year_the_page_shows_last_years_report(db, admin_client):
    response = admin_client.get(reverse("annual_report"))
    assert response.status_code == 200
    assert f"{today().year - 1}年抓基层党建工作述职报告" in response.content.decode()


@pytest.mark.parametrize("name", ["annual_report", "annual_report_docx", "annual_report_xlsx"])
@pytest.mark.parametrize("year, message", [
    ("abc", "请填写四位数字的年份"), ("1800", "超出范围"), ("2999", "超出范围"), ("2²23", "超出范围"),
    ("2023.0", "请填写四位数字的年份"), ("-2023", "请填写四位数字的年份"),
])
def test_a_bad_year_gets_a_clear_message_not_a_server_error(admin_client, name, year, message):
    response = admin_client.get(reverse(name), {"year": year})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_year_typed_in_full_width_digits_is_understood(db, admin_client):
    response = admin_client.get(reverse("annual_report"), {"year": "２０２３"})
    assert response.status_code == 200
    assert "2023年抓基层党建工作述职报告" in response.content.decode()


@pytest.mark.parametrize("name", ["annual_report", "annual_report_docx", "annual_report_xlsx"])
def test_the_report_is_for_staff_only(db, client, name):
    assert client.get(reverse(name), {"year": 2023}).status_code == 302
    user = get_user_model().objects.create_user("teacher", password="a-long-test-password")
    client.force_login(user)
    response = client.get(reverse(name), {"year": 2023})
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_the_annual_plan_admin_links_to_the_years_report(demo, admin_client):
    plan = m.AnnualPlan.objects.get(year=2023)
    page = admin_client.get(reverse("admin:branches_annualplan_change", args=[plan.pk])).content.decode()
    assert f'{reverse("annual_report")}?year=2023' in page
    assert reverse("annual_report") in admin_client.get(reverse("admin:branches_annualplan_changelist")).content.decode()


def _queries_for_the_report(year):
    with CaptureQueriesContext(connection) as queries:
        report = build(year)
        render_docx(report.document)
        render_xlsx(report)
    return len(queries)


def test_the_report_and_workbook_take_the_same_number_of_queries_whatever_the_districts_size(db):
    demo_module.load(members=600)
    small = _queries_for_the_report(2023)
    demo_module.load(members=4000, reset=True)
    assert _queries_for_the_report(2023) == small
    # the figures' 40 (发展党员 three of them, and one for the workbook's list of new members), and the problems'
    # organizational life and warnings (reports.warnings, 发展党员 two of them), and the 述职评议's results (15: the
    # round, its organizations, its 测评 items and their averages, the grade rules with their weights, the ballots and
    # vetoes, the follow-ups and comments), the office's fixed texts for the year (one), the four newer warning
    # rules' (unapproved elections, late follow-ups, 回执未返回, 转入党员信息不全), and the posts: the tenures counted
    # on the day (one), and the year's elections' elected (their tenures and members, two)
    assert small <= 73


def test_a_kind_of_work_not_logged_is_left_out_of_its_sentence_and_the_office_is_told(demo, admin_client):
    m.WorkLogEntry.objects.filter(date__year=2023, kind=m.WorkKind.GUIDANCE).delete()
    text = report_text(admin_client, 2023)
    assert "专题指导基层党建工作" not in text
    assert "二是全面落实主体责任。开展专题调研2次，包抓8个基层党组织党建工作" in text
    page = admin_client.get(reverse("annual_report"), {"year": 2023}).content.decode()
    assert "报告中略去了这些项：“专题指导基层党建”。" in page
