#!/bin/sh
# Install the host packages the pure cgroup v2 VM test bed needs, on
# Debian 12. Idempotent and quiet: it prints nothing when everything is
# there, and runs 'apt-get update' only when a package is missing.
#
# Exit codes: 0 done, 1 apt-get failed, 77 something is missing and we
# are not root (the caller reports a skip with the reason).
#
# The guest's kernel is not installed here: build-guest.sh fetches it with
# 'apt-get download' into build/vm/, so the host's /boot stays untouched.

set -eu

# qemu-system-x86: the emulator (TCG; KVM guests do not start here).
# busybox-static:  the guest's userland, and the containers' rootfs.
# lxc, lxc-templates, uidmap: copied into the guest with their libraries.
# cpio, kmod:      to pack the initramfs and resolve module dependencies.
# util-linux:      setpriv, unshare and nsenter for the guest.
PKGS="qemu-system-x86 busybox-static lxc lxc-templates uidmap cpio kmod
util-linux passwd"

missing=
for p in $PKGS; do
	if ! dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null |
		grep -q ' installed$'; then
		missing="$missing $p"
	fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "vm deps: missing packages:$missing; run tests/vm/deps.sh as root" >&2
	exit 77
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive

echo "vm deps: installing$missing"

# lxc recommends libpam-cgfs, whose session hook would move every login of
# this host into a cgroup of its own: never pull in recommends here.
# shellcheck disable=SC2086 # word splitting of the list is intended
if ! { apt-get update -qq &&
	apt-get install -y -qq --no-install-recommends $missing; } \
	>"$log" 2>&1; then
	cat "$log" >&2
	echo "vm deps: cannot install$missing: apt-get failed (output above)" >&2
	exit 1
fi
