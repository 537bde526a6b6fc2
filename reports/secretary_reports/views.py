"""The pages of 述职评议考核: the round's list, one secretary's report (edit and submit, or read), the downloads.

A secretary reaches only the organizations of their subtree: any other answers 404, as what does not exist.
"""
from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header

from branches import models as m
from branches import secretary_reviews
from branches.periods import YEARS

from ..forms import SecretaryReportForm
from . import content, document, workbook

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _round(year):
    if year not in YEARS:  # also what the database could not compare (10^20)
        raise Http404
    return get_object_or_404(m.ReviewRound, year=year)


def _reporting(request, review_round):
    return review_round.reporting().visible_to(request.user)


def _organization(request, review_round, pk):
    organization = _reporting(request, review_round).filter(pk=pk).first()
    if organization is None:
        raise Http404
    return organization


def _download(data, filename, content_type):
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
def round_list(request, year):
    review_round = _round(year)
    organizations = list(_reporting(request, review_round))
    stored = document.reports_of(review_round, organizations)
    grades = secretary_reviews.grades(review_round, organizations)
    rows = []
    for org in organizations:
        report = stored.get(org.pk)
        rows.append({"organization": org, "state": report.get_review_status_display() if report else "未提交",
                     "reason": report.review_reason if report else "", "result": grades[org.pk],
                     "url": reverse("secretary_report", args=[year, org.pk]),
                     "docx": reverse("secretary_report_docx", args=[year, org.pk])})
    return render(request, "reports/secretary/round.html", {
        **admin.site.each_context(request), "title": f"{year}年度基层党组织书记述职评议", "round": review_round,
        "rows": rows, "zip_url": reverse("secretary_reports_zip", args=[year]),
        "xlsx_url": reverse("secretary_reports_summary", args=[year]),
        "ranking_url": reverse("secretary_reports_ranking", args=[year]),
    })


@login_required
def report_page(request, year, pk):
    review_round = _round(year)
    organization = _organization(request, review_round, pk)
    report = m.SecretaryReport.objects.filter(round=review_round, organization=organization).first()
    facts = content.gather(year, [organization])[organization.pk]
    own = not m.decides(request.user) and request.user.has_perm("branches.change_secretaryreport")
    editable = own and (report is None or report.editable)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("已提交或已通过的述职报告不能再修改。")
        report = report or m.SecretaryReport(round=review_round, organization=organization)
        form = SecretaryReportForm(request.POST, instance=report)
        if form.is_valid():
            report = form.save(commit=False)
            if "submit" in request.POST:
                try:
                    report.submit_as(request.user, report.stored_decisions())
                except ValidationError as exc:
                    form.add_error(None, exc)
            if not form.errors:
                report.save()
                messages.success(request, "已提交，等待工委组织科审核。" if "submit" in request.POST else "已保存，尚未提交。")
                return redirect(reverse("secretary_report", args=[year, pk]))
    else:
        # A part not yet written starts from the draft; what the secretary wrote stays theirs.
        drafted = content.draft(facts)
        form = SecretaryReportForm(instance=report, initial={
            name: text for name, text in drafted.items() if report is None or not getattr(report, name)})
    return render(request, "reports/secretary/report.html", {
        **admin.site.each_context(request), "title": f"{organization.name}书记{year}年度述职报告",
        "round": review_round, "organization": organization, "report": report, "form": form, "editable": editable,
        "state": report.get_review_status_display() if report else "未提交", "facts": facts,
        "parts": document.parts(report, facts), "headings": document.PART_HEADINGS,
        "docx_url": reverse("secretary_report_docx", args=[year, pk]),
        "admin_url": reverse("admin:branches_secretaryreport_change", args=[report.pk]) if report and m.decides(
            request.user) else "",
    }, status=400 if form.errors else 200)


@login_required
def report_docx(request, year, pk):
    review_round = _round(year)
    organization = _organization(request, review_round, pk)
    (name, data), = document.render_all(review_round, [organization])
    return _download(data, name, DOCX)


@login_required
def reports_zip(request, year):
    review_round = _round(year)
    files = document.render_all(review_round, _reporting(request, review_round))
    return _download(document.render_zip(files), f"{year}年度基层党组织书记述职报告.zip", "application/zip")


@login_required
def summary_xlsx(request, year):
    review_round = _round(year)
    data = workbook.render_xlsx(review_round, _reporting(request, review_round))
    return _download(data, f"{year}年度述职评议汇总.xlsx", XLSX)


@login_required
def ranking(request, year):
    review_round = _round(year)
    results = secretary_reviews.grades(review_round, _reporting(request, review_round))
    items = list(review_round.items.all())
    for result in results.values():
        result.item_row = [result.item_averages.get(item.pk) for item in items]
    categories = []
    for label, rule, ranked in secretary_reviews.ranked(results):
        criteria = []
        if rule is not None:
            criteria = [f"“好”票占比不低于{rule.good_share}%且“一般”“差”票合计不高于{rule.good_weak_at_most}%为“好”",
                        f"“好”“较好”票合计不低于{rule.fine_share}%为“较好”", f"“差”票达到{rule.poor_share}%为“差”",
                        "其余为“一般”"]
            if rule.good_score_at_least is not None:
                criteria[0] += f"，且加权测评得分不低于{rule.good_score_at_least}分"
            weights = rule.weights_by_name()
            criteria.append("加权测评得分按测评项目权重计算（" + "、".join(f"{n}{w}%" for n, w in weights.items()) + "）"
                            if weights else "加权测评得分按各测评项目分值计算")
            for name in ("election_overdue_cap", "rectification_overdue_cap", "follow_up_late_cap"):
                cap = getattr(rule, name)
                if cap:
                    criteria.append(f"{rule._meta.get_field(name).verbose_name.removesuffix('时最高等次')}的，"
                                    f"最高为“{m.Grade(cap).label}”")
        categories.append({"label": label, "rule": rule, "criteria": criteria, "results": ranked,
                           "rule_url": reverse("admin:branches_graderule_change", args=[rule.pk])
                           if rule is not None and m.decides(request.user) else "",
                           "counts": {g.label: sum(1 for r in ranked if r.grade == g) for g in m.Grade}})
    return render(request, "reports/secretary/ranking.html", {
        **admin.site.each_context(request), "title": f"{year}年度述职评议分类排名", "round": review_round,
        "categories": categories, "grades": m.GRADE_ORDER, "items": items,
    })
