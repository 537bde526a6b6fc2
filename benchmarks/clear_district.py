"""Clearing a district against building it: `load_demo --reset` and the list's 删除所选 delete with their history
rows written in bulk (branches/history.py `delete_with_history`); target: clearing no slower than building.

    .venv/bin/python benchmarks/clear_district.py                      # both databases, 3,800 and 38,000 members
    .venv/bin/python benchmarks/clear_district.py --db sqlite --members 3800

Each size is built and cleared in a database of its own (a temporary SQLite file; the PostgreSQL database
shuzhi_bench_clear on 127.0.0.1:5432, created and dropped here). "records" counts the records the clearing deleted (the catalogues stay),
"history rows" the "-" rows it wrote: one for each.
"""
import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from scratch import scratch_database

ROOT = Path(__file__).resolve().parent.parent


def measure(members):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzhi.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-throwaway-" + os.urandom(16).hex())
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from branches import demo
    from branches import models as m

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    demo.load(members=members)
    built = time.perf_counter() - started
    before = sum(model.objects.count() for model in m.TRACKED)
    started = time.perf_counter()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        cProfile.runctx("demo.clear()", globals(), locals(), sort="cumtime")
    else:
        demo.clear()
    cleared = time.perf_counter() - started
    records = before - sum(model.objects.count() for model in m.TRACKED)  # the catalogues stay
    rows = sum(model.history.filter(history_type="-").count() for model in m.TRACKED)
    print(f"{connection.vendor:<11} {members:>8,} {built:>9.1f} {cleared:>9.1f} {cleared / built:>7.2f} "
          f"{records:>9,} {rows:>13,} {os.getloadavg()[0]:>6.1f}", flush=True)


def run(db, members):
    with scratch_database(db, "shuzhi_bench_clear") as url:
        subprocess.run([sys.executable, __file__, "--measure", "--members", str(members)],
                       env={**os.environ, "DATABASE_URL": url}, check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--members", type=int, nargs="+", default=[3800, 38000])
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure(args.members[0])
    print(f"{'database':<11} {'members':>8} {'build s':>9} {'clear s':>9} {'ratio':>7} {'records':>9} "
          f"{'history rows':>13} {'load':>6}")
    for db in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        for members in args.members:
            run(db, members)


if __name__ == "__main__":
    main()
