"""First, second and warm load of the office's main admin lists, at 3,800 and 100,000 members, SQLite and PostgreSQL.

    .venv/bin/python benchmarks/lists.py                          # both databases, 3,800 and 100,000 members
    .venv/bin/python benchmarks/lists.py --db sqlite --members 3800

Each size is built in a database of its own (a temporary SQLite file; the PostgreSQL database
shuzhi_bench_lists on 127.0.0.1:5432, created and dropped here) with `manage.py migrate` and
`manage.py load_demo --members N`. Then, for each list, a new process (production settings: DEBUG off, the
figures remembered, as served) logs in as the office (工委管理员) through Django's test client and loads the page:
"first" is the process's first request (nothing imported, compiled or cached yet: what the first person after a
restart waits for), "second" is the next request with the figures cache emptied (the first look after a record
changed), "warm" the one after (the figures reused). Seconds and SQL queries are printed for each.
Target: the first load under 1 s at 3,800 members and under 2 s at 100,000.
"""
import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from scratch import scratch_database

ROOT = Path(__file__).resolve().parent.parent
PG_NAME = "shuzhi_bench_lists"
LISTS = {
    "党组织": "/admin/branches/organization/",
    "党员": "/admin/branches/member/",
    "换届选举": "/admin/branches/election/",
    "软弱涣散整顿": "/admin/branches/rectificationcase/",
    "组织关系转接": "/admin/branches/transfer/",
    "任职": "/admin/branches/tenure/",
    "党组织生活": "/admin/branches/meeting/",
}
PASSWORD = "Zq8-timing-7731-rk"


def office_client():
    """In a process whose DATABASE_URL is set: Django set up, and a test client logged in as the office."""
    import warnings

    warnings.filterwarnings("ignore", "No directory at")  # WhiteNoise: static files are not collected here
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzhi.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the client see the response's context; templates still render as served
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench-office"))
    return client


def measure(url):
    """Runs in a new process whose DATABASE_URL is set: three loads of one list, printed as one line."""
    client = office_client()
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    figures = []
    for step in ("first", "second", "warm"):
        if step == "second":
            caches["figures"].clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, secure=True)  # secure: with DEBUG off plain HTTP is redirected
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, (url, response.status_code)
        figures.append(f"{elapsed:>7.2f} s {len(captured):>4} q")
    print("   ".join(figures), flush=True)


def run(db, sizes):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "SHUZHI_"))}
    env.update(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="benchmark-throwaway-" + os.urandom(16).hex(),
               SHUZHI_ENV_FILE=os.devnull, SHUZHI_REMEMBER_FIGURES="1")
    for members in sizes:
        with scratch_database(db, PG_NAME) as env["DATABASE_URL"]:
            started = time.perf_counter()
            for command in (["migrate", "-v0"], ["load_demo", "--members", str(members)],
                            ["grant_role", "bench-office", "admin", "--password", PASSWORD]):
                subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True,
                               stdout=subprocess.DEVNULL)
            print(f"{db} {members:,} members (built in {time.perf_counter() - started:.0f} s, "
                  f"load {os.getloadavg()[0]:.1f})", flush=True)
            for title, url in LISTS.items():
                print(f"  {title:<8}", end="", flush=True)
                subprocess.run([sys.executable, __file__, "--measure", url], cwd=ROOT, env=env, check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--members", type=int, nargs="+", default=[3800, 100000])
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure(args.measure)
    print(f"{'list':<10}{'first':>16}   {'second':>16}   {'warm':>16}")
    for db in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        run(db, args.members)


if __name__ == "__main__":
    main()
