"""With REDIS_URL set, the workers of one gunicorn share the figures: the dashboard is computed once for all
of them, even when two miss it at the same moment. The real thing: gunicorn with two worker processes, with
production settings, over an SQLite file holding the demo district, and the Redis on 127.0.0.1:6379."""
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
import redis_server

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a-long-test-password"


def production_env(tmp_path, prefix):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "REDIS_", "SHUZHI_"))}
    env.update(
        DJANGO_DEBUG="0", DJANGO_SECRET_KEY="test-only-" + "k" * 50, DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0", SHUZHI_ENV_FILE=os.devnull, DATABASE_URL=f"sqlite:///{tmp_path / 'shuzhi.sqlite3'}",
        REDIS_URL=redis_server.URL, REDIS_KEY_PREFIX=prefix,
        PROBE_REDIS_URL=redis_server.URL, PROBE_COUNTER=f"{prefix}:probe:dashboard-computed",
    )
    return env


def manage(env, *args):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


class Browser:
    """One logged-in browser; cookies sent by hand (the session cookie is Secure, this is loopback HTTP)."""

    def __init__(self, port):
        self.port, self.cookies = port, {}

    def request(self, method, path, form=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Host": "127.0.0.1", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";")[0]
            return response.status, response.getheader("X-Worker-Pid"), data
        finally:
            conn.close()

    def log_in(self, username):
        _, _, page = self.request("GET", "/admin/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        status, _, _ = self.request("POST", "/admin/login/?next=/admin/", {
            "csrfmiddlewaretoken": token, "username": username, "password": PASSWORD, "next": "/admin/"})
        assert status == 302, f"login as {username} failed ({status})"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn with 2 workers over a fresh SQLite file with the demo district and an office account."""
    redis_server.require()
    if shutil.which("gunicorn", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("gunicorn is not installed (requirements.txt)")
    prefix = redis_server.new_prefix()
    env = production_env(tmp_path, prefix)
    manage(env, "shell", "-c", "from django.core.management import call_command as run; run('migrate', '--noinput', verbosity=0);"
                               f" run('load_demo'); run('grant_role', 'office', 'admin', '--password', '{PASSWORD}')")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "gunicorn_probe:application", "--pythonpath", str(ROOT / "tests"),
         "--chdir", str(ROOT), "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "120",
         "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        for _ in range(600):  # up to a minute on a busy machine
            if server.poll() is not None:
                pytest.fail("gunicorn stopped: " + server.stdout.read())
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port, env["PROBE_COUNTER"]
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        redis_server.forget(prefix)


def test_two_gunicorn_workers_compute_the_dashboards_figures_once(gunicorn):
    port, counter = gunicorn
    browser = Browser(port)
    browser.log_in("office")
    pids, statuses = set(), []

    def dashboard():
        status, pid, _ = browser.request("GET", "/dashboard/?year=2023")
        statuses.append(status)
        pids.add(pid)

    # Two at a time, so that the two workers answer side by side (and at first miss together), until both have
    # answered at least once after the first pair.
    for _ in range(20):
        pair = [threading.Thread(target=dashboard) for _ in range(2)]
        for thread in pair:
            thread.start()
        for thread in pair:
            thread.join(180)
        if len(pids) == 2 and len(statuses) >= 4:
            break
    assert set(statuses) == {200}
    assert len(pids) == 2, f"only worker {pids} answered"
    assert int(redis_server.client().get(counter) or 0) == 1
