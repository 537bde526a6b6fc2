#!/usr/bin/env bash
# The test command: makes the virtual environment if it is missing, installs requirements-dev.txt (the application's
# requirements and the test tools), runs pytest.
# DATABASE_URL picks the database (SQLite when unset; postgres://… for the PostgreSQL pass).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh requirements-dev.txt >&2
# Two workers: the suite loads the demo district often, and CI machines have two cores.
exec .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-auto}" "$@"
