"""How long the annual report takes: the .docx and the .xlsx for 2023, at 3,800 and 100,000 members.

Builds the demo district in a throwaway database (SQLite in memory; with DATABASE_URL=postgres://… a database
named after it with "_bench"), renders each file a few times and prints the median, with the number of SQL
queries. Targets: under 1 s at 3,800 members, under 5 s at 100,000.

    python benchmarks/report.py [--members 3800 100000] [--repeat 3]
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzhi.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-throwaway-" + os.urandom(16).hex())  # settings refuse none

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

TARGETS = {3800: 1.0, 100000: 5.0}
YEAR = 2023


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, nargs="+", default=[3800, 100000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    db = settings.DATABASES["default"]
    db.setdefault("TEST", {})["NAME"] = None if db["ENGINE"].endswith("sqlite3") else f"{db['NAME']}_bench"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    from branches import demo
    from reports.annual.content import build
    from reports.annual.document import render_docx
    from reports.annual.workbook import render_xlsx

    renderers = {".docx": lambda: render_docx(build(YEAR).document), ".xlsx": lambda: render_xlsx(build(YEAR))}
    rows = []
    try:
        for members in args.members:
            started = time.perf_counter()
            demo.load(members=members, reset=True)
            loaded = time.perf_counter() - started
            print(f"demo district with {members:,} members built in {loaded:.1f} s ({connection.vendor})", flush=True)
            for suffix, render in renderers.items():
                times = []
                for _ in range(args.repeat):
                    with CaptureQueriesContext(connection) as queries:
                        started = time.perf_counter()
                        size = len(render())
                        times.append(time.perf_counter() - started)
                rows.append((members, suffix, len(queries), statistics.median(times), max(times), size, TARGETS.get(members)))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print()
    print(f"{'members':>8}  {'file':<5}  {'queries':>7}  {'median s':>8}  {'max s':>6}  {'bytes':>7}  target")
    for members, suffix, queries, median, worst, size, target in rows:
        verdict = "" if target is None else f"< {target:g} s {'ok' if median < target else 'MISSED'}"
        print(f"{members:>8,}  {suffix:<5}  {queries:>7}  {median:>8.3f}  {worst:>6.3f}  {size:>7,}  {verdict}")


if __name__ == "__main__":
    main()
