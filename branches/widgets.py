"""How one spreadsheet cell becomes one model value and back, for the spellings schools really use.

Every clean() raises ValueError with a Chinese message that says what the cell should hold; the resource
reports it with the row, the column and the value.
"""
import datetime
import re

from import_export import widgets

from .sheets import clean_text

EXCEL_NUMBER_ID = (
    "身份证号码被Excel存成了数字，末几位已经丢失，不能导入。请把该列设置为“文本”格式后重新录入号码"
    "（或在号码前加英文单引号'），然后重新上传。"
)
_HAN_GAP = re.compile(r"(?<=[\u3400-\u9fff·])\s+(?=[\u3400-\u9fff·])")
_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?[eE]\+?\d+$")
_DATE_SPELLINGS = [
    re.compile(r"^(\d{4})[.\-/年](\d{1,2})[.\-/月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_DATE_PUNCTUATION = str.maketrans({"．": ".", "／": "/", "－": "-", "—": "-", "。": "."})
EXCEL_EPOCH = datetime.date(1899, 12, 30)


def squeeze(text):
    """Names compare without spaces: schools pad two-character names ("王  芳") to line them up."""
    return "".join(text.split())


class Text(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, str):
            return value  # sheets.clean_cell has trimmed it and made its digits half-width
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            return value.isoformat()
        return clean_text(str(value))


class PersonName(Text):
    def clean(self, value, row=None, **kwargs):
        text = super().clean(value)
        return _HAN_GAP.sub("", text) if " " in text or "\t" in text or "\n" in text else text


class IdNumber(Text):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise ValueError(EXCEL_NUMBER_ID)
        text = squeeze(super().clean(value)).upper()
        if _SCIENTIFIC.match(text):
            raise ValueError(EXCEL_NUMBER_ID)
        return text


class Choice(widgets.Widget):
    """Users write the labels (正式党员); the database keeps the codes (full)."""

    def __init__(self, choices, aliases=None, **kwargs):
        super().__init__(**kwargs)
        self.labels = {code: str(label) for code, label in choices}
        self.codes = {squeeze(str(label)): code for code, label in choices}
        self.codes.update({squeeze(str(code)).upper(): code for code, _ in choices if code})
        self.codes.update({squeeze(k): v for k, v in (aliases or {}).items()})

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        key = squeeze(str(value))
        code = self.codes.get(key, self.codes.get(key.upper()))
        if code is None:
            allowed = "、".join(label for code, label in self.labels.items() if code or label != "无")
            raise ValueError(f"应填写以下之一：{allowed}")
        return code

    def render(self, value, obj=None, **kwargs):
        return self.labels.get(value, value or "")

    def options(self):
        return list(self.labels.values())


class YesNo(widgets.BooleanWidget):
    YES = {"是", "√", "✓", "Y", "YES", "TRUE", "1", "有"}
    NO = {"否", "×", "X", "N", "NO", "FALSE", "0", "无"}

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        key = squeeze(str(value)).upper()
        if key in self.YES:
            return True
        if key in self.NO:
            return False
        raise ValueError("应填写“是”或“否”")

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "是" if value else "否"

    def options(self):
        return ["是", "否"]


class Date(widgets.Widget):
    """2023-05-06, 2023.05.06, 2023/5/6, 2023年5月6日, 20230506, or a date cell, always as a `date`.

    openpyxl hands date cells back as datetime: compared with the model's date the row never looks
    unchanged, so everything is normalised to `date` here.
    """

    HINT = "应为日期，如2023-05-06、2023.5.6或2023年5月6日"

    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, bool):
            raise ValueError(self.HINT)
        if isinstance(value, (int, float)):
            if 19000101 <= value <= 21001231 and float(value).is_integer():
                return self._from_text(str(int(value)))
            if 1 <= value < 73051:  # an Excel serial day (1900-01-01 .. 2099-12-31) whose cell lost its date format
                return EXCEL_EPOCH + datetime.timedelta(days=int(value))
            raise ValueError(self.HINT)
        text = re.sub(r"\s+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "", str(value).strip())  # a time of 00:00 from a CSV
        return self._from_text(squeeze(text).translate(_DATE_PUNCTUATION))

    def _from_text(self, text):
        for spelling in _DATE_SPELLINGS:
            match = spelling.match(text)
            if match:
                try:
                    return datetime.date(*map(int, match.groups()))
                except ValueError:
                    raise ValueError(f"“{text}”不是有效日期（月份或日期超出范围）")
        if re.match(r"^\d{4}[.\-/年]\d{1,2}月?$", text):
            raise ValueError("日期应写到日，如2023-05-06")
        raise ValueError(self.HINT)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        if kwargs.get("force_native_type"):
            return value
        return value.strftime("%Y-%m-%d")


class Integer(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise ValueError("应为整数")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        text = squeeze(str(value))
        if re.match(r"^[+-]?\d+(\.0+)?$", text):
            return int(float(text)) if "." in text else int(text)
        raise ValueError("应为整数")

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        return value if kwargs.get("force_native_type") else str(value)


class Related(widgets.ForeignKeyWidget):
    """A record named by its natural key (an organization by its name), looked up once per file.

    import-export's CachedForeignKeyWidget caches too, but compares keys verbatim; here a stray space
    or a full-width digit in a school's name still finds the organization, and records added earlier
    in the same file (a new committee, then its branches) are found as well.
    """

    def __init__(self, model, field="name", **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.reset()

    def reset(self):
        self._by_key = self._by_pk = None

    def _load(self):
        if self._by_key is None:
            self._by_key, self._by_pk = {}, {}
            for obj in self.model._default_manager.all():
                self.add(obj)
            self.after_load()
        return self._by_key

    def after_load(self):
        """Link what was loaded to itself (the organization tree), so model rules read no rows."""
        parent = next((f for f in self.model._meta.concrete_fields if f.is_relation and f.related_model is self.model), None)
        if parent is not None:
            for obj in self._by_pk.values():
                target = self._by_pk.get(getattr(obj, parent.attname))
                if target is not None:
                    parent.set_cached_value(obj, target)

    def add(self, obj):
        self._load()
        self._by_key[squeeze(str(getattr(obj, self.field)))] = obj
        if obj.pk is not None:
            self._by_pk[obj.pk] = obj

    def by_pk(self, pk):
        self._load()
        return self._by_pk.get(pk)

    def names(self):
        return [str(getattr(o, self.field)) for o in self._load().values()]

    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return None
        key = squeeze(str(value))
        obj = self._load().get(key)
        if obj is None:
            raise ValueError(self.missing_message(key))
        return obj

    def missing_message(self, key):
        import difflib

        what = self.model._meta.verbose_name
        close = difflib.get_close_matches(key, self._by_key.keys(), n=1, cutoff=0.75)
        hint = f"是否应为“{self._by_key[close[0]]}”？" if close else f"请先在系统中登记该{what}，或核对名称。"
        return f"系统中没有名为“{key}”的{what}。{hint}"

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(getattr(value, self.field))


class RelatedNames(Related):
    """Several records in one cell, separated by 、 or commas (问题类别)."""

    SEPARATORS = re.compile(r"[、,，;；/\n]+")

    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return []
        return [super(RelatedNames, self).clean(part) for part in self.SEPARATORS.split(str(value)) if part.strip()]

    def render(self, value, obj=None, **kwargs):
        return "、".join(str(getattr(o, self.field)) for o in (value or []))


class MemberByIdNumber(Related):
    """A member named by their ID number (公民身份号码). An unknown number is said to be unknown, without the near
    match other look-ups suggest: a number one digit away is somebody else's."""

    def __init__(self, model):
        super().__init__(model, field="id_number")

    def clean(self, value, row=None, **kwargs):
        text = IdNumber().clean(value)
        return super().clean(text) if text else None

    def missing_message(self, key):
        return f"党员名册中没有身份证号码为“{key}”的党员。请核对号码，或先在党员名册中登记该党员。"

    def names(self):
        return []  # a template offers no list of the roll's ID numbers


class RoundYear(Related):
    """A 述职评议 named by its year (2023, ２０２３, 2023年)."""

    def __init__(self, model):
        super().__init__(model, field="year")

    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return None
        year = Integer().clean(str(value).strip().removesuffix("年").removesuffix("度") if isinstance(value, str) else value)
        found = self._load().get(str(year))
        if found is None:
            raise ValueError(f"系统中没有{year}年度的述职评议，请先由组织科登记。")
        return found


class ReviewerNumber(Related):
    """An anonymous 评议人 by their number within the row's round ("3" or "3号"): the 年度 cell says which round."""

    def __init__(self, model, year_column="年度"):
        super().__init__(model, field="number")
        self.year_column = year_column

    def _load(self):
        if self._by_key is None:
            self._by_key, self._by_pk = {}, {}
            for obj in self.model._default_manager.select_related("round"):
                self.add(obj)
        return self._by_key

    def add(self, obj):
        self._load()
        self._by_key[(obj.round.year, obj.number)] = obj
        self._by_pk[obj.pk] = obj

    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return None
        text = squeeze(str(value)).removeprefix("评议人").removesuffix("号")
        number = Integer().clean(text)
        raw = (row or {}).get(self.year_column)
        try:
            year = Integer().clean(str(raw).strip().removesuffix("年").removesuffix("度") if isinstance(raw, str) else raw)
        except ValueError:
            return None  # the 年度 cell's own error says so
        found = self._load().get((year, number))
        if found is None:
            raise ValueError(f"{year}年度述职评议没有{number}号评议人。")
        return found

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value.number)


class Number(widgets.Widget):
    """A decimal (a score), empty for none."""

    def clean(self, value, row=None, **kwargs):
        import decimal

        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            number = decimal.Decimal(str(value).strip())
        except decimal.InvalidOperation:
            raise ValueError("应为数字")
        if not number.is_finite():
            raise ValueError("应为数字")
        return number

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else f"{value:f}"
