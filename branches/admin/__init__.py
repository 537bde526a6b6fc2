"""The records in Django's admin, in Chinese, with the office's daily questions as columns and filters."""
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, DateField, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.forms import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from .. import links
from .. import models as m
from .. import resources as r
from .. import version
from ..dates import age_on, today
from ..early_warning import evaluate, grouped_by_rule
from ..forms import parse_year
from ..periods import YEARS
from .filters import (
    ActivistYearFilter,
    AdmittedYearFilter,
    AgeBandFilter,
    AppliedYearFilter,
    ApprovedYearFilter,
    AsOfFilter,
    BackboneYearFilter,
    CandidateYearFilter,
    ClosedYearFilter,
    ConversionOverdueFilter,
    ElectedYearFilter,
    ElectionStatusFilter,
    HeldYearFilter,
    InOfficeFilter,
    ImportedTypeFilter,
    JoinYearFilter,
    LevelFilter,
    NotAssessedFilter,
    OpenCaseFilter,
    PartyWorkerFilter,
    PartyYearsFilter,
    PastDeadlineFilter,
    PostFilter,
    RecruitStageFilter,
    ShortItemFilter,
    StaffingFilter,
    StandardMetFilter,
    TwoStrongFilter,
    WarningFilter,
    WithinOrganizationFilter,
    WorkYearFilter,
    requested_as_of,
)
from .member_changes import OfficeWritesInline, ProposedMemberAdminMixin
from .scoping import ScopedAdminMixin, ScopedInlineMixin, ScopeMixin
from .sheets import SheetAdmin
from .transfers import TransferHistoryInline


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


@admin.register(m.StandardLevel)
class StandardLevelAdmin(admin.ModelAdmin):
    list_display = ["result", "min_points"]


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
    # Who was elected is on the election's own page (its 任职 inline).
    fields = ["kind", "held_on", "term_years", "term_ends_on", "postponed_to", "elected",
              "approval_document", "approved_on"]
    readonly_fields = ["term_ends_on", "elected"]
    ordering = ["-held_on"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tenures__member")

    @admin.display(description="当选")
    def elected(self, obj):
        return elected_names(obj)


def elected_names(election):
    """书记张三，委员李四、王五: the tenures an election opened, by post."""
    by_post = {}
    for tenure in sorted(election.tenures.all(), key=lambda t: list(m.Member.Post.values).index(t.post)):
        by_post.setdefault(tenure.get_post_display(), []).append(tenure.member.name)
    return "，".join(f"{post}{'、'.join(names)}" for post, names in by_post.items()) or "—"


class TenureInline(OfficeWritesInline, ScopedInlineMixin, admin.TabularInline):
    """任职 through time, on a member's and an organization's page: who held which post from when to when. The
    office records them; a secretary reads them (posts come from elections, which the office approves)."""

    model = m.Tenure
    extra = 0
    fields = ["member", "organization", "post", "started_on", "ended_on", "election"]
    autocomplete_fields = ["member", "organization"]
    readonly_fields = ["election"]
    ordering = ["-started_on", "post"]

    def get_queryset(self, request):
        # A member's post in the 党委 above a secretary's branch is that committee's record, not theirs.
        return (super().get_queryset(request).visible_to(request.user)
                .select_related("member", "organization", "election__organization"))


class OrganizationTenureInline(TenureInline):
    fk_name = "organization"
    fields = ["member", "post", "started_on", "ended_on", "election"]
    verbose_name_plural = "任职（本组织的书记、委员）"


class MemberTenureInline(TenureInline):
    fk_name = "member"
    fields = ["organization", "post", "started_on", "ended_on", "election"]
    verbose_name_plural = "任职（党内职务）"


class ElectedTenureInline(ScopedInlineMixin, admin.TabularInline):
    """The people an election elected, chosen from the roll: each opens a tenure from the election day. A
    secretary enters them with the election; they count once the office approves it (Tenure.objects.counted)."""

    model = m.Tenure
    extra = 0
    autocomplete_fields = ["member"]
    fk_name = "election"
    fields = ["member", "post", "ended_on"]
    readonly_fields = []
    verbose_name = "当选人"
    verbose_name_plural = "当选人（从党员名册中选择，任职自选举日期起）"


@admin.register(m.Organization)
class OrganizationAdmin(ScopedAdminMixin, SheetAdmin):
    resource_classes = [r.OrganizationResource]
    # What the office reads every day, at 1440 px without scrolling; the unit's category, ownership, area and
    # the full members are on the organization's page and in the filters.
    list_display = [
        "name", "kind", "belongs_to", "roll_members", "staffing", "secretary_age",
        "next_election", "standardization", "open_cases", "liaison", "warnings",
    ]
    list_filter = [
        LevelFilter, "kind", "unit_category", "ownership", "area", "is_active",
        ElectionStatusFilter, StaffingFilter, "liaison_leader",
        AsOfFilter, ApprovedYearFilter, ElectedYearFilter, NotAssessedFilter, WarningFilter,
    ]
    search_fields = ["name", "unit_name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent", "liaison_leader"]
    inlines = [OrganizationTenureInline, ElectionInline]
    fieldsets = [
        (None, {"fields": ["name", "parent", "kind", "sort_order"]}),
        ("所在单位", {"fields": ["unit_name", "unit_category", "ownership", "area"]}),
        ("成立与撤销", {"fields": ["founded_on", "approved_on", "approval_document", "is_active", "dissolved_on"]}),
        ("包抓", {"fields": ["liaison_leader"]}),
        ("书记空缺", {"fields": ["vacant_since"]}),
        ("预警", {"fields": ["warning_details"]}),
    ]
    readonly_fields = ["vacant_since", "warning_details"]

    @admin.display(description="书记空缺起始日期")
    def vacant_since(self, obj):
        # Derived from the tenures (with_staffing): the day the last secretary's tenure ended, else the founding.
        if obj.pk is None or m.has_secretary(obj):
            return "—（书记在任）" if obj.pk else "—"
        since = obj.secretary_vacant_since
        return f"{since:%Y-%m-%d}（由任职记录得出：最后一任书记离任之日，无任职记录的自成立之日）" if since else "成立日期未登记"

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
        # with_staffing() is one subquery per figure over one organization's rows: nothing groups the list's rows
        # (wrapped once more, in a subquery per column, each figure ran its subqueries again: 0.7 s on PostgreSQL).
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

    @admin.display(description="隶属", ordering="parent__name")
    def belongs_to(self, obj):
        # Most organizations stand directly under the committee: said in four characters, not its full name.
        if obj.parent is None:
            return "—"
        return "工委直属" if obj.parent.kind == m.OrgKind.COMMITTEE else obj.parent.name

    @admin.display(description="包抓领导", ordering="liaison_leader__name")
    def liaison(self, obj):
        return obj.liaison_leader.name if obj.liaison_leader else "—"

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
                # The rows carry the staffing and election columns the rules read, for the same day (get_queryset).
                lambda: evaluate(on, organizations=m.Organization.objects.filter(pk__in=pks),
                                 annotated=cl.result_list).by_organization,
            )
            for org in cl.result_list:
                org.warning_hits = found.get(org, [])
        return response

    @admin.display(description="预警")
    def warnings(self, obj):
        # One badge per rule, with the number of findings; the details in the tooltip and on the change page. Past
        # three badges the row would grow a third line: the rest are one badge naming them, to the change page.
        badges = [(hits[0].url, "；".join(h.detail for h in hits), rule.badge,
                   format_html("<b>{}</b>", len(hits)) if len(hits) > 1 else "")
                  for rule, hits in grouped_by_rule(getattr(obj, "warning_hits", [])).items()]
        if len(badges) > self.WARNING_BADGES:
            rest = badges[self.WARNING_BADGES - 1:]
            badges[self.WARNING_BADGES - 1:] = [(
                reverse("admin:branches_organization_change", args=[obj.pk]),
                "；".join(title for _, title, _, _ in rest), f"另{len(rest)}项", "")]
        return format_html_join("", '<a class="warning-badge" href="{}" title="{}">{}{}</a>', badges) or "—"

    WARNING_BADGES = 3

    @admin.display(description="预警")
    def warning_details(self, obj):
        on = getattr(obj, "as_of_day", None)
        if obj.pk is None or on is None:
            return "—"
        hits = evaluate(on, organizations=m.Organization.objects.filter(pk=obj.pk)).hits
        day = f"{on.year}年{on.month}月{on.day}日"
        if not hits:
            return f"截至{day}无预警"
        return format_html('<div class="warning-list"><p>截至{}：</p>{}</div>', day,
                           format_html_join("", '<p><span class="late">{}</span>：<a href="{}">{}</a></p>',
                                            ((h.rule.title, h.url, h.detail) for h in hits)))


# ---------------------------------------------------------------------------------------------
# Members
# ---------------------------------------------------------------------------------------------
class ProbationExtensionInline(OfficeWritesInline, ScopedInlineMixin, admin.StackedInline):
    model = m.ProbationExtension
    extra = 0
    max_num = 1  # 发展党员工作细则第三十二条: extended once


@admin.register(m.Member)
class MemberAdmin(ProposedMemberAdminMixin, ScopedAdminMixin, SheetAdmin):
    resource_classes = [r.MemberResource]
    # 岗位 and 骨干教师称号 are on the member's page and in the filters: the list keeps to what fits 1440 px.
    list_display = [
        "name", "gender", "age", "organization", "status", "join_date", "conversion",
        "current_posts", "phone", "roll_status",
    ]
    list_filter = [
        "status", "roll_status", ConversionOverdueFilter, JoinYearFilter, PostFilter, "party_worker", "job", "gender", "education",
        "backbone_title", BackboneYearFilter, "organization__ownership", "organization__unit_category", WithinOrganizationFilter,
        AsOfFilter, AgeBandFilter, PartyYearsFilter, PartyWorkerFilter,
    ]
    search_fields = ["name", "=id_number", "phone"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization", "probation_extension"]
    fieldsets = [
        (None, {"fields": ["name", "id_number", "gender", "ethnicity", "birth_date", "education", "phone"]}),
        ("组织关系", {"fields": ["organization", "status", "join_date", "full_member_date", "party_worker",
                             "roll_status", "left_on"]}),
        ("取消预备党员资格", {"fields": ["cancelled_on", "cancellation_reason"], "classes": ["collapse"]}),
        ("岗位与骨干", {"fields": ["job", "backbone_title", "backbone_year"]}),
    ]
    inlines = [ProbationExtensionInline, MemberTenureInline, TransferHistoryInline]

    def get_inline_instances(self, request, obj=None):
        # The transfers are only read here: a posted form carries nothing of them, and needs no formset for them.
        inlines = super().get_inline_instances(request, obj)
        if request.method == "POST":
            inlines = [inline for inline in inlines if not isinstance(inline, TransferHistoryInline)]
        return inlines

    def get_queryset(self, request):
        # Ages and posts are read on the list's 状态日期, as the age bands are.
        on = requested_as_of(request)
        return (super().get_queryset(request).annotate(as_of_day=Value(on, output_field=DateField()))
                .prefetch_related(Prefetch("tenures", m.Tenure.objects.valid_on(on).select_related("organization"),
                                           to_attr="posts_held")))

    @admin.display(description="党内职务")
    def current_posts(self, obj):
        # A post in the 党委/党总支 above names it: 书记, 组织委员（某某中学党委）.
        return "；".join(t.get_post_display() if t.organization_id == obj.organization_id
                        else f"{t.get_post_display()}（{t.organization}）" for t in obj.posts_held) or "—"

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
    list_display = ["organization", "kind", "held_on", "term_years", "term_ends_on", "elected", "approval_document", "approved_on"]
    list_filter = [HeldYearFilter, "kind", "organization__kind", "organization__ownership", "organization__unit_category"]
    search_fields = ["organization__name", "tenures__member__name", "approval_document"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization"]
    date_hierarchy = "held_on"
    readonly_fields = ["term_ends_on"]
    inlines = [ElectedTenureInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tenures__member")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.close_previous_term()  # now that the people it elected are saved

    @admin.display(description="当选")
    def elected(self, obj):
        return elected_names(obj)


@admin.register(m.Tenure)
class TenureAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """任职 through time: every post held, in office or ended, with the election that produced it."""

    list_display = ["member", "organization", "post", "started_on", "ended_on", "election"]
    list_filter = ["post", InOfficeFilter, "organization__kind", "organization__ownership"]
    search_fields = ["member__name", "=member__id_number", "organization__name"]
    autocomplete_fields = ["member", "organization", "election"]
    list_select_related = ["member", "organization", "election__organization"]
    date_hierarchy = "started_on"

    # The office records posts; a secretary reads them (their own come from elections the office approves).
    def has_add_permission(self, request):
        return m.decides(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return m.decides(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return m.decides(request.user) and super().has_delete_permission(request, obj)


class AssessmentItemFormSet(BaseInlineFormSet):
    """The result as the form sets it against the scores as the forms set them (m.result_refusal)."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        scores = [(f.cleaned_data["item"], f.cleaned_data["score"]) for f in self.forms
                  if f.cleaned_data.get("item") and f.cleaned_data.get("score") is not None and not f.cleaned_data.get("DELETE")]
        refusal = m.result_refusal(self.instance.result, scores)
        if refusal:
            raise ValidationError(refusal)


class AssessmentItemInline(ScopedInlineMixin, admin.TabularInline):
    model = m.AssessmentItem
    formset = AssessmentItemFormSet
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
    list_display = ["code", "title", "area", "points", "is_required", "is_active"]
    list_filter = ["area", "is_required", "is_active"]
    search_fields = ["code", "title"]
    list_select_related = ["area"]


class RectificationProgressInline(ScopedInlineMixin, admin.TabularInline):
    model = m.RectificationProgress
    extra = 1


@admin.register(m.RectificationCase)
class RectificationCaseAdmin(ScopedAdminMixin, SheetAdmin):
    resource_classes = [r.RectificationResource]
    list_display = ["organization", "year", "identified_by", "status", "deadline", "overdue", "closed_on", "is_exemplary",
                    "responsible_leader"]
    list_filter = ["year", "status", "identified_by", PastDeadlineFilter, "is_exemplary", "organization__unit_category", "categories",
                   AsOfFilter, OpenCaseFilter, ClosedYearFilter, "organization__ownership"]
    search_fields = ["organization__name", "problems"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization", "responsible_leader"]
    filter_horizontal = ["categories"]
    inlines = [RectificationProgressInline]

    @admin.display(description="超期", ordering="deadline")
    def overdue(self, obj):
        # In red words, not a tick: a green tick beside 超期 reads as "all is well".
        return mark_safe('<span class="late">超期</span>') if obj.past_deadline_on(obj.as_of_day) else "—"

    def get_queryset(self, request):
        # 超期 is judged on the list's 状态日期, as the 超过时限 filter is.
        return super().get_queryset(request).annotate(as_of_day=Value(requested_as_of(request), output_field=DateField()))


@admin.register(m.WorkLogEntry)
class WorkLogEntryAdmin(ScopedAdminMixin, SheetAdmin):
    resource_classes = [r.WorkLogResource]
    list_display = ["date", "kind", "title", "count", "topics", "teams", "people", "leader"]
    list_filter = [WorkYearFilter, "kind", "leader"]
    search_fields = ["title", "note"]
    list_select_related = ["leader"]
    date_hierarchy = "date"

    SUMMED = ("count", "topics", "teams", "people")

    def changelist_view(self, request, extra_context=None):
        # The dashboard's figures add these columns up: the list shows the same totals for what it lists.
        response = super().changelist_view(request, extra_context)
        cl = (getattr(response, "context_data", None) or {}).get("cl")
        if cl is not None:
            totals = cl.queryset.order_by().aggregate(**{name: Sum(name) for name in self.SUMMED})
            response.context_data["column_totals"] = [
                (m.WorkLogEntry._meta.get_field(name).verbose_name, totals[name] or 0) for name in self.SUMMED
            ]
        return response


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



@admin.register(m.ReportText)
class ReportTextAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["year", "key", "text"]
    list_display_links = ["key"]
    list_filter = ["year", "key"]
    search_fields = ["text"]
    actions = ["prefill_next_year"]

    @admin.action(description="以所选年度的文字建立下一年度文稿")
    def prefill_next_year(self, request, queryset):
        for year in sorted(set(queryset.values_list("year", flat=True))):
            written = m.ReportText.prefill(year + 1)
            self.message_user(request, f"已为{year + 1}年建立{written}项文字（已有的未改动），请逐项修改。")

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

    list_display = ["started_at", "file_name", "record_type", "user", "organization", "created", "updated", "deleted",
                    "skipped", "refused", "invalid"]
    list_filter = [ImportedTypeFilter]
    search_fields = ["file_name", "user__username"]
    list_select_related = ["user", "organization"]
    fields = ["started_at", "file_name", "record_type", "user", "organization", "created", "updated", "deleted",
              "skipped", "refused", "invalid", "history_rows"]
    readonly_fields = ["record_type", "history_rows"]

    @admin.display(description="导入对象", ordering="model")
    def record_type(self, obj):
        return obj.model_label

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


# ---------------------------------------------------------------------------------------------
# Recruitment (发展党员)
# ---------------------------------------------------------------------------------------------
@admin.register(m.StepRule)
class StepRuleAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "step", "after", "unit", "minimum", "maximum", "basis", "sort_order"]
    list_editable = ["unit", "minimum", "maximum", "sort_order"]


@admin.register(m.RecruitmentPlan)
class RecruitmentPlanAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "year", "quota", "achieved", "note"]
    list_filter = ["year", "organization__ownership"]
    search_fields = ["organization__name"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization"]

    def get_queryset(self, request):
        admitted = (m.Recruit.objects.filter(organization=OuterRef("organization"), accepted_on__year=OuterRef("year"),
                                             approved_on__isnull=False)
                    .values("organization").annotate(n=Count("pk")).values("n"))
        return super().get_queryset(request).annotate(admitted=Subquery(admitted))

    @admin.display(description="已发展（名）", ordering="admitted")
    def achieved(self, obj):
        return obj.admitted or 0


@admin.register(m.Recruit)
class RecruitAdmin(ScopedAdminMixin, SheetAdmin):
    resource_classes = [r.RecruitResource]
    list_display = ["person", "organization", "stage_now", "applied_on", "accepted_on", "approved_on", "flow_download"]
    list_display_links = ["person"]
    list_filter = [RecruitStageFilter, AsOfFilter, AppliedYearFilter, ActivistYearFilter, CandidateYearFilter,
                   AdmittedYearFilter, TwoStrongFilter, "job", "backbone_title", "organization__ownership",
                   WithinOrganizationFilter]
    search_fields = ["name", "=id_number"]
    autocomplete_fields = ["organization", "contact_1", "contact_2"]
    list_select_related = ["organization"]
    readonly_fields = ["birth_date", "member_link", "flow_link"]
    fieldsets = [
        (None, {"fields": ["name", "id_number", "gender", "birth_date", "organization", "job", "backbone_title",
                           "backbone_year"]}),
        ("入党申请", {"fields": ["applied_on", "talked_on"]}),
        ("入党积极分子", {"fields": ["activist_on", "contact_1", "contact_2"]}),
        ("发展对象", {"fields": ["candidate_on", "vetted_on", "training_began_on", "trained_on", "training_hours",
                                "publicity_began_on", "publicity_ended_on", "pre_reviewed_on"]}),
        ("预备党员", {"fields": ["accepted_on", "upper_talk_on", "approved_on", "sworn_on", "member_link"]}),
        ("备注", {"fields": ["note", "flow_link"]}),
    ]

    @admin.display(description="发展党员工作流程")
    def flow_link(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return format_html('<a href="{}">下载Word（各环节日期及时限执行情况）</a>', reverse("recruit_flow_docx", args=[obj.pk]))

    @admin.display(description="流程纪实")
    def flow_download(self, obj):
        return format_html('<a href="{}">Word</a>', reverse("recruit_flow_docx", args=[obj.pk]))

    @admin.display(description="所处阶段")
    def stage_now(self, obj):
        stage = obj.stage
        if stage is None:
            return "—"
        since = {m.RecruitStage.APPLICANT: obj.applied_on, m.RecruitStage.ACTIVIST: obj.activist_on,
                 m.RecruitStage.CANDIDATE: obj.candidate_on, m.RecruitStage.PROBATIONARY: obj.accepted_on}[stage]
        return format_html('<span style="white-space:nowrap" title="{}起">{}</span>', f"{since:%Y-%m-%d}", stage.label)

    @admin.display(description="姓名", ordering="name")
    def person(self, obj):
        return format_html('<span style="white-space:nowrap">{}</span>', obj.name)

    @admin.display(description="党员名册")
    def member_link(self, obj):
        if obj.member_id is None:
            return "—"
        return format_html('<a href="{}">{}（入党日期{}）</a>', links.change("member", obj.member_id), obj.member.name,
                           f"{obj.member.join_date:%Y-%m-%d}")
from . import secretary_reviews  # noqa: E402,F401  (registers its admins)
