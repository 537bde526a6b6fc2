from django.contrib import admin
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.utils.html import format_html

from accounts.admin import ScopedAdminMixin, ScopedInlineMixin

from . import models as m
from .dates import add_months, add_years, age_on, today

admin.site.site_header = "述职 · 教育工委基层党建管理系统"
admin.site.site_title = "述职"
admin.site.index_title = "组织科工作台"


# ---------------------------------------------------------------------------------------------
# Filters that answer the office's daily questions; the dashboard links into them.
# ---------------------------------------------------------------------------------------------
class ElectionStatusFilter(admin.SimpleListFilter):
    title = "换届状态"
    parameter_name = "election"

    def lookups(self, request, model_admin):
        return [("overdue", "逾期未换届"), ("due", "6个月内应换届"), ("never", "从未换届")]

    def queryset(self, request, queryset):
        on = today()
        if self.value() == "overdue":
            return queryset.filter(term_ends_on__lt=on)
        if self.value() == "due":
            return queryset.filter(term_ends_on__gte=on, term_ends_on__lte=add_months(on, m.ELECTION_DUE_MONTHS))
        if self.value() == "never":
            return queryset.exclude(kind=m.OrgKind.COMMITTEE).filter(last_election_on__isnull=True)
        return queryset


class StaffingFilter(admin.SimpleListFilter):
    title = "班子配备"
    parameter_name = "staffing"

    def lookups(self, request, model_admin):
        return [("no_secretary", "书记空缺"), ("incomplete", "班子不全"), ("ageing", "书记年龄偏大")]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value == "ageing":
            from django.conf import settings

            cutoff = add_years(today(), -settings.SHUZHI["SECRETARY_AGE_WARNING"])
            return queryset.filter(secretary_birth__lte=cutoff)
        # The rule lives in staffing_status(); the annotated rows are few (one per organization).
        ids = [
            org.pk
            for org in queryset
            if m.staffing_status(org.kind, org.full_count, org.committee_count, org.secretary_birth is not None) == value
        ]
        return queryset.filter(pk__in=ids)


class LevelFilter(admin.SimpleListFilter):
    title = "层级"
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return [("basic", "工委直属党组织"), ("branch", "党支部（含联合党支部）")]

    def queryset(self, request, queryset):
        if self.value() == "basic":
            return queryset.filter(parent__kind=m.OrgKind.COMMITTEE)
        if self.value() == "branch":
            return queryset.filter(kind__in=m.BRANCH_KINDS)
        return queryset


class WithinOrganizationFilter(admin.SimpleListFilter):
    """Records of one basic-level organization and everything below it."""

    title = "所属工委直属党组织"
    parameter_name = "within"
    field = "organization"

    def lookups(self, request, model_admin):
        orgs = m.Organization.objects.basic_level().visible_to(request.user)
        return [(str(pk), name) for pk, name in orgs.values_list("pk", "name")]

    def queryset(self, request, queryset):
        if not self.value() or not self.value().isdigit():
            return queryset
        pk = int(self.value())
        f = self.field
        return queryset.filter(Q(**{f"{f}_id": pk}) | Q(**{f"{f}__parent_id": pk}) | Q(**{f"{f}__parent__parent_id": pk}))


class ConversionOverdueFilter(admin.SimpleListFilter):
    title = "转正"
    parameter_name = "conversion"

    def lookups(self, request, model_admin):
        return [("overdue", "预备期满未转正")]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset & m.Member.objects.conversion_overdue()
        return queryset


class PastDeadlineFilter(admin.SimpleListFilter):
    title = "整改时限"
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("past", "超过时限未销号")]

    def queryset(self, request, queryset):
        if self.value() == "past":
            return queryset.past_deadline()
        return queryset


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
class OrganizationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "name", "kind", "parent", "unit_category", "ownership", "area",
        "roll_members", "full_members", "staffing", "secretary_age",
        "next_election", "standardization", "open_cases", "liaison_leader", "is_active",
    ]
    list_filter = [
        LevelFilter, "kind", "unit_category", "ownership", "area", "is_active",
        ElectionStatusFilter, StaffingFilter, "liaison_leader",
    ]
    search_fields = ["name", "unit_name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent", "liaison_leader"]
    inlines = [ElectionInline]
    list_per_page = 100
    fieldsets = [
        (None, {"fields": ["name", "parent", "kind", "sort_order"]}),
        ("所在单位", {"fields": ["unit_name", "unit_category", "ownership", "area"]}),
        ("成立与撤销", {"fields": ["founded_on", "approved_on", "approval_document", "is_active", "dissolved_on"]}),
        ("包抓", {"fields": ["liaison_leader"]}),
    ]

    def get_queryset(self, request):
        latest = m.Assessment.objects.filter(organization=OuterRef("pk")).order_by("-year")
        open_cases = (
            m.RectificationCase.objects.open().filter(organization=OuterRef("pk"))
            .values("organization").annotate(n=Count("pk")).values("n")
        )
        return (
            super().get_queryset(request)
            .with_staffing()
            .with_last_election()
            .annotate(
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
        status = m.staffing_status(obj.kind, obj.full_count, obj.committee_count, obj.secretary_birth is not None)
        if status == "complete":
            return m.STAFFING_LABELS[status]
        return format_html('<strong style="color:#b00">{}</strong>', m.STAFFING_LABELS[status])

    @admin.display(description="书记年龄", ordering="secretary_birth")
    def secretary_age(self, obj):
        if obj.secretary_birth is None:
            return "—"
        age = age_on(obj.secretary_birth, today())
        if m.secretary_is_ageing(obj.secretary_birth, today()):
            return format_html('<strong style="color:#b00">{}</strong>', age)
        return age

    @admin.display(description="下次换届", ordering="term_ends_on")
    def next_election(self, obj):
        if obj.kind == m.OrgKind.COMMITTEE:
            return "—"
        status = m.election_status(obj.term_ends_on, today())
        if status == "never":
            return format_html('<strong style="color:#b00">{}</strong>', m.ELECTION_LABELS[status])
        text = f"{obj.term_ends_on:%Y-%m-%d}"
        if status in ("overdue", "due"):
            return format_html('<strong style="color:#b00">{}（{}）</strong>', text, m.ELECTION_LABELS[status])
        return text

    @admin.display(description="标准化", ordering="assessed_year")
    def standardization(self, obj):
        if not obj.assessed_year:
            return "—"
        return f"{obj.assessed_year}年{m.AssessmentResult(obj.assessed_result).label}"

    @admin.display(description="整顿中", ordering="open_case_count")
    def open_cases(self, obj):
        return obj.open_case_count or 0


# ---------------------------------------------------------------------------------------------
# Members
# ---------------------------------------------------------------------------------------------
class JoinYearFilter(admin.SimpleListFilter):
    title = "入党年度"
    parameter_name = "join_year"

    def lookups(self, request, model_admin):
        year = today().year
        return [(str(y), f"{y}年") for y in range(year, year - 6, -1)]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(join_date__year=int(self.value()))
        return queryset


@admin.register(m.Member)
class MemberAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "name", "gender", "age", "organization", "status", "join_date", "conversion",
        "party_post", "job", "backbone_title", "phone", "roll_status",
    ]
    list_filter = [
        "status", "roll_status", ConversionOverdueFilter, JoinYearFilter, "party_post", "job", "gender", "education",
        "backbone_title", "backbone_year", "organization__ownership", "organization__unit_category", WithinOrganizationFilter,
    ]
    search_fields = ["name", "=id_number", "phone"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization"]
    list_per_page = 100
    fieldsets = [
        (None, {"fields": ["name", "id_number", "gender", "ethnicity", "birth_date", "education", "phone"]}),
        ("组织关系", {"fields": ["organization", "status", "join_date", "full_member_date", "party_post", "roll_status"]}),
        ("岗位与骨干", {"fields": ["job", "backbone_title", "backbone_year"]}),
    ]

    @admin.display(description="年龄", ordering="birth_date")
    def age(self, obj):
        return obj.age

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
class HeldYearFilter(admin.SimpleListFilter):
    title = "选举年度"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = m.Election.objects.dates("held_on", "year", order="DESC")
        return [(str(d.year), f"{d.year}年") for d in years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(held_on__year=int(self.value()))
        return queryset


@admin.register(m.Election)
class ElectionAdmin(ScopedAdminMixin, admin.ModelAdmin):
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
class AssessmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "year", "result", "score", "short_items", "assessed_on"]
    list_filter = ["year", "result", "organization__ownership", "organization__unit_category", WithinOrganizationFilter]
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
class RectificationCaseAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "year", "status", "deadline", "overdue", "closed_on", "is_exemplary", "responsible_leader"]
    list_filter = ["year", "status", PastDeadlineFilter, "is_exemplary", "organization__unit_category", "categories"]
    search_fields = ["organization__name", "problems"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization", "responsible_leader"]
    filter_horizontal = ["categories"]
    inlines = [RectificationProgressInline]

    @admin.display(description="超期", boolean=True)
    def overdue(self, obj):
        return obj.past_deadline


class WorkYearFilter(admin.SimpleListFilter):
    title = "年度"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        return [(str(d.year), f"{d.year}年") for d in m.WorkLogEntry.objects.dates("date", "year", order="DESC")]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(date__year=int(self.value()))
        return queryset


@admin.register(m.WorkLogEntry)
class WorkLogEntryAdmin(ScopedAdminMixin, admin.ModelAdmin):
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
        raw = str(initial.get("year", ""))
        year = int(raw) if raw.isdigit() else today().year
        draft = m.AnnualPlan.for_year(year)
        initial["year"] = year
        for name in ("standardization_target", "reflection", "next_steps"):
            initial.setdefault(name, getattr(draft, name))
        return initial
