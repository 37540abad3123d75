#!/usr/bin/env bash
# Installs Debian's Chromium for the report test (tests/pytest/test_report.py)
# when it is missing. Needs root, or sudo without a password.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "chromium is missing and this user cannot install it: apt-get install chromium" >&2
    exit 1
fi
echo "Installing chromium (Debian package) for the report test"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq chromium >/dev/null
