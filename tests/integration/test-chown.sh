#!/bin/bash
# cg-adopt chown, the delegation repair.  Root made the service cgroup and
# chowned only its directory, the files stayed root's (test-baseline (c)).
# LXC 5.0.2 then still makes the container's cgroups on v1 (it checks only
# the directory there) and skips cgroup2 (cgroup.threads not writable), so
# the container has cgroups of its own on v1 only, and the session cannot
# enter their root.  'cg-adopt chown' as root hands the tree over; then it
# can.

. "$(dirname "$0")/lib.sh"

t_require_root
t_require_cg_adopt

USER_A=cgadopt-a
USER_B=cgadopt-b
CT=c1

t_ok "make the test cgroup in every hierarchy" ti_cg_base || t_bail "no cgroups"
t_ok "create user $USER_A" ti_user_add "$USER_A" || t_bail "no user"
t_ok "create user $USER_B" ti_user_add "$USER_B" || t_bail "no user"

half_layout() {
  ti_cg_mkdir own/service && ti_cg_mkdir own/session &&
    ti_cg_delegate own "$USER_A" && ti_cg_delegate own/session "$USER_A" &&
    ti_cg_delegate own/service "$USER_A" dir-only
}
t_ok "own and own/session delegated, own/service only its directory" half_layout ||
  t_bail "no layout"
TI_SERVICE=own/service
TI_SESSION=own/session

t_ok "create container $CT" ti_ct_create "$USER_A" "$CT" || t_bail "no container"
t_ok "$CT starts from the half-delegated service cgroup" ti_ct_start "$USER_A" "$CT" ||
  t_bail "no container"

init=$(ti_ct_pid "$USER_A" "$CT")
lxcpath=$(ti_ct_lxcpath "$USER_A")
uid_a=$(id -u "$USER_A")
uid_b=$(id -u "$USER_B")
t_eq "init: in lxc.payload.$CT on v1, in the service itself on cgroup2" \
  "$(ti_expect_by_version "BASE/$TI_SERVICE/lxc.payload.$CT" "BASE/$TI_SERVICE" :)" \
  "$(ti_pid_cgroups "$init")"

# Expected placements after a move into the container's root: the root on
# v1; cgroup2, where the container has no cgroup of its own, is left alone.
at_session=$(ti_expect_cgroups "BASE/$TI_SESSION")
moved=$(ti_expect_by_version "BASE/$TI_SERVICE" "BASE/$TI_SESSION" :)

# owners REL [FILE...]: one line per v1 hierarchy, "KEY FILE=UID:GID...",
# for BASE/REL itself (".") or the FILEs in it that the hierarchy has.
owners() {
  local rel=$1 i f line
  shift

  for i in "${!TI_H_KEY[@]}"; do
    [ "${TI_H_VER[i]}" = 1 ] || continue
    line=${TI_H_KEY[i]}
    for f in "${@:-.}"; do
      [ -e "$(ti_cg_dir "$i" "$rel")/$f" ] || continue
      line="$line $f=$(stat -c %u:%g "$(ti_cg_dir "$i" "$rel")/$f")"
    done
    echo "$line"
  done
}

# all_owned_by UID:GID REL FILE...: what owners prints when UID:GID owns
# them all.
all_owned_by() {
  local who=$1
  shift

  owners "$@" | sed -e "s/=[0-9]*:[0-9]*/=$who/g"
}

payload_before=$(owners "$TI_SERVICE/lxc.payload.$CT" . cgroup.procs tasks)
t_note "payload owners before chown (uid:gid):" "$(head -n 1 <<<"$payload_before")"

# --- before: the session cannot enter -----------------------------------------

ti_probe "$TI_SESSION" "$USER_A" "$CG_ADOPT" move "$CT"
t_eq "before chown: move from the session exits 1" 1 "$(ti_probe_get rc)"
t_error_line "before chown: one line naming the root's cgroup.procs as not writable" \
  "$(ti_probe_get err)" "cannot move pid [0-9]+ into '[^']*/$TI_SERVICE' \(" \
  "Permission denied" "'[^']*/$TI_SERVICE/cgroup\.procs' is not writable by uid $uid_a"
t_eq "before chown: the shell is still in its old cgroups in every hierarchy" \
  "$(ti_probe_cgroups before)" "$(ti_probe_cgroups after)"
t_eq "before chown: ... the session's" "$at_session" "$(ti_probe_cgroups after)"
out=$(ti_cg_adopt_in "$TI_SESSION" "$USER_A" show "$CT" --json)
t_eq "before chown: show says the caller can enter nowhere" \
  0 "$(grep -c '"caller_can_enter":true' <<<"$out")"

# --- who may chown ---------------------------------------------------------------

ti_capture ti_cg_adopt_in "$TI_SESSION" "$USER_A" chown "$CT"
t_eq "chown as the user: exit code 1" 1 "$TI_RC"
t_error_line "chown as the user: one line, only root" "$TI_STDERR" "only root"
t_eq "chown as the user: the root still has root's cgroup.procs" \
  "$(all_owned_by 0:0 "$TI_SERVICE" cgroup.procs)" "$(owners "$TI_SERVICE" cgroup.procs)"

ti_capture ti_as_sudo "$USER_A" "$CG_ADOPT" chown -P "$lxcpath" "$CT" --user "$USER_B"
t_eq "chown through sudo to another user: exit code 1" 1 "$TI_RC"
t_error_line "chown through sudo to another user: one line, only to uid $uid_a" \
  "$TI_STDERR" "uid $uid_a"

# --- chown as root -----------------------------------------------------------------

t_ok "chown as root: exit code 0" "$CG_ADOPT" chown -P "$lxcpath" "$CT"
t_eq "chown as root: the root and its cgroup.procs and tasks are the user's" \
  "$(all_owned_by "$uid_a:$(id -g "$USER_A")" "$TI_SERVICE" . cgroup.procs tasks)" \
  "$(owners "$TI_SERVICE" . cgroup.procs tasks)"
t_eq "chown as root: controller files stay root's (pids.max, cpu.shares, freezer.state)" \
  "$(all_owned_by 0:0 "$TI_SERVICE" pids.max cpu.shares freezer.state)" \
  "$(owners "$TI_SERVICE" pids.max cpu.shares freezer.state)"
t_eq "chown as root: the payload's owners are left alone" \
  "$payload_before" "$(owners "$TI_SERVICE/lxc.payload.$CT" . cgroup.procs tasks)"
t_eq "chown as root: cgroup2's service (no container cgroup there) is untouched" \
  0:0 "$(stat -c %u:%g "$(ti_cg_dir "$(ti_h_index unified)" "$TI_SERVICE")/cgroup.procs")"

# --- after: the session can enter ---------------------------------------------------

ti_probe "$TI_SESSION" "$USER_A" "$CG_ADOPT" move "$CT"
t_eq "after chown: move from the session exits 0" 0 "$(ti_probe_get rc)" ||
  ti_probe_get err | t_diag
out=$(ti_cg_adopt_in "$TI_SESSION" "$USER_A" show "$CT" --json)
t_eq "after chown: show says the caller can enter on every v1 hierarchy" \
  "$(owners . | wc -l)" "$(grep -c '"caller_can_enter":true' <<<"$out")"
t_eq "after chown: the shell is in the root on v1 (cgroup2: no container cgroup, stays)" \
  "$moved" "$(ti_probe_cgroups after)"

# --- chown --user -------------------------------------------------------------------

payload_before=$(owners "$TI_SERVICE/lxc.payload.$CT" . cgroup.procs tasks)
t_ok "chown --user $USER_B as root: exit code 0" \
  "$CG_ADOPT" chown -P "$lxcpath" "$CT" --user "$USER_B"
t_eq "chown --user: the root is $USER_B's in every v1 hierarchy" \
  "$(all_owned_by "$uid_b:$(id -g "$USER_B")" "$TI_SERVICE" . cgroup.procs tasks)" \
  "$(owners "$TI_SERVICE" . cgroup.procs tasks)"
t_eq "chown --user: so is lxc.monitor.$CT (it was the former owner's)" \
  "$(all_owned_by "$uid_b:$(id -g "$USER_B")" "$TI_SERVICE/lxc.monitor.$CT" .)" \
  "$(owners "$TI_SERVICE/lxc.monitor.$CT" .)"
t_eq "chown --user: the payload's owners are left alone" \
  "$payload_before" "$(owners "$TI_SERVICE/lxc.payload.$CT" . cgroup.procs tasks)"
t_ok "chown --user by uid back to $USER_A: exit code 0" \
  "$CG_ADOPT" chown -P "$lxcpath" "$CT" --user "$uid_a"
t_eq "chown --user by uid: the root is $USER_A's again" \
  "$(all_owned_by "$uid_a:$(id -g "$USER_A")" "$TI_SERVICE" . cgroup.procs tasks)" \
  "$(owners "$TI_SERVICE" . cgroup.procs tasks)"
ti_capture "$CG_ADOPT" chown -P "$lxcpath" "$CT" --user no-such-user-$$
t_eq "chown --user of a missing user: exit code 1" 1 "$TI_RC"
t_error_line "chown --user of a missing user: one line naming it" "$TI_STDERR" \
  "no-such-user-$$"

t_ok "stop $CT" ti_ct_stop "$USER_A" "$CT"
t_done
