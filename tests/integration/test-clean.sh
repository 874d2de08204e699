#!/bin/bash
# cg-adopt clean: what LXC leaves behind after a clean stop (lxc.pivot) and
# after a monitor killed with SIGKILL (lxc.payload.NAME, lxc.monitor.NAME)
# goes, in every hierarchy; --dry-run removes nothing; a running container's
# cgroups, or cgroups that still hold a process, are never touched; and a
# clean loop beside repeated starts and stops breaks no start.
#
# The user works from the owned layout's session: clean climbs to the top
# of the user's own tree (BASE/own) and finds the service's leftovers.

. "$(dirname "$0")/lib.sh"

t_require_root
t_require_cg_adopt

USER_A=cgadopt-k
LOOPS=12

t_ok "make the test cgroup in every hierarchy" ti_cg_base || t_bail "no cgroups"
t_ok "create user $USER_A" ti_user_add "$USER_A" || t_bail "no user"
t_ok "lay out the owned tree" ti_layout_owned "$USER_A" || t_bail "no layout"
other_layout() {
  ti_cg_mkdir own/other && ti_cg_delegate own/other "$USER_A"
}
t_ok "add own/other for a container that keeps running" other_layout ||
  t_bail "no layout"
for ct in c1 c2 c3; do
  t_ok "create container $ct" ti_ct_create "$USER_A" "$ct" || t_bail "no container"
done
H=${#TI_H_KEY[@]}

# clean ARG...: cg-adopt clean as the user, from the session.
clean() {
  ti_cg_adopt_in "$TI_SESSION" "$USER_A" clean "$@"
}

# left REL: the lxc.* cgroups below BASE/REL, sorted.
left() {
  ti_cg_list_lxc | grep -F "BASE/$1/" | sort
}

# expect_left REL NAME...: "KEY:BASE/REL/NAME" for each hierarchy and NAME.
expect_left() {
  local rel=$1 n
  shift
  for n in "$@"; do
    ti_expect_cgroups "BASE/$rel/$n"
  done | sort
}

# kill_ct NAME [monitor]: SIGKILL the monitor of NAME, and unless "monitor"
# also its init, then wait until the init is gone.
kill_ct() {
  local init mon _

  init=$(ti_ct_pid "$USER_A" "$1") && mon=$(ti_ppid "$init") || return 1
  kill -9 "$mon" || return 1
  [ "${2:-}" = monitor ] && { echo "$init"; return 0; }
  kill -9 "$init"
  for _ in $(seq 50); do
    [ -e "/proc/$init" ] || return 0
    sleep 0.1
  done
  return 1
}

# --- after a clean stop: lxc.pivot ----------------------------------------------

t_ok "c3 starts from own/other and keeps running" ti_ct_start "$USER_A" c3 own/other ||
  t_bail "no container"
c3_left=$(expect_left own/other lxc.monitor.c3 lxc.payload.c3)
t_ok "c1 starts from the service cgroup" ti_ct_start "$USER_A" c1 || t_bail "no container"
t_ok "c1 stops" ti_ct_stop "$USER_A" c1
t_eq "after the stop only lxc.pivot is left, in every hierarchy" \
  "$(expect_left "$TI_SERVICE" lxc.pivot)" "$(left "$TI_SERVICE")"

ti_capture clean --dry-run c1
t_eq "clean --dry-run c1 exits 0" 0 "$TI_RC"
t_eq "... and reports lxc.pivot as 'would remove' in every hierarchy" "$H" \
  "$(grep -c '^would remove .*/lxc.pivot$' <<<"$TI_STDOUT")"
t_eq "... and removes nothing" "$(expect_left "$TI_SERVICE" lxc.pivot)" \
  "$(left "$TI_SERVICE")"

ti_capture clean c1
t_eq "clean c1 exits 0" 0 "$TI_RC"
t_eq "... with nothing on stderr" "" "$TI_STDERR"
t_eq "... and removes lxc.pivot in every hierarchy" "" "$(left "$TI_SERVICE")"
t_eq "... and leaves running c3 alone" "$c3_left" "$(left own/other)"

ti_capture clean c1
t_eq "clean c1 again: nothing to do, exit 0" "0:" "$TI_RC:$TI_STDOUT"

# --- after SIGKILL of monitor and init --------------------------------------------

t_ok "c1 starts again" ti_ct_start "$USER_A" c1 || t_bail "no container"
t_ok "kill -9 c1's monitor and init" kill_ct c1
t_eq "payload and monitor cgroups are left in every hierarchy" \
  "$(expect_left "$TI_SERVICE" lxc.monitor.c1 lxc.payload.c1)" "$(left "$TI_SERVICE")"

ti_capture clean --dry-run --json --all-stopped
t_eq "clean --dry-run --json --all-stopped exits 0" 0 "$TI_RC"
t_eq "... lists payload and monitor as would-remove in every hierarchy" "$((2 * H))" \
  "$(jq '[.cgroups[] | select(.state == "would-remove" and .container == "c1")] | length' \
    <<<"$TI_STDOUT")"
t_eq "... and c3's as running" "$((2 * H))" \
  "$(jq '[.cgroups[] | select(.state == "running" and .container == "c3")] | length' \
    <<<"$TI_STDOUT")"
t_eq "... and removes nothing" \
  "$(expect_left "$TI_SERVICE" lxc.monitor.c1 lxc.payload.c1)" "$(left "$TI_SERVICE")"

ti_capture clean --json c1
t_eq "clean --json c1 exits 0" 0 "$TI_RC"
t_eq "... and says it removed payload and monitor in every hierarchy" "$((2 * H))" \
  "$(jq '[.cgroups[] | select(.state == "removed")] | length' <<<"$TI_STDOUT")"
t_eq "... which are gone" "" "$(left "$TI_SERVICE")"
t_eq "... and c3's are not" "$c3_left" "$(left own/other)"

# --- leftovers that still hold a process ------------------------------------------------

# LXC's init dies with its monitor (it has a parent-death signal), so a
# process is put into the dead container's payload by hand: in one v1
# hierarchy, then in cgroup2 only.  One busy hierarchy keeps them all.
t_ok "c1 starts again" ti_ct_start "$USER_A" c1 || t_bail "no container"
t_ok "kill -9 c1's monitor and init" kill_ct c1
both=$(expect_left "$TI_SERVICE" lxc.monitor.c1 lxc.payload.c1)

# squat KEY: a sleep in c1's dead payload in hierarchy KEY only; its pid.
squat() {
  local i

  i=$(ti_h_index "$1") || return 1
  sleep 600 >/dev/null 2>&1 &
  echo "$!" >"$(ti_cg_dir "$i" "$TI_SERVICE/lxc.payload.c1")/cgroup.procs" || return 1
  echo "$!"
}

for key in freezer unified; do
  squatter=$(squat "$key")
  ti_capture clean c1
  t_eq "$key: a process in the dead payload: clean c1 exits 1" 1 "$TI_RC"
  t_ok "$key: ... and says it holds processes" grep -q "holds processes" <<<"$TI_STDERR"
  t_eq "$key: ... and removes nothing, in any hierarchy" "$both" "$(left "$TI_SERVICE")"
  t_ok "$key: clean --all-stopped skips it, exit 0" clean --all-stopped
  t_eq "$key: ... still nothing removed" "$both" "$(left "$TI_SERVICE")"
  kill -9 "$squatter"
  wait "$squatter" 2>/dev/null
done
t_ok "once the process is gone, clean c1 works" clean c1
t_eq "... and everything is gone" "" "$(left "$TI_SERVICE")"

# gone PID: PID has exited (a zombie that pid 1 has not reaped yet, too:
# the squatters are orphans, and this machine's pid 1 reaps slowly).
gone() {
  case "$(ps -o stat= -p "$1")" in
    "" | Z*) return 0 ;;
    *) return 1 ;;
  esac
}

# --kill: a straggler goes first, then the cgroups.  On cgroup2 the owner
# of the tree may kill anything in it (cgroup.kill); on v1 only what the
# kernel lets it signal, so a process of root's keeps a user's clean busy.
t_ok "c1 starts a third time" ti_ct_start "$USER_A" c1 || t_bail "no container"
t_ok "kill -9 c1's monitor and init again" kill_ct c1
squatter=$(squat unified)
t_ok "unified: clean --kill c1 exits 0" clean --kill c1
t_ok "... the straggler was killed" gone "$squatter"
t_eq "... and everything is gone" "" "$(left "$TI_SERVICE")"
t_ok "c1 starts a fourth time" ti_ct_start "$USER_A" c1 || t_bail "no container"
t_ok "kill -9 c1's monitor and init once more" kill_ct c1
squatter=$(squat freezer)
t_fail "freezer: the user's clean --kill c1 cannot kill root's process: exit 1" 1 \
  clean --kill c1
t_eq "... which lives" "$squatter" "$(ps -o pid= -p "$squatter" | tr -d ' ')"
t_fail "through sudo, --kill is refused: exit 1" 1 \
  ti_run_in_as_sudo "$TI_SESSION" "$USER_A" "$CG_ADOPT" clean --kill c1
root_kill() {
  (ti_cg_join "" && exec "$CG_ADOPT" clean --kill c1)
}
t_ok "root's clean --kill c1 from BASE kills it and exits 0" root_kill
t_ok "... the straggler was killed" gone "$squatter"
t_eq "... and everything is gone" "" "$(left "$TI_SERVICE")"

# --- a running container --------------------------------------------------------------

ti_capture clean c3
t_eq "clean c3 (running) fails with exit 1" 1 "$TI_RC"
t_ok "... saying it runs" grep -q "is running; stop the container" <<<"$TI_STDERR"
t_eq "... and removes none of its cgroups" "$c3_left" "$(left own/other)"
t_ok "clean --all-stopped (through sudo) exits 0" \
  ti_run_in_as_sudo "$TI_SESSION" "$USER_A" "$CG_ADOPT" clean --all-stopped
t_eq "... and leaves c3 alone" "$c3_left" "$(left own/other)"
t_ok "c3 still runs" eval '[ "$(ti_as_user "$USER_A" lxc-info -n c3 -sH)" = RUNNING ]'

# --- legacy layouts, as root -------------------------------------------------------------

legacy() {
  ti_cg_mkdir "$TI_SERVICE/lxc/old1" && ti_cg_mkdir "$TI_SERVICE/lxc.payload/old2"
}
t_ok "root makes legacy lxc/old1 and lxc.payload/old2" legacy
root_clean() {
  (ti_cg_join "" && exec "$CG_ADOPT" clean --all-stopped)
}
ti_capture root_clean
t_eq "root's clean --all-stopped from BASE exits 0" 0 "$TI_RC"
t_eq "... and removes both with their parents in every hierarchy" "" \
  "$(ti_cg_list_lxc | grep -F "BASE/$TI_SERVICE/" | grep -v lxc.payload.c3)"
t_eq "... but not running c3's" "$c3_left" "$(left own/other)"

# --- clean in a loop beside starts and stops -----------------------------------------------

# The loop: clean --all-stopped at most 20 times or for about 10 s, while
# c2 starts and stops $LOOPS times; each start must work and its payload
# must exist, with the init in it, in every hierarchy while it runs.
cleaner_log=$(mktemp /tmp/cgadopt-clean.XXXXXX)
ti_cleanup_push "rm -f $cleaner_log"
(
  end=$((SECONDS + 10))
  for _ in $(seq 20); do
    [ "$SECONDS" -lt "$end" ] || break
    rc=0
    clean --all-stopped >/dev/null 2>&1 || rc=$?
    echo "$rc" >>"$cleaner_log"
    sleep 0.1
  done
) &
cleaner=$!

starts=0 placed=0
t0=$EPOCHREALTIME
for i in $(seq "$LOOPS"); do
  if ti_ct_start "$USER_A" c2 >/dev/null 2>&1; then
    starts=$((starts + 1))
    init=$(ti_ct_pid "$USER_A" c2)
    if [ "$(ti_pid_cgroups "$init")" = \
      "$(ti_expect_cgroups "BASE/$TI_SERVICE/lxc.payload.c2")" ]; then
      placed=$((placed + 1))
    else
      ti_pid_cgroups "$init" | t_note
    fi
  fi
  ti_ct_stop "$USER_A" c2 >/dev/null 2>&1
done
wait "$cleaner"
t_note "$LOOPS starts and stops took $(awk -v a="$t0" -v b="$EPOCHREALTIME" \
  'BEGIN { printf "%.1f", b - a }') s beside $(wc -l <"$cleaner_log") cleans"
t_eq "every one of $LOOPS starts beside the clean loop worked" "$LOOPS" "$starts"
t_eq "... and every started c2 had its payload cgroup, with its init in it" \
  "$LOOPS" "$placed"
t_eq "every clean of the loop exited 0" "" "$(grep -v '^0$' "$cleaner_log")"
t_ok "the loop ran at least 3 cleans" test "$(wc -l <"$cleaner_log")" -ge 3
t_ok "a last clean --all-stopped" clean --all-stopped
t_eq "... leaves nothing in the service cgroup" "" "$(left "$TI_SERVICE")"
t_eq "... and c3 as it was" "$c3_left" "$(left own/other)"

# --- usage ----------------------------------------------------------------------------------------

t_ok "clean --help exits 0" "$CG_ADOPT" clean --help
t_fail "clean without NAME or --all-stopped is a usage error" 2 "$CG_ADOPT" clean
t_fail "clean NAME --all-stopped is a usage error" 2 "$CG_ADOPT" clean c1 --all-stopped
t_fail "clean a/b is a usage error" 2 "$CG_ADOPT" clean a/b

t_done
