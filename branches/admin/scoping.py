"""The admin's side of who may see what: one mixin on every records admin.

Every way into a record goes through ModelAdmin.get_queryset() or through a form field's queryset, and
both ask the model's visible_to(user). What is outside a user's part of the tree answers 404, exactly like
what does not exist, so that nothing about it leaks.
"""
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.forms import ModelMultipleChoiceField
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from accounts import personal

from .. import scope
from ..history import delete_with_history
from .review import ReviewAdminMixin


def _visible_queryset(model, user):
    qs = model._default_manager.all()
    return qs.visible_to(user) if hasattr(qs, "visible_to") else qs


def _masked_column(model, name):
    mask = personal.MASKS[name]

    @admin.display(description=model._meta.get_field(name).verbose_name)
    def column(obj):
        return mask(getattr(obj, name))

    column.__name__ = f"masked_{name}"
    return column


class _ReadableHistory(HistoricalRecordContextHelper):
    """A change as the office reads it: a choice by its label, yes/no in Chinese, an empty value as 空."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        if value is None or value == "":
            return "（空）"
        field = self.model._meta.get_field(change.field)
        if isinstance(value, bool):
            return "是" if value else "否"
        if field.choices and not isinstance(value, list):
            return dict(field.flatchoices).get(value, value)
        return value


class _MaskedHistory(_ReadableHistory):
    def prepare_delta_change_value(self, change, value):
        if change.field in personal.MASKS and value not in (None, ""):
            value = personal.MASKS[change.field](value)
        return super().prepare_delta_change_value(change, value)


class _KnownChoicesOnly:
    """An autocomplete that shows the form again with what was posted looks the posted ids up: Django's widget
    passes them to the database as they came ("<b>", 10^23), which fails with ValueError or OverflowError. Only
    ids that can be ids are looked up; the field's own error says the rest is no valid choice."""

    def optgroups(self, name, value, attr=None):
        pk = self.field.remote_field.model._meta.pk
        valid = []
        for v in value:
            try:
                number = pk.to_python(v)
            except ValidationError:
                continue
            if number is None or (isinstance(number, int) and not -(2**63) <= number < 2**63):
                continue
            valid.append(v)
        return super().optgroups(name, valid, attr)


class _KnownChoicesSelect(_KnownChoicesOnly, AutocompleteSelect):
    pass


class _KnownChoicesSelectMultiple(_KnownChoicesOnly, AutocompleteSelectMultiple):
    pass


class _BoundedMultipleChoiceField(ModelMultipleChoiceField):
    """Django checks each posted id's form, not its size: 10^23 reaches the database (OverflowError on SQLite)."""

    def _check_values(self, value):
        try:
            return super()._check_values(value)
        except OverflowError:
            raise ValidationError(self.error_messages["invalid_list"], code="invalid_list")


def _known_choices_only(formfield):
    if type(formfield) is ModelMultipleChoiceField:
        formfield.__class__ = _BoundedMultipleChoiceField
    widget = getattr(formfield, "widget", None)
    inner = getattr(widget, "widget", widget)  # inside the admin's RelatedFieldWidgetWrapper
    if type(inner) is AutocompleteSelect:
        inner.__class__ = _KnownChoicesSelect
    elif type(inner) is AutocompleteSelectMultiple:
        inner.__class__ = _KnownChoicesSelectMultiple
    return formfield


class ScopedFormfieldsMixin:
    """Choices in every form (selects, autocompletes, inlines) limited to what the user may see."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", _visible_queryset(db_field.remote_field.model, request.user))
        return _known_choices_only(super().formfield_for_foreignkey(db_field, request, **kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", _visible_queryset(db_field.remote_field.model, request.user))
        return _known_choices_only(super().formfield_for_manytomany(db_field, request, **kwargs))


class ScopedInlineMixin(ScopedFormfieldsMixin):
    """For inlines: the parent object is already scoped; their own choices are limited here."""


class ScopeMixin(ScopedFormfieldsMixin):
    """Scoping and masking of personal data, for any ModelAdmin."""

    # --- what the user may see ----------------------------------------------------------------
    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.visible_to(request.user) if hasattr(qs, "visible_to") else qs

    def _visible(self, request, obj):
        return obj is None or scope.holds(request.user, obj)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._visible(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._visible(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._visible(request, obj)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django redirects to the index with "does not exist"; out of scope or missing, the answer is 404.
        raise Http404

    def get_resource_kwargs(self, request, *args, **kwargs):
        # django-import-export builds its import and export resources with these: they judge rows by the user.
        return {**super().get_resource_kwargs(request, *args, **kwargs), "user": request.user}

    # --- personal data ------------------------------------------------------------------------
    def _masked_fields(self, request):
        if personal.can_see(request.user):
            return set()
        return {f.name for f in self.model._meta.fields if f.name in personal.MASKS}

    def get_list_display(self, request):
        masked = self._masked_fields(request)
        return [_masked_column(self.model, f) if f in masked else f for f in super().get_list_display(request)]

    def get_search_fields(self, request):
        # Without the permission a number is found only when typed in full: no digit-by-digit probing.
        masked = self._masked_fields(request)
        return [f"={f.lstrip('=^@')}" if f.lstrip("=^@") in masked else f for f in super().get_search_fields(request)]

    def get_fieldsets(self, request, obj=None):
        # A read-only view (leaders) shows the masked value; those who may edit the record see what they edit.
        # A past version (the history's version view) is only ever read: masked for them too.
        fieldsets = super().get_fieldsets(request, obj)
        masked = self._masked_fields(request)
        editing = self.has_change_permission(request, obj) and not getattr(request, "past_version", False)
        if not masked or obj is None or editing:
            return fieldsets

        def swap(field):
            if isinstance(field, (list, tuple)):
                return tuple(swap(f) for f in field)
            return f"masked_{field}" if field in masked else field

        return [(name, {**opts, "fields": [swap(f) for f in opts["fields"]]}) for name, opts in fieldsets]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if getattr(request, "past_version", False):
            return [*fields, *(f"masked_{f}" for f in sorted(self._masked_fields(request)))]
        return fields

    @admin.display(description="身份证号码")
    def masked_id_number(self, obj):
        return personal.mask_id_number(obj.id_number)

    @admin.display(description="联系电话")
    def masked_phone(self, obj):
        return personal.mask_phone(obj.phone)


class BoundedChangeList(ChangeList):
    """The date hierarchy's ?held_on__year=99999999999999999999 (or 9999, whose next year does not exist) is a bad
    address, as Django already treats ?held_on__month=13: the list says so instead of failing with OverflowError.
    So is a filter value holding NUL, which PostgreSQL cannot compare a text with."""

    def get_filters(self, request):
        if any("\x00" in value for key, values in request.GET.lists() for value in [key, *values]):
            raise IncorrectLookupParameters("NUL")
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as exc:
            raise IncorrectLookupParameters(exc) from exc


class ScopedAdminMixin(ReviewAdminMixin, ScopeMixin, SimpleHistoryAdmin):
    """On every records admin: scoping, masking of personal data, review (审核) of what secretaries submit, and the
    audit history (django-simple-history)."""

    def get_changelist(self, request, **kwargs):
        return BoundedChangeList

    def delete_queryset(self, request, queryset):
        # The list's 删除所选 writes the deleted records' history in bulk, as an import writes its rows'.
        delete_with_history(queryset, user=request.user)

    def get_historical_record_context_helper(self, request, historical_record):
        helper = _MaskedHistory if self._masked_fields(request) else _ReadableHistory
        return helper(self.model, historical_record)

    def _history_subject_or_404(self, request, object_id):
        """The object whose history is asked for. A deleted one's history is open to those who see everything."""
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            return obj
        if scope.sees_everything(request.user):
            try:
                pk = self.model._meta.pk.to_python(unquote(object_id))
                record = self.model.history.filter(**{self.model._meta.pk.attname: pk}).latest("history_date")
            except (ValidationError, ValueError, OverflowError, ObjectDoesNotExist):  # malformed id, no history
                raise Http404
            return record.instance
        raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._history_subject_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # One past version in full: for those who may edit the record now; never a revert (a POST).
        if request.method != "GET":
            raise PermissionDenied
        obj = self._history_subject_or_404(request, object_id)
        if not str(version_id).isdigit():
            raise Http404
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        request.past_version = True
        return super().history_form_view(request, object_id, version_id, extra_context)
