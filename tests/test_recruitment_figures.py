"""发展党员 in the figures, the dashboard, the annual report and its workbook, and the one-person flow summary
(.docx): counted from the records in a bounded number of queries, against the office's plan."""
import datetime
import io
import re

import docx
import openpyxl
import pytest
from django.urls import reverse
from scoped_district import as_user, district, office, secretary  # noqa: F401

from branches import models as m
from branches.idcard import make_id_number
from reports.figures import district as district_figures

D = datetime.date
pytestmark = pytest.mark.django_db
FULL = {"activist_on": D(2021, 5, 1), "candidate_on": D(2022, 6, 1), "vetted_on": D(2022, 7, 1),
        "trained_on": D(2022, 8, 1)}


def recruit(org, seq, born=D(1990, 3, 8), **kw):
    kw.setdefault("applied_on", D(2021, 3, 1))
    r = m.Recruit(name=kw.pop("name", f"发展对象{seq}"), id_number=make_id_number("620402", born, seq), organization=org, **kw)
    r.full_clean()
    r.save()
    return r


@pytest.fixture
def pipeline(build):
    """Two branches, a plan for one; admitted in 2023: a backbone teacher, a young teacher, a young manager, and one
    accepted in November whom the upper committee approved in January; candidates, activists and applicants."""
    one, two = build.org(name="第一小学党支部"), build.org(name="第二小学党支部")
    m.RecruitmentPlan.objects.create(organization=one, year=2023, quota=4)
    teacher = m.Member.Job.TEACHER
    recruit(one, 1, born=D(1980, 1, 1), job=teacher, backbone_title="city", backbone_year=2022,
            accepted_on=D(2023, 3, 1), approved_on=D(2023, 4, 1), **FULL)
    recruit(one, 2, born=D(1995, 1, 1), job=teacher, accepted_on=D(2023, 5, 1), approved_on=D(2023, 6, 1), **FULL)
    recruit(two, 3, born=D(1995, 1, 1), job=m.Member.Job.MANAGER, accepted_on=D(2023, 6, 1), approved_on=D(2023, 7, 1), **FULL)
    recruit(two, 4, accepted_on=D(2023, 11, 20), approved_on=D(2024, 1, 10), **FULL)
    recruit(one, 5, applied_on=D(2022, 3, 1), activist_on=D(2022, 4, 1), candidate_on=D(2023, 5, 1))
    recruit(one, 6, applied_on=D(2023, 2, 1), activist_on=D(2023, 4, 1))
    recruit(two, 7, applied_on=D(2023, 9, 1))
    return one, two


def test_the_years_recruitment_is_counted_from_the_dated_steps_against_the_plan(pipeline):
    one, two = pipeline
    rec = district_figures(2023).recruitment
    assert (rec.applied, rec.activists, rec.candidates, rec.admitted) == (2, 1, 1, 4)
    # 双培双强: one backbone teacher, one teacher under 35 at the year's end (a manager under 35 is not a teacher)
    assert (rec.admitted_backbone, rec.admitted_young, rec.admitted_two_strong) == (1, 1, 2)
    # on 31 December the one approved in January still awaited approval: a 发展对象 then
    assert {s: n for s, n in rec.at_stage.items()} == {
        m.RecruitStage.APPLICANT: 1, m.RecruitStage.ACTIVIST: 1, m.RecruitStage.CANDIDATE: 2,
        m.RecruitStage.PROBATIONARY: 3}
    assert rec.planned == 4 and rec.plan_rate == 1
    assert [(r.organization, r.quota, r.admitted) for r in rec.plans] == [(one, 4, 2), (two, 0, 2)]
    # the new members are on the roll from their 党员大会's date: the roll's new members of the year are the same four
    assert district_figures(2023).members.new == 4


def test_the_recruitment_figures_take_as_many_queries_for_many_recruits_as_for_few(pipeline, build):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        district_figures(2023)
    more = build.org(name="第三小学党支部")
    m.RecruitmentPlan.objects.create(organization=more, year=2023, quota=9)
    for seq in range(10, 40):
        recruit(more, seq, accepted_on=D(2023, 3, 1), approved_on=D(2023, 4, 1), **FULL)
    with CaptureQueriesContext(connection) as many:
        assert district_figures(2023).recruitment.admitted == 34
    assert len(few) == len(many)


def test_a_secretarys_figures_hold_only_their_subtrees_recruits(district, secretary):
    from branches import scope

    recruit(district.branch, 1, accepted_on=D(2023, 3, 1), approved_on=D(2023, 4, 1), **FULL)
    recruit(district.other, 2, accepted_on=D(2023, 3, 1), approved_on=D(2023, 4, 1), **FULL)
    assert district_figures(2023, scope.organizations(secretary)).recruitment.admitted == 1
    page = as_user(secretary).get(reverse("dashboard"), {"year": 2023})
    assert page.context["recruitment"]["admitted"].value == 1


def test_every_recruitment_count_on_the_dashboard_opens_the_list_of_exactly_those_people(pipeline, admin_client):
    page = admin_client.get(reverse("dashboard"), {"year": 2023})
    assert page.status_code == 200
    rec = page.context["recruitment"]
    numbers = [rec[k] for k in ("applied", "activists", "candidates", "admitted", "backbone", "young")]
    numbers += [s["n"] for s in rec["stages"]] + [p["n"] for p in rec["plans"]]
    for n in numbers:
        listed = admin_client.get(n.url)
        assert listed.status_code == 200, n.url
        assert listed.context["cl"].result_count == n.value, n.url
    text = page.content.decode()
    assert "发展党员" in text and "计划4名，完成100.0%" in text


def test_the_annual_report_says_the_years_recruitment_against_the_plan(pipeline, admin_client):
    response = admin_client.get(reverse("annual_report_docx"), {"year": 2023})
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert re.search("年内发展党员4名（计划4名，完成100.0%），其中骨干教师1名、35岁以下青年教师1名，"
                     "确定发展对象1名，确定入党积极分子1名，收到入党申请2份。", text)


def test_the_workbook_lists_the_new_members_behind_the_reports_figure(pipeline, admin_client):
    response = admin_client.get(reverse("annual_report_xlsx"), {"year": 2023})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["发展党员"]
    rows = [r for r in sheet.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] == "本年发展的党员")
    listed = []
    for r in rows[start + 2:]:
        if r[0] in (None, "合计"):
            break
        listed.append(r[0])
    assert listed == ["发展对象1", "发展对象2", "发展对象3", "发展对象4"]


# -- the 发展党员工作流程 summary -----------------------------------------------------------------------------
def flow_text(client, recruit):
    response = client.get(reverse("recruit_flow_docx", args=[recruit.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    document = docx.Document(io.BytesIO(response.content))
    rows = [[c.text for c in row.cells] for row in document.tables[0].rows]
    return "\n".join(p.text for p in document.paragraphs), rows


def test_the_flow_summary_lists_each_step_its_date_and_whether_it_kept_its_time_rule(build, admin_client):
    org = build.org(name="第一小学党支部")
    # 细则 第十三条: a candidate after a year as an activist; here eleven months: not kept
    r = recruit(org, 1, name="周洁", talked_on=D(2021, 3, 20), activist_on=D(2021, 5, 1), candidate_on=D(2022, 4, 1), vetted_on=D(2022, 5, 1),
                training_began_on=D(2022, 5, 9), trained_on=D(2022, 5, 11), publicity_began_on=D(2022, 5, 16),
                publicity_ended_on=D(2022, 5, 20), accepted_on=D(2022, 6, 1), approved_on=D(2022, 7, 1))
    text, rows = flow_text(admin_client, r)
    assert "发展党员工作流程纪实" in text and "周洁" in text and "第一小学党支部" in text
    by_step = {row[1]: row for row in rows[1:]}
    assert rows[0] == ["序号", "环节", "日期", "时限要求", "执行情况"]
    assert len(rows) == 1 + len(m.Step)
    assert by_step["确定发展对象"][2] == "2022年4月1日" and by_step["确定发展对象"][4].startswith("不符合")
    assert by_step["集中培训结业"][4] == "符合"  # 第十七条: three days, 9 to 11 May
    assert by_step["公示结束"][4] == "符合"  # Monday to Friday: five working days
    assert by_step["上级党委审批"][4] == "符合"
    assert by_step["支部大会讨论接收"][4] == "符合"  # 政审 and training before the meeting
    assert "5项符合，1项不符合：确定发展对象" in text
    # a step never taken past its maximum is said so: here the talk, once the record loses its date
    m.Recruit.objects.filter(pk=r.pk).update(talked_on=None)
    _, rows = flow_text(admin_client, r)
    assert {row[1]: row for row in rows}["党组织派人谈话"][4].startswith("不符合（申请入党（2021-03-01）后已超过1个月")


def test_a_secretary_prints_only_their_own_peoples_flow(district, secretary):
    mine, theirs = recruit(district.branch, 1), recruit(district.other, 2)
    client = as_user(secretary)
    assert client.get(reverse("recruit_flow_docx", args=[theirs.pk])).status_code == 404
    text, _ = flow_text(client, mine)
    assert mine.id_number not in text  # 书记 without the personal-data permission sees the number masked


def test_a_schools_plan_counts_the_admissions_of_the_branches_under_it(build, admin_client):
    school = build.org(name="第一中学党委", kind=m.OrgKind.PARTY_COMMITTEE, unit_category=m.UnitCategory.HIGH_SCHOOL)
    grade = build.org(name="第一中学高一年级党支部", parent=school, unit_category=m.UnitCategory.HIGH_SCHOOL)
    m.RecruitmentPlan.objects.create(organization=school, year=2023, quota=3)
    for seq in (1, 2):
        recruit(grade, seq, accepted_on=D(2023, 3, 1), approved_on=D(2023, 4, 1), **FULL)
    rec = district_figures(2023).recruitment
    assert [(r.organization, r.quota, r.admitted) for r in rec.plans] == [(school, 3, 2)]
    row = admin_client.get(reverse("dashboard"), {"year": 2023}).context["recruitment"]["plans"][0]
    assert admin_client.get(row["n"].url).context["cl"].result_count == 2
