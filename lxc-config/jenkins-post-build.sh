#!/bin/sh
# Jenkins post-build step: remove the cgroups that this build's containers
# left behind (lxc.pivot after a clean stop; payload and monitor cgroups
# after a killed monitor), so that the next build gets "lxc.payload.NAME"
# rather than "lxc.payload.NAME-7".
#
# Use it as the last "Execute shell" step, or from a post-build script
# plugin, as the user that runs the builds.  It runs from the build's own
# cgroup, and clean climbs from there to the top of the tree the user owns,
# so it finds what the service left in sibling cgroups too.
#
#   CONTAINERS  the containers this job starts (default: every stopped one)
#   LXCPATH     their lxcpath, if not liblxc's default for the user
#
# A build that leaves a container running fails here on purpose: clean
# refuses it (exit 1) and says so.  Set CG_ADOPT_CLEAN_SOFT=1 to only warn.
set -u

CG_ADOPT=${CG_ADOPT:-cg-adopt}
set -- ${LXCPATH:+-P "$LXCPATH"}

if [ -n "${CONTAINERS:-}" ]; then
	# shellcheck disable=SC2086 # a list of names, split on purpose
	"$CG_ADOPT" clean "$@" $CONTAINERS
else
	"$CG_ADOPT" clean "$@" --all-stopped
fi
rc=$?

if [ "$rc" -ne 0 ] && [ "${CG_ADOPT_CLEAN_SOFT:-0}" = 1 ]; then
	echo "cg-adopt clean exited $rc; carrying on (CG_ADOPT_CLEAN_SOFT=1)" >&2
	exit 0
fi
exit "$rc"
