"""The annual duty report: the preview page and its .docx and .xlsx downloads (staff only)."""
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header

from accounts.scope import district_wide
from branches.dates import today

from .duty_report import FIRST_YEAR, build, clean_year
from .officedoc import render_docx
from .workbook import render_xlsx

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(request, year=None, error="", report=None, status=200):
    context = {
        **admin.site.each_context(request),
        "title": f"{year}年述职报告" if year else "述职报告",
        "year": year, "error": error, "report": report, "selected": year or today().year - 1,
        "years": range(today().year, FIRST_YEAR - 1, -1),
    }
    if report is not None:
        plan = report.plan
        context["plan_url"] = (reverse("admin:branches_annualplan_change", args=[plan.pk]) if plan.pk
                               else reverse("admin:branches_annualplan_add") + f"?year={year}")
    return render(request, "reports/annual_report.html", context, status=status)


def _year(request):
    """The year asked for (last year when none is), or the message to show instead."""
    raw = request.GET.get("year")
    if raw is None or raw == "":
        return today().year - 1, ""
    try:
        return clean_year(raw), ""
    except ValidationError as exc:
        return None, exc.messages[0]


@staff_member_required
@district_wide  # the committee's district-wide report: not for a school's secretary
def annual_report(request):
    year, error = _year(request)
    if error:
        return _page(request, error=error, status=400)
    return _page(request, year, report=build(year))


def _download(render, content_type, suffix):
    @staff_member_required
    @district_wide
    def view(request):
        year, error = _year(request)
        if error:
            return _page(request, error=error, status=400)
        report = build(year)
        filename = f"{report.document.title}{suffix}"
        return HttpResponse(render(report), content_type=content_type,
                            headers={"Content-Disposition": content_disposition_header(True, filename)})
    return view


annual_report_docx = _download(lambda report: render_docx(report.document), DOCX, ".docx")
annual_report_xlsx = _download(render_xlsx, XLSX, ".xlsx")
