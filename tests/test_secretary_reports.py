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
    with django_assert_max_num_queries(40):
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
