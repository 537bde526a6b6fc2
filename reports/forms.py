"""The reports' GET forms: the year, day and period each page is asked for, read by branches.forms' one rule."""
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator

from branches.dates import today
from branches.early_warning import RULES_BY_CODE
from branches.forms import DateForm, ParameterForm, YearField, YearForm, normalise
from branches.models import Ownership, SecretaryReport
from branches.periods import window

__all__ = ["DateForm", "PeriodForm", "SecretaryReportForm", "TransferLettersForm", "WarningsForm", "YearForm"]


class WarningsForm(DateForm):
    """/warnings/?date=&rule=&ownership=: the day, and which findings to show."""

    rule = forms.CharField(required=False, strip=True)
    ownership = forms.CharField(required=False, strip=True)

    def clean_rule(self):
        code = self.cleaned_data["rule"] or None
        if code and code not in RULES_BY_CODE:
            raise ValidationError(f"没有编号为“{code[:20]}”的预警规则。")
        return code

    def clean_ownership(self):
        ownership = self.cleaned_data["ownership"] or None
        if ownership and ownership not in Ownership.values:
            raise ValidationError("办学性质应为公办或民办。")
        return ownership


class TransferLettersForm(ParameterForm):
    """?ids=3,5,8: the transfers whose 介绍信 go into one file (the admin's action writes the address)."""

    MOST = 500  # one file the office prints in one go; more is a mistaken selection, not a job
    ids = forms.CharField(strip=True, validators=[ProhibitNullCharactersValidator(), MaxLengthValidator(MOST * 12)],
                          error_messages={"required": "请在组织关系转接列表中选择要打印介绍信的记录。"})

    def clean_ids(self):
        parts = [part.strip() for part in self.cleaned_data["ids"].split(",") if part.strip()]
        if not parts or not all(part.isascii() and part.isdigit() and len(part) <= 12 for part in parts):
            raise ValidationError("所选的转接记录编号无效，请在组织关系转接列表中重新选择。")
        if len(parts) > self.MOST:
            raise ValidationError(f"一次最多打印{self.MOST}封介绍信，请分批选择。")
        return list(dict.fromkeys(int(part) for part in parts))


class PeriodForm(ParameterForm):
    """/meetings/compliance/?year=&period=&number=: a year (this one when blank), and the whole of it, one
    quarter or one month. branches.periods.window says what a period is; this form only reads the address."""

    year = YearField()
    period = forms.CharField(required=False, strip=True)
    number = forms.CharField(required=False, strip=True)

    def __init__(self, data, default_year=None):
        super().__init__(data)
        self.default_year = default_year or today().year  # the office's working year, when the address names none

    def clean_period(self):
        return self.cleaned_data["period"] or "year"

    def clean_number(self):
        text = normalise(self.cleaned_data["number"])
        return int(text) if text.isascii() and text.isdecimal() and len(text) <= 2 else None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data["year"] is None:
            data["year"] = self.default_year
        if data["period"] == "year":
            data["number"] = None
        try:
            window(data["year"], data["period"], data["number"])
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        return data

    def shown(self):
        """The year, period and number to put back in the page's picker, whatever was typed."""
        data = getattr(self, "cleaned_data", {})
        period = data.get("period") or self.data.get("period") or "year"
        return {"year": data.get("year") or self.default_year, "kind": period, "number": data.get("number")}


class SecretaryReportForm(forms.ModelForm):
    """The prose parts of a secretary's 述职报告, pre-filled from the draft; the rest is the office's."""

    PART_LIMIT = 6000  # characters per part: several pages, more than a 述职 of 5 to 8 minutes needs

    class Meta:
        model = SecretaryReport
        fields = SecretaryReport.PARTS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.max_length = self.PART_LIMIT
            field.validators = [v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)] + [
                ProhibitNullCharactersValidator("内容含有不可见的控制字符，请删除后再保存。"),
                MaxLengthValidator(self.PART_LIMIT, f"每部分不超过{self.PART_LIMIT}字。")]
            field.widget = forms.Textarea(attrs={"rows": 9, "style": "width:100%"})
