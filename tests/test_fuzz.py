"""Hostile values in every parameter a page reads and in every field of every admin form, as each of the three roles
(工委管理员, 党组织书记, 领导): a page may refuse them (400, 404, a redirect, the form again with its errors), never 500.

The parameters are found, not listed: a page's form (reports/forms.py, branches/forms.py) and every admin list's
filters (the changelist's filter_specs, its date hierarchy, search, ordering, paging); the form fields are the add
form's own. Each value is a table entry (no randomness): the test is the same on every run.
"""
import pytest
from django.contrib import admin
from django.urls import reverse

from reports.forms import PeriodForm, WarningsForm
from scoped_district import as_user, district, leader, office, secretary  # noqa: F401  (fixtures)

# Blank and full-width 2023 are good values (the page's default year, 2023): the pages' own tests cover them.
HOSTILE = [
    "0", "-1", "1", "9999", "99999999999999999999999", "1e309", "NaN", "²", "2023-02-30", "0001-01-01",
    "9999-12-31", "\x00", "<script>alert(1)</script>", "' OR 1=1 --", "%", "9" * 3000,
]
FORM_VALUES = ["", "-1", "99999999999999999999999", "0001-01-01", "\x00x", "9" * 300, "<b>"]
PAGES = {
    "dashboard": ["year"], "todo": [], "phone_todo": [], "warnings": list(WarningsForm.base_fields),
    "meeting_compliance": list(PeriodForm.base_fields), "annual_report": ["year"], "annual_report_docx": ["year"],
    "annual_report_xlsx": ["year"], "phone_meeting_add": [],
}
ALLOWED = {200, 302, 400, 403, 404}


def records_admins():
    return [(model, ma) for model, ma in admin.site._registry.items() if model._meta.app_label == "branches"]


def check(client, method, url, data, failures):
    try:
        response = getattr(client, method)(url, data)
    except Exception as exc:  # noqa: BLE001 - what would have been a 500
        failures.append((method, url, repr(data)[:120], repr(exc)[:200]))
        return None
    if response.status_code not in ALLOWED:
        failures.append((method, url, repr(data)[:120], response.status_code))
    return response


def parameters_of_list(client, url):
    """Every parameter the list reads: its filters', its date hierarchy's, search, ordering, page, 状态日期."""
    response = client.get(url)
    if response.status_code != 200 or "cl" not in (response.context or {}):
        return []
    cl = response.context["cl"]
    names = {"q", "o", "p", "asof", "e", "all"}
    for spec in cl.filter_specs:
        names.update(spec.expected_parameters())
    if cl.date_hierarchy:
        names.update(f"{cl.date_hierarchy}__{part}" for part in ("year", "month", "day"))
    return sorted(names)


@pytest.fixture
def roles(district, office, secretary, leader):
    return [as_user(office), as_user(secretary), as_user(leader)]


# Kept to tens of seconds: every value and every parameter is tried, the roles taking turns (each role meets every
# page, list and form, and most values).
def test_no_page_parameter_gives_a_server_error_to_any_role(roles):
    failures, turn = [], 0
    for name, params in PAGES.items():
        url = reverse(name)
        for value in HOSTILE:
            turn += 1
            check(roles[turn % 3], "get", url, {p: value for p in params}, failures)
            for p in params if len(params) > 1 else ():  # one at a time too, the others absent
                turn += 1
                check(roles[turn % 3], "get", url, {p: value}, failures)
    assert failures == []


def test_no_admin_list_parameter_gives_a_server_error_to_any_role(roles):
    failures, turn = [], 0
    for model, _ in records_admins():
        url = reverse(f"admin:branches_{model._meta.model_name}_changelist")
        params = {i: parameters_of_list(client, url) for i, client in enumerate(roles)}
        for value in HOSTILE:
            turn += 1
            if params[turn % 3]:
                check(roles[turn % 3], "get", url, {p: value for p in params[turn % 3]}, failures)
        for n, p in enumerate(sorted(set().union(*params.values()))):
            turn += 1
            check(roles[turn % 3], "get", url, {p: HOSTILE[n % len(HOSTILE)]}, failures)
    assert failures == []


def add_form_data(response, value):
    """The add form's fields all set to `value`, its inlines' management forms as the page gave them."""
    context = response.context
    data = {name: value for name in context["adminform"].form.fields}
    for formset in context.get("inline_admin_formsets", []):
        management = formset.formset.management_form
        data.update({f"{management.prefix}-{k}": management.initial.get(k, 0) for k in management.fields})
        data[f"{management.prefix}-TOTAL_FORMS"] = 0
    return data


def test_no_admin_form_field_gives_a_server_error_to_any_role(roles):
    failures, turn = [], 0
    for model, _ in records_admins():
        url = reverse(f"admin:branches_{model._meta.model_name}_add")
        pages = [client.get(url) for client in roles]
        for value in FORM_VALUES:
            turn += 1
            client, page = roles[turn % 3], pages[turn % 3]
            if page.status_code == 200:  # else the role may not add these
                check(client, "post", url, add_form_data(page, value), failures)
    assert failures == []


@pytest.mark.parametrize("year", ["99999999999999999999999", "9999", "0"])
def test_an_impossible_year_in_the_date_hierarchy_is_a_bad_address(admin_client, year):
    for model in ("election", "meeting", "worklogentry"):
        response = admin_client.get(reverse(f"admin:branches_{model}_changelist"), {"held_on__year" if model != "worklogentry" else "date__year": year})
        assert response.status_code == 302 and "e=1" in response["Location"]


def test_a_nul_in_a_list_filter_is_a_bad_address_as_django_treats_an_unknown_filter(admin_client):
    # PostgreSQL cannot compare a text holding NUL: an admin filter given one would fail on the server
    url = reverse("admin:branches_member_changelist")
    response = admin_client.get(url, {"gender__exact": "\x00"})
    assert response.status_code == 302 and response["Location"].endswith("?e=1")
    assert admin_client.get(url, {"gender__exact": "男"}).status_code == 200
