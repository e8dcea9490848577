#!/usr/bin/env bash
# Prepares a board to run the kiosk as an unprivileged service. Run as root from the repository
# (after `cargo build --release -p kiosk`):
#   sudo scripts/install/setup-board.sh [path/to/kiosk-binary]
# What it does (each step is idempotent):
#   1. system group and user `kiosk` (no login shell, home /var/lib/kiosk), member of the groups
#      that give the display, touch screen and serial printer: video render input dialout;
#   2. the udev rule scripts/udev/60-kiosk-readers.rules to /etc/udev/rules.d (fingerprint readers
#      owned by group kiosk, mode 0660), then udev reload;
#   3. the binary to /usr/local/bin/kiosk;
#   4. /etc/kiosk/kiosk.toml from kiosk.toml.example if there is none (root:kiosk 0640: it holds
#      the technician PIN hash);
#   5. the systemd unit kiosk.service, enabled (not started: edit the configuration first, then
#      `systemctl start kiosk`).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
binary="${1:-$repo/target/release/kiosk}"
rule="$repo/scripts/udev/60-kiosk-readers.rules"

if [ "$(id -u)" -ne 0 ]; then
    echo "setup-board.sh must run as root (it creates a user and installs system files)" >&2
    exit 1
fi
for file in "$binary" "$rule" "$here/kiosk.service" "$here/kiosk.toml.example"; do
    if [ ! -f "$file" ]; then
        echo "missing $file (build with: cargo build --release -p kiosk)" >&2
        exit 1
    fi
done

if ! getent group kiosk >/dev/null; then
    groupadd --system kiosk
fi
if ! id -u kiosk >/dev/null 2>&1; then
    useradd --system --gid kiosk --home-dir /var/lib/kiosk --no-create-home \
        --shell /usr/sbin/nologin --comment "fingerprint kiosk" kiosk
fi
for group in video render input dialout; do
    if getent group "$group" >/dev/null; then
        usermod --append --groups "$group" kiosk
    fi
done

install -D -m 0644 "$rule" /etc/udev/rules.d/60-kiosk-readers.rules
if command -v udevadm >/dev/null; then
    udevadm control --reload
    udevadm trigger --subsystem-match=usb --action=add
fi

install -D -m 0755 "$binary" /usr/local/bin/kiosk
install -d -m 0750 -o kiosk -g kiosk /var/lib/kiosk
if [ ! -f /etc/kiosk/kiosk.toml ]; then
    install -D -m 0640 -o root -g kiosk "$here/kiosk.toml.example" /etc/kiosk/kiosk.toml
    echo "wrote /etc/kiosk/kiosk.toml: set facility, devices and hub, then add the PIN hash from"
    echo "  /usr/local/bin/kiosk config hash-pin"
fi

install -D -m 0644 "$here/kiosk.service" /etc/systemd/system/kiosk.service
if command -v systemctl >/dev/null; then
    systemctl daemon-reload
    systemctl enable kiosk.service
fi
echo "done: check the configuration with 'kiosk config check /etc/kiosk/kiosk.toml', run"
echo "'kiosk diag --config /etc/kiosk/kiosk.toml', then 'systemctl start kiosk'"
