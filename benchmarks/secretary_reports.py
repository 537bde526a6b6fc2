"""How long every basic-level secretary's 述职报告 takes: the 68 .docx and summary.xlsx of the 2023 round.

Builds the demo district in a throwaway database (SQLite in memory; with DATABASE_URL=postgres://… a database
named after it with "_bench"), renders the round a few times and prints the median seconds and the SQL queries.
Target: all 68 reports under 20 s at 3,800 members. Nothing is asserted: it prints figures.

    python benchmarks/secretary_reports.py [--members 3800] [--repeat 3]
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

TARGET = 20.0
YEAR = 2023


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, nargs="+", default=[3800])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    db = settings.DATABASES["default"]
    db.setdefault("TEST", {})["NAME"] = None if db["ENGINE"].endswith("sqlite3") else f"{db['NAME']}_bench"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    from branches import demo
    from branches import models as m
    from reports.secretary_reports import document, workbook

    try:
        for members in args.members:
            demo.load(members=members, reset=True)
            review_round = m.ReviewRound.objects.get(year=YEAR)
            steps = {"68 .docx": lambda: document.render_all(review_round, review_round.reporting()),
                     "summary.xlsx": lambda: workbook.render_xlsx(review_round, review_round.reporting())}
            for label, render in steps.items():
                times = []
                for _ in range(args.repeat):
                    with CaptureQueriesContext(connection) as queries:
                        started = time.perf_counter()
                        out = render()
                        times.append(time.perf_counter() - started)
                count = len(out) if isinstance(out, list) else 1
                print(f"{members:>7,} members  {label:<13} {count:>3} file(s)  median {statistics.median(times):6.2f} s"
                      f"  (target {TARGET:.0f} s)  {len(queries)} queries ({connection.vendor})", flush=True)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
