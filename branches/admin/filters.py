"""The list filters that answer the office's daily questions; the dashboard's numbers link into them."""
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q

from .. import models as m
from ..dates import today
from ..early_warning import RULES, RULES_BY_CODE, evaluate
from ..forms import AsOfForm, parse_year
from ..periods import YEARS
from ..working_year import as_of, working_year


def as_of_form(request):
    return AsOfForm({"asof": request.GET.get("asof")})


def requested_as_of(request):
    """The day the list reads the state on: ?asof=YYYY-MM-DD, else the end of the office's working year."""
    form = as_of_form(request)
    return (form.is_valid() and form.cleaned_data["asof"]) or as_of(working_year(request))


class AsOfFilter(admin.SimpleListFilter):
    """状态日期: the state as it stood on a past day, as the dashboard shows a past year.

    The election, staffing, conversion and deadline filters read the same day; the members are the roll as it
    stood then (MemberQuerySet.as_of), and organizations approved after it are left out.
    """

    title = "状态日期"
    parameter_name = "asof"

    def __init__(self, request, *args):
        self.request = request
        super().__init__(request, *args)

    def lookups(self, request, model_admin):
        year = today().year
        days = [(today().isoformat(), "今天")]
        days += [(f"{y}-12-31", f"{y}年12月31日") for y in range(year - 1, year - 6, -1)]
        raw = request.GET.get(self.parameter_name)
        if raw and raw not in dict(days) and as_of_form(request).is_valid():
            days.insert(0, (raw, requested_as_of(request).isoformat()))
        return days

    def choices(self, changelist):
        choices = list(super().choices(changelist))
        on = as_of(working_year(self.request))
        choices[0]["display"] = f"工作年度（{on.year}年{on.month}月{on.day}日）"
        return choices

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        on, form = requested_as_of(request), as_of_form(request)
        if not form.is_valid():
            messages.warning(request, f"状态日期无效：{form.messages()[0]}已按今天统计。")
        if queryset.model is m.Member:
            return queryset.as_of(on)  # the roll as it stood then, those who left since included
        if queryset.model is m.Organization:
            return queryset.approved_by(on)
        return queryset


class ElectionStatusFilter(admin.SimpleListFilter):
    title = "换届状态"
    parameter_name = "election"

    states = (m.ElectionState.OVERDUE, m.ElectionState.DUE, m.ElectionState.NEVER)

    def lookups(self, request, model_admin):
        return [(state.value, state.label) for state in self.states]

    def queryset(self, request, queryset):
        if self.value() not in self.states:
            return queryset
        # The rule lives in election_status(); the rows are few (one per organization).
        on = requested_as_of(request)
        rows = queryset.exclude(kind=m.OrgKind.COMMITTEE).values_list("pk", "term_ends_on")
        return queryset.filter(pk__in=[pk for pk, ends in rows if m.election_status(ends, on) == self.value()])


class StaffingFilter(admin.SimpleListFilter):
    title = "班子配备"
    parameter_name = "staffing"

    def lookups(self, request, model_admin):
        states = (m.Staffing.NO_SECRETARY, m.Staffing.INCOMPLETE)
        return [(state.value, state.label) for state in states] + [("ageing", "书记年龄偏大")]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value == "ageing":
            on = requested_as_of(request)
            births = queryset.values_list("pk", "secretary_birth")
            return queryset.filter(pk__in=[pk for pk, birth in births if m.secretary_is_ageing(birth, on)])
        # The rule lives in staffing_status(); the annotated rows are few (one per organization).
        ids = [org.pk for org in queryset if m.staffing_of(org) == value]
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
        return [("overdue", "逾期未转正")]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.filter(pk__in=m.Member.objects.conversion_overdue(requested_as_of(request)).values("pk"))
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
        try:
            year = parse_year(self.value())
        except ValidationError as exc:
            messages.warning(request, f"“{self.title}”：{exc.messages[0]}")
            return queryset.none()
        return queryset if year is None else self.in_year(queryset, year)


class ApprovedYearFilter(YearFilter):
    title = "批准成立年度"
    parameter_name = "approved"

    def in_year(self, queryset, year):
        return queryset.exclude(kind=m.OrgKind.COMMITTEE).filter(approved_on__year=year)


class ElectedYearFilter(YearFilter):
    title = "换届年度"
    parameter_name = "elected"

    def in_year(self, queryset, year):
        return queryset.filter(pk__in=m.Election.objects.new_terms().filter(held_on__year=year).values("organization"))


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


class TransferYearFilter(YearFilter):
    title = "转接年度"
    parameter_name = "transferred"

    def in_year(self, queryset, year):
        return queryset.filter(transferred_on__year=year)


class ReceiptFilter(admin.SimpleListFilter):
    title = "回执"
    parameter_name = "receipt"

    def lookups(self, request, model_admin):
        return [("yes", "已接收（回执已返回）"), ("no", "待接收（回执未返回）")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(received_on=None)
        if self.value() == "no":
            return queryset.awaiting_receipt()
        return queryset


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
        on = requested_as_of(request)
        return queryset.filter(self.counted(on), m.years_between(self.field, on, *self.band()))

    def counted(self, on):
        """Q for the rows that have the measure at all on `on`."""
        return Q()


class AgeBandFilter(BandFilter):
    title = "年龄段"
    parameter_name = "age"
    bands, field, unit = m.AGE_BANDS, "birth_date", "岁"


class PartyYearsFilter(BandFilter):
    title = "党龄"
    parameter_name = "party_years"
    bands, field, unit = m.PARTY_YEARS_BANDS, "full_member_date", "年"

    def counted(self, on):
        return m.party_years_known(on)


class PostFilter(admin.SimpleListFilter):
    """党内职务 on the list's 状态日期: members holding the post then, by a counted tenure (Tenure.objects.counted)."""

    title = "党内职务"
    parameter_name = "post"

    def lookups(self, request, model_admin):
        return [("any", "担任党内职务"), *m.POSTS]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if self.value() != "any" and self.value() not in dict(m.POSTS):
            messages.warning(request, f"“{self.title}”的取值“{self.value()}”无效。")
            return queryset.none()
        return queryset.filter(m.holds_post(None if self.value() == "any" else self.value(), requested_as_of(request)))


class InOfficeFilter(admin.SimpleListFilter):
    title = "任职状态"
    parameter_name = "in_office"

    def lookups(self, request, model_admin):
        return [("yes", "在任"), ("no", "已离任")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset & m.Tenure.objects.valid_on(requested_as_of(request))
        if self.value() == "no":
            return queryset.exclude(pk__in=m.Tenure.objects.valid_on(requested_as_of(request)).values("pk"))
        return queryset


class PartyWorkerFilter(admin.SimpleListFilter):
    title = "党务工作者"
    parameter_name = "worker"

    def lookups(self, request, model_admin):
        return [("yes", "专职、兼职党务干部")]

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
        if not as_of_form(request).is_valid():  # not today's warnings when another day was asked for
            messages.warning(request, f"预警只能按{YEARS[0]}年至{YEARS[-1]}年之间的状态日期查看。")
            return queryset.none()
        found = evaluate(on, codes=None if value == "any" else [value]).by_organization
        return queryset.filter(pk__in=[o.pk for o in found])


class JoinYearFilter(YearFilter):
    title = "入党年度"
    parameter_name = "join_year"

    def lookups(self, request, model_admin):
        year = today().year
        return [(str(y), f"{y}年") for y in range(year, year - 6, -1)]

    def in_year(self, queryset, year):
        return queryset.filter(join_date__year=year)


class BackboneYearFilter(YearFilter):
    """称号年度: the recent years to pick from, as the other year filters. Django's own filter for the field lists the
    years the records hold, by a SELECT DISTINCT over every member on every page of the list."""

    title = "称号年度"
    parameter_name = "backbone_year"  # the address Django's filter for the field used

    def lookups(self, request, model_admin):
        year = today().year
        return [(str(y), f"{y}年") for y in range(year, year - 10, -1)]

    def in_year(self, queryset, year):
        return queryset.filter(backbone_year=year)


class HeldYearFilter(YearFilter):
    title = "选举年度"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = m.Election.objects.dates("held_on", "year", order="DESC")
        return [(str(d.year), f"{d.year}年") for d in years]

    def in_year(self, queryset, year):
        return queryset.filter(held_on__year=year)


class WorkYearFilter(YearFilter):
    title = "年度"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        return [(str(d.year), f"{d.year}年") for d in m.WorkLogEntry.objects.dates("date", "year", order="DESC")]

    def in_year(self, queryset, year):
        return queryset.filter(date__year=year)


class ImportedTypeFilter(admin.SimpleListFilter):
    """导入对象 by its Chinese name."""

    title = "导入对象"
    parameter_name = "model"

    def lookups(self, request, model_admin):
        labels = model_admin.get_queryset(request).order_by("model").values_list("model", flat=True).distinct()
        return [(label, m.model_label(label)) for label in labels]

    def queryset(self, request, queryset):
        return queryset.filter(model=self.value()) if self.value() else queryset


# -- recruitment (发展党员) ----------------------------------------------------------------------------
class RecruitStageFilter(admin.SimpleListFilter):
    """The stage on the list's 状态日期, as stage_on() reads the dated steps."""

    title = "所处阶段"
    parameter_name = "stage"

    def lookups(self, request, model_admin):
        return m.RecruitStage.choices

    def queryset(self, request, queryset):
        if self.value() not in m.RecruitStage.values:
            return queryset
        return queryset.in_stage(self.value(), requested_as_of(request))


class RecruitStepYearFilter(YearFilter):
    """Those whose step fell in a year: what the dashboard's recruitment figures count."""

    step = None

    def in_year(self, queryset, year):
        found = queryset.filter(**{f"{self.step}__year": year})
        # Admitted: accepted in the year and approved, as the dashboard counts them (the roll's new members).
        return found.filter(approved_on__isnull=False) if self.step == m.Step.ACCEPTED else found


class AppliedYearFilter(RecruitStepYearFilter):
    title, parameter_name, step = "申请入党年度", "applied_year", m.Step.APPLIED


class ActivistYearFilter(RecruitStepYearFilter):
    title, parameter_name, step = "确定积极分子年度", "activist_year", m.Step.ACTIVIST


class CandidateYearFilter(RecruitStepYearFilter):
    title, parameter_name, step = "确定发展对象年度", "candidate_year", m.Step.CANDIDATE


class AdmittedYearFilter(RecruitStepYearFilter):
    title, parameter_name, step = "发展入党年度", "admitted_year", m.Step.ACCEPTED


class TwoStrongFilter(admin.SimpleListFilter):
    """双培双强: backbone teachers, and teachers under 35 on the list's 状态日期."""

    title = "双培双强"
    parameter_name = "two_strong"

    def lookups(self, request, model_admin):
        return [("backbone", "骨干教师"), ("young", "35岁以下青年教师")]

    def queryset(self, request, queryset):
        if self.value() == "backbone":
            return queryset.backbone()
        if self.value() == "young":
            return queryset.young_teachers(requested_as_of(request))
        return queryset
