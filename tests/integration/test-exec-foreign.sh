#!/bin/bash
# cg-adopt exec in the foreign layout: the container was started from a
# service cgroup, the user works from a login session in another root-owned
# tree, so on cgroup2 the common ancestor of the two is root's.
#
#   (a) without cg-adopt, lxc-attach from the session misplaces the command;
#   (b) an unprivileged 'cg-adopt exec' cannot do better, says why, and
#       moves nothing;
#   (c) through sudo (sudo's variables, then the real sudo) it places the
#       command, runs it as the user, and lxc-attach and the monitor
#       commands work from there.

. "$(dirname "$0")/lib.sh"

t_require_root
t_require_cg_adopt

USER_A=cgadopt-a
CT=c1

t_ok "make the test cgroup in every hierarchy" ti_cg_base || t_bail "no cgroups"
t_ok "create user $USER_A" ti_user_add "$USER_A" || t_bail "no user"
t_ok "lay out the foreign tree" ti_layout_foreign "$USER_A" || t_bail "no layout"
t_ok "create container $CT" ti_ct_create "$USER_A" "$CT" || t_bail "no container"
t_ok "$CT starts from the service cgroup" ti_ct_start "$USER_A" "$CT" ||
  t_bail "no container"

init=$(ti_ct_pid "$USER_A" "$CT")
uid=$(id -u "$USER_A")
subid=$(ti_user_subid "$USER_A")
payload=BASE/$TI_SERVICE/lxc.payload.$CT
session=$(ti_expect_cgroups "BASE/$TI_SESSION")
# Where an attached command belongs: LXC puts it in the payload on v1 and
# in the payload's .lxc leaf on cgroup2 (the owned control of
# test-baseline.sh), so within init's cgroups, not beside init on cgroup2.
attached_ok=$(ti_expect_by_version "$payload" "$payload/.lxc" :)

t_eq "init is in lxc.payload.$CT in every hierarchy" \
  "$(ti_expect_cgroups "$payload")" "$(ti_pid_cgroups "$init")"

# check_attached DESC PID: PID (an attached command, host view) is where LXC
# puts attached commands, within init's cgroups in every hierarchy.
check_attached() {
  t_eq "$1: the attached command is in the payload (v1) and payload/.lxc (cgroup2)" \
    "$attached_ok" "$(ti_pid_cgroups "$2")"
  t_ok "$1: ... that is, within init's cgroups in every hierarchy" \
    ti_cg_within "$2" "$init"
}

# --- (a) without cg-adopt -----------------------------------------------------

tag=(sleep "51.$$")
ti_attach_start "$TI_SESSION" "$USER_A" "$CT" "${tag[@]}"
if [ -n "$TI_ATTACHED" ]; then
  t_eq "plain lxc-attach from the session: cgroup2 stays in the session" \
    "$(ti_expect_by_version "$payload" "BASE/$TI_SESSION" :)" \
    "$(ti_pid_cgroups "$TI_ATTACHED")"
  t_fail "plain lxc-attach: ... so not within init's cgroups" 1 \
    ti_cg_within "$TI_ATTACHED" "$init"
  kill -9 "$TI_ATTACHED"
else
  t_failed "plain lxc-attach: find the attached command" "looked for: ${tag[*]}"
fi
wait "$TI_ATTACHER"

# --- (b) unprivileged cg-adopt exec ---------------------------------------------

ti_probe "$TI_SESSION" "$USER_A" "$CG_ADOPT" exec "$CT" -- \
  lxc-attach -n "$CT" -- cat /proc/self/cgroup
t_eq "unprivileged exec: exit code 1" 1 "$(ti_probe_get rc)"
t_eq "unprivileged exec: nothing ran (no output)" "" "$(ti_probe_get out)"
t_error_line "unprivileged exec: one line naming cgroup2 and the common ancestor" \
  "$(ti_probe_get err)" "cannot move pid [0-9]+ into '[^']*/$TI_SERVICE' \(cgroup2\)" \
  "Permission denied" "common ancestor" "/cgadopt-test\.$$/cgroup\.procs' is not writable"
t_error_line "unprivileged exec: ... and the way out (sudo, delegate)" \
  "$(ti_probe_get err)" "sudo" "delegate"
t_eq "unprivileged exec: the session shell was not moved" \
  "$session" "$(ti_probe_cgroups after)"

# move without a pid moves the shell itself: the same refusal, and the
# shell is still in every one of its old cgroups afterwards.
ti_probe "$TI_SESSION" "$USER_A" "$CG_ADOPT" move "$CT"
t_eq "unprivileged move: exit code 1" 1 "$(ti_probe_get rc)"
t_error_line "unprivileged move: one line, cgroup2, common ancestor" \
  "$(ti_probe_get err)" "\(cgroup2\)" "common ancestor"
t_eq "unprivileged move: the shell is in its old cgroups in every hierarchy" \
  "$(ti_probe_cgroups before)" "$(ti_probe_cgroups after)"
t_eq "unprivileged move: ... which are the session's" \
  "$session" "$(ti_probe_cgroups after)"

# --- (c) through sudo ---------------------------------------------------------

# adopted_checks HOW RUNNER...: the checks of (c), with RUNNER... the prefix
# that runs a cg-adopt command line through sudo from the session.
adopted_checks() {
  local how=$1 out state attacher_pid
  shift

  out=$("$@" "$CG_ADOPT" exec "$CT" -- id -u 2>&1)
  t_eq "$how: exec runs COMMAND as the user" "$uid" "$out"
  # shellcheck disable=SC2016 # expanded later, by eval or the inner sh
  out=$("$@" "$CG_ADOPT" exec "$CT" -- sh -c 'echo "$HOME $USER $(id -g) $(id -G)"' 2>&1)
  t_eq "$how: ... with the user's HOME, USER, gid and groups" \
    "$(ti_user_home "$USER_A") $USER_A $(id -g "$USER_A") $(id -G "$USER_A")" "$out"
  out=$("$@" "$CG_ADOPT" exec "$CT" -- cat /proc/self/cgroup 2>&1)
  t_eq "$how: exec places COMMAND in the container's root in every hierarchy" \
    "$(ti_expect_cgroups "BASE/$TI_SERVICE")" "$(ti_cgroups_read <<<"$out")"

  out=$("$@" "$CG_ADOPT" exec "$CT" -- lxc-attach -n "$CT" -- \
    sh -c 'id -u; cat /proc/self/cgroup' 2>&1)
  t_eq "$how: lxc-attach through exec: uid 0 inside" 0 "$(head -n 1 <<<"$out")"
  t_eq "$how: ... in the payload on v1 and payload/.lxc on cgroup2 (inside view)" \
    "$(ti_expect_by_version / /.lxc :)" \
    "$(tail -n +2 <<<"$out" | cut -d: -f2- | sed -e 's/^:/unified:/')"

  tag=(sleep "52.$$")
  ("$@" "$CG_ADOPT" exec "$CT" -- timeout "$TI_TIMEOUT" \
    lxc-attach -n "$CT" -- "${tag[@]}" >/dev/null 2>&1) &
  attacher=$!
  attached=$(ti_wait_pid_by_cmdline "${tag[@]}")
  if [ -n "$attached" ]; then
    check_attached "$how" "$attached"
    t_eq "$how: ... and runs as the container's root (host uid $subid)" \
      "$subid" "$(ps -o uid= -p "$attached" | tr -d ' ')"
    attacher_pid=$(ti_pid_by_cmdline lxc-attach -n "$CT" -- "${tag[@]}")
    t_eq "$how: lxc-attach itself ran as the user, not as root" \
      "$uid" "$(ps -o uid= -p "${attacher_pid:-0}" | tr -d ' ')"
    kill -9 "$attached"
  else
    t_failed "$how: find the attached command" "looked for: ${tag[*]}"
  fi
  wait "$attacher"

  t_ok "$how: lxc-freeze from the adopted process" \
    "$@" "$CG_ADOPT" exec "$CT" -- lxc-freeze -n "$CT"
  state=$(ti_as_user "$USER_A" lxc-info -n "$CT" -sH)
  t_eq "$how: ... the container is frozen" FROZEN "$state"
  t_ok "$how: lxc-unfreeze from the adopted process" \
    "$@" "$CG_ADOPT" exec "$CT" -- lxc-unfreeze -n "$CT"
  state=$(ti_as_user "$USER_A" lxc-info -n "$CT" -sH)
  t_eq "$how: ... the container runs again" RUNNING "$state"
  out=$("$@" "$CG_ADOPT" exec "$CT" -- lxc-cgroup -n "$CT" pids.current 2>&1)
  t_ok "$how: lxc-cgroup pids.current from the adopted process gives a count" \
    grep -qxE '[1-9][0-9]*' <<<"$out"
}

adopted_checks "sudo (variables)" ti_run_in_as_sudo "$TI_SESSION" "$USER_A"

# The real sudo, from the user's session shell.
if t_ok "sudo: a sudoers drop-in for $USER_A and cg-adopt" ti_sudoers_allow "$USER_A"; then
  adopted_checks "sudo (real)" ti_run_in_session "$USER_A" sudo -n
  # sudo's move without a pid moves the shell that ran sudo.
  ti_probe "$TI_SESSION" "$USER_A" sudo -n "$CG_ADOPT" move "$CT"
  t_eq "sudo (real): move without a pid exits 0" 0 "$(ti_probe_get rc)" || ti_probe_get err | t_diag
  t_eq "sudo (real): ... and moved the user's shell that ran sudo" \
    "$(ti_expect_cgroups "BASE/$TI_SERVICE")" "$(ti_probe_cgroups after)"
  t_fail "sudo (real): a command not in the sudoers line is refused" any \
    ti_run_in_session "$USER_A" sudo -n /bin/true
else
  t_skip "sudo (real)" "no sudo or visudo on this machine"
fi

# Stop last: lxc-stop from the adopted process, through sudo's variables.
t_ok "lxc-stop from the adopted process" \
  ti_run_in_as_sudo "$TI_SESSION" "$USER_A" "$CG_ADOPT" exec "$CT" -- \
  timeout "$TI_TIMEOUT" lxc-stop -k -n "$CT"
t_eq "... the container is stopped" STOPPED \
  "$(ti_as_user "$USER_A" lxc-info -n "$CT" -sH)"

t_done
