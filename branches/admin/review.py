"""审核 in the admin: what a secretary submits waits for the office, which approves or returns it with a reason.

On every records admin (through ScopedAdminMixin), for the models that are `Reviewed`: the review columns and
filter, the office's bulk actions, the decided fields read-only for a secretary, and every save (form, inline)
passed through the model's `submit_as(user)`, so that no path lets a secretary set what the office decides.
"""
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.html import format_html

from .. import models as m


class ReviewActionForm(ActionForm):
    review_reason = forms.CharField(label="退回理由", required=False, max_length=500,
                                    widget=forms.TextInput(attrs={"size": 40, "placeholder": "退回时必填"}))


def _reviewed(model):
    return issubclass(model, m.Reviewed)


@admin.action(description="审核通过所选记录")
def approve_selected(modeladmin, request, queryset):
    done, refused = 0, []
    for obj in queryset.exclude(review_status=m.Review.APPROVED):
        # An approval that applies something (a member's change to the roll) may be refused by the rules as the
        # records stand now: that one is left as it was, with the reason, and the others go on.
        try:
            with transaction.atomic():
                obj.approve(request.user)
                obj.save(update_fields=["review_status", "review_reason", "reviewed_by", "reviewed_at",
                                        *obj.APPLIED_FIELDS])
        except ValidationError as exc:
            refused.append(f"{obj}：{'；'.join(exc.messages)}")
            continue
        done += 1
    modeladmin.message_user(request, f"已审核通过{done}条记录。", messages.SUCCESS)
    for reason in refused:
        modeladmin.message_user(request, f"未能通过：{reason}", messages.ERROR)


@admin.action(description="退回所选记录（填写退回理由）")
def return_selected(modeladmin, request, queryset):
    reason = (request.POST.get("review_reason") or "").strip()
    if not reason:
        modeladmin.message_user(request, "退回时须在“退回理由”中填写理由，书记将看到它；未退回任何记录。", messages.ERROR)
        return
    done = 0
    for obj in queryset.exclude(review_status=m.Review.RETURNED):
        obj.return_to_submitter(request.user, reason)
        obj.save(update_fields=["review_status", "review_reason", "reviewed_by", "reviewed_at"])
        done += 1
    modeladmin.message_user(request, f"已退回{done}条记录。", messages.SUCCESS)


class ReviewAdminMixin:
    @admin.display(description="审核状态", ordering="review_status")
    def review_state(self, obj):
        colour = {m.Review.PENDING: "#b26a00", m.Review.RETURNED: "#ba2121"}.get(obj.review_status)
        label = obj.get_review_status_display()
        if obj.review_status == m.Review.RETURNED and obj.review_reason:
            label = f"{label}：{obj.review_reason}"
        return format_html('<span style="color:{}">{}</span>', colour, label) if colour else label

    def get_list_display(self, request):
        shown = list(super().get_list_display(request))
        return shown + ["review_state"] if _reviewed(self.model) else shown

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        return filters + ["review_status"] if _reviewed(self.model) else filters

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if _reviewed(self.model):
            fields += [f for f in m.Reviewed.REVIEW_FIELDS if f not in fields]
            if not m.decides(request.user):
                fields += [f for f in self.model.DECIDED if f not in fields]
        return fields

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if _reviewed(self.model) and obj is not None:
            fields += [f for f in ("review_status", "review_reason", "submitted_by", "reviewed_by", "reviewed_at")
                       if f not in fields]
        return fields

    def get_actions(self, request):
        actions = super().get_actions(request)
        if _reviewed(self.model) and m.decides(request.user) and self.has_change_permission(request):
            for action in (approve_selected, return_selected):
                actions[action.__name__] = (action, action.__name__, action.short_description)
        return actions

    @property
    def action_form(self):
        return ReviewActionForm if _reviewed(self.model) else ActionForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not _reviewed(self.model) or m.decides(request.user):
            return form
        decided = [f for f in self.model.DECIDED if self.model._meta.get_field(f).editable]

        class SecretaryForm(form):
            def clean(self):
                # A decided field is read-only on the page; one posted anyway (a crafted request) is refused.
                posted = [name for name in decided if name in self.data]
                for name in posted:
                    self.add_error(None, f"“{self._meta.model._meta.get_field(name).verbose_name}”{m.DECIDED_BY_OFFICE}")
                cleaned = super().clean()
                if not posted:
                    before = self.instance.stored_decisions()
                    try:
                        self.instance.submit_as(request.user, before)
                    except ValidationError as exc:
                        self.add_error(None, exc)
                return cleaned

        return SecretaryForm

    def save_model(self, request, obj, form, change):
        if _reviewed(self.model) and m.decides(request.user):
            obj.submit_as(request.user, obj.stored_decisions())
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if _reviewed(formset.model):
            for inline_form in formset.forms:
                if inline_form.has_changed() and not formset._should_delete_form(inline_form):
                    inline_form.instance.submit_as(request.user, inline_form.instance.stored_decisions())
        super().save_formset(request, form, formset, change)
