"""Spreadsheets as they really arrive, turned into a plain table; and the workbooks the office gets back.

Reading is two steps. `read_grids` turns the bytes into rows of cell values, whatever the file's name
says: xlsx, xls or csv (UTF-8 or the GBK that Chinese Excel writes), merged cells filled from their
top-left cell. `find_table` then finds the header row under the titles and fillers above it, maps the
header variants to the resource's column names and keeps the data rows with their spreadsheet row
numbers, leaving out empty rows, repeated headers, totals and notes.

Writing: every workbook the project hands out (exports, templates, the annual report's tables, the warnings
list) puts its values in cells through safe_cell, so that no text becomes a live formula.

Nothing here knows about records: the resource says which headers it reads (sheet_columns()).
"""
import contextlib
import csv
import datetime
import functools
import gc
import io
import re
import zipfile
from dataclasses import dataclass, field

import tablib
from openpyxl.cell import WriteOnlyCell  # once here: safe_cell runs for every cell of a 100,000-row export
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

ROW = "行号"  # the spreadsheet row number, carried along as the table's first column
HEADER_SCAN_ROWS = 30
# The work a file may ask for is bounded by what a roster really holds, not by what its cells claim: the widest
# import has under 20 columns, the largest district a few tens of thousands of members. The rows' limit is a
# setting (SHUZHI["IMPORT_MAX_ROWS"]); past these a file is refused with how to split it.
MAX_COLUMNS = 200
MAX_CELLS = 5_000_000  # rows x used columns: about 40 MB of cell references in the grid
# Characters a cell cannot mean: C0 controls other than tab, line feed and carriage return, and DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Columns that number the rows for the reader's eye and carry nothing to import.
NUMBERING_HEADERS = {"序号", "行号", "编号", "NO", "NO.", "序"}
TOTALS = re.compile(r"^\s*(合\s*计|总\s*计|小\s*计|共\s*计|总\s*数)")
# Characters Excel users type by accident: full-width digits and letters, the ideographic space,
# no-break and zero-width spaces. Full-width punctuation is left alone: it is part of names.
_WIDTH = {0x3000: " ", 0xA0: " ", 0x200B: "", 0xFEFF: "", 0x2002: " ", 0x2003: " "}
_WIDTH.update({c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)})  # ０-９
_WIDTH.update({c: c - 0xFEE0 for c in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_WIDTH.update({c: c - 0xFEE0 for c in range(0xFF41, 0xFF5B)})  # ａ-ｚ


class SheetError(Exception):
    """The file cannot be read as a table. The message is for the office worker, in Chinese."""


class Uncalculated:
    """A formula cell the file holds no result for (saved by a program that does not calculate, or generated):
    there is no value to import, and the import says so on its row and column."""

    MESSAGE = "公式未计算，请在Excel中保存后再导入。"

    def __init__(self, formula):
        self.formula = formula

    def __str__(self):
        return f"={self.formula}" if self.formula else "（公式）"


def too_many_rows(title, limit):
    return SheetError(f"工作表“{title}”的数据超过{limit}行，超出一次导入的上限。请把表格拆成几个文件分批导入。")


def max_rows():
    from django.conf import settings

    return settings.SHUZHI.get("IMPORT_MAX_ROWS", 200_000)


class Bounds:
    """Counts what a file holds while it is read, and stops it at the first cell past the limits."""

    def __init__(self, title):
        self.title, self.rows, self.cells, self.limit = title, 0, 0, max_rows()

    def width(self, number, columns):
        """Checks a row's last column that holds a value (1 for A), before the row is laid out."""
        if columns > MAX_COLUMNS:
            raise SheetError(
                f"工作表“{self.title}”第{number}行第{_letter(columns - 1)}列有内容，超出了导入读取的范围"
                f"（最多{MAX_COLUMNS}列）。请删去表格右侧无关的列后重新上传。"
            )

    def row(self, number, values):
        """Checks one non-empty row (its values as read, up to its last cell that holds one)."""
        self.width(number, len(values))
        self.rows += 1
        self.cells += len(values)
        if self.rows > self.limit + HEADER_SCAN_ROWS:  # titles and the header above the rows; find_table counts exactly
            raise too_many_rows(self.title, self.limit)
        if self.cells > MAX_CELLS:
            raise SheetError(
                f"工作表“{self.title}”的内容超过{MAX_CELLS // 10000}万个单元格，超出一次导入的上限。"
                "请删去无关的列，或把表格拆成几个文件分批导入。"
            )
        text = "".join(v for v in values if isinstance(v, str))
        if CONTROL_CHARACTERS.search(text):
            column = next(i for i, v in enumerate(values) if isinstance(v, str) and CONTROL_CHARACTERS.search(v))
            raise SheetError(
                f"工作表“{self.title}”第{number}行第{_letter(column)}列含有不可见的控制字符（如NUL），"
                "通常是从其他系统复制时带入的。请删除该单元格的内容重新输入后再上传。"
            )


@contextlib.contextmanager
def paused_gc():
    """A big file makes hundreds of thousands of objects that live until the import ends (cells, rows,
    records). The cyclic collector would scan them again and again, for about a third of the time at
    100,000 rows, and find nothing to free: it waits until the import is done."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def clean_text(value):
    return value.translate(_WIDTH).strip()


def clean_cell(value):
    """The value as the rest of the import wants it: trimmed half-width text, whole numbers as int."""
    if isinstance(value, str):
        value = clean_text(value)
        return value or None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def header_key(text):
    """Headers compare without spaces, line breaks, required-field stars or the width of brackets."""
    if text is None:
        return ""
    text = re.sub(r"\s+", "", clean_text(str(text)))
    return text.replace("*", "").replace("＊", "").replace("(", "（").replace(")", "）").upper()


@dataclass
class Grid:
    """One worksheet: (spreadsheet row number, [values]) pairs."""

    title: str
    rows: list = field(default_factory=list)
    hidden: set = field(default_factory=set)  # the numbers of the rows Excel hides


# ---------------------------------------------------------------------------------------------
# Bytes -> grids
# ---------------------------------------------------------------------------------------------
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Excel saves a workbook with an opening password as an OLE2 (compound file) container, not as a zip: its directory
# names the streams EncryptionInfo and EncryptedPackage, in UTF-16.
ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
ENCRYPTED = "文件设有打开密码，系统无法读取。请在Excel中打开文件，取消密码（文件→信息→保护工作簿→用密码进行加密，清空密码）并保存后重新上传。"


def sniff(data):
    if not data:
        raise SheetError("上传的文件是空的（0字节）。请选择填好的Excel表格重新上传。")
    if data[:4] == b"PK\x03\x04":
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            raise SheetError("文件已损坏，无法作为Excel表格打开。请在Excel中打开后另存为.xlsx再上传。")
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "word/document.xml" in names:
            raise SheetError("这是一个Word文档（.docx），不是Excel表格。请上传Excel表格（.xlsx、.xls）或CSV文件。")
        if "ppt/presentation.xml" in names:
            raise SheetError("这是一个PowerPoint演示文稿，不是Excel表格。请上传Excel表格（.xlsx、.xls）或CSV文件。")
        if "content.xml" in names:
            raise SheetError("这是WPS/LibreOffice的ODF文件。请在WPS或Excel中“另存为”Excel工作簿（.xlsx）后再上传。")
        raise SheetError("这是一个压缩包，不是Excel表格。请上传Excel表格（.xlsx、.xls）或CSV文件。")
    if data[:8] == OLE2_SIGNATURE:
        if ENCRYPTION_INFO in data:
            raise SheetError(ENCRYPTED)
        return "xls"
    if data[:5] == b"%PDF-":
        raise SheetError("这是一个PDF文件，不是Excel表格。请上传Excel表格（.xlsx、.xls）或CSV文件。")
    if data[:4096].count(b"\x00") > 4:  # text with a stray NUL is read, and the NUL reported on its cell
        raise SheetError("无法识别的文件：既不是Excel表格（.xlsx、.xls），也不是CSV文本文件。")
    return "csv"


def read_grids(data):
    """All worksheets of the file, the active one first. Raises SheetError for anything that is not a table."""
    kind = sniff(data)
    try:
        if kind == "xlsx":
            return _read_xlsx(data)
        if kind == "xls":
            return _read_xls(data)
        return [_read_csv(data)]
    except SheetError:
        raise
    except Exception as exc:  # a broken file raises whatever its parser meets first
        names = {"xlsx": "Excel（.xlsx）", "xls": "Excel 97-2003（.xls）", "csv": "CSV"}
        raise SheetError(
            f"文件无法作为{names[kind]}表格读取（{type(exc).__name__}）。请在Excel中打开该文件，另存为.xlsx后重新上传。"
        ) from exc


SHARED_STRINGS_MAX_MB = 64  # a 200,000-row roster's texts take about 25 MB of XML


def _read_xlsx(data):
    import openpyxl

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        texts = next((i for i in archive.infolist() if i.filename.lower() == "xl/sharedstrings.xml"), None)
        if texts is not None and texts.file_size > SHARED_STRINGS_MAX_MB * 1024 * 1024:
            raise SheetError(
                f"表格中的文字内容展开后超过{SHARED_STRINGS_MAX_MB} MB，超出一次导入的上限。请把表格拆成几个文件分批导入。"
            )
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheets = list(book.worksheets)
        active = book.active
        if active in sheets:
            sheets.remove(active)
            sheets.insert(0, active)
        return [_read_worksheet(book, ws) for ws in sheets if hasattr(ws, "_get_source")]  # not chart sheets
    finally:
        book.close()


def _read_worksheet(book, ws):
    # openpyxl's read-only worksheet does not report merged cells or hidden rows; its own parser collects them
    # while it streams the rows, so we drive that parser directly (the same calls ReadOnlyWorksheet makes).
    grid, bounds = Grid(ws.title), Bounds(ws.title)
    with ws._get_source() as src:
        parser = _parser_class()(
            src, ws._shared_strings, data_only=True, epoch=book.epoch,
            date_formats=book._date_formats, timedelta_formats=book._timedelta_formats,
        )
        for number, cells in parser.parse():
            # Only the cells that hold something: a formatted empty cell far to the right is not a column.
            cells = [cell for cell in cells if cell["value"] is not None]
            if not cells:
                continue
            columns = max(cell["column"] for cell in cells)
            bounds.width(number, columns)
            values = [None] * columns
            for cell in cells:
                values[cell["column"] - 1] = clean_cell(cell["value"])
            while values and values[-1] is None:  # a text of spaces only
                values.pop()
            if not values:
                continue
            bounds.row(number, values)
            grid.rows.append((number, values))
        grid.hidden = {
            int(n) for n, attrs in parser.row_dimensions.items() if attrs.get("hidden") in ("1", "true")
        }
        merged = parser.merged_cells
    if merged is not None:
        _fill_merged(grid, [_bounds(m.ref) for m in merged.mergeCell])
    return grid


@functools.cache
def _parser_class():
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    class SheetParser(WorkSheetParser):
        """Marks a formula cell that holds no calculated result, rather than reading it as empty: no <v>, or an empty
        one where the result would be a number (a text result may be empty: t="str")."""

        def parse_cell(self, element):
            cell = super().parse_cell(element)
            if cell["value"] is None and element.get("t", "n") != "str":
                formula = element.find(FORMULA_TAG)
                if formula is not None and not element.findtext(VALUE_TAG):
                    cell["value"] = Uncalculated(formula.text or "")
            return cell

    return SheetParser


def _bounds(ref):
    from openpyxl.utils.cell import range_boundaries

    min_col, min_row, max_col, max_row = range_boundaries(str(ref))
    return min_row, min_col, max_row, max_col


def _fill_merged(grid, ranges):
    """A merged cell holds its value in the top-left cell only; every cell of the range shows it.

    A range is clipped to the cells the sheet really uses (its last row, its widest row): a range drawn to the
    end of the sheet (A2:XFD1048576) fills no more than the table it covers.
    """
    if not ranges or not grid.rows:
        return
    last_row = grid.rows[-1][0]
    width = max(len(values) for _, values in grid.rows)
    by_number = {number: values for number, values in grid.rows}
    filled = sum(len(values) for values in by_number.values())
    for min_row, min_col, max_row, max_col in ranges:
        max_row, max_col = min(max_row, last_row), min(max_col, width)
        top = by_number.get(min_row)
        value = top[min_col - 1] if top is not None and len(top) >= min_col else None
        if value is None or max_row < min_row or max_col < min_col:
            continue
        filled += (max_row - min_row + 1) * max_col
        if filled > MAX_CELLS:
            raise SheetError(
                f"工作表“{grid.title}”的合并单元格展开后超过{MAX_CELLS // 10000}万个单元格，超出一次导入的上限。"
                "请取消合并单元格（开始→合并后居中→取消单元格合并）后重新上传。"
            )
        for number in range(min_row, max_row + 1):
            values = by_number.get(number)
            if values is None:
                values = by_number[number] = []
                grid.rows.append((number, values))
            if len(values) < max_col:
                values.extend([None] * (max_col - len(values)))
            for col in range(min_col - 1, max_col):
                values[col] = value
    grid.rows.sort(key=lambda r: r[0])


def _read_xls(data):
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    except Exception:
        try:
            book = xlrd.open_workbook(file_contents=data)
        except xlrd.XLRDError as exc:
            if "encrypted" in str(exc).lower():
                raise SheetError(ENCRYPTED) from exc
            raise SheetError("文件不是有效的Excel 97-2003（.xls）表格（可能是改了扩展名的Word等文件）。") from exc
    grids = []
    for sheet in book.sheets():
        grid, bounds = Grid(sheet.name), Bounds(sheet.name)
        grid.hidden = {r + 1 for r, info in getattr(sheet, "rowinfo_map", {}).items() if info.hidden}
        for r in range(sheet.nrows):
            values = []
            for cell in sheet.row(r):
                if cell.ctype == xlrd.XL_CELL_DATE:
                    try:
                        values.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
                    except (ValueError, OverflowError):
                        values.append(cell.value)
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                    values.append(None)
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    values.append(bool(cell.value))
                else:
                    values.append(clean_cell(cell.value))
            while values and values[-1] is None:
                values.pop()
            if values:
                bounds.row(r + 1, values)
                grid.rows.append((r + 1, values))
        _fill_merged(grid, [(r0 + 1, c0 + 1, r1, c1) for r0, r1, c0, c1 in getattr(sheet, "merged_cells", [])])
        grids.append(grid)
    return grids


def _read_csv(data):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte sequence without NULs
        raise SheetError("CSV文件的文字编码无法识别。请在Excel中另存为.xlsx后上传。")
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    grid, bounds = Grid("CSV"), Bounds("CSV")
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
            values = [clean_cell(v) for v in values]
            while values and values[-1] is None:
                values.pop()
            if values:
                bounds.row(number, values)
                grid.rows.append((number, values))
    except csv.Error as exc:
        raise SheetError(f"CSV文件格式有误（{exc}）。请在Excel中另存为.xlsx后上传。") from exc
    return grid


# ---------------------------------------------------------------------------------------------
# Grid -> table
# ---------------------------------------------------------------------------------------------
@dataclass
class Columns:
    """What a resource reads: header variant -> column name, and which columns identify a row."""

    title: str  # the record type, for messages ("党员")
    aliases: dict  # header_key(variant) -> column name
    keys: list  # column names that must be present
    quiet: set = field(default_factory=set)  # header_keys of known columns that are export-only
    example: dict = field(default_factory=dict)  # the template's example row, left out when found


def _match_header(values, columns):
    found = {}
    for index, value in enumerate(values):
        name = columns.aliases.get(header_key(value))
        if name and name not in found.values():
            found[index] = name
    return found


def _find_header(grid, columns):
    best, best_score = None, 0
    for number, values in grid.rows[:HEADER_SCAN_ROWS]:
        found = _match_header(values, columns)
        score = len(found) + sum(1 for n in found.values() if n in columns.keys)
        if score > best_score:
            best, best_score = (number, values, found), score
    return best


def find_table(grids, columns, others=list):
    """The rows of the first worksheet whose header this resource reads, as a tablib.Dataset.

    The dataset's first column is ROW (the spreadsheet row number); `dataset.notes` lists what was left out.
    `others()` gives the Columns of the other record types, to tell the worker which page a file belongs to.
    """
    chosen = None
    for grid in grids:
        header = _find_header(grid, columns)
        if header and all(k in header[2].values() for k in columns.keys) and len(header[2]) >= 2:
            chosen = grid, header
            break
    if chosen is None:
        raise SheetError(_no_header_message(grids, columns, others()))
    grid, (header_number, header_values, found) = chosen
    notes = []
    if grid is not grids[0]:
        notes.append(f"读取的是工作表“{grid.title}”。")
    if header_number > 1:
        notes.append(f"第{header_number}行为表头，其上{header_number - 1}行（标题等）未导入。")

    duplicates = {}
    for index, value in enumerate(header_values):
        name = columns.aliases.get(header_key(value))
        if name:
            duplicates.setdefault(name, []).append(index)
    twice = {name: idx for name, idx in duplicates.items() if len(idx) > 1}
    if twice:
        name, idx = next(iter(twice.items()))
        letters = "、".join(_letter(i) for i in idx)
        raise SheetError(f"第{header_number}行表头中“{name}”出现了{len(idx)}次（第{letters}列）。请删去多余的列后重新上传。")

    ignored = [
        str(v) for i, v in enumerate(header_values)
        if i not in found and v is not None and header_key(v) not in NUMBERING_HEADERS and header_key(v) not in columns.quiet
    ]
    if ignored:
        notes.append("以下列不是导入项，已忽略：" + "、".join(f"“{v}”" for v in ignored) + "。")

    indexes = sorted(found)
    names = [found[i] for i in indexes]
    key_positions = [pos for pos, name in enumerate(names) if name in columns.keys]
    other_indexes = [i for i, v in enumerate(header_values) if i not in found and header_key(v) not in NUMBERING_HEADERS]
    header_row = [header_values[i] for i in indexes]
    example = [columns.example.get(name) for name in names]
    dataset = tablib.Dataset(headers=[ROW] + names)
    left_out, hidden = [], []
    for position, (number, values) in enumerate(grid.rows):
        grid.rows[position] = None  # the table takes the row over; a 100,000-row sheet is not held twice
        if number <= header_number:
            continue
        row = [values[i] if i < len(values) else None for i in indexes]
        extra = [values[i] for i in other_indexes if i < len(values) and values[i] is not None]
        filled = [v for v in row if v is not None] + extra
        if not filled:
            continue
        if row == header_row:
            continue  # the header again, as printed rosters repeat it on every page
        if any(isinstance(v, str) and TOTALS.match(v) for v in values):
            left_out.append(f"第{number}行（合计行）")
            continue
        if len(set(map(str, filled))) < 2 and not any(row[p] is not None for p in key_positions):
            left_out.append(f"第{number}行（说明或分组行）")
            continue
        if any(v is not None for v in example) and all(_same(c, v) for c, v in zip(row, example) if v is not None):
            left_out.append(f"第{number}行（模板示例行）")
            continue
        dataset.append([number] + row)
        if number in grid.hidden:
            hidden.append(number)
    if len(dataset) > max_rows():
        raise too_many_rows(grid.title, max_rows())
    if hidden:
        shown_rows = "、".join(map(str, hidden[:20])) + ("等" if len(hidden) > 20 else "")
        notes.append(
            f"第{shown_rows}行在Excel中是隐藏行（共{len(hidden)}行），也将导入。如不应导入，请在Excel中删除这些行后重新上传。"
        )
    if left_out:
        notes.append("未导入：" + "、".join(left_out) + "。")
    if not len(dataset):
        raise SheetError(f"第{header_number}行是表头，但表头下面没有数据行。请在表头下逐行填写{columns.title}信息后再上传。")
    dataset.notes = notes
    dataset.sheet_title = grid.title
    return dataset


def _same(cell, value):
    if isinstance(cell, datetime.datetime):
        cell = cell.date()
    return cell is not None and str(cell) == str(value)


def _letter(index):
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _no_header_message(grids, columns, others):
    needed = "、".join(f"“{k}”" for k in columns.keys)
    for other in others:
        for grid in grids:
            header = _find_header(grid, other)
            if header and all(k in header[2].values() for k in other.keys) and len(header[2]) >= 3:
                return (f"这个文件看起来是“{other.title}”表格，不是“{columns.title}”表格。"
                        f"请到“{other.title}”页面导入，或换成{columns.title}表格。")
    partial = [(grid, _find_header(grid, columns)) for grid in grids]
    partial = [(g, h) for g, h in partial if h]
    if partial:
        grid, (number, _, found) = max(partial, key=lambda gh: len(gh[1][2]))
        missing = "、".join(f"“{k}”" for k in columns.keys if k not in found.values())
        if missing:
            return f"工作表“{grid.title}”第{number}行像是表头，但缺少必需的列{missing}。请对照模板补上该列后重新上传。"
    if not any(grid.rows for grid in grids):
        return "表格里没有任何内容。请填写后再上传。"
    return (f"在表格前{HEADER_SCAN_ROWS}行中没有找到{columns.title}表的表头（至少需要{needed}列）。"
            f"请确认上传的是{columns.title}表格，表头写在数据上方，或下载导入模板对照填写。")


def read_table(data, columns, others=list):
    """Bytes -> Dataset, for the resource that declares `columns`. Raises SheetError with a Chinese message."""
    with paused_gc():
        grids = read_grids(data)
        return find_table(grids, columns, others)


# ---------------------------------------------------------------------------------------------
# Values -> cells: the one rule every workbook is written by
# ---------------------------------------------------------------------------------------------
# Excel, WPS and LibreOffice take a text beginning with one of these for a formula where it is typed or read from
# CSV (OWASP "CSV injection"): a name like "=HYPERLINK(…)" in a record must never become a live formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(sheet, value):
    """`value` as a cell of `sheet` (for sheet.append, write-only or not) in which a text is only ever text.

    Every text is a string cell (openpyxl would make "=…" a formula); one that begins like a formula is also
    marked quote-prefixed, as Excel marks a cell typed as '=1+1, so that editing it keeps it text. The text itself
    is left exactly as it was: the cell reads back as "=1+1", an export imports again unchanged. (Where
    django-import-export escapes, it drops the "=", which changes the value; its setting does not apply here.)
    Numbers, dates and booleans stay what they are: -5 is the number -5.
    """
    if not isinstance(value, str):
        return WriteOnlyCell(sheet, value=value)
    value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XML cannot hold
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    if value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell


def write_row(sheet, values):
    """Appends one row to `sheet`, every value through safe_cell. Returns the row's cells."""
    cells = [safe_cell(sheet, value) for value in values]
    sheet.append(cells)
    return cells


# ---------------------------------------------------------------------------------------------
# Table -> workbook (templates and exports)
# ---------------------------------------------------------------------------------------------
OPTIONS_SHEET = "下拉选项"
FORMATS = {"date": "yyyy-mm-dd", "text": "@"}


def write_workbook(specs, rows, title):
    """An .xlsx of one sheet: bold header, frozen; date and text columns formatted as such; the columns
    with choices get a drop-down list (kept on a hidden sheet, as lists longer than 255 characters must).

    specs: (header, format, options, strict) per column, format one of "general", "date", "text";
    rows: value lists. Written in openpyxl's write-only mode, so 100,000 rows stay small in memory.
    Every cell is written by safe_cell.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    lists = book.create_sheet(OPTIONS_SHEET)
    lists.sheet_state = "hidden"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="FFE7E6E6")
    wrap = Alignment(wrap_text=True, vertical="center")
    option_columns = [spec for spec in specs if spec[2]]
    for position, (header, fmt, options, strict) in enumerate(specs, start=1):
        letter = get_column_letter(position)
        width = {"date": 12, "text": 21}.get(fmt, 10)
        sheet.column_dimensions[letter].width = max(width, min(40, 2.2 * len(header) + 2))
        if fmt in FORMATS:
            sheet.column_dimensions[letter].number_format = FORMATS[fmt]
        if options:
            index = option_columns.index((header, fmt, options, strict)) + 1
            source = f"{quote_sheetname(OPTIONS_SHEET)}!${get_column_letter(index)}$2:${get_column_letter(index)}${len(options) + 1}"
            check = DataValidation(type="list", formula1=source, allow_blank=True, showErrorMessage=strict,
                                   errorTitle="请从下拉列表中选择", error=f"“{header}”请从下拉列表中选择。")
            check.add(f"{letter}2:{letter}1048576")
            sheet.data_validations.append(check)
    sheet.freeze_panes = "A2"

    def cell(value, fmt=None, style=None):
        c = safe_cell(sheet, value)
        if fmt in FORMATS:
            c.number_format = FORMATS[fmt]
        if style:
            c.font, c.fill, c.alignment = style
        return c

    sheet.append([cell(spec[0], style=(bold, fill, wrap)) for spec in specs])
    formats = [spec[1] for spec in specs]
    for row in rows:
        sheet.append([cell(value, fmt) for value, fmt in zip(row, formats)])
    write_row(lists, [spec[0] for spec in option_columns])
    longest = max((len(spec[2]) for spec in option_columns), default=0)
    for i in range(longest):
        write_row(lists, [spec[2][i] if i < len(spec[2]) else None for spec in option_columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
