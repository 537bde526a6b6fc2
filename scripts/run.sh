#!/usr/bin/env bash
# Sets up and runs Shuzhi on its embedded default: .env written if missing, SQLite, the demo district loaded, an
# admin login printed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh
# The local settings (a generated secret key, DEBUG on), once; every later command in this folder reads them.
.venv/bin/python -m shuzhi.envfile
PORT=${PORT:-8000}
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py load_demo
.venv/bin/python manage.py ensure_admin
# The background worker for large imports (docs/production.md), beside the server and stopped with it; jobs an
# earlier run left half done are queued again first.
.venv/bin/python manage.py clean_imports
.venv/bin/python manage.py db_worker --no-reload --interval 1 -v0 &
WORKER=$!
trap 'kill "$WORKER" 2>/dev/null || true' EXIT
echo "打开 http://127.0.0.1:${PORT}/admin/ 登录（按 Ctrl+C 停止）"
.venv/bin/python manage.py runserver "127.0.0.1:${PORT}"
