#!/bin/bash
# All or nothing: when one hierarchy refuses at write time, cg-adopt moves
# every process back into every cgroup it was in.  cg-adopt moves cgroup2
# first, then the v1 hierarchies in /proc/PID/cgroup order, so a refusal in
# the last v1 hierarchy comes after every other move has been made.
#
#   (a) the caller: the root's cgroup.procs of the last v1 hierarchy goes
#       back to root after the container started;
#   (b) two pids, the second another user's: cgroup2 lets the first move
#       and the second's cgroup2 move through (it only checks files), the
#       first v1 hierarchy refuses the second (not the caller's own).

. "$(dirname "$0")/lib.sh"

t_require_root
t_require_cg_adopt

USER_A=cgadopt-a
USER_B=cgadopt-b
CT=c1

t_ok "make the test cgroup in every hierarchy" ti_cg_base || t_bail "no cgroups"
t_ok "create user $USER_A" ti_user_add "$USER_A" || t_bail "no user"
t_ok "create user $USER_B" ti_user_add "$USER_B" || t_bail "no user"
t_ok "lay out the owned tree" ti_layout_owned "$USER_A" || t_bail "no layout"
t_ok "create container $CT" ti_ct_create "$USER_A" "$CT" || t_bail "no container"
t_ok "$CT starts from the service cgroup" ti_ct_start "$USER_A" "$CT" ||
  t_bail "no container"

at_session=$(ti_expect_cgroups "BASE/$TI_SESSION")
at_root=$(ti_expect_cgroups "BASE/$TI_SERVICE")

# The order cg-adopt writes in: cgroup2, then v1 as /proc/self/cgroup lists.
first_v1=
last_v1=
for i in "${!TI_H_KEY[@]}"; do
  [ "${TI_H_VER[i]}" = 1 ] || continue
  [ -n "$first_v1" ] || first_v1=$i
  last_v1=$i
done
t_note "v1 order: ${TI_H_KEY[*]}; refusing in ${TI_H_KEY[last_v1]}"

# --- (a) the last v1 hierarchy refuses the caller ---------------------------------

procs=$(ti_cg_dir "$last_v1" "$TI_SERVICE")/cgroup.procs
t_ok "(a) the root's cgroup.procs in ${TI_H_KEY[last_v1]} goes back to root" \
  chown root:root "$procs"
ti_probe "$TI_SESSION" "$USER_A" "$CG_ADOPT" move "$CT"
t_eq "(a) move exits 1" 1 "$(ti_probe_get rc)"
t_error_line "(a) one line naming ${TI_H_KEY[last_v1]} and its path" \
  "$(ti_probe_get err)" \
  "cannot move pid [0-9]+ into '$(ti_cg_dir "$last_v1" "$TI_SERVICE")' \(${TI_H_KEY[last_v1]}\): Permission denied" \
  "'$procs' is not writable"
t_eq "(a) the shell is back in all its old cgroups, in every hierarchy" \
  "$(ti_probe_cgroups before)" "$(ti_probe_cgroups after)"
t_eq "(a) ... which were the session's" "$at_session" "$(ti_probe_cgroups after)"

# exec rolls back the same way; what it would have run never runs.
ti_probe "$TI_SESSION" "$USER_A" "$CG_ADOPT" exec "$CT" -- echo ran
t_eq "(a) exec exits 1 and runs nothing" "1 " "$(ti_probe_get rc) $(ti_probe_get out)"

t_ok "(a) give cgroup.procs back to the user" chown "$USER_A:" "$procs"
ti_probe "$TI_SESSION" "$USER_A" "$CG_ADOPT" move "$CT"
t_eq "(a) then the same move works" "0 $at_root" \
  "$(ti_probe_get rc) $(ti_probe_cgroups after)"

# --- (b) two pids, the second refused by v1 ------------------------------------------

# start_sleep USER TAG: USER's sleep in USER_A's session; prints its pid.
start_sleep() {
  ti_run_in_session "$1" sleep "$2" >/dev/null 2>&1 &
  ti_wait_pid_by_cmdline sleep "$2"
}

mine=$(start_sleep "$USER_A" "71.$$")
theirs=$(start_sleep "$USER_B" "72.$$")
if [ -n "$mine" ] && [ -n "$theirs" ]; then
  ti_capture ti_cg_adopt_in "$TI_SESSION" "$USER_A" move "$CT" "$mine" "$theirs"
  t_eq "(b) move PID OTHERS_PID exits 1" 1 "$TI_RC"
  t_error_line "(b) one line naming the other's pid and ${TI_H_KEY[first_v1]}" \
    "$TI_STDERR" "cannot move pid $theirs into '[^']*' \(${TI_H_KEY[first_v1]}\)" \
    "may not move a process of uid $(id -u "$USER_B")"
  t_eq "(b) the first pid is back in all its old cgroups" "$at_session" \
    "$(ti_pid_cgroups "$mine")"
  t_eq "(b) the second pid too, cgroup2 included" "$at_session" \
    "$(ti_pid_cgroups "$theirs")"
  t_ok "(b) the first pid alone moves" \
    ti_cg_adopt_in "$TI_SESSION" "$USER_A" move "$CT" "$mine"
  t_eq "(b) ... into the root in every hierarchy" "$at_root" "$(ti_pid_cgroups "$mine")"
else
  t_failed "(b) start a sleep of each user in the session"
fi
kill -9 ${mine:+"$mine"} ${theirs:+"$theirs"} 2>/dev/null
wait

t_ok "stop $CT" ti_ct_stop "$USER_A" "$CT"
t_done
