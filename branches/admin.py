import datetime

from django.contrib import admin, messages
from django.db.models import Count, DateField, OuterRef, Q, Subquery, Sum, Value
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from accounts.admin import ScopedAdminMixin, ScopedInlineMixin
from reports import memo
from reports.warnings import RULES, RULES_BY_CODE, YEARS, evaluate

from . import models as m
from . import resources as r
from .dates import add_months, add_years, age_on, today
from .sheet_admin import SheetAdmin

admin.site.site_header = "述职 · 教育工委基层党建管理系统"
admin.site.site_title = "述职"
admin.site.index_title = "组织科工作台"


# ---------------------------------------------------------------------------------------------
# Filters that answer the office's daily questions; the dashboard links into them.
# ---------------------------------------------------------------------------------------------
def requested_as_of(request):
    """The day the list reads the state on: ?asof=YYYY-MM-DD (a past year's 31 December), else today."""
    try:
        on = datetime.date.fromisoformat(request.GET.get("asof", ""))
    except ValueError:
        return today()
    return on if 1900 <= on.year <= 2999 else today()  # the rules add and subtract years from it


class AsOfFilter(admin.SimpleListFilter):
    """状态日期: the state as it stood on a past day, as the dashboard shows a past year.

    The election, staffing, conversion and deadline filters read the same day; members who joined and
    organizations approved after it are left out.
    """

    title = "状态日期"
    parameter_name = "asof"

    def lookups(self, request, model_admin):
        year = today().year
        days = [(f"{y}-12-31", f"{y}年12月31日") for y in range(year - 1, year - 6, -1)]
        raw = request.GET.get(self.parameter_name)
        if raw and raw not in dict(days) and requested_as_of(request).isoformat() == raw:
            days.insert(0, (raw, raw))
        return days

    def choices(self, changelist):
        choices = list(super().choices(changelist))
        choices[0]["display"] = "今天"
        return choices

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        on = requested_as_of(request)
        if on.isoformat() != self.value():
            messages.warning(request, f"状态日期“{self.value()}”无效（应为如2023-12-31的日期），已按今天统计。")
        if queryset.model is m.Member:
            return queryset.joined_by(on)
        if queryset.model is m.Organization:
            return queryset.approved_by(on)
        return queryset


class ElectionStatusFilter(admin.SimpleListFilter):
    title = "换届状态"
    parameter_name = "election"

    def lookups(self, request, model_admin):
        return [("overdue", "逾期未换届"), ("due", "6个月内应换届"), ("never", "从未换届")]

    def queryset(self, request, queryset):
        if self.value() not in ("overdue", "due", "never"):
            return queryset
        # The rule lives in election_status(); the rows are few (one per organization).
        on = requested_as_of(request)
        rows = queryset.exclude(kind=m.OrgKind.COMMITTEE).values_list("pk", "term_ends_on")
        return queryset.filter(pk__in=[pk for pk, ends in rows if m.election_status(ends, on) == self.value()])


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
            on = requested_as_of(request)
            births = queryset.values_list("pk", "secretary_birth")
            return queryset.filter(pk__in=[pk for pk, birth in births if m.secretary_is_ageing(birth, on)])
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
        # isdecimal, not isdigit: "²" is a digit that int() refuses; a bounded length keeps it within the database's integers.
        if not self.value() or not self.value().isdecimal() or len(self.value()) > 15:
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
            return queryset & m.Member.objects.conversion_overdue(requested_as_of(request))
        return queryset


class PastDeadlineFilter(admin.SimpleListFilter):
    title = "整改时限"
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("past", "超过时限未销号")]

    def queryset(self, request, queryset):
        if self.value() == "past":
            return queryset.past_deadline(requested_as_of(request))
        return queryset


class YearFilter(admin.SimpleListFilter):
    """A year: the recent ones to pick from, any other given in the address (the dashboard's past years)."""

    def lookups(self, request, model_admin):
        year = today().year
        return [(str(y), f"{y}年") for y in range(year, year - 6, -1)]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if not (self.value().isdecimal() and len(self.value()) == 4 and 1900 <= int(self.value()) <= 2999):
            messages.warning(request, f"“{self.title}”的年份“{self.value()}”无效，应为如2023的年份。")
            return queryset.none()
        return self.in_year(queryset, int(self.value()))


class ApprovedYearFilter(YearFilter):
    title = "批准成立年度"
    parameter_name = "approved"

    def in_year(self, queryset, year):
        return queryset.exclude(kind=m.OrgKind.COMMITTEE).filter(approved_on__year=year)


class ElectedYearFilter(YearFilter):
    title = "换届年度"
    parameter_name = "elected"

    def in_year(self, queryset, year):
        return queryset.filter(pk__in=m.Election.objects.filter(held_on__year=year).values("organization"))


class NotAssessedFilter(YearFilter):
    title = "标准化未评定"
    parameter_name = "unassessed"

    def lookups(self, request, model_admin):
        return [(value, f"{label}未评定") for value, label in super().lookups(request, model_admin)]

    def in_year(self, queryset, year):
        return queryset.filter(kind__in=m.BRANCH_KINDS).exclude(
            pk__in=m.Assessment.objects.filter(year=year).values("organization"))


class ClosedYearFilter(YearFilter):
    title = "销号年度"
    parameter_name = "closed"

    def in_year(self, queryset, year):
        return queryset.filter(closed_on__year=year)


class OpenCaseFilter(admin.SimpleListFilter):
    title = "销号"
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", "未销号")]

    def queryset(self, request, queryset):
        return queryset.open() if self.value() == "yes" else queryset


class BandFilter(admin.SimpleListFilter):
    """Whole years from a date to the list's 状态日期: the office's bands (branches.models), or any "low-high"."""

    bands = field = unit = None

    def band(self):
        low, sep, high = (self.value() or "").partition("-")
        if not sep or not (low or high) or not (low + high).isdecimal() or max(len(low), len(high)) > 3:
            return None
        if low and high and int(low) > int(high):
            return None
        return (int(low) if low else None), (int(high) if high else None)

    def lookups(self, request, model_admin):
        choices = [(f"{low or ''}-{high or ''}", label) for label, low, high in self.bands]
        value = request.GET.get(self.parameter_name)
        if value and value not in dict(choices) and self.band():
            low, high = self.band()
            choices.append((value, f"{low}{self.unit}及以上" if high is None else f"{low or 0}—{high}{self.unit}"))
        return choices

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if self.band() is None:
            messages.warning(request, f"“{self.title}”的取值“{self.value()}”无效，应为如31-35的年数范围。")
            return queryset.none()
        return queryset.filter(m.years_between(self.field, requested_as_of(request), *self.band()))


class AgeBandFilter(BandFilter):
    title = "年龄段"
    parameter_name = "age"
    bands, field, unit = m.AGE_BANDS, "birth_date", "岁"


class PartyYearsFilter(BandFilter):
    title = "党龄"
    parameter_name = "party_years"
    bands, field, unit = m.PARTY_YEARS_BANDS, "join_date", "年"


class PartyWorkerFilter(admin.SimpleListFilter):
    title = "党务工作者"
    parameter_name = "worker"

    def lookups(self, request, model_admin):
        return [("yes", "担任党内职务")]

    def queryset(self, request, queryset):
        return queryset & m.Member.objects.party_workers() if self.value() == "yes" else queryset


class StandardMetFilter(admin.SimpleListFilter):
    title = "达标情况"
    parameter_name = "met"

    def lookups(self, request, model_admin):
        return [("yes", "达标（含示范）")]

    def queryset(self, request, queryset):
        return queryset.met() if self.value() == "yes" else queryset


class ShortItemFilter(admin.SimpleListFilter):
    title = "未达要求的细则"
    parameter_name = "short"

    def lookups(self, request, model_admin):
        return [(code, f"{code} {title[:12]}") for code, title in m.StandardItem.objects.values_list("code", "title")]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        short = m.AssessmentItem.objects.filter(item__code=self.value(), score__lt=m.models.F("item__points"))
        return queryset.filter(pk__in=short.values("assessment"))


class WarningFilter(admin.SimpleListFilter):
    title = "预警"
    parameter_name = "warning"

    def lookups(self, request, model_admin):
        return [("any", "有任一预警")] + [(r.code, r.title) for r in RULES]

    def queryset(self, request, queryset):
        value, on = self.value(), requested_as_of(request)
        if value not in RULES_BY_CODE and value != "any":
            return queryset
        if on.year not in YEARS:
            messages.warning(request, f"预警只能按{YEARS[0]}年至{YEARS[-1]}年之间的状态日期查看。")
            return queryset.none()
        found = evaluate(on, codes=None if value == "any" else [value]).by_organization
        return queryset.filter(pk__in=[o.pk for o in found])


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
        status = m.staffing_status(obj.kind, obj.full_count, obj.committee_count, obj.secretary_birth is not None)
        if status == "complete":
            return m.STAFFING_LABELS[status]
        return format_html('<strong style="color:#b00">{}</strong>', m.STAFFING_LABELS[status])

    @admin.display(description="书记年龄", ordering="secretary_birth")
    def secretary_age(self, obj):
        if obj.secretary_birth is None:
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

    def changelist_view(self, request, extra_context=None):
        # The warnings of the page's organizations on the list's 状态日期, all at once (a fixed number of
        # queries), not row by row.
        response = super().changelist_view(request, extra_context)
        cl = (getattr(response, "context_data", None) or {}).get("cl")
        on = requested_as_of(request)
        if cl is not None and on.year in YEARS:
            pks = tuple(o.pk for o in cl.result_list)
            found = memo.remember(
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
class JoinYearFilter(YearFilter):
    title = "入党年度"
    parameter_name = "join_year"

    def lookups(self, request, model_admin):
        year = today().year
        return [(str(y), f"{y}年") for y in range(year, year - 6, -1)]

    def in_year(self, queryset, year):
        return queryset.filter(join_date__year=year)


@admin.register(m.Member)
class MemberAdmin(ScopedAdminMixin, SheetAdmin):
    resource_classes = [r.MemberResource]
    list_display = [
        "name", "gender", "age", "organization", "status", "join_date", "conversion",
        "party_post", "job", "backbone_title", "phone", "roll_status",
    ]
    list_filter = [
        "status", "roll_status", ConversionOverdueFilter, JoinYearFilter, "party_post", "job", "gender", "education",
        "backbone_title", "backbone_year", "organization__ownership", "organization__unit_category", WithinOrganizationFilter,
        AsOfFilter, AgeBandFilter, PartyYearsFilter, PartyWorkerFilter,
    ]
    search_fields = ["name", "=id_number", "phone"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization"]
    fieldsets = [
        (None, {"fields": ["name", "id_number", "gender", "ethnicity", "birth_date", "education", "phone"]}),
        ("组织关系", {"fields": ["organization", "status", "join_date", "full_member_date", "party_post", "roll_status"]}),
        ("岗位与骨干", {"fields": ["job", "backbone_title", "backbone_year"]}),
    ]

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
class HeldYearFilter(YearFilter):
    title = "选举年度"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = m.Election.objects.dates("held_on", "year", order="DESC")
        return [(str(d.year), f"{d.year}年") for d in years]

    def in_year(self, queryset, year):
        return queryset.filter(held_on__year=year)


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


class WorkYearFilter(YearFilter):
    title = "年度"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        return [(str(d.year), f"{d.year}年") for d in m.WorkLogEntry.objects.dates("date", "year", order="DESC")]

    def in_year(self, queryset, year):
        return queryset.filter(date__year=year)


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
        raw = str(initial.get("year", ""))
        year = int(raw) if raw.isdecimal() and len(raw) == 4 else today().year
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
