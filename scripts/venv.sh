#!/usr/bin/env bash
# Creates .venv with Python 3.11+ and installs a requirements file into it: requirements.txt by default,
# requirements-dev.txt (which includes it) for the tests. Installs again only when the files it reads changed.
#   bash scripts/venv.sh                        # what the application needs (scripts/run.sh)
#   bash scripts/venv.sh requirements-dev.txt   # and the tests' tools (scripts/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
wanted=${1:-requirements.txt}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# The stamp is per requirements file and hashes it with requirements.txt, which the dev file includes: a change
# to either installs again, and installing the application's requirements does not undo the test tools.
stamp=".venv/.${wanted%.txt}.sha"
want=$(cat "$wanted" requirements.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$wanted"
  echo "$want" > "$stamp"
fi
