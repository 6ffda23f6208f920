#!/usr/bin/env bash
# Set up, validate the catalog, build the site strictly, and serve it on http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh site
.venv/bin/interpcat validate
.venv/bin/mkdocs build --strict
exec .venv/bin/mkdocs serve --dev-addr "${INTERPCAT_ADDR:-127.0.0.1:8000}"
