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

HOSTILE = [
    "", "0", "-1", "1", "9999", "99999999999999999999999", "1e309", "NaN", "２０２３", "²", "2023-02-30",
    "0001-01-01", "9999-12-31", "\x00", "<script>alert(1)</script>", "' OR 1=1 --", "%", "9" * 3000,
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
    return {"工委管理员": as_user(office), "党组织书记": as_user(secretary), "领导": as_user(leader)}


def test_no_page_parameter_gives_a_server_error_to_any_role(roles):
    failures = []
    for name, params in PAGES.items():
        url = reverse(name)
        for client in roles.values():
            for i, value in enumerate(HOSTILE):
                check(client, "get", url, {p: value for p in params}, failures)
                if params:  # one at a time too, the others absent
                    check(client, "get", url, {params[i % len(params)]: value}, failures)
    assert failures == []


def test_no_admin_list_parameter_gives_a_server_error_to_any_role(roles):
    failures = []
    clients = list(roles.values())
    for model, _ in records_admins():
        url = reverse(f"admin:branches_{model._meta.model_name}_changelist")
        for client in clients:
            params = parameters_of_list(client, url)
            for i, value in enumerate(HOSTILE):
                if params:
                    check(client, "get", url, {p: value for p in params}, failures)
                    for p in params[i::len(HOSTILE)] or [params[i % len(params)]]:
                        check(client, "get", url, {p: value}, failures)
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
    failures = []
    for model, _ in records_admins():
        url = reverse(f"admin:branches_{model._meta.model_name}_add")
        for client in roles.values():
            page = client.get(url)
            if page.status_code != 200:
                continue  # the role may not add these
            for value in FORM_VALUES:
                check(client, "post", url, add_form_data(page, value), failures)
    assert failures == []
