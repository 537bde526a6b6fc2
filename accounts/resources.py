"""Imports and exports (django-import-export resources) under the same rule as the admin.

An import by a secretary is judged row by row: a row that would change a record outside their organization,
or put one there, is refused with its reason, like any other invalid row. An export holds only the rows the
admin lists for the user (the admin's queryset), with ID and phone numbers masked for those without the
permission.
"""
from django.core.exceptions import ObjectDoesNotExist, ValidationError

from . import personal, scope

OUTSIDE = "超出本组织范围：只能导入本组织及下属党支部的记录。"


class ScopedResourceMixin:
    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.refused = 0

    def import_data(self, dataset, *args, **kwargs):
        self.user = kwargs.get("user") or self.user
        self.refused = 0
        return super().import_data(dataset, *args, **kwargs)

    def _outside(self, instance):
        return self.user is not None and not scope.holds(self.user, instance)

    def after_init_instance(self, instance, new, row, **kwargs):
        # Judged before the row's cells are applied: the record as it is now must be the user's.
        instance.__dict__["_outside_before"] = not new and self._outside(instance)
        super().after_init_instance(instance, new, row, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if instance.__dict__.pop("_outside_before", False) or self._outside_after(instance):
            self.refused += 1
            # The same words whether the record exists elsewhere or the row names another school: nothing leaks.
            errors = {scope_field(instance): [OUTSIDE]}
        if errors:
            raise ValidationError(errors)

    def _outside_after(self, instance):
        try:
            organization = scope.organization_of(instance)
        except ObjectDoesNotExist:
            organization = None
        # No organization: the row's own cell could not be read, and its own error says so.
        return organization is not None and self._outside(instance)

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        name = getattr(field, "attribute", None)
        if name in personal.MASKS and value and not personal.can_see(self.user):
            return personal.MASKS[name](str(value))
        return value


def scope_field(instance):
    """The field a refusal is reported on: the first hop of the record's path to its organization."""
    path = type(instance)._default_manager.all().organization_path
    return "id" if path == "pk" else path.split("__")[0]
