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
echo "打开 http://127.0.0.1:${PORT}/admin/ 登录（按 Ctrl+C 停止）"
exec .venv/bin/python manage.py runserver "127.0.0.1:${PORT}"
