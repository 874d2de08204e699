#!/bin/sh
# make deps: install the Debian packages that cg-adopt's build and tests
# need and that are missing.  Quiet when everything is there; runs
# 'apt-get update' only when something must be installed.
#
# Recommends are never installed: lxc recommends libpam-cgfs, whose PAM
# session hook moves every login to the top of the memory hierarchy.
#
# Exit codes: 0 done, 1 apt-get failed, 77 packages are missing and we are
# not root (printed with the list).
set -eu

# Build: compiler, pkg-config and the -dev packages of the libraries.
# Tests: LXC with the busybox template, busybox, newuidmap/newgidmap, sudo
# (the SUDO_UID policy through real sudo), pamtester (a real PAM session).
PKGS="gcc make pkg-config lxc lxc-dev lxc-templates libmount-dev libjson-c-dev
libcmocka-dev busybox-static uidmap sudo pamtester clang-format"

missing=
for p in $PKGS; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q ' installed$' ||
		missing="$missing $p"
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: missing packages:$missing; run 'make deps' as root" >&2
		exit 77
	fi

	log=$(mktemp)
	trap 'rm -f "$log"' EXIT
	export DEBIAN_FRONTEND=noninteractive
	echo "deps: installing$missing"
	if ! { apt-get update -q && apt-get install -y -q --no-install-recommends $missing; } \
		>"$log" 2>&1; then
		tail -n 20 "$log" >&2
		echo "deps: apt-get failed" >&2
		exit 1
	fi
fi

if dpkg-query -W -f '${Status}\n' libpam-cgfs 2>/dev/null | grep -q ' installed$'; then
	echo "deps: warning: libpam-cgfs is installed; its PAM hook moves logins (sudo too) to the top of the memory hierarchy, which the tests must not do: apt-get purge libpam-cgfs" >&2
fi

# The pure cgroup v2 VM test bed has its own list.
[ "${CG_DEPS_NO_VM:-}" = 1 ] || sh "$(dirname "$0")/vm/deps.sh"
