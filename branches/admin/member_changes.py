"""党员信息变更 in the admin: a secretary's save of a member (add, change, off the roll) is kept as a MemberChange
waiting for the office, which approves it (the roll changes then) or returns it with a reason.

`ProposedMemberAdminMixin` goes on the member admin: for a secretary the form validates as before, but the save
stores the change instead of the member, and the member's page shows the change waiting. `MemberChangeAdmin` is
the office's list of changes, with the project's bulk 通过/退回 (branches/admin/review.py).
"""
from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from accounts import personal

from .. import models as m
from .scoping import ScopedAdminMixin

SUBMITTED = "已提交，待工委组织科审核。审核通过后党员名册才会变更。"


def proposes(request):
    """A secretary's changes to the roll wait for review; the office's apply at once."""
    return not m.decides(request.user)


def _masked(name, value):
    # The change's values are personal data like the member's: shown masked on the pages that list them.
    return personal.MASKS[name](value) if name in personal.MASKS and value not in ("", "（空）") else value


def change_table(change):
    rows = [(label, _masked(name, old), _masked(name, new)) for name, label, old, new in change.described()]
    if not rows:
        return "（无变更内容）"
    head = format_html("<tr><th>项目</th><th>{}</th><th>变更为</th></tr>", "名册现值" if change.member_id else "")
    return format_html('<table class="member-change">{}{}</table>', head,
                       format_html_join("", "<tr><td>{}</td><td>{}</td><td><strong>{}</strong></td></tr>", rows))


class OfficeWritesInline:
    """An inline of the member's page a secretary reads but does not write: their changes to the member wait for
    review, and what hangs on a member who is not yet on the roll cannot be saved."""

    def has_add_permission(self, request, obj=None):
        return not proposes(request) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not proposes(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not proposes(request) and super().has_delete_permission(request, obj)


class ProposedMemberAdminMixin:
    def _open_change(self, request, obj):
        return m.MemberChange.objects.open().filter(member=obj).first() if obj is not None and obj.pk else None

    def _resubmitted(self, request):
        """The returned or waiting 新增 a secretary corrects (?member_change=ID on the add page), within their scope."""
        pk = request.GET.get("member_change", "")
        if not pk.isdigit():
            return None
        return (m.MemberChange.objects.visible_to(request.user).open()
                .filter(kind=m.MemberChange.Kind.ADD, pk=int(pk)).first())

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and getattr(request, "editing_member", False) and proposes(request):
            # The secretary goes on from what they proposed (a returned change is corrected, not typed again);
            # the save compares with the roll as stored.
            change = self._open_change(request, obj)
            if change is not None:
                obj = change.proposed()
        return obj

    def change_view(self, request, object_id, form_url="", extra_context=None):
        request.editing_member = True
        return super().change_view(request, object_id, form_url, extra_context)

    def get_changeform_initial_data(self, request):
        change = self._resubmitted(request) if proposes(request) else None
        return change.values if change is not None else super().get_changeform_initial_data(request)

    def has_delete_permission(self, request, obj=None):
        # A secretary takes a member off the roll (转出, 去世) by a change the office reviews, not by deleting them.
        return not proposes(request) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["pending_change"] if obj is not None else fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and self._open_change(request, obj) is not None:
            fieldsets.insert(0, ("待审核的变更", {"fields": ["pending_change"]}))
        return fieldsets

    @admin.display(description="变更")
    def pending_change(self, obj):
        change = self._open_change(None, obj)
        if change is None:
            return "—"
        state = change.get_review_status_display()
        if change.review_status == m.Review.RETURNED:
            state = f"{state}（退回理由：{change.review_reason}）"
        when = f"{change.submitted_at:%Y-%m-%d %H:%M}" if change.submitted_at else ""
        return format_html('<p>{}：{}提交于{}，{}</p>{}', change.get_kind_display(), change.submitted_by or "", when,
                           state, change_table(change))

    def save_model(self, request, obj, form, change):
        if not proposes(request):
            return super().save_model(request, obj, form, change)
        stored = m.Member.objects.get(pk=obj.pk) if change else None
        proposal = m.MemberChange.propose(request.user, obj, stored, None if change else self._resubmitted(request))
        if proposal is not None:
            proposal.save()
        request.member_change = proposal

    def save_related(self, request, form, formsets, change):
        if not proposes(request):
            super().save_related(request, form, formsets, change)

    def construct_change_message(self, request, form, formsets, add=False):
        # Nothing of the member was saved (the formsets neither): the change's own history says what was proposed.
        if proposes(request):
            return ""
        return super().construct_change_message(request, form, formsets, add)

    def log_addition(self, request, obj, message):
        if not proposes(request):
            return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        if not proposes(request):
            return super().log_change(request, obj, message)

    def _submitted_response(self, request, obj):
        proposal = getattr(request, "member_change", None)
        if proposal is None:
            messages.info(request, f"“{obj}”的信息与名册一致，未提交变更。")
        else:
            messages.success(request, f"“{obj}”的{proposal.get_kind_display()}{SUBMITTED}")
        return HttpResponseRedirect(reverse("admin:branches_member_changelist"))

    def response_add(self, request, obj, post_url_continue=None):
        if proposes(request):
            return self._submitted_response(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if proposes(request):
            return self._submitted_response(request, obj)
        return super().response_change(request, obj)


@admin.register(m.MemberChange)
class MemberChangeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "organization", "changed_fields", "submitted_by", "submitted_at"]
    list_filter = ["kind"]
    search_fields = ["name"]
    list_select_related = ["organization", "submitted_by"]
    fields = ["name", "kind", "organization", "member", "contents", "resubmit"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # a change is made on the member's page or by an import

    def has_change_permission(self, request, obj=None):
        # The office reviews (the list's 通过/退回); a secretary reads their changes and corrects them on the member's page.
        return not proposes(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not proposes(request) and super().has_delete_permission(request, obj)

    @admin.display(description="变更项目")
    def changed_fields(self, obj):
        labels = []
        for name in obj.values:
            try:
                labels.append(str(m.Member._meta.get_field(name).verbose_name))
            except FieldDoesNotExist:
                continue
        return "、".join(labels) if obj.member_id else f"新增党员（{len(labels)}项）"

    @admin.display(description="变更内容")
    def contents(self, obj):
        return change_table(obj)

    @admin.display(description="修改后重新提交")
    def resubmit(self, obj):
        if obj.review_status not in (m.Review.PENDING, m.Review.RETURNED):
            return "—"
        if obj.member_id:
            url = reverse("admin:branches_member_change", args=[obj.member_id])
        else:
            url = f"{reverse('admin:branches_member_add')}?member_change={obj.pk}"
        return format_html('<a href="{}">在党员信息页修改并重新提交</a>', url)
