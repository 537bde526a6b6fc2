"""The records in Django's admin, in Chinese, with the office's daily questions as columns and filters."""
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, DateField, OuterRef, Q, Subquery, Sum, Value
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from .. import models as m
from .. import resources as r
from .. import version
from ..dates import age_on, today
from ..early_warning import evaluate
from ..forms import parse_year
from ..periods import YEARS
from .filters import (
    AgeBandFilter,
    ApprovedYearFilter,
    AsOfFilter,
    ClosedYearFilter,
    ConversionOverdueFilter,
    ElectedYearFilter,
    ElectionStatusFilter,
    HeldYearFilter,
    JoinYearFilter,
    LevelFilter,
    NotAssessedFilter,
    OpenCaseFilter,
    PartyWorkerFilter,
    PartyYearsFilter,
    PastDeadlineFilter,
    ShortItemFilter,
    StaffingFilter,
    StandardMetFilter,
    WarningFilter,
    WithinOrganizationFilter,
    WorkYearFilter,
    requested_as_of,
)
from .scoping import ScopedAdminMixin, ScopedInlineMixin, ScopeMixin
from .sheets import SheetAdmin

admin.site.site_header = "述职 · 教育工委基层党建管理系统"
admin.site.site_title = "述职"
admin.site.index_title = "组织科工作台"


# ---------------------------------------------------------------------------------------------
# Leaders and catalogues
# ---------------------------------------------------------------------------------------------
@admin.register(m.Leader)
class LeaderAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "title", "assigned", "sort_order"]
    list_editable = ["sort_order"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            assigned_count=Count("organizations", filter=Q(organizations__is_active=True))
        )

    @admin.display(description="包抓党组织数", ordering="assigned_count")
    def assigned(self, obj):
        return obj.assigned_count


class StandardItemInline(ScopedInlineMixin, admin.TabularInline):
    model = m.StandardItem
    extra = 0


@admin.register(m.StandardArea)
class StandardAreaAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "sort_order", "item_count", "total_points"]
    inlines = [StandardItemInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n=Count("items"), points=Sum("items__points"))

    @admin.display(description="细则数", ordering="n")
    def item_count(self, obj):
        return obj.n

    @admin.display(description="分值合计", ordering="points")
    def total_points(self, obj):
        return obj.points


@admin.register(m.ProblemCategory)
class ProblemCategoryAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "sort_order"]
    list_editable = ["sort_order"]


# ---------------------------------------------------------------------------------------------
# Organizations
# ---------------------------------------------------------------------------------------------
class ElectionInline(ScopedInlineMixin, admin.TabularInline):
    model = m.Election
    extra = 0
    fields = ["held_on", "term_years", "term_ends_on", "secretary_name", "committee_members", "approval_document", "approved_on"]
    readonly_fields = ["term_ends_on"]
    ordering = ["-held_on"]


@admin.register(m.Organization)
class OrganizationAdmin(ScopedAdminMixin, SheetAdmin):
    resource_classes = [r.OrganizationResource]
    list_display = [
        "name", "kind", "parent", "unit_category", "ownership", "area",
        "roll_members", "full_members", "staffing", "secretary_age",
        "next_election", "standardization", "open_cases", "liaison_leader", "is_active", "warnings",
    ]
    list_filter = [
        LevelFilter, "kind", "unit_category", "ownership", "area", "is_active",
        ElectionStatusFilter, StaffingFilter, "liaison_leader",
        AsOfFilter, ApprovedYearFilter, ElectedYearFilter, NotAssessedFilter, WarningFilter,
    ]
    search_fields = ["name", "unit_name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent", "liaison_leader"]
    inlines = [ElectionInline]
    fieldsets = [
        (None, {"fields": ["name", "parent", "kind", "sort_order"]}),
        ("所在单位", {"fields": ["unit_name", "unit_category", "ownership", "area"]}),
        ("成立与撤销", {"fields": ["founded_on", "approved_on", "approval_document", "is_active", "dissolved_on"]}),
        ("包抓", {"fields": ["liaison_leader"]}),
        ("书记空缺", {"fields": ["secretary_vacant_since"]}),
    ]

    def get_queryset(self, request):
        latest = m.Assessment.objects.filter(organization=OuterRef("pk")).order_by("-year")
        open_cases = (
            m.RectificationCase.objects.open().filter(organization=OuterRef("pk"))
            .values("organization").annotate(n=Count("pk")).values("n")
        )
        # Ordered explicitly: the member counts group the rows, and a grouped query drops Meta.ordering.
        queryset = super().get_queryset(request).order_by(*m.Organization._meta.ordering)
        if request.resolver_match and request.resolver_match.url_name == "autocomplete":
            return queryset  # a form's choice of organization by name needs none of the list's columns
        on = requested_as_of(request)
        return (
            queryset
            .with_staffing(on)
            .with_last_election(on)
            .annotate(
                as_of_day=Value(on, output_field=DateField()),  # the columns read the state on the filter's day
                assessed_year=Subquery(latest.values("year")[:1]),
                assessed_result=Subquery(latest.values("result")[:1]),
                open_case_count=Subquery(open_cases),
            )
        )

    @admin.display(description="在册党员", ordering="roll_count")
    def roll_members(self, obj):
        return obj.roll_count

    @admin.display(description="正式党员", ordering="full_count")
    def full_members(self, obj):
        return obj.full_count

    @admin.display(description="班子配备")
    def staffing(self, obj):
        status = m.staffing_of(obj)
        if status == m.Staffing.COMPLETE:
            return status.label
        return format_html('<strong style="color:#b00">{}</strong>', status.label)

    @admin.display(description="书记年龄", ordering="secretary_birth")
    def secretary_age(self, obj):
        if not m.has_secretary(obj):
            return "—"
        age = age_on(obj.secretary_birth, obj.as_of_day)
        if m.secretary_is_ageing(obj.secretary_birth, obj.as_of_day):
            return format_html('<strong style="color:#b00">{}</strong>', age)
        return age

    @admin.display(description="下次换届", ordering="term_ends_on")
    def next_election(self, obj):
        if obj.kind == m.OrgKind.COMMITTEE:
            return "—"
        status = m.election_status(obj.term_ends_on, obj.as_of_day)
        if status == m.ElectionState.NEVER:
            return format_html('<strong style="color:#b00">{}</strong>', status.label)
        text = f"{obj.term_ends_on:%Y-%m-%d}"
        if status in (m.ElectionState.OVERDUE, m.ElectionState.DUE):
            return format_html('<strong style="color:#b00">{}（{}）</strong>', text, status.label)
        return text

    @admin.display(description="标准化", ordering="assessed_year")
    def standardization(self, obj):
        if not obj.assessed_year:
            return "—"
        return f"{obj.assessed_year}年{m.AssessmentResult(obj.assessed_result).label}"

    @admin.display(description="整顿中", ordering="open_case_count")
    def open_cases(self, obj):
        return obj.open_case_count or 0

    def changelist_view(self, request, extra_context=None):
        # The warnings of the page's organizations on the list's 状态日期, all at once (a fixed number of
        # queries), not row by row.
        response = super().changelist_view(request, extra_context)
        cl = (getattr(response, "context_data", None) or {}).get("cl")
        on = requested_as_of(request)
        if cl is not None and on.year in YEARS:
            pks = tuple(o.pk for o in cl.result_list)
            found = version.remember(
                ("organization warnings", on, pks),
                lambda: evaluate(on, organizations=m.Organization.objects.filter(pk__in=pks)).by_organization,
            )
            for org in cl.result_list:
                org.warning_hits = found.get(org, [])
        return response

    @admin.display(description="预警")
    def warnings(self, obj):
        # One line per rule: a branch that missed every meeting type has one line, its details in the tooltip.
        by_rule = {}
        for hit in getattr(obj, "warning_hits", []):
            by_rule.setdefault(hit.rule, []).append(hit)
        return format_html_join(
            mark_safe("<br>"), '<a href="{}" title="{}" style="color:#b00">{}</a>',
            ((hits[0].url, "；".join(h.detail for h in hits), rule.title + (f"（{len(hits)}项）" if len(hits) > 1 else ""))
             for rule, hits in by_rule.items()),
        )


# ---------------------------------------------------------------------------------------------
# Members
# ---------------------------------------------------------------------------------------------
class ProbationExtensionInline(ScopedInlineMixin, admin.StackedInline):
    model = m.ProbationExtension
    extra = 0
    max_num = 1  # 发展党员工作细则第三十二条: extended once


@admin.register(m.Member)
class MemberAdmin(ScopedAdminMixin, SheetAdmin):
    resource_classes = [r.MemberResource]
    list_display = [
        "name", "gender", "age", "organization", "status", "join_date", "conversion",
        "party_post", "job", "backbone_title", "phone", "roll_status",
    ]
    list_filter = [
        "status", "roll_status", ConversionOverdueFilter, JoinYearFilter, "party_post", "party_worker", "job", "gender", "education",
        "backbone_title", "backbone_year", "organization__ownership", "organization__unit_category", WithinOrganizationFilter,
        AsOfFilter, AgeBandFilter, PartyYearsFilter, PartyWorkerFilter,
    ]
    search_fields = ["name", "=id_number", "phone"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization", "probation_extension"]
    fieldsets = [
        (None, {"fields": ["name", "id_number", "gender", "ethnicity", "birth_date", "education", "phone"]}),
        ("组织关系", {"fields": ["organization", "status", "join_date", "full_member_date", "party_post", "party_worker",
                             "roll_status"]}),
        ("取消预备党员资格", {"fields": ["cancelled_on", "cancellation_reason"], "classes": ["collapse"]}),
        ("岗位与骨干", {"fields": ["job", "backbone_title", "backbone_year"]}),
    ]
    inlines = [ProbationExtensionInline]

    def get_queryset(self, request):
        # Ages are read on the list's 状态日期, as the age bands are.
        return super().get_queryset(request).annotate(as_of_day=Value(requested_as_of(request), output_field=DateField()))

    @admin.display(description="年龄", ordering="birth_date")
    def age(self, obj):
        return age_on(obj.birth_date, obj.as_of_day) if obj.birth_date else None

    @admin.display(description="预备期满")
    def conversion(self, obj):
        if obj.status != m.Member.Status.PROBATIONARY:
            return "—"
        due = f"{obj.conversion_due_on:%Y-%m-%d}"
        if obj.conversion_overdue:
            return format_html('<strong style="color:#b00">{}（逾期）</strong>', due)
        return due


# ---------------------------------------------------------------------------------------------
# Elections, standardization, rectification, work log
# ---------------------------------------------------------------------------------------------
@admin.register(m.Election)
class ElectionAdmin(ScopedAdminMixin, SheetAdmin):
    resource_classes = [r.ElectionResource]
    list_display = ["organization", "held_on", "term_years", "term_ends_on", "secretary_name", "approval_document", "approved_on"]
    list_filter = [HeldYearFilter, "organization__kind", "organization__ownership", "organization__unit_category"]
    search_fields = ["organization__name", "secretary_name", "approval_document"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization"]
    date_hierarchy = "held_on"
    readonly_fields = ["term_ends_on"]


class AssessmentItemInline(ScopedInlineMixin, admin.TabularInline):
    model = m.AssessmentItem
    extra = 0
    autocomplete_fields = ["item"]


@admin.register(m.Assessment)
class AssessmentAdmin(ScopedAdminMixin, SheetAdmin):
    resource_classes = [r.AssessmentResource]
    list_display = ["organization", "year", "result", "score", "short_items", "assessed_on"]
    list_filter = ["year", "result", "organization__ownership", "organization__unit_category", WithinOrganizationFilter,
                   StandardMetFilter, ShortItemFilter]
    search_fields = ["organization__name"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization"]
    inlines = [AssessmentItemInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            total=Sum("items__score"),
            short=Count("items", filter=Q(items__score__lt=m.models.F("items__item__points"))),
        )

    @admin.display(description="得分", ordering="total")
    def score(self, obj):
        return obj.total

    @admin.display(description="未达要求细则数", ordering="short")
    def short_items(self, obj):
        return obj.short


@admin.register(m.StandardItem)
class StandardItemAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "title", "area", "points", "is_active"]
    list_filter = ["area", "is_active"]
    search_fields = ["code", "title"]
    list_select_related = ["area"]


class RectificationProgressInline(ScopedInlineMixin, admin.TabularInline):
    model = m.RectificationProgress
    extra = 1


@admin.register(m.RectificationCase)
class RectificationCaseAdmin(ScopedAdminMixin, SheetAdmin):
    resource_classes = [r.RectificationResource]
    list_display = ["organization", "year", "status", "deadline", "overdue", "closed_on", "is_exemplary", "responsible_leader"]
    list_filter = ["year", "status", PastDeadlineFilter, "is_exemplary", "organization__unit_category", "categories",
                   AsOfFilter, OpenCaseFilter, ClosedYearFilter, "organization__ownership"]
    search_fields = ["organization__name", "problems"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization", "responsible_leader"]
    filter_horizontal = ["categories"]
    inlines = [RectificationProgressInline]

    @admin.display(description="超期", boolean=True)
    def overdue(self, obj):
        return obj.past_deadline


@admin.register(m.WorkLogEntry)
class WorkLogEntryAdmin(ScopedAdminMixin, SheetAdmin):
    resource_classes = [r.WorkLogResource]
    list_display = ["date", "kind", "title", "count", "topics", "teams", "people", "leader"]
    list_filter = [WorkYearFilter, "kind", "leader"]
    search_fields = ["title", "note"]
    list_select_related = ["leader"]
    date_hierarchy = "date"


@admin.register(m.AnnualPlan)
class AnnualPlanAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["year", "standardization_target"]

    def get_changeform_initial_data(self, request):
        # A new year starts from the previous year's text, as the office's draft.
        initial = super().get_changeform_initial_data(request)
        try:
            year = parse_year(initial.get("year")) or today().year
        except ValidationError:  # a bad ?year= leaves the office this year's draft to correct
            year = today().year
        draft = m.AnnualPlan.for_year(year)
        initial["year"] = year
        for name in ("standardization_target", "reflection", "next_steps"):
            initial.setdefault(name, getattr(draft, name))
        return initial


# ---------------------------------------------------------------------------------------------
# Organizational life
# ---------------------------------------------------------------------------------------------
@admin.register(m.MeetingType)
class MeetingTypeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "period", "times", "scope", "is_required", "sort_order"]
    list_editable = ["period", "times", "scope", "is_required", "sort_order"]


@admin.register(m.Meeting)
class MeetingAdmin(ScopedAdminMixin, SheetAdmin):
    resource_classes = [r.MeetingResource]
    list_display = ["held_on", "organization", "meeting_type", "topic", "chaired_by", "attendance", "attachment_link"]
    list_filter = ["meeting_type", "organization__ownership", "organization__unit_category", WithinOrganizationFilter]
    search_fields = ["organization__name", "topic", "chaired_by"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization", "meeting_type"]
    date_hierarchy = "held_on"
    fields = ["organization", "meeting_type", "held_on", "topic", "chaired_by", "present", "on_roll", "attachment", "note"]

    @admin.display(description="出席（实到/应到）")
    def attendance(self, obj):
        rate = obj.attendance_rate
        return f"{obj.present}/{obj.on_roll}" + (f"（{rate:.0%}）" if rate is not None else "")

    @admin.display(description="附件")
    def attachment_link(self, obj):
        if not obj.attachment:
            return "—"
        return format_html('<a href="{}">查看</a>', obj.attachment.url)


# ---------------------------------------------------------------------------------------------
# The audit trail of imports
# ---------------------------------------------------------------------------------------------
@admin.register(m.ImportBatch)
class ImportBatchAdmin(ScopeMixin, admin.ModelAdmin):
    """The imports, read-only: the audit trail is written by the system, never edited."""

    list_display = ["started_at", "file_name", "model", "user", "organization", "created", "updated", "deleted",
                    "skipped", "refused", "invalid"]
    list_filter = ["model"]
    search_fields = ["file_name", "user__username"]
    list_select_related = ["user", "organization"]
    readonly_fields = ["history_rows"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="写入的历史记录")
    def history_rows(self, obj):
        counts = [(t._meta.verbose_name, t.history.filter(import_batch=obj).count()) for t in m.TRACKED]
        return format_html_join("", "<div>{}：{}条</div>", [c for c in counts if c[1]]) or "—"
