#!/usr/bin/env bash
# Set up a fresh checkout and run the project's tests: the README's test command.
#
# Creates .venv (if missing), installs the project with its test extras, installs
# Spectral from package-lock.json when npm is present, then runs pytest.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k money`.
set -euo pipefail
cd "$(dirname "$0")/.."

python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    echo "test.sh: creating .venv with $python"
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'

# Spectral lints the spec; its test skips without it, except under CI.
if command -v npm >/dev/null 2>&1 && [ -f package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
else
    echo "test.sh: npm or package-lock.json not found; the Spectral test will be skipped"
fi

exec .venv/bin/python -m pytest "$@"
