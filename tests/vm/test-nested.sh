#!/bin/sh
# The nested setup of doc/nested.md on pure cgroup v2, run by
# tests/vm/run-v2.sh.  The guest's version of
# tests/integration/test-nested.sh, with the same parts:
#
#   the test user (tester, the issue's "ci") owns an unprivileged outer
#   container "ci" with nesting and two id ranges: its root at guest uid
#   200000, and 100000-165535 inside (guest 265536-) for the subordinate
#   ids of "jenkins", a user inside it.  It is started from a cgroup that
#   root delegated to tester.  Its root filesystem is made by
#   tests/nested/mkrootfs.sh; the guest's /usr and cg-adopt's build tree
#   come in read-only; its init (tests/nested/init.sh) runs the CI service
#   of lxc-config/nested/jenkins.conf.
#
#   (1) without the toolkit, a build's nested busybox container starts
#       without cgroups, and from a login freeze and cgroup fail and attach
#       lands outside it;
#   (2) with it (the job's 'cg-adopt delegate', the login's PAM line, the
#       hooks), the service, the logins and the nested containers share
#       /cg-adopt/user-1000, and from a fresh login lxc-stop, lxc-attach
#       (placement checked), lxc-freeze and lxc-cgroup work without root;
#   (3) a container outside that tree is reached with 'cg-adopt exec';
#   (4) the other ways LXC mounts cgroupfs inside.
#
# What differs from the hybrid host:
#   - cgroupfs inside is one cgroup2 mount, seen through the outer
#     container's cgroup namespace; 'lxc.mount.auto = cgroup:rw:force'
#     (ci.conf) mounts it;
#   - every lxc-start of the outer container runs from a fresh leaf of
#     tester's cgroup, and every lxc-attach into it from another leaf: LXC
#     enables the controllers in the cgroup it starts from, and then that
#     cgroup may hold no process (no-internal-process rule);
#   - ci-init leaves its cgroup namespace root for /init.scope, as systemd
#     does: while it sits in "/", no controller at all (not even pids,
#     once "/" has a populated child such as LXC's /.lxc) can be enabled
#     below "/", and delegate's tree gets none;
#   - a cgroup that LXC started a container from has controllers enabled
#     and may hold no process afterwards: 'cg-adopt move' takes the leaf
#     cg-adopt.leaf, and the second --logind session is 2.session;
#   - LXC mounts cgroup2 inside even for cgroup:rw without :force, so the
#     case of no cgroupfs is made with a mount namespace of its own;
#   - plain lxc-attach across trees fails outright instead of running the
#     command outside the container;
#   - busybox's sh runs its own setpriv applet, which has no --reuid, for
#     the bare name: the job and the login call /usr/bin/setpriv.

# Most single-quoted strings here are scripts run inside the outer
# container, expanded there on purpose.
# shellcheck disable=SC2016
# shellcheck source=tests/vm/lib.sh
. /vm/lib.sh

CT=ci
ROOT_ID=200000  # the outer container's root, seen from the guest
SUB_IN=100000   # jenkins' subordinate ids, seen inside the outer container
SUB_HOST=265536 # ... and from the guest
JUID=1000       # jenkins inside
NESTED=/cg-adopt/tests/nested
CFGDIR=/cg-adopt/lxc-config/nested

NEST=$CG/test.slice/nest # root's
CI=$NEST/ci              # delegated to tester
LOGIN=$CI/login          # tester's leaf for every lxc-attach into ci
LXCDIR=$VM_HOME/.local/share/lxc/$CT
PAYLOAD=$CG/no-payload   # the outer payload, set by outer_start

IN_INIT=/init.scope # where ci-init puts itself on pure cgroup2
JH=/home/jenkins
DG=/cg-adopt/user-$JUID
CG_IN=/usr/local/bin/cg-adopt

# --- the outer container ---------------------------------------------

ranges() {
	echo "--$1-subuids $ROOT_ID-$((ROOT_ID + 65535))" \
		"--$1-subgids $ROOT_ID-$((ROOT_ID + 65535))" \
		"--$1-subuids $SUB_HOST-$((SUB_HOST + 65535))" \
		"--$1-subgids $SUB_HOST-$((SUB_HOST + 65535))"
}

# outer_config ROOTFS: as test-nested.sh writes it on the host.
outer_config() {
	cat <<-CONF
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
		lxc.mount.entry = /cg-adopt/build opt/cg-adopt none ro,bind 0 0
	CONF
	for d in bin sbin lib lib64 share libexec; do
		[ -d "/usr/$d" ] &&
			echo "lxc.mount.entry = /usr/$d usr/$d none ro,bind 0 0"
	done
	return 0
}

outer_create() {
	mkdir -p "$LXCDIR" || return 1
	"$NESTED/mkrootfs.sh" "$LXCDIR/rootfs" "$ROOT_ID" "$ROOT_ID" "$JUID" \
		"$SUB_IN" || return 1
	outer_config "$LXCDIR/rootfs" >"$LXCDIR/config" || return 1
	chown "$VM_USER:" "$VM_HOME/.local" "$VM_HOME/.local/share" \
		"$VM_HOME/.local/share/lxc" "$LXCDIR" "$LXCDIR/config"
}

# outer_start LEAF: lxc-start ci as tester from the fresh leaf $CI/LEAF;
# sets PAYLOAD.
outer_start() {
	vm_delegate "$CI/$1" "$VM_USER" || return 1
	# In the foreground, so that lxc-start itself becomes the monitor and
	# leaves the leaf: a daemonizing lxc-start waits there for the start
	# to finish, and LXC's "+memory ..." in the leaf's subtree_control
	# then fails with EBUSY, leaving the container no controllers.
	vm_user_bg "$CI/$1" "exec lxc-start -F -n $CT -o $VM_HOME/$CT-$1.log -l INFO"
	monitor=$spid
	vm_as_user timeout "$TMO" lxc-wait -n "$CT" -s RUNNING -t 20 || return 1
	PAYLOAD=$CI/$1/lxc.payload.$CT
	# ci-init makes /run/ci: logins and jobs need it.
	vm_wait_for 10 nt_in test -p /run/ci/initctl
}

outer_stop() {
	vm_as_user timeout "$TMO" lxc-stop -k -n "$CT" >/dev/null 2>&1
	vm_as_user timeout "$TMO" lxc-wait -n "$CT" -s STOPPED -t 20 || return 1
	[ -z "${monitor:-}" ] || wait "$monitor"
	monitor=
}

outer_init() {
	vm_as_user lxc-info -n "$CT" -pH
}

# nt_in CMD...: CMD as the outer container's root, inside it, attached by
# tester from its leaf $LOGIN.
nt_in() {
	vm_as_user -c "$LOGIN" timeout "$TMO" lxc-attach -n "$CT" --clear-env \
		-v PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		-v SETPRIV=/usr/bin/setpriv -- "$@"
}

# job_*, nested_pid and cgroup_mounts: the init job, as both nested tests drive it.
JOB_TRIES=200
# shellcheck source=tests/nested/jobs.sh
. "$NESTED/jobs.sh"

# --- inside: logins, builds, cgroups ---------------------------------

# login [--pam-cg-adopt|--logind] [--sudo] CMD...: a fresh login of
# jenkins running CMD (tests/nested/login.sh).
login() {
	opts=
	while :; do
		case $1 in
		--pam-cg-adopt | --logind | --sudo) opts="$opts $1" ;;
		*) break ;;
		esac
		shift
	done
	# shellcheck disable=SC2086 # a list of options, split on purpose
	nt_in /usr/local/lib/ci/login $opts jenkins "$@"
}

# build NAME SCRIPT: hand SCRIPT to the CI service and wait for its end;
# its output in $out, its exit status in $rc.
build() {
	run login sh -c '
		q=$HOME/queue; n=$1
		printf "%s\n" "$2" >"$q/$n.tmp" && mv "$q/$n.tmp" "$q/$n.sh" || exit 1
		i=0
		while [ ! -e "$q/$n.rc" ]; do
			i=$((i + 1)); [ $i -lt 600 ] || { echo "build $n: no result"; exit 1; }
			sleep 0.05
		done
		cat "$q/$n.out"; exit "$(cat "$q/$n.rc")"' sh "$1" "$2"
}

# in_cgroup PID: the cgroup of PID (a pid of the outer container), seen
# inside it.
in_cgroup() {
	nt_in cat /proc/"$1"/cgroup | sed -n 's/^0:://p'
}

# nested_cgdirs NAME: the cgroups named lxc.payload.NAME inside, as paths
# seen inside.
nested_cgdirs() {
	find "$PAYLOAD" -mindepth 1 -type d -name "lxc.payload.$1" 2>/dev/null |
		sed -e "s|^$PAYLOAD||"
}

# is WHAT WANT GOT: a check that GOT is WANT.
is() {
	if [ "$2" = "$3" ]; then
		ok "$1"
		return 0
	fi
	not_ok "$1"
	diag "  expected '$2'"
	diag "  got      '$3'"
	return 1
}

# sleep_pid TAG: the guest pid of the process 'sleep TAG'.  busybox has
# no pgrep, and its grep stops at the first NUL of a command line.
sleep_pid() {
	ps -o pid,args | awk -v t="$1" '$2 == "sleep" && $3 == t && NF == 3 {
		print $1; f = 1; exit } END { exit !f }'
}

# wait_attached TAG: wait for 'sleep TAG', its guest pid in $attached.
wait_attached() {
	attached=
	vm_wait_for 10 sleep_pid "$1" >/dev/null && attached=$(sleep_pid "$1")
}

# attach_start [--pam-cg-adopt] NAME TAG: lxc-attach -n NAME -- sleep TAG
# from a login in the background; the attached sleep's guest pid in
# $attached (empty when it did not come).
attach_start() {
	mode=
	[ "$1" = --pam-cg-adopt ] && { mode=$1; shift; }
	# shellcheck disable=SC2086 # empty or one option
	login $mode timeout "$TMO" lxc-attach -n "$1" -- sleep "$2" \
		>/tmp/attach.out 2>&1 &
	bg=$!
	wait_attached "$2"
}

# attach_end: kill the attached sleep, wait for the login that ran it.
attach_end() {
	[ -n "$attached" ] && kill -9 "$attached"
	wait "$bg"
}

# attached_in WHAT WANT: a check that the attached sleep is in WANT (a
# path seen inside the outer container).
attached_in() {
	if [ -z "$attached" ]; then
		not_ok "$1 (the attached command did not run)"
		sed 's/^/#     /' /tmp/attach.out
		return 1
	fi
	is "$1" "$2" "$(cgroup_of "$attached" | sed -e "s|^${PAYLOAD#"$CG"}||" -e 's|^$|/|')"
}

# error_line WHAT TEXT ERE...: TEXT is one line 'cg-adopt: ...' matching
# every ERE.
error_line() {
	what=$1
	text=$2
	shift 2
	good=1
	[ "$(printf '%s\n' "$text" | wc -l)" -eq 1 ] || good=0
	case $text in "cg-adopt: "*) ;; *) good=0 ;; esac
	for re in "$@"; do
		printf '%s\n' "$text" | grep -Eq -- "$re" || good=0
	done
	if [ $good -eq 1 ]; then
		ok "$what"
	else
		not_ok "$what"
		printf '%s\n' "$text" | sed 's/^/#     /'
	fi
}

skipping() {
	printf '%s\n' "$1" | grep -c 'not writable, skipping'
}

# --- setup -----------------------------------------------------------

setup() {
	elapsed
	# shellcheck disable=SC2046 # options, split on purpose
	check "give $VM_USER the subordinate ids $ROOT_ID+65536 and $SUB_HOST+65536" \
		usermod $(ranges add) "$VM_USER"
	mkdir -p "$NEST"
	for c in $(cat "$NEST/cgroup.controllers"); do
		echo "+$c" >"$NEST/cgroup.subtree_control"
	done
	check "root delegates ${CI#"$CG"} to $VM_USER" vm_delegate "$CI" "$VM_USER"
	# What a delegating service manager does: the delegated cgroup offers
	# its controllers to its children.
	for c in $(cat "$CI/cgroup.controllers"); do
		echo "+$c" >"$CI/cgroup.subtree_control"
	done
	vm_delegate "$LOGIN" "$VM_USER"
	run outer_create
	expect "build the outer root filesystem (tests/nested/mkrootfs.sh)" 0 ||
		return 1
	if outer_start s1; then
		ok "outer container $CT starts as $VM_USER from ${CI#"$CG"}/s1"
	else
		not_ok "outer container $CT starts as $VM_USER from ${CI#"$CG"}/s1"
		grep -E 'ERROR|WARN' "$VM_HOME/$CT-s1.log" | sed 's/^/#     /'
		return 1
	fi
	elapsed
	init=$(outer_init)
	is "outer init is in ${PAYLOAD#"$CG"}$IN_INIT (ci-init left the namespace root)" \
		"${PAYLOAD#"$CG"}$IN_INIT" "$(cgroup_of "$init")" || return 1
	check "... and the payload has memory, pids and cpu" \
		has_controllers "$PAYLOAD/cgroup.controllers"
	run nt_in grep -c ' - cgroup2 ' /proc/self/mountinfo
	expect "inside: one cgroup2 mount (cgroup:rw:force), no v1" 0 '^1$'
	run nt_in cat /proc/self/cgroup
	expect "inside: the outer container's cgroup namespace root is its payload" \
		0 '^0::/(\.lxc[^/]*)?$'
	record "cat /proc/self/cgroup, attached"
}

# --- the service job, lxc-create, where liblxc keeps its locks --------

prepare() {
	elapsed
	check "the CI service job and ci-service are in place" \
		eval 'job_install jenkins-plain plain && job_install jenkins'
	run login sh -c 'for n in test old; do lxc-create -n $n -t busybox -- \
		--busybox-path /usr/bin/busybox >/dev/null || exit; done'
	expect "jenkins creates the nested containers test and old (lxc-create -t busybox)" 0
	run login find "$JH/.cache" -path '*lock*' -type d
	record "lock directories of jenkins"
	expect "lxc-create made its lock directory below ~/.cache/lxc/run (no XDG_RUNTIME_DIR)" \
		0 "^$JH/.cache/lxc/run/lxc/lock$JH/.local/share/lxc\$"
	run nt_in env -i PATH=/usr/bin:/bin /usr/bin/setpriv --reuid jenkins \
		--regid jenkins --init-groups \
		lxc-create -P "$JH/.local/share/lxc" -n nohome -t busybox
	expect "lxc-create -P ... as jenkins without HOME fails: 'Failed to create lock for nohome'" \
		1 'Failed to create lock for nohome'
	run nt_in env -i PATH=/usr/bin:/bin /usr/bin/setpriv --reuid jenkins \
		--regid jenkins --init-groups lxc-create -n nohome -t busybox
	expect "... without HOME and -P it fails on /.local: the lxcpath falls back to /" \
		1 '/\.local'
}

# --- (1) the original setup: no cg-adopt in the job, none at login -----

without() {
	elapsed
	check "(1) the job without cg-adopt starts the service" job_start jenkins-plain
	svc=$(job_pid jenkins-plain)
	is "(1) the service runs in init's cgroup, $IN_INIT" "$IN_INIT" "$(in_cgroup "$svc")"
	build b1 'lxc-start -n test -l INFO -o $HOME/b1.log &&
		lxc-wait -n test -s RUNNING -t 10 && cat $HOME/b1.log'
	expect "(1) the build starts nested container test from the service" 0
	is "(1) ... without cgroups: the unified hierarchy is 'not writable, skipping'" \
		1 "$(skipping "$out")"
	is "(1) ... no lxc.payload.test cgroup exists" "" "$(nested_cgdirs test)"
	init_t=$(nested_pid test)
	is "(1) ... its init sits in the service's cgroup" "$IN_INIT" "$(in_cgroup "$init_t")"

	run login "$CG_IN" doctor test
	record "(1) cg-adopt doctor test, from a login"
	expect "(1) cg-adopt doctor inside sees the fault (exit 1)" 1
	run login lxc-freeze -n test
	check "(1) login: lxc-freeze test fails" [ "$rc" -ne 0 ]
	run login lxc-cgroup -n test pids.max
	check "(1) login: lxc-cgroup test pids.max fails" [ "$rc" -ne 0 ]
	attach_start test "71.$$"
	attached_in "(1) login: lxc-attach leaves the command in the login's cgroup" "$IN_INIT"
	attach_end
	run login lxc-stop -n test -t 5
	expect "(1) login: lxc-stop test works (the command socket needs no cgroup)" 0

	run login sh -c 'lxc-start -n test -l INFO -o $HOME/l1.log &&
		cat $HOME/l1.log; lxc-stop -k -n test'
	is "(1) login: lxc-start gets no cgroups either" 1 "$(skipping "$out")"
	check "(1) stop the job" job_stop jenkins-plain
}

# --- (2) with the toolkit: the job's delegate, PAM's delegate, the hooks

with() {
	elapsed
	check "(2) the shipped job (with cg-adopt delegate) starts the service" \
		job_start jenkins
	svc=$(job_pid jenkins)
	is "(2) the service runs in $DG/service" "$DG/service" "$(in_cgroup "$svc")"
	is "(2) $DG belongs to jenkins (seen from the guest)" $((ROOT_ID + JUID)) \
		"$(stat -c %u "$PAYLOAD$DG")"
	diag "(2) $DG offers: $(cat "$PAYLOAD$DG/cgroup.controllers")"
	check "(2) ... with memory, pids and cpu" \
		has_controllers "$PAYLOAD$DG/cgroup.controllers"

	run login --pam-cg-adopt cat /proc/self/cgroup
	expect "(2) a fresh login with the PAM line is in $DG/session" 0 \
		"^0::$DG/session\$"

	check "(2) the nested container test gets the cg-adopt hooks" \
		login sh -c 'echo "lxc.include = /usr/local/share/cg-adopt/cg-adopt.conf" \
			>>$HOME/.local/share/lxc/test/config'
	build b2 'lxc-start -n test -l INFO -o $HOME/b2.log &&
		lxc-wait -n test -s RUNNING -t 10 && cat $HOME/b2.log'
	expect "(2) the build starts test from the service" 0
	is "(2) ... and the unified hierarchy was not skipped" 0 "$(skipping "$out")"
	init_t=$(nested_pid test)
	is "(2) ... its init is in $DG/lxc/test/lxc.payload.test" \
		"$DG/lxc/test/lxc.payload.test" "$(in_cgroup "$init_t")"
	check "(2) ... its payload has memory, pids and cpu" \
		has_controllers "$PAYLOAD$DG/lxc/test/lxc.payload.test/cgroup.controllers"

	run login --pam-cg-adopt lxc-freeze -n test
	expect "(2) login: lxc-freeze test" 0
	run login lxc-info -n test -sH
	expect "(2) ... it is FROZEN" 0 '^FROZEN$'
	run login --pam-cg-adopt lxc-unfreeze -n test
	expect "(2) login: lxc-unfreeze test" 0
	run login --pam-cg-adopt sh -c 'lxc-cgroup -n test pids.max 500 &&
		lxc-cgroup -n test pids.max'
	expect "(2) login: lxc-cgroup test pids.max 500, and reads it back" 0 '^500$'

	attach_start --pam-cg-adopt test "72.$$"
	attached_in "(2) login: lxc-attach lands in test's payload/.lxc" \
		"$DG/lxc/test/lxc.payload.test/.lxc"
	attach_end

	run login --pam-cg-adopt "$CG_IN" show test --json
	expect "(2) cg-adopt show inside: the login may enter test's root" 0 \
		'"caller_can_enter":true'
	run login --pam-cg-adopt "$CG_IN" doctor test
	expect "(2) cg-adopt doctor inside: every check passes" 0
	run login --pam-cg-adopt sh -c '"$0" move test && cat /proc/$$/cgroup' "$CG_IN"
	# On cgroup2 test's root has domain controllers for its children, so
	# may hold no process: move takes its leaf.
	expect "(2) cg-adopt move test inside: the login shell is in test's root (its leaf cg-adopt.leaf)" \
		0 "^0::$DG/lxc/test/cg-adopt.leaf\$"
	run login --pam-cg-adopt --sudo "$CG_IN" chown test
	expect "(2) sudo cg-adopt chown test inside (root of the outer container for jenkins)" 0
	run login --pam-cg-adopt lxc-stop -n test -t 5
	expect "(2) login: lxc-stop test" 0
	run login lxc-info -n test -sH
	expect "(2) ... STOPPED" 0 '^STOPPED$'
	check "(2) ... and nothing of test is left (post-stop hook)" \
		vm_wait_for 3 sh -c '[ -z "$(find '"$PAYLOAD"' -name lxc.payload.test)" ]'

	run login --pam-cg-adopt sh -c 'lxc-start -n old -l INFO -o $HOME/l2.log &&
		cat $HOME/l2.log; cat /proc/$(lxc-info -n old -pH)/cgroup;
		lxc-stop -k -n old'
	is "(2) a fresh login starts a container (no hook) with cgroups" 0 \
		"$(skipping "$out")"
	is "(2) ... below its session leaf" "0::$DG/session/lxc.payload.old" \
		"$(printf '%s\n' "$out" | grep '^0::')"

	run login --pam-cg-adopt "$CG_IN" clean --all-stopped
	expect "(2) cg-adopt clean --all-stopped inside, from a login" 0
	is "(2) ... no lxc.* cgroup is left below $DG" "" \
		"$(find "$PAYLOAD$DG" -name 'lxc.*' -type d)"
}

# --- (3) a container outside the tree: cg-adopt exec -----------------

outside() {
	elapsed
	old_at=/user/$JUID.user/1.session/lxc.payload.old
	run login --logind lxc-start -n old
	expect "(3) a login whose session is elsewhere (/user/$JUID.user) starts old" 0
	init_o=$(nested_pid old)
	is "(3) ... old's init is in $old_at" "$old_at" "$(in_cgroup "$init_o")"

	run login --pam-cg-adopt lxc-freeze -n old
	expect "(3) plain lxc-freeze old from $DG/session works (the monitor freezes)" 0
	run login --pam-cg-adopt lxc-unfreeze -n old
	expect "(3) plain lxc-unfreeze old from $DG/session works" 0

	# run merges the streams; this check wants stderr alone.
	login --pam-cg-adopt "$CG_IN" exec old -- lxc-stop -n old \
		>/dev/null 2>/tmp/exec.err
	rc=$?
	is "(3) cg-adopt exec old without root: refused (exit 1)" 1 "$rc"
	error_line "(3) ... one line naming the common ancestor and what to run" \
		"$(cat /tmp/exec.err)" "common ancestor" "through sudo"

	login --pam-cg-adopt --sudo "$CG_IN" exec old -- timeout "$TMO" \
		lxc-attach -n old -- sleep "74.$$" >/tmp/attach.out 2>&1 &
	bg=$!
	wait_attached "74.$$"
	attached_in "(3) sudo cg-adopt exec old -- lxc-attach: in old's payload/.lxc" \
		"$old_at/.lxc"
	attach_end

	run login --pam-cg-adopt --sudo "$CG_IN" exec old -- id -u
	expect "(3) sudo cg-adopt exec runs COMMAND as jenkins" 0 "^$JUID\$"
	run login --pam-cg-adopt --sudo "$CG_IN" exec old -- lxc-freeze -n old
	expect "(3) sudo cg-adopt exec old -- lxc-freeze" 0
	run login lxc-info -n old -sH
	expect "(3) ... FROZEN" 0 '^FROZEN$'
	run login --pam-cg-adopt --sudo "$CG_IN" exec old -- lxc-unfreeze -n old
	expect "(3) sudo cg-adopt exec old -- lxc-unfreeze" 0
	run login --pam-cg-adopt --sudo "$CG_IN" exec old -- \
		lxc-cgroup -n old pids.max 300
	expect "(3) sudo cg-adopt exec old -- lxc-cgroup pids.max 300" 0
	run login --pam-cg-adopt lxc-cgroup -n old pids.max
	expect "(3) ... set" 0 '^300$'
	run login --pam-cg-adopt --sudo "$CG_IN" exec old -- lxc-stop -n old -t 5
	expect "(3) sudo cg-adopt exec old -- lxc-stop" 0
	run login lxc-info -n old -sH
	expect "(3) ... STOPPED" 0 '^STOPPED$'

	# A second session of its own: LXC left controllers enabled in the
	# first, which therefore may hold no process any more.
	run nt_in env CI_SESSION=2 /usr/local/lib/ci/login --logind jenkins \
		lxc-start -n old
	expect "(3) old starts again from a second /user/$JUID.user session" 0

	# Without the toolkit: plain lxc-attach from the PAM session.  On the
	# hybrid host LXC 5.0.2 reports the cgroup2 move it could not make
	# and runs the command anyway; on pure cgroup2 the failed move ends
	# the attach.
	run login --pam-cg-adopt timeout "$TMO" lxc-attach -n old -- echo attached
	check "(3) plain lxc-attach from $DG/session is refused: the cgroup2 move fails" \
		sh -c '[ "$0" -ne 0 ] &&
			printf "%s\n" "$1" | grep -q "Failed to move process into target cgroup" &&
			! printf "%s\n" "$1" | grep -qx attached' "$rc" "$out"
	record "plain lxc-attach old from $DG/session"
	run login timeout 10 lxc-stop -n old -t 2
	expect "(3) ... and a clean lxc-stop of old works after it (no hang, unlike the host's half-done attach)" 0
	login lxc-stop -k -n old >/dev/null 2>&1

	check "stop the job" job_stop jenkins
}

# --- (4) the other ways LXC mounts cgroupfs inside -------------------

# outer_restart LEAF AUTO: restart ci from $CI/LEAF with lxc.mount.auto
# AUTO in place of the shipped include's line.
outer_restart() {
	outer_stop || return 1
	sed -i '/^lxc.mount.auto/d' "$LXCDIR/config"
	printf 'lxc.mount.auto =\nlxc.mount.auto = %s\n' "$2" >>"$LXCDIR/config"
	outer_start "$1"
}

restarted() {
	if outer_restart "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1"
		grep -E 'ERROR|WARN' "$VM_HOME/$CT-$2.log" | sed 's/^/#     /'
	fi
}

mounts() {
	elapsed
	# Not through check: outer_restart sets PAYLOAD and monitor here.
	restarted "(4) the outer container restarts with cgroup:mixed:force" \
		s2 "proc:mixed sys:mixed cgroup:mixed:force"
	is "(4) cgroup:mixed:force: cgroup2 is mounted inside" 1 "$(cgroup_mounts)"
	run login --pam-cg-adopt sh -c 'lxc-start -n test -l INFO -o $HOME/m1.log &&
		cat $HOME/m1.log; cat /proc/$(lxc-info -n test -pH)/cgroup'
	is "(4) cgroup:mixed:force: a PAM login starts test, unified not skipped" \
		0 "$(skipping "$out")"
	is "(4) ... in $DG/lxc/test/lxc.payload.test (pre-start hook)" \
		"0::$DG/lxc/test/lxc.payload.test" "$(printf '%s\n' "$out" | grep '^0::')"
	run login --pam-cg-adopt lxc-freeze -n test
	expect "(4) ... lxc-freeze from another login" 0
	run login --pam-cg-adopt sh -c 'lxc-unfreeze -n test && lxc-stop -n test -t 5'
	expect "(4) ... lxc-stop from another login" 0

	# On the hybrid host LXC 5.0.2 mounts no cgroupfs for cgroup:rw in a
	# cgroup namespace; on a pure cgroup2 layout it mounts cgroup2 anyway.
	restarted "(4) the outer container restarts with cgroup:rw (no :force)" \
		s3 "proc:mixed sys:mixed cgroup:rw"
	is "(4) cgroup:rw without :force: LXC mounts cgroup2 all the same (pure v2)" \
		1 "$(cgroup_mounts)"

	# So the case of no cgroupfs at all is made by hand: a mount namespace
	# of its own inside, with /sys/fs/cgroup unmounted.
	nt_in "$UNSHARE" -m sh -c 'umount /sys/fs/cgroup &&
		exec "$0" delegate --user jenkins $$' "$CG_IN" \
		>/dev/null 2>/tmp/delegate.err
	rc=$?
	diag "(4) cg-adopt delegate with no cgroupfs mounted: exit $rc: $(cat /tmp/delegate.err)"
	is "(4) ... delegate fails (exit 1) rather than delegating nothing" 1 "$rc"
	error_line "(4) ... with one line that names the problem" \
		"$(cat /tmp/delegate.err)" "hierarch"
}

# ids_left: the processes of the outer container's two ranges (nested
# containers included).
ids_left() {
	ps -o pid,user | awk -v a=$ROOT_ID -v b=$SUB_HOST '$2 ~ /^[0-9]+$/ &&
		(($2 >= a && $2 < a + 65536) || ($2 >= b && $2 < b + 65536)) {
			print $1 }'
}

cleanup() {
	elapsed
	outer_stop >/dev/null 2>&1
	for _ in 1 2 3; do
		pids=$(ids_left)
		[ -n "$pids" ] || break
		# shellcheck disable=SC2086 # a list of pids
		kill -9 $pids 2>/dev/null
		sleep 0.2
	done
	find "$NEST" -depth -type d -exec rmdir {} \; 2>/dev/null
	rm -rf "$LXCDIR"
	# usermod refuses while the user has processes, and busybox's timeout
	# leaves its watcher for up to a second after the command.
	vm_wait_for 3 sh -c "! ps -o user | grep -qx ' *$VM_USER *'"
	# shellcheck disable=SC2046 # options, split on purpose
	usermod $(ranges del) "$VM_USER"
	left="$(find "$NEST" -type d 2>/dev/null)$(grep "^$VM_USER:$ROOT_ID:" /etc/subuid)"
	left="$left$(ids_left | while read -r p; do ps -o pid,user,args | awk -v p="$p" '$1 == p'; done)"
	is "cleanup leaves no cgroup, subordinate range or process behind" "" "$left"
}

if setup; then
	prepare
	without
	with
	outside
	mounts
fi
cleanup
elapsed
vm_done
