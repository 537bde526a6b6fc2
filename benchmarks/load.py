"""Load: 20 clients on loopback against gunicorn while imports run; requests served, p50/p95 latency, errors.

    .venv/bin/python benchmarks/load.py [--seconds 60] [--clients 20] [--think 0] [--workers 3] [--db postgres|sqlite]

It builds the demo district (3,800 members) in a throwaway database (PostgreSQL shuzhi_bench_load on
127.0.0.1:5432 when it answers, created and dropped here; else a temporary SQLite file), creates an office
admin, a leader and a school secretary, and starts the application under gunicorn with production settings
(DEBUG off) on 127.0.0.1. For a bounded time, each client logs in as one of the three and requests, in turn,
the dashboard and admin lists (members, searched members, organizations, elections, assessments). Meanwhile two
imports of 3,800-row member files run through the admin's import (upload, then confirm). Afterwards it checks the
roll: no member lost, none duplicated.

On PostgreSQL a second phase follows: two meeting files that overlap by half confirmed at the same moment, while
the office adds members one by one through the admin's form; it prints errors, lost and duplicated rows.

Targets (an office of twenty at once, imports running): zero errors, zero lost or duplicated rows, p95 under 1 s. Not a test: it prints figures.
"""
import argparse
import datetime
import os
import sys
import html
import http.client
import io
import json
import re
import secrets
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_NAME = "shuzhi_bench_load"
PASSWORD = "load-" + secrets.token_urlsafe(12)
ACCOUNTS = {  # username: (role, organization or None for the committee)
    "bench-office": ("admin", None),
    "bench-leader": ("leader", None),
    "bench-secretary": ("secretary", "红山区第一中学党委"),
}
IMPORT_TIMEOUT = 300  # seconds for one step of a 3,800-row import (upload and preview, or confirm)
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

    def upload(self, path, data, filename):
        """The import page's form: the file, its format and resource (one of each), the CSRF token."""
        status, page = self.request("GET", path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        boundary = "----load" + secrets.token_hex(8)
        parts = []
        for name, value in (("csrfmiddlewaretoken", token), ("resource", "0"), ("format", "0")):
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="import_file"; filename="{filename}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request("POST", path, body=b"".join(parts), content_type=f"multipart/form-data; boundary={boundary}",
                            timeout=IMPORT_TIMEOUT)

    def request(self, method, path, form=None, body=None, content_type=None, timeout=60):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
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
             "--workers", str(args.workers), "--timeout", str(IMPORT_TIMEOUT), "--graceful-timeout", "5", "--log-level", "warning"],
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
        if use_pg and not args.no_imports:
            Overlap(port, env).run()
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


class Imports:
    """Two imports through the admin's pages (upload, preview, confirm) as the office: 3,800 new members, and
    the whole roll exported and re-imported with every phone number changed. Each runs in its own thread."""

    def __init__(self, port, env):
        self.port, self.env, self.outcomes = port, env, {}
        office = Session(port, "bench-office")
        status, exported = office.request("GET", "/admin/branches/member/export/")
        if status != 200:
            raise SystemExit(f"export failed ({status})")
        book = openpyxl.load_workbook(io.BytesIO(exported))
        rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
        header = rows[0]
        phone, number, org = header.index("联系电话"), header.index("身份证号码"), header.index("所在党组织")
        self.old_numbers = {r[number] for r in rows[1:]}
        changed = [header] + [r[:phone] + [f"1770{i:07d}"] + r[phone + 1:] for i, r in enumerate(rows[1:])]
        self.phones = {r[number]: r[phone] for r in changed[1:]}
        new_header = ["姓名", "身份证号码", "所在党组织", "入党日期"]
        self.new_numbers = [make_id(i) for i in range(3800)]
        new_rows = [new_header] + [[f"新党员{i}", n, rows[1 + i % (len(rows) - 1)][org], "2015-07-01"]
                                   for i, n in enumerate(self.new_numbers)]
        self.files = {"新党员.xlsx": workbook(new_rows), "名册更新.xlsx": workbook(changed)}
        self.threads = [threading.Thread(target=self.run_one, args=(name,)) for name in self.files]

    def run_one(self, name):
        started = time.perf_counter()
        outcome = import_through_admin(Session(self.port, "bench-office"), "member", self.files[name], name)
        self.outcomes[name] = (outcome, time.perf_counter() - started)

    def report(self, env):
        for name, (outcome, seconds) in self.outcomes.items():
            print(f"import {name}: {outcome}, {seconds:.1f} s")
        script = f"""
import json
from branches.models import Member
from branches.models import ImportBatch
numbers = list(Member.objects.values_list("id_number", flat=True))
phones = dict(Member.objects.values_list("id_number", "phone"))
new = {json.dumps(self.new_numbers)}
old = {json.dumps(sorted(self.old_numbers))}
expected = {json.dumps(self.phones)}
print(json.dumps(dict(
    members=len(numbers), distinct=len(set(numbers)),
    new_present=sum(1 for n in new if n in phones), old_present=sum(1 for n in old if n in phones),
    phones_updated=sum(1 for n, p in expected.items() if phones.get(n) == p),
    batches=[(b.file_name, b.created, b.updated, Member.history.filter(import_batch=b).count())
             for b in ImportBatch.objects.order_by("pk")],
)))
"""
        check = subprocess.run([sys.executable, "manage.py", "shell"], input=script, cwd=ROOT, env=self.env, check=True,
                               text=True, capture_output=True)
        check = json.loads(check.stdout.strip().splitlines()[-1])
        lost = (len(self.new_numbers) - check["new_present"]) + (len(self.old_numbers) - check["old_present"])
        duplicated = check["members"] - check["distinct"]
        print(f"rows after the imports: {check['members']} members ({len(self.old_numbers)} before + "
              f"{len(self.new_numbers)} new); lost {lost}, duplicated {duplicated}; "
              f"phones updated {check['phones_updated']}/{len(self.phones)}")
        for file_name, created, updated, history in check["batches"]:
            print(f"  import event {file_name}: {created} new, {updated} updated, {history} history rows point to it")


def preview_through_admin(session, model, data, name):
    """Upload and preview; the confirm form's address and fields."""
    status, page = session.upload(f"/admin/branches/{model}/import/", data, name)
    form = re.search(rb'<form[^>]*action="([^"]*process_import[^"]*)"(.*?)</form>', page, re.S)
    if status != 200 or form is None:
        raise RuntimeError(f"preview {status}")
    fields = dict(re.findall(rb'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(2)))
    return html.unescape(form.group(1).decode()), {k.decode(): html.unescape(v.decode()) for k, v in fields.items()}


def import_through_admin(session, model, data, name, before_confirm=None):
    """Upload, preview and confirm as the office: "ok", or what went wrong."""
    try:
        action, fields = preview_through_admin(session, model, data, name)
        if before_confirm is not None:
            before_confirm.wait()
        status, _ = session.request("POST", action, fields, timeout=IMPORT_TIMEOUT)
        return "ok" if status == 302 else f"confirm {status}"
    except Exception as exc:  # noqa: BLE001
        return repr(exc)


class Overlap:
    """PostgreSQL: two meeting files that share half their rows, confirmed at the same moment (both previews made
    first), while the office adds 13 members through the admin's form."""

    MEETINGS, FORMS = 300, 13

    def __init__(self, port, env):
        self.port, self.env = port, env
        script = (
            "import json; from branches.models import Organization, OrgKind\n"
            "o = Organization.objects.filter(kind=OrgKind.BRANCH, is_active=True).order_by('pk').first()\n"
            "print(json.dumps([o.name, o.pk]))"
        )
        out = subprocess.run([sys.executable, "manage.py", "shell"], input=script, cwd=ROOT, env=env, check=True,
                             text=True, capture_output=True).stdout
        self.org_name, self.org_pk = json.loads(out.strip().splitlines()[-1])
        start, half = datetime.date(2024, 1, 1), self.MEETINGS // 2
        header = ["召开日期", "党组织", "类型", "主题", "实到人数", "应到人数"]

        def meetings(numbers):
            return workbook([header] + [[start + datetime.timedelta(days=n), self.org_name, "党小组会",
                                         f"负载测试第{n}讲", 5, 6] for n in numbers])

        self.files = {"组织生活甲.xlsx": meetings(range(0, self.MEETINGS)),
                      "组织生活乙.xlsx": meetings(range(half, half + self.MEETINGS))}
        self.expected_meetings = self.MEETINGS + half
        self.form_numbers = [make_id(10_000 + i) for i in range(self.FORMS)]
        self.outcomes, self.form_errors = {}, []

    def run(self):
        sessions = {name: Session(self.port, "bench-office") for name in self.files}
        together = threading.Barrier(len(self.files) + 1)
        threads = [threading.Thread(target=self.import_one, args=(sessions[name], name, together)) for name in self.files]
        threads.append(threading.Thread(target=self.post_forms, args=(together,)))
        for t in threads:
            t.start()
        for t in threads:
            t.join(IMPORT_TIMEOUT * 2)
        self.report()

    def import_one(self, session, name, together):
        self.outcomes[name] = import_through_admin(session, "meeting", self.files[name], name, before_confirm=together)

    def post_forms(self, together):
        session = Session(self.port, "bench-office")
        together.wait()
        for i, number in enumerate(self.form_numbers):
            try:
                _, page = session.request("GET", "/admin/branches/member/add/")
                token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
                status, _ = session.request("POST", "/admin/branches/member/add/", {
                    "csrfmiddlewaretoken": token, "name": f"表单党员{i}", "id_number": number, "ethnicity": "汉族",
                    "organization": self.org_pk, "status": "full", "join_date": "2010-07-01",
                    "full_member_date": "2011-07-01", "roll_status": "on_roll", "_save": "保存",
                })
                if status != 302:
                    self.form_errors.append(f"form {status}")
            except Exception as exc:  # noqa: BLE001
                self.form_errors.append(repr(exc))

    def report(self):
        script = f"""
import json
from django.db.models import Count
from branches.models import Meeting, Member
ours = Meeting.objects.filter(topic__startswith="负载测试")
keys = ours.values("organization", "meeting_type", "held_on", "topic").annotate(n=Count("id"))
print(json.dumps(dict(
    meetings=ours.count(), distinct=keys.count(),
    forms=Member.objects.filter(id_number__in={json.dumps(self.form_numbers)}).count(),
)))
"""
        check = subprocess.run([sys.executable, "manage.py", "shell"], input=script, cwd=ROOT, env=self.env, check=True,
                               text=True, capture_output=True)
        check = json.loads(check.stdout.strip().splitlines()[-1])
        errors = [f"{name}: {o}" for name, o in self.outcomes.items() if o != "ok"] + self.form_errors
        lost = max(0, self.expected_meetings - check["distinct"]) + (self.FORMS - check["forms"])
        duplicated = check["meetings"] - check["distinct"]
        print(f"\nPostgreSQL, two overlapping meeting files ({self.MEETINGS} rows each, {self.MEETINGS // 2} shared) "
              f"confirmed at once beside {self.FORMS} member form posts:")
        print(f"errors: {len(errors)}" + (f"  e.g. {errors[:5]}" if errors else "")
              + f"; lost: {lost}; duplicated: {duplicated} (meetings {check['meetings']}/{self.expected_meetings}, "
              f"form members {check['forms']}/{self.FORMS})")


def make_id(i):
    sys.path.insert(0, str(ROOT))
    from branches.idcard import make_id_number

    born = datetime.date(1970, 1, 1) + datetime.timedelta(days=i // 2)
    return make_id_number("620502", born, 700 + i % 2 * 2 + 1)  # an area the demo does not use


def workbook(rows):
    from branches.sheets import write_row

    book = openpyxl.Workbook()
    for row in rows:
        write_row(book.active, row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def imports(port, env, args):
    if args.no_imports:
        return NoImports()
    return Imports(port, env)


class NoImports:
    threads = []

    def report(self, env):
        print("imports: none (--no-imports)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds each client waits between requests (0: back to back, the hardest case)")
    parser.add_argument("--db", choices=["postgres", "sqlite"], help="default: PostgreSQL when it answers")
    parser.add_argument("--no-imports", action="store_true", help="only the page requests")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
