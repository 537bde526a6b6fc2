"""Spreadsheets in and out: one import machinery (SheetResource) and a resource per record type.

A resource declares its columns (the model's verbose names, plus the header variants schools and the
national party-member system use), the natural key that identifies a row, and an example row. The rest
is shared: reading the sheet (sheets.py), turning cells into values (widgets.py), finding each row's
record by its natural key with one query per file, validating with the model's full_clean(), writing in
bulk inside one transaction, and reporting each invalid row by spreadsheet row, column and value.

Adding a record type is declaring a SheetResource subclass, listing it in KINDS (for import_sheet) and
giving its ModelAdmin `SheetAdmin` with `resource_classes = [TheResource]` (sheet_admin.py).
"""
import datetime
import functools
from collections import namedtuple
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models as djm
from django.db.models import NOT_PROVIDED
from import_export import fields, resources
from import_export.formats.base_formats import Format
from import_export.instance_loaders import BaseInstanceLoader

from accounts.resources import ScopedResourceMixin
from audit.resources import AuditedResourceMixin
from reports import memo

from . import models as m
from . import widgets as w
from .idcard import make_id_number
from .sheets import ROW, Columns, header_key, paused_gc, read_table, write_workbook

UPDATE_BATCH = 200  # rows per UPDATE statement (see bulk_update)

# How each kind of record is named in a cell: the "natural key" that foreign-key columns use.
NATURAL_KEYS = {
    m.Organization: "name",
    m.Leader: "name",
    m.ProblemCategory: "name",
    m.Member: "id_number",
    m.StandardItem: "code",
    m.StandardArea: "name",
    m.MeetingType: "name",
}

Problem = namedtuple("Problem", "row column value message")


def shown(value):
    """A cell value as the worker sees it in Excel, for error messages."""
    if value is None or value == "":
        return "（空）"
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        # As Excel shows it: 15 significant digits, so a mangled ID reads 620402198505060000.
        return str(int(Decimal(f"{value:.15g}"))) if value.is_integer() else f"{value:.15g}"
    return str(value)


def pending_m2m(instance):
    return instance.__dict__.setdefault("_sheet_m2m", {})


class Column(fields.Field):
    """A resource field that knows the other headers it may be read from."""

    def __init__(self, *args, aliases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.aliases = tuple(aliases)
        self.is_m2m = isinstance(self.widget, w.RelatedNames)

    def clean(self, row, **kwargs):
        # import-export's Field.clean, without its per-cell bookkeeping (it runs for every cell of the file).
        value = self.widget.clean(row[self.column_name])
        if (value is None or value == "") and self.default is not NOT_PROVIDED:
            return self.default() if callable(self.default) else self.default
        return value

    def get_value(self, instance):
        if isinstance(self.widget, w.Related):
            return self._related_value(instance)
        return super().get_value(instance)

    def _related_value(self, instance):
        # Through the per-file look-up rather than the instance's relation, so that comparing and
        # exporting rows reads no database row per record.
        model_field = instance._meta.get_field(self.attribute)
        if self.is_m2m:
            if self.attribute in pending_m2m(instance):
                return pending_m2m(instance)[self.attribute]
            if instance.pk is None:
                return []
            return list(getattr(instance, self.attribute).all())
        cached = model_field.get_cached_value(instance, None)
        if cached is not None:
            return cached
        return self.widget.by_pk(getattr(instance, model_field.attname))

    def save(self, instance, row, is_m2m=False, **kwargs):
        if self.readonly:
            return
        value = self.clean(row, **kwargs)
        if self.is_m2m:  # written after the bulk insert, when the rows have their ids (see write_m2m)
            pending_m2m(instance)[self.attribute] = value
        else:
            setattr(instance, self.attribute, value)


class NaturalKeyLoader(BaseInstanceLoader):
    """Finds each row's existing record by its natural key: one query per file (per CHUNK keys).

    It also refuses the second row of a file that names the same record as an earlier row.
    """

    CHUNK = 5000

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.key_fields = [resource.fields[name] for name in resource.get_import_id_fields()]
        self.seen, self.existing = {}, {}
        first = self.key_fields[0]
        if dataset is None or first.column_name not in (dataset.headers or []):
            return
        values = set()
        for value in dataset.get_col(dataset.headers.index(first.column_name)):
            try:
                values.add(first.widget.clean(value))
            except ValueError:
                continue
        values.discard(None)
        values.discard("")
        queryset = resource.get_queryset().order_by()
        m2m = [f.attribute for f in resource.fields.values() if isinstance(f, Column) and f.is_m2m]
        if m2m:
            queryset = queryset.prefetch_related(*m2m)
        values = list(values)
        for start in range(0, len(values), self.CHUNK):
            for obj in queryset.filter(**{f"{first.attribute}__in": values[start:start + self.CHUNK]}):
                self.existing[self.key_of(obj)] = obj

    def key_of(self, obj):
        return tuple(
            getattr(obj, obj._meta.get_field(f.attribute).attname) for f in self.key_fields
        )

    def row_key(self, row):
        key = []
        for f in self.key_fields:
            try:
                value = f.clean(row)
            except ValueError:
                return None
            if value is None or value == "":
                return None
            key.append(value.pk if isinstance(value, djm.Model) else value)
        return tuple(key)

    def get_instance(self, row):
        key = self.row_key(row)
        if key is None:
            return None  # the key's own cells are wrong: import_instance reports them
        if key in self.seen:
            columns = "、".join(f"“{f.column_name}”" for f in self.key_fields)
            raise ValidationError({
                self.key_fields[0].attribute: f"与第{self.seen[key]}行的{columns}相同：同一{self.resource.title}在表中只能出现一次。"
            })
        self.seen[key] = row.get(ROW)
        return self.existing.pop(key, None)  # each record is wanted once: let it go with its row


class BaseSheetResource(resources.ModelResource):
    title = ""  # the record type in messages ("党员")
    aliases = {}  # field name -> other headers the column is read from
    choice_aliases = {}  # field name -> {other spelling: code}
    example = {}  # field name -> the template's example value

    class Meta:
        use_bulk = True
        batch_size = 2000
        skip_unchanged = True
        report_skipped = False  # counted in the totals; 100,000 unchanged rows need no row result each
        # import-export deep-copies every row's instance to diff it, which costs more than validating the
        # row; after_init_instance() keeps a shallow copy of existing records instead (skip_row, changes).
        skip_diff = True
        clean_model_instances = True
        use_transactions = True
        instance_loader_class = NaturalKeyLoader

    # -- columns ---------------------------------------------------------------------------------
    @classmethod
    def widget_for(cls, name, model_field):
        if model_field.is_relation:
            widget = w.RelatedNames if model_field.many_to_many else w.Related
            return widget(model_field.related_model, NATURAL_KEYS[model_field.related_model])
        if model_field.choices:
            return w.Choice(model_field.choices, cls.choice_aliases.get(name))
        if isinstance(model_field, djm.DateField):
            return w.Date()
        if isinstance(model_field, djm.BooleanField):
            return w.YesNo()
        if isinstance(model_field, djm.IntegerField):
            return w.Integer()
        return w.Text()

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        return Column(
            attribute=field_name,
            column_name=str(django_field.verbose_name),
            widget=cls.widget_for(field_name, django_field),
            readonly=readonly or not django_field.editable,
            default=django_field.default,
            aliases=cls.aliases.get(field_name, ()),
        )

    @classmethod
    def columns(cls):
        """What sheets.find_table needs to read this resource's spreadsheets."""
        resource = cls()
        aliases, quiet = {}, set()
        for f in resource.fields.values():
            for name in (f.column_name, *getattr(f, "aliases", ())):
                aliases.setdefault(header_key(name), f.column_name)
            if f.readonly:
                quiet.add(header_key(f.column_name))
        keys = [resource.fields[name].column_name for name in resource.get_import_id_fields()]
        example = {resource.fields[k].column_name: v for k, v in cls.example_row().items()}
        return Columns(cls.title, aliases, keys, quiet, example)

    @classmethod
    def example_row(cls):
        return dict(cls.example)

    def read(self, data):
        """The uploaded bytes as this resource's table; raises sheets.SheetError with a Chinese message."""
        def others():
            return [k.columns() for k in KINDS.values() if k is not type(self)]

        return read_table(data, self.columns(), others)

    def related_widgets(self):
        return [f.widget for f in self.fields.values() if isinstance(f.widget, w.Related)]

    # -- import ----------------------------------------------------------------------------------
    def import_data(self, dataset, *args, **kwargs):
        with paused_gc():
            return super().import_data(dataset, *args, **kwargs)

    def before_import(self, dataset, **kwargs):
        for widget in self.related_widgets():
            widget.reset()  # look-ups are built once per file, from the database as it is now
        self.m2m_rows = []
        self.changed_fields = set()
        model = self._meta.model
        # The columns this file has, worked out once rather than for every row.
        self.file_fields = [
            f for f in self.get_import_fields() if f.column_name in (dataset.headers or []) and not f.readonly
        ]
        self.foreign_keys = [
            (f, model._meta.get_field(f.attribute)) for f in self.fields.values()
            if isinstance(f.widget, w.Related) and not f.is_m2m
        ]
        self.self_references = [(f, field) for f, field in self.foreign_keys if field.related_model is model]
        # Cells these widgets read can only hold valid values (a choice's code, a date, a yes or no).
        self.checked_by_widget = [f.attribute for f in self.file_fields if isinstance(f.widget, (w.Choice, w.Date, w.YesNo))]
        # What an unchanged row is compared on: the stored value of each of the file's columns.
        self.compared = [
            (f, f.attribute if f.is_m2m else model._meta.get_field(f.attribute).attname) for f in self.file_fields
        ]

    def after_init_instance(self, instance, new, row, **kwargs):
        # The record's values before the row is applied: its stored columns (clean() may fill ones the file
        # does not hold) and the file's many-to-many columns. import-export deep-copies the whole instance for
        # its diff, which costs more than validating the row.
        if not new:
            original = {f.attname: getattr(instance, f.attname) for f in self.stored_fields}
            original.update((name, list(getattr(instance, name).all())) for f, name in self.compared if f.is_m2m)
            instance.__dict__["_sheet_original"] = original

    def import_instance(self, instance, row, **kwargs):
        """The row's cells onto the instance; a cell that cannot be read is an error on its column."""
        # Hand the instance its related records from the look-ups, so that the model's clean() reads no rows.
        for f, model_field in self.foreign_keys:
            pk = getattr(instance, model_field.attname)
            if pk is not None and not model_field.is_cached(instance):
                related = f.widget.by_pk(pk)
                if related is not None:
                    model_field.set_cached_value(instance, related)
        errors = {}
        for f in self.file_fields:
            try:
                f.save(instance, row)
            except ValueError as exc:
                errors[f.attribute] = ValidationError(str(exc), code="invalid")
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's own rules, through full_clean(), without the queries it would make per row.

        Uniqueness is the natural key's, settled by NaturalKeyLoader for the whole file; the related
        records come from the look-ups, so the foreign keys need not be checked again in the database.
        """
        imported = {field: list(messages) for field, messages in (import_validation_errors or {}).items()}
        errors = {field: list(messages) for field, messages in imported.items()}
        # Not checked again: foreign keys the look-up found, and filled values the widgets already checked
        # (full_clean() would only confirm them; it still checks that required ones are filled).
        exclude = set(errors) | {
            f.attribute for f, model_field in self.foreign_keys if getattr(instance, model_field.attname) is not None
        } | {name for name in self.checked_by_widget if getattr(instance, name) not in (None, "")}
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        # Where the cell itself could not be read, the model saw no value: its complaint would only repeat it.
        errors.update(imported)
        if errors:
            raise ValidationError(errors)

    def changes(self, original, instance):
        """(column, old, new) for each column of the file whose stored value the row changes."""
        found = []
        for f, name in self.compared:
            old = original[name]
            if f.is_m2m:
                new = f.get_value(instance)
                if sorted(o.pk for o in old) != sorted(o.pk for o in new):
                    found.append((f.column_name, f.widget.render(old), f.widget.render(new)))
                continue
            if old != getattr(instance, name):
                if name != f.attribute:  # a foreign key: compared by id, shown by name
                    old = f.widget.by_pk(old)
                found.append((f.column_name, shown(f.widget.render(old)), shown(f.widget.render(f.get_value(instance)))))
        return found

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """Unchanged rows are skipped (and not validated again); the changes of the others are kept for the preview."""
        original = instance.__dict__.get("_sheet_original")
        self.row_changes = []
        if import_validation_errors or original is None:
            return False
        self.row_changes = self.changes(original, instance)
        return not self.row_changes

    def save_instance(self, instance, is_create, row, **kwargs):
        super().save_instance(instance, is_create, row, **kwargs)  # before_save_instance() may fill columns
        original = instance.__dict__.pop("_sheet_original", None)
        if original is not None:
            self.changed_fields.update(f.name for f in self.stored_fields if getattr(instance, f.attname) != original[f.attname])
        if "_sheet_m2m" in instance.__dict__:
            self.m2m_rows.append(instance)
        if is_create:
            # A record added by this file can be named by the rows below it (a branch under a new committee).
            for f, _ in self.self_references:
                f.widget.add(instance)

    @functools.cached_property
    def stored_fields(self):
        return [f for f in self._meta.model._meta.concrete_fields if not f.primary_key]

    def get_bulk_update_fields(self):
        # The stored columns the rows changed, including those clean() filled (an election's term end). Rows
        # that changed only a many-to-many column change none: then all, which rewrites the same values.
        return [f.name for f in self.stored_fields if f.name in self.changed_fields] or [f.name for f in self.stored_fields]

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        # Django's bulk_update writes a CASE WHEN per row for each field it is given, which costs in Python
        # with rows x fields and in the database with the square of the batch (Django ticket #31202): a
        # roll of 3,815 with new phone numbers took 24 s in batches of 2,000 with every field on PostgreSQL.
        try:
            super().bulk_update(using_transactions, dry_run, raise_errors, batch_size=UPDATE_BATCH, result=result)
        finally:
            self.changed_fields.clear()

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        self.write_m2m()
        if not kwargs.get("dry_run"):
            memo.changed()  # bulk writes send no signal
        result.notes = list(getattr(dataset, "notes", []))
        result.title = self.title

    def write_m2m(self):
        """Many-to-many columns (问题类别), which bulk mode leaves out, for all the file's rows at once."""
        for f in self.fields.values():
            if not (isinstance(f, Column) and f.is_m2m):
                continue
            rows = [o for o in self.m2m_rows if f.attribute in pending_m2m(o)]
            if not rows:
                continue
            relation = self._meta.model._meta.get_field(f.attribute)
            through = relation.remote_field.through
            source = relation.m2m_field_name()
            target = relation.m2m_reverse_field_name()
            through.objects.filter(**{f"{source}__in": [o.pk for o in rows]}).delete()
            through.objects.bulk_create([
                through(**{f"{source}_id": o.pk, f"{target}_id": t.pk})
                for o in rows for t in {t.pk: t for t in pending_m2m(o)[f.attribute]}.values()
            ])
        self.m2m_rows = []

    def import_row(self, row, instance_loader, **kwargs):
        self.row_changes = []
        row_result = super().import_row(row, instance_loader, **kwargs)
        row_result.sheet_row = row.get(ROW)
        row_result.diff = self.row_changes if row_result.is_update() else []
        row_result.problems = []
        if row_result.validation_error is not None:
            row_result.problems = self.problems(row, row_result.validation_error)
        elif row_result.errors:
            row_result.problems = [
                Problem(row.get(ROW), "—", "", f"系统处理本行时出错（{type(e.error).__name__}：{e.error}），请联系管理员。")
                for e in row_result.errors
            ]
        return row_result

    def problems(self, row, error):
        """One Problem per message: spreadsheet row, column header, the value as written, what is wrong."""
        found = []
        errors = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.error_list}
        for attribute, error_list in errors.items():
            column = self.column_for(attribute)
            value = shown(row.get(column)) if column != "—" else ""
            messages = []
            if any(e.code in ("null", "blank", "required") for e in error_list):
                # An empty cell: what the model's rules say about the missing value adds nothing.
                messages = ["此项必填，不能为空。" if column in row else f"表中没有“{column}”列，新增{self.title}时必须填写此项。"]
            for e in error_list if not messages else ():
                for message in e.messages:
                    if message not in messages:  # a rule the field and the model's clean() both check
                        messages.append(message)
            found += [Problem(row.get(ROW), column, value, message) for message in messages]
        return found

    def column_for(self, attribute):
        for f in self.fields.values():
            if f.attribute == attribute:
                return f.column_name
        try:
            return str(self._meta.model._meta.get_field(attribute).verbose_name)
        except Exception:
            return "—"

    # -- export ----------------------------------------------------------------------------------
    def filter_export(self, queryset, **kwargs):
        m2m = [f.attribute for f in self.fields.values() if isinstance(f, Column) and f.is_m2m]
        return queryset.prefetch_related(*m2m) if m2m else queryset

    def export(self, queryset=None, **kwargs):
        for widget in self.related_widgets():
            widget.reset()
        kwargs["force_native_type"] = True  # real dates and numbers in the workbook, not their text
        return super().export(queryset, **kwargs)

    def write(self, dataset):
        """The exported rows as an .xlsx with the headers the import reads."""
        escape = getattr(settings, "IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT", False)
        return write_workbook(self.column_specs(), dataset, self.title, escape_formulae=escape)

    def template(self):
        """The blank template: the header row and one example row."""
        example = self.example_row()
        row = []
        for f in self.get_export_fields():
            value = example.get(f.attribute)
            row.append(value)
        return write_workbook(self.column_specs(), [row], self.title)

    def column_specs(self):
        """What the template and the export write about each column: its format and drop-down choices."""
        specs = []
        for f in self.get_export_fields():
            widget, fmt, options = f.widget, "general", None
            if isinstance(widget, w.Date):
                fmt = "date"
            elif isinstance(widget, (w.IdNumber,)) or f.attribute == "phone":
                fmt = "text"
            if hasattr(widget, "options"):
                options, strict = widget.options(), True
            elif isinstance(widget, w.Related) and not f.is_m2m:
                options, strict = widget.names(), False
            else:
                strict = False
            specs.append((f.column_name, fmt, options, strict))
        return specs


def preview(result, shown_rows=500):
    """What the preview page and the command say about an import: counts, every problem, the changes."""
    rows = [r for r in result.rows]
    invalid = sorted({r.sheet_row for r in rows if r.problems})
    problems = sorted((p for r in rows for p in r.problems), key=lambda p: (p.row or 0))
    problems += [
        Problem(None, "—", "", f"导入失败，未写入任何数据：{e.error}") for e in result.base_errors
    ]
    updates = [(r.sheet_row, r.object_repr, r.diff) for r in rows if r.is_update()]
    new = [(r.sheet_row, r.object_repr) for r in rows if r.is_new()]
    totals = result.totals
    return {
        "title": getattr(result, "title", ""),
        "notes": getattr(result, "notes", []),
        "total": result.total_rows,
        "new": totals["new"], "update": totals["update"], "skip": totals["skip"],
        "invalid": len(invalid), "valid": totals["new"] + totals["update"] + totals["skip"],
        "invalid_rows_text": "、".join(map(str, invalid[:20])) + ("等" if len(invalid) > 20 else ""),
        "problems": problems,
        "updates": updates[:shown_rows], "more_updates": max(0, len(updates) - shown_rows),
        "new_rows": new[:shown_rows], "more_new": max(0, len(new) - shown_rows),
    }


class SheetFormat(Format):
    """Excel (.xlsx, .xls) or CSV in, .xlsx out, through sheets.py, for the resource sheet_format() binds."""

    resource_class = None

    def __init__(self, encoding=None):
        self.encoding = encoding

    def get_title(self):
        return "Excel表格（.xlsx、.xls）或CSV"

    def create_dataset(self, in_stream):
        return self.resource_class().read(in_stream)

    def export_data(self, dataset, **kwargs):
        return self.resource_class().write(dataset)

    def get_extension(self):
        return "xlsx"

    def get_content_type(self):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def can_import(self):
        return True

    def can_export(self):
        return True


@functools.cache
def sheet_format(resource_class):
    return type(f"{resource_class.__name__}Format", (SheetFormat,), {"resource_class": resource_class})


# ---------------------------------------------------------------------------------------------
# The six record types
# ---------------------------------------------------------------------------------------------
class SheetResource(ScopedResourceMixin, AuditedResourceMixin, BaseSheetResource):
    """The machinery under the rule of the admin: rows outside the user's organization refused, personal data
    masked in exports, one audit event per import and a history row for every record written (accounts, audit)."""


class OrganizationResource(SheetResource):
    title = "党组织"
    name = Column(attribute="name", column_name="党组织名称", widget=w.PersonName(), aliases=["组织名称", "党组织全称"])
    aliases = {
        "parent": ["上级党组织名称", "上级组织"],
        "kind": ["党组织类别", "组织类型", "党组织类型"],
        "unit_name": ["单位名称", "所在单位名称"],
        "unit_category": ["单位类型", "学校类别", "学段"],
        "ownership": ["公办/民办", "公办民办"],
        "area": ["城区/农村", "所在区域"],
        "founded_on": ["成立时间"],
        "approved_on": ["批准成立时间", "批准日期"],
        "approval_document": ["批复文号"],
        "is_active": ["是否存续"],
        "dissolved_on": ["撤销时间"],
    }
    choice_aliases = {"kind": {"支部": "branch", "总支": "general_branch", "党工委": "committee"}}
    example = {
        "name": "红山区示例小学党支部", "parent": "中共红山区教育工作委员会", "kind": "党支部",
        "unit_name": "红山区示例小学", "unit_category": "小学", "ownership": "公办", "area": "城区",
        "founded_on": datetime.date(2020, 7, 1), "approved_on": datetime.date(2020, 6, 20),
        "approval_document": "红教工委发〔2020〕12号", "is_active": "是", "sort_order": 0,
    }

    class Meta:
        model = m.Organization
        fields = ["name", "parent", "kind", "unit_name", "unit_category", "ownership", "area", "founded_on",
                  "approved_on", "approval_document", "is_active", "dissolved_on", "liaison_leader", "sort_order"]
        import_id_fields = ["name"]
        # Row by row: a branch may name a committee added a few rows above, and Organization.clean() wants
        # that parent saved (with its id) by then. The tree has a few hundred organizations at most.
        use_bulk = False

    def before_import(self, dataset, **kwargs):
        """Parents before their children, wherever the file lists them."""
        super().before_import(dataset, **kwargs)
        name_col, parent_col = self.fields["name"].column_name, self.fields["parent"].column_name
        if name_col not in dataset.headers or parent_col not in dataset.headers:
            return
        rows = list(dataset)
        name_at, parent_at = dataset.headers.index(name_col), dataset.headers.index(parent_col)
        parent_of = {w.squeeze(str(r[name_at])): w.squeeze(str(r[parent_at] or "")) for r in rows if r[name_at]}

        def depth(name, seen=()):
            parent = parent_of.get(name)
            if parent not in parent_of or parent in seen:
                return 0
            return 1 + depth(parent, (*seen, name))

        rows.sort(key=lambda r: depth(w.squeeze(str(r[name_at] or ""))))
        headers = dataset.headers
        dataset.wipe()
        dataset.headers = headers
        dataset.extend(rows)


class MemberResource(SheetResource):
    title = "党员"
    name = Column(attribute="name", column_name="姓名", widget=w.PersonName(), aliases=["党员姓名"])
    id_number = Column(
        attribute="id_number", column_name="身份证号码", widget=w.IdNumber(),
        aliases=["身份证号", "公民身份号码", "公民身份证号码", "身份证", "身份证件号码"],
    )
    aliases = {
        "organization": ["所在支部", "所在党支部", "所在党组织名称", "所属党组织", "所属支部", "党支部"],
        "status": ["人员类别", "党员状态"],
        "join_date": ["入党时间", "加入党组织日期", "入党年月日"],
        "full_member_date": ["转正时间"],
        "education": ["文化程度", "最高学历"],
        "job": ["工作岗位", "岗位类别"],
        "phone": ["手机号码", "手机号", "联系方式", "电话"],
        "party_post": ["党内职务名称"],
        "roll_status": ["党籍状态"],
        "backbone_title": ["骨干称号"],
        "backbone_year": ["称号年份"],
    }
    choice_aliases = {
        "education": {"本科": "bachelor", "大学": "bachelor", "大专": "junior_college", "专科": "junior_college",
                      "硕士研究生": "postgraduate", "博士研究生": "postgraduate", "硕士": "postgraduate",
                      "博士": "postgraduate", "高中": "high_school", "初中": "high_school", "中专/中技": "secondary"},
        "party_post": {"党支部书记": "secretary", "支部书记": "secretary", "党支部副书记": "deputy_secretary",
                       "支部委员": "committee", "": ""},
        "job": {"教师": "teacher", "离退休": "retired", "退休": "retired"},
    }

    class Meta:
        model = m.Member
        fields = ["name", "id_number", "gender", "ethnicity", "birth_date", "education", "organization", "status",
                  "join_date", "full_member_date", "party_post", "job", "phone", "roll_status", "backbone_title",
                  "backbone_year"]
        import_id_fields = ["id_number"]

    @classmethod
    def example_row(cls):
        born = datetime.date(1985, 5, 6)
        return {
            "name": "张三", "id_number": make_id_number("620402", born, 13), "gender": "男", "ethnicity": "汉族",
            "birth_date": born, "education": "大学本科", "organization": "红山区示例小学党支部", "status": "正式党员",
            "join_date": datetime.date(2010, 7, 1), "full_member_date": datetime.date(2011, 7, 1), "party_post": "无",
            "job": "专任教师", "phone": "13800000000", "roll_status": "在册",
        }

    def import_instance(self, instance, row, **kwargs):
        """An ID number names one person: a row that gives a registered ID another name is refused."""
        registered = instance.name if instance.pk else None
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if registered and instance.name and instance.name != registered and "id_number" not in errors:
            errors["id_number"] = [
                f"该身份证号码已登记为“{registered}”（{instance.organization}），与本行姓名“{instance.name}”不符。"
                "请核对身份证号码；如确需更正姓名，请在党员信息页面修改。"
            ]
        if errors:
            raise ValidationError(errors)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        # Bulk writes bypass the roll's signals: settle every organization's secretary vacancy at once.
        m.sync_secretary_vacancy(m.Organization.objects.values("pk"))


class ElectionResource(SheetResource):
    title = "换届选举"
    aliases = {
        "organization": ["党组织名称", "党支部", "换届党组织"],
        "held_on": ["选举时间", "换届日期", "换届时间"],
        "term_years": ["任期", "任期年限"],
        "secretary_name": ["书记"],
        "deputy_names": ["副书记"],
        "committee_members": ["委员", "支委会成员", "委员会成员"],
        "approved_on": ["批复时间"],
    }
    example = {
        "organization": "红山区示例小学党支部", "held_on": datetime.date(2023, 6, 30), "term_years": 3,
        "secretary_name": "张三", "committee_members": "张三、李四、王五",
        "approval_document": "红教工委复〔2023〕15号", "approved_on": datetime.date(2023, 7, 10),
    }

    class Meta:
        model = m.Election
        fields = ["organization", "held_on", "term_years", "term_ends_on", "secretary_name", "deputy_names",
                  "committee_members", "approval_document", "approved_on", "note"]
        import_id_fields = ["organization", "held_on"]

    def before_save_instance(self, instance, row, **kwargs):
        instance.fill_term()  # bulk writes bypass Election.save(), which would fill it


class AssessmentResource(SheetResource):
    title = "标准化评定"
    aliases = {
        "organization": ["党组织", "党支部名称", "党组织名称"],
        "year": ["评定年度", "年份"],
        "result": ["评定等次", "结果"],
        "assessed_on": ["评定时间"],
    }
    choice_aliases = {"result": {"不达标": "failed", "示范党支部": "exemplary", "合格": "passed", "不合格": "failed"}}
    example = {
        "organization": "红山区示例小学党支部", "year": 2023, "result": "达标", "assessed_on": datetime.date(2023, 12, 20),
    }

    class Meta:
        model = m.Assessment
        fields = ["organization", "year", "result", "assessed_on", "note"]
        import_id_fields = ["organization", "year"]


class RectificationResource(SheetResource):
    title = "软弱涣散整顿"
    aliases = {
        "organization": ["党组织名称", "整顿党组织"],
        "year": ["整顿年度"],
        "categories": ["问题类型", "软弱涣散类型"],
        "problems": ["主要问题"],
        "measures": ["整改措施"],
        "responsible_leader": ["包抓领导姓名", "责任领导"],
        "deadline": ["整改期限", "完成时限"],
        "status": ["整顿状态", "进展"],
        "closed_on": ["销号时间"],
        "is_exemplary": ["是否树为典型", "典型"],
    }
    example = {
        "organization": "红山区示例幼儿园党支部", "year": 2023, "categories": "党员教育管理松散",
        "problems": "组织生活不规范，“三会一课”记录不全。", "measures": "包抓领导蹲点指导，建立“三会一课”台账。",
        "deadline": datetime.date(2023, 10, 30), "status": "整顿中", "is_exemplary": "否",
    }

    class Meta:
        model = m.RectificationCase
        fields = ["organization", "year", "categories", "problems", "measures", "responsible_leader", "deadline",
                  "status", "closed_on", "is_exemplary"]
        import_id_fields = ["organization", "year"]


class WorkLogResource(SheetResource):
    title = "党建工作台账"
    aliases = {
        "date": ["时间", "开展日期"],
        "kind": ["类型", "工作类别"],
        "title": ["工作事项", "内容", "名称"],
        "count": ["次数", "期数", "篇数"],
        "topics": ["议题数"],
        "teams": ["涉及班子数", "涉及单位数"],
        "leader": ["主持领导", "参加领导", "领导"],
    }
    example = {
        "date": datetime.date(2023, 3, 15), "kind": "党工委会议", "title": "示例：党工委会议（第1次）", "count": 1,
        "topics": 3, "teams": 0, "people": 0,
    }

    class Meta:
        model = m.WorkLogEntry
        fields = ["date", "kind", "title", "count", "topics", "teams", "people", "leader", "note"]
        import_id_fields = ["date", "kind", "title"]


class MeetingResource(SheetResource):
    """组织生活: one row per meeting. The attachment (minutes, photos) is uploaded on the record's page."""

    title = "组织生活"
    aliases = {
        "organization": ["党组织名称", "党支部", "党支部名称", "所在党支部"],
        "meeting_type": ["会议类型", "组织生活类型", "活动类型", "会议名称"],
        "held_on": ["会议日期", "召开时间", "开展日期", "日期", "时间"],
        "topic": ["会议主题", "主要内容", "内容", "议题"],
        "chaired_by": ["主持"],
        "present": ["实到", "参会人数", "出席人数"],
        "on_roll": ["应到", "应参会人数", "应到会人数"],
    }
    example = {
        "held_on": datetime.date(2023, 3, 28), "organization": "红山区示例小学党支部", "meeting_type": "党员大会",
        "topic": "学习贯彻党的二十大精神", "chaired_by": "张三", "present": 18, "on_roll": 20,
    }

    class Meta:
        model = m.Meeting
        fields = ["held_on", "organization", "meeting_type", "topic", "chaired_by", "present", "on_roll", "note"]
        # The same meeting written twice updates it; two 党小组会 on one day differ by their topics.
        import_id_fields = ["held_on", "organization", "meeting_type", "topic"]


KINDS = {
    "organizations": OrganizationResource,
    "members": MemberResource,
    "elections": ElectionResource,
    "assessments": AssessmentResource,
    "rectifications": RectificationResource,
    "worklog": WorkLogResource,
    "meetings": MeetingResource,
}
