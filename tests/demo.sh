#!/bin/bash
# make demo: the repair, played on a throwaway user and container.
#
# A user's container is started by a "CI service" whose cgroup is a leaf of
# a root-owned tree (system.slice/jenkins.service); the user then logs in
# and sits in another leaf (user.slice/.../session-1.scope).  The two meet
# only at a root-owned ancestor, as they do under systemd.  The demo shows
# what goes wrong without cg-adopt and what cg-adopt changes, then removes
# everything it made.

. "$(dirname "$0")/integration/lib.sh"

USER_NAME=cgadopt-demo
# The closing line says "demo:", not "integration:".
T_SUITE=demo
CT=c1

say() {
  printf '\n== %s\n' "$*"
}

# The cgroups of PID in every hierarchy, one "hierarchy: path" a line.
cgroups_of() {
  ti_pid_cgroups "$1" | sed 's/^/     /'
}

t_require_root
t_require_cg_adopt

say "Setting up: user $USER_NAME, a service cgroup and a session cgroup"
t_ok "test cgroups below this script's own" ti_cg_base || t_bail "no cgroups"
t_ok "user $USER_NAME with subordinate ids" ti_user_add "$USER_NAME" || t_bail "no user"
t_ok "the foreign layout" ti_layout_foreign "$USER_NAME" || t_bail "no layout"
echo "   service: $TI_SERVICE"
echo "   session: $TI_SESSION"
t_ok "a busybox container $CT" ti_ct_create "$USER_NAME" "$CT" || t_bail "no container"

say "The CI service starts the container"
t_ok "lxc-start from the service cgroup" ti_ct_start "$USER_NAME" "$CT" || t_bail "no start"
init=$(ti_ct_pid "$USER_NAME" "$CT")
echo "   the container's init (pid $init) sits in:"
cgroups_of "$init"

say "Without cg-adopt: lxc-attach from the login session"
ti_attach_start "$TI_SESSION" "$USER_NAME" "$CT" sleep 31.$$
wait "$TI_ATTACHER" 2>/dev/null
echo "   lxc-attach ran, and the attached process (pid $TI_ATTACHED) sits in:"
cgroups_of "$TI_ATTACHED"
t_fail "it is not in the container's cgroup2 cgroup" 1 \
  ti_cg_within "$TI_ATTACHED" "$init"
[ -n "$TI_ATTACHED" ] && kill "$TI_ATTACHED" 2>/dev/null

say "cg-adopt show, from the session"
ti_cg_adopt_in "$TI_SESSION" "$USER_NAME" show "$CT" | sed 's/^/   /'

say "cg-adopt exec as the user: the kernel refuses, and cg-adopt says why"
ti_capture ti_cg_adopt_in "$TI_SESSION" "$USER_NAME" exec "$CT" -- true
echo "   exit $TI_RC: $TI_STDERR" | fold -s -w 76 | sed '2,$s/^/     /'
t_eq "unprivileged exec fails with exit 1" 1 "$TI_RC"

say "cg-adopt exec through sudo (SUDO_UID): it runs lxc-attach as the user"
ti_run_in_as_sudo "$TI_SESSION" "$USER_NAME" "$CG_ADOPT" exec "$CT" -- \
  lxc-attach -n "$CT" -- sleep 32.$$ >/dev/null 2>&1 &
attacher=$!
attached=$(ti_wait_pid_by_cmdline sleep 32.$$)
echo "   the attached process (pid $attached) sits in:"
cgroups_of "$attached"
t_ok "it is in the container's cgroups in every hierarchy" \
  ti_cg_within "$attached" "$init"
kill "$attached" 2>/dev/null
wait "$attacher" 2>/dev/null

say "Cleaning up"
t_done
