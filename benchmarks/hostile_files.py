"""Hostile and large files: how long the member import's reader takes and how much memory it needs for each.

    .venv/bin/python benchmarks/hostile_files.py

Each file is generated here, then read in a fresh process (branches/sheets.py through MemberResource.read, as the
upload page does); the child's peak resident memory (ru_maxrss) is printed with the time and the outcome.
Targets: the merge bomb and the wide file refused within a second, and every file under the upload limit read or
refused below 300 MB.
"""
import datetime
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["姓名", "身份证号码", "所在党组织", "入党日期"]


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzhi.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()


def workbook(rows):
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_sheet_xml(data, change):
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                content = change(content.decode()).encode()
            target.writestr(item.filename, content)
    return out.getvalue()


def an_id(n):
    from branches.idcard import make_id_number

    return make_id_number("620402", datetime.date(1960, 1, 1) + datetime.timedelta(days=n // 900), n % 900 + 1)


def merge_bomb():
    return with_sheet_xml(workbook([HEADER, ["王芳", an_id(1), "红山区第一小学党支部", "2010-07-01"]]), lambda xml: xml.replace(
        "</sheetData>", '</sheetData><mergeCells count="1"><mergeCell ref="A2:XFD1048576"/></mergeCells>'))


def wide_columns():
    row = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>党员</t></is></c><c r="XFD{r}"><v>1</v></c></row>'
                  for r in range(2, 2000))
    return with_sheet_xml(workbook([HEADER]), lambda xml: xml.replace("</sheetData>", row + "</sheetData>"))


def many_rows(n=200_000):
    return workbook([HEADER] + [[f"党员{i}", an_id(i), "红山区第一小学党支部", "2010-07-01"] for i in range(n)])


def dense(rows=30_000, columns=200):
    """As many cells as a file under the limit can hold: 200 columns of numbers on every row (6 million cells)."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(c) for c in range(1, columns + 1)]

    def change(xml):
        body = "".join(
            f'<row r="{r}">' + "".join(f'<c r="{l}{r}"><v>{r}</v></c>' for l in letters) + "</row>" for r in range(2, rows + 2)
        )
        return xml.replace("</sheetData>", body + "</sheetData>")

    return with_sheet_xml(workbook([HEADER]), change)


CASES = {"merge bomb A2:XFD1048576": merge_bomb, "one cell at column XFD per row": wide_columns,
         "200,000 member rows": many_rows, "6 million cells (30,000 x 200)": dense}


def child(path):
    setup_django()
    from branches.resources import MemberResource
    from branches.sheets import SheetError

    data = Path(path).read_bytes()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        table = MemberResource().read(data)
        outcome = f"read, {len(table)} rows"
    except SheetError as exc:
        outcome = f"refused: {exc}"
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mb": peak / 1024, "growth_mb": (peak - before) / 1024, "outcome": outcome}))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        return child(sys.argv[2])
    setup_django()
    from django.conf import settings

    print(f"upload limit {settings.SHUZHI['IMPORT_MAX_MB']} MB; target: under 300 MB, bombs refused within 1 s")
    for name, make in CASES.items():
        data = make()
        with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as f:
            f.write(data)
        try:
            out = subprocess.run([sys.executable, __file__, "--child", f.name], capture_output=True, text=True, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
        finally:
            os.unlink(f.name)
        print(f"{name:<34} {len(data) / 1024:>8.0f} KB  {r['seconds']:>6.2f} s  peak {r['peak_mb']:>5.0f} MB "
              f"(+{r['growth_mb']:.0f} MB reading)  {r['outcome'][:90]}")


if __name__ == "__main__":
    main()
