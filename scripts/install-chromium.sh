#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (tests/browser) when it is missing.
# The tests drive /usr/bin/chromium through Playwright; Playwright's own browser download is never used
# (`playwright install` needs hosts this project's machines cannot reach).
set -euo pipefail

# CHROMIUM_EXECUTABLE names another Chromium-based browser the tests may use instead (e.g. the Chrome that
# GitHub's Ubuntu runners ship, where the apt package is only a stub for a snap).
if [ -n "${CHROMIUM_EXECUTABLE:-}" ] && [ -x "${CHROMIUM_EXECUTABLE}" ]; then
  exit 0
fi
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
  command -v sudo >/dev/null 2>&1 || { echo "error: /usr/bin/chromium is missing; install the Debian package 'chromium' as root" >&2; exit 1; }
else
  SUDO=
fi
echo "installing Debian's chromium for the browser tests"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
/usr/bin/chromium --version
