"""Shuzhi settings. Everything that differs between a laptop and production comes from the environment.

On a laptop the environment is completed from the `.env` file that `scripts/run.sh` writes (shuzhi/envfile.py);
a variable set in the real environment wins over it. A test run never reads it, so a developer's file cannot
change what the suite sees.
"""
import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from shuzhi import envfile

BASE_DIR = Path(__file__).resolve().parent.parent
TESTING = "PYTEST_VERSION" in os.environ or "test" in sys.argv[1:2]
if not TESTING:
    envfile.load()


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", False)
# A development key is used only where nothing real is at stake: DEBUG on (scripts/run.sh) or a test run
# (pytest sets PYTEST_VERSION). Anything else without DJANGO_SECRET_KEY refuses to start, rather than
# serving production with a key that is published in this repository.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "未设置 DJANGO_SECRET_KEY：生产环境请在环境变量中设置密钥；本机演示请先运行 bash scripts/run.sh，"
            "它会生成 .env（随机密钥，DJANGO_DEBUG=1）。"
        )
    SECRET_KEY = "django-insecure-shuzhi-development-only-key-change-me"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h.strip()]

INSTALLED_APPS = [
    "shuzhi.admin_site.ShuzhiAdminConfig",  # django.contrib.admin with the office's index (shuzhi/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "import_export",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",  # the background worker's queue, in the project's own database (manage.py db_worker)
    "branches",
    "reports",
    "audit",
    # Last: its post_migrate gives the roles their permissions, so every other app's must exist by then.
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "shuzhi.middleware.SecurityHeadersMiddleware",  # Content-Security-Policy; no-store for logged-in users
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.ChangeGivenPasswordMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out username before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "shuzhi.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "shuzhi.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several processes share the file (gunicorn workers, an import beside the pages): readers go on while one
    # writes (WAL), a transaction takes the write lock when it begins, so that it never fails half-way when it
    # starts to write, and waits up to 30 s for it instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=30, transaction_mode="IMMEDIATE", init_command="PRAGMA journal_mode=WAL;"
    )
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # No JIT compilation: the pages' queries are many small per-organization subqueries whose estimated cost
    # passes jit_above_cost, and compiling them took 0.37 s of the organization list's 0.45 s query at 100,000
    # members, for a plan that runs in 60 ms without it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Ten characters at least for this office's accounts (personal data of a whole district behind each).
    {"NAME": "accounts.validators.MinimumLength", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # The suite makes and logs in hundreds of accounts; PBKDF2 is slow on purpose and would cost it minutes.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "zh-hans"
# Django's own catalogue lacks a few of its newer strings ("Error:" in the admin's titles): ours fills them in.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    # Uploaded spreadsheets waiting for their confirm (branches/uploads.py): a folder every worker shares, not
    # served, not in the backups; each file deleted on confirm or cancel, or a day after.
    "import_export": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": os.environ.get("SHUZHI_IMPORT_UPLOADS") or str(BASE_DIR / "uploads")},
    },
}
IMPORT_EXPORT_TMP_STORAGE_CLASS = "branches.uploads.PendingUpload"
MEDIA_ROOT = BASE_DIR / "media"
MEDIA_URL = "media/"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "admin:login"

# Sessions end after an idle hour (school computers are shared) and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_IDLE_MINUTES", "60")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login lock-out (django-axes): 5 failures for one username from one address lock that pair for 30 minutes.
# By the pair, not by username alone: usernames follow organization names, so anyone could otherwise lock
# every secretary out.
AXES_FAILURE_LIMIT = int(os.environ.get("SHUZHI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SHUZHI_LOGIN_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "accounts.client.ip_address"
# Behind one reverse proxy that terminates HTTPS (docs/production.md): trust what it says about the client.
SHUZHI_BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY")
if SHUZHI_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The audit trail is read-only: a past version is looked at, never reverted to (a correction is a new change).
SIMPLE_HISTORY_REVERT_DISABLED = True

# Production (DEBUG off): HTTPS only, cookies only over HTTPS, HSTS. These pass `manage.py check --deploy`.
if not DEBUG:
    # Tests speak plain HTTP to the test client; everything else about production holds in them.
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not TESTING)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

# Import/export follows Django's model permissions. Our exports are written by branches.sheets, whose safe_cell
# keeps a formula-like text as that exact text; the escape below applies only to django-import-export's own formats
# (none is offered today), where dropping the "=" is the only protection it has.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_USE_TRANSACTIONS = True

# Domain thresholds the office may want to tune; the rules that use them live in branches.models.
SHUZHI = {
    # LibreOffice's command line, for the duty report as PDF; where it is missing the PDF link says so (503).
    "SOFFICE": os.environ.get("SHUZHI_SOFFICE", "soffice"),
    "SOFFICE_TIMEOUT": int(os.environ.get("SHUZHI_SOFFICE_TIMEOUT", "90")),
    # 书记年龄偏大: the age from which a secretary counts as ageing (the seed's "班子成员年龄偏大").
    "SECRETARY_AGE_WARNING": int(os.environ.get("SHUZHI_SECRETARY_AGE_WARNING", "55")),
    # 预备党员转正 (发展党员工作细则): the branch decides within this many months of the probation's end, and the upper
    # committee approves within this many months after that; only then is a conversion overdue.
    "CONVERSION_DECISION_MONTHS": int(os.environ.get("SHUZHI_CONVERSION_DECISION_MONTHS", "1")),
    "CONVERSION_APPROVAL_MONTHS": int(os.environ.get("SHUZHI_CONVERSION_APPROVAL_MONTHS", "3")),
    # 组织生活附件（会议记录、照片）的大小上限，单位MB。
    "MEETING_ATTACHMENT_MAX_MB": int(os.environ.get("SHUZHI_MEETING_ATTACHMENT_MAX_MB", "10")),
    # The largest spreadsheet the admin's import page accepts (a roster of 100,000 members is about 8 MB);
    # larger files go through `manage.py import_sheet`.
    "IMPORT_MAX_MB": int(os.environ.get("SHUZHI_IMPORT_MAX_MB", "10")),
    # The most rows one sheet may hold, whichever way it comes in (branches/sheets.py refuses a longer one).
    "IMPORT_MAX_ROWS": int(os.environ.get("SHUZHI_IMPORT_MAX_ROWS", "200000")),
    # An upload from this size on (KB; about 2,000 rows of a roster) is read, checked and written by the background
    # worker (branches/jobs.py), with a progress bar, instead of within the request; 0: every upload.
    "IMPORT_BACKGROUND_KB": int(os.environ.get("SHUZHI_IMPORT_BACKGROUND_KB", "64")),
    # Reuse the dashboard's figures until a record changes (branches/version.py, the "figures" cache). Off in tests, whose changes
    # never commit (the token is replaced on commit); tests/test_memo.py turns it on and commits.
    "REMEMBER_FIGURES": env_bool("SHUZHI_REMEMBER_FIGURES", not TESTING),
}

# The figures cache (branches.version.remember): entries are keyed by the records' version token, so a stale one
# is never read. Each process's memory by default; with REDIS_URL every worker and host shares one copy and one
# computation. Short socket timeouts: where Redis does not answer, the page is computed without it, a second later
# at most, instead of waiting for the system's TCP timeout.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    "figures": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
         "KEY_PREFIX": os.environ.get("REDIS_KEY_PREFIX", "shuzhi"),
         "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
        if REDIS_URL else
        {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "figures", "OPTIONS": {"MAX_ENTRIES": 64}}
    ),
    # A background import's live counters and its cancel request (branches/jobs.py): outside the database, because
    # the import's own transaction holds it (on SQLite, its write lock) until the import ends. Shared by the worker
    # and the web processes: Redis with REDIS_URL, else files beside the pending uploads (one host).
    "jobs": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
         "KEY_PREFIX": os.environ.get("REDIS_KEY_PREFIX", "shuzhi") + "-jobs",
         "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
        if REDIS_URL else
        {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
         "LOCATION": os.path.join(STORAGES["import_export"]["OPTIONS"]["location"], "progress")}
    ),
}

# Background work (django-tasks, its database backend): imports of large files (branches/jobs.py). The queue is a
# table of the project's database, so the embedded SQLite default needs no other server; `manage.py db_worker` runs
# the tasks (scripts/run.sh starts it beside the server; docs/production.md). Tests run each task at once.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    if TESTING else
    {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
}

# Reminders (manage.py send_reminders): Django's mail framework. The console backend prints the mails until an
# SMTP server is configured (EMAIL_HOST etc., Django's own settings, read from the environment).
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "shuzhi@localhost")
# The address the reminders' links start with.
SHUZHI_SITE_URL = os.environ.get("SHUZHI_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
