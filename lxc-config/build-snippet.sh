#!/bin/sh
# A CI build step (for example a Jenkins "Execute shell" step) that runs
# the tests in a throwaway unprivileged container, cloned from a prepared
# container named "base".
#
# Under cgmanager this step began with
#   cgm create all $USER && cgm chown all $USER $(id -u) $(id -g) && cgm movepid all $USER $$
# Nothing like that is needed now: the service started inside its delegated
# cgroup (jenkins.upstart.conf or jenkins.service), every build inherits
# it, and the containers include cg-adopt.conf, whose pre-start hook parks
# them in the user's delegated cgroup.  Where nothing is delegated, the
# start fails and the log says what root has to run, instead of a
# container without cgroups.
set -eu

name=build-${BUILD_NUMBER:-$$}

lxc-copy -n base -N "$name"
trap 'lxc-stop -k -n "$name" >/dev/null 2>&1 || :; lxc-destroy -n "$name" >/dev/null 2>&1 || :' EXIT

# DEBUG: LXC logs a hook's message only at that level.
lxc-start -n "$name" -l DEBUG -o "${WORKSPACE:-.}/$name.log"
lxc-wait -n "$name" -s RUNNING -t 30

# The build runs in the container's cgroups, so it is limited and frozen
# with them; its exit code is the step's.
lxc-attach -n "$name" -- /bin/sh -c 'cd /src && make check'
