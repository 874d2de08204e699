# shellcheck shell=bash
# Helpers for the integration tests of cg-adopt.  Source this file from a
# tests/integration/test-*.sh script running as root.
#
# The tests build real cgroup layouts, real unprivileged users and real
# busybox containers on the host, so every helper that creates something
# registers how to undo it; ti_cleanup runs on exit, whatever happens.
#
# Ground rules (see /work/shared/FACTS.md): every cgroup is created below the
# cgroup this script started in, in every hierarchy; no process is ever moved
# out of its starting memory cgroup (only deeper); no limit is ever written.

set -u

TI_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TI_REPO=$(cd "$TI_LIB_DIR/../.." && pwd)
CG_ADOPT=${CG_ADOPT:-$TI_REPO/build/cg-adopt}

# How long a start, stop or attach may take before we call it hung.  A
# busybox container starts in about 45 ms here, so this is generous.
TI_TIMEOUT=${TI_TIMEOUT:-20}

TI_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# ---------------------------------------------------------------------------
# Assertions.  Output is TAP-like, one line per check, and a summary line
# "integration: N passed, N failed[, N skipped]" that run.sh adds up.

T_N=0
T_PASS=0
T_FAIL=0
T_SKIP=0
T_DONE=0
T_OUT=$(mktemp /tmp/cgadopt-t.XXXXXX)

# Print indented details under a failed check.
t_diag() {
  sed -e 's/^/#   /'
}

t_pass() {
  T_N=$((T_N + 1))
  T_PASS=$((T_PASS + 1))
  echo "ok $T_N - $1"
}

# t_failed DESC [DETAIL...]: record a failure, with details read from stdin
# when no detail arguments are given.
t_failed() {
  local desc=$1
  shift
  T_N=$((T_N + 1))
  T_FAIL=$((T_FAIL + 1))
  echo "not ok $T_N - $desc"
  if [ $# -gt 0 ]; then
    printf '%s\n' "$@" | t_diag
  fi
}

# t_ok DESC CMD...: CMD must exit 0.
t_ok() {
  local desc=$1 rc=0
  shift
  "$@" >"$T_OUT" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ]; then
    t_pass "$desc"
    return 0
  fi
  t_failed "$desc" "command: $*" "exit code: $rc (expected 0)"
  tail -n 20 "$T_OUT" | t_diag
  return 1
}

# t_fail DESC CODE CMD...: CMD must fail, with exit code CODE, or with any
# non-zero code when CODE is "any".
t_fail() {
  local desc=$1 want=$2 rc=0
  shift 2
  "$@" >"$T_OUT" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ] && { [ "$want" = any ] || [ "$rc" -eq "$want" ]; }; then
    t_pass "$desc"
    return 0
  fi
  t_failed "$desc" "command: $*" "exit code: $rc (expected $want)"
  tail -n 20 "$T_OUT" | t_diag
  return 1
}

# t_eq DESC EXPECTED ACTUAL
t_eq() {
  if [ "$2" = "$3" ]; then
    t_pass "$1"
    return 0
  fi
  t_failed "$1" "expected: $2" "actual:   $3"
  return 1
}

# t_skip DESC [REASON]
t_skip() {
  T_N=$((T_N + 1))
  T_SKIP=$((T_SKIP + 1))
  echo "ok $T_N - $1 # SKIP ${2:-}"
}

# t_note [TEXT...]: a measurement worth keeping in the log, not a check;
# without arguments the lines come from stdin.
t_note() {
  if [ $# -gt 0 ]; then
    printf '# %s\n' "$@"
  else
    sed -e 's/^/#   /'
  fi
}

# Clean up, check that nothing is left, and print the summary; the exit
# code is 1 when anything failed.  Cleaning up before the summary makes
# "the machine is as we found it" one more check of every file.
t_done() {
  local line

  if [ "${#TI_CLEANUP[@]}" -gt 0 ]; then
    ti_cleanup
    t_ok "cleanup leaves no cgroup, user or process behind" ti_check_clean
  fi
  T_DONE=1
  line="${T_SUITE:-integration}: $T_PASS passed, $T_FAIL failed"
  if [ "$T_SKIP" -gt 0 ]; then
    line="$line, $T_SKIP skipped"
  fi
  echo "$line"
  [ "$T_FAIL" -eq 0 ]
}

# t_bail REASON: a setup step failed, so the checks that follow would mean
# nothing: stop here (the exit trap cleans up).  The failed step was
# normally reported already; if not, the bail itself counts as a failure.
t_bail() {
  echo "# bail out: $1"
  [ "$T_FAIL" -gt 0 ] || t_failed "$1"
  t_done
  exit 1
}

# t_require_root: a script calls this first; without root nothing here can
# run, so the whole file is one skip.
t_require_root() {
  if [ "$(id -u)" -ne 0 ]; then
    t_skip "integration tests" "they need root: they create users and cgroups"
    t_done
    exit 0
  fi
}

# ---------------------------------------------------------------------------
# Cleanup.  Helpers push shell commands on a stack; ti_cleanup pops and runs
# them in reverse order on exit, so containers stop before their cgroups are
# removed and cgroups go before the users that own them.

TI_CLEANUP=()

ti_cleanup_push() {
  TI_CLEANUP+=("$1")
}

ti_cleanup() {
  local i

  for ((i = ${#TI_CLEANUP[@]} - 1; i >= 0; i--)); do
    eval "${TI_CLEANUP[i]}" >/dev/null 2>&1 || true
  done
  TI_CLEANUP=()
}

# The test users this script created and the first subid of each, for
# ti_check_clean.
TI_USERS=()
TI_SUBIDS=()

# ti_check_clean: print and fail on anything this script left behind: its
# BASE in any hierarchy, its users, their subids or their processes.
ti_check_clean() {
  local i user rc=0

  for i in "${!TI_H_KEY[@]}"; do
    if [ -d "$(ti_cg_dir "$i")" ]; then
      echo "left: cgroup $(ti_cg_dir "$i")"
      rc=1
    fi
  done
  for user in "${TI_USERS[@]}"; do
    if getent passwd "$user" >/dev/null; then
      echo "left: user $user"
      rc=1
    fi
    if grep -q "^$user:" /etc/subuid /etc/subgid; then
      echo "left: subids of $user"
      rc=1
    fi
  done
  if [ -e "${TI_SUDOERS:-}" ]; then
    echo "left: $TI_SUDOERS"
    rc=1
  fi
  for i in "${TI_SUBIDS[@]}"; do
    if ps -e -o uid= |
      awk -v s="$i" '$1 >= s && $1 < s + 65536 { f = 1 } END { exit !f }'; then
      echo "left: processes with uids $i-$((i + 65535))"
      rc=1
    fi
  done
  return $rc
}

# On exit: clean up, and if the script died before t_done (set -u, a typo),
# count that as a failure so that the run does not look green.
ti_on_exit() {
  local rc=$?

  trap - EXIT INT TERM
  if [ "$T_DONE" -eq 0 ]; then
    t_failed "script ended early (exit code $rc)"
    t_done
    rc=1
  fi
  ti_cleanup
  rm -f "$T_OUT"
  exit "$rc"
}

trap ti_on_exit EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------
# Hierarchies.  Each mounted hierarchy in /proc/self/cgroup gets an index;
# the arrays below hold its name as the tests print it ("cpu",
# "name=systemd", "unified"), its version, its mount point and the cgroup
# this script started in.

TI_H_KEY=()
TI_H_VER=()
TI_H_MNT=()
TI_H_SELF=()

# The directory below our own cgroup that holds everything a test creates.
TI_BASE_NAME=cgadopt-test.$$

# ti_mnt_for KEY: the mount point of the v1 hierarchy with controllers KEY
# ("cpu", "name=systemd", "cpu,cpuacct"), or of cgroup2 for KEY "unified".
ti_mnt_for() {
  local key=$1 line pre post mnt fstype opts ctrl ok

  while IFS= read -r line; do
    pre=${line%% - *}
    post=${line#* - }
    mnt=$(echo "$pre" | cut -d' ' -f5)
    fstype=${post%% *}
    opts=${post##* }
    if [ "$key" = unified ]; then
      [ "$fstype" = cgroup2 ] && { echo "$mnt"; return 0; }
      continue
    fi
    [ "$fstype" = cgroup ] || continue
    ok=1
    for ctrl in ${key//,/ }; do
      case ",$opts," in
      *,"$ctrl",*) ;;
      *) ok=0 ;;
      esac
    done
    [ "$ok" -eq 1 ] && { echo "$mnt"; return 0; }
  done </proc/self/mountinfo
  return 1
}

# ti_cg_init: fill the hierarchy arrays from /proc/self/cgroup.
ti_cg_init() {
  local id ctrls path key mnt

  TI_H_KEY=() TI_H_VER=() TI_H_MNT=() TI_H_SELF=()
  # Split on the first two colons only: cgroup names may contain colons.
  while IFS=: read -r id ctrls path; do
    key=${ctrls:-unified}
    mnt=$(ti_mnt_for "$key") || continue
    TI_H_KEY+=("$key")
    TI_H_MNT+=("$mnt")
    TI_H_SELF+=("$path")
    if [ "$id" = 0 ] && [ -z "$ctrls" ]; then
      TI_H_VER+=(2)
    else
      TI_H_VER+=(1)
    fi
  done </proc/self/cgroup
  [ "${#TI_H_KEY[@]}" -gt 0 ]
}

# ti_h_index KEY: the index of hierarchy KEY.
ti_h_index() {
  local i

  for i in "${!TI_H_KEY[@]}"; do
    [ "${TI_H_KEY[i]}" = "$1" ] && { echo "$i"; return 0; }
  done
  return 1
}

# ti_cg_base_rel I: the cgroup path of BASE in hierarchy I, as
# /proc/PID/cgroup shows it from the host.
ti_cg_base_rel() {
  local self=${TI_H_SELF[$1]}

  echo "${self%/}/$TI_BASE_NAME"
}

# ti_cg_dir I [REL]: the directory of BASE/REL in hierarchy I.
ti_cg_dir() {
  local dir

  dir=${TI_H_MNT[$1]}$(ti_cg_base_rel "$1")
  echo "$dir${2:+/$2}"
}

# Make BASE in every hierarchy and register its removal.  The cpuset
# hierarchy needs cpus and mems before a process may join; copying them and
# setting clone_children lets every cgroup below BASE inherit them.
ti_cg_base() {
  local i dir

  ti_cg_init || return 1
  ti_cleanup_push ti_cg_remove_all
  for i in "${!TI_H_KEY[@]}"; do
    dir=$(ti_cg_dir "$i")
    mkdir "$dir" || return 1
    if [ "${TI_H_KEY[i]}" = cpuset ]; then
      cat "$dir/../cpuset.cpus" >"$dir/cpuset.cpus" || return 1
      cat "$dir/../cpuset.mems" >"$dir/cpuset.mems" || return 1
      echo 1 >"$dir/cgroup.clone_children" || return 1
    fi
  done
}

# ti_cg_mkdir REL: make BASE/REL (and its parents) in every hierarchy,
# owned by root.
ti_cg_mkdir() {
  local i

  for i in "${!TI_H_KEY[@]}"; do
    mkdir -p "$(ti_cg_dir "$i" "$1")" || return 1
  done
}

# The files a delegated cgroup's owner must own.  On cgroup2 the kernel
# lists them in /sys/kernel/cgroup/delegate (on 6.x also memory.oom.group
# and memory.reclaim, which only exist where memory is enabled).  On v1 the
# owner needs the two membership files, and clone_children so that LXC can
# set up cpuset children.
ti_delegate_files() {
  if [ "$1" = 2 ]; then
    cat /sys/kernel/cgroup/delegate
  else
    printf '%s\n' cgroup.procs tasks cgroup.clone_children
  fi
}

# ti_cg_delegate REL USER [dir-only]: hand BASE/REL to USER in every
# hierarchy: the directory and its delegatable files, or with "dir-only"
# just the directory (the half-done delegation of test-baseline (c)).
ti_cg_delegate() {
  local rel=$1 user=$2 mode=${3:-} i dir f

  for i in "${!TI_H_KEY[@]}"; do
    dir=$(ti_cg_dir "$i" "$rel")
    chown "$user:" "$dir" || return 1
    [ "$mode" = dir-only ] && continue
    for f in $(ti_delegate_files "${TI_H_VER[i]}"); do
      if [ -e "$dir/$f" ]; then
        chown "$user:" "$dir/$f" || return 1
      fi
    done
  done
}

# ti_cg_kill_all: kill every process left in BASE, in any hierarchy.  All
# of them were started by this test (containers, attached commands).
ti_cg_kill_all() {
  local i
  local -a pids

  for i in "${!TI_H_KEY[@]}"; do
    [ -d "$(ti_cg_dir "$i")" ] || continue
    mapfile -t pids < <(find "$(ti_cg_dir "$i")" -name cgroup.procs \
      -exec cat {} + 2>/dev/null)
    [ "${#pids[@]}" -gt 0 ] && kill -9 "${pids[@]}" 2>/dev/null
  done
  return 0
}

# ti_cg_remove_all: remove BASE and everything below it, depth first.  A
# cgroup with a dying process in it refuses rmdir with EBUSY for a moment,
# so kill and retry a few times.
ti_cg_remove_all() {
  local i dir _

  for _ in 1 2 3 4 5 6 7 8 9 10; do
    ti_cg_kill_all
    for i in "${!TI_H_KEY[@]}"; do
      dir=$(ti_cg_dir "$i")
      [ -d "$dir" ] || continue
      find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null
    done
    ti_cg_any_left || return 0
    sleep 0.2
  done
  return 1
}

ti_cg_any_left() {
  local i

  for i in "${!TI_H_KEY[@]}"; do
    [ -d "$(ti_cg_dir "$i")" ] && return 0
  done
  return 1
}

# ti_cg_join REL: move the calling shell (its $BASHPID) into BASE/REL in
# every hierarchy.  Run it in a subshell that then execs the real command;
# the test script itself stays where it started.
ti_cg_join() {
  local i

  for i in "${!TI_H_KEY[@]}"; do
    echo "$BASHPID" >"$(ti_cg_dir "$i" "$1")/cgroup.procs" || return 1
  done
}

# ti_pid_cgroups PID: one line "KEY:PATH" per hierarchy, in the order of
# the arrays, with our BASE shown as "BASE" so that output is stable.
ti_pid_cgroups() {
  ti_cgroups_read <"/proc/$1/cgroup"
}

# ti_cgroups_read: the same for /proc/PID/cgroup text read from stdin, such
# as a shell printed of itself before it exited.
ti_cgroups_read() {
  local i line id ctrls path key
  local -a lines

  mapfile -t lines
  for i in "${!TI_H_KEY[@]}"; do
    for line in "${lines[@]}"; do
      IFS=: read -r id ctrls path <<<"$line"
      key=${ctrls:-unified}
      [ "$key" = "${TI_H_KEY[i]}" ] || continue
      case $path in
      "$(ti_cg_base_rel "$i")"*) path=BASE${path#"$(ti_cg_base_rel "$i")"} ;;
      esac
      echo "$key:$path"
    done
  done
}

# ti_pid_cgroup PID KEY: PID's cgroup in hierarchy KEY (BASE-relative).
ti_pid_cgroup() {
  ti_pid_cgroups "$1" | sed -n "s|^$2:||p"
}

# ti_cg_within PID ANCESTOR_PID: succeed when PID is in ANCESTOR_PID's
# cgroup or below it in every hierarchy; print the hierarchies where not.
ti_cg_within() {
  local key path anc rc=0

  while IFS=: read -r key path; do
    anc=$(ti_pid_cgroup "$2" "$key")
    case $path in
    "$anc" | "$anc"/*) ;;
    *) echo "$key: $path is not within $anc"; rc=1 ;;
    esac
  done < <(ti_pid_cgroups "$1")
  return $rc
}

# ti_cg_list_lxc: the lxc.* cgroups below BASE, one BASE-relative path per
# line, hierarchy first ("freezer:BASE/own/service/lxc.payload.c1").
ti_cg_list_lxc() {
  local i dir

  for i in "${!TI_H_KEY[@]}"; do
    dir=$(ti_cg_dir "$i")
    find "$dir" -mindepth 1 -type d -name 'lxc.*' 2>/dev/null |
      sed -e "s|^$dir|${TI_H_KEY[i]}:BASE|"
  done
}

# ---------------------------------------------------------------------------
# Layouts.  Each sets TI_SERVICE and TI_SESSION, the BASE-relative cgroups
# where a user's service (which starts containers) and login session run.

TI_SERVICE=
TI_SESSION=

# ti_layout_owned USER: BASE/own belongs to USER, with own/service and
# own/session below it: what a systemd user manager with Delegate=yes gives.
ti_layout_owned() {
  ti_cg_mkdir own/service && ti_cg_mkdir own/session || return 1
  ti_cg_delegate own "$1" &&
    ti_cg_delegate own/service "$1" &&
    ti_cg_delegate own/session "$1" || return 1
  TI_SERVICE=own/service
  TI_SESSION=own/session
}

# ti_layout_foreign USER: the service and the session are leaves of two
# root-owned trees, as systemd lays out a system service with User= and a
# login session: only the two leaves belong to USER.
ti_layout_foreign() {
  local uid

  uid=$(id -u "$1") || return 1
  TI_SERVICE=system.slice/jenkins.service
  TI_SESSION=user.slice/user-$uid.slice/session-1.scope
  ti_cg_mkdir "$TI_SERVICE" && ti_cg_mkdir "$TI_SESSION" || return 1
  ti_cg_delegate "$TI_SERVICE" "$1" && ti_cg_delegate "$TI_SESSION" "$1"
}

# ---------------------------------------------------------------------------
# Users.  Each test user gets its own subordinate id range and an LXC
# default config that needs neither network nor AppArmor.

# ti_subid_free: the first 65536-aligned start above every range in
# /etc/subuid and /etc/subgid.
ti_subid_free() {
  local end

  end=$(cat /etc/subuid /etc/subgid 2>/dev/null |
    awk -F: 'BEGIN { m = 100000 } $2 + $3 > m { m = $2 + $3 } END { print m }')
  echo $(((end + 65535) / 65536 * 65536))
}

# ti_user_home USER / ti_user_subid USER: the home and the first subid.
ti_user_home() {
  getent passwd "$1" | cut -d: -f6
}

ti_user_subid() {
  awk -F: -v u="$1" '$1 == u { print $2; exit }' /etc/subuid
}

# ti_user_add USER: create USER with a home, 65536 subordinate ids and
# ~/.config/lxc/default.conf.  A user left over from an earlier run is not
# ours to delete, so that is an error.
ti_user_add() {
  local user=$1 start home

  if getent passwd "$user" >/dev/null; then
    echo "user $user already exists: remove it (userdel -r $user) and rerun" >&2
    return 1
  fi
  # Debian's useradd hands out subids by itself; turn that off so that the
  # range is the one we choose and know.
  useradd -m -s /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$user" || return 1
  TI_USERS+=("$user")
  ti_cleanup_push "ti_user_del $user"
  start=$(ti_subid_free)
  usermod --add-subuids "$start-$((start + 65535))" \
    --add-subgids "$start-$((start + 65535))" "$user" || return 1
  TI_SUBIDS+=("$start")
  home=$(ti_user_home "$user")
  mkdir -p "$home/.config/lxc"
  cat >"$home/.config/lxc/default.conf" <<EOF
lxc.idmap = u 0 $start 65536
lxc.idmap = g 0 $start 65536
lxc.net.0.type = empty
lxc.apparmor.profile = unconfined
EOF
  chown -R "$user:" "$home/.config"
}

# ti_user_kill USER: kill every process of USER, or of its container's
# mapped root, by pid; fail when there was none left.  Only test users get
# here, and all of their processes were started by the test.
ti_user_kill() {
  local uid sub
  local -a pids

  uid=$(id -u "$1" 2>/dev/null) || return 1
  sub=$(ti_user_subid "$1")
  mapfile -t pids < <(ps -e -o pid= -o uid= |
    awk -v u="$uid" -v s="${sub:-0}" \
      '$2 == u || (s > 0 && $2 >= s && $2 < s + 65536) { print $1 }')
  [ "${#pids[@]}" -gt 0 ] || return 1
  kill -9 "${pids[@]}" 2>/dev/null
  return 0
}

# ti_user_del USER: stop its containers, kill what is left, drop its subids
# and remove it with its home (which holds the containers).
ti_user_del() {
  local user=$1 sub name _

  getent passwd "$user" >/dev/null || return 0
  for name in $(ti_as_user "$user" lxc-ls 2>/dev/null); do
    ti_as_user "$user" timeout "$TI_TIMEOUT" lxc-stop -k -n "$name"
  done
  for _ in 1 2 3 4 5; do
    ti_user_kill "$user" || break
    sleep 0.1
  done
  sub=$(ti_user_subid "$user")
  if [ -n "$sub" ]; then
    usermod --del-subuids "$sub-$((sub + 65535))" \
      --del-subgids "$sub-$((sub + 65535))" "$user"
  fi
  userdel -r "$user" 2>/dev/null
  ! getent passwd "$user" >/dev/null
}

# ti_as_user USER CMD...: run CMD as USER without PAM: its uid, gid and
# groups, a clean environment, and its home as the working directory.
ti_as_user() {
  local user=$1 uid home
  shift

  uid=$(id -u "$user") || return 1
  home=$(ti_user_home "$user")
  (cd "$home" &&
    exec env -i HOME="$home" USER="$user" LOGNAME="$user" PATH="$TI_PATH" \
      setpriv --reuid "$uid" --regid "$uid" --init-groups -- "$@")
}

# ti_run_in REL USER CMD...: run CMD as USER from inside BASE/REL in every
# hierarchy.  Root moves the subshell, then the subshell becomes CMD.
ti_run_in() {
  local rel=$1 user=$2
  shift 2

  (ti_cg_join "$rel" && ti_as_user "$user" "$@")
}

# ti_run_in_service USER CMD... / ti_run_in_session USER CMD...
ti_run_in_service() {
  ti_run_in "$TI_SERVICE" "$@"
}

ti_run_in_session() {
  ti_run_in "$TI_SESSION" "$@"
}

# ---------------------------------------------------------------------------
# Containers.

# ti_ct_create USER NAME: a busybox container from the lxc-busybox template,
# which copies the host's busybox: no download, no network.
ti_ct_create() {
  ti_as_user "$1" timeout 120 lxc-create -n "$2" -t busybox
}

# ti_ct_start USER NAME [REL]: start NAME as USER from BASE/REL (default
# the service cgroup) and wait until it runs.  With REL "-" it starts from
# the cgroup this script is in; the log goes to ~USER/NAME.log.
ti_ct_start() {
  local user=$1 name=$2 rel=${3:-$TI_SERVICE}
  local -a cmd=(timeout "$TI_TIMEOUT" lxc-start -d -n "$name"
    -o "$(ti_user_home "$user")/$name.log" -l INFO)

  ti_cleanup_push "ti_ct_stop $user $name"
  if [ "$rel" = - ]; then
    ti_as_user "$user" "${cmd[@]}" || return 1
  else
    ti_run_in "$rel" "$user" "${cmd[@]}" || return 1
  fi
  ti_as_user "$user" timeout "$TI_TIMEOUT" lxc-wait -n "$name" -s RUNNING
}

# ti_ct_stop USER NAME: stop NAME, by force, as its owner.
ti_ct_stop() {
  ti_as_user "$1" timeout "$TI_TIMEOUT" lxc-stop -k -n "$2" 2>/dev/null
  ti_as_user "$1" timeout "$TI_TIMEOUT" lxc-wait -n "$2" -s STOPPED
}

# ti_ct_pid USER NAME: the host pid of NAME's init.
ti_ct_pid() {
  ti_as_user "$1" lxc-info -n "$2" -pH
}

# ti_ct_log USER NAME: the start log of NAME (INFO level).
ti_ct_log() {
  cat "$(ti_user_home "$1")/$2.log"
}

# ti_ppid PID: PID's parent, from /proc.
ti_ppid() {
  awk '$1 == "PPid:" { print $2 }' /proc/"$1"/status
}

# ti_pid_by_cmdline WORD...: the pid of the process whose command line is
# exactly WORD..., for finding a command that lxc-attach left behind (it is
# not our child then).  Give it a unique argument, such as "sleep 41.$$".
ti_pid_by_cmdline() {
  local want="$*" f pid

  for f in /proc/[0-9]*/cmdline; do
    pid=${f#/proc/}
    pid=${pid%/cmdline}
    if [ "$(tr '\0' ' ' 2>/dev/null <"$f")" = "$want " ]; then
      echo "$pid"
      return 0
    fi
  done
  return 1
}

# ti_wait_pid_by_cmdline WORD...: as above, waiting up to 5 s for it.
ti_wait_pid_by_cmdline() {
  local _

  for _ in $(seq 50); do
    ti_pid_by_cmdline "$@" && return 0
    sleep 0.1
  done
  return 1
}

# ti_try_join FROM USER TO: as USER, from BASE/FROM, try to write the pid
# of a shell into BASE/TO/cgroup.procs in each hierarchy in turn.  Prints
# "KEY=ok" or "KEY=denied" per hierarchy.  The hierarchies do not interfere:
# a move in one leaves the others where they were.
ti_try_join() {
  local from=$1 user=$2 to=$3 i
  local -a args=()

  for i in "${!TI_H_KEY[@]}"; do
    args+=("${TI_H_KEY[i]}" "$(ti_cg_dir "$i" "$to")/cgroup.procs")
  done
  # shellcheck disable=SC2016 # expanded by the inner sh
  ti_run_in "$from" "$user" sh -c '
    while [ $# -gt 0 ]; do
      if echo $$ 2>/dev/null >"$2"; then echo "$1=ok"; else echo "$1=denied"; fi
      shift 2
    done' sh "${args[@]}"
}

# ti_expect_by_version V1 V2 [SEP]: "KEY=V1" for each v1 hierarchy and
# "KEY=V2" for cgroup2, in hierarchy order: the shape ti_try_join prints, or
# with SEP ":" the shape of ti_pid_cgroups.
ti_expect_by_version() {
  local sep=${3:-=} i

  for i in "${!TI_H_KEY[@]}"; do
    if [ "${TI_H_VER[i]}" = 2 ]; then
      echo "${TI_H_KEY[i]}$sep$2"
    else
      echo "${TI_H_KEY[i]}$sep$1"
    fi
  done
}

# ti_expect_cgroups PATH: "KEY:PATH" for every hierarchy, to compare with
# ti_pid_cgroups.
ti_expect_cgroups() {
  local key

  for key in "${TI_H_KEY[@]}"; do
    echo "$key:$1"
  done
}

# ---------------------------------------------------------------------------
# cg-adopt itself.  $CG_ADOPT names the binary (default build/cg-adopt in
# the repository); the test users run it from its place in the tree, so the
# path must be readable and executable by everyone.

# t_require_cg_adopt: skip the whole file when the binary is not built.
t_require_cg_adopt() {
  if ! [ -x "$CG_ADOPT" ]; then
    t_skip "cg-adopt tests" "$CG_ADOPT is not built (run make)"
    t_done
    exit 0
  fi
}

# ti_cg_adopt_in REL USER ARG...: run cg-adopt as USER from BASE/REL.
ti_cg_adopt_in() {
  local rel=$1 user=$2
  shift 2

  ti_run_in "$rel" "$user" "$CG_ADOPT" "$@"
}

# ti_as_sudo USER CMD...: run CMD as root with the variables sudo sets for
# USER, which is how cg-adopt learns whom it acts for.  sudo itself is not
# installed here, and its PAM session is not what the tests are about.
ti_as_sudo() {
  local user=$1 uid gid
  shift

  uid=$(id -u "$user") && gid=$(id -g "$user") || return 1
  env -i PATH="$TI_PATH" HOME=/root USER=root LOGNAME=root \
    SUDO_USER="$user" SUDO_UID="$uid" SUDO_GID="$gid" \
    SUDO_COMMAND="$*" "$@"
}

# ti_run_in_as_sudo REL USER CMD...: ti_as_sudo from inside BASE/REL.
ti_run_in_as_sudo() {
  local rel=$1 user=$2
  shift 2

  (ti_cg_join "$rel" && ti_as_sudo "$user" "$@")
}

# ti_ct_lxcpath USER: the lxcpath of USER's containers, for -P.
ti_ct_lxcpath() {
  echo "$(ti_user_home "$1")/.local/share/lxc"
}

# ti_attach_start REL USER NAME WORD...: run "lxc-attach -n NAME -- WORD..."
# as USER from BASE/REL in the background and find the attached command on
# the host.  Sets TI_ATTACHER (the lxc-attach job, for wait) and
# TI_ATTACHED (the command's host pid, empty if it never showed up).  Make
# WORD... unique, e.g. "sleep 41.$$": it is how the command is found, since
# a failed lxc-attach orphans it and it is nobody's child we know.
TI_ATTACHER=
TI_ATTACHED=

ti_attach_start() {
  local rel=$1 user=$2 name=$3
  shift 3

  ti_run_in "$rel" "$user" timeout "$TI_TIMEOUT" \
    lxc-attach -n "$name" -- "$@" >/dev/null 2>&1 &
  # shellcheck disable=SC2034 # read by the test scripts
  TI_ATTACHER=$!
  # shellcheck disable=SC2034
  TI_ATTACHED=$(ti_wait_pid_by_cmdline "$@")
}

# ---------------------------------------------------------------------------
# Probes: what one cg-adopt call did, seen from its caller.

TI_RC=0
TI_STDOUT=
TI_STDERR=

# ti_capture CMD...: run CMD; its exit code goes to TI_RC, its output to
# TI_STDOUT and TI_STDERR.
ti_capture() {
  local err

  err=$(mktemp /tmp/cgadopt-err.XXXXXX) || return 1
  TI_RC=0
  # shellcheck disable=SC2034 # read by the test scripts
  TI_STDOUT=$("$@" 2>"$err") || TI_RC=$?
  # shellcheck disable=SC2034
  TI_STDERR=$(cat "$err")
  rm -f "$err"
}

# ti_probe REL USER CMD...: as USER from BASE/REL, a shell runs CMD as its
# direct child, so that "cg-adopt move NAME" without a pid moves that shell.
# TI_PROBE gets one line per fact: "before:LINE" and "after:LINE" for the
# shell's /proc/self/cgroup around CMD, "rc=N", "out:LINE" and "err:LINE".
# With USER "sudo:USER" the shell is root with sudo's variables for USER.
TI_PROBE=

# shellcheck disable=SC2016 # expanded by the inner sh
TI_PROBE_SH='
  t=$(mktemp -d /tmp/cgadopt-probe.XXXXXX) || exit 1
  sed -e "s/^/before:/" /proc/$$/cgroup
  rc=0
  "$@" >"$t/out" 2>"$t/err" || rc=$?
  echo "rc=$rc"
  sed -e "s/^/out:/" "$t/out"
  sed -e "s/^/err:/" "$t/err"
  sed -e "s/^/after:/" /proc/$$/cgroup
  rm -rf "$t"'

ti_probe() {
  local rel=$1 user=$2
  shift 2

  case $user in
  sudo:*) TI_PROBE=$(ti_run_in_as_sudo "$rel" "${user#sudo:}" sh -c "$TI_PROBE_SH" sh "$@") ;;
  *) TI_PROBE=$(ti_run_in "$rel" "$user" sh -c "$TI_PROBE_SH" sh "$@") ;;
  esac
}

# ti_probe_get FIELD: the lines of FIELD (before, after, out, err, rc) of
# the last probe, without their prefix.
ti_probe_get() {
  sed -n "s/^$1[:=]//p" <<<"$TI_PROBE"
}

# ti_probe_cgroups before|after: the shell's cgroups in the shape of
# ti_pid_cgroups.
ti_probe_cgroups() {
  ti_probe_get "$1" | ti_cgroups_read
}

# t_error_line DESC TEXT REGEX...: TEXT (a command's stderr) is exactly one
# line, starts with "cg-adopt: " and matches every extended REGEX.
t_error_line() {
  local desc=$1 text=$2 re
  shift 2

  if [ -z "$text" ] || [ "$(printf '%s\n' "$text" | wc -l)" -ne 1 ]; then
    t_failed "$desc" "expected one line of stderr, got:" "$text"
    return 1
  fi
  case $text in
  "cg-adopt: "*) ;;
  *) t_failed "$desc" "does not start with 'cg-adopt: ':" "$text"; return 1 ;;
  esac
  for re in "$@"; do
    if ! grep -qE -- "$re" <<<"$text"; then
      t_failed "$desc" "does not match /$re/:" "$text"
      return 1
    fi
  done
  t_pass "$desc"
}

# ti_sudoers_allow USER: a sudoers drop-in that lets USER run $CG_ADOPT as
# root without a password, removed at cleanup.  Fails when sudo is missing.
TI_SUDOERS=/etc/sudoers.d/cgadopt-test-$$

ti_sudoers_allow() {
  command -v sudo >/dev/null && command -v visudo >/dev/null || return 1
  ti_cleanup_push "rm -f $TI_SUDOERS"
  printf '%s ALL=(root) NOPASSWD: %s\n' "$1" "$CG_ADOPT" >>"$TI_SUDOERS"
  chmod 0440 "$TI_SUDOERS"
  visudo -cf "$TI_SUDOERS" >/dev/null
}

# ---------------------------------------------------------------------------
# BEGIN helpers of test-delegate.sh, test-hooks.sh and test-pam.sh.
#
# 'cg-adopt delegate' and the pre-start hook take absolute cgroup paths.  On
# this machine the memory hierarchy's own cgroup is not "/", so an absolute
# path would point outside the test's memory cgroup: these tests delegate
# every hierarchy except memory, at BASE/REL, and check that memory is left
# alone.

# ti_dg_controllers: every hierarchy but memory, as --controllers LIST.
ti_dg_controllers() {
  local i list=

  for i in "${!TI_H_KEY[@]}"; do
    case ${TI_H_KEY[i]} in
    memory | *,memory | memory,* | *,memory,*) continue ;;
    unified) list=$list,cgroup2 ;;
    *) list=$list,${TI_H_KEY[i]} ;;
    esac
  done
  echo "${list#,}"
}

# ti_dg_is_memory I: whether hierarchy I holds the memory controller.
ti_dg_is_memory() {
  case ,${TI_H_KEY[$1]}, in
  *,memory,*) return 0 ;;
  esac
  return 1
}

# ti_dg_path REL: the absolute cgroup path of BASE/REL, the same in every
# hierarchy but memory; fails when the test's own cgroups differ there.
ti_dg_path() {
  local i path= p

  for i in "${!TI_H_KEY[@]}"; do
    ti_dg_is_memory "$i" && continue
    p=$(ti_cg_base_rel "$i")/$1
    [ -z "$path" ] || [ "$path" = "$p" ] || return 1
    path=$p
  done
  echo "$path"
}

# ti_dg_expect PATH MEMPATH: "KEY:PATH" per hierarchy, "memory:MEMPATH" for
# memory, to compare with ti_pid_cgroups.
ti_dg_expect() {
  local i

  for i in "${!TI_H_KEY[@]}"; do
    if ti_dg_is_memory "$i"; then
      echo "${TI_H_KEY[i]}:$2"
    else
      echo "${TI_H_KEY[i]}:$1"
    fi
  done
}

# ti_dg_join REL MEMREL: move the calling shell into BASE/REL in every
# hierarchy but memory and into BASE/MEMREL in memory; run it in a
# subshell, as ti_cg_join.
ti_dg_join() {
  local i rel

  for i in "${!TI_H_KEY[@]}"; do
    rel=$1
    ti_dg_is_memory "$i" && rel=$2
    echo "$BASHPID" >"$(ti_cg_dir "$i" "$rel")/cgroup.procs" || return 1
  done
}

# ti_dg_run_in REL MEMREL USER CMD...: ti_run_in with ti_dg_join.
ti_dg_run_in() {
  local rel=$1 memrel=$2 user=$3
  shift 3

  (ti_dg_join "$rel" "$memrel" && ti_as_user "$user" "$@")
}

# ti_dg_tree REL: every directory and file below BASE/REL in every
# hierarchy with owner, group and mode, one sorted line each, to compare a
# tree before and after a command.
ti_dg_tree() {
  local i dir

  for i in "${!TI_H_KEY[@]}"; do
    dir=$(ti_cg_dir "$i" "$1")
    [ -d "$dir" ] || continue
    find "$dir" -printf "${TI_H_KEY[i]}:%P %u:%g %m %y\n"
  done | sort
}

# ti_dg_owners REL: "KEY:OWNER" of BASE/REL per hierarchy ("-" if missing).
ti_dg_owners() {
  local i dir

  for i in "${!TI_H_KEY[@]}"; do
    dir=$(ti_cg_dir "$i" "$1")
    if [ -d "$dir" ]; then
      echo "${TI_H_KEY[i]}:$(stat -c %U "$dir")"
    else
      echo "${TI_H_KEY[i]}:-"
    fi
  done
}

# ti_dg_sleeper TAG: start a root "sleep TAG" in the test's own cgroups,
# killed at cleanup, and put its pid in TI_DG_PID (not printed: a command
# substitution would lose the cleanup).  Something for 'cg-adopt delegate
# PID' to move that is not this script.
TI_DG_PID=

ti_dg_sleeper() {
  sleep "$1" >/dev/null 2>&1 </dev/null &
  TI_DG_PID=$!
  ti_cleanup_push "kill -9 $TI_DG_PID"
}

# ti_dg_wait_gone PATTERN: wait up to 3 s until no lxc.* cgroup below BASE
# matches the grep PATTERN; print what is left, fail if anything is.
ti_dg_wait_gone() {
  local left _

  for _ in $(seq 30); do
    left=$(ti_cg_list_lxc | grep -e "$1")
    [ -z "$left" ] && return 0
    sleep 0.1
  done
  echo "$left"
  return 1
}

# END helpers of test-delegate.sh, test-hooks.sh and test-pam.sh.
