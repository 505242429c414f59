#!/usr/bin/env bash
# Makes Debian's chromium available for the report's headless-browser test, installing it when it is
# missing and this is root on an apt system. Never fails: where it cannot, it says why, and the test
# is skipped with that reason.
set -uo pipefail

for name in chromium chromium-browser google-chrome google-chrome-stable; do
  command -v "$name" >/dev/null 2>&1 && exit 0
done
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: not an apt-based system; the report's browser test will be skipped" >&2
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-chromium: installing chromium needs root; the report's browser test will be skipped" >&2
  exit 0
fi
echo "ensure-chromium: installing chromium (apt-get) for the report's browser test" >&2
log="$(mktemp)"
if ! {
  apt-get -o DPkg::Lock::Timeout=300 update -q &&
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends chromium
} >"$log" 2>&1; then
  tail -n 5 "$log" >&2
  echo "ensure-chromium: could not install chromium; the report's browser test will be skipped" >&2
fi
rm -f "$log"
exit 0
