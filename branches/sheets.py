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


class Grid:
    """One worksheet: its (spreadsheet row number, [values]) pairs, read as they are asked for.

    `head()` holds the first rows (where the header is looked for); iterating gives every row once, the head
    first. `hidden` holds the numbers of the rows Excel hides, complete once the rows have been read.
    """

    def __init__(self, title, rows=(), hidden=(), expected=None):
        self.title = title
        self.hidden = set(hidden)
        self.expected = expected  # about how many rows the sheet has (for a progress bar), where known
        self._rows = iter(rows)
        self._head = None

    def head(self):
        if self._head is None:
            self._head = []
            for row in self._rows:
                self._head.append(row)
                if len(self._head) >= HEADER_SCAN_ROWS:
                    break
        return self._head

    def __iter__(self):
        head, self._head = self.head(), []
        yield from head
        yield from self._rows


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


FILE_NAMES = {"xlsx": "Excel（.xlsx）", "xls": "Excel 97-2003（.xls）", "csv": "CSV"}


def unreadable(kind, exc):
    return SheetError(
        f"文件无法作为{FILE_NAMES[kind]}表格读取（{type(exc).__name__}）。请在Excel中打开该文件，另存为.xlsx后重新上传。"
    )


def read_grids(data):
    """All worksheets of the file, the active one first. Raises SheetError for anything that is not a table.

    The rows are read as the grids are iterated (a 200,000-row sheet is never held whole); a file that turns out
    broken half-way raises SheetError there."""
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
        raise unreadable(kind, exc) from exc


def _guarded(kind, rows):
    try:
        yield from rows
    except SheetError:
        raise
    except Exception as exc:
        raise unreadable(kind, exc) from exc


def _laid_out(title, rows, ranges=()):
    """Rows as the table wants them: merged ranges filled, empty rows left out, each row within the bounds."""
    bounds = Bounds(title)
    for number, values in _filled(title, rows, ranges):
        while values and values[-1] is None:  # a text of spaces only
            values.pop()
        if values:
            bounds.row(number, values)
            yield number, values


def _filled(title, rows, ranges):
    """A merged cell holds its value in the top-left cell only; every cell of the range shows it.

    A range is clipped to the cells the sheet really uses: to its rows (a range drawn to the end of the sheet,
    A2:XFD1048576, ends with the last row) and to the widest row read so far (the header comes first), so that it
    fills no more than the table it covers. `rows` come in row order, their trailing empty cells trimmed.
    """
    if not ranges:
        yield from rows
        return
    pending = sorted(ranges)  # (min_row, min_col, max_row, max_col), by first row
    active, values_of = [], {}
    width, filled, previous = 0, 0, 0
    for number, values in rows:
        while values and values[-1] is None:
            values.pop()
        width = max(width, len(values))
        # Rows the file leaves out inside a merged range still show its value.
        gap = [n for n in range(previous + 1, number) if any(r[0] <= n <= r[2] for r in active)] if active else []
        previous = number
        for n in gap:
            out, filled = _fill_row(title, n, [], active, values_of, width, filled)
            yield n, out
        while pending and pending[0][0] <= number:
            r = pending.pop(0)
            if r[2] >= number:
                active.append(r)
        active = [r for r in active if r[2] >= number]
        for r in active:
            if r[0] == number:
                values_of[r] = values[r[1] - 1] if len(values) >= r[1] else None
        out, filled = _fill_row(title, number, values, active, values_of, width, filled)
        yield number, out


def _fill_row(title, number, values, active, values_of, width, filled):
    filled += len(values)
    for r in active:
        value = values_of.get(r)
        if value is None or not r[0] <= number <= r[2]:
            continue
        last = min(r[3], width)
        if last < r[1]:
            continue
        if len(values) < last:
            values.extend([None] * (last - len(values)))
        values[r[1] - 1:last] = [value] * (last - r[1] + 1)
        filled += last - r[1] + 1
    if filled > MAX_CELLS:
        raise SheetError(
            f"工作表“{title}”的合并单元格展开后超过{MAX_CELLS // 10000}万个单元格，超出一次导入的上限。"
            "请取消合并单元格（开始→合并后居中→取消单元格合并）后重新上传。"
        )
    return values, filled


# -- .xlsx: python-calamine, a sheet at a time in pieces ------------------------------------------------
# calamine (Rust) reads a worksheet some ten times faster than openpyxl, but it holds the whole sheet's cells in
# memory (about 200 MB for 200,000 rows of 17 columns) and tells neither hidden rows nor formulas without a
# calculated result. So one pass over the sheet's XML (sheet_pieces) first notes those and the merged ranges,
# checks the columns, and copies the rows into a workbook of its own, PIECE_ROWS row numbers a sheet, which
# calamine then reads piece by piece.
SHARED_STRINGS_MAX_MB = 64  # a 200,000-row roster's texts take about 25 MB of XML
PIECE_ROWS = 5000  # row numbers per piece: at most 5,000 x MAX_COLUMNS cells held at once
XML_CHUNK = 1 << 20
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
_ROOT = re.compile(rb"<" + _PREFIX + rb"worksheet\b[^>]*>")
_SHEET_DATA = re.compile(rb"<(" + _PREFIX + rb")sheetData\b[^>]*?(/?)>")
_ROW = re.compile(rb"<" + _PREFIX + rb"row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
_HIDDEN = re.compile(rb'\shidden="(?:1|true)"')
_WIDE_CELL = re.compile(rb"<" + _PREFIX + rb'c\b[^>]*?\sr="([A-Z]{2,})(\d+)"[^>]*>')
_FORMULA = re.compile(rb"<" + _PREFIX + rb"f\b([^>]*?)(?:/>|>(.*?)</" + _PREFIX + rb"f>)", re.S)
_CELL_REF = re.compile(rb'\sr="([A-Z]+)(\d+)"')
_CELL_TYPE = re.compile(rb'\st="(\w+)"')
_MERGE = re.compile(rb"<" + _PREFIX + rb'mergeCell\b[^>]*?\sref="([A-Z]+\d+(?::[A-Z]+\d+)?)"')


def _column_number(letters):
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _read_xlsx(data):
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = {i.filename.lower(): i for i in archive.infolist()}
    texts = names.get("xl/sharedstrings.xml")
    if texts is not None and texts.file_size > SHARED_STRINGS_MAX_MB * 1024 * 1024:
        raise SheetError(
            f"表格中的文字内容展开后超过{SHARED_STRINGS_MAX_MB} MB，超出一次导入的上限。请把表格拆成几个文件分批导入。"
        )
    book = _workbook_parts(archive)
    sheets = list(book["sheets"])
    if 0 <= book["active"] < len(sheets):
        sheets.insert(0, sheets.pop(book["active"]))
    grids = []
    for title, path in sheets:
        if path is not None:
            grid = Grid(title)
            grid._rows = _guarded("xlsx", _xlsx_rows(archive, book, grid, path))
            grids.append(grid)
    return grids


def _workbook_parts(archive):
    """The workbook's worksheets (title, XML path; chart sheets left out), the active one, and its shared parts."""
    import posixpath
    from xml.etree import ElementTree

    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets, parts = {}, {}
    for rel in rels.iter(f"{{{PACKAGE_REL_NS}}}Relationship"):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[rel.get("Id")] = (rel.get("Type", "").rsplit("/", 1)[-1], path)
        parts.setdefault(rel.get("Type", "").rsplit("/", 1)[-1], path)
    sheets = []
    for sheet in workbook.iter(f"{{{MAIN_NS}}}sheet"):
        kind, path = targets.get(sheet.get(f"{{{REL_NS}}}id"), (None, None))
        sheets.append((sheet.get("name", ""), path if kind == "worksheet" else None))
    view = workbook.find(f"{{{MAIN_NS}}}bookViews/{{{MAIN_NS}}}workbookView")
    properties = workbook.find(f"{{{MAIN_NS}}}workbookPr")
    date1904 = properties is not None and properties.get("date1904") in ("1", "true")
    active = int(view.get("activeTab", 0)) if view is not None and (view.get("activeTab") or "0").isdigit() else 0
    return {"sheets": sheets, "active": active, "date1904": date1904,
            "strings": parts.get("sharedStrings"), "styles": parts.get("styles")}


def _xlsx_rows(archive, book, grid, path):
    scan = _scan_sheet(archive, book, grid.title, path)
    grid.hidden.update(scan["hidden"])
    grid.expected = scan["rows"]
    yield from _laid_out(grid.title, _calamine_rows(scan), scan["merged"])


def _scan_sheet(archive, book, title, path):
    """One pass over the sheet's XML: its hidden rows, merged ranges and formulas without a result, every value's
    column within MAX_COLUMNS; its rows copied, PIECE_ROWS row numbers a sheet, into a workbook of their own (a
    temporary file, already unlinked once calamine holds it open)."""
    import html
    import os
    import shutil
    import tempfile

    hidden, uncalculated, pieces = set(), {}, []
    fd, temp = tempfile.mkstemp(prefix="shuzhi-sheet-", suffix=".xlsx")
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED) as out, archive.open(path) as src:
            for part, name in ((book["strings"], "xl/sharedStrings.xml"), (book["styles"], "xl/styles.xml")):
                if part is not None and part in archive.namelist():
                    with archive.open(part) as p, out.open(name, "w") as target:
                        shutil.copyfileobj(p, target, XML_CHUNK)
            buf = b""
            while True:
                found = _SHEET_DATA.search(buf)
                if found:
                    break
                chunk = src.read(XML_CHUNK)
                if not chunk or len(buf) > 16 * XML_CHUNK:
                    raise SheetError(f"工作表“{title}”无法读取（没有找到表格数据）。请在Excel中打开该文件，另存为.xlsx后重新上传。")
                buf += chunk
            root = _ROOT.search(buf, 0, found.start())
            if root is None:
                raise SheetError(f"工作表“{title}”无法读取（不是Excel工作表）。请在Excel中打开该文件，另存为.xlsx后重新上传。")
            prefix = found.group(1)
            opening = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + root.group(0)
                       + b"<" + prefix + b"sheetData>")
            root_name = re.match(rb"<([^\s>/]+)", root.group(0)).group(1)
            closing = b"</" + prefix + b"sheetData></" + root_name + b">"
            row_end, data_end = b"</" + prefix + b"row>", b"</" + prefix + b"sheetData>"
            cell_start, cell_end = b"<" + prefix + b"c ", b"</" + prefix + b"c>"
            value_text = re.compile(b"<" + re.escape(prefix) + rb"v>([^<]*)</")
            has_value = re.compile(b"<" + re.escape(prefix) + rb"(?:v>[^<]|is\b|f\b)")
            formula_start = b"<" + prefix + b"f"
            state = {"piece": None, "writer": None, "number": 0, "rows": 0}

            def write(segment):
                """Copies complete rows into the pieces, noting what calamine will not tell."""
                position = 0
                for row in _ROW.finditer(segment):
                    attrs = row.group(1)
                    number = _ROW_NUMBER.search(attrs)
                    number = int(number.group(1)) if number else state["number"] + 1
                    state["number"] = number
                    state["rows"] += 1
                    if _HIDDEN.search(attrs):
                        hidden.add(number)
                    piece = (number - 1) // PIECE_ROWS
                    if piece != state["piece"]:
                        if state["writer"] is not None:
                            state["writer"].write(segment[position:row.start()])
                            state["writer"].write(closing)
                            state["writer"].close()
                        pieces.append(piece)
                        state["piece"], state["writer"] = piece, out.open(f"xl/worksheets/p{len(pieces)}.xml", "w")
                        state["writer"].write(opening)
                        position = row.start()
                for cell in _WIDE_CELL.finditer(segment):
                    column = _column_number(cell.group(1))
                    if column <= MAX_COLUMNS or cell.group(0).endswith(b"/>"):
                        continue
                    if has_value.search(segment[cell.end():segment.find(cell_end, cell.end())]):
                        Bounds(title).width(int(cell.group(2)), column)
                if segment.find(formula_start) >= 0:
                    for formula in _FORMULA.finditer(segment):
                        begin = segment.rfind(cell_start, 0, formula.start())
                        attrs = segment[begin:segment.find(b">", begin)]
                        close = segment.find(cell_end, formula.end())
                        value = value_text.search(segment, formula.end(), close if close >= 0 else len(segment))
                        kind = _CELL_TYPE.search(attrs)
                        ref = _CELL_REF.search(attrs)
                        if ref and not (value and value.group(1)) and (kind.group(1) if kind else b"n") != b"str":
                            text = html.unescape((formula.group(2) or b"").decode("utf-8", "replace"))
                            uncalculated.setdefault(int(ref.group(2)), {})[_column_number(ref.group(1)) - 1] = Uncalculated(text)
                if state["writer"] is not None:
                    state["writer"].write(segment[position:])

            try:
                tail = _copy_rows(src, buf, found, write, row_end, data_end, title)
            finally:  # an open piece would keep the workbook from closing, and hide why the reading stopped
                if state["writer"] is not None:
                    state["writer"].write(closing)
                    state["writer"].close()
            tail += src.read(64 * XML_CHUNK)
            merged = [_bounds(m.group(1).decode()) for m in _MERGE.finditer(tail)]
            _write_workbook_parts(out, len(pieces), book["date1904"])
        return {"path": temp, "pieces": pieces, "hidden": hidden, "merged": merged, "uncalculated": uncalculated,
                "rows": state["rows"]}
    except BaseException:
        os.unlink(temp)
        raise


def _copy_rows(src, buf, found, write, row_end, data_end, title):
    """Hands the sheet's rows to `write` in chunks of complete rows; returns what follows them."""
    if found.group(2):  # <sheetData/>: no rows
        return buf[found.end():]
    buf = buf[found.end():]
    while True:
        end = buf.find(data_end)
        if end >= 0:
            write(buf[:end])
            return buf[end:]
        cut = buf.rfind(row_end)
        if cut >= 0:
            cut += len(row_end)
            write(buf[:cut])
            buf = buf[cut:]
        chunk = src.read(XML_CHUNK)
        if not chunk:
            raise SheetError(f"工作表“{title}”的数据不完整（文件可能已损坏）。请在Excel中打开该文件，另存为.xlsx后重新上传。")
        if len(buf) > 64 * XML_CHUNK:
            raise SheetError(f"工作表“{title}”的一行内容超过64 MB，无法读取。请删去无关的内容后重新上传。")
        buf += chunk


def _write_workbook_parts(out, count, date1904):
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml."
    rel_type = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    out.writestr("[Content_Types].xml", (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{sheet_type}sheet.main+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{sheet_type}sharedStrings+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{sheet_type}styles+xml"/>'
        + "".join(f'<Override PartName="/xl/worksheets/p{i}.xml" ContentType="{sheet_type}worksheet+xml"/>'
                  for i in range(1, count + 1))
        + "</Types>"))
    out.writestr("_rels/.rels", (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_REL_NS}">'
        f'<Relationship Id="rId1" Type="{rel_type}officeDocument" Target="xl/workbook.xml"/></Relationships>'))
    out.writestr("xl/workbook.xml", (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        + ('<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>") + "<sheets>"
        + "".join(f'<sheet name="p{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, count + 1))
        + "</sheets></workbook>"))
    names = set(out.namelist())
    out.writestr("xl/_rels/workbook.xml.rels", (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_REL_NS}">'
        + "".join(f'<Relationship Id="rId{i}" Type="{rel_type}worksheet" Target="worksheets/p{i}.xml"/>'
                  for i in range(1, count + 1))
        + (f'<Relationship Id="rIdStrings" Type="{rel_type}sharedStrings" Target="sharedStrings.xml"/>'
           if "xl/sharedStrings.xml" in names else "")
        + (f'<Relationship Id="rIdStyles" Type="{rel_type}styles" Target="styles.xml"/>' if "xl/styles.xml" in names else "")
        + "</Relationships>"))


def _calamine_rows(scan):
    """The pieces' rows as (row number, cleaned values), the formulas without a result put back on their cells."""
    import os

    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_path(scan["path"])
    finally:
        os.unlink(scan["path"])  # calamine holds the file open; nothing is left in the temporary folder
    uncalculated = scan["uncalculated"]
    try:
        for index, piece in enumerate(scan["pieces"]):
            sheet = book.get_sheet_by_index(index)
            start = sheet.start
            rows = ()
            if start is not None:
                rows = _piece_rows(sheet, start)
            if uncalculated:
                first, last = piece * PIECE_ROWS + 1, (piece + 1) * PIECE_ROWS
                rows = _with_formulas(rows, sorted(n for n in uncalculated if first <= n <= last), uncalculated)
            yield from rows
            del sheet, rows
    finally:
        book.close()


def _piece_rows(sheet, start):
    # to_python() starts at the piece's first used row and column (iter_rows() would start at the sheet's first
    # row); a piece is at most PIECE_ROWS rows.
    first_row, first_column = start
    pad = [None] * first_column
    for number, row in enumerate(sheet.to_python(), start=first_row + 1):
        yield number, pad + [clean_cell(v) for v in row]


def _with_formulas(rows, numbers, uncalculated):
    def put(number, values):
        for column, marker in uncalculated[number].items():
            if len(values) <= column:
                values.extend([None] * (column + 1 - len(values)))
            values[column] = marker
        return values

    for number, values in rows:
        while numbers and numbers[0] < number:
            n = numbers.pop(0)
            yield n, put(n, [])
        if numbers and numbers[0] == number:
            numbers.pop(0)
            values = put(number, values)
        yield number, values
    for n in numbers:
        yield n, put(n, [])


def _bounds(ref):
    from openpyxl.utils.cell import range_boundaries

    min_col, min_row, max_col, max_row = range_boundaries(str(ref))
    return min_row, min_col, max_row, max_col


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
        hidden = {r + 1 for r, info in getattr(sheet, "rowinfo_map", {}).items() if info.hidden}
        merged = [(r0 + 1, c0 + 1, r1, c1) for r0, r1, c0, c1 in getattr(sheet, "merged_cells", [])]
        rows = _guarded("xls", _laid_out(sheet.name, _xls_rows(book, sheet), merged))
        grids.append(Grid(sheet.name, rows, hidden, expected=sheet.nrows))
    return grids


def _xls_rows(book, sheet):
    import xlrd

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
        yield r + 1, values


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
    return Grid("CSV", _guarded("csv", _laid_out("CSV", _csv_rows(text, delimiter))), expected=text.count("\n") + 1)


def _csv_rows(text, delimiter):
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
            yield number, [clean_cell(v) for v in values]
    except csv.Error as exc:
        raise SheetError(f"CSV文件格式有误（{exc}）。请在Excel中另存为.xlsx后上传。") from exc


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
    for number, values in grid.head():
        found = _match_header(values, columns)
        score = len(found) + sum(1 for n in found.values() if n in columns.keys)
        if score > best_score:
            best, best_score = (number, values, found), score
    return best


class Table:
    """The rows of the chosen worksheet under its header, read as they are iterated (once): each a list, the
    spreadsheet row number (ROW) first, then the columns of `headers`. `notes` says what was left out; it is
    complete once every row has been read. A row past the limits raises SheetError where it is met."""

    def __init__(self, headers, rows, notes, sheet_title, expected=None):
        self.headers, self.notes, self.sheet_title = headers, notes, sheet_title
        self.expected = expected  # about how many rows it has, for a progress bar (None: not known)
        self._rows = rows

    def __iter__(self):
        return self._rows


def find_table(grids, columns, others=list):
    """The rows of the first worksheet whose header this resource reads, as a Table.

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
    names = [found[i] for i in sorted(found)]
    rows = _table_rows(grid, header_number, header_values, found, columns, notes)
    expected = max(0, grid.expected - header_number) if grid.expected is not None else None
    return Table([ROW] + names, rows, notes, grid.title, expected)


def _table_rows(grid, header_number, header_values, found, columns, notes):
    indexes = sorted(found)
    names = [found[i] for i in indexes]
    key_positions = [pos for pos, name in enumerate(names) if name in columns.keys]
    other_indexes = [i for i, v in enumerate(header_values) if i not in found and header_key(v) not in NUMBERING_HEADERS]
    header_row = [header_values[i] for i in indexes]
    example = [columns.example.get(name) for name in names]
    has_example = any(v is not None for v in example)
    limit, count = max_rows(), 0
    left_out, hidden = [], []
    for number, values in grid:
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
        if has_example and all(_same(c, v) for c, v in zip(row, example) if v is not None):
            left_out.append(f"第{number}行（模板示例行）")
            continue
        count += 1
        if count > limit:
            raise too_many_rows(grid.title, limit)
        if number in grid.hidden:
            hidden.append(number)
        yield [number] + row
    if hidden:
        shown_rows = "、".join(map(str, hidden[:20])) + ("等" if len(hidden) > 20 else "")
        notes.append(
            f"第{shown_rows}行在Excel中是隐藏行（共{len(hidden)}行），也将导入。如不应导入，请在Excel中删除这些行后重新上传。"
        )
    if left_out:
        notes.append("未导入：" + "、".join(left_out) + "。")
    if not count:
        raise SheetError(f"第{header_number}行是表头，但表头下面没有数据行。请在表头下逐行填写{columns.title}信息后再上传。")


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
    if not any(grid.head() for grid in grids):
        return "表格里没有任何内容。请填写后再上传。"
    return (f"在表格前{HEADER_SCAN_ROWS}行中没有找到{columns.title}表的表头（至少需要{needed}列）。"
            f"请确认上传的是{columns.title}表格，表头写在数据上方，或下载导入模板对照填写。")


def stream_table(data, columns, others=list):
    """Bytes -> Table, read as it is iterated, for the resource that declares `columns`. Raises SheetError with a
    Chinese message (reading the rows may raise it too, where a row is past the limits)."""
    return find_table(read_grids(data), columns, others)


def read_table(data, columns, others=list):
    """Bytes -> Dataset (every row read), for the resource that declares `columns`. Raises SheetError with a
    Chinese message."""
    with paused_gc():
        table = stream_table(data, columns, others)
        dataset = tablib.Dataset(headers=table.headers)
        for row in table:
            dataset.append(row)
        dataset.notes = table.notes
        dataset.sheet_title = table.sheet_title
        return dataset


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
