"""Production settings come from the environment and pass Django's deployment checks; development still runs."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    # A process of its own, as production starts: without pytest's marker, with only the variables given.
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    clean.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "f7Hq2-9xLr0TzWm4uV8cY1pN6sB3kE5jA0oQ7iG2dX9vR4tZ8wC1yM6nL3hK5bJ",
    "DJANGO_ALLOWED_HOSTS": "shuzhi.hsedu.cn",
}


def test_production_settings_pass_the_deployment_check_without_a_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_without_a_secret_key_refuses_to_start():
    result = manage("check", **{**PRODUCTION, "DJANGO_SECRET_KEY": ""})
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


def test_development_runs_with_the_development_key():
    result = manage("check", DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_the_deployment_check_catches_debug_left_on():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **{**PRODUCTION, "DJANGO_DEBUG": "1"})
    assert result.returncode != 0 and "DEBUG" in result.stdout + result.stderr
