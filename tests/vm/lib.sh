# Helpers for the guest's test scripts: '. /vm/lib.sh' in the guest.
#
# A script prints one 'ok N - what' or 'not ok N - what' line per check
# and closes with vm_done, which prints 'vm: N passed, N failed' and sets
# the exit status. Lines starting with '#' are comments for the reader.
# The variables below are for the scripts that source this file.
# shellcheck disable=SC2034

CG=/sys/fs/cgroup
VM_USER=tester
VM_HOME=/home/tester
VM_OUT=${VM_OUT:-/vm/out}
vm_passed=0
vm_failed=0

ok() {
	vm_passed=$((vm_passed + 1))
	echo "ok $((vm_passed + vm_failed)) - $*"
}

not_ok() {
	vm_failed=$((vm_failed + 1))
	echo "not ok $((vm_passed + vm_failed)) - $*"
}

diag() {
	echo "# $*"
}

# check WHAT COMMAND...: one check, its output shown only when it fails.
check() {
	what=$1
	shift
	if out=$("$@" 2>&1); then
		ok "$what"
	else
		not_ok "$what"
		[ -n "$out" ] && echo "$out" | sed 's/^/#   /'
	fi
	return 0
}

vm_done() {
	echo "vm: $vm_passed passed, $vm_failed failed"
	[ "$vm_failed" -eq 0 ]
	exit
}

# vm_delegate DIR USER: create cgroup DIR and hand it to USER the way
# cgroup-v2.rst asks: the directory and the files the kernel lists in
# /sys/kernel/cgroup/delegate, never the controller files.
vm_delegate() {
	mkdir -p "$1" || return
	chown "$2:$2" "$1" || return
	for f in $(cat /sys/kernel/cgroup/delegate); do
		[ -e "$1/$f" ] && { chown "$2:$2" "$1/$f" || return; }
	done
	return 0
}

# Debian's busybox-static prefers its own applets to programs on PATH,
# in sh and in env alike: call util-linux's tools by their full path.
SETPRIV=/usr/bin/setpriv
UNSHARE=/usr/bin/unshare
NSENTER=/usr/bin/nsenter

# vm_in_cgroup DIR COMMAND...: run COMMAND moved into cgroup DIR first.
vm_in_cgroup() {
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$@"
}

# vm_as_user [-c DIR] COMMAND...: run COMMAND as the test user, with no
# PAM involved; with -c, root moves it into cgroup DIR first, the way a
# login manager places a session.
vm_as_user() {
	dir=
	if [ "$1" = -c ]; then
		dir=$2
		shift 2
	fi
	sh -c '[ -z "$0" ] || echo $$ >"$0/cgroup.procs" || exit
		exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME='"$VM_HOME"' \
			USER='"$VM_USER"' LOGNAME='"$VM_USER"' \
			'"$SETPRIV"' --reuid '"$VM_USER"' --regid '"$VM_USER"' \
			--init-groups -- "$@"' "$dir" "$@"
}

# --- helpers shared by the guest scripts -----------------------------

# Seconds any one command of a test may take, and the test's sleepers.
TMO=${TMO:-30}
sleepers=

# elapsed: the guest's clock, as a comment, to see where time goes.
elapsed() {
	diag "at $(cut -d' ' -f1 /proc/uptime)s"
}

# has_controllers FILE: FILE (a cgroup.controllers) has memory, pids, cpu.
has_controllers() {
	for c in memory pids cpu; do
		grep -qw "$c" "$1" || return 1
	done
}

# as_user DIR SCRIPT: shell SCRIPT as the test user, placed in DIR by root
# the way a login manager or a service manager places it.
as_user() {
	vm_as_user -c "$1" timeout "$TMO" sh -c "$2"
}

is_comm() {
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

# sleeper DIR: a process of the test user in DIR; its pid in $spid.
sleeper() {
	vm_user_bg "$1" "exec sleep 600"
	sleepers="$sleepers $spid"
	vm_wait_for 5 is_comm "$spid" sleep
}

kill_sleepers() {
	for p in $sleepers; do
		kill "$p" 2>/dev/null
	done
	for p in $sleepers; do
		wait "$p" 2>/dev/null
	done
	sleepers=
}

# run COMMAND...: run it, keep its exit status in $rc and its output
# (stdout and stderr) in $out.
run() {
	# Through a file, not $(...): busybox's timeout leaves a watcher that
	# holds the pipe open for up to a second after the command is done.
	"$@" >/tmp/run.out 2>&1
	rc=$?
	out=$(cat /tmp/run.out)
}

show_out() {
	diag "exit $rc, output:"
	[ -n "$out" ] && echo "$out" | sed 's/^/#     /'
}

# expect WHAT RC [ERE...]: a check on the last run: exit status RC and
# output matching every ERE.
expect() {
	what=$1
	want=$2
	shift 2
	good=1
	[ "$rc" = "$want" ] || good=0
	for re in "$@"; do
		echo "$out" | grep -Eq -- "$re" || good=0
	done
	if [ $good -eq 1 ]; then
		ok "$what"
		return 0
	fi
	not_ok "$what"
	diag "  expected exit $want$([ $# -gt 0 ] && printf ', output matching:')"
	for re in "$@"; do
		diag "    /$re/"
	done
	show_out
	return 1
}

# record WHAT: show what the last run did, as a comment for the reader.
record() {
	diag "$1:"
	show_out
}

# cgroup_of PID: the cgroup2 path of PID, as the test runner sees it.
cgroup_of() {
	sed -n 's/^0:://p' "/proc/$1/cgroup"
}

# vm_user_bg DIR SCRIPT: start shell SCRIPT in the background as the test
# user, placed in DIR by root; its pid (the shell's, every step execs) in
# $spid.  Not a function run with '&': that is a subshell, and $! would
# name it instead.
vm_user_bg() {
	sh -c 'echo $$ >"$0/cgroup.procs" && exec env -i \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME='"$VM_HOME"' \
		USER='"$VM_USER"' LOGNAME='"$VM_USER"' \
		'"$SETPRIV"' --reuid '"$VM_USER"' --regid '"$VM_USER"' \
		--init-groups -- sh -c "$1"' "$1" "$2" </dev/null >/dev/null 2>&1 &
	spid=$!
}

# vm_wait_for SECONDS COMMAND...: poll COMMAND every 0.1 s until it
# succeeds or SECONDS have passed.
vm_wait_for() {
	n=$(($1 * 10))
	shift
	while ! "$@"; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.1
	done
	return 0
}
# --- end of the helpers shared by the guest scripts ---------------------
