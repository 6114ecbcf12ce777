#!/usr/bin/env bash
# Makes sure Debian's `chromium` is installed for the browser tests of `broker view`
# (driven by playwright-core, which never downloads a browser of its own). Installs it with
# apt-get when missing and this runs as root (CI, the development machines); otherwise says
# how to install it and fails. Idempotent: does nothing when /usr/bin/chromium runs.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
say() { printf '[chromium] %s\n' "$*"; }

if [[ -x $CHROMIUM ]] && "$CHROMIUM" --version >/dev/null 2>&1; then
  say "$("$CHROMIUM" --version 2>/dev/null) already installed"
  exit 0
fi

if ((EUID != 0)); then
  say "$CHROMIUM is missing; the browser tests need it. Install it with: sudo apt-get install chromium"
  exit 1
fi

say "installing chromium with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium </dev/null
say "$("$CHROMIUM" --version 2>/dev/null) installed"
