#!/usr/bin/env bash
# Make sure the real-browser test (tests/review/test_browser.py) has Debian's Chromium and
# chromedriver. A no-op when both are installed; otherwise installs them with apt-get when
# it is usable (root, or sudo without a password), and fails with a clear message if not.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
CHROMEDRIVER=/usr/bin/chromedriver

if [[ -x "$CHROMIUM" && -x "$CHROMEDRIVER" ]]; then
  exit 0
fi

missing=()
[[ -x "$CHROMIUM" ]] || missing+=(chromium)
[[ -x "$CHROMEDRIVER" ]] || missing+=(chromium-driver)

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-browser: ${missing[*]} missing and apt-get is not available." >&2
  echo "  Install Chromium and chromedriver at $CHROMIUM and $CHROMEDRIVER, then re-run." >&2
  exit 1
fi

if [[ $(id -u) -eq 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "ensure-browser: ${missing[*]} missing; installing them needs root." >&2
  echo "  Run: sudo apt-get update && sudo apt-get install -y chromium chromium-driver" >&2
  exit 1
fi

echo "ensure-browser: installing ${missing[*]} (for the real-browser test)…"
if ! { "${SUDO[@]}" apt-get update -qq \
      && DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq \
         chromium chromium-driver; }; then
  echo "ensure-browser: apt-get could not install chromium and chromium-driver." >&2
  exit 1
fi

if [[ ! -x "$CHROMIUM" || ! -x "$CHROMEDRIVER" ]]; then
  echo "ensure-browser: installed, but $CHROMIUM or $CHROMEDRIVER is still missing." >&2
  exit 1
fi
echo "ensure-browser: $("$CHROMIUM" --version 2>/dev/null || echo chromium) ready."
