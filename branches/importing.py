"""Spreadsheets in and out: the one import machinery every record type's resource (resources.py) is built on.

A resource declares its columns (the model's verbose names, plus the header variants schools and the
national party-member system use), the natural key that identifies a row, and an example row. The rest
is here: reading the sheet (sheets.py), turning cells into values (widgets.py), finding each row's
record by its natural key with one query per file, validating with the model's full_clean(), writing in
bulk inside one transaction, and reporting each invalid row by spreadsheet row, column and value.

Imports and exports run under the same rule as the admin (ScopedResourceMixin): an import by a secretary is
judged row by row, and a row that would change a record outside their organization, or put one there, is
refused with its reason like any other invalid row; an export holds only the rows the admin lists for the
user, with ID and phone numbers masked for those without the permission.

Every import is recorded (AuditedResourceMixin): one ImportBatch per import, and a history row for every
record it writes. The import writes in bulk, which sends no signal, so the history rows are written here.
"""
import datetime
import functools
import itertools
from collections import namedtuple
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.db import connections, router
from django.db import models as djm
from django.db.models import NOT_PROVIDED
from django.db.models import signals as djsignals
from django.db.models.base import ModelState
import tablib
from import_export import fields, resources
from import_export.formats.base_formats import Format
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import Result, RowResult

from accounts import personal


from . import models as m
from . import scope, version
from . import widgets as w
from .history import copy_to_history, within
from .sheets import ROW, Columns, Uncalculated, header_key, paused_gc, read_table, stream_table, write_workbook

UPDATE_BATCH = 200  # rows per UPDATE statement (see bulk_update)
PREVIEW_ROWS = 500  # new and updated rows the preview lists one by one; the rest are counted

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
        cell = row[self.column_name]
        if isinstance(cell, Uncalculated):
            raise ValueError(Uncalculated.MESSAGE)
        value = self.widget.clean(cell, row=row)
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
        self.load(dataset.get_col(dataset.headers.index(first.column_name)))

    def load(self, cells):
        """Looks up the records these cells of the first key column name (check() calls it per block of rows)."""
        first = self.key_fields[0]
        values = set()
        for value in cells:
            try:
                values.add(first.widget.clean(value))
            except ValueError:
                continue
        values.discard(None)
        values.discard("")
        queryset = self.resource.get_queryset().order_by()
        m2m = [f.attribute for f in self.resource.fields.values() if isinstance(f, Column) and f.is_m2m]
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


class SheetResult(Result):
    """An import's result. A preview (keep_all False) keeps the row results the page shows: every invalid or failed
    row, and the first PREVIEW_ROWS new and updated rows; the others are only counted in the totals. A 200,000-row
    file's row results would otherwise stay in memory for a page that lists 500 of them. A confirmed import keeps
    them all: the admin writes a log entry for each."""

    def __init__(self, *args, keep_all=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.keep_all = keep_all
        self.kept = {RowResult.IMPORT_TYPE_NEW: 0, RowResult.IMPORT_TYPE_UPDATE: 0}

    def append_row_result(self, row_result):
        kind = row_result.import_type
        if not self.keep_all and kind in self.kept:
            if self.kept[kind] >= PREVIEW_ROWS:
                return
            self.kept[kind] += 1
        super().append_row_result(row_result)


class BeginsImport:
    """import_data() first calls begin_import(), which check() calls too: what the mixins set up for either."""

    def import_data(self, dataset, dry_run=False, *args, **kwargs):
        self.begin_import(dry_run, **kwargs)
        return super().import_data(dataset, dry_run, *args, **kwargs)

    def begin_import(self, dry_run, **kwargs):
        pass


class BaseSheetResource(BeginsImport, resources.ModelResource):
    title = ""  # the record type in messages ("党员")
    aliases = {}  # field name -> other headers the column is read from
    choice_aliases = {}  # field name -> {other spelling: code}
    example = {}  # field name -> the template's example value
    optional_keys = ()  # natural-key fields a file may leave out (the resource fills them in before_import)

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
        keys = [resource.fields[name].column_name for name in resource.get_import_id_fields()
                if name not in cls.optional_keys]
        example = {resource.fields[k].column_name: v for k, v in cls.example_row().items()}
        return Columns(cls.title, aliases, keys, quiet, example)

    @classmethod
    def example_row(cls):
        return dict(cls.example)

    def read(self, data):
        """The uploaded bytes as this resource's table; raises sheets.SheetError with a Chinese message."""
        return read_table(data, self.columns(), self._others)

    def _others(self):
        from .resources import KINDS  # the declarations are built on this module

        return [k.columns() for k in KINDS.values() if k is not type(self)]

    def stream(self, data):
        """The uploaded bytes as this resource's rows, read as they are iterated (sheets.Table), for check()."""
        return stream_table(data, self.columns(), self._others)

    def related_widgets(self):
        return [f.widget for f in self.fields.values() if isinstance(f.widget, w.Related)]

    # -- import ----------------------------------------------------------------------------------
    def import_data(self, dataset, dry_run=False, *args, **kwargs):
        with paused_gc():
            return super().import_data(dataset, dry_run, *args, **kwargs)

    def begin_import(self, dry_run, **kwargs):
        super().begin_import(dry_run, **kwargs)
        self.writing = not dry_run

    def get_result_class(self):
        return functools.partial(SheetResult, keep_all=getattr(self, "writing", True))

    def before_import(self, dataset, **kwargs):
        if getattr(self, "writing", False):
            take_turns(self._meta.model)
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
        # Cells these widgets read can only hold valid values (a choice's code, a yes or no); a date still meets
        # its field's bounds (not before 1921 for a party date).
        self.checked_by_widget = [f.attribute for f in self.file_fields if isinstance(f.widget, (w.Choice, w.YesNo))]
        # What an unchanged row is compared on: the stored value of each of the file's columns.
        self.compared = [
            (f, f.attribute if f.is_m2m else model._meta.get_field(f.attribute).attname) for f in self.file_fields
        ]

    def init_instance(self, row=None):
        """A new record: a copy of one the model built with its defaults (callable defaults called for each).

        Model() sets every field one by one, about a tenth of checking a new row; the copy is the same record.
        A model whose construction others listen to (pre_init, post_init) is built as usual."""
        model = self._meta.model
        blank = self.__dict__.get("_blank_record")
        if blank is None:
            if djsignals.pre_init.has_listeners(model) or djsignals.post_init.has_listeners(model):
                return model()
            fresh = [(f.attname, f.default) for f in model._meta.concrete_fields if f.has_default() and callable(f.default)]
            values = {k: v for k, v in model().__dict__.items() if k != "_state"}
            blank = self._blank_record = (values, fresh)
        values, fresh = blank
        instance = model.__new__(model)
        instance.__dict__.update(values)
        instance._state = ModelState()
        for attname, default in fresh:
            instance.__dict__[attname] = default()
        return instance

    def after_init_instance(self, instance, new, row, **kwargs):
        # The record's values before the row is applied: its stored columns (clean() may fill ones the file
        # does not hold) and the file's many-to-many columns. import-export deep-copies the whole instance for
        # its diff, which costs more than validating the row.
        self.current_instance = instance
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
        if isinstance(instance, m.Reviewed):  # set from the importing user, not from the file
            exclude |= set(m.Reviewed.REVIEW_FIELDS)
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

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if dry_run:
            # The preview writes nothing: every row has been checked by the time it gets here (its cells, the
            # model's rules, its natural key against the file and the database), and writing 200,000 rows only to
            # roll them back was a third of the preview's time. The confirmed import writes them in its transaction,
            # and a failure there rolls everything back and is reported.
            self.create_instances.clear()
            return
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if dry_run:  # as bulk_create
            self.update_instances.clear()
            self.changed_fields.clear()
            return
        # Django's bulk_update writes a CASE WHEN per row for each field it is given, which costs in Python
        # with rows x fields and in the database with the square of the batch (Django ticket #31202): a
        # roll of 3,815 with new phone numbers took 24 s in batches of 2,000 with every field on PostgreSQL.
        try:
            super().bulk_update(using_transactions, dry_run, raise_errors, batch_size=UPDATE_BATCH, result=result)
        finally:
            self.changed_fields.clear()

    def after_import(self, dataset, result, **kwargs):
        # Not ModelResource.after_import: it resets the id sequence to max(id) (setval) after every import that
        # adds rows, which on PostgreSQL rewinds it below ids a concurrent transaction has already drawn, so
        # that transaction's next insert fails on the primary key. The project never writes explicit ids.
        resources.Resource.after_import(self, dataset, result, **kwargs)
        if kwargs.get("dry_run") and self._meta.use_bulk:
            self.m2m_rows = []  # the preview wrote no rows (bulk_create) to relate
        else:
            self.write_m2m()
        if not kwargs.get("dry_run"):
            version.changed()  # bulk writes send no signal
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
        return self.describe(row, row_result)

    def describe(self, row, row_result):
        """What the preview says of a row: its sheet row, changes, where a new record goes, its problems."""
        row_result.sheet_row = row.get(ROW)
        row_result.diff = self.row_changes if row_result.is_update() else []
        row_result.problems = []
        row_result.whose = self.whose(getattr(self, "current_instance", None)) if row_result.is_new() else ("", "")
        if row_result.validation_error is not None:
            row_result.problems = self.problems(row, row_result.validation_error)
        elif row_result.errors:
            row_result.problems = [
                Problem(row.get(ROW), "—", "", f"系统处理本行时出错（{type(e.error).__name__}：{e.error}），请联系管理员。")
                for e in row_result.errors
            ]
        return row_result

    @staticmethod
    def whose(instance):
        """(organization, masked ID number) of a new row, for the preview: where it goes and who it is."""
        if instance is None:
            return "", ""
        org = instance.parent if isinstance(instance, m.Organization) else getattr(instance, "organization", None)
        id_number = getattr(instance, "id_number", "")
        return (org.name if org is not None else ""), (personal.mask_id_number(id_number) if id_number else "")

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
        return write_workbook(self.column_specs(), dataset, self.title)

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
            elif isinstance(widget, (w.IdNumber, w.MemberByIdNumber)) or f.attribute == "phone":
                fmt = "text"
            if hasattr(widget, "options"):
                options, strict = widget.options(), True
            elif isinstance(widget, w.Related) and not f.is_m2m:
                options, strict = widget.names(), False
            else:
                strict = False
            specs.append((f.column_name, fmt, options, strict))
        return specs


def take_turns(model):
    """Confirmed imports of one record type write one after the other, each seeing what the one before wrote.

    Taken before the rows' records are looked up by their natural keys, and held until the import's transaction
    ends: a second import of the same file then finds the first one's records and updates them. On SQLite every
    transaction takes the write lock when it begins (settings), which already does this.
    """
    connection = connections[router.db_for_write(model)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [model._meta.label_lower])


def preview(result, shown_rows=None):
    """What the preview page and the command say about an import: counts, every problem, the changes."""
    shown_rows = shown_rows or PREVIEW_ROWS
    rows = [r for r in result.rows]
    invalid = sorted({r.sheet_row for r in rows if r.problems})
    problems = sorted((p for r in rows for p in r.problems), key=lambda p: (p.row or 0))
    problems += [
        Problem(None, "—", "", f"导入失败，未写入任何数据：{e.error}") for e in result.base_errors
    ]
    updates = [(r.sheet_row, r.object_repr, r.diff) for r in rows if r.is_update()]
    new = [(r.sheet_row, r.object_repr, *getattr(r, "whose", ("", ""))) for r in rows if r.is_new()]
    totals = result.totals
    return {
        "title": getattr(result, "title", ""),
        "notes": getattr(result, "notes", []),
        "total": result.total_rows,
        "new": totals["new"], "update": totals["update"], "skip": totals["skip"],
        "invalid": len(invalid), "valid": totals["new"] + totals["update"] + totals["skip"],
        "invalid_rows_text": "、".join(map(str, invalid[:20])) + ("等" if len(invalid) > 20 else ""),
        "problems": problems,
        # Counted from the totals: a preview's result keeps only the rows it lists (SheetResult).
        "updates": updates[:shown_rows], "more_updates": max(0, totals["update"] - min(len(updates), shown_rows)),
        "new_rows": new[:shown_rows], "more_new": max(0, totals["new"] - min(len(new), shown_rows)),
        "shown_rows": shown_rows,
    }


CHECK_BLOCK = 2000  # rows whose existing records one query looks up, in check()


def check(resource, table, **kwargs):
    """A file's preview without writing it: what the dry run of import_data() finds, by the same steps, for a file
    of any length in bounded memory.

    `table` is a sheets.Table, read as it is checked. Each row goes through the resource's own steps, as
    import_row() takes them: its record by the natural key (NaturalKeyLoader: the file's earlier rows, and the
    database, one query per CHECK_BLOCK rows), the cells onto it by the widgets (import_instance(), the scope
    and the record type's own checks), unchanged rows skipped (skip_row()), the model's rules (validate_instance(),
    full_clean()); what import-export adds per row for writing (a transaction, a deep copy, a row result kept
    for every row) is left out, and nothing is written: the preview's bulk writes drop their rows. A row result is
    kept for the rows the page lists (SheetResult); every invalid row keeps its problems. `resource.progress`
    (jobs.Progress), where set, counts the rows. Returns the result preview() reads.

    A resource that writes row by row (use_bulk off: an organization tree, whose rows name parents added a few
    rows above) is checked by its dry run, which writes them in a transaction it rolls back.
    """
    if not resource._meta.use_bulk or not hasattr(resource._meta.instance_loader_class, "load"):
        return resource.import_data(as_dataset(table), dry_run=True, raise_errors=False, **kwargs)
    hooks = {**kwargs, "dry_run": True, "using_transactions": False}
    progress = getattr(resource, "progress", None)
    resource.begin_import(True, **kwargs)
    result = resource.get_result_class()()
    result.diff_headers = resource.get_diff_headers()
    with paused_gc():
        try:
            resource.before_import(table, **hooks)
            resource._check_import_id_fields(table.headers)
        except Exception as e:
            resource.handle_import_error(result, e, raise_errors=False)
        loader = resource._meta.instance_loader_class(resource, None)
        headers = table.headers
        first = loader.key_fields[0].column_name
        key_at = headers.index(first) if first in headers else None
        rows, number = iter(table), 0
        while True:
            block = list(itertools.islice(rows, CHECK_BLOCK))
            if not block:
                break
            if key_at is not None:
                loader.load(values[key_at] for values in block)
            for values in block:
                number += 1
                row = dict(zip(headers, values))
                row_result = _check_row(resource, loader, row, {**hooks, "row_number": number})
                _flush(resource, result, hooks, full=False)
                result.increment_row_result_total(row_result)
                if row_result.errors:
                    result.append_error_row(number, row, row_result.errors)
                elif row_result.validation_error:
                    result.append_invalid_row(number, row, row_result.validation_error)
                if row_result.import_type != RowResult.IMPORT_TYPE_SKIP:
                    result.append_row_result(row_result)
                if progress is not None:
                    progress.tick()
        result.total_rows = number
        _flush(resource, result, hooks, full=True)
        try:
            resource.after_import(table, result, **hooks)
        except Exception as e:
            resource.handle_import_error(result, e, raise_errors=False)
    return result


def _check_row(resource, loader, row, hooks):
    """import-export's Resource.import_row, as a dry run in bulk mode takes it, without its diff and deep copies."""
    resource.row_changes = []
    row_result = resource.get_row_result_class()()
    try:
        instance = resource.get_instance(loader, row)
        new = not instance
        if new:
            instance = resource.init_instance(row)
        resource.after_init_instance(instance, new, row, **hooks)
        row_result.import_type = RowResult.IMPORT_TYPE_NEW if new else RowResult.IMPORT_TYPE_UPDATE
        errors = {}
        try:
            resource.import_instance(instance, row, **hooks)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        if resource.skip_row(instance, None, row, errors):
            row_result.import_type = RowResult.IMPORT_TYPE_SKIP
        else:
            resource.validate_instance(instance, errors)
            resource.save_instance(instance, new, row, **hooks)
            resource.save_m2m(instance, row, **hooks)
        row_result.add_instance_info(instance)
        resource.after_import_row(row, row_result, **hooks)
    except ValidationError as e:
        row_result.import_type = RowResult.IMPORT_TYPE_INVALID
        row_result.validation_error = e
    except Exception as e:
        row_result.import_type = RowResult.IMPORT_TYPE_ERROR
        row_result.errors.append(resource.get_error_result_class()(e, row=row, number=hooks["row_number"]))
    return resource.describe(row, row_result)


def _flush(resource, result, hooks, full):
    """The bulk writes import_data_inner() makes every batch_size rows: in a preview they drop their rows."""
    size = resource._meta.batch_size
    args = (hooks["using_transactions"], True, False)
    if full or len(resource.create_instances) >= size:
        resource.bulk_create(*args, batch_size=size, result=result)
    if full or len(resource.update_instances) >= size:
        resource.bulk_update(*args, batch_size=size, result=result)
    if full or len(resource.delete_instances) >= size:
        resource.bulk_delete(*args, result=result)


def as_dataset(table):
    """A Table's rows as a tablib.Dataset, for import-export's import_data()."""
    if isinstance(table, tablib.Dataset):
        return table
    dataset = tablib.Dataset(headers=table.headers)
    for row in table:
        dataset.append(row)
    dataset.notes, dataset.sheet_title = table.notes, table.sheet_title
    return dataset


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
# Scope: the admin's rule for imports and exports
# ---------------------------------------------------------------------------------------------
OUTSIDE = "超出本组织范围：只能导入本组织及下属党支部的记录。"


class ScopedResourceMixin(BeginsImport):
    # The field a refusal is reported on and its words; None: the first hop of the record's path to its organization.
    outside_field, outside_message = None, OUTSIDE

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.refused = 0

    def begin_import(self, dry_run, **kwargs):
        super().begin_import(dry_run, **kwargs)
        self.user = kwargs.get("user") or self.user
        self.refused = 0

    def _outside(self, instance):
        return self.user is not None and not scope.holds(self.user, instance)

    def after_init_instance(self, instance, new, row, **kwargs):
        # Judged before the row's cells are applied: the record as it is now must be the user's, and what the
        # office decided is compared with what the row asks.
        instance.__dict__["_outside_before"] = not new and self._outside(instance)
        if isinstance(instance, m.Reviewed) and not new:
            instance.__dict__["_decisions_before"] = {
                name: instance._meta.get_field(name).value_from_object(instance) for name in instance.DECIDED
            }
        super().after_init_instance(instance, new, row, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if instance.__dict__.pop("_outside_before", False) or self._outside_after(instance):
            self.refused += 1
            instance.__dict__["_refused"] = True
            # The same words whether the record exists elsewhere or the row names another school, and nothing else
            # about the row (its other cells' errors would tell what the record holds): nothing leaks.
            errors = {self.outside_field or scope_field(instance): [self.outside_message]}
        elif isinstance(instance, m.Reviewed):
            try:
                instance.submit_as(self.user, instance.__dict__.pop("_decisions_before", None))
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if instance.__dict__.get("_refused"):  # the refusal alone: the model's rules would tell what the record holds
            raise ValidationError(import_validation_errors)
        super().validate_instance(instance, import_validation_errors, validate_unique)

    def _outside_after(self, instance):
        try:
            organization = scope.organization_of(instance)
        except ObjectDoesNotExist:
            organization = None
        # No organization: the row's own cell could not be read, and its own error says so.
        return organization is not None and self._outside(instance)

    def changes(self, original, instance):
        """The preview's (column, old, new), with ID and phone numbers masked for those without the permission."""
        found = super().changes(original, instance)
        if self.user is None or personal.can_see(self.user):  # None: the command line, run by the office
            return found
        masks = {f.column_name: personal.MASKS[f.attribute] for f in self.fields.values() if f.attribute in personal.MASKS}
        if not masks:
            return found

        def masked(column, value):
            return masks[column](value) if column in masks and value != shown(None) else value

        return [(column, masked(column, old), masked(column, new)) for column, old, new in found]

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


# ---------------------------------------------------------------------------------------------
# The audit trail of imports
# ---------------------------------------------------------------------------------------------
class AuditedResourceMixin(BeginsImport):
    def begin_import(self, dry_run, **kwargs):
        super().begin_import(dry_run, **kwargs)
        self.batch = None
        self._dry_run, self._file_name = dry_run, kwargs.get("file_name") or ""

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.history_due = []  # (history type, record ids) per bulk write, written by after_import
        if not getattr(self, "_dry_run", True):
            user = getattr(self, "user", None) or kwargs.get("user")
            user = user if user is not None and user.is_authenticated else None  # None: a command-line import
            profile = getattr(user, "profile", None)
            self.batch = m.ImportBatch.objects.create(
                model=self._meta.model._meta.label_lower, file_name=self._file_name[:255], user=user,
                organization=profile.organization if profile else None,
            )

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)  # the many-to-many columns first
        self._write_history()
        batch = getattr(self, "batch", None)
        if batch is not None:
            totals = result.totals
            batch.created, batch.updated, batch.deleted = totals["new"], totals["update"], totals["delete"]
            batch.skipped, batch.invalid = totals["skip"], totals["invalid"] + totals["error"]
            batch.refused = getattr(self, "refused", 0)
            batch.save()

    # -- bulk writes leave their history rows ----------------------------------------------------
    # Written at the end of the import, after the many-to-many columns (write_m2m): a history row holds the
    # record's relations as they are when it is written, and these are in the through table only then.
    def _write_history(self):
        batch = getattr(self, "batch", None)
        user = getattr(self, "user", None)
        for history_type, pks in self.history_due:
            copy_to_history(
                self._meta.model, pks, history_type,
                user=user if user is not None and user.is_authenticated else None, batch=batch,
                reason=f"导入：{batch.file_name}"[:100] if batch else "导入",
            )
        self.history_due = []

    def _owe_history(self, objs, history_type, using_transactions, dry_run):
        if using_transactions or not dry_run:
            self.history_due.append((history_type, [o.pk for o in objs if o.pk is not None]))

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        objs = list(self.create_instances)
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result)
        self._owe_history(objs, "+", using_transactions, dry_run)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        objs = list(self.update_instances)
        super().bulk_update(using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result)
        self._owe_history(objs, "~", using_transactions, dry_run)

    def bulk_delete(self, using_transactions, dry_run, raise_errors, result=None):
        # A queryset delete sends post_delete for each record (history listens), so the rows are written
        # already; they only need to point to the import.
        with within(getattr(self, "batch", None)):
            super().bulk_delete(using_transactions, dry_run, raise_errors, result=result)


class SheetResource(ScopedResourceMixin, AuditedResourceMixin, BaseSheetResource):
    """The machinery under the rule of the admin: rows outside the user's organization refused, personal data
    masked in exports, one ImportBatch per import and a history row for every record written."""
