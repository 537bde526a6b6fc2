"""Median render time of /dashboard/ at 3,800, 38,000 and 100,000 members, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/dashboard.py                 # both databases
    .venv/bin/python benchmarks/dashboard.py --db sqlite --members 3800 38000 --runs 9

It builds the demo district at each size in a database of its own (a temporary SQLite file; the PostgreSQL
database shuzhi_bench_dashboard on 127.0.0.1:5432, created and dropped here), renders the page through
Django's test client as a logged-in user, and prints the median of the timed runs after one warm-up,
with the number of SQL queries per render and the median time of reports.figures.district() alone.
"cpu ms" is this process's CPU time per render (for SQLite it includes the queries; for PostgreSQL the server's
work is not in it); "load" is the machine's 1-minute load average, since a shared machine slows every figure.
"page ms" computes every figure on every render (reports/memo.py off): that is what the targets are about.
"reused ms" is the page as it is served between two changes to the records (memo on, the figures reused).
"floor ms" is the one grouped query over members and organizations any dashboard must read (floor()), timed
alternately with the page; "page/floor" is what the page costs beyond it.
Targets (what a leader waits for without noticing): under 150 ms at 3,800 members, under 600 ms at 100,000.
"""
import argparse
import datetime
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from scratch import scratch_database

ROOT = Path(__file__).resolve().parent.parent


def floor(on):
    """What any dashboard must read at least: one grouped query over the members on the roll and their organizations
    (the per-organization counts every figure is made of), fetched. The page is timed against it in the same run."""
    from branches import models as m

    return list(
        m.Member.objects.order_by().values("organization_id", "organization__kind", "organization__is_active")
        .annotate(**m.staffing_counts("", on))
    )


def measure(sizes, runs):
    """Runs in a process whose DATABASE_URL is already set."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzhi.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-throwaway-" + os.urandom(16).hex())  # settings refuse none
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from branches import demo
    from reports.figures import district

    setup_test_environment()
    settings.SHUZHI["REMEMBER_FIGURES"] = False  # the figures computed on every render; "reused ms" apart
    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="bench", defaults={"is_staff": True, "is_superuser": True})
    client = Client()
    client.force_login(user)
    for members in sizes:
        started = time.perf_counter()
        demo.load(members=members, reset=True)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        loaded = time.perf_counter() - started
        # secure: with DEBUG off, as in production, plain HTTP is redirected to HTTPS.
        response = client.get("/dashboard/", secure=True)  # warm-up: templates, connection
        assert response.status_code == 200 and response.context["n"]["members"].value == members
        with CaptureQueriesContext(connection) as captured:
            client.get("/dashboard/", secure=True)
        queries = len(captured)  # read now: the next request clears the log
        pages, cpu, figures, floors = [], [], [], []
        for _ in range(runs):  # the page and its floor alternate, so that a busy moment slows both
            t, c = time.perf_counter(), time.process_time()
            client.get("/dashboard/", secure=True)
            pages.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            t = time.perf_counter()
            floor(datetime.date(2023, 12, 31))
            floors.append(time.perf_counter() - t)
            t = time.perf_counter()
            district(2023)
            figures.append(time.perf_counter() - t)
        settings.SHUZHI["REMEMBER_FIGURES"] = True
        reused = []
        for _ in range(runs + 1):  # the first computes and is remembered
            t = time.perf_counter()
            client.get("/dashboard/", secure=True)
            reused.append(time.perf_counter() - t)
        settings.SHUZHI["REMEMBER_FIGURES"] = False
        print(f"{connection.vendor:<11} {members:>8,} {statistics.median(pages) * 1000:>10.1f} "
              f"{statistics.median(cpu) * 1000:>9.1f} {statistics.median(figures) * 1000:>11.1f} {queries:>8} "
              f"{statistics.median(reused[1:]) * 1000:>10.1f} {statistics.median(floors) * 1000:>9.1f} "
              f"{statistics.median(pages) / statistics.median(floors):>10.1f}x {runs:>5} {os.getloadavg()[0]:>6.1f}   "
              f"(demo built in {loaded:.0f} s)", flush=True)


def run(db, sizes, runs):
    with scratch_database(db, "shuzhi_bench_dashboard") as url:
        subprocess.run([sys.executable, __file__, "--measure", "--runs", str(runs), "--members", *map(str, sizes)],
                       env={**os.environ, "DATABASE_URL": url}, check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--members", type=int, nargs="+", default=[3800, 38000, 100000])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure(args.members, args.runs)
    print(f"{'database':<11} {'members':>8} {'page ms':>10} {'cpu ms':>9} {'figures ms':>11} {'queries':>8} {'reused ms':>10} {'floor ms':>9} {'page/floor':>11} {'runs':>5} {'load':>6}")
    for db in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        run(db, args.members, args.runs)


if __name__ == "__main__":
    main()
