"""Production settings come from the environment and pass Django's deployment checks; development still runs."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def outside_pytest():
    """The environment of a process started as production starts: without pytest's marker or our settings."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "SHUZHI_"))}
    clean.pop("DATABASE_URL", None)
    return clean


def manage(*args, **env):
    # With only the variables given, and no .env file unless a test names one (the developer's own must not
    # decide what these tests see).
    clean = outside_pytest()
    env.setdefault("SHUZHI_ENV_FILE", os.devnull)
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


def shell(code, **env):
    """Runs Python code in a process of its own, as `manage()` does, and returns what it printed."""
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**outside_pytest(), **env},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_first_command_writes_an_env_file_with_a_generated_key_and_debug_on(tmp_path):
    env_file = tmp_path / ".env"
    for _ in range(2):  # the second run keeps the file it finds
        subprocess.run([sys.executable, "-m", "shuzhi.envfile"], cwd=ROOT, check=True, capture_output=True,
                       env={**os.environ, "SHUZHI_ENV_FILE": str(env_file)})
    first = env_file.read_text(encoding="utf-8")
    other = tmp_path / "other.env"
    subprocess.run([sys.executable, "-m", "shuzhi.envfile"], cwd=ROOT, check=True, capture_output=True,
                   env={**os.environ, "SHUZHI_ENV_FILE": str(other)})
    keys = [line.split("=", 1)[1] for text in (first, other.read_text(encoding="utf-8"))
            for line in text.splitlines() if line.startswith("DJANGO_SECRET_KEY=")]
    assert len(keys) == 2 and keys[0] != keys[1] and len(keys[0]) >= 50
    assert "DJANGO_DEBUG=1" in first.splitlines()
    assert env_file.stat().st_mode & 0o077 == 0  # the key is readable by its owner only

    settings = shell("from django.conf import settings; print(settings.DEBUG, settings.SECRET_KEY)",
                     DJANGO_SETTINGS_MODULE="shuzhi.settings", SHUZHI_ENV_FILE=str(env_file))
    assert settings.split() == ["True", keys[0]]
    assert manage("check", SHUZHI_ENV_FILE=str(env_file)).returncode == 0


def test_a_variable_of_the_real_environment_wins_over_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DJANGO_DEBUG=1\nDJANGO_SECRET_KEY=from-the-file\nDJANGO_ALLOWED_HOSTS=file.example\n")
    printed = shell("from django.conf import settings; print(settings.DEBUG, settings.SECRET_KEY, settings.ALLOWED_HOSTS)",
                    DJANGO_SETTINGS_MODULE="shuzhi.settings", SHUZHI_ENV_FILE=str(env_file), **PRODUCTION)
    assert printed.split() == ["False", PRODUCTION["DJANGO_SECRET_KEY"], "['shuzhi.hsedu.cn']"]


def test_production_without_an_env_file_and_without_a_key_refuses_to_start_saying_what_to_set(tmp_path):
    result = manage("check", DJANGO_DEBUG="0", SHUZHI_ENV_FILE=str(tmp_path / "none.env"))
    assert result.returncode != 0
    assert "未设置 DJANGO_SECRET_KEY" in result.stderr and "环境变量" in result.stderr


def test_the_test_suite_does_not_read_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DJANGO_DEBUG=1\nSHUZHI_SECRETARY_AGE_WARNING=40\n")
    printed = shell("from django.conf import settings; print(settings.SHUZHI['SECRETARY_AGE_WARNING'])",
                    DJANGO_SETTINGS_MODULE="shuzhi.settings", SHUZHI_ENV_FILE=str(env_file), PYTEST_VERSION="8")
    assert printed.strip() == "55"


def test_the_env_file_is_not_committed():
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT)
    assert ignored.returncode == 0
