#!/bin/bash
# cg-adopt in the owned layout, without root: the user owns BASE/own, the
# container was started from own/service, the user works from own/session.
# exec and move (the caller, explicit pids, --payload) must land where the
# CLI says in every hierarchy, and the lxc-* tools must work from there.

. "$(dirname "$0")/lib.sh"

t_require_root
t_require_cg_adopt

USER_A=cgadopt-a
CT=c1

t_ok "make the test cgroup in every hierarchy" ti_cg_base || t_bail "no cgroups"
t_ok "create user $USER_A" ti_user_add "$USER_A" || t_bail "no user"
t_ok "lay out the owned tree" ti_layout_owned "$USER_A" || t_bail "no layout"
t_ok "create container $CT" ti_ct_create "$USER_A" "$CT" || t_bail "no container"
t_ok "$CT starts from the service cgroup" ti_ct_start "$USER_A" "$CT" ||
  t_bail "no container"

init=$(ti_ct_pid "$USER_A" "$CT")
root=BASE/$TI_SERVICE
payload=$root/lxc.payload.$CT
at_root=$(ti_expect_cgroups "$root")
at_payload=$(ti_expect_cgroups "$payload")
at_session=$(ti_expect_cgroups "BASE/$TI_SESSION")
attached_ok=$(ti_expect_by_version "$payload" "$payload/.lxc" :)

t_eq "init is in lxc.payload.$CT in every hierarchy" "$at_payload" \
  "$(ti_pid_cgroups "$init")"

# adopt ARG...: cg-adopt ARG... as the user from the session.
adopt() {
  ti_cg_adopt_in "$TI_SESSION" "$USER_A" "$@"
}

# --- show -----------------------------------------------------------------------

out=$(adopt show "$CT" --json)
t_eq "show --json: the caller may enter the root in every hierarchy" \
  "${#TI_H_KEY[@]}" "$(grep -c '"caller_can_enter":true' <<<"$out")"
t_eq "show --json: init_pid is the container's init" 1 \
  "$(grep -c "\"init_pid\":$init," <<<"$out")"

# --- exec -----------------------------------------------------------------------

out=$(adopt exec "$CT" -- cat /proc/self/cgroup)
t_eq "exec: COMMAND runs in the container's root in every hierarchy" \
  "$at_root" "$(ti_cgroups_read <<<"$out")"
out=$(adopt exec "$CT" --payload -- cat /proc/self/cgroup)
t_eq "exec --payload: COMMAND runs in lxc.payload.$CT in every hierarchy" \
  "$at_payload" "$(ti_cgroups_read <<<"$out")"
t_eq "exec: COMMAND's exit code is passed on" 7 \
  "$(adopt exec "$CT" -- sh -c 'exit 7'; echo $?)"
out=$(adopt exec "$CT" -- id -u)
t_eq "exec: COMMAND runs as the user" "$(id -u "$USER_A")" "$out"

# --- move without a pid: the caller ---------------------------------------------

ti_probe "$TI_SESSION" "$USER_A" "$CG_ADOPT" move "$CT"
t_eq "move: exit code 0, no output" "rc=0" "$(grep -v '^before:\|^after:' <<<"$TI_PROBE")"
t_eq "move: the calling shell was in the session before" "$at_session" \
  "$(ti_probe_cgroups before)"
t_eq "move: ... and is in the container's root in every hierarchy after" \
  "$at_root" "$(ti_probe_cgroups after)"

ti_probe "$TI_SESSION" "$USER_A" "$CG_ADOPT" move "$CT" --payload
t_eq "move --payload: exit code 0" 0 "$(ti_probe_get rc)"
t_eq "move --payload: the calling shell is in lxc.payload.$CT everywhere" \
  "$at_payload" "$(ti_probe_cgroups after)"

# A second move into where the shell already is changes nothing and works.
# shellcheck disable=SC2016 # expanded by the inner sh
out=$(ti_run_in_session "$USER_A" sh -c \
  '"$0" move "$1" && "$0" move "$1" && cat /proc/$$/cgroup' "$CG_ADOPT" "$CT")
t_eq "move twice: still in the root, no error" "$at_root" "$(ti_cgroups_read <<<"$out")"

# --- move with pids ---------------------------------------------------------------

# start_sleep TAG: a sleep of the user in the session; prints its pid.
start_sleep() {
  ti_run_in_session "$USER_A" sleep "$1" >/dev/null 2>&1 &
  ti_wait_pid_by_cmdline sleep "$1"
}

p1=$(start_sleep "61.$$")
p2=$(start_sleep "62.$$")
if [ -n "$p1" ] && [ -n "$p2" ]; then
  ti_probe "$TI_SESSION" "$USER_A" "$CG_ADOPT" move "$CT" "$p1" "$p2"
  t_eq "move PID PID: exit code 0" 0 "$(ti_probe_get rc)"
  t_eq "move PID PID: the first is in the container's root everywhere" \
    "$at_root" "$(ti_pid_cgroups "$p1")"
  t_eq "move PID PID: so is the second" "$at_root" "$(ti_pid_cgroups "$p2")"
  t_eq "move PID PID: the caller itself stays in the session" \
    "$at_session" "$(ti_probe_cgroups after)"

  t_ok "move --payload PID: exit code 0" adopt move "$CT" --payload "$p2"
  t_eq "move --payload PID: it is in lxc.payload.$CT everywhere" \
    "$at_payload" "$(ti_pid_cgroups "$p2")"
  t_eq "move --payload PID: the other pid stayed in the root" \
    "$at_root" "$(ti_pid_cgroups "$p1")"
  t_ok "move PID: out of the payload back up to the root" adopt move "$CT" "$p2"
  t_eq "move PID: ... it is in the root again" "$at_root" "$(ti_pid_cgroups "$p2")"
  t_eq "the container's init was never touched" "$at_payload" \
    "$(ti_pid_cgroups "$init")"
else
  t_failed "start two sleeps of $USER_A in the session"
fi
kill -9 ${p1:+"$p1"} ${p2:+"$p2"} 2>/dev/null
wait

# --- lxc-attach from an adopted shell ------------------------------------------------

# attach_check HOW WORD...: find the attached command WORD... that an
# adopted shell started with lxc-attach, and check where it landed.
attach_check() {
  local how=$1 attached
  shift

  attached=$(ti_wait_pid_by_cmdline "$@")
  if [ -z "$attached" ]; then
    t_failed "$how: find the attached command" "looked for: $*"
    return
  fi
  t_eq "$how: the attached command is in the payload (v1) and payload/.lxc (cgroup2)" \
    "$attached_ok" "$(ti_pid_cgroups "$attached")"
  t_ok "$how: ... within init's cgroups in every hierarchy" \
    ti_cg_within "$attached" "$init"
  kill -9 "$attached"
}

tag=(sleep "63.$$")
# shellcheck disable=SC2016 # expanded by the inner sh
adopt exec "$CT" -- sh -c 'lxc-attach -n "$0" -- "$@"' "$CT" "${tag[@]}" \
  >/dev/null 2>&1 &
attach_check "lxc-attach from a shell run by exec" "${tag[@]}"
wait

tag=(sleep "64.$$")
# shellcheck disable=SC2016 # expanded by the inner sh
ti_run_in_session "$USER_A" sh -c 'c=$1; shift; "$0" move "$c" && lxc-attach -n "$c" -- "$@"' \
  "$CG_ADOPT" "$CT" "${tag[@]}" >/dev/null 2>&1 &
attach_check "lxc-attach from a shell moved by move" "${tag[@]}"
wait

# --- the monitor's commands from an adopted process ------------------------------------

t_ok "lxc-freeze from an adopted process" adopt exec "$CT" -- lxc-freeze -n "$CT"
t_eq "... the container is frozen" FROZEN "$(ti_as_user "$USER_A" lxc-info -n "$CT" -sH)"
t_eq "... so is its payload cgroup in the freezer hierarchy" FROZEN \
  "$(cat "$(ti_cg_dir "$(ti_h_index freezer)" "$TI_SERVICE/lxc.payload.$CT")/freezer.state")"
t_ok "lxc-unfreeze from an adopted process" adopt exec "$CT" -- lxc-unfreeze -n "$CT"
t_eq "... the container runs" RUNNING "$(ti_as_user "$USER_A" lxc-info -n "$CT" -sH)"
out=$(adopt exec "$CT" -- lxc-cgroup -n "$CT" pids.current)
t_eq "lxc-cgroup pids.current from an adopted process matches the cgroup file" \
  "$(cat "$(ti_cg_dir "$(ti_h_index pids)" "$TI_SERVICE/lxc.payload.$CT")/pids.current")" \
  "$out"
t_ok "lxc-stop from an adopted process" \
  adopt exec "$CT" -- timeout "$TI_TIMEOUT" lxc-stop -k -n "$CT"
t_eq "... the container is stopped" STOPPED "$(ti_as_user "$USER_A" lxc-info -n "$CT" -sH)"
t_fail "exec into the stopped container: exit code 3" 3 adopt exec "$CT" -- true

t_done
