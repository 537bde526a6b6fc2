"""Speed and memory of the member import, against the floor measured in the same run.

    python benchmarks/import_members.py [--sizes 3800 100000] [--repeat 3]

For each size it generates a roster (.xlsx, the export's columns) over the demo district's branches and
times, each in a fresh process so that peak memory is that phase's own:

- floor: openpyxl read-only parsing of the file plus bulk_create of the rows (no validation at all);
- preview: what the admin's import job runs before the confirm: the file streamed, every row checked
  (importing.check, nothing written), and the page's summary of it;
- import: the admin's code path, MemberResource.read() + import_data(), into a roll with no members;
- re-import: the same file again, when nothing changes;
- update: the same roster with every member's phone number changed (every row an update of one column).

The database is DATABASE_URL, or a SQLite file in the temporary directory. Not a test: nothing is asserted.
"""
import argparse
import contextlib
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzhi.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-throwaway-" + os.urandom(16).hex())  # settings refuse none
os.environ.setdefault("DATABASE_URL", f"sqlite:///{Path(tempfile.gettempdir()) / 'shuzhi-benchmark.sqlite3'}")
HEADERS = ["序号", "姓名", "身份证号码", "性别", "民族", "出生日期", "学历", "所在党组织", "党员类别", "入党日期",
           "转正日期", "党内职务", "岗位", "联系电话", "在册状态", "骨干教师称号", "称号年度"]


def django_setup():
    import django

    django.setup()


def roster_path(size, variant=""):
    return Path(tempfile.gettempdir()) / f"shuzhi-roster-{size}{variant}.xlsx"


def setup(sizes):
    """The demo district without its members, and one roster file per size."""
    django_setup()
    import xlsxwriter
    from django.core.management import call_command

    from branches import demo
    from branches import models as m
    from branches.idcard import make_id_number

    call_command("migrate", verbosity=0)
    demo.load(members=200, reset=True)
    m.Member.objects.all().delete()
    leaves = list(m.Organization.objects.filter(kind__in=m.BRANCH_KINDS, is_active=True).values_list("name", flat=True))
    rng = random.Random(2023)
    for size in sizes:
        if os.environ.get("SHUZHI_BENCH_KEEP_ROSTERS") and roster_path(size).exists() and roster_path(size, "-update").exists():
            continue  # the same seed writes the same rosters: reuse them (their organizations are the demo's)
        rows = []
        for i in range(size):
            born = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randint(0, 14000))
            seq = i % 1000
            number = make_id_number(f"62{(i // 1000) % 10000:04d}", born, seq)
            join = datetime.date(born.year + 25, rng.randint(1, 12), rng.randint(1, 28))
            rows.append([
                i + 1, rng.choice("王李张刘陈杨赵黄周吴") + rng.choice("建国华明丽娟军平芳伟"), number,
                "男" if seq % 2 else "女", "汉族", born, "大学本科", rng.choice(leaves), "正式党员", join,
                datetime.date(join.year + 1, join.month, join.day), "无", "专任教师", f"139{i:08d}", "在册",
            ])
        phone = HEADERS.index("联系电话")
        for variant, phones in (("", "139"), ("-update", "177")):
            # Written as Excel and WPS write them (shared strings, a dimension record), not as openpyxl does.
            book = xlsxwriter.Workbook(roster_path(size, variant))  # not constant_memory: that writes inline strings
            sheet = book.add_worksheet("党员名册")
            day = book.add_format({"num_format": "yyyy-mm-dd"})
            sheet.write_row(0, 0, ["红山区教育系统党员名册"])
            sheet.write_row(1, 0, HEADERS)
            for i, row in enumerate(rows):
                row[phone] = phones + row[phone][3:]
                for col, value in enumerate(row):
                    if isinstance(value, datetime.date):
                        sheet.write_datetime(i + 2, col, value, day)
                    else:
                        sheet.write(i + 2, col, value)
            book.close()


def floor(size, gc_paused=True):
    """openpyxl read-only parsing plus bulk_create: what any import must at least spend.

    The import pauses Python's cyclic garbage collector (sheets.paused_gc); the fair floor does too, else the import
    would be compared with code doing extra work. floor_gc_on keeps the collector on, as plain code would."""
    django_setup()
    import openpyxl
    from django.db import transaction

    from branches import models as m
    from branches.sheets import paused_gc

    start = time.perf_counter()
    with paused_gc() if gc_paused else contextlib.nullcontext():
        orgs = dict(m.Organization.objects.values_list("name", "pk"))
        book = openpyxl.load_workbook(roster_path(size), read_only=True, data_only=True)
        rows = book.active.iter_rows(min_row=3, values_only=True)
        members = [
            m.Member(name=r[1], id_number=r[2], gender=r[3], ethnicity=r[4], birth_date=r[5].date(), education="bachelor",
                     organization_id=orgs[r[7]], status="full", join_date=r[9].date(), full_member_date=r[10].date(),
                     job="teacher", phone=r[13], roll_status="on_roll")
            for r in rows
        ]
        with transaction.atomic():
            m.Member.objects.bulk_create(members, batch_size=2000)
    elapsed = time.perf_counter() - start
    m.Member.objects.all().delete()
    return {"seconds": elapsed}


def run_import(size, variant=""):
    """The admin's code path: read the sheet, preview nothing, import_data() for real."""
    django_setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from branches.resources import MemberResource

    start = time.perf_counter()
    data = roster_path(size, variant).read_bytes()
    resource = MemberResource()
    dataset = resource.read(data)
    with CaptureQueriesContext(connection) as queries:
        result = resource.import_data(dataset, dry_run=False)
    elapsed = time.perf_counter() - start

    return {"seconds": elapsed, "queries": len(queries), "totals": dict(result.totals)}


def run_preview(size):
    """The preview the admin's import job (and import_sheet) runs before the confirm: the file streamed and every row
    checked (importing.check, nothing written), then what the page shows."""
    django_setup()
    from branches.importing import check, preview
    from branches.resources import MemberResource

    start, cpu = time.perf_counter(), time.process_time()
    resource = MemberResource()
    result = check(resource, resource.stream(roster_path(size).read_bytes()))
    shown = preview(result)
    elapsed = time.perf_counter() - start
    # CPU seconds beside the wall clock: on a shared machine the wall clock also counts the others' work.
    return {"seconds": elapsed, "cpu_seconds": time.process_time() - cpu, "totals": dict(result.totals),
            "sample": len(shown["new_rows"])}


def clear(size=None):
    django_setup()
    from branches import models as m

    m.Member.objects.all().delete()
    return {}


PHASES = {"floor": floor, "floor_gc_on": lambda size: floor(size, gc_paused=False), "preview": run_preview, "import": run_import, "update": lambda size: run_import(size, "-update"), "clear": clear}


def peak_mb():
    """This process's peak resident memory. Not getrusage(): a child inherits its parent's high-water mark."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase(name, size):
    """Run one phase in a fresh process; returns its figures and its peak resident memory."""
    out = subprocess.run(
        [sys.executable, __file__, "--phase", name, "--size", str(size)],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[3800, 100000])
    parser.add_argument("--phase", choices=PHASES)
    parser.add_argument("--size", type=int)
    parser.add_argument("--repeat", type=int, default=1, help="run each phase this many times and keep the fastest")
    parser.add_argument("--preview-only", action="store_true", help="time only the preview (e.g. --sizes 200000)")
    parser.add_argument("--json", action="store_true", help="print each size's figures as one JSON line (run.py)")
    args = parser.parse_args()
    if args.phase:
        figures = PHASES[args.phase](args.size)
        figures["peak_mb"] = peak_mb()
        print(json.dumps(figures))
        return
    setup(args.sizes)
    if args.preview_only:
        for size in args.sizes:
            shown = phase("preview", size)
            assert shown["totals"]["new"] == size and shown["sample"] <= 500, shown
            print(f"preview of {size:,} rows: {shown['seconds']:.1f} s ({shown['cpu_seconds']:.1f} s CPU), "
                  f"peak {shown['peak_mb']:.0f} MB "
                  f"(load {os.getloadavg()[0]:.1f})", flush=True)
        return
    backend = os.environ["DATABASE_URL"].split(":", 1)[0]
    lines = [
        f"database: {backend}; {os.cpu_count()} cores; Python {sys.version.split()[0]}",
        "",
        "| rows | floor (s) | floor, GC on (s) | preview (s) | import (s) | import / floor | import / floor GC on "
        "| re-import (s) | re-import / import | update (s) | import queries | peak MB (preview) | peak MB (import) "
        "| peak MB (re-import) | peak MB (update) | load |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in args.sizes:
        runs = []
        for _ in range(args.repeat):  # a shared machine is noisy: the fastest of a few runs of each phase
            runs.append(run_phases(size))
        base, base_gc, shown, first, again, update = (
            min((r[i] for r in runs), key=lambda f: f["seconds"]) for i in range(6))
        assert shown["totals"]["new"] == size and shown["sample"] <= 500, shown
        assert first["totals"]["new"] == size and first["totals"]["invalid"] == 0, first
        assert again["totals"]["skip"] == size, again
        assert update["totals"]["update"] == size, update
        if args.json:
            print(json.dumps({"size": size, "rows": as_rows(args.repeat, base, base_gc, shown, first, again, update)}))
            continue
        lines.append(
            f"| {size:,} | {base['seconds']:.2f} | {base_gc['seconds']:.2f} | {shown['seconds']:.2f} | {first['seconds']:.2f} "
            f"| {first['seconds'] / base['seconds']:.2f}x | {first['seconds'] / base_gc['seconds']:.2f}x "
            f"| {again['seconds']:.2f} | {again['seconds'] / first['seconds']:.2f}x | {update['seconds']:.2f} "
            f"| {first['queries']} | {shown['peak_mb']:.0f} | {first['peak_mb']:.0f} | {again['peak_mb']:.0f} "
            f"| {update['peak_mb']:.0f} | {os.getloadavg()[0]:.1f} |"
        )
        print(lines[-1], flush=True)
    print("\n".join(lines))


def as_rows(repeat, base, base_gc, shown, first, again, update):
    """The phases as run.py's rows: milliseconds, the import against both floors."""
    def row(what, figures, **more):
        return {"what": what, "ms": figures["seconds"] * 1000, "queries": figures.get("queries"), "runs": repeat,
                "load": os.getloadavg()[0], "peak_mb": figures["peak_mb"], **more}

    return [
        row("import (peak {:.0f} MB)".format(first["peak_mb"]), first, floor_ms=base["seconds"] * 1000,
            floor_gc_on_ms=base_gc["seconds"] * 1000),
        row("import preview (peak {:.0f} MB)".format(shown["peak_mb"]), shown),
        row("re-import, nothing changed", again),
        row("import, every phone changed", update),
    ]


def run_phases(size):
    """One round of every phase at `size`, each floor next to the import it is compared with; the roll left empty."""
    phase("clear", size)
    base = phase("floor", size)
    base_gc = phase("floor_gc_on", size)
    shown = phase("preview", size)
    first = phase("import", size)
    again = phase("import", size)
    update = phase("update", size)
    phase("clear", size)
    return base, base_gc, shown, first, again, update

if __name__ == "__main__":
    main()
