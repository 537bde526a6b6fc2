"""The audit trail of imports is as complete as that of the admin: a rectification case's problem categories,
written by an import, are in its history like every other field, on the history page too."""
import pytest
from conftest import make_xlsx
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches import models as m

HEADER = ("党组织", "年度", "问题类别", "存在问题", "整改时限", "状态")
EDUCATION, OTHER, TEAM = "党员教育管理松散", "其他", "活动阵地薄弱"


def case_row(school, categories, problems="三会一课不落实"):
    return (school.name, 2023, "、".join(categories), problems, "2023-10-30", "整顿中")


def imported(sheets, *rows):
    preview = sheets.upload("rectificationcase", make_xlsx(HEADER, *rows))
    assert preview.status_code == 200 and not preview.context["preview"]["problems"]
    assert sheets.confirm("rectificationcase", preview).status_code == 302


def categories_of(history_row):
    return {row.problemcategory.name for row in history_row.categories.all()}


@pytest.fixture
def school(build):
    m.ProblemCategory.objects.create(name=TEAM)  # the seeded names with "、" in them cannot be named in a cell
    return build.org(name="红山区育英学校党支部", unit_category=m.UnitCategory.PRIVATE_SCHOOL)


def test_a_case_created_by_an_import_has_its_categories_in_its_first_history_row(school, sheets):
    imported(sheets, case_row(school, [EDUCATION, OTHER]))
    created = m.RectificationCase.objects.get().history.get()
    assert created.history_type == "+" and created.import_batch is not None
    assert categories_of(created) == {EDUCATION, OTHER}


def test_an_import_that_changes_a_cases_categories_shows_the_change_in_its_history(school, sheets):
    imported(sheets, case_row(school, [EDUCATION, OTHER]))
    imported(sheets, case_row(school, [EDUCATION, TEAM]))
    case = m.RectificationCase.objects.get()
    latest = case.history.latest()
    assert latest.history_type == "~" and categories_of(latest) == {EDUCATION, TEAM}
    changes = {c.field: c for c in latest.diff_against(latest.prev_record).changes}
    assert list(changes) == ["categories"]
    names = {c.pk: c.name for c in m.ProblemCategory.objects.all()}
    old, new = ({names[row["problemcategory"]] for row in rows} for rows in (changes["categories"].old, changes["categories"].new))
    assert (old, new) == ({EDUCATION, OTHER}, {EDUCATION, TEAM})


def test_the_history_page_shows_the_categories_an_import_changed(school, sheets, admin_client):
    imported(sheets, case_row(school, [OTHER]))
    imported(sheets, case_row(school, [TEAM]))
    case = m.RectificationCase.objects.get()
    page = admin_client.get(reverse("admin:branches_rectificationcase_history", args=[case.pk])).content.decode()
    changes = page[page.index("<tbody"):]
    assert "问题类别" in changes and OTHER in changes and TEAM in changes


def test_an_import_that_changes_only_another_column_leaves_the_categories_unchanged_in_the_history(school, sheets):
    imported(sheets, case_row(school, [EDUCATION, OTHER]))
    imported(sheets, case_row(school, [EDUCATION, OTHER], problems="组织生活不规范"))
    latest = m.RectificationCase.objects.get().history.latest()
    assert [c.field for c in latest.diff_against(latest.prev_record).changes] == ["problems"]
    assert categories_of(latest) == {EDUCATION, OTHER}


def test_the_categories_history_costs_as_many_queries_for_thirty_cases_as_for_three(build, sheets):
    def confirm_costs(count, prefix):
        schools = [build.org(name=f"{prefix}学校{i}党支部", unit_category=m.UnitCategory.PRIVATE_SCHOOL) for i in range(count)]
        preview = sheets.upload("rectificationcase", make_xlsx(HEADER, *[case_row(s, [EDUCATION, OTHER]) for s in schools]))
        with CaptureQueriesContext(connection) as queries:
            sheets.confirm("rectificationcase", preview)
        return len(queries)

    assert confirm_costs(3, "甲") == confirm_costs(30, "乙")
    assert all(categories_of(case.history.get()) == {EDUCATION, OTHER} for case in m.RectificationCase.objects.all())
