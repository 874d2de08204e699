#!/bin/bash
# cg-adopt's LXC hooks in a real container, as an unprivileged user.
#
#   (b) without delegation: without the hooks LXC starts the container with
#       no cgroups and says so only at INFO; with them the start fails, and
#       the DEBUG log carries the pre-start hook's message;
#   (a) with delegation (BASE/deleg, leaves service and session, as an init
#       job and PAM would make them): without the hooks the container's
#       cgroups land below whichever leaf started it; with the pre-start
#       hook they land in deleg/lxc/c1 both times (a fresh base per start);
#   (c) after a stop without the hooks lxc.pivot is left; with them nothing
#       of the container is left in any hierarchy;
#   (d) start-host's record exists while the container runs, stop removes
#       it, and a record that lies (another pid, another start time, the
#       last run's) never makes 'cg-adopt show' report the wrong init;
#   and the hook's --require option, and a start from a service leaf
#   outside the delegated tree, which cgroup2 forbids.
#
# The delegated cgroup is given as an absolute path with every hierarchy
# but memory (see the helpers at the end of lib.sh), so the hook must leave
# the monitor's memory cgroup alone: the payload follows the starting
# process's memory cgroup, and that is checked in every run.

. "$(dirname "$0")/lib.sh"

t_require_root
t_require_cg_adopt

U=cgadopt-hk
CT=c1

t_ok "make the test cgroup in every hierarchy" ti_cg_base || t_bail "no cgroups"
t_ok "create user $U" ti_user_add "$U" || t_bail "no user"
t_ok "create container $CT" ti_ct_create "$U" "$CT" || t_bail "no container"
t_ok "make the root-owned session cgroup nocg" ti_cg_mkdir nocg || t_bail "no cgroup"

CTRL=$(ti_dg_controllers)
DG=$(ti_dg_path deleg) || t_bail "the test's own cgroups differ outside memory"
UID_U=$(id -u "$U")
H=$(ti_user_home "$U")
CONF=$H/.local/share/lxc/$CT/config
LOG=$H/$CT.log
RECS=$H/.cache/cg-adopt

# The include file, as lxc-config/cg-adopt.conf.in, with the hooks of this
# tree and the test's delegated root.
cat >"$H/cg-adopt.conf" <<EOF
lxc.hook.pre-start = $TI_REPO/build/hooks/pre-start --root $DG
lxc.hook.start-host = $TI_REPO/build/hooks/start-host
lxc.hook.stop = $TI_REPO/build/hooks/stop
lxc.hook.post-stop = $TI_REPO/build/hooks/post-stop --root $DG
EOF
chown "$U:" "$H/cg-adopt.conf"

hooks_on() {
  grep -q '^lxc.include' "$CONF" || echo "lxc.include = $H/cg-adopt.conf" >>"$CONF"
}

hooks_off() {
  sed -i '/^lxc.include/d' "$CONF"
}

# start FROM MEMFROM: start CT as U from BASE/FROM (BASE/MEMFROM in memory)
# with a fresh DEBUG log, and wait until it runs.
start() {
  rm -f "$LOG"
  ti_cleanup_push "ti_ct_stop $U $CT"
  ti_dg_run_in "$1" "$2" "$U" timeout "$TI_TIMEOUT" \
    lxc-start -d -n "$CT" -o "$LOG" -l DEBUG || return 1
  ti_as_user "$U" timeout "$TI_TIMEOUT" lxc-wait -n "$CT" -s RUNNING
}

state() {
  ti_as_user "$U" lxc-info -n "$CT" -sH
}

# show_init: the init pid that 'cg-adopt show --json' reports.
show_init() {
  ti_as_user "$U" "$CG_ADOPT" show "$CT" --json |
    sed -n 's/.*"init_pid":\([0-9]*\),.*/\1/p'
}

# record_inits: the init pids in the records, one line each.
record_inits() {
  cat "$RECS"/*.rec 2>/dev/null | sed -n 's/^init \([0-9]*\) .*/\1/p'
}

# remove_pivots: remove the lxc.pivot cgroups a start without the hooks
# leaves, so that the next run's leftovers are its own.
remove_pivots() {
  local i

  for i in "${!TI_H_KEY[@]}"; do
    find "$(ti_cg_dir "$i")" -depth -type d -name lxc.pivot -exec rmdir {} + 2>/dev/null
  done
  return 0
}

# user_procs_gone: wait up to 3 s until U has no live process left (the
# post-stop waiter is one of them for a moment).  Zombies do not count:
# orphans go to PID 1, which here reaps them only after a second or so.
user_live_procs() {
  ps -o pid=,stat=,cmd= -u "$U" | awk '$2 !~ /^Z/'
}

user_procs_gone() {
  local _

  for _ in $(seq 30); do
    [ -z "$(user_live_procs)" ] && return 0
    sleep 0.1
  done
  user_live_procs
  return 1
}

# --- (b) nothing delegated ---------------------------------------------------------

hooks_off
t_ok "(b) no hooks, nothing delegated: $CT starts from nocg" start nocg nocg
init=$(ti_ct_pid "$U" "$CT")
t_eq "(b) ... without cgroups: init stays in nocg everywhere" \
  "$(ti_expect_cgroups BASE/nocg)" "$(ti_pid_cgroups "$init")"
t_eq "(b) ... no lxc.* cgroup was made" "" "$(ti_cg_list_lxc)"
t_eq "(b) ... and LXC only said so at INFO, once per hierarchy" "${#TI_H_KEY[@]}" \
  "$(grep 'not writable, skipping' "$LOG" | grep -c ' INFO ')"
t_ok "(b) stop $CT" ti_ct_stop "$U" "$CT"

hooks_on
t_fail "(b) hooks, nothing delegated: lxc-start fails" any start nocg nocg
t_eq "(b) ... the container is stopped" STOPPED "$(state)"
msg="cg-adopt pre-start: cannot start '$CT': no hierarchy is delegated to uid $UID_U at '$DG'"
t_eq "(b) ... the DEBUG log has the hook's message" 1 "$(grep -cF "$msg" "$LOG")"
t_note "$(grep -F "$msg" "$LOG" | sed 's/.*produced output: //')"
# The advice must fix what failed: with --root, delegate that cgroup.
t_eq "(b) ... and its advice names the --root cgroup" 1 \
  "$(grep -F "$msg" "$LOG" | grep -cF "cg-adopt delegate --user $UID_U --cgroup $DG")"
t_eq "(b) ... no lxc.* cgroup was made" "" "$(ti_cg_list_lxc)"
t_eq "(b) ... no record was left" "" "$(record_inits)"

# --- delegation: what an init job and PAM would run --------------------------------

ti_dg_sleeper "81.$$"
t_ok "delegate $DG to $U, leaf service" \
  "$CG_ADOPT" delegate --user "$U" --cgroup "$DG" --controllers "$CTRL" --leaf service "$TI_DG_PID"
ti_dg_sleeper "82.$$"
t_ok "delegate $DG to $U, leaf session" \
  "$CG_ADOPT" delegate --user "$U" --cgroup "$DG" --controllers "$CTRL" "$TI_DG_PID"
# Memory is not delegated: the service and the session get a memory cgroup
# of the user's own, as a systemd unit or a login would have.
mem_cgroups() {
  ti_cg_mkdir svc-mem && ti_cg_mkdir ses-mem &&
    ti_cg_delegate svc-mem "$U" && ti_cg_delegate ses-mem "$U"
}
t_ok "memory cgroups svc-mem and ses-mem of $U" mem_cgroups

# --- (a) and (c) without the hooks ---------------------------------------------------

# run_plain FROM MEMFROM: a start and stop without the hooks.
run_plain() {
  local from=$1 memfrom=$2 left

  t_ok "(a) no hooks: $CT starts from $from" start "deleg/$from" "$memfrom" || return
  init=$(ti_ct_pid "$U" "$CT")
  t_eq "(a) no hooks: init is below deleg/$from (memory: $memfrom)" \
    "$(ti_dg_expect "BASE/deleg/$from/lxc.payload.$CT" "BASE/$memfrom/lxc.payload.$CT")" \
    "$(ti_pid_cgroups "$init")"
  t_ok "(c) no hooks: stop" ti_ct_stop "$U" "$CT"
  sleep 0.3
  left=$(ti_cg_list_lxc | sort)
  t_eq "(c) no hooks: lxc.pivot is left in every hierarchy" \
    "$(ti_dg_expect "BASE/deleg/$from/lxc.pivot" "BASE/$memfrom/lxc.pivot" | sort)" "$left"
  remove_pivots
}

hooks_off
run_plain service svc-mem
run_plain session ses-mem

# --- (a), (c), (d) with the hooks -------------------------------------------------

# run_hooked FROM MEMFROM: a start with the hooks; leaves CT running.
run_hooked() {
  local from=$1 memfrom=$2 mon

  t_ok "(a) hooks: $CT starts from $from" start "deleg/$from" "$memfrom" || return 1
  init=$(ti_ct_pid "$U" "$CT")
  mon=$(ti_ppid "$init")
  t_eq "(a) hooks: init is in deleg/lxc/$CT/lxc.payload.$CT (memory: $memfrom's)" \
    "$(ti_dg_expect "BASE/deleg/lxc/$CT/lxc.payload.$CT" "BASE/$memfrom/lxc.payload.$CT")" \
    "$(ti_pid_cgroups "$init")"
  t_eq "(a) hooks: the monitor is in deleg/lxc/$CT/lxc.monitor.$CT (memory: $memfrom's)" \
    "$(ti_dg_expect "BASE/deleg/lxc/$CT/lxc.monitor.$CT" "BASE/$memfrom/lxc.monitor.$CT")" \
    "$(ti_pid_cgroups "$mon")"
  t_eq "(a) hooks: no lxc.* cgroup below the leaf $from" "" \
    "$(ti_cg_list_lxc | grep -F "BASE/deleg/$from/")"
}

# stop_hooked: stop, and check that nothing is left.
stop_hooked() {
  t_ok "(c) hooks: stop" ti_ct_stop "$U" "$CT"
  t_ok "(c) hooks: within 3 s no lxc.* cgroup is left in any hierarchy" ti_dg_wait_gone ""
  t_ok "(c) hooks: ... nor a process of $U (the post-stop waiter)" user_procs_gone
  t_eq "(d) hooks: stop removed the records" "" "$(record_inits)"
}

hooks_on
run_hooked service svc-mem || t_bail "no container"
t_eq "(d) start-host wrote two records (lxcpath and default) in ~/.cache/cg-adopt" \
  "$init $init" "$(record_inits | xargs)"
t_eq "(d) ... owned by $U, mode 600" "$U 600 $U 600" \
  "$(stat -c '%U %a' "$RECS"/*.rec | xargs)"
t_eq "(d) show reports the init" "$init" "$(show_init)"
ti_as_user "$U" cp -a "$RECS" "$H/recs.old"
old_init=$init
stop_hooked

run_hooked session ses-mem || t_bail "no container"
t_eq "(a) hooks: the payload is where the service's was (memory aside)" \
  "$(ti_dg_expect "BASE/deleg/lxc/$CT/lxc.payload.$CT" "BASE/ses-mem/lxc.payload.$CT")" \
  "$(ti_pid_cgroups "$init")"

# (d) Records that lie.  Each is put in place by the user, as a stale or
# forged record would be, and show must still find the real init.
# Started from a subshell, so that it is no job of ours whose kill below
# bash would report as "Killed".
(ti_as_user "$U" sleep "83.$$" >/dev/null 2>&1 &)
fake=$(ti_wait_pid_by_cmdline sleep "83.$$")
fake_start=$(awk '{ print $22 }' "/proc/$fake/stat" 2>/dev/null)

# forge SED: apply SED to every record, as the user.
forge() {
  # shellcheck disable=SC2016 # expanded by the inner sh
  ti_as_user "$U" sh -c 'for f in "$0"/*.rec; do sed -i "$1" "$f"; done' "$RECS" "$1"
}

forge "s/^init .*/init $fake $fake_start/"
t_eq "(d) a record naming another process of $U as init, with its start time" \
  "$fake $fake" "$(record_inits | xargs)"
t_eq "(d) ... show still reports the real init" "$init" "$(show_init)"
t_ok "(d) ... and the other process is untouched" kill -0 "$fake"
forge "s/^init \([0-9]*\) .*/init \1 1/"
t_eq "(d) a record with the init's pid and a wrong start time: show is right" \
  "$init" "$(show_init)"
forge "s/^monitor \([0-9]*\) .*/monitor $fake $fake_start/"
t_eq "(d) a record with another process as the monitor: show is right" \
  "$init" "$(show_init)"
# shellcheck disable=SC2016 # expanded by the inner sh
ti_as_user "$U" sh -c 'cp -a "$0"/*.rec "$1"' "$H/recs.old" "$RECS"
t_eq "(d) the last run's records put back (init $old_init)" \
  "$old_init $old_init" "$(record_inits | xargs)"
t_eq "(d) ... show reports this run's init $init" "$init" "$(show_init)"
t_eq "(d) ... and show -P LXCPATH reports it too" "$init" \
  "$(ti_as_user "$U" "$CG_ADOPT" show -P "$(ti_ct_lxcpath "$U")" "$CT" --json |
    sed -n 's/.*"init_pid":\([0-9]*\),.*/\1/p')"
t_eq "(d) ... and the stale records were replaced by right ones" "$init" \
  "$(record_inits | sort -u | xargs)"
kill -9 "$fake"
stop_hooked

# --- the hook's options --------------------------------------------------------------

# --require names a hierarchy that must be delegated: memory is not.
sed -i "s|pre-start --root $DG|& --require memory|" "$H/cg-adopt.conf"
t_fail "pre-start --require memory: lxc-start fails (memory is not delegated)" any \
  start deleg/session ses-mem
t_eq "... the DEBUG log names memory" 1 \
  "$(grep -cF "cannot start '$CT': hierarchy memory is not delegated to uid $UID_U at '$DG'" "$LOG")"
t_eq "... no lxc.* cgroup is left" "" "$(ti_cg_list_lxc)"
sed -i "s| --require memory| --require freezer,cgroup2|" "$H/cg-adopt.conf"
t_ok "pre-start --require freezer,cgroup2: $CT starts" start deleg/session ses-mem
stop_hooked
sed -i "s| --require freezer,cgroup2||" "$H/cg-adopt.conf"

# --- a service outside the delegated tree ---------------------------------------------

# A service leaf of the user's own that is not below deleg, as systemd's
# system.slice/jenkins.service with User= would be.  On v1 the hook could
# move the monitor; on cgroup2 the kernel wants the common ancestor (BASE,
# root's) writable, so the start fails, loudly.
ext_svc() {
  ti_cg_mkdir ext-svc && ti_cg_delegate ext-svc "$U"
}
t_ok "a cgroup ext-svc of $U's outside deleg" ext_svc
t_fail "hooks, started from ext-svc: lxc-start fails" any start ext-svc svc-mem
t_eq "... the DEBUG log says the monitor cannot move on cgroup2" 1 \
  "$(grep -c "cg-adopt pre-start: cannot move pid [0-9]* into '[^']*/deleg/lxc/$CT' (cgroup2)" "$LOG")"
t_note "$(grep -F 'cg-adopt pre-start:' "$LOG" | sed 's/.*produced output: //')"
# A hook cannot use sudo; what helps is to start the service in a leaf of
# the delegated cgroup ('cg-adopt delegate --leaf').
t_eq "... and does not advise sudo, which a hook cannot use" 0 \
  "$(grep 'cg-adopt pre-start:' "$LOG" | grep -c sudo)"
t_eq "... no lxc.* cgroup is left" "" "$(ti_cg_list_lxc)"

t_done
