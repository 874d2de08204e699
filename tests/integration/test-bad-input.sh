#!/bin/bash
# What cg-adopt does with input that cannot work: each case has its exit
# code and exactly one line on stderr that starts with "cg-adopt: ", and
# nothing on stdout.  Also the odd but valid: cgroup names with a space and
# a colon, and a pid that exits while it is being moved.

. "$(dirname "$0")/lib.sh"

t_require_root
t_require_cg_adopt

USER_A=cgadopt-a
CT=c1
ODD='a b:c'

t_ok "make the test cgroup in every hierarchy" ti_cg_base || t_bail "no cgroups"
t_ok "create user $USER_A" ti_user_add "$USER_A" || t_bail "no user"
t_ok "lay out the owned tree" ti_layout_owned "$USER_A" || t_bail "no layout"
odd_layout() {
  ti_cg_mkdir "own/$ODD" && ti_cg_delegate "own/$ODD" "$USER_A" && ti_cg_mkdir locked
}
t_ok "add own/$ODD (delegated) and locked (root's)" odd_layout || t_bail "no layout"
TI_SERVICE="own/$ODD"
# shellcheck disable=SC2016 # expanded later, by eval or the inner sh
t_ok "create containers $CT and c2" \
  eval 'ti_ct_create "$USER_A" "$CT" && ti_ct_create "$USER_A" c2' || t_bail "no container"
t_ok "$CT starts from own/$ODD; c2 stays stopped" ti_ct_start "$USER_A" "$CT" ||
  t_bail "no container"
init=$(ti_ct_pid "$USER_A" "$CT")
root="BASE/own/$ODD"

# expect DESC RC REGEX CMD...: CMD exits RC, prints nothing on stdout and
# one "cg-adopt: " line on stderr that matches REGEX.
expect() {
  local desc=$1 rc=$2 re=$3
  shift 3

  ti_capture "$@"
  t_eq "$desc: exit code $rc" "$rc" "$TI_RC" || return
  if [ -n "$TI_STDOUT" ]; then
    t_failed "$desc: nothing on stdout" "$TI_STDOUT"
    return
  fi
  t_error_line "$desc: one line on stderr" "$TI_STDERR" "$re"
}

# as_user ARG...: cg-adopt ARG... as the user from the session.
as_user() {
  ti_cg_adopt_in "$TI_SESSION" "$USER_A" "$@"
}

# A pid that no process has: one of ours that was reaped, checked free.
gone_pid() {
  local p

  for _ in 1 2 3 4 5; do
    true &
    p=$!
    wait "$p"
    [ -e "/proc/$p" ] || { echo "$p"; return 0; }
  done
  return 1
}
gone=$(gone_pid)

# --- containers and pids that are not there ---------------------------------------

expect "unknown container" 3 "container 'nosuch' does not exist" as_user show nosuch
expect "unknown container, move" 3 "nosuch" as_user move nosuch
expect "stopped container" 3 "container 'c2' is not running.*lxc-start -n c2" as_user show c2
expect "stopped container, exec" 3 "not running" as_user exec c2 -- true
expect "a name with a slash" 2 "invalid container name 'a/b'" \
  as_user show a/b
expect "a name with a slash, move" 2 "invalid container name '\.\./c1'" as_user move ../c1
expect "a pid not in a container" 3 "pid $$ is not in a running container" \
  "$CG_ADOPT" show --pid "$$"
expect "a pid that does not exist, show --pid" 3 "no process with pid $gone" \
  "$CG_ADOPT" show --pid "$gone"
expect "a pid that does not exist, move" 1 "no process with pid $gone" \
  as_user move "$CT" "$gone"
expect "lxcpath with nothing in it" 3 "$CT" as_user show -P /nonexistent "$CT"

# --- usage errors -----------------------------------------------------------------------

try="; try 'cg-adopt --help'$"
expect "no command" 2 "$try" "$CG_ADOPT"
expect "an unknown command" 2 "frob.*$try" "$CG_ADOPT" frob
expect "an unknown global option" 2 "$try" "$CG_ADOPT" --bogus
for cmd in show move exec chown; do
  expect "$cmd --bogus" 2 "$try" "$CG_ADOPT" "$cmd" --bogus "$CT"
done
expect "show -P without its argument" 2 "$try" "$CG_ADOPT" show -P
expect "show with a NAME and --pid" 2 "$try" "$CG_ADOPT" show "$CT" --pid "$init"
expect "show --pid with -P" 2 "$try" "$CG_ADOPT" show --pid "$init" -P /tmp
expect "show --pid not a number" 2 "invalid pid 'x1'.*$try" "$CG_ADOPT" show --pid x1
expect "show with two names" 2 "$try" "$CG_ADOPT" show "$CT" c2
expect "move without NAME" 2 "$try" "$CG_ADOPT" move
expect "move with a pid that is not a number" 2 "invalid pid '12x'.*$try" \
  "$CG_ADOPT" move "$CT" 12x
expect "move with pid 0" 2 "invalid pid '0'.*$try" "$CG_ADOPT" move "$CT" 0
expect "exec without COMMAND" 2 "$try" "$CG_ADOPT" exec "$CT"
expect "exec without NAME" 2 "$try" "$CG_ADOPT" exec
expect "chown without NAME" 2 "$try" "$CG_ADOPT" chown
expect "chown with two names" 2 "$try" "$CG_ADOPT" chown "$CT" c2

# --help: the text on stdout, nothing on stderr, exit 0.
for cmd in "" show move exec chown; do
  ti_capture "$CG_ADOPT" $cmd --help
  t_eq "${cmd:-cg-adopt} --help: exit 0, usage on stdout, nothing on stderr" \
    "0 Usage: " "$TI_RC $(head -n 1 <<<"$TI_STDOUT") $TI_STDERR"
done
ti_capture "$CG_ADOPT" -V
t_eq "-V: the version on stdout" "0 cg-adopt " "$TI_RC ${TI_STDOUT%%[0-9]*}"
# A full stdout is a write error, not silence.
# shellcheck disable=SC2016 # expanded later, by eval or the inner sh
t_fail "--help into /dev/full fails" 1 sh -c '"$0" --help >/dev/full' "$CG_ADOPT"

# --- exec that cannot run COMMAND ----------------------------------------------------------

expect "exec of a missing command" 127 "cannot run '/nonexistent/cmd': No such file" \
  as_user exec "$CT" -- /nonexistent/cmd
expect "exec of a command not on PATH" 127 "no-such-command-$$" \
  as_user exec "$CT" -- "no-such-command-$$"
expect "exec of a file that is not executable" 126 "cannot run '/etc/passwd': Permission denied" \
  as_user exec "$CT" -- /etc/passwd

# --- a target that is not writable -----------------------------------------------------------

# From BASE/locked (root's) the common ancestor on cgroup2 is root's BASE.
ti_probe locked "$USER_A" "$CG_ADOPT" move "$CT"
t_eq "from a root-owned cgroup: exit code 1" 1 "$(ti_probe_get rc)"
t_error_line "from a root-owned cgroup: one line, Permission denied" \
  "$(ti_probe_get err)" "Permission denied" "common ancestor"
t_eq "from a root-owned cgroup: nothing moved" \
  "$(ti_expect_cgroups BASE/locked)" "$(ti_probe_cgroups after)"

# --- a cgroup named with a space and a colon ---------------------------------------------------

t_eq "'$ODD': init is in its lxc.payload.$CT" \
  "$(ti_expect_cgroups "$root/lxc.payload.$CT")" "$(ti_pid_cgroups "$init")"
out=$(as_user show "$CT")
t_eq "'$ODD': show lists the root in every hierarchy" "${#TI_H_KEY[@]}" \
  "$(grep -c "^  root .*/own/$ODD\$" <<<"$out")"
out=$(as_user show "$CT" --json)
t_eq "'$ODD': show --json has it in every root" "${#TI_H_KEY[@]}" \
  "$(grep -c "\"root\":\".*/own/$ODD\"" <<<"$out")"
out=$("$CG_ADOPT" show --pid "$init" --json)
t_ok "'$ODD': show --pid finds $CT" grep -q '"name":"c1"' <<<"$out"
ti_probe "$TI_SESSION" "$USER_A" "$CG_ADOPT" move "$CT"
t_eq "'$ODD': move exits 0" 0 "$(ti_probe_get rc)"
t_eq "'$ODD': ... and the shell is in '$ODD' in every hierarchy" \
  "$(ti_expect_cgroups "$root")" "$(ti_probe_cgroups after)"
out=$(as_user exec "$CT" --payload -- cat /proc/self/cgroup)
t_eq "'$ODD': exec --payload lands in its lxc.payload.$CT" \
  "$(ti_expect_cgroups "$root/lxc.payload.$CT")" "$(ti_cgroups_read <<<"$out")"

# --- a pid that exits while it is moved ---------------------------------------------------------

# A shell of the user starts a long sleep (the bystander) and, each round,
# a short one, and moves both with one call while the short one is dying
# or already a zombie.  What can be asserted: cg-adopt never crashes, exits
# 0 or 1, says one line when it fails, and keeps all or nothing for the
# bystander, which starts each round in the payload: in the root in every
# hierarchy after 0, back in the payload in every hierarchy after 1.
# shellcheck disable=SC2016 # expanded by the inner sh
race=$(ti_run_in_session "$USER_A" sh -c '
  cg=$1 ct=$2 n=$3
  sleep 300 & by=$!
  i=0
  while [ $i -lt $n ]; do
    i=$((i + 1))
    "$cg" move "$ct" --payload "$by" 2>/dev/null
    sleep 0.00$((i % 4)) & short=$!
    t=$(mktemp); rc=0
    "$cg" move "$ct" "$by" "$short" 2>"$t" || rc=$?
    where=$(sed -e "s/^[^:]*:[^:]*:.*\/own\///" /proc/$by/cgroup | sort -u | tr "\n" ",")
    echo "round $i rc=$rc lines=$(wc -l <"$t") where=$where"
    rm -f "$t"
    wait "$short"
  done
  kill $by' sh "$CG_ADOPT" "$CT" 20)
rounds=$(grep -c '^round' <<<"$race")
t_eq "exiting pid: 20 rounds ran" 20 "$rounds"
t_note "exiting pid: exit codes seen (count code): $(sed -n 's/.* rc=\([0-9]*\) .*/\1/p' <<<"$race" | sort | uniq -c | tr -s ' \n' ' ')"
bad=$(grep '^round' <<<"$race" | grep -v -e ' rc=0 lines=0 ' -e ' rc=1 lines=1 ')
t_eq "exiting pid: every round exited 0 (silent) or 1 (one line)" "" "$bad"
bad=$(grep '^round' <<<"$race" | grep -v -F -e " rc=0 lines=0 where=$ODD," \
  -e " rc=1 lines=1 where=$ODD/lxc.payload.$CT,")
t_eq "exiting pid: the bystander is all or nothing in every hierarchy" "" "$bad"

t_ok "stop $CT" ti_ct_stop "$USER_A" "$CT"
t_done
