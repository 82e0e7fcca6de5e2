#!/usr/bin/env bash
# Creates .venv-infra with checkov for the Bicep security scan (tests/infra/test_checkov.py).
#
# checkov gets its own virtualenv: it pins many libraries the app also uses, at other versions, and it pins
# pycep-parser 0.5.1, which fails to parse parts of current Bicep. pycep-parser 0.7.1 is installed over that
# pin with --no-deps (same API; its own dependencies, lark and regex, are already there through checkov).
# Idempotent: a stamp file records the installed pins, so a second run is instant.
set -euo pipefail

CHECKOV_VERSION=3.3.30
PYCEP_PARSER_VERSION=0.7.1

root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${INFRA_VENV:-$root/.venv-infra}"
python="${PYTHON:-python3.11}"
stamp="$venv/.installed-checkov-$CHECKOV_VERSION-pycep-parser-$PYCEP_PARSER_VERSION"

if [ -f "$stamp" ] && [ -x "$venv/bin/checkov" ]; then
  exit 0
fi
command -v "$python" >/dev/null 2>&1 || { echo "error: $python not found (Python 3.11 is required)" >&2; exit 1; }
test -x "$venv/bin/python" || "$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)
"${pip[@]}" "checkov==$CHECKOV_VERSION"
"${pip[@]}" --no-deps "pycep-parser==$PYCEP_PARSER_VERSION"
rm -f "$venv"/.installed-*
touch "$stamp"
echo "checkov $CHECKOV_VERSION with pycep-parser $PYCEP_PARSER_VERSION installed in $venv"
