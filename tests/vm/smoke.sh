#!/bin/sh
# Smoke test of the pure cgroup v2 guest, run by tests/vm/run-v2.sh.
#
# As the unprivileged test user, inside a cgroup delegated to that user,
# start a real busybox LXC container, check that it gets its own
# lxc.payload.NAME cgroup with the memory, pids and cpu controllers, and
# stop it. Along the way it saves what /proc shows into $VM_OUT/fixtures/
# (tests/vm/update-fixtures.sh copies them to tests/fixtures/v2-vm/) and
# checks how nsdelegate treats a cgroup namespace.

# shellcheck source=tests/vm/lib.sh
. /vm/lib.sh

NAME=smoke
USER_CG=$CG/test.slice/user-1000
SESSION=$USER_CG/session.scope
# LXC creates its cgroups below the cgroup lxc-start runs in, and enables
# the controllers there: that fails with EBUSY while other processes (the
# session's shell) sit in it, and the payload then gets no controllers.
# So lxc-start runs in a cgroup of its own, the user's to make.
LXC_CG=$USER_CG/lxc
FIX=$VM_OUT/fixtures

mkdir -p "$FIX"

# capture FILE HOW COMMAND...: save COMMAND's output as a fixture.
capture() {
	file=$1
	how=$2
	shift 2
	if "$@" >"$FIX/$file" 2>"$FIX/$file.err"; then
		rm -f "$FIX/$file.err"
		echo "$file: $how" >>"$FIX/README"
		ok "captured $file"
	else
		not_ok "captured $file"
		sed 's/^/#   /' "$FIX/$file.err"
	fi
}

# user_sh SCRIPT: run a shell snippet as the test user in the session.
user_sh() {
	vm_as_user -c "$SESSION" sh -c "$1"
}

has_controllers() {
	for c in memory pids cpu; do
		grep -qw "$c" "$1" || {
			echo "'$1' lacks '$c': $(cat "$1")"
			return 1
		}
	done
}

check_system() {
	check "cgroup2 is mounted at $CG with nsdelegate" \
		grep -qE "^[^ ]+ [^ ]+ [^ ]+ / $CG [^ ]+ .*- cgroup2 [^ ]+ [^ ]*nsdelegate" \
		/proc/self/mountinfo
	check "no cgroup v1 hierarchy is mounted" \
		sh -c '! grep -q " - cgroup " /proc/self/mountinfo'
	check "/proc/self/cgroup has the single line of pure v2" \
		sh -c '[ "$(wc -l </proc/self/cgroup)" -eq 1 ] &&
			grep -q "^0::/" /proc/self/cgroup'
	check "memory, pids and cpu are enabled in test.slice" \
		has_controllers "$CG/test.slice/cgroup.subtree_control"
	check "the test user has subordinate uids" \
		grep -qx "$VM_USER:100000:65536" /etc/subuid
	check "the test user has subordinate gids" \
		grep -qx "$VM_USER:100000:65536" /etc/subgid
	check "newuidmap is setuid root" \
		sh -c '[ "$(stat -c "%u %a" /usr/bin/newuidmap)" = "0 4755" ]'
	if [ -d /sys/kernel/security/apparmor ]; then
		diag "AppArmor is enabled; containers run unconfined"
	else
		diag "AppArmor is absent"
	fi
}

delegate_user_cgroup() {
	check "root delegates $USER_CG to $VM_USER" \
		vm_delegate "$USER_CG" "$VM_USER"
	check "$VM_USER enables memory, pids and cpu below it" \
		vm_as_user sh -c "echo '+memory +pids +cpu' >$USER_CG/cgroup.subtree_control"
	check "root places the user's session in $SESSION" \
		vm_delegate "$SESSION" "$VM_USER"
	check "$VM_USER creates $LXC_CG" user_sh "mkdir $LXC_CG"
}

start_container() {
	check "lxc-create -t busybox as $VM_USER" \
		user_sh "lxc-create -n $NAME -t busybox -- --busybox-path /usr/bin/busybox"
	check "the rootfs belongs to the container's root (100000)" \
		sh -c "[ \"\$(stat -c %u $VM_HOME/.local/share/lxc/$NAME/rootfs)\" = 100000 ]"
	# Moving from the session to a sibling is the user's own business:
	# the common ancestor, $USER_CG, is delegated to the user.
	check "lxc-start as $VM_USER from $LXC_CG" \
		user_sh "echo \$\$ >$LXC_CG/cgroup.procs &&
			exec lxc-start -n $NAME -l INFO -o /tmp/$NAME.log"
	check "the container is RUNNING" \
		user_sh "lxc-wait -n $NAME -s RUNNING -t 30"
	pid=$(user_sh "lxc-info -n $NAME -pH")
	diag "container init is pid ${pid:-unknown}"
	[ -n "$pid" ] || {
		not_ok "lxc-info names the container's init"
		sed 's/^/#   /' "/tmp/$NAME.log"
		return 1
	}
	ok "lxc-info names the container's init"
}

check_container() {
	payload=$LXC_CG/lxc.payload.$NAME
	check "its init is in its own cgroup lxc.payload.$NAME" \
		grep -qx "0::${payload#"$CG"}" "/proc/$pid/cgroup"
	check "lxc.payload.$NAME has memory, pids and cpu" \
		has_controllers "$payload/cgroup.controllers"
	check "its init runs as uid 100000 seen from the host" \
		sh -c "grep -q '^Uid:[[:space:]]*100000[[:space:]]' /proc/$pid/status"
	monitor=$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status")
	check "its monitor (pid $monitor) is in lxc.monitor.$NAME" \
		grep -qx "0::$(dirname "${payload#"$CG"}")/lxc.monitor.$NAME" \
		"/proc/$monitor/cgroup"
	check "lxc-cgroup sets pids.max in the payload as $VM_USER" \
		user_sh "lxc-cgroup -n $NAME pids.max 64 &&
			[ \"\$(cat $payload/pids.max)\" = 64 ]"
	check "the payload's memory.current is readable" \
		sh -c "[ -n \"\$(cat $payload/memory.current)\" ]"
}

capture_host_view() {
	{
		echo "Captured by tests/vm/smoke.sh in the pure cgroup v2 guest of tests/vm/run-v2.sh (kernel $(uname -r), LXC $(lxc-start --version), cmdline: $(cat /proc/cmdline)), refreshed with tests/vm/update-fixtures.sh; INIT is pid $pid, MONITOR pid $monitor, container '$NAME' of $VM_USER (uid 1000, subuids 100000-165535). One line per file:"
	} >"$FIX/README"
	capture self-cgroup.root-runner.txt \
		"cat /proc/self/cgroup, root test runner in /test.slice/runner.scope" \
		cat /proc/self/cgroup
	capture self-cgroup.user-session.txt \
		"cat /proc/self/cgroup, $VM_USER's shell in the delegated session.scope" \
		user_sh "cat /proc/self/cgroup"
	capture self-mountinfo.txt \
		"cat /proc/self/mountinfo, root in the guest's initial namespaces" \
		cat /proc/self/mountinfo
	capture container-init-cgroup.txt \
		"cat /proc/INIT/cgroup from the guest's root, INIT the running unprivileged busybox container's init" \
		cat "/proc/$pid/cgroup"
	capture container-monitor-cgroup.txt \
		"cat /proc/MONITOR/cgroup from the guest's root, MONITOR the container init's parent" \
		cat "/proc/$monitor/cgroup"
	capture container-init-mountinfo.txt \
		"cat /proc/INIT/mountinfo: the container's own mount table (lxc.mount.auto = cgroup:mixed)" \
		cat "/proc/$pid/mountinfo"
	capture container-init-cgroup.in-cgroupns.txt \
		"nsenter -t INIT -C cat /proc/INIT/cgroup: root in the container's cgroup namespace only" \
		$NSENTER -t "$pid" -C cat "/proc/$pid/cgroup"
	capture container-init-mountinfo.in-cgroupns.txt \
		"nsenter -t INIT -C cat /proc/INIT/mountinfo: root in the container's cgroup namespace only" \
		$NSENTER -t "$pid" -C cat "/proc/$pid/mountinfo"
	capture container-attach-cgroup.txt \
		"lxc-attach -n $NAME --clear-env -- cat /proc/self/cgroup, as $VM_USER from session.scope" \
		user_sh "lxc-attach -n $NAME --clear-env -- cat /proc/self/cgroup"
	capture container-attach-mountinfo.txt \
		"lxc-attach -n $NAME --clear-env -- cat /proc/self/mountinfo, as $VM_USER from session.scope" \
		user_sh "lxc-attach -n $NAME --clear-env -- cat /proc/self/mountinfo"
	capture proc-cgroups.txt "cat /proc/cgroups with cgroup_no_v1=all" \
		cat /proc/cgroups
	capture kernel-cgroup-delegate.txt "cat /sys/kernel/cgroup/delegate" \
		cat /sys/kernel/cgroup/delegate
	capture kernel-cgroup-features.txt "cat /sys/kernel/cgroup/features" \
		cat /sys/kernel/cgroup/features
	capture root-cgroup.controllers.txt "cat /sys/fs/cgroup/cgroup.controllers" \
		cat "$CG/cgroup.controllers"
}

# In a cgroup namespace rooted at test.slice/ns-probe, the cgroups outside
# read as '/..' paths; with nsdelegate the namespace root is a delegation
# boundary even for root.
capture_cgroupns_view() {
	probe=$CG/test.slice/ns-probe
	mkdir -p "$probe"
	in_ns="vm_in_cgroup $probe $UNSHARE -C"

	capture cgroupns-self-cgroup.txt \
		"cat /proc/self/cgroup after 'unshare -C' in /test.slice/ns-probe" \
		$in_ns cat /proc/self/cgroup
	capture cgroupns-container-init-cgroup.txt \
		"cat /proc/INIT/cgroup after 'unshare -C' in /test.slice/ns-probe" \
		$in_ns cat "/proc/$pid/cgroup"
	capture cgroupns-pid1-cgroup.txt \
		"cat /proc/1/cgroup after 'unshare -C' in /test.slice/ns-probe" \
		$in_ns cat /proc/1/cgroup
	capture cgroupns-self-mountinfo.txt \
		"cat /proc/self/mountinfo after 'unshare -C' in /test.slice/ns-probe (the mount made outside)" \
		$in_ns cat /proc/self/mountinfo
	capture cgroupns-fresh-mountinfo.txt \
		"cat /proc/self/mountinfo after 'unshare -Cm' in /test.slice/ns-probe, umount and mount cgroup2 anew on /sys/fs/cgroup" \
		vm_in_cgroup "$probe" $UNSHARE -Cm sh -c \
		"umount $CG && mount -t cgroup2 cgroup2 $CG && cat /proc/self/mountinfo"

	check "nsdelegate: root cannot write pids.max of its namespace root" \
		$in_ns sh -c "! echo 10 >$probe/pids.max"
	check "nsdelegate: root cannot move a process from outside in" \
		$in_ns sh -c "! echo $pid >$probe/cgroup.procs"
	check "nsdelegate: root cannot move itself out of its namespace" \
		$in_ns sh -c "! echo \$\$ >$CG/test.slice/runner.scope/cgroup.procs"
	check "nsdelegate: root can make and use a child of its namespace root" \
		$in_ns sh -c "mkdir $probe/child && echo \$\$ >$probe/child/cgroup.procs"
	rmdir "$probe/child" "$probe" 2>/dev/null
}

stop_container() {
	check "lxc-stop as $VM_USER" user_sh "lxc-stop -n $NAME -t 10"
	check "lxc.payload.$NAME is gone after the stop" \
		sh -c "[ ! -d $LXC_CG/lxc.payload.$NAME ]"
	check "lxc-destroy as $VM_USER" user_sh "lxc-destroy -n $NAME"
	diag "left behind: $(cd "$USER_CG" && find . -mindepth 1 -type d | tr '\n' ' ')"
}

cleanup() {
	# Deepest first; the names are ours and have no spaces.
	find "$USER_CG" -depth -type d -exec rmdir {} \; 2>/dev/null
}

check_system
delegate_user_cgroup
if start_container; then
	check_container
	capture_host_view
	capture_cgroupns_view
	stop_container
fi
cleanup
vm_done
