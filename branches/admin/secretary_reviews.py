"""述职评议考核 in the admin: the office sets up the round, its reviewers and the grade rules, enters ballots,
comments and follow-ups, and reviews the secretaries' reports; a secretary reads their own and reports progress."""
from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from .. import models as m
from .. import secretary_reviews
from .. import resources as r
from .scoping import ScopedAdminMixin, ScopedInlineMixin
from .sheets import SheetAdmin, SheetConfirmForm, SheetImportForm


class OfficeOnlyMixin:
    """The round, its reviewers and the rules are the office's: others read them."""

    def _office(self, request):
        return m.decides(request.user)

    def has_add_permission(self, request, *args):
        return self._office(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._office(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._office(request) and super().has_delete_permission(request, obj)


class ReviewerInline(OfficeOnlyMixin, ScopedInlineMixin, admin.TabularInline):
    model = m.Reviewer
    extra = 0


class ReviewItemInline(OfficeOnlyMixin, ScopedInlineMixin, admin.TabularInline):
    model = m.ReviewItem
    extra = 0


@admin.register(m.ReviewRound)
class ReviewRoundAdmin(OfficeOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "held_on", "reporting_count", "pages"]
    filter_horizontal = ["organizations"]
    inlines = [ReviewItemInline, ReviewerInline]

    @admin.display(description="述职报告与结果")
    def pages(self, obj):
        return format_html('<a href="{}">述职报告</a> · <a href="{}">分类排名</a>',
                           reverse("secretary_reports", args=[obj.year]),
                           reverse("secretary_reports_ranking", args=[obj.year]))

    @admin.display(description="述职党组织（个）")
    def reporting_count(self, obj):
        return obj.reporting().count()


class ItemWeightForm(forms.ModelForm):
    # The items are named as the rounds name them: the office picks one, it never types a name that matches none.
    item_name = forms.ChoiceField(label="测评项目")

    class Meta:
        model = m.ItemWeight
        fields = ["item_name", "weight"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = list(dict.fromkeys(m.ReviewItem.objects.order_by("-round__year", "sort_order", "pk")
                                   .values_list("name", flat=True)))
        if self.instance.item_name and self.instance.item_name not in names:
            names.append(self.instance.item_name)
        self.fields["item_name"].choices = [("", "---------")] + [(n, n) for n in names]


class ItemWeightFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()  # an item named twice is refused here, by the one-weight-per-item constraint
        kept = [f.cleaned_data for f in self.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("weight")]
        total = sum(row["weight"] for row in kept)
        if kept and total != 100:
            raise forms.ValidationError(f"各测评项目的权重合计应为100%，现为{total}%。")


class ItemWeightInline(OfficeOnlyMixin, ScopedInlineMixin, admin.TabularInline):
    model = m.ItemWeight
    form = ItemWeightForm
    formset = ItemWeightFormSet
    extra = 0
    verbose_name_plural = "测评项目权重（不填则按各项目分值计算；填写的合计应为100%，未填写的项目不计入加权得分）"


@admin.register(m.GradeRule)
class GradeRuleAdmin(OfficeOnlyMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["category", "good_share", "good_weak_at_most", "fine_share", "poor_share", "good_score_at_least",
                    "election_overdue_cap", "rectification_overdue_cap", "follow_up_late_cap", "weights_shown"]
    inlines = [ItemWeightInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("weights")

    @admin.display(description="测评项目权重")
    def weights_shown(self, obj):
        return "、".join(str(w) for w in obj.weights.all()) or "按分值"


@admin.register(m.SecretaryReport)
class SecretaryReportAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "round", "overall_grade", "page_link"]
    list_filter = ["round", "organization__ownership", "organization__unit_category"]
    search_fields = ["organization__name"]
    list_select_related = ["organization", "round"]
    # The prose is the secretary's, written on the report's own page; the office reads it here and decides.
    readonly_fields = ["round", "organization", "highlights", "problems", "measures", "overall_grade"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False  # reports are drafted for the round's organizations, never typed in

    def has_change_permission(self, request, obj=None):
        # A secretary writes and submits on the report's own page; here the office decides.
        return m.decides(request.user) and super().has_change_permission(request, obj)

    def get_changelist(self, request, **kwargs):
        class GradedChangeList(super().get_changelist(request, **kwargs)):
            def get_results(self, request):
                # The page's grades in one pass per round, not a handful of queries per row.
                super().get_results(request)
                for review_round in {r.round for r in self.result_list}:
                    shown = [r for r in self.result_list if r.round_id == review_round.pk]
                    found = secretary_reviews.grades(review_round, [r.organization for r in shown])
                    for report in shown:
                        report.result = found[report.organization_id]

        return GradedChangeList

    @admin.display(description="综合等次")
    def overall_grade(self, obj):
        result = getattr(obj, "result", None) or secretary_reviews.grades(obj.round, [obj.organization])[
            obj.organization_id]
        return format_html("{}<br><small>{}</small>", result.grade_label, "；".join(result.reasons))


    @admin.display(description="述职报告")
    def page_link(self, obj):
        return format_html('<a href="{}">查看、下载</a>', reverse("secretary_report", args=[obj.round.year,
                                                                                      obj.organization_id]))

    def get_actions(self, request):
        # 通过/退回 as for other submissions, but never of a draft the secretary has not submitted.
        actions = super().get_actions(request)
        for name in ("approve_selected", "return_selected"):
            if name in actions:
                action, _, description = actions[name]
                actions[name] = (_submitted_only(action), name, description)
        return actions


def _submitted_only(action):
    def run(modeladmin, request, queryset):
        return action(modeladmin, request, queryset.exclude(review_status=m.SecretaryReport.DRAFT))

    return run


def round_field(**kwargs):
    return forms.ModelChoiceField(m.ReviewRound.objects.all(), required=False, label="述职评议", **kwargs)


class BallotImportForm(SheetImportForm):
    review_round = round_field(empty_label="最近一次述职评议",
                               help_text="表中没有“年度”列，或某行“年度”为空时，这些行计入所选的述职评议。")


class BallotConfirmForm(SheetConfirmForm):
    review_round = round_field(widget=forms.HiddenInput)


class ItemScoreInline(ScopedInlineMixin, admin.TabularInline):
    model = m.ItemScore
    extra = 0

    def get_extra(self, request, obj=None, **kwargs):
        # A new ballot shows every item of the latest round; an existing one those of its round not yet scored.
        review_round = obj.round if obj else m.ReviewRound.objects.order_by("-year").first()
        if review_round is None:
            return 0
        return review_round.items.exclude(scores__ballot=obj).count() if obj else review_round.items.count()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "item":
            field.queryset = field.queryset.select_related("round").order_by("-round__year", "sort_order")
            field.label_from_instance = lambda item: f"{item.round.year}年度：{item}"
        return field


@admin.register(m.Ballot)
class BallotAdmin(ScopedAdminMixin, SheetAdmin):
    resource_classes = [r.BallotResource]
    import_form_class = BallotImportForm
    confirm_form_class = BallotConfirmForm
    inlines = [ItemScoreInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.score_from_items()

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None and import_form.cleaned_data.get("review_round"):
            initial["review_round"] = import_form.cleaned_data["review_round"].pk
        return initial

    def job_options(self, form):
        chosen = form.cleaned_data.get("review_round")
        return {"review_round": chosen.pk} if chosen else {}

    def job_resource_kwargs(self, job):
        return {"review_round": m.ReviewRound.objects.filter(pk=job.options.get("review_round")).first()}

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        chosen = getattr(form, "cleaned_data", {}).get("review_round") if form is not None else None
        return {**super().get_import_resource_kwargs(request, **kwargs), "review_round": chosen}
    list_display = ["organization", "round", "reviewer", "grade", "score"]
    list_filter = ["round", "grade"]
    search_fields = ["organization__name"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization", "round", "reviewer"]


@admin.register(m.Comment)
class CommentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "round", "leader", "text"]
    list_filter = ["round"]
    search_fields = ["organization__name"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization", "round", "leader"]


@admin.register(m.FollowUp)
class FollowUpAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "problem", "deadline", "done_on", "progress"]
    list_filter = ["round", ("done_on", admin.EmptyFieldListFilter)]
    search_fields = ["organization__name", "problem"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization", "round"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not m.decides(request.user):
            fields += ["round", "organization", "problem", "deadline"]  # the committee set them; the secretary reports
        return fields

    def has_add_permission(self, request):
        return m.decides(request.user) and super().has_add_permission(request)
