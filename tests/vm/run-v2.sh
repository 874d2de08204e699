#!/bin/sh
# Boot a pure cgroup v2 guest under qemu (TCG) and run test scripts in it.
#
# The guest runs Debian's cloud kernel with cgroup_no_v1=all, cgroup2 on
# /sys/fs/cgroup with nsdelegate, every controller enabled down to
# /test.slice, and a test user 'tester' (uid 1000) with subordinate ids
# 100000-165535 and an LXC idmap. Each SCRIPT runs as root in
# /test.slice/runner.scope and ends with a line 'vm: N passed, N failed'.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
VM_BUILD=${VM_BUILD:-$top/build/vm}
QEMU=${VM_QEMU:-qemu-system-x86_64}
export VM_BUILD

EXIT_OK=0
EXIT_FAILED=1 # a guest test failed, or the bed could not be built
EXIT_NO_GUEST=2 # the guest did not come up or did not report back
EXIT_USAGE=64
EXIT_SKIP=77 # this host cannot run the VM; the reason is printed

usage() {
	cat <<-EOF
		Usage: tests/vm/run-v2.sh [options] [SCRIPT...]

		Boot a pure cgroup v2 guest (qemu TCG, Debian cloud kernel) and run
		each SCRIPT in it as root; the default is tests/vm/smoke.sh.

		Options:
		  -s, --shell        open a root shell on the console after the
		                     scripts ran (exit it to power off; Ctrl-a x
		                     quits qemu)
		  -t, --timeout SEC  give the whole run SEC seconds (default 300)
		      --no-deps      do not install missing packages, skip instead
		  -h, --help         print this help and exit

		Environment: VM_MEM (MiB, default 1024), VM_SMP (default 2),
		VM_BUILD (default build/vm), VM_APPEND (extra kernel arguments),
		VM_QEMU (default qemu-system-x86_64), VM_KERNEL_DEB (a kernel .deb
		to use instead of the one apt-get downloads).

		In the guest: the project's tests/ is at /cg-adopt/tests, its build/
		at /cg-adopt/build, and files a script leaves in \$VM_OUT come back
		to build/vm/out/.

		Exit status: $EXIT_OK all passed, $EXIT_FAILED a test failed or the bed could not
		be built, $EXIT_NO_GUEST the guest did not come up or report, $EXIT_USAGE usage,
		$EXIT_SKIP this host cannot run the VM (the reason is printed).
	EOF
}

skip() {
	echo "vm: skipped: $*"
	exit $EXIT_SKIP
}

misuse() {
	echo "run-v2.sh: $*" >&2
	echo "try 'tests/vm/run-v2.sh --help'" >&2
	exit $EXIT_USAGE
}

now() {
	date +%s.%N
}

elapsed() {
	echo "$1 $2" | awk '{ printf "%.1f", $2 - $1 }'
}

check_host() {
	rc=0
	if [ "$no_deps" -eq 0 ]; then
		sh "$here/deps.sh" || rc=$?
	fi
	[ $rc -eq 77 ] && skip "packages missing and not root (see above)"
	[ $rc -ne 0 ] && skip "cannot install the VM bed's packages (see above)"

	command -v "$QEMU" >/dev/null ||
		skip "'$QEMU' not found: run tests/vm/deps.sh as root"
	[ -x /bin/busybox ] ||
		skip "busybox-static not installed: run tests/vm/deps.sh as root"
	command -v lxc-start >/dev/null ||
		skip "lxc not installed: run tests/vm/deps.sh as root"
	return 0
}

# The per-run archive: the scripts to run and the project's own files.
stage_run() {
	stage=$run/stage
	rm -rf "$stage"
	mkdir -p "$stage/vm/tests" "$stage/cg-adopt"

	n=0
	for s in "$@"; do
		n=$((n + 1))
		dst=/vm/tests/$(printf '%02d' $n)-$(basename "$s")
		cp "$s" "$stage$dst"
		chmod 0755 "$stage$dst"
		echo "$dst" >>"$stage/vm/scripts"
	done
	cp "$here/lib.sh" "$stage/vm/lib.sh"

	cp -a "$top/tests" "$stage/cg-adopt/tests"
	if [ -d "$top/build" ]; then
		mkdir "$stage/cg-adopt/build"
		(cd "$top/build" && find . -mindepth 1 -maxdepth 1 ! -name vm \
			-exec cp -a {} "$stage/cg-adopt/build/" \;)
	fi

	(cd "$stage" && find . | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$run/run.cpio.gz"
	cat "$VM_BUILD/base.cpio.gz" "$run/run.cpio.gz" >"$run/initrd"
}

boot() {
	append="console=ttyS0 quiet panic=-1 cgroup_no_v1=all"
	append="$append vm.shell=$shell vm.timeout=$((timeout - 30))"
	[ -z "${VM_APPEND:-}" ] || append="$append $VM_APPEND"

	rm -f "$run/out.img" "$run/console.log"
	truncate -s 64M "$run/out.img"

	set -- "$QEMU" -machine pc -accel tcg,thread=multi \
		-cpu max -smp "${VM_SMP:-2}" -m "${VM_MEM:-1024}" \
		-nodefaults -no-user-config -display none -no-reboot \
		-kernel "$VM_BUILD/vmlinuz" -initrd "$run/initrd" \
		-append "$append" \
		-drive "file=$run/out.img,if=virtio,format=raw"

	if [ "$shell" -eq 1 ]; then
		"$@" -serial mon:stdio || true
		return
	fi

	"$@" -serial "file:$run/console.log" &
	qpid=$!
	# Show the guest's console as it comes; the kernel's CRs go.
	tail -n +1 -F --pid=$qpid "$run/console.log" 2>/dev/null |
		tr -d '\r' &
	tpid=$!

	waited=0
	while kill -0 $qpid 2>/dev/null && [ $waited -lt "$timeout" ]; do
		sleep 1
		waited=$((waited + 1))
	done
	if kill -0 $qpid 2>/dev/null; then
		echo "vm: the guest did not finish in ${timeout}s, stopping it"
		kill $qpid
	fi
	wait $qpid 2>/dev/null || true
	wait $tpid 2>/dev/null || true
}

# Unpack what the guest wrote onto its disk and print the summary.
report() {
	rm -rf "$VM_BUILD/out"
	mkdir -p "$VM_BUILD/out"
	if ! tar -xf "$run/out.img" -C "$VM_BUILD/out" 2>/dev/null ||
		[ ! -f "$VM_BUILD/out/result" ]; then
		echo "vm: the guest did not come up or did not report back"
		echo "vm: console log: $run/console.log"
		return $EXIT_NO_GUEST
	fi

	read -r passed failed <"$VM_BUILD/out/result"
	up=$(cat "$VM_BUILD/out/uptime-up")
	echo "vm: boot to userspace ${up}s (guest clock), whole run" \
		"$(elapsed "$t0" "$(now)")s (build $(elapsed "$t0" "$t1")s)"
	echo "vm: guest output and files in $VM_BUILD/out/"
	echo "vm: $passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] || return $EXIT_FAILED
}

main() {
	shell=0
	timeout=300
	no_deps=0
	while [ $# -gt 0 ]; do
		case $1 in
		-s | --shell) shell=1 ;;
		-t | --timeout)
			[ $# -ge 2 ] || misuse "option '$1' needs a value"
			timeout=$2
			shift
			;;
		--no-deps) no_deps=1 ;;
		-h | --help)
			usage
			exit $EXIT_OK
			;;
		--) shift; break ;;
		-*) misuse "unknown option '$1'" ;;
		*) break ;;
		esac
		shift
	done
	case $timeout in
	'' | *[!0-9]*) misuse "timeout '$timeout' is not a number of seconds" ;;
	esac
	[ "$timeout" -ge 60 ] || misuse "timeout '$timeout' is under 60 seconds"
	[ $# -gt 0 ] || set -- "$here/smoke.sh"
	for s in "$@"; do
		[ -f "$s" ] || misuse "cannot find script '$s'"
	done

	t0=$(now)
	check_host
	rc=0
	sh "$here/build-guest.sh" || rc=$?
	[ $rc -eq 77 ] && skip "cannot get the guest's kernel (see above)"
	[ $rc -ne 0 ] && exit $EXIT_FAILED

	run=$VM_BUILD/run
	mkdir -p "$run"
	stage_run "$@"
	t1=$(now)

	boot
	rc=0
	report || rc=$?
	exit $rc
}

main "$@"
