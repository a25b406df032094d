#!/usr/bin/env bash
# Makes sure Debian's headless Chromium is present for the browser test (tests/browser). Idempotent.
# CI runners that are not root get apt-get through sudo.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then /usr/bin/chromium --version 2>/dev/null; exit 0; fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
/usr/bin/chromium --version 2>/dev/null
