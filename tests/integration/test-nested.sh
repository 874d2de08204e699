#!/bin/bash
# The setup that started the project, built on this host (doc/nested.md):
#
#   host user cgadopt-ci (the issue's "ci") owns an unprivileged outer
#   container "ci" with nesting and two id ranges: its root at host uid
#   200000, and 100000-165535 inside (host 265536-) for the subordinate ids
#   of "jenkins", a user inside it.  Its root filesystem is made by
#   tests/nested/mkrootfs.sh; /usr and cg-adopt's build tree come in as
#   read-only bind mounts, newuidmap/newgidmap are setuid copies owned by
#   the container's root.  Its init (tests/nested/init.sh) runs the CI
#   service from lxc-config/nested/jenkins.conf as upstart would.
#
#   (1) without the toolkit (the job without its cg-adopt line, logins
#       without the PAM line), a build's nested busybox container starts
#       without cgroups, and from a login freeze, cgroup and attach fail or
#       land wrong;
#   (2) with it, the job's 'cg-adopt delegate' and the login's PAM line put
#       the service and every login of jenkins under /cg-adopt/user-UID, the
#       nested container gets cgroups in every hierarchy, and from a fresh
#       login lxc-stop, lxc-attach (placement checked in every hierarchy),
#       lxc-freeze and lxc-cgroup work without root;
#   (3) a container that sits outside that tree (started by the old job) is
#       reached with 'cg-adopt exec NAME -- lxc-...'.
#
# Everything the outer container holds lives below BASE/ci, which belongs
# to cgadopt-ci: the outer container's cgroup namespace root is
# BASE/ci/lxc.payload.ci, so "/" inside is below the test's cgroup in every
# hierarchy, memory included.

# Most single-quoted strings here are scripts run inside the outer
# container, expanded there on purpose.
# shellcheck disable=SC2016
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

t_require_root
t_require_cg_adopt

HU=cgadopt-ci
CT=ci
ROOT_ID=200000   # the outer container's root, seen from the host
SUB_IN=100000    # jenkins' subordinate ids, seen inside the outer container
SUB_HOST=265536  # ... and from the host
JUID=1000        # jenkins inside
NESTED=$TI_REPO/tests/nested
CFGDIR=$TI_REPO/lxc-config/nested

# --- the host user with two id ranges ------------------------------------------

# nt_range_taken START: whether any subordinate range meets START..+131071.
nt_range_taken() {
  awk -F: -v s="$1" '$2 < s + 131072 && $2 + $3 > s { f = 1 } END { exit !f }' \
    /etc/subuid /etc/subgid
}

# nt_user_add: cgadopt-ci with the issue's two ranges.  Another user's range
# there is not ours to share (other tests may run beside this one), so the
# pair moves up to the first free place when 200000 is taken.
nt_user_add() {
  if nt_range_taken "$ROOT_ID"; then
    ROOT_ID=$(ti_subid_free)
    SUB_HOST=$((ROOT_ID + 65536))
    echo "200000 is taken; the outer root is at $ROOT_ID"
  fi
  getent passwd "$HU" >/dev/null && { echo "user $HU exists"; return 1; }
  useradd -m -s /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$HU" || return 1
  TI_USERS+=("$HU")
  TI_SUBIDS+=("$ROOT_ID" "$SUB_HOST")
  ti_cleanup_push nt_user_del
  usermod --add-subuids "$ROOT_ID-$((ROOT_ID + 65535))" \
    --add-subgids "$ROOT_ID-$((ROOT_ID + 65535))" \
    --add-subuids "$SUB_HOST-$((SUB_HOST + 65535))" \
    --add-subgids "$SUB_HOST-$((SUB_HOST + 65535))" "$HU"
}

# nt_kill_ids: kill every process of the host user or of the outer
# container's two ranges (nested containers included); fail when none.
nt_kill_ids() {
  local uid
  local -a pids

  uid=$(id -u "$HU" 2>/dev/null) || return 1
  mapfile -t pids < <(ps -e -o pid= -o uid= | awk -v u="$uid" \
    -v a="$ROOT_ID" -v b="$SUB_HOST" '$2 == u ||
      ($2 >= a && $2 < a + 65536) || ($2 >= b && $2 < b + 65536) { print $1 }')
  [ "${#pids[@]}" -gt 0 ] || return 1
  kill -9 "${pids[@]}" 2>/dev/null
}

nt_user_del() {
  local _

  getent passwd "$HU" >/dev/null || return 0
  ti_as_user "$HU" timeout "$TI_TIMEOUT" lxc-stop -k -n "$CT"
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    nt_kill_ids || break
    sleep 0.1
  done
  usermod --del-subuids "$ROOT_ID-$((ROOT_ID + 65535))" \
    --del-subgids "$ROOT_ID-$((ROOT_ID + 65535))" \
    --del-subuids "$SUB_HOST-$((SUB_HOST + 65535))" \
    --del-subgids "$SUB_HOST-$((SUB_HOST + 65535))" "$HU"
  userdel -r "$HU" 2>/dev/null
  ! getent passwd "$HU" >/dev/null
}

# --- the outer container -----------------------------------------------------------

# nt_outer_config ROOTFS: the outer container's config: the issue's map, no
# network, the shipped nesting include, the host's /usr and cg-adopt's
# build tree read-only, and ci-init as init.
nt_outer_config() {
  local d

  cat <<CONF
lxc.uts.name = $CT
lxc.rootfs.path = dir:$1
lxc.idmap = u 0 $ROOT_ID 65536
lxc.idmap = g 0 $ROOT_ID 65536
lxc.idmap = u $SUB_IN $SUB_HOST 65536
lxc.idmap = g $SUB_IN $SUB_HOST 65536
lxc.include = /usr/share/lxc/config/common.conf
lxc.include = /usr/share/lxc/config/userns.conf
lxc.net.0.type = empty
lxc.include = $CFGDIR/ci.conf
lxc.apparmor.profile = unconfined
lxc.init.cmd = /usr/local/sbin/ci-init
lxc.mount.entry = $TI_REPO/build opt/cg-adopt none ro,bind 0 0
CONF
  for d in bin sbin lib lib64 share libexec; do
    [ -d "/usr/$d" ] && echo "lxc.mount.entry = /usr/$d usr/$d none ro,bind 0 0"
  done
  return 0
}

# nt_outer_create: the outer container's directory, root filesystem and
# config, as cgadopt-ci's container "ci".
nt_outer_create() {
  local home lxcdir

  home=$(ti_user_home "$HU")
  lxcdir=$home/.local/share/lxc/$CT
  mkdir -p "$lxcdir" || return 1
  "$NESTED/mkrootfs.sh" "$lxcdir/rootfs" "$ROOT_ID" "$ROOT_ID" "$JUID" \
    "$SUB_IN" || return 1
  nt_outer_config "$lxcdir/rootfs" >"$lxcdir/config" || return 1
  chown "$HU:" "$home/.local" "$home/.local/share" "$home/.local/share/lxc" \
    "$lxcdir" "$lxcdir/config"
}

# nt_in CMD...: run CMD as the outer container's root, inside it, attached
# by cgadopt-ci from BASE/ci.
nt_in() {
  ti_run_in ci "$HU" timeout "$TI_TIMEOUT" lxc-attach -n "$CT" \
    --clear-env -v PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin \
    -- "$@"
}

# job_*, nested_pid and cgroup_mounts: the init job, as both nested tests drive it.
JOB_TRIES=100
# shellcheck source=tests/nested/jobs.sh
. "$NESTED/jobs.sh"

t_ok "make the test cgroup in every hierarchy" ti_cg_base || t_bail "no cgroups"
t_ok "create $HU with subordinate ids $ROOT_ID+65536 and $SUB_HOST+65536" \
  nt_user_add || t_bail "no user"
t_ok "delegate BASE/ci to $HU" eval 'ti_cg_mkdir ci && ti_cg_delegate ci "$HU"' ||
  t_bail "no cgroup"
t_ok "build the outer root filesystem (tests/nested/mkrootfs.sh)" nt_outer_create ||
  t_bail "no root filesystem"
t_ok "outer container $CT starts as $HU from BASE/ci" ti_ct_start "$HU" "$CT" ci ||
  { ti_ct_log "$HU" "$CT" | grep -E 'ERROR|WARN' | t_diag; t_bail "no outer container"; }

OUTER_INIT=$(ti_ct_pid "$HU" "$CT")
t_eq "outer init is in BASE/ci/lxc.payload.$CT in every hierarchy" \
  "$(ti_expect_cgroups "BASE/ci/lxc.payload.$CT")" "$(ti_pid_cgroups "$OUTER_INIT")"

# --- inside: logins, builds, cgroups ---------------------------------------------------

JH=/home/jenkins
DG=/cg-adopt/user-$JUID
CG_IN=/usr/local/bin/cg-adopt

# login [--pam-cg-adopt|--logind] [--sudo] CMD...: a fresh login of
# jenkins running CMD (see tests/nested/login.sh).
login() {
  local opts=()

  while :; do
    case $1 in --pam-cg-adopt | --logind | --sudo) opts+=("$1"); shift ;; *) break ;; esac
  done
  nt_in /usr/local/lib/ci/login "${opts[@]}" jenkins "$@"
}

# inside_cgroups: /proc/PID/cgroup text on stdin as "KEY:PATH" lines, in
# the order of the host's hierarchies (the same kernel, the same order).
inside_cgroups() {
  local ctrls path

  while IFS=: read -r _ ctrls path; do
    echo "${ctrls:-unified}:$path"
  done
}

# expect_inside PATH: "KEY:PATH" for every hierarchy.
expect_inside() {
  ti_expect_cgroups "$1"
}

# build NAME SCRIPT: hand the build script SCRIPT to the CI service and
# wait for its end; prints its output, exits with its code.  The login
# that drops it in the queue only writes a file: the build runs in the
# service's process tree, from the service's cgroups.
build() {
  login sh -c '
    q=$HOME/queue; n=$1
    printf "%s\n" "$2" >"$q/$n.tmp" && mv "$q/$n.tmp" "$q/$n.sh" || exit 1
    i=0
    while [ ! -e "$q/$n.rc" ]; do
      i=$((i + 1)); [ $i -lt 300 ] || { echo "build $n: no result"; exit 1; }
      sleep 0.05
    done
    cat "$q/$n.out"; exit "$(cat "$q/$n.rc")"' sh "$1" "$2"
}

# in_cgroups PID: PID's cgroups, seen from inside the outer container.
in_cgroups() {
  nt_in cat /proc/"$1"/cgroup | inside_cgroups
}

# nested_cgdirs NAME: the cgroups named after NAME below "/" inside, one
# "KEY:PATH" line per hierarchy (from the host's view of BASE/ci/...).
nested_cgdirs() {
  local i dir

  for i in "${!TI_H_KEY[@]}"; do
    dir=$(ti_cg_dir "$i" "ci/lxc.payload.$CT")
    find "$dir" -mindepth 1 -type d -name "lxc.payload.$1" 2>/dev/null |
      sed -e "s|^$dir|${TI_H_KEY[i]}:|"
  done
}

# ti_attach_start for a login: lxc-attach -n NAME -- WORD... from a login
# of MODE in the background, then find the attached command (seen from the
# host) and its pid inside.  Sets ATTACHED (host pid) and ATTACHED_IN.
ATTACHED=
ATTACHED_IN=

attach_start() {
  local mode=$1 name=$2
  shift 2

  # shellcheck disable=SC2086 # MODE is a list of options, split on purpose
  login $mode timeout "$TI_TIMEOUT" lxc-attach -n "$name" -- "$@" \
    >/dev/null 2>&1 &
  ATTACHED=$(ti_wait_pid_by_cmdline "$@")
  ATTACHED_IN=
  [ -n "$ATTACHED" ] &&
    ATTACHED_IN=$(awk '$1 == "NSpid:" { print $3 }' /proc/"$ATTACHED"/status)
}

ALL=${#TI_H_KEY[@]}

t_ok "the CI service job and ci-service are in place" \
  eval 'job_install jenkins-plain plain && job_install jenkins'
t_ok "jenkins creates the nested containers test and old (lxc-create -t busybox)" \
  login sh -c 'lxc-create -n test -t busybox >/dev/null && lxc-create -n old -t busybox >/dev/null'

# Where the outer container's LXC puts its lock and run directories for
# jenkins: XDG_RUNTIME_DIR is unset in a login without a login manager, so
# below $HOME/.cache.  That directory must be writable, and HOME must be
# set: a process without HOME gets "/" for both lxcpath and run directory.
out=$(login find "$JH/.cache" -path '*lock*' -type d)
t_note "lock directories of jenkins:"
t_note <<<"$out"
t_ok "lxc-create made its lock directory below ~/.cache/lxc/run (no XDG_RUNTIME_DIR)" \
  grep -q "^$JH/.cache/lxc/run/lxc/lock$JH/.local/share/lxc$" <<<"$out"
out=$(nt_in env -i PATH=/usr/bin:/bin setpriv --reuid jenkins --regid jenkins \
  --init-groups lxc-create -P "$JH/.local/share/lxc" -n nohome -t busybox 2>&1)
t_note "lxc-create -P ... as jenkins without HOME (as an init job runs it):"
t_note <<<"$out"
t_ok "... fails with 'Failed to create lock for nohome': no HOME, no run directory" \
  grep -q 'Failed to create lock for nohome' <<<"$out"
out=$(nt_in env -i PATH=/usr/bin:/bin setpriv --reuid jenkins --regid jenkins \
  --init-groups lxc-create -n nohome -t busybox 2>&1)
t_note "lxc-create as jenkins without HOME and without -P:"
t_note <<<"$out"
t_ok "... fails on /.local: the lxcpath falls back to /" grep -q '/\.local' <<<"$out"

# --- (1) the original setup: no cg-adopt in the job, none at login --------------

t_ok "(1) the job without cg-adopt starts the service" job_start jenkins-plain
svc=$(job_pid jenkins-plain)
t_eq "(1) the service runs in init's cgroups (\"/\" everywhere)" \
  "$(expect_inside /)" "$(in_cgroups "$svc")"
out=$(build b1 'lxc-start -n test -l INFO -o $HOME/b1.log && lxc-wait -n test -s RUNNING -t 10 &&
  grep -c "not writable, skipping" $HOME/b1.log')
t_ok "(1) the build starts nested container test from the service" \
  test "$(login lxc-info -n test -sH)" = RUNNING
t_eq "(1) ... without cgroups: every hierarchy is 'not writable, skipping'" \
  "$ALL" "$(tail -n 1 <<<"$out")"
t_eq "(1) ... no lxc.payload.test cgroup exists in any hierarchy" "" \
  "$(nested_cgdirs test)"
init_t=$(nested_pid test)
t_eq "(1) ... its init sits in the service's cgroups" \
  "$(expect_inside /)" "$(in_cgroups "$init_t")"

ti_capture login "$CG_IN" doctor test
t_note "(1) cg-adopt doctor test, from a login: exit $TI_RC"
t_note <<<"$TI_STDOUT$TI_STDERR"
t_eq "(1) cg-adopt doctor inside sees the fault (exit 1)" 1 "$TI_RC"
t_fail "(1) login: lxc-freeze test fails" any login lxc-freeze -n test
t_fail "(1) login: lxc-cgroup test pids.max fails" any \
  login lxc-cgroup -n test pids.max
tag=(sleep "71.$$")
attach_start "" test "${tag[@]}"
if [ -n "$ATTACHED" ]; then
  t_eq "(1) login: lxc-attach leaves the command in the login's cgroups" \
    "$(expect_inside /)" "$(in_cgroups "$ATTACHED_IN")"
  kill -9 "$ATTACHED"
else
  t_failed "(1) login: lxc-attach test runs the command"
fi
wait
t_ok "(1) login: lxc-stop test works (the command socket needs no cgroup)" \
  login lxc-stop -n test -t 5

# Question 1 as the user met it: a login without a working login manager
# cannot start a nested container with cgroups either.
out=$(login sh -c 'lxc-start -n test -l INFO -o $HOME/l1.log &&
  grep -c "not writable, skipping" $HOME/l1.log; lxc-stop -k -n test')
t_eq "(1) login: lxc-start gets no cgroups either" "$ALL" "$(head -n 1 <<<"$out")"
t_ok "(1) stop the job" job_stop jenkins-plain

# --- (2) with the toolkit: the job's delegate, PAM's delegate, the hook ------------

t_ok "(2) the shipped job (with cg-adopt delegate) starts the service" job_start jenkins
svc=$(job_pid jenkins)
t_eq "(2) the service runs in $DG/service in every hierarchy" \
  "$(expect_inside "$DG/service")" "$(in_cgroups "$svc")"
t_eq "(2) $DG belongs to jenkins in every hierarchy (seen from the host)" \
  "$(for k in "${TI_H_KEY[@]}"; do echo "$k:$((ROOT_ID + JUID))"; done)" \
  "$(for i in "${!TI_H_KEY[@]}"; do
       echo "${TI_H_KEY[i]}:$(stat -c %u "$(ti_cg_dir "$i" "ci/lxc.payload.$CT$DG")")"
     done)"

out=$(login --pam-cg-adopt cat /proc/self/cgroup | inside_cgroups)
t_eq "(2) a fresh login with the PAM line is in $DG/session everywhere" \
  "$(expect_inside "$DG/session")" "$out"

t_ok "(2) the nested container test gets the cg-adopt hooks" \
  login sh -c 'echo "lxc.include = /usr/local/share/cg-adopt/cg-adopt.conf" \
    >>$HOME/.local/share/lxc/test/config'
out=$(build b2 'lxc-start -n test -l INFO -o $HOME/b2.log && lxc-wait -n test -s RUNNING -t 10 &&
  grep -c "not writable, skipping" $HOME/b2.log')
t_ok "(2) the build starts test from the service" \
  test "$(login lxc-info -n test -sH)" = RUNNING
t_eq "(2) ... and no hierarchy was skipped" 0 "$(tail -n 1 <<<"$out")"
init_t=$(nested_pid test)
t_eq "(2) ... its init is in $DG/lxc/test/lxc.payload.test in every hierarchy" \
  "$(expect_inside "$DG/lxc/test/lxc.payload.test")" "$(in_cgroups "$init_t")"

t_ok "(2) login: lxc-freeze test" login --pam-cg-adopt lxc-freeze -n test
t_eq "(2) ... it is FROZEN" FROZEN "$(login lxc-info -n test -sH)"
t_ok "(2) login: lxc-unfreeze test" login --pam-cg-adopt lxc-unfreeze -n test
t_ok "(2) login: lxc-cgroup test pids.max 500" \
  login --pam-cg-adopt lxc-cgroup -n test pids.max 500
t_eq "(2) ... and reads it back" 500 \
  "$(login --pam-cg-adopt lxc-cgroup -n test pids.max)"

tag=(sleep "72.$$")
attach_start --pam-cg-adopt test "${tag[@]}"
if [ -n "$ATTACHED" ]; then
  t_eq "(2) login: lxc-attach lands in test's payload (v1), payload/.lxc (cgroup2)" \
    "$(ti_expect_by_version "$DG/lxc/test/lxc.payload.test" "$DG/lxc/test/lxc.payload.test/.lxc" :)" \
    "$(in_cgroups "$ATTACHED_IN")"
  kill -9 "$ATTACHED"
else
  t_failed "(2) login: lxc-attach test runs the command"
fi
wait

out=$(login --pam-cg-adopt "$CG_IN" show test --json)
t_eq "(2) cg-adopt show inside: the login may enter test's root everywhere" \
  "$ALL" "$(grep -o '"caller_can_enter":true' <<<"$out" | wc -l)"
t_ok "(2) cg-adopt doctor inside: every check passes" \
  login --pam-cg-adopt "$CG_IN" doctor test
out=$(login --pam-cg-adopt sh -c '"$0" move test && cat /proc/$$/cgroup' "$CG_IN" |
  inside_cgroups)
t_eq "(2) cg-adopt move test inside: the login shell is in test's root everywhere" \
  "$(expect_inside "$DG/lxc/test")" "$out"
t_ok "(2) sudo cg-adopt chown test inside (root of the outer container for jenkins)" \
  login --pam-cg-adopt --sudo "$CG_IN" chown test
t_ok "(2) login: lxc-stop test" login --pam-cg-adopt lxc-stop -n test -t 5
t_eq "(2) ... STOPPED" STOPPED "$(login lxc-info -n test -sH)"
t_ok "(2) ... and nothing of test is left in any hierarchy (post-stop hook)" \
  eval '[ -z "$(sleep 0.3; nested_cgdirs test)" ]'

out=$(login --pam-cg-adopt sh -c 'lxc-start -n old -l INFO -o $HOME/l2.log &&
  grep -c "not writable, skipping" $HOME/l2.log; cat /proc/$(lxc-info -n old -pH)/cgroup;
  lxc-stop -k -n old')
t_eq "(2) a fresh login starts a container (no hook) with cgroups everywhere" \
  0 "$(head -n 1 <<<"$out")"
t_eq "(2) ... below its session leaf" \
  "$(expect_inside "$DG/session/lxc.payload.old")" \
  "$(tail -n +2 <<<"$out" | inside_cgroups)"

t_ok "(2) cg-adopt clean --all-stopped inside, from a login" \
  login --pam-cg-adopt "$CG_IN" clean --all-stopped
t_eq "(2) ... no lxc.* cgroup is left below $DG in any hierarchy" "" \
  "$(ti_cg_list_lxc | grep "/lxc.payload.$CT$DG/")"

# --- (3) a container outside the tree: cg-adopt exec --------------------------------

t_ok "(3) a login whose session is elsewhere (/user/$JUID.user) starts old" \
  login --logind lxc-start -n old
init_o=$(nested_pid old)
t_eq "(3) ... old's init is in /user/$JUID.user/1.session/lxc.payload.old" \
  "$(expect_inside "/user/$JUID.user/1.session/lxc.payload.old")" "$(in_cgroups "$init_o")"
old_at=/user/$JUID.user/1.session/lxc.payload.old

t_ok "(3) plain lxc-freeze old from $DG/session works (the monitor freezes)" \
  login --pam-cg-adopt lxc-freeze -n old
t_ok "(3) plain lxc-unfreeze old from $DG/session works" \
  login --pam-cg-adopt lxc-unfreeze -n old

ti_capture login --pam-cg-adopt "$CG_IN" exec old -- lxc-stop -n old
t_eq "(3) cg-adopt exec old without root: refused (exit 1), nothing moved" 1 "$TI_RC"
t_error_line "(3) ... one line naming the common ancestor and what to run" \
  "$TI_STDERR" "common ancestor" "through sudo"

tag=(sleep "74.$$")
login --pam-cg-adopt --sudo "$CG_IN" exec old -- timeout "$TI_TIMEOUT" \
  lxc-attach -n old -- "${tag[@]}" >/dev/null 2>&1 &
ATTACHED=$(ti_wait_pid_by_cmdline "${tag[@]}")
if [ -n "$ATTACHED" ]; then
  ATTACHED_IN=$(awk '$1 == "NSpid:" { print $3 }' /proc/"$ATTACHED"/status)
  t_eq "(3) sudo cg-adopt exec old -- lxc-attach: in old's cgroups everywhere" \
    "$(ti_expect_by_version "$old_at" "$old_at/.lxc" :)" "$(in_cgroups "$ATTACHED_IN")"
  kill -9 "$ATTACHED"
else
  t_failed "(3) sudo cg-adopt exec old -- lxc-attach runs the command"
fi
wait
sudo_exec() {
  login --pam-cg-adopt --sudo "$CG_IN" exec old -- "$@"
}
t_eq "(3) sudo cg-adopt exec runs COMMAND as jenkins" "$JUID" "$(sudo_exec id -u)"
t_ok "(3) sudo cg-adopt exec old -- lxc-freeze" sudo_exec lxc-freeze -n old
t_eq "(3) ... FROZEN" FROZEN "$(login lxc-info -n old -sH)"
t_ok "(3) sudo cg-adopt exec old -- lxc-unfreeze" sudo_exec lxc-unfreeze -n old
t_ok "(3) sudo cg-adopt exec old -- lxc-cgroup pids.max 300" \
  sudo_exec lxc-cgroup -n old pids.max 300
t_eq "(3) ... set" 300 "$(login --pam-cg-adopt lxc-cgroup -n old pids.max)"
t_ok "(3) sudo cg-adopt exec old -- lxc-stop" sudo_exec lxc-stop -n old -t 5
t_eq "(3) ... STOPPED" STOPPED "$(login lxc-info -n old -sH)"

# The same container reached without the toolkit: plain lxc-attach from
# the PAM session.  LXC 5.0.2 reports the cgroup2 move it could not make
# and runs the command anyway; a clean lxc-stop afterwards was seen to
# hang here, so the last stop is a kill.
t_ok "(3) old starts again from the /user/$JUID.user session" login --logind lxc-start -n old
tag=(sleep "73.$$")
attach_start --pam-cg-adopt old "${tag[@]}"
if [ -n "$ATTACHED" ]; then
  out=$(in_cgroups "$ATTACHED_IN")
  t_eq "(3) plain lxc-attach from $DG/session: v1 in old's payload, cgroup2 left in the session" \
    "$(ti_expect_by_version "$old_at" "$DG/session" :)" "$out"
  kill -9 "$ATTACHED"
else
  t_failed "(3) plain lxc-attach old runs the command"
fi
wait
rc=0
login timeout 5 lxc-stop -n old -t 2 >/dev/null 2>&1 || rc=$?
t_note "(3) after that attach, 'lxc-stop -n old -t 2' under a 5 s timeout: exit $rc"
login lxc-stop -k -n old >/dev/null 2>&1

t_ok "stop the job" job_stop jenkins

# --- (4) the other ways LXC mounts cgroupfs inside ----------------------------------

# outer_restart AUTO: restart the outer container with lxc.mount.auto AUTO
# in place of the shipped include's line.
outer_restart() {
  local conf

  conf=$(ti_user_home "$HU")/.local/share/lxc/$CT/config
  ti_ct_stop "$HU" "$CT" || return 1
  sed -i '/^lxc.mount.auto/d' "$conf"
  printf 'lxc.mount.auto =\nlxc.mount.auto = %s\n' "$1" >>"$conf"
  ti_run_in ci "$HU" timeout "$TI_TIMEOUT" lxc-start -d -n "$CT" &&
    ti_as_user "$HU" timeout "$TI_TIMEOUT" lxc-wait -n "$CT" -s RUNNING
}

t_ok "(4) the outer container restarts with cgroup:mixed:force" \
  outer_restart "proc:mixed sys:mixed cgroup:mixed:force"
t_eq "(4) cgroup:mixed:force: every hierarchy is mounted inside" "$ALL" "$(cgroup_mounts)"
out=$(login --pam-cg-adopt sh -c 'lxc-start -n test -l INFO -o $HOME/m1.log &&
  grep -c "not writable, skipping" $HOME/m1.log; cat /proc/$(lxc-info -n test -pH)/cgroup')
t_eq "(4) cgroup:mixed:force: a PAM login starts test with no hierarchy skipped" \
  0 "$(head -n 1 <<<"$out")"
t_eq "(4) ... in $DG/lxc/test/lxc.payload.test everywhere (pre-start hook)" \
  "$(expect_inside "$DG/lxc/test/lxc.payload.test")" "$(tail -n +2 <<<"$out" | inside_cgroups)"
t_ok "(4) ... lxc-freeze from another login" login --pam-cg-adopt lxc-freeze -n test
t_ok "(4) ... lxc-stop from another login" \
  eval 'login --pam-cg-adopt lxc-unfreeze -n test && login --pam-cg-adopt lxc-stop -n test -t 5'

t_ok "(4) the outer container restarts with cgroup:rw (no :force)" \
  outer_restart "proc:mixed sys:mixed cgroup:rw"
t_eq "(4) cgroup:rw without :force: LXC mounts no cgroupfs (cgroup namespace)" 0 \
  "$(cgroup_mounts)"
ti_capture nt_in sh -c '"$0" delegate --user jenkins $$' "$CG_IN"
t_note "(4) cg-adopt delegate with no cgroupfs mounted: exit $TI_RC" "$TI_STDERR"
t_eq "(4) ... delegate fails (exit 1) rather than delegating nothing" 1 "$TI_RC"
t_error_line "(4) ... with one line that names the problem" "$TI_STDERR" "hierarch"
t_done
