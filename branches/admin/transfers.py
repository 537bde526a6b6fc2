"""组织关系转接 in the admin: the list, the receiving side's 确认接收, the 介绍信 to print, and the member's page's
record of their organizations through time.

Both ends of a transfer read it (TransferQuerySet.visible_to); only the sending side writes it (its
organization_path), so the receiving secretary opens it read-only and confirms the receipt from there.
"""
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from .. import models as m
from .. import resources as r
from .. import scope
from .filters import ReceiptFilter, TransferYearFilter
from .scoping import ScopedAdminMixin, ScopedInlineMixin
from .sheets import SheetAdmin


def route(transfer):
    """From → to, the outside unit standing for the end outside the district."""
    start = transfer.from_organization.name if transfer.from_organization_id else transfer.outside_unit or "—"
    end = transfer.to_organization.name if transfer.to_organization_id else transfer.outside_unit or "—"
    return f"{start} → {end}"


def receipt_state(transfer):
    if transfer.kind == m.Transfer.Kind.IN:
        return "—"
    if transfer.received_on:
        return f"{transfer.received_on:%Y-%m-%d}已接收"
    return "回执未返回" if transfer.kind == m.Transfer.Kind.OUT else "待接收"


def letter_url(transfer):
    """The 介绍信 to print: the district writes one for what leaves an organization of its own, not for a 转入."""
    return reverse("transfer_letter_docx", args=[transfer.pk]) if transfer.kind != m.Transfer.Kind.IN else ""


@admin.register(m.Transfer)
class TransferAdmin(ScopedAdminMixin, SheetAdmin):
    resource_classes = [r.TransferResource]
    list_display = ["member", "kind", "from_to", "transferred_on", "letter_number", "receipt", "letter"]
    list_filter = ["kind", TransferYearFilter, ReceiptFilter, "reason"]
    search_fields = ["member__name", "=member__id_number", "letter_number"]
    autocomplete_fields = ["member", "from_organization", "to_organization"]
    list_select_related = ["member", "from_organization", "to_organization"]
    date_hierarchy = "transferred_on"
    fields = ["member", "kind", "from_organization", "to_organization", "outside_unit", "transferred_on",
              "letter_number", "reason", "received_on", "received_by"]
    actions = ["confirm_selected", "print_letters"]
    change_form_template = "admin/branches/transfer/change_form.html"  # the 打印介绍信 and 确认接收 buttons

    # --- who reads and who writes -------------------------------------------------------------
    def _visible(self, request, obj):
        return obj is None or obj.seen_by(request.user)

    def _writes(self, request, obj):
        return obj is None or scope.holds(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._writes(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._writes(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), "received_by"]
        if not scope.sees_everything(request.user):
            fields.append("received_on")  # the receiving side confirms (确认接收); a 转出's 回执 is the office's
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        user = request.user

        class RecordedBy(form):
            def clean(self):
                cleaned = super().clean()
                refusal = m.Transfer.recording_refusal(user, cleaned.get("kind"))
                if refusal:
                    self.add_error("kind", refusal)
                return cleaned

        return RecordedBy

    def save_model(self, request, obj, form, change):
        if "received_on" in form.changed_data:  # the office records a 回执 by its date
            obj.received_by = request.user if obj.received_on else None
        super().save_model(request, obj, form, change)

    # --- deleting undoes (Transfer.delete) ------------------------------------------------------------
    def delete_view(self, request, object_id, extra_context=None):
        transfer = self.get_object(request, unquote(object_id))
        refusal = transfer.deletion_refusal() if transfer is not None and self.has_delete_permission(request, transfer) else None
        if refusal is None:
            try:
                return super().delete_view(request, object_id, extra_context)
            except ValidationError as exc:  # refused under the member's lock: another deletion came first
                refusal = "；".join(exc.messages)
        self.message_user(request, f"未删除：{refusal}", messages.ERROR)
        return HttpResponseRedirect(reverse("admin:branches_transfer_change", args=[transfer.pk]))

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions["delete_selected"] = (delete_selected_transfers, name, description)
        return actions

    def delete_queryset(self, request, queryset):
        # One by one, each member's latest first, so that each deletion undoes what the member's record shows.
        with transaction.atomic():
            for transfer in queryset.order_by("-transferred_on", "-pk"):
                transfer.delete()

    # --- columns --------------------------------------------------------------------------------
    @admin.display(description="转出 → 转入")
    def from_to(self, obj):
        return route(obj)

    @admin.display(description="回执", ordering="received_on")
    def receipt(self, obj):
        state = receipt_state(obj)
        if state in ("待接收", "回执未返回"):
            return format_html('<strong style="color:#b00">{}</strong>', state)
        return state

    @admin.display(description="介绍信")
    def letter(self, obj):
        url = letter_url(obj)
        return format_html('<a href="{}">打印</a>', url) if url else "—"

    # --- 确认接收 --------------------------------------------------------------------------------
    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<path:object_id>/confirm/", self.admin_site.admin_view(self.confirm_view), name="%s_%s_confirm" % info),
        ] + super().get_urls()

    def confirm_view(self, request, object_id):
        """GET asks, POST confirms: the receiving side accepts the letter today."""
        transfer = self.get_object(request, object_id)
        if transfer is None or not self.has_view_permission(request, transfer):
            raise Http404
        refusal = transfer.receipt_refusal(request.user)
        change_url = reverse("admin:branches_transfer_change", args=[transfer.pk])
        if request.method == "POST":
            if refusal:
                raise PermissionDenied(refusal)
            transfer.confirm_receipt(request.user)
            self.message_user(request, f"已确认接收：{transfer}。", messages.SUCCESS)
            return HttpResponseRedirect(change_url)
        return TemplateResponse(request, "admin/branches/transfer/confirm_receipt.html", {
            **self.admin_site.each_context(request), "title": "确认接收组织关系", "opts": self.opts,
            "original": transfer, "route": route(transfer), "refusal": refusal, "change_url": change_url,
        })

    def change_view(self, request, object_id, form_url="", extra_context=None):
        transfer = self.get_object(request, object_id)
        extra = {}
        if transfer is not None:
            extra = {"can_confirm": transfer.receipt_refusal(request.user) is None, "letter_url": letter_url(transfer),
                     "confirm_url": reverse("admin:branches_transfer_confirm", args=[transfer.pk])}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    @admin.action(description="确认接收所选转接（回执）")
    def confirm_selected(self, request, queryset):
        done, refused = 0, []
        with transaction.atomic():
            for transfer in queryset.select_related("member"):
                try:
                    transfer.confirm_receipt(request.user)
                except ValidationError as exc:
                    refused.append(f"{transfer}：{'；'.join(exc.messages)}")
                    continue
                done += 1
        self.message_user(request, f"已确认接收{done}条。", messages.SUCCESS if done else messages.WARNING)
        for reason in refused:
            self.message_user(request, f"未确认：{reason}", messages.ERROR)

    @admin.action(description="打印所选转接的介绍信（一个Word文件）")
    def print_letters(self, request, queryset):
        ids = list(queryset.exclude(kind=m.Transfer.Kind.IN).order_by("transferred_on", "pk").values_list("pk", flat=True))
        if not ids:
            self.message_user(request, "所选均为从系统外转入，介绍信由原党组织开具，无需打印。", messages.WARNING)
            return None
        return HttpResponseRedirect(f"{reverse('transfer_letters_docx')}?{urlencode({'ids': ','.join(map(str, ids))})}")


def delete_selected_transfers(modeladmin, request, queryset):
    """删除所选: Django's action (its confirmation page, then delete_queryset), refused as a whole, with each
    transfer's reason, where one of them may not be deleted together with the others."""
    selected = list(queryset.select_related("member"))
    pks = {t.pk for t in selected}
    refusals = [(t, t.deletion_refusal(also_deleted=pks)) for t in selected]
    refusals = [(t, reason) for t, reason in refusals if reason]
    if not refusals:
        try:
            with transaction.atomic(using=router.db_for_write(modeladmin.model)):
                return delete_selected(modeladmin, request, queryset)
        except ValidationError as exc:  # refused under a member's lock: another deletion came first
            refusals = [(None, "；".join(exc.messages))]
    modeladmin.message_user(request, "未删除任何转接。", messages.ERROR)
    for transfer, reason in refusals:
        modeladmin.message_user(request, f"{transfer}：{reason}" if transfer else reason, messages.ERROR)
    return None


delete_selected_transfers.allowed_permissions = delete_selected.allowed_permissions
delete_selected_transfers.short_description = delete_selected.short_description


class TransferHistoryInline(ScopedInlineMixin, admin.TabularInline):
    """The member's page: their organizations through time, read-only (a transfer is recorded on its own page)."""

    model = m.Transfer
    fk_name = "member"
    extra = 0
    can_delete = False
    verbose_name = verbose_name_plural = "组织关系转接（历次）"
    fields = ["transferred_on", "kind", "from_to", "letter_number", "reason", "receipt", "letter"]
    readonly_fields = fields
    ordering = ["transferred_on", "pk"]

    def get_queryset(self, request):
        return (super().get_queryset(request).visible_to(request.user)
                .select_related("from_organization", "to_organization"))

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="转出 → 转入")
    def from_to(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:branches_transfer_change", args=[obj.pk]), route(obj))

    @admin.display(description="回执")
    def receipt(self, obj):
        return receipt_state(obj)

    @admin.display(description="介绍信")
    def letter(self, obj):
        url = letter_url(obj)
        return format_html('<a href="{}">打印介绍信</a>', url) if url else "—"
