#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests, unless CHROMIUM_PATH
# (default /usr/bin/chromium) is there already. Recommended packages are left
# out (they bring a print server, udev, upower and more); the one the tests
# need, a font, is named. Safe to run twice at once, or beside the PostgreSQL
# install of scripts/start-postgres.sh: they share one lock and wait.
set -euo pipefail
CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}

exec 9>"${TMPDIR:-/tmp}/triage-apt.lock"
flock 9
if [[ -x "$CHROMIUM_PATH" ]]; then
  echo "chromium is installed: $CHROMIUM_PATH"
  exit 0
fi
started=$SECONDS
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
  chromium fonts-liberation
echo "installed chromium in $((SECONDS - started)) s"
