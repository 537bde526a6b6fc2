"""How long the whole warning list takes, and in how many queries: at 3,800 and 100,000 members.

Builds the demo district in a throwaway database (SQLite in memory; with DATABASE_URL=postgres://… the database
shuzhi_bench_warnings), adds earlier years of meetings so that the meeting table holds a history and not one
year, then times, each a few times (median and worst):

- the warning list for 31 December 2023 (branches.early_warning.evaluate), the figure the target is for;
- the list written as xlsx (what /warnings/?format=xlsx and `manage.py warnings --output` send);
- the year's meeting compliance (reports.meetings.compliance), which the dashboard panel adds.

Target: the list under 1 s at 100,000 members, in the same number of queries at every size.

    python benchmarks/early_warning.py [--members 3800 100000] [--repeat 5] [--history-years 4]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shuzhi python benchmarks/early_warning.py
"""
import os
import sys

# The project on the path (a script's own folder, benchmarks/, is what Python puts there).
sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzhi.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-throwaway-" + os.urandom(16).hex())  # settings refuse none

import argparse  # noqa: E402
import datetime  # noqa: E402
import io  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

ON = datetime.date(2023, 12, 31)
TARGET_SECONDS = 1.0


def add_history(years):
    """The 2023 meetings again in each of the `years` before, so that old meetings are there to be skipped."""
    from branches import models as m
    from branches.dates import add_years

    rows = list(m.Meeting.objects.filter(held_on__year=2023).values(
        "organization_id", "meeting_type_id", "held_on", "topic", "chaired_by", "present", "on_roll"))
    for back in range(1, years + 1):
        m.Meeting.objects.bulk_create(
            [m.Meeting(**{**row, "held_on": add_years(row["held_on"], -back)}) for row in rows], batch_size=5000)


def timed(work, repeat):
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = work()
            times.append(time.perf_counter() - started)
    return result, len(queries), statistics.median(times), max(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, nargs="+", default=[3800, 100000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--history-years", type=int, default=4)
    args = parser.parse_args()

    db = settings.DATABASES["default"]
    db.setdefault("TEST", {})["NAME"] = None if db["ENGINE"].endswith("sqlite3") else "shuzhi_bench_warnings"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    from branches import demo
    from branches import models as m
    from reports.meetings import compliance
    from branches.early_warning import evaluate
    from reports.warnings import workbook

    def xlsx():
        stream = io.BytesIO()
        workbook(evaluate(ON)).save(stream)
        return stream

    work = {"warning list": lambda: evaluate(ON), "list as xlsx": xlsx, "compliance 2023": lambda: compliance(2023, on=ON)}
    rows = []
    try:
        for members in args.members:
            started = time.perf_counter()
            demo.load(members=members, reset=True)
            add_history(args.history_years)
            print(f"{connection.vendor}: demo district with {members:,} members, {m.Organization.objects.count()} "
                  f"organizations and {m.Meeting.objects.count():,} meetings built in {time.perf_counter() - started:.1f} s",
                  flush=True)
            for name, job in work.items():
                result, queries, median, worst = timed(job, args.repeat)
                found = f"{len(result.hits)} findings on {len(result.by_organization)} organizations" if name == "warning list" else ""
                rows.append((members, name, queries, median, worst, found))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print()
    print(f"{'members':>8}  {'what':<16}  {'queries':>7}  {'median s':>8}  {'max s':>6}  notes")
    for members, name, queries, median, worst, found in rows:
        verdict = f"target < {TARGET_SECONDS:g} s: {'ok' if median < TARGET_SECONDS else 'MISSED'}; " if name == "warning list" else ""
        print(f"{members:>8,}  {name:<16}  {queries:>7}  {median:>8.3f}  {worst:>6.3f}  {verdict}{found}")
    counts = {q for _, name, q, *_ in rows if name == "warning list"}
    print(f"\nqueries for the warning list at every size: {sorted(counts)} ({'constant' if len(counts) == 1 else 'NOT constant'})")


if __name__ == "__main__":
    main()
