#!/usr/bin/env bash
# Create .venv and install interpcat with the given extras (default: all), pinned by constraints.txt.
# Usage: bash scripts/setup.sh [EXTRAS]     e.g. bash scripts/setup.sh site
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-all}"
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=".venv/.interpcat-$extras-$(cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  # constraints.txt pins torch==2.13.0 (its CPU build where pip finds one locally) and the rest.
  .venv/bin/python -m pip install -q -c constraints.txt -e ".[$extras]"
  touch "$stamp"
fi
