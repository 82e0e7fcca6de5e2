#!/bin/sh
# Compiles the app's own modules into the deployment package, so a cold start does not compile them (about
# 20 ms; the package is mounted read-only, so nothing compiled there is kept). checked-hash: each .pyc is
# checked against its source's hash, not its timestamp, which a zip does not keep reliably; a stale .pyc is
# never used. Run with the Python version the app runs on (3.11): another version ignores these files.
set -eu
cd "$(dirname "$0")/.."
"${PYTHON:-python3}" -m compileall -q -f --invalidation-mode checked-hash function_app.py functions shared
