"""The small GET forms that read a year or a day from an address or a command line: one rule for every page.

A year is four digits within branches.periods.YEARS; a day is YYYY-MM-DD within the same years. Full-width
characters (２０２３, ２０２３－１２－３１), which a Chinese input method types, are read as their ASCII forms; every
other input (superscript digits, 二〇二三, 2023.0, twenty digits, garbage) gets one Chinese message, never a 500.
The pages that show what has happened (the dashboard, the duty report) end at this year: `until_this_year`.
"""
import datetime
import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError

from . import models as m
from .dates import today
from .periods import YEARS

SHOWN = 20  # characters of a bad value repeated in its message: enough to recognise, never a wall of text


def normalise(value):
    """The text with full-width forms (and the ideographic space) made ASCII by NFKC, then stripped.

    Only the <wide> compatibility forms are folded: NFKC would also turn a superscript ² into 2, and 2²23 is a
    slip of the keyboard, not a year."""
    text = "" if value is None else str(value)
    return "".join(
        unicodedata.normalize("NFKC", ch) if unicodedata.decomposition(ch).startswith("<wide>") else ch for ch in text
    ).strip()


def shown(value):
    text = "" if value is None else str(value).strip()
    return text if len(text) <= SHOWN else text[:SHOWN] + "…"


def year_range(until_this_year=False):
    """(first, last): the years that can be asked for, ending at this year where only the past can be shown."""
    last = min(YEARS[-1], today().year) if until_this_year else YEARS[-1]
    return YEARS[0], last


def year_message(value, first, last):
    # One message for every bad year, whatever was wrong with it, so that every page and command says the same.
    return (f"年度“{shown(value)}”超出范围或无效：请选择{first}年至{last}年之间的年度。"
            f"年度应为{first}至{last}之间的年份，应填写数字：请填写四位数字的年份，例如{today().year - 1}。")


def parse_year(value, until_this_year=False):
    """The year in `value`, None when it is blank; ValidationError with the one message otherwise."""
    text = normalise(value)
    if not text:
        return None
    first, last = year_range(until_this_year)
    if re.fullmatch(r"[0-9]{4}", text) and first <= int(text) <= last:
        return int(text)
    raise ValidationError(year_message(value, first, last), code="invalid")


def date_messages(value):
    return {
        "invalid": f"日期“{shown(value)}”无法识别，请按YYYY-MM-DD填写，例如2023-12-31。",
        "range": f"日期“{shown(value)}”超出范围，应在{YEARS[0]}年至{YEARS[-1]}年之间。",
    }


def parse_date(value):
    """The day in `value` (YYYY-MM-DD), None when it is blank; ValidationError in Chinese otherwise."""
    text = normalise(value)
    if not text:
        return None
    found = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", text)
    try:
        day = datetime.date(*map(int, found.groups())) if found else None
    except ValueError:
        day = None
    if day is None:
        raise ValidationError(date_messages(value)["invalid"], code="invalid")
    if day.year not in YEARS:
        raise ValidationError(date_messages(value)["range"], code="range")
    return day


class YearField(forms.Field):
    def __init__(self, *, until_this_year=False, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.until_this_year = until_this_year

    def to_python(self, value):
        year = parse_year(value, self.until_this_year)
        if year is None and self.required:
            raise ValidationError(year_message(value, *year_range(self.until_this_year)), code="required")
        return year

    def validate(self, value):
        pass  # to_python has said all there is to say, in Chinese


class DateField(forms.Field):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        day = parse_date(value)
        if day is None and self.required:
            raise ValidationError(date_messages(value)["invalid"], code="required")
        return day

    def validate(self, value):
        pass


class ParameterForm(forms.Form):
    """A GET form whose errors are shown as a list of sentences (each field's message already names it)."""

    def messages(self):
        return [message for errors in self.errors.values() for message in errors]


class YearForm(ParameterForm):
    """?year=: blank is None (the page picks its default year)."""

    year = YearField()

    def __init__(self, data=None, *, until_this_year=False, required=False, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["year"].until_this_year = until_this_year
        self.fields["year"].required = required


class DateForm(ParameterForm):
    """?date=YYYY-MM-DD: blank is None (the page reads today)."""

    date = DateField()


class AsOfForm(ParameterForm):
    """The admin lists' ?asof=: the day they read the state on (状态日期)."""

    asof = DateField()


class WorkingYearForm(ParameterForm):
    """The header's 工作年度 (POST): a year up to this one, and the page to go back to."""

    year = YearField(until_this_year=True, required=True)
    next = forms.CharField(required=False)


class PhoneMeetingForm(forms.ModelForm):
    """A meeting recorded on a phone: the secretary's organizations only, a photo taken there."""

    class Meta:
        model = m.Meeting
        fields = ["organization", "meeting_type", "held_on", "topic", "present", "on_roll", "attachment", "note"]
        widgets = {
            # a date field takes only ISO dates; the Chinese display format would leave it empty on a second edit
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "attachment": forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf", "capture": "environment"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["organization"].queryset = (
            m.Organization.objects.visible_to(user).branches().active().order_by("sort_order", "pk"))
        self.fields["meeting_type"].queryset = m.MeetingType.objects.all()

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                self.instance.submit_as(self.user, self.instance.stored_decisions())
            except forms.ValidationError as exc:
                self.add_error(None, exc)
        return cleaned
