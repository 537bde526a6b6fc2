"""The 预警 list (/warnings/, with its xlsx download) and the 组织生活落实情况 page (/meetings/compliance/)."""
import io

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from django.urls import reverse

from accounts import scope
from branches.dates import today
from branches.models import Ownership

from . import meetings, warnings


def _page(request, template, context, status=200):
    return render(request, template, {**admin.site.each_context(request), **context}, status=status)


@login_required
def warning_list(request):
    errors = []
    on = today()
    if request.GET.get("date"):
        try:
            on = warnings.parse_day(request.GET["date"])
        except ValueError as exc:
            errors.append(str(exc))
    code = request.GET.get("rule") or None
    if code and code not in warnings.RULES_BY_CODE:
        errors.append(f"没有编号为“{code}”的预警规则。")
    ownership = request.GET.get("ownership") or None
    if ownership and ownership not in Ownership.values:
        errors.append("办学性质应为公办或民办。")
    context = {"title": "基层党组织预警", "rules": warnings.RULES, "ownerships": Ownership.choices,
               "on": on, "code": code, "ownership": ownership}
    if errors:
        return _page(request, "reports/warnings.html", {**context, "errors": errors}, status=400)

    result = warnings.evaluate(on, scope.organizations(request.user))
    shown = result.only(code, ownership)
    if request.GET.get("format") == "xlsx":
        stream = io.BytesIO()
        warnings.workbook(shown).save(stream)
        stream.seek(0)
        return FileResponse(stream, as_attachment=True, filename=f"预警清单-{on.isoformat()}.xlsx",
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    query = request.GET.copy()
    query["format"] = "xlsx"
    return _page(request, "reports/warnings.html", {
        **context, "result": result, "shown": shown, "counts": result.counts(),
        "public": result.flagged_share(Ownership.PUBLIC), "private": result.flagged_share(Ownership.PRIVATE),
        "xlsx_url": f"{request.path}?{query.urlencode()}",
        "compliance_url": reverse("meeting_compliance") + f"?year={on.year}",
    })


@login_required
def meeting_compliance(request):
    errors = []
    year, kind, number = today().year, request.GET.get("period") or "year", None
    try:
        if request.GET.get("year"):
            year = int(request.GET["year"])
        if kind != "year":
            number = int(request.GET.get("number") or 0)
    except ValueError:
        errors.append("年度、季度或月份应填写数字。")
    context = {"title": "组织生活落实情况", "year": year, "kind": kind, "number": number,
               "windows": meetings.WINDOWS, "quarters": range(1, 5), "months": range(1, 13)}
    if not errors:
        try:
            result = meetings.compliance(year, kind, number, organizations=scope.organizations(request.user))
        except ValueError as exc:
            errors.append(str(exc))
    if errors:
        return _page(request, "reports/meeting_compliance.html", {**context, "errors": errors}, status=400)
    # Lagging branches first: the office reads this page to find them.
    rows = sorted(result.rows, key=lambda r: (r.total.rate if r.total.rate is not None else 2, r.organization.sort_order))
    meetings_url = reverse("admin:branches_meeting_changelist")
    for row in rows:
        row.links = [
            (cell, f"{meetings_url}?organization__id__exact={row.organization.pk}&meeting_type__id__exact={t.pk}"
                   f"&held_on__gte={result.start.isoformat()}&held_on__lte={result.end.isoformat()}")
            for t, cell in row.cells.items()
        ]
    by_type = [(t, cells[Ownership.PUBLIC], cells[Ownership.PRIVATE]) for t, cells in result.by_type.items()]
    return _page(request, "reports/meeting_compliance.html", {
        **context, "result": result, "rows": rows, "by_type": by_type,
        "public": result.by_ownership[Ownership.PUBLIC], "private": result.by_ownership[Ownership.PRIVATE],
    })
