#!/usr/bin/env bash
# Set up and run every test: lint, validation, schema, unit tests, notebooks (smoke profile) compared
# with the committed verdicts, the strict site build, the slow and browser tests, and workflow lint.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

if [ ! -x /usr/bin/chromium ]; then
  step "installing Debian's chromium for the browser test"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif command -v sudo >/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi

step "setting up .venv"
bash scripts/setup.sh all
export NO_MKDOCS_2_WARNING=1 PYTHONUNBUFFERED=1
bin=.venv/bin

step "lint (ruff)"
"$bin/ruff" check .
"$bin/ruff" format --check .

step "notebooks are jupytext py:percent"
"$bin/python" scripts/check-notebooks.py

step "catalog validation"
"$bin/interpcat" validate

step "JSON Schema files are current"
"$bin/interpcat" schema --check

step "unit tests"
"$bin/pytest" -q

step "reproduction notebooks, smoke profile: outcomes, verdicts and expectations vs committed results"
rm -rf build/repro-ci
"$bin/interpcat" repro run --profile smoke --jobs 2 --timeout 900 --out build/repro-ci
"$bin/interpcat" repro compare build/repro-ci/smoke repro/results/smoke

step "pre-registration audit (per check: was the expectation committed before its result?)"
"$bin/interpcat" repro audit | tail -n 5

step "site build (strict)"
"$bin/mkdocs" build --strict --site-dir build/site

step "slow and browser tests"
INTERPCAT_REQUIRE_BROWSER=1 "$bin/pytest" -q -m "slow or browser"

if [ -x scripts/lint-workflows.sh ]; then
  step "GitHub workflows (actionlint, zizmor)"
  bash scripts/lint-workflows.sh
fi

step "all checks passed"
