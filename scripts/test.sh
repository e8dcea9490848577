#!/usr/bin/env bash
# Runs every test of the workspace: `cargo test --workspace --no-fail-fast`, one target dir
# (`target/`, or $CARGO_TARGET_DIR), the dev profile every other build uses.
#
# First it installs the Debian packages the tests need when they are missing. That needs root
# (or sudo); without either it prints the exact apt-get command, and the tests that need a
# missing tool skip with a reason (under CI=true they fail instead).
#   umockdev     replays recorded USB traffic of the fingerprint readers (umockdev-run)
#   xvfb         a real X server for the windowed kiosk test (Xvfb)
#   imagemagick  grabs that window (import)
#   postgresql   server binaries for a throwaway hub cluster (initdb, pg_ctl; the tests start and
#                stop their own cluster, the package's own service is not used)
#   libfontconfig1 libxkbcommon-x11-0 libxcursor1 libxrandr2 libxi6
#                libraries the Slint window loads at run time
# Prints a closing line "N passed, N failed, N skipped" and exits non-zero if any test failed.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(umockdev xvfb imagemagick postgresql
    libfontconfig1 libxkbcommon-x11-0 libxcursor1 libxrandr2 libxi6)

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
if command -v dpkg-query >/dev/null; then
    for package in "${packages[@]}"; do
        installed "$package" || missing+=("$package")
    done
else
    echo "test.sh: not a Debian system; install the equivalents of: ${packages[*]}" >&2
fi

if [ "${#missing[@]}" -gt 0 ]; then
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
            sudo=(sudo)
        else
            echo "test.sh: missing packages and no root: run as root" >&2
            echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
            echo "test.sh: continuing; tests needing them will skip (or fail under CI=true)" >&2
            sudo=(none)
        fi
    fi
    if [ "${sudo[*]}" != none ]; then
        echo "test.sh: installing ${missing[*]}"
        "${sudo[@]}" apt-get update -qq
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
            --no-install-recommends "${missing[@]}" >/dev/null
    fi
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
cargo test --workspace --no-fail-fast 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# Sum the "test result:" lines of every test binary into one closing line.
awk '
    /^test result:/ {
        for (i = 1; i <= NF; i++) {
            if ($(i + 1) ~ /^passed/) passed += $i
            if ($(i + 1) ~ /^failed/) failed += $i
            if ($(i + 1) ~ /^ignored/) skipped += $i
        }
    }
    END { printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped }
' "$log"
exit "$status"
