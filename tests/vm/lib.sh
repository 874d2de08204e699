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
