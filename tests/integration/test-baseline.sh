#!/bin/bash
# The failures cg-adopt exists to repair, shown on this machine without it.
#
# Every check here asserts what LXC 5.0.2 and the kernel do today.  If one of
# them starts failing, the world changed (a new LXC, a kernel rule, a pure
# cgroup2 host) and cg-adopt's premises need a second look.
#
#   (a) foreign layout: lxc-attach from the login session leaves the attached
#       process outside the container on cgroup2;
#   (b) a container started from a session that owns no cgroup gets none;
#   (c) a cgroup whose directory alone was chowned cannot be joined;
#   (d) the owned layout, where everything works, as the control;
#   and which lxc-* commands work from the session in each layout.

. "$(dirname "$0")/lib.sh"

t_require_root

FOREIGN_USER=cgadopt-a
OWNED_USER=cgadopt-b
CT=c1

# --- setup ------------------------------------------------------------------

t_ok "make the test cgroup in every hierarchy" ti_cg_base || t_bail "no cgroups"
t_note "hierarchies: ${TI_H_KEY[*]}"
t_ok "create user $FOREIGN_USER" ti_user_add "$FOREIGN_USER" || t_bail "no user"
t_ok "create user $OWNED_USER" ti_user_add "$OWNED_USER" || t_bail "no user"

t_ok "lay out the foreign tree for $FOREIGN_USER" \
  ti_layout_foreign "$FOREIGN_USER" || t_bail "no layout"
F_SERVICE=$TI_SERVICE
F_SESSION=$TI_SESSION
t_ok "lay out the owned tree for $OWNED_USER" \
  ti_layout_owned "$OWNED_USER" || t_bail "no layout"
O_SERVICE=$TI_SERVICE
O_SESSION=$TI_SESSION

for user in "$FOREIGN_USER" "$OWNED_USER"; do
  t_ok "create busybox container $CT for $user" \
    ti_ct_create "$user" "$CT" || t_bail "no container"
done

# --- helpers for this file --------------------------------------------------

# check_monitor_cmds LAYOUT USER FROM: lxc-freeze, lxc-unfreeze, lxc-cgroup
# and lxc-info as USER from BASE/FROM.  They talk to the monitor over its
# command socket, so the caller's cgroup should not matter.
check_monitor_cmds() {
  local layout=$1 user=$2 from=$3 state

  t_ok "$layout: lxc-freeze works from the session" \
    ti_run_in "$from" "$user" lxc-freeze -n "$CT"
  state=$(ti_run_in "$from" "$user" lxc-info -n "$CT" -sH)
  t_eq "$layout: lxc-info from the session sees it frozen" FROZEN "$state"
  t_ok "$layout: lxc-unfreeze works from the session" \
    ti_run_in "$from" "$user" lxc-unfreeze -n "$CT"
  t_ok "$layout: lxc-cgroup pids.current works from the session" \
    ti_run_in "$from" "$user" lxc-cgroup -n "$CT" pids.current
  # The monitor finds no hierarchy for a controller named "cgroup" on this
  # hybrid host (get_limit_cgroup_fd: ENOENT); it fails the same from the
  # service cgroup and for root.  Not a placement problem, but a trap for
  # anyone who wants to list a container's pids with lxc-cgroup.
  t_fail "$layout: lxc-cgroup cgroup.procs fails (no 'cgroup' controller here)" 1 \
    ti_run_in "$from" "$user" lxc-cgroup -n "$CT" cgroup.procs
}

# check_stop LAYOUT USER FROM SERVICE: lxc-stop from the session, and what
# LXC leaves behind: the payload and monitor cgroups go, lxc.pivot stays.
# -k, because a clean busybox halt costs 2 s here; both go through the
# monitor's socket all the same.
check_stop() {
  local layout=$1 user=$2 from=$3 service=$4 state left

  t_ok "$layout: lxc-stop works from the session" \
    ti_run_in "$from" "$user" timeout "$TI_TIMEOUT" lxc-stop -k -n "$CT"
  state=$(ti_as_user "$user" lxc-info -n "$CT" -sH)
  t_eq "$layout: the container is stopped" STOPPED "$state"
  left=$(ti_cg_list_lxc | grep -F "BASE/$service/" | sort)
  t_eq "$layout: only lxc.pivot is left in the service cgroup" \
    "$(ti_expect_cgroups "BASE/$service/lxc.pivot" | sort)" "$left"
}

# inside_view: /proc/self/cgroup as read in the container, turned into the
# "KEY:PATH" shape of ti_pid_cgroups (the kernel lists the hierarchies in
# the same order inside and out).
inside_view() {
  cut -d: -f2- | sed -e 's/^:/unified:/'
}

make_half() {
  ti_cg_mkdir own/half && ti_cg_delegate own/half "$OWNED_USER" dir-only
}

# --- (a) foreign layout -------------------------------------------------------

t_ok "foreign: $CT starts from the service cgroup" \
  ti_ct_start "$FOREIGN_USER" "$CT" "$F_SERVICE" || t_bail "no container"
init=$(ti_ct_pid "$FOREIGN_USER" "$CT")
t_eq "foreign: init is in the service's lxc.payload.$CT in every hierarchy" \
  "$(ti_expect_cgroups "BASE/$F_SERVICE/lxc.payload.$CT")" \
  "$(ti_pid_cgroups "$init")"
t_eq "foreign: the monitor is init's parent, in lxc.monitor.$CT" \
  "$(ti_expect_cgroups "BASE/$F_SERVICE/lxc.monitor.$CT")" \
  "$(ti_pid_cgroups "$(ti_ppid "$init")")"

# The control: from the service cgroup itself attach works.
out=$(ti_run_in "$F_SERVICE" "$FOREIGN_USER" \
  timeout "$TI_TIMEOUT" lxc-attach -n "$CT" -- cat /proc/self/cgroup)
t_eq "foreign: lxc-attach from the service lands in the payload (inside view)" \
  "$(ti_expect_by_version / /.lxc :)" "$(inside_view <<<"$out")"

# From the session: v1 has no ancestor rule, so the attached process joins
# the payload there; cgroup2 demands write access to the common ancestor of
# session and payload, which is root's BASE.  LXC's move fails with EACCES,
# lxc-attach exits 1 at once, and the command runs on regardless, its
# cgroup2 path pointing out of the container's cgroup namespace.  (After
# that, lxc-stop -k takes about 1 s instead of 20 ms: the container's pid
# namespace cannot go before the orphan's zombie is reaped.)
sess_rc=0
out=$(ti_run_in "$F_SESSION" "$FOREIGN_USER" \
  timeout "$TI_TIMEOUT" lxc-attach -n "$CT" -- cat /proc/self/cgroup 2>&1) ||
  sess_rc=$?
t_eq "foreign: lxc-attach from the session exits 1" 1 "$sess_rc"
t_ok "foreign: ... after 'Permission denied - Failed to move process into target cgroup'" \
  grep -q "Permission denied - Failed to move process into target cgroup" <<<"$out"
t_note "foreign: lxc-attach from the session, seen inside:"
grep -v '^lxc-attach' <<<"$out" | t_note
t_eq "foreign: ... the command still ran: v1 at the payload, cgroup2 in the session" \
  "$(ti_expect_by_version / "/../../../$F_SESSION" :)" \
  "$(grep -v '^lxc-attach' <<<"$out" | inside_view)"

# The same from the host, with a command that stays around long enough to
# be looked at.  lxc-attach does not wait for it: it is orphaned (to pid 1,
# here the sandbox's process_api, which reaps zombies only now and then).
tag=(sleep "41.$$")
ti_attach_start "$F_SESSION" "$FOREIGN_USER" "$CT" "${tag[@]}"
attached=$TI_ATTACHED
if [ -n "$attached" ]; then
  t_note "foreign: lxc-attach from the session, seen from the host:"
  ti_pid_cgroups "$attached" | t_note
  t_eq "foreign: the attached command is in the payload on v1, in the session on cgroup2" \
    "$(ti_expect_by_version "BASE/$F_SERVICE/lxc.payload.$CT" "BASE/$F_SESSION" :)" \
    "$(ti_pid_cgroups "$attached")"
  t_fail "foreign: ... so it is not within init's cgroups" 1 \
    ti_cg_within "$attached" "$init"
  t_eq "foreign: ... and it was orphaned to pid 1" 1 "$(ti_ppid "$attached")"
  kill -9 "$attached"
else
  t_failed "foreign: find the command lxc-attach left running" "looked for: ${tag[*]}"
fi
wait "$TI_ATTACHER"

check_monitor_cmds foreign "$FOREIGN_USER" "$F_SESSION"
check_stop foreign "$FOREIGN_USER" "$F_SESSION" "$F_SERVICE"

# --- (b) a session that owns no cgroup ------------------------------------------

# BASE/nocg stands for a login that no one delegated a cgroup to.  It is a
# root-owned cgroup like the one this script runs in, but below BASE, so
# that whatever the container leaves there is found and removed.
t_ok "nocg: make a root-owned cgroup" ti_cg_mkdir nocg
t_ok "nocg: $CT starts from it" ti_ct_start "$FOREIGN_USER" "$CT" nocg
init=$(ti_ct_pid "$FOREIGN_USER" "$CT")
t_eq "nocg: init stays in the starting cgroup in every hierarchy" \
  "$(ti_expect_cgroups BASE/nocg)" "$(ti_pid_cgroups "$init")"
t_eq "nocg: no lxc.* cgroup was made" "" "$(ti_cg_list_lxc | grep -F BASE/nocg)"
skipped=$(ti_ct_log "$FOREIGN_USER" "$CT" |
  grep -c -e "Legacy hierarchy not writable, skipping" \
    -e "not writable, skipping unified hierarchy")
t_eq "nocg: the start log skips every hierarchy as not writable" \
  "${#TI_H_KEY[@]}" "$skipped"
# With no container cgroups to join, lxc-attach does not even try: the
# command runs, and stays wherever its caller was.
tag=(sleep "43.$$")
ti_attach_start "$F_SESSION" "$FOREIGN_USER" "$CT" "${tag[@]}"
attached=$TI_ATTACHED
if [ -n "$attached" ]; then
  t_eq "nocg: lxc-attach from the session leaves the command in the session" \
    "$(ti_expect_cgroups "BASE/$F_SESSION")" "$(ti_pid_cgroups "$attached")"
  kill -9 "$attached"
else
  t_failed "nocg: find the attached command" "looked for: ${tag[*]}"
fi
attach_rc=0
wait "$TI_ATTACHER" || attach_rc=$?
t_eq "nocg: ... and lxc-attach reports the command's fate (SIGKILL: 137)" \
  137 "$attach_rc"
t_fail "nocg: lxc-freeze fails" 1 ti_as_user "$FOREIGN_USER" lxc-freeze -n "$CT"
t_fail "nocg: lxc-cgroup pids.current fails" 1 \
  ti_as_user "$FOREIGN_USER" lxc-cgroup -n "$CT" pids.current
t_ok "nocg: lxc-stop works" \
  ti_as_user "$FOREIGN_USER" timeout "$TI_TIMEOUT" lxc-stop -k -n "$CT"

# --- (c) half a delegation ------------------------------------------------------

# Inside the owned tree, so that on cgroup2 the common ancestor (own) is the
# user's and only the file ownership decides.
t_ok "delegation: root makes own/half and chowns only the directory" \
  make_half
t_eq "delegation: the session cannot join own/half in any hierarchy" \
  "$(ti_expect_by_version denied denied)" \
  "$(ti_try_join "$O_SESSION" "$OWNED_USER" own/half)"
t_ok "delegation: chown the delegatable files too" \
  ti_cg_delegate own/half "$OWNED_USER"
t_eq "delegation: then the session can join it in every hierarchy" \
  "$(ti_expect_by_version ok ok)" \
  "$(ti_try_join "$O_SESSION" "$OWNED_USER" own/half)"

# Fully delegated leaves in foreign trees: v1 lets the user move between
# them, cgroup2 does not, because the common ancestor is root's.
t_eq "delegation: foreign session to service: v1 ok, cgroup2 denied" \
  "$(ti_expect_by_version ok denied)" \
  "$(ti_try_join "$F_SESSION" "$FOREIGN_USER" "$F_SERVICE")"

# --- (d) owned layout: the control ------------------------------------------------

t_ok "owned: $CT starts from the service cgroup" \
  ti_ct_start "$OWNED_USER" "$CT" "$O_SERVICE" || t_bail "no container"
init=$(ti_ct_pid "$OWNED_USER" "$CT")
t_eq "owned: init is in the service's lxc.payload.$CT in every hierarchy" \
  "$(ti_expect_cgroups "BASE/$O_SERVICE/lxc.payload.$CT")" \
  "$(ti_pid_cgroups "$init")"

tag=(sleep "42.$$")
ti_attach_start "$O_SESSION" "$OWNED_USER" "$CT" "${tag[@]}"
attached=$TI_ATTACHED
if [ -n "$attached" ]; then
  t_ok "owned: lxc-attach from the session lands within init's cgroups" \
    ti_cg_within "$attached" "$init"
  t_eq "owned: ... in the payload on v1, in its .lxc leaf on cgroup2" \
    "$(ti_expect_by_version "BASE/$O_SERVICE/lxc.payload.$CT" \
      "BASE/$O_SERVICE/lxc.payload.$CT/.lxc" :)" \
    "$(ti_pid_cgroups "$attached")"
  kill -9 "$attached"
else
  t_failed "owned: find the attached command" "looked for: ${tag[*]}"
fi
wait "$TI_ATTACHER"

check_monitor_cmds owned "$OWNED_USER" "$O_SESSION"
check_stop owned "$OWNED_USER" "$O_SESSION" "$O_SERVICE"

t_done
