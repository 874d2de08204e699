#!/bin/bash
# cg-adopt delegate, for real, as root.
#
# First the failure: a user whose session sits in a root-owned cgroup gets
# a container without cgroups, and lxc-freeze fails.  Then the repair: root
# runs 'cg-adopt delegate' for the session, the user starts the same
# container from the leaf, and it gets cgroups in every delegated hierarchy.
# Then what delegate must not do: change anything the second time, take a
# cgroup that belongs to another user, run for non-root, leave a cpuset
# cgroup without cpus.
#
# The delegated cgroup is BASE/deleg, given as an absolute path with every
# hierarchy but memory (see the helpers at the end of lib.sh): memory stays
# where the test started, and that is checked too.

. "$(dirname "$0")/lib.sh"

t_require_root
t_require_cg_adopt

USER_A=cgadopt-dl
USER_B=cgadopt-dm
CT=c1

t_ok "make the test cgroup in every hierarchy" ti_cg_base || t_bail "no cgroups"
t_ok "create user $USER_A" ti_user_add "$USER_A" || t_bail "no user"
t_ok "create user $USER_B" ti_user_add "$USER_B" || t_bail "no user"
t_ok "create container $CT" ti_ct_create "$USER_A" "$CT" || t_bail "no container"
t_ok "make the root-owned session cgroup nocg" ti_cg_mkdir nocg || t_bail "no cgroup"

CTRL=$(ti_dg_controllers)
DG=$(ti_dg_path deleg) || t_bail "the test's own cgroups differ outside memory"
t_note "delegating --cgroup $DG --controllers $CTRL"
MEM=$(ti_h_index memory) || MEM=
UID_A=$(id -u "$USER_A")
LOG=$(ti_user_home "$USER_A")/$CT.log

# delegate ARG...: cg-adopt delegate as root, from the test's own cgroup.
delegate() {
  "$CG_ADOPT" delegate "$@"
}

# start_from_session: as root in BASE/nocg, delegate the calling shell (the
# default pid, the caller's parent) to USER_A, then start CT as USER_A
# from there: what an init job or a PAM session does before it drops to
# the user.  The shell's cgroups after delegate go to $SESSION_CG.
SESSION_CG=$(mktemp /tmp/cgadopt-dl.XXXXXX)
ti_cleanup_push "rm -f $SESSION_CG"

start_from_session() {
  ti_cleanup_push "ti_ct_stop $USER_A $CT"
  (
    ti_cg_join nocg &&
      delegate --user "$USER_A" --cgroup "$DG" --controllers "$CTRL" &&
      cat /proc/$BASHPID/cgroup >"$SESSION_CG" &&
      ti_as_user "$USER_A" timeout "$TI_TIMEOUT" lxc-start -d -n "$CT" -o "$LOG" -l INFO
  ) || return 1
  ti_as_user "$USER_A" timeout "$TI_TIMEOUT" lxc-wait -n "$CT" -s RUNNING
}

# --- the failure: no cgroup of the user's own ------------------------------------

t_ok "without delegation: $CT starts from the root-owned nocg" \
  ti_ct_start "$USER_A" "$CT" nocg
init=$(ti_ct_pid "$USER_A" "$CT")
t_eq "without delegation: init stays in nocg in every hierarchy (no cgroups)" \
  "$(ti_expect_cgroups BASE/nocg)" "$(ti_pid_cgroups "$init")"
t_eq "without delegation: no lxc.* cgroup was made" "" "$(ti_cg_list_lxc)"
t_fail "without delegation: lxc-freeze fails (from nocg)" any \
  ti_run_in nocg "$USER_A" lxc-freeze -n "$CT"
t_ok "without delegation: stop $CT" ti_ct_stop "$USER_A" "$CT"

# --- the repair ----------------------------------------------------------------

: >"$LOG"
t_ok "delegate the session shell, then $CT starts from the leaf" start_from_session ||
  t_bail "no container"
t_eq "the session shell is in deleg/session (memory: still nocg)" \
  "$(ti_dg_expect BASE/deleg/session BASE/nocg)" "$(ti_cgroups_read <"$SESSION_CG")"
t_eq "deleg belongs to $USER_A everywhere but memory" \
  "$(ti_dg_expect "$USER_A" -)" "$(ti_dg_owners deleg)"
t_eq "deleg/session belongs to $USER_A everywhere but memory" \
  "$(ti_dg_expect "$USER_A" -)" "$(ti_dg_owners deleg/session)"

init=$(ti_ct_pid "$USER_A" "$CT")
payload=BASE/deleg/session/lxc.payload.$CT
t_eq "init is in lxc.payload.$CT below the leaf in every delegated hierarchy" \
  "$(ti_dg_expect "$payload" BASE/nocg)" "$(ti_pid_cgroups "$init")"
t_eq "the start log skips one hierarchy as not writable: memory" 1 \
  "$(grep -c 'not writable, skipping' "$LOG")"

# from_leaf CMD...: CMD as USER_A from the session leaf (memory: nocg).
from_leaf() {
  ti_dg_run_in deleg/session nocg "$USER_A" "$@"
}

t_ok "lxc-freeze works from the leaf" from_leaf lxc-freeze -n "$CT"
t_eq "... the payload is frozen in the freezer hierarchy" FROZEN \
  "$(cat "$(ti_cg_dir "$(ti_h_index freezer)" deleg/session/lxc.payload.$CT)/freezer.state")"
t_ok "lxc-unfreeze works from the leaf" from_leaf lxc-unfreeze -n "$CT"
t_eq "... the container runs" RUNNING "$(ti_as_user "$USER_A" lxc-info -n "$CT" -sH)"
# LXC 5.0.2's lxc-freeze does the freezing itself, in the hierarchies that
# are writable from its caller's cgroup: from a root-owned cgroup it finds
# none ("Legacy hierarchy not writable, skipping") and fails, delegation or
# not.  A user's tools must run from the delegated tree.
t_fail "lxc-freeze from a root-owned cgroup fails even now (LXC 5 quirk)" any \
  ti_run_in nocg "$USER_A" lxc-freeze -n "$CT"

# The delegatable files are the user's, the controller files stay root's.
# On v1 that is cgroup.procs and tasks; cgroup.clone_children stays root's
# (lib.sh's ti_cg_delegate gives it away too): LXC sets it in the cgroups
# it makes itself, which is enough, as the cpuset part below shows.
i=$(ti_h_index pids)
d=$(ti_cg_dir "$i" deleg)
t_eq "pids: deleg's cgroup.procs and tasks are $USER_A's; clone_children, pids.max root's" \
  "$USER_A $USER_A root root" \
  "$(stat -c %U "$d/cgroup.procs" "$d/tasks" "$d/cgroup.clone_children" "$d/pids.max" | xargs)"
d=$(ti_cg_dir "$(ti_h_index unified)" deleg)
want='' got=''
while read -r f; do
  [ -e "$d/$f" ] || continue
  want="$want $f:$USER_A"
  got="$got $f:$(stat -c %U "$d/$f")"
done </sys/kernel/cgroup/delegate
t_eq "cgroup2: deleg's delegatable files are $USER_A's" "$want" "$got"
t_eq "cgroup2: cgroup.max.depth stays root's" root "$(stat -c %U "$d/cgroup.max.depth")"
if [ -n "$MEM" ]; then
  t_eq "memory: nothing was made at the absolute path or below BASE" \
    "no no" "$( [ -e "${TI_H_MNT[MEM]}$DG" ] && echo yes || echo no) $(
      [ -e "$(ti_cg_dir "$MEM" deleg)" ] && echo yes || echo no)"
fi

# --- idempotence -----------------------------------------------------------------

ti_dg_sleeper "71.$$"
pid=$TI_DG_PID
t_ok "delegate PID: a root sleep into the leaf" \
  delegate --user "$USER_A" --cgroup "$DG" --controllers "$CTRL" "$pid"
before=$(ti_dg_tree deleg)
cg_before=$(ti_pid_cgroups "$pid")
t_ok "delegate PID a second time" \
  delegate --user "$USER_A" --cgroup "$DG" --controllers "$CTRL" "$pid"
t_eq "... the tree below deleg (names, owners, modes) is unchanged" \
  "$before" "$(ti_dg_tree deleg)"
t_eq "... the pid is where it was" "$cg_before" "$(ti_pid_cgroups "$pid")"
t_eq "... and that is deleg/session (memory: the test's own)" \
  "$(ti_dg_expect BASE/deleg/session "${TI_H_SELF[MEM]:-}")" "$cg_before"
t_eq "... the container's init was not touched" \
  "$(ti_dg_expect "$payload" BASE/nocg)" "$(ti_pid_cgroups "$init")"

# --- refusals --------------------------------------------------------------------

ti_capture delegate --user "$USER_B" --cgroup "$DG" --controllers "$CTRL" "$pid"
t_eq "delegate to $USER_B a cgroup of $USER_A: exit code 1" 1 "$TI_RC"
t_error_line "... says whose it is" "$TI_STDERR" "belongs to uid $UID_A"
t_eq "... the tree is unchanged" "$before" "$(ti_dg_tree deleg)"
t_eq "... the pid did not move" "$cg_before" "$(ti_pid_cgroups "$pid")"

ti_capture ti_as_user "$USER_A" "$CG_ADOPT" delegate --user "$USER_A" \
  --cgroup "$DG" --controllers "$CTRL"
t_eq "delegate as non-root: exit code 1" 1 "$TI_RC"
t_error_line "... says only root can" "$TI_STDERR" "only root"

ti_capture delegate --user nosuchuser.$$ --cgroup "$DG" --controllers "$CTRL" "$pid"
t_eq "delegate to a user that does not exist: exit code 1" 1 "$TI_RC"
t_error_line "... says so" "$TI_STDERR" "no such user"

# --- stop ------------------------------------------------------------------------

t_ok "stop $CT" ti_ct_stop "$USER_A" "$CT"

# --- cpuset ----------------------------------------------------------------------

# BASE has clone_children set, which would hide whether delegate copies
# cpus and mems itself: BASE/cpz turns it off for its children.
cs=$(ti_h_index cpuset)
if [ -n "$cs" ]; then
  cz=$(ti_cg_dir "$cs" cpz)
  mkdir "$cz" && echo 0 >"$cz/cgroup.clone_children"
  cat "$cz/../cpuset.cpus" >"$cz/cpuset.cpus"
  cat "$cz/../cpuset.mems" >"$cz/cpuset.mems"
  ti_dg_sleeper "72.$$"
  t_ok "delegate a cpuset cgroup whose parent has clone_children 0" \
    delegate --user "$USER_A" --cgroup "$(ti_cg_base_rel "$cs")/cpz/deleg" \
    --controllers cpuset "$TI_DG_PID"
  t_eq "... the kernel cloned nothing (clone_children 0 in deleg and the leaf)" "0 0" \
    "$(cat "$cz/deleg/cgroup.clone_children" "$cz/deleg/session/cgroup.clone_children" | xargs)"
  t_eq "... deleg has the parent's cpus and mems" "$(cat "$cz/cpuset.cpus" "$cz/cpuset.mems")" \
    "$(cat "$cz/deleg/cpuset.cpus" "$cz/deleg/cpuset.mems")"
  t_eq "... so has the leaf" \
    "$(cat "$cz/cpuset.cpus" "$cz/cpuset.mems")" \
    "$(cat "$cz/deleg/session/cpuset.cpus" "$cz/deleg/session/cpuset.mems")"
  t_eq "... and the pid is in the leaf" "BASE/cpz/deleg/session" \
    "$(ti_pid_cgroup "$TI_DG_PID" cpuset)"
  t_eq "... in cpuset only" "$(ti_pid_cgroups "$$" | grep -v ^cpuset:)" \
    "$(ti_pid_cgroups "$TI_DG_PID" | grep -v ^cpuset:)"

  # LXC must set up the cpuset cgroups it makes below a leaf whose parent
  # does not clone: start CT from the cpz leaf in cpuset (deleg/session in
  # the others, nocg in memory).
  ti_cleanup_push "ti_ct_stop $USER_A $CT"
  (ti_dg_join deleg/session nocg && echo $BASHPID >"$cz/deleg/session/cgroup.procs" &&
    ti_as_user "$USER_A" timeout "$TI_TIMEOUT" lxc-start -d -n "$CT" -o "$LOG" -l INFO) &&
    ti_as_user "$USER_A" timeout "$TI_TIMEOUT" lxc-wait -n "$CT" -s RUNNING
  t_eq "$CT started from the cpuset leaf" 0 $?
  init=$(ti_ct_pid "$USER_A" "$CT")
  t_eq "... its init is in cpz/deleg/session/lxc.payload.$CT in cpuset" \
    "BASE/cpz/deleg/session/lxc.payload.$CT" "$(ti_pid_cgroup "$init" cpuset)"
  t_eq "... whose cpus and mems are the parent's" \
    "$(cat "$cz/cpuset.cpus" "$cz/cpuset.mems")" \
    "$(cat "$cz/deleg/session/lxc.payload.$CT/cpuset.cpus" \
      "$cz/deleg/session/lxc.payload.$CT/cpuset.mems" 2>&1)"
  t_ok "... and it stops" ti_ct_stop "$USER_A" "$CT"
else
  t_skip "cpuset leaf" "no cpuset hierarchy"
fi

t_done
