"""The pages of the reports app: the dashboard, the 预警 list (with its xlsx), 组织生活落实情况, and the annual
duty report's preview and downloads."""
import io

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import content_disposition_header

from branches import models as m
from branches import scope, working_year
from branches.scope import district_wide
from branches.dates import today
from branches.early_warning import RULES, evaluate
from branches.forms import year_range
from branches.models import Ownership
from branches.periods import WINDOWS
from branches.version import remember

from . import figures, meetings, todo, warnings
from .annual.content import build as build_report
from .annual.document import render_docx
from .annual.pdf import ConversionUnavailable, docx_to_pdf
from .annual.workbook import render_xlsx
from .recruitment import flow_document
from .transfer_letters import printable, render_letters
from .secretary_reports import results as secretary_results
from .dashboard import build
from .forms import PeriodForm, TransferLettersForm, WarningsForm, YearForm


# ---------------------------------------------------------------------------------------------
# The dashboard
# ---------------------------------------------------------------------------------------------
@staff_member_required
def dashboard(request):
    first, last = working_year.recorded_years(request)
    current = today().year
    default = working_year.working_year(request)
    earliest, latest = year_range(until_this_year=True)
    years = list(range(latest, max(earliest, min(first or current, current)) - 1, -1))
    context = {**admin.site.each_context(request), "title": "基层党建工作看板", "years": years, "default_year": default,
               "staffing_states": m.Staffing, "election_states": m.ElectionState,
               "due_within": f"{m.ELECTION_DUE_MONTHS}个月内{m.ElectionState.DUE.label}"}
    form = YearForm(request.GET, until_this_year=True)
    if not form.is_valid():
        context["error"] = form.messages()[0]
        return render(request, "reports/dashboard.html", context, status=400)
    year = form.cleaned_data["year"] or default
    organizations = scope.organizations(request.user)  # a secretary's dashboard is their own organization's

    def compute():
        shown = build(year, organizations)
        shown.update(warnings.panel_context(shown["f"].as_of, organizations, states=shown["f"].states))
        shown["committee"] = m.Organization.objects.filter(kind=m.OrgKind.COMMITTEE).order_by("pk").first()
        return shown

    ids = scope.organization_ids(request.user)
    context.update(remember(("dashboard", year, ids if ids is None else tuple(sorted(ids))), compute))
    context.update(year=year, is_current=year == current, awaiting_review=todo.awaiting_review(organizations),
                   committee_work=organizations is None,  # the committee's own work log: the district's, not a school's
                   review_card=secretary_results.card(year, organizations))
    return render(request, "reports/dashboard.html", context)


# ---------------------------------------------------------------------------------------------
# 预警 and 组织生活落实情况
# ---------------------------------------------------------------------------------------------
def _page(request, template, context, status=200):
    return render(request, template, {**admin.site.each_context(request), **context}, status=status)


@login_required
def warning_list(request):
    form = WarningsForm(request.GET)
    valid = form.is_valid()
    data = form.cleaned_data
    on = data.get("date") or working_year.as_of(working_year.working_year(request))
    code, ownership = data.get("rule"), data.get("ownership")
    context = {"title": "基层党组织预警", "rules": RULES, "ownerships": Ownership.choices,
               "on": on, "code": code, "ownership": ownership}
    if not valid:
        return _page(request, "reports/warnings.html", {**context, "errors": form.messages()}, status=400)

    result = evaluate(on, scope.organizations(request.user))
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
    form = PeriodForm(request.GET, default_year=working_year.working_year(request))
    valid = form.is_valid()
    shown = form.shown()
    context = {"title": "组织生活落实情况", **shown,
               "windows": WINDOWS, "quarters": range(1, 5), "months": range(1, 13)}
    if not valid:
        return _page(request, "reports/meeting_compliance.html", {**context, "errors": form.messages()}, status=400)
    result = meetings.compliance(shown["year"], shown["kind"], shown["number"],
                                 organizations=scope.organizations(request.user))
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


# ---------------------------------------------------------------------------------------------
# The annual duty report (staff only)
# ---------------------------------------------------------------------------------------------
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report_page(request, year=None, error="", report=None, status=200):
    context = {
        **admin.site.each_context(request),
        "title": f"{year}年述职报告" if year else "述职报告",
        "year": year, "error": error, "report": report, "selected": year or _report_year(request),
        "years": range(year_range(until_this_year=True)[1], year_range()[0] - 1, -1),
    }
    if report is not None:
        plan = report.plan
        context["plan_url"] = (reverse("admin:branches_annualplan_change", args=[plan.pk]) if plan.pk
                               else reverse("admin:branches_annualplan_add") + f"?year={year}")
    return render(request, "reports/annual_report.html", context, status=status)


def _report_year(request):
    """The working year once it has ended, else last year: a duty report is of a whole year."""
    year = working_year.working_year(request)
    return year if year < today().year else today().year - 1


def _year(request):
    """The year asked for (else the working year, once ended), or the message to show instead."""
    form = YearForm(request.GET, until_this_year=True)
    if not form.is_valid():
        return None, form.messages()[0]
    return form.cleaned_data["year"] or _report_year(request), ""


@staff_member_required
@district_wide  # the committee's district-wide report: not for a school's secretary
def annual_report(request):
    year, error = _year(request)
    if error:
        return _report_page(request, error=error, status=400)
    return _report_page(request, year, report=build_report(year))


def _download(render, content_type, suffix):
    @staff_member_required
    @district_wide
    def view(request):
        year, error = _year(request)
        if error:
            return _report_page(request, error=error, status=400)
        report = build_report(year)
        filename = f"{report.document.title}{suffix}"
        return HttpResponse(render(report), content_type=content_type,
                            headers={"Content-Disposition": content_disposition_header(True, filename)})
    return view


annual_report_docx = _download(lambda report: render_docx(report.document), DOCX, ".docx")
annual_report_xlsx = _download(render_xlsx, XLSX, ".xlsx")
_annual_report_pdf = _download(lambda report: docx_to_pdf(render_docx(report.document)), "application/pdf", ".pdf")


def annual_report_pdf(request):
    try:
        return _annual_report_pdf(request)
    except ConversionUnavailable as problem:
        return render(request, "reports/pdf_unavailable.html",
                      {**admin.site.each_context(request), "title": "述职报告PDF", "message": str(problem)}, status=503)


# ---------------------------------------------------------------------------------------------
# 待办
# ---------------------------------------------------------------------------------------------
@staff_member_required
def todo_list(request):
    role, sections = todo.sections_for(request.user)
    return _page(request, "reports/todo.html", {
        "title": "待办事项", "role": role, "sections": sections, "count": sum(len(s.items) for s in sections),
    })


@login_required
def phone_todo(request):
    """The same 待办 at a phone's width, with the page to record a meeting one tap away."""
    role, sections = todo.sections_for(request.user)
    return render(request, "reports/phone_todo.html", {"role": role, "sections": sections})


# ---------------------------------------------------------------------------------------------
# 发展党员工作流程 of one person
# ---------------------------------------------------------------------------------------------
@staff_member_required
def recruit_flow_docx(request, pk):
    """The .docx the office prints for one person in the pipeline; outside the user's subtree it does not exist."""
    recruit = get_object_or_404(m.Recruit.objects.visible_to(request.user).select_related(
        "organization", "contact_1", "contact_2"), pk=pk)
    data = render_docx(flow_document(recruit, request.user))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = content_disposition_header(True, f"发展党员工作流程-{recruit.name}.docx")
    return response


# ---------------------------------------------------------------------------------------------
# 党员组织关系介绍信
# ---------------------------------------------------------------------------------------------
def _letters_response(transfers, user, filename):
    response = HttpResponse(render_letters(transfers, user),
                            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@staff_member_required
def transfer_letter_docx(request, pk):
    """One transfer's 介绍信; outside what the user sees (or a 转入, whose letter came from outside) it does not exist."""
    transfer = get_object_or_404(printable(request.user), pk=pk)
    return _letters_response([transfer], request.user, f"党员组织关系介绍信-{transfer.member.name}.docx")


@staff_member_required
def transfer_letters_docx(request):
    """The selected transfers' letters in one file, one a page (the admin list's action); all visible, or 404."""
    form = TransferLettersForm(request.GET)
    if not form.is_valid():
        return HttpResponse("；".join(form.messages()), status=400, content_type="text/plain; charset=utf-8")
    ids = form.cleaned_data["ids"]
    transfers = list(printable(request.user).filter(pk__in=ids).order_by("transferred_on", "pk"))
    if len(transfers) != len(ids):
        raise Http404
    return _letters_response(transfers, request.user, f"党员组织关系介绍信（{len(transfers)}封）.docx")
