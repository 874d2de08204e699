#!/bin/bash
# One user's container is not another's: cgadopt-b cannot enter, move
# into, or chown cgadopt-a's container, neither directly nor through sudo,
# and cannot pull a's processes into b's own container through sudo.
# Nothing moves in any of these cases.

. "$(dirname "$0")/lib.sh"

t_require_root
t_require_cg_adopt

USER_A=cgadopt-a
USER_B=cgadopt-b

t_ok "make the test cgroup in every hierarchy" ti_cg_base || t_bail "no cgroups"
t_ok "create user $USER_A" ti_user_add "$USER_A" || t_bail "no user"
t_ok "create user $USER_B" ti_user_add "$USER_B" || t_bail "no user"
t_ok "lay out the owned tree for $USER_A" ti_layout_owned "$USER_A" || t_bail "no layout"
A_SERVICE=$TI_SERVICE
A_SESSION=$TI_SESSION
layout_b() {
  ti_cg_mkdir ownb/service && ti_cg_mkdir ownb/session &&
    ti_cg_delegate ownb "$USER_B" && ti_cg_delegate ownb/service "$USER_B" &&
    ti_cg_delegate ownb/session "$USER_B"
}
t_ok "lay out an owned tree for $USER_B" layout_b || t_bail "no layout"
B_SERVICE=ownb/service
B_SESSION=ownb/session

# shellcheck disable=SC2016 # expanded later, by eval or the inner sh
t_ok "create ca for $USER_A and cb for $USER_B" \
  eval 'ti_ct_create "$USER_A" ca && ti_ct_create "$USER_B" cb' || t_bail "no container"
t_ok "ca starts" ti_ct_start "$USER_A" ca "$A_SERVICE" || t_bail "no container"
t_ok "cb starts" ti_ct_start "$USER_B" cb "$B_SERVICE" || t_bail "no container"

uid_a=$(id -u "$USER_A")
uid_b=$(id -u "$USER_B")
lxc_a=$(ti_ct_lxcpath "$USER_A")
init_a=$(ti_ct_pid "$USER_A" ca)
init_b=$(ti_ct_pid "$USER_B" cb)

# A sleep of each user in that user's session: the processes to steal.
ti_run_in "$A_SESSION" "$USER_A" sleep "81.$$" >/dev/null 2>&1 &
pid_a=$(ti_wait_pid_by_cmdline sleep "81.$$")
ti_run_in "$B_SESSION" "$USER_B" sleep "82.$$" >/dev/null 2>&1 &
pid_b=$(ti_wait_pid_by_cmdline sleep "82.$$")
if [ -z "$pid_a" ] || [ -z "$pid_b" ]; then
  t_bail "no sleeps to move"
fi

# snapshot: where everything that could be moved is now.
snapshot() {
  local p

  for p in "$pid_a" "$pid_b" "$init_a" "$init_b"; do
    ti_pid_cgroups "$p" | sed -e "s/^/$p /"
  done
}
before=$(snapshot)

# refused DESC REGEX RUNNER...: the probe RUNNER... (ti_probe arguments)
# exits 1 with one line matching REGEX and moves neither its shell nor
# anything in the snapshot.
refused() {
  local desc=$1 re=$2
  shift 2

  ti_probe "$@"
  t_eq "$desc: exit code 1" 1 "$(ti_probe_get rc)" || ti_probe_get err | t_diag
  t_error_line "$desc: one line" "$(ti_probe_get err)" "$re"
  t_eq "$desc: the calling shell did not move" \
    "$(ti_probe_cgroups before)" "$(ti_probe_cgroups after)"
  t_eq "$desc: nothing else moved" "$before" "$(snapshot)"
}

# --- directly ---------------------------------------------------------------------

refused "b exec into a's container" "." \
  "$B_SESSION" "$USER_B" "$CG_ADOPT" exec -P "$lxc_a" ca -- true
refused "b move itself into a's container" "." \
  "$B_SESSION" "$USER_B" "$CG_ADOPT" move -P "$lxc_a" ca
refused "b move its pid into a's container" "." \
  "$B_SESSION" "$USER_B" "$CG_ADOPT" move -P "$lxc_a" ca "$pid_b"
refused "b chown a's container" "only root" \
  "$B_SESSION" "$USER_B" "$CG_ADOPT" chown -P "$lxc_a" ca
refused "b move a's pid into b's own container" "pid $pid_a" \
  "$B_SESSION" "$USER_B" "$CG_ADOPT" move cb "$pid_a"

# --- through sudo's variables for b -------------------------------------------------------

other="container 'ca' belongs to uid $uid_a, not to uid $uid_b who ran sudo"
refused "sudo b: exec into a's container" "$other" \
  "$B_SESSION" "sudo:$USER_B" "$CG_ADOPT" exec -P "$lxc_a" ca -- true
refused "sudo b: move b's pid into a's container" "$other" \
  "$B_SESSION" "sudo:$USER_B" "$CG_ADOPT" move -P "$lxc_a" ca "$pid_b"
refused "sudo b: move a's own pid into a's container" "$other" \
  "$B_SESSION" "sudo:$USER_B" "$CG_ADOPT" move -P "$lxc_a" ca "$pid_a"
refused "sudo b: chown a's container" "$other" \
  "$B_SESSION" "sudo:$USER_B" "$CG_ADOPT" chown -P "$lxc_a" ca
refused "sudo b: chown a's container to b" "$other" \
  "$B_SESSION" "sudo:$USER_B" "$CG_ADOPT" chown -P "$lxc_a" ca --user "$USER_B"
refused "sudo b: move a's pid into b's own container" \
  "pid $pid_a belongs to uid $uid_a, not to uid $uid_b who ran sudo" \
  "$B_SESSION" "sudo:$USER_B" "$CG_ADOPT" move cb "$pid_a"
refused "sudo b: move a's container's init into b's container" \
  "pid $init_a belongs to uid" \
  "$B_SESSION" "sudo:$USER_B" "$CG_ADOPT" move cb "$init_a"
refused "sudo b: exec --payload into a's container" "$other" \
  "$B_SESSION" "sudo:$USER_B" "$CG_ADOPT" exec -P "$lxc_a" ca --payload -- true

# The control: the same sudo runs b's own business.
out=$(ti_run_in_as_sudo "$B_SESSION" "$USER_B" "$CG_ADOPT" exec cb -- id -u)
t_eq "sudo b: exec into b's own container works, as b" "$uid_b" "$out"
t_ok "sudo b: move b's pid into b's own container works" \
  ti_run_in_as_sudo "$B_SESSION" "$USER_B" "$CG_ADOPT" move cb "$pid_b"
t_eq "sudo b: ... it is in cb's root" "$(ti_expect_cgroups "BASE/$B_SERVICE")" \
  "$(ti_pid_cgroups "$pid_b")"

# --- the real sudo for b --------------------------------------------------------------------

if t_ok "sudo: a sudoers drop-in for $USER_B and cg-adopt" ti_sudoers_allow "$USER_B"; then
  before=$(snapshot)
  refused "real sudo b: exec into a's container" "$other" \
    "$B_SESSION" "$USER_B" sudo -n "$CG_ADOPT" exec -P "$lxc_a" ca -- true
  refused "real sudo b: move a's pid into b's container" "pid $pid_a belongs to uid $uid_a" \
    "$B_SESSION" "$USER_B" sudo -n "$CG_ADOPT" move cb "$pid_a"
  refused "real sudo b: chown a's container" "$other" \
    "$B_SESSION" "$USER_B" sudo -n "$CG_ADOPT" chown -P "$lxc_a" ca
else
  t_skip "real sudo" "no sudo or visudo on this machine"
fi

kill -9 "$pid_a" "$pid_b" 2>/dev/null
wait
# shellcheck disable=SC2016 # expanded by eval
t_ok "stop ca and cb" eval 'ti_ct_stop "$USER_A" ca && ti_ct_stop "$USER_B" cb'
t_done
