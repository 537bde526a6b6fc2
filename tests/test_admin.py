"""The office's admin: every page renders, the changelists answer the daily questions without N+1 queries."""
import datetime
import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches import models as m
from branches.dates import today
from branches.idcard import make_id_number

DEMO_DAY = datetime.date(2023, 12, 31)  # the demo's working year ends here: its lists read this day by default
MODELS = [m.Organization, m.Member, m.Election, m.Assessment, m.StandardItem, m.StandardArea, m.RectificationCase,
          m.ProblemCategory, m.WorkLogEntry, m.Leader, m.AnnualPlan]


def changelist(model):
    return reverse(f"admin:branches_{model._meta.model_name}_changelist")


def result_count(response):
    return response.context["cl"].result_count


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_list_add_and_change_page_renders_on_the_demo_district(demo, admin_client, model):
    assert admin_client.get(changelist(model)).status_code == 200
    assert admin_client.get(reverse(f"admin:branches_{model._meta.model_name}_add")).status_code == 200
    obj = model.objects.order_by("pk").last()
    response = admin_client.get(reverse(f"admin:branches_{model._meta.model_name}_change", args=[obj.pk]))
    assert response.status_code == 200


def test_the_admin_speaks_chinese(demo, admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "党组织" in page and "党员" in page and "换届选举" in page and "站点管理" not in page


def _grow(build, orgs, per_org):
    """Organizations with members, elections, assessments and cases: the rows a changelist shows."""
    for _ in range(orgs):
        leader = m.Leader.objects.create(name=f"领导{build.seq}", title=m.Leader.Title.MEMBER)
        org = build.org(liaison_leader=leader)
        private = build.org(unit_category=m.UnitCategory.PRIVATE_SCHOOL)
        m.Election.objects.create(organization=org, held_on=datetime.date(2022, 5, 1))
        m.Assessment.objects.create(organization=org, year=2023, result="passed", assessed_on=datetime.date(2023, 12, 1))
        m.RectificationCase.objects.create(organization=private, year=2023, problems="x", deadline=datetime.date(2023, 9, 1))
        m.WorkLogEntry.objects.create(date=datetime.date(2023, 1, 1), kind=m.WorkKind.GUIDANCE, title=f"督导{build.seq}")
        for i in range(per_org):
            build.member(org, post=m.Member.Post.SECRETARY if i == 0 else "")


@pytest.mark.parametrize("model", [m.Organization, m.Member, m.Election, m.Assessment, m.RectificationCase, m.WorkLogEntry, m.Leader],
                         ids=lambda model: model.__name__)
def test_a_changelist_runs_the_same_number_of_queries_for_3_rows_as_for_30(build, admin_client, model):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(changelist(model)).status_code == 200
        return len(queries)

    _grow(build, 3, 2)
    few = count()
    _grow(build, 27, 2)
    assert model.objects.count() >= 27
    assert count() == few


def test_members_are_found_by_name_id_number_and_phone(build, admin_client):
    org = build.org()
    wang = build.member(org, name="王建华", phone="13912345678")
    build.member(org, name="李明")
    for term in ["王建华", wang.id_number, "13912345678"]:
        response = admin_client.get(changelist(m.Member), {"q": term})
        assert result_count(response) == 1, term


def test_the_organization_list_shows_counts_staffing_and_the_next_election(build, admin_client):
    org = build.org(name="红山区东山小学党支部")
    for i in range(8):
        build.member(org, post=m.Member.Post.SECRETARY if i == 0 else "")
    m.Election.objects.create(organization=org, held_on=datetime.date(2021, 9, 1))
    # Read as of today: by default the list reads the end of the working year, here that of the 2021 election.
    page = admin_client.get(changelist(m.Organization), {"q": "东山小学", "asof": today().isoformat()}).content.decode()
    row = re.search(r"红山区东山小学党支部.*?</tr>", page, re.S).group(0)
    assert ">8<" in row  # members on the roll
    assert "班子不全" in row  # 8 full members and no committee
    assert "2024-09-01" in row and "逾期未换届" in row


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"election": "overdue"}, lambda: m.Organization.objects.election_overdue(DEMO_DAY).count()),
        ({"election": "never"}, lambda: m.Organization.objects.never_elected().count()),
        ({"level": "basic"}, lambda: 68),
        ({"level": "branch"}, lambda: m.Organization.objects.branches().count()),
    ],
)
def test_organization_filters_select_what_the_rules_select(demo, admin_client, params, expected):
    # Without ?asof= the list reads the working year's last day: the demo's records end in 2023.
    assert result_count(admin_client.get(changelist(m.Organization), params)) == expected()


def test_staffing_filter_lists_the_organizations_without_a_secretary(demo, admin_client):
    response = admin_client.get(changelist(m.Organization), {"staffing": "no_secretary"})
    names = {o.name for o in response.context["cl"].result_list}
    assert names and all(not m.Member.objects.secretaries().filter(organization__name=n).exists() for n in names)


def test_the_conversion_filter_lists_overdue_probationary_members(demo, admin_client):
    response = admin_client.get(changelist(m.Member), {"conversion": "overdue"})
    assert result_count(response) == m.Member.objects.conversion_overdue(DEMO_DAY).count() > 0


def test_saving_an_organization_through_the_admin_applies_the_tree_rules(build, admin_client):
    branch = build.org(name="甲党支部")
    response = admin_client.post(reverse("admin:branches_organization_add"), {
        "name": "乙党支部", "parent": branch.pk, "kind": m.OrgKind.BRANCH, "sort_order": 0,
        "unit_category": m.UnitCategory.PRIMARY, "ownership": m.Ownership.PUBLIC, "area": m.Area.URBAN, "is_active": "on",
        "elections-TOTAL_FORMS": 0, "elections-INITIAL_FORMS": 0,
    })
    assert response.status_code == 200
    assert "党支部不能设在党支部之下" in response.content.decode()
    assert not m.Organization.objects.filter(name="乙党支部").exists()


def test_adding_a_member_with_a_bad_id_number_shows_the_reason_and_saves_nothing(build, admin_client):
    org = build.org()
    good = make_id_number("620402", datetime.date(1985, 3, 9), 123)
    response = admin_client.post(reverse("admin:branches_member_add"), {
        "name": "张三", "id_number": good[:17] + ("0" if good[17] != "0" else "1"), "ethnicity": "汉族",
        "organization": org.pk, "status": "full", "join_date": "2010-07-01", "full_member_date": "2011-07-01",
        "roll_status": "on_roll",
    })
    assert response.status_code == 200
    assert "校验位错误" in response.content.decode()
    assert not m.Member.objects.exists()


def test_a_new_years_plan_starts_from_last_years_text(demo, admin_client):
    response = admin_client.get(reverse("admin:branches_annualplan_add"), {"year": "2024"})
    form = response.context["adminform"].form
    assert form.initial["year"] == 2024
    assert "进一步强化思想政治教育" in form.initial["next_steps"]


@pytest.mark.parametrize(
    "model, params",
    [
        (m.Member, {"join_year": "²⁰²³"}), (m.Member, {"join_year": "99999"}), (m.Member, {"within": "²"}),
        (m.Member, {"within": "9" * 40}), (m.Election, {"year": "²"}), (m.WorkLogEntry, {"year": "99999"}),
        (m.Assessment, {"within": "²"}),
    ],
)
def test_odd_filter_values_are_refused_without_a_server_error(build, admin_client, model, params):
    assert admin_client.get(changelist(model), params).status_code == 200


def test_a_plan_for_an_odd_year_starts_from_this_year(build, admin_client):
    assert admin_client.get(reverse("admin:branches_annualplan_add"), {"year": "²"}).status_code == 200
