#!/usr/bin/env bash
# Makes sure Debian's headless Chromium is present for the browser test (tests/browser). Idempotent.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then /usr/bin/chromium --version; exit 0; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
/usr/bin/chromium --version
