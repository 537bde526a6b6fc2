"""Every benchmark in one run: each size built once, each measure timed alternately with its floor, one table.

    python benchmarks/run.py [--db sqlite|postgres] [--sizes 3800,38000,100000] [--runs 5]

For each size the demo district is built once (`manage.py migrate`, `load_demo --members N`) in a database of
its own (a temporary SQLite file, or the PostgreSQL database shuzhi_bench_run, created and dropped here). A new
process (DEBUG off, as served) then times, after one warm-up each, the median of --runs:

- the dashboard cold (every figure computed: the first look after a change) and reused (the figures remembered),
  alternating with its floor: the one grouped query over members and organizations any dashboard reads
  (dashboard.floor);
- the admin lists (lists.LISTS) as the office opens them after a change (the figures cache emptied first);
- the annual report (.docx, .xlsx), the warning list, the secretaries' duty-report summary (.xlsx; the 68 .docx
  once);
- then the member import at the same size (import_members.py, each phase in a fresh process; this replaces the
  district's members, so it comes last): its fair floor (the GC paused, as the import pauses it) and the floor with
  the GC on, the import, the preview, a re-import and an update.

It prints a table of medians, floors, ratios, SQL queries and the 1-minute load average beside each (a shared
machine slows every figure), and writes it to benchmarks/results.md, which the README quotes.
Targets (issue "Speed at province scale"): dashboard cold < 150 ms at 3,800, < 400 ms (PostgreSQL) / < 600 ms
(SQLite) at 100,000, at 38,000 no more than 1.6x the time at 3,800; every admin list < 500 ms at 100,000;
import <= 1.5x its fair floor; the preview of 200,000 rows within 60 s (import_members.py --preview-only).
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lists import LISTS, PASSWORD, office_client
from scratch import scratch_database

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.md"
PG_NAME = "shuzhi_bench_run"
ON = datetime.date(2023, 12, 31)
YEAR = 2023


def load():
    return os.getloadavg()[0]


def measure(runs):
    """Runs in a new process whose DATABASE_URL names a built district: prints one JSON line per measure."""
    client = office_client()
    from django.conf import settings
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from branches import models as m
    from branches.early_warning import evaluate
    from dashboard import floor as dashboard_floor
    from reports.annual.content import build
    from reports.annual.document import render_docx
    from reports.annual.workbook import render_xlsx
    from reports.secretary_reports import document, workbook

    def page(url):
        def get():
            response = client.get(url, secure=True)  # secure: with DEBUG off plain HTTP is redirected
            assert response.status_code == 200, (url, response.status_code)
        return get

    def timed(what, work, floor=None, prepare=None, times=runs):
        """Median of `times` runs after a warm-up, the floor (if any) timed right after each run of the work."""
        if prepare:
            prepare()
        work()
        if floor:
            floor()
        spent, floors, queries = [], [], 0
        for _ in range(times):
            if prepare:
                prepare()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                work()
                spent.append(time.perf_counter() - started)
            queries = len(captured)
            if floor:
                started = time.perf_counter()
                floor()
                floors.append(time.perf_counter() - started)
        print(json.dumps({
            "what": what, "ms": statistics.median(spent) * 1000, "queries": queries, "runs": times, "load": load(),
            "floor_ms": statistics.median(floors) * 1000 if floors else None,
        }), flush=True)

    def cold_figures():
        settings.SHUZHI["REMEMBER_FIGURES"] = False

    def reused_figures():
        settings.SHUZHI["REMEMBER_FIGURES"] = True

    def cold_list():
        settings.SHUZHI["REMEMBER_FIGURES"] = True
        caches["figures"].clear()  # the first look after a record changed

    floor = lambda: dashboard_floor(ON)  # noqa: E731
    timed("dashboard, cold", page("/dashboard/"), floor, cold_figures)
    timed("dashboard, reused", page("/dashboard/"), floor, reused_figures)
    for title, url in LISTS.items():
        timed(f"admin list: {title}", page(url), prepare=cold_list)
    cold_figures()
    timed("annual report .docx", lambda: render_docx(build(YEAR).document))
    timed("annual report .xlsx", lambda: render_xlsx(build(YEAR)))
    timed("warning list", lambda: evaluate(ON))
    review_round = m.ReviewRound.objects.filter(year=YEAR).first()
    if review_round is not None:
        timed("secretaries' reports summary .xlsx", lambda: workbook.render_xlsx(review_round, review_round.reporting()))
        timed("secretaries' 68 reports .docx", lambda: document.render_all(review_round, review_round.reporting()), times=1)


def child_env(url):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "SHUZHI_"))}
    env.update(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="benchmark-throwaway-" + os.urandom(16).hex(),
               SHUZHI_ENV_FILE=os.devnull, SHUZHI_REMEMBER_FIGURES="1", DATABASE_URL=url)
    return env


def run_size(db, members, runs):
    """Builds the district of `members` once and returns its rows (dicts), the import's last."""
    rows = []
    with scratch_database(db, PG_NAME) as url:
        env = child_env(url)
        started = time.perf_counter()
        for command in (["migrate", "-v0"], ["load_demo", "--members", str(members)],
                        ["grant_role", "bench-office", "admin", "--password", PASSWORD]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True,
                           stdout=subprocess.DEVNULL)
        print(f"{db} {members:,} members: built in {time.perf_counter() - started:.0f} s (load {load():.1f})", flush=True)
        if db == "postgres":
            subprocess.run([sys.executable, "manage.py", "dbshell", "--", "-c", "ANALYZE"], cwd=ROOT, env=env,
                           check=True, stdout=subprocess.DEVNULL)
        out = subprocess.run([sys.executable, __file__, "--measure", "--runs", str(runs)], cwd=ROOT, env=env,
                             check=True, capture_output=True, text=True)
        for line in out.stdout.splitlines():
            if line.startswith("{"):
                rows.append(json.loads(line))
                show(db, members, rows[-1])
        with tempfile.TemporaryDirectory(prefix="shuzhi-bench-") as rosters:  # its own files, not another run's
            out = subprocess.run([sys.executable, str(HERE / "import_members.py"), "--sizes", str(members), "--json"],
                                 cwd=ROOT, env={**env, "TMPDIR": rosters}, check=True, capture_output=True, text=True)
        for line in out.stdout.splitlines():
            if line.startswith("{"):
                for row in json.loads(line)["rows"]:
                    rows.append(row)
                    show(db, members, row)
    return rows


def ratio(row):
    return f"{row['ms'] / row['floor_ms']:.2f}x" if row.get("floor_ms") else "—"


def cells(db, members, row):
    seconds = row["ms"] >= 10_000
    value = f"{row['ms'] / 1000:,.1f} s" if seconds else f"{row['ms']:,.0f} ms"
    floor = "—" if not row.get("floor_ms") else (
        f"{row['floor_ms'] / 1000:,.1f} s" if seconds else f"{row['floor_ms']:,.1f} ms")
    extra = f" / GC on {row['floor_gc_on_ms'] / 1000:,.1f} s ({row['ms'] / row['floor_gc_on_ms']:.2f}x)" \
        if row.get("floor_gc_on_ms") else ""
    queries = "—" if row.get("queries") is None else f"{row['queries']:,}"
    return [db, f"{members:,}", row["what"], value, floor + extra, ratio(row), queries, str(row["runs"]),
            f"{row['load']:.1f}"]


HEADER = ["database", "members", "what", "median", "floor", "/ floor", "queries", "runs", "load"]


def show(db, members, row):
    print("  " + " | ".join(cells(db, members, row)), flush=True)


def write_results(db, table, started):
    """This database's table in results.md, in place of its previous one; the other database's table is kept."""
    begin, end = f"<!-- {db} -->", f"<!-- /{db} -->"
    section = [
        begin, f"## {'PostgreSQL' if db == 'postgres' else 'SQLite'}", "",
        f"`python benchmarks/run.py {' '.join(sys.argv[1:])}`, {started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}.", "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "|".join(["---", "---:", "---", "---:", "---:", "---:", "---:", "---:", "---:"]) + "|",
        *("| " + " | ".join(row) + " |" for row in table),
        end,
    ]
    text = RESULTS.read_text() if RESULTS.exists() else INTRO
    if begin in text and end in text:
        text = text[:text.index(begin)] + "\n".join(section) + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(section) + "\n"
    RESULTS.write_text(text)


INTRO = """# Benchmark results

Written by `python benchmarks/run.py` (see its docstring for what each line measures). "median" is the median of the
runs after a warm-up; "floor" is what the work must at least spend, timed alternately with it: for the dashboard the
one grouped query over members and organizations; for the import openpyxl's read plus `bulk_create`, with Python's
GC paused as the import pauses it (the fair floor, whose ratio is "/ floor") and with the GC on (after the slash).
"load" is the 1-minute load average when the measure ended: this machine is shared, and every figure is slower by
about as much as the load exceeds the cores.
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--sizes", default="3800,38000,100000", help="members, comma-separated")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure(args.runs)
    started = datetime.datetime.now(datetime.timezone.utc)
    table = []
    for members in [int(size) for size in args.sizes.split(",")]:
        table += [cells(args.db, members, row) for row in run_size(args.db, members, args.runs)]
    print("\n| " + " | ".join(HEADER) + " |")
    for row in table:
        print("| " + " | ".join(row) + " |")
    write_results(args.db, table, started)
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
