"""Each basic-level secretary's 述职报告, drafted from their organization's own records, on the demo district.

The three parts are the seed's (履职工作特色和亮点 / 存在的主要问题及原因 / 下一步工作思路和措施); every figure in a
sentence is checked here against a count made directly from the records of that organization's subtree.
"""
import datetime
import io
import zipfile

import pytest
from docx import Document

from branches import models as m
from reports.secretary_reports import content, document

D = datetime.date


def subtree(org):
    return m.Organization.objects.get(pk=org.pk).subtree_ids()


@pytest.fixture
def round_2023(demo):
    return m.ReviewRound.objects.get_or_create(year=2023, defaults={"held_on": D(2024, 1, 18)})[0]


def test_the_whole_round_is_drafted_in_a_fixed_number_of_queries(demo, django_assert_max_num_queries):
    organizations = list(m.Organization.objects.basic_level())
    assert len(organizations) == 68
    # (the same at any size: the posts read from the tenures counted on the day, the grade rules with their weights)
    with django_assert_max_num_queries(42):
        facts = content.gather(2023, organizations)
    assert len(facts) == 68


def test_each_reports_figures_are_its_own_subtrees_records(demo):
    organizations = list(m.Organization.objects.basic_level())
    facts = content.gather(2023, organizations)
    for org in organizations[:: 7]:
        ids = subtree(org)
        f = facts[org.pk]
        assert f.on_roll == m.Member.objects.on_roll().filter(organization_id__in=ids).count()
        assert f.joined == m.Member.objects.filter(organization_id__in=ids, join_date__year=2023).count()
        assert f.meetings_held == m.Meeting.objects.reviewed().filter(organization_id__in=ids, held_on__year=2023).count()
        assert f.elections == m.Election.objects.reviewed().filter(organization_id__in=ids, held_on__year=2023).count()
        text = content.draft(f)["highlights"]
        assert f"本组织现有在册党员{f.on_roll}名" in text
    assert sum(f.on_roll for f in facts.values()) == m.Member.objects.on_roll().count()


def test_a_report_names_a_rectification_past_its_deadline_as_a_problem_and_a_measure(demo):
    case = m.RectificationCase.objects.filter(year=2023).exclude(status=m.RectificationCase.Status.CLOSED).first()
    if case is None:
        case = m.RectificationCase.objects.filter(year=2023).first()
        case.status, case.closed_on, case.is_exemplary = m.RectificationCase.Status.IN_PROGRESS, None, False
    case.deadline = D(2023, 10, 31)
    case.save()
    org = case.organization
    while org.parent.kind != m.OrgKind.COMMITTEE:
        org = org.parent
    drafted = content.draft(content.gather(2023, [org])[org.pk])
    assert "2023年软弱涣散整顿整改时限2023年10月31日已过仍未销号" in drafted["problems"]
    assert "按时提请验收销号" in drafted["measures"]


def test_the_docx_has_the_three_parts_and_the_zip_one_file_per_organization(demo, round_2023):
    organizations = list(m.Organization.objects.basic_level()[:3])
    files = document.render_all(round_2023, organizations)
    assert [name for name, _ in files] == [f"{o.name}.docx" for o in organizations]
    text = "\n".join(p.text for p in Document(io.BytesIO(files[0][1])).paragraphs)
    assert f"{organizations[0].name}书记2023年度抓基层党建工作述职报告" in text
    for heading in document.PART_HEADINGS.values():
        assert heading in text
    archive = zipfile.ZipFile(io.BytesIO(document.render_zip(files)))
    assert sorted(archive.namelist()) == sorted(name for name, _ in files)


def test_what_the_secretary_wrote_replaces_the_draft_in_the_document(demo, round_2023):
    org = m.Organization.objects.basic_level().first()
    m.SecretaryReport.objects.update_or_create(round=round_2023, organization=org,
                                               defaults={"highlights": "我们建成了党员活动室。"})
    (name, data), = document.render_all(round_2023, [org])
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert "我们建成了党员活动室。" in text and "二、存在的主要问题及原因" in text


def test_the_demo_round_rates_most_secretaries_good_or_fine_a_few_fair_none_poor_the_weak_private_lower(demo):
    from collections import Counter

    from branches import secretary_reviews

    results = secretary_reviews.grades(m.ReviewRound.objects.get(year=2023)).values()
    grades = Counter(r.grade for r in results)
    assert len(results) == 68 and grades[m.Grade.POOR] == 0
    assert grades[m.Grade.GOOD] + grades[m.Grade.FINE] > 55 and 0 < grades[m.Grade.FAIR] <= 10
    fair = [r.organization for r in results if r.grade == m.Grade.FAIR]
    assert all(o.ownership == m.Ownership.PRIVATE for o in fair)
    assert all(r.total == 30 for r in results)
    assert m.FollowUp.objects.filter(round__year=2022).late(D(2023, 12, 31)).count() == 1


def test_the_demo_ballots_differ_per_organization_and_each_score_is_the_sum_of_its_items(demo):
    from django.db.models import F, Sum

    from branches import secretary_reviews

    results = secretary_reviews.grades(m.ReviewRound.objects.get(year=2023)).values()
    # Drawn per organization within what its grade allows, not one split for all of a kind.
    for grade in (m.Grade.GOOD, m.Grade.FINE):
        splits = {tuple(r.ordered_counts) for r in results if r.grade == grade}
        assert len(splits) >= 4, (grade, splits)
    assert len({r.average for r in results}) > 30
    ballots = m.Ballot.objects.filter(round__year=2023)
    assert not ballots.annotate(items=Sum("item_scores__score")).exclude(items=F("score")).exists()
    assert m.ItemScore.objects.filter(ballot__round__year=2023).count() == ballots.count() * len(m.DEFAULT_REVIEW_ITEMS)


def test_the_command_writes_every_organizations_report_and_a_summary_with_their_grades(demo, tmp_path):
    import openpyxl
    from django.core.management import call_command

    from branches import secretary_reviews

    call_command("secretary_reports", "--year", "2023", "--output", str(tmp_path), stdout=io.StringIO())
    organizations = list(m.Organization.objects.basic_level())
    written = sorted(p.name for p in tmp_path.glob("*.docx"))
    assert written == sorted(f"{o.name}.docx" for o in organizations) and len(written) == 68
    rows = list(openpyxl.load_workbook(tmp_path / "summary.xlsx").worksheets[0].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == 68
    results = secretary_reviews.grades(m.ReviewRound.objects.get(year=2023))
    by_name = {r.organization.name: r for r in results.values()}
    facts = content.gather(2023, organizations)
    for row in body:
        line = dict(zip(header, row))
        result = by_name[line["党组织"]]
        assert line["综合等次"] == result.grade_label and line["好"] == result.counts.get(m.Grade.GOOD, 0)
        assert line["在册党员"] == facts[result.organization.pk].on_roll
    one = organizations[5]
    text = "\n".join(p.text for p in Document(tmp_path / f"{one.name}.docx").paragraphs)
    assert f"本组织现有在册党员{facts[one.pk].on_roll}名" in text


def test_the_command_for_one_organization_and_its_refusals(demo, tmp_path):
    from django.core.management import CommandError, call_command

    name = m.Organization.objects.basic_level().first().name
    call_command("secretary_reports", "--year", "2023", "--output", str(tmp_path), "--organization", name,
                 stdout=io.StringIO())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([f"{name}.docx", "summary.xlsx"])
    with pytest.raises(CommandError, match="不是2023年度参加述职的党组织"):
        call_command("secretary_reports", "--year", "2023", "--output", str(tmp_path), "--organization", "无此组织")
    with pytest.raises(CommandError, match="没有2021年度的述职评议"):
        call_command("secretary_reports", "--year", "2021", "--output", str(tmp_path))


def test_the_ranking_page_lists_each_category_with_the_offices_criteria(demo, admin_client):
    from django.urls import reverse

    page = admin_client.get(reverse("secretary_reports_ranking", args=[2023]))
    assert page.status_code == 200
    labels = [c["label"] for c in page.context["categories"]]
    assert labels[:3] == ["公办中学", "公办小学", "公办幼儿园"] and "民办学校" in labels
    assert sum(len(c["results"]) for c in page.context["categories"]) == 68
    html = page.content.decode()
    assert "“好”票占比不低于75%" in html  # the private categories' seeded threshold
    rule = m.GradeRule.objects.get(category=m.ReviewCategory.PUBLIC_PRIMARY)
    rule.good_share = 95
    rule.save()
    html = admin_client.get(reverse("secretary_reports_ranking", args=[2023])).content.decode()
    assert "“好”票占比不低于95%" in html
    primary = next(c for c in admin_client.get(reverse("secretary_reports_ranking", args=[2023])).context["categories"]
                   if c["label"] == "公办小学")
    assert all(r.grade != m.Grade.GOOD for r in primary["results"])  # 80% 好 no longer reaches 95%


def test_the_round_pages_and_downloads_cost_a_bounded_number_of_queries(demo, admin_client, django_assert_max_num_queries):
    from django.urls import reverse

    with django_assert_max_num_queries(80):
        assert admin_client.get(reverse("secretary_reports", args=[2023])).status_code == 200
    with django_assert_max_num_queries(80):
        assert admin_client.get(reverse("secretary_reports_summary", args=[2023])).status_code == 200


def test_the_dashboard_shows_the_rounds_grades_by_category_who_has_not_submitted_and_open_problems(demo, admin_client):
    page = admin_client.get("/dashboard/?year=2023")
    card = page.context["review_card"]
    assert sum(sum(counts) for _, counts in card["categories"]) == 68
    not_submitted = m.SecretaryReport.objects.filter(round__year=2023, review_status=m.SecretaryReport.DRAFT)
    assert {o.pk for o in card["unsubmitted"]} == set(not_submitted.values_list("organization_id", flat=True)) != set()
    assert card["open"] == m.FollowUp.objects.filter(round__year=2023, done_on__isnull=True).count() > 0
    html = page.content.decode()
    assert "2023年度书记述职评议" in html and "未提交述职报告" in html
    assert admin_client.get(card["follow_ups_url"]).status_code == 200


def test_the_annual_report_gives_the_rounds_results_under_its_main_responsibility(demo):
    from collections import Counter

    from branches import secretary_reviews
    from reports.annual.content import build

    text = next(p.full for p in build(2023).document.paragraphs if "全面落实主体责任" in p.full)
    grades = Counter(r.grade for r in secretary_reviews.grades(m.ReviewRound.objects.get(year=2023)).values())
    from django.db.models import Avg

    average = m.Ballot.objects.filter(round__year=2023).aggregate(a=Avg("score"))["a"]
    shares = {i.name: m.ItemScore.objects.filter(item=i).aggregate(a=Avg("score"))["a"] / i.full_marks
              for i in m.ReviewItem.objects.filter(round__year=2023)}
    low = min(shares, key=shares.get)
    assert (f"组织开展2023年度基层党组织书记抓基层党建工作述职评议，68名书记述职，收回民主测评票{68 * 30}张，"
            f"平均测评得分{average:.1f}分，各测评项目中“{low}”得分率最低") in text
    assert (f"综合评定“好”{grades[m.Grade.GOOD]}个、“较好”{grades[m.Grade.FINE]}个、“一般”{grades[m.Grade.FAIR]}个") in text
