#!/bin/sh
# A CI build step that runs a nested unprivileged container, for a
# Jenkins "Execute shell" step (doc/nested.md).  With the job of
# jenkins.conf and the hooks of cg-adopt.conf in the container's config,
# the container lands in /cg-adopt/user-UID/lxc whichever executor starts
# it, so that jenkins can reach it from any login afterwards:
#   lxc-attach -n "$NAME", lxc-freeze -n "$NAME", lxc-stop -n "$NAME"
#
#   NAME      the container (default: build-$BUILD_NUMBER)
#   TEMPLATE  the container it is copied from (default: base)
set -eu

NAME=${NAME:-build-${BUILD_NUMBER:-0}}
TEMPLATE=${TEMPLATE:-base}
CG_ADOPT=${CG_ADOPT:-cg-adopt}

# liblxc keeps its locks below $XDG_RUNTIME_DIR or else $HOME/.cache, and
# the containers below $HOME/.local/share/lxc: a service started without
# HOME fails with "Failed to create lock for NAME".
: "${HOME:?HOME must be set for liblxc}"

lxc-copy -n "$TEMPLATE" -N "$NAME"
grep -q '^lxc.include = /usr/local/share/cg-adopt/cg-adopt.conf' \
	"$HOME/.local/share/lxc/$NAME/config" ||
	echo "lxc.include = /usr/local/share/cg-adopt/cg-adopt.conf" \
		>>"$HOME/.local/share/lxc/$NAME/config"

lxc-start -n "$NAME"
lxc-wait -n "$NAME" -s RUNNING -t 30
# shellcheck disable=SC2016 # expanded inside the container
lxc-attach -n "$NAME" -- /bin/sh -c 'echo build runs in $(hostname)'

# Keep it for inspection with KEEP=1; else stop it and remove what its
# cgroups left behind.
if [ "${KEEP:-0}" != 1 ]; then
	lxc-stop -n "$NAME" -t 10
	lxc-destroy -n "$NAME"
	"$CG_ADOPT" clean "$NAME" || true
fi
