#!/bin/sh
# cg-adopt's lifecycle on pure cgroup v2, run by tests/vm/run-v2.sh:
# delegate, the four hooks and clean, with memory, pids and cpu enabled
# all the way down, so that the no-internal-process rule is in force.
#
#   /test.slice/lc            root's, controllers enabled for its children
#   /test.slice/lc/nocg       root's leaf: a login before anything delegated
#   /test.slice/lc/foreign    a leaf of the test user's outside its tree
#   /test.slice/lc/u          what 'cg-adopt delegate' makes for the user,
#                             with the leaves service/ and session/ and the
#                             hooks' lxc/
#
#   1 delegate  from nocg the container gets no cgroups; after delegate it
#               gets lxc.payload.NAME with memory, pids and cpu; a second
#               delegate changes nothing
#   2 hooks     without them, containers of the service and of the session
#               land in two places; with them, both in u/lxc (a fresh
#               base u/lxc/NAME each), and each side
#               reaches the other's container without root; after a stop
#               nothing is left
#   4 refusal   a refused exec from the foreign leaf leaves no cg-adopt.leaf
#   3 clean     after kill -9 of a monitor, clean removes the leftovers;
#               with a straggler it refuses, and clean --kill kills it
#
# Each part first shows what fails without cg-adopt.  A check that fails
# because cg-adopt lacks something stays in and fails; the '#' lines under
# it show the command's exit status and output.

# shellcheck source=tests/vm/lib.sh
. /vm/lib.sh

CGA=/cg-adopt/build/cg-adopt
HOOKS=/cg-adopt/build/hooks
T=$CG/test.slice
CTRL='+memory +pids +cpu'
LXCPATH=$VM_HOME/.local/share/lxc
HOOK_CONF=$VM_HOME/cg-adopt.conf

LC=$T/lc
NOCG=$LC/nocg
FOREIGN=$LC/foreign
U=$LC/u
U_REL=${U#"$CG"}
SVC=$U/service
SESS=$U/session
U_LXC=$U/lxc

state() {
	vm_as_user timeout 10 lxc-info -n "$1" -sH 2>&1
}

is_state() {
	[ "$(state "$1")" = "$2" ]
}

# lxc_left [DIR]: every lxc.payload.*, lxc.monitor.* and lxc.pivot below
# DIR (default the whole test tree), one per line.
lxc_left() {
	find "${1:-$LC}" -type d \( -name 'lxc.payload.*' -o \
		-name 'lxc.monitor.*' -o -name lxc.pivot \) 2>/dev/null |
		sed "s|^$CG||" | sort
}

nothing_left() {
	[ -z "$(lxc_left)" ]
}

# remove_left: root removes what a run without the hooks left, so that
# the next run's leftovers are its own.  LXC also enabled the controllers
# in the leaf it started from (for its lxc.payload and lxc.monitor), which
# stay, and then the leaf may hold no process: that goes too.
remove_left() {
	lxc_left | sort -r | while read -r d; do
		rmdir "$CG$d" 2>/dev/null
	done
	clear_leaves
}

clear_leaves() {
	for d in "$SVC" "$SESS"; do
		[ -d "$d" ] || continue
		sc=$(cat "$d/cgroup.subtree_control")
		[ -z "$sc" ] && continue
		diag "LXC left '$sc' in ${d#"$CG"}/cgroup.subtree_control: root clears it"
		for c in $sc; do
			echo "-$c" >"$d/cgroup.subtree_control"
		done
	done
}

# hooks_on NAME, hooks_off NAME: only the include line of the hooks; the
# config's other includes (/etc/lxc/default.conf) stay.
hooks_on() {
	grep -qF "lxc.include = $HOOK_CONF" "$LXCPATH/$1/config" ||
		echo "lxc.include = $HOOK_CONF" >>"$LXCPATH/$1/config"
}

hooks_off() {
	sed -i "\\|^lxc.include = $HOOK_CONF\$|d" "$LXCPATH/$1/config"
}

# start NAME DIR: lxc-start NAME as the test user from cgroup DIR with a
# DEBUG log (the only level at which LXC shows a hook's output); the
# start's status in $rc, the log in $log.
start() {
	log=$VM_HOME/$1.log
	rm -f "$log"
	run vm_as_user -c "$2" timeout "$TMO" lxc-start -n "$1" -l DEBUG -o "$log"
	save_log "$1"
}

# save_log NAME: keep a copy of the last log in $VM_OUT/logs/.
save_log() {
	nlog=$((${nlog:-0} + 1))
	mkdir -p "$VM_OUT/logs"
	cp "$log" "$VM_OUT/logs/$nlog-$1.log" 2>/dev/null
}

# started WHAT NAME: a check that the last start worked and NAME runs;
# leaves its init in $init, its monitor in $mon and its payload in
# $payload.
started() {
	init=
	mon=
	payload=$CG/no-payload
	if [ "$rc" -ne 0 ] || ! vm_as_user lxc-wait -n "$2" -s RUNNING -t 20 \
		>/dev/null 2>&1; then
		not_ok "$1"
		show_out
		hook_lines
		return 1
	fi
	init=$(vm_as_user lxc-info -n "$2" -pH)
	mon=$(awk '/^PPid:/ { print $2 }' "/proc/$init/status")
	payload=$CG$(cgroup_of "$init")
	ok "$1 (init $init in $(cgroup_of "$init"))"
}

# hook_lines: what cg-adopt's hooks said in the last start's log.
hook_lines() {
	grep -F 'cg-adopt' "$log" | sed 's/.*produced output: //; s/^/#     /'
}

# stop NAME: stop it, whatever its state, and say so when it would not.
stop() {
	is_state "$1" STOPPED && return 0
	is_state "$1" FROZEN && vm_as_user timeout 10 lxc-unfreeze -n "$1"
	run vm_as_user timeout 20 lxc-stop -n "$1" -k
	[ "$rc" -eq 0 ] || record "lxc-stop -n $1 -k"
}

# snapshot DIR...: owners, modes and controllers of DIR and its
# delegatable files, and DIR's children, to compare two runs.
snapshot() {
	for d in "$@"; do
		stat -c '%n %u:%g %a' "$d"
		for f in $(cat /sys/kernel/cgroup/delegate); do
			[ -e "$d/$f" ] && stat -c '%n %u:%g %a' "$d/$f"
		done
		echo "$d subtree_control: $(cat "$d/cgroup.subtree_control")"
		echo "$d procs: $(tr '\n' ' ' <"$d/cgroup.procs")"
		echo "$d children: $(cd "$d" && find . -mindepth 1 -maxdepth 1 -type d | sort | tr '\n' ' ')"
	done
}

# --- setup -----------------------------------------------------------

setup() {
	for n in c1 c2; do
		check "lxc-create -n $n -t busybox as $VM_USER" vm_as_user sh -c \
			"lxc-create -n $n -t busybox -- --busybox-path /usr/bin/busybox"
	done
	mkdir -p "$LC" && echo "$CTRL" >"$LC/cgroup.subtree_control" &&
		mkdir "$NOCG"
	check "root's ${LC#"$CG"} has memory, pids, cpu for its children" \
		has_controllers "$LC/cgroup.subtree_control"
	cat >"$HOOK_CONF" <<-EOF
		lxc.hook.pre-start = $HOOKS/pre-start --root $U_REL
		lxc.hook.start-host = $HOOKS/start-host
		lxc.hook.stop = $HOOKS/stop
		lxc.hook.post-stop = $HOOKS/post-stop --root $U_REL
	EOF
	chown "$VM_USER:$VM_USER" "$HOOK_CONF"
}

# --- 1: delegate -----------------------------------------------------

delegate() {
	elapsed
	diag "part 1: delegate"
	hooks_off c1
	start c1 "$NOCG"
	started "without delegation, c1 starts from root's ${NOCG#"$CG"}" c1
	check "... without cgroups: its init stays in nocg" \
		[ "$(cgroup_of "$init")" = "${NOCG#"$CG"}" ]
	check "... and LXC only said so at INFO (not writable, skipping)" \
		grep -q 'INFO.*not writable, skipping' "$log"
	run vm_as_user timeout 10 lxc-cgroup -n c1 pids.current
	expect "... lxc-cgroup -n c1 pids.current fails" 1
	stop c1
	check "... no lxc.* cgroup was made" nothing_left

	# The hook turns the silent start into a failure with the way out.
	hooks_on c1
	start c1 "$NOCG"
	expect "with the pre-start hook and nothing delegated, lxc-start fails" 1
	msg="cg-adopt pre-start: cannot start 'c1': no hierarchy is delegated"
	check "... the hook's message in the DEBUG log names the delegate to run" \
		grep -q "$msg.*cg-adopt delegate --user 1000 --cgroup $U_REL" "$log"
	hook_lines
	check "... c1 is STOPPED" is_state c1 STOPPED
	check "... no lxc.* cgroup was made" nothing_left
	hooks_off c1

	# A service waiting in nocg: root delegates and moves it to the leaf
	# service/, then lets it start c1.
	mkfifo /tmp/go
	chmod 666 /tmp/go
	rm -f "$VM_HOME/c1.log"
	vm_user_bg "$NOCG" "read go </tmp/go; exec lxc-start -n c1 -l DEBUG -o $VM_HOME/c1.log"
	svc_pid=$spid
	vm_wait_for 5 is_comm "$svc_pid" sh
	run "$CGA" delegate --user "$VM_USER" --cgroup "$U_REL" --leaf service "$svc_pid"
	expect "cg-adopt delegate --user $VM_USER --cgroup $U_REL --leaf service PID" 0
	[ -n "$out" ] && record "cg-adopt delegate"
	check "... the pid is in ${SVC#"$CG"}" \
		[ "$(cgroup_of "$svc_pid")" = "${SVC#"$CG"}" ]
	check "... u/ is $VM_USER's, with its delegatable files" sh -c "
		[ \"\$(stat -c %u $U)\" = 1000 ] || exit
		for f in \$(cat /sys/kernel/cgroup/delegate); do
			[ ! -e $U/\$f ] || [ \"\$(stat -c %u $U/\$f)\" = 1000 ] ||
				{ echo \"\$f\"; exit 1; }
		done"
	check "... its controller files stay root's (memory.max)" \
		[ "$(stat -c %u "$U/memory.max")" = 0 ]
	check "... u/ has memory, pids, cpu enabled for its children" \
		has_controllers "$U/cgroup.subtree_control"
	check "... service/ is $VM_USER's" [ "$(stat -c %u "$SVC/cgroup.procs")" = 1000 ]

	echo go >/tmp/go
	wait "$svc_pid"
	rc=$?
	out=
	log=$VM_HOME/c1.log
	save_log c1
	started "after delegate, the service starts c1 from service/" c1
	check "... the payload is ${SVC#"$CG"}/lxc.payload.c1" \
		[ "$payload" = "$SVC/lxc.payload.c1" ]
	check "... with memory, pids and cpu" \
		has_controllers "$payload/cgroup.controllers"
	run vm_as_user timeout 10 lxc-cgroup -n c1 pids.current
	expect "... lxc-cgroup -n c1 pids.current works" 0 '^[0-9]+$'
	stop c1
	remove_left

	sleeper "$SVC"
	before=$(snapshot "$LC" "$U" "$SVC")
	run "$CGA" delegate --user "$VM_USER" --cgroup "$U_REL" --leaf service "$spid"
	expect "delegate a second time, the pid already in service/: exit 0" 0
	after=$(snapshot "$LC" "$U" "$SVC")
	if [ "$before" = "$after" ]; then
		ok "... and it changed nothing"
	else
		not_ok "... and it changed nothing"
		echo "$before" >/tmp/snap.before
		echo "$after" >/tmp/snap.after
		diff /tmp/snap.before /tmp/snap.after | sed 's/^/#   /'
	fi
	kill_sleepers
}

# --- 2: the hooks ----------------------------------------------------

# start_pair WHAT: c1 from the service, c2 from the session; their
# payloads in $p1 and $p2.
start_pair() {
	start c1 "$SVC"
	started "$1: c1 starts from the service leaf" c1
	p1=$payload
	start c2 "$SESS"
	started "$1: c2 starts from the session leaf" c2
	p2=$payload
	diag "$1: c1 in ${p1#"$CG"}, c2 in ${p2#"$CG"}"
}

# start_hooked NAME DIR WHAT: start NAME from DIR with the hooks, and
# check that it lands in u/lxc with memory, pids and cpu.
start_hooked() {
	start "$1" "$2"
	started "hooks: $1 starts from the $3 leaf" "$1" || return 1
	check "hooks: ... its payload is ${U_LXC#"$CG"}/$1/lxc.payload.$1" \
		[ "$payload" = "$U_LXC/$1/lxc.payload.$1" ]
	check "hooks: ... its monitor is in ${U_LXC#"$CG"}/$1/lxc.monitor.$1" \
		[ "$(cgroup_of "$mon")" = "${U_LXC#"$CG"}/$1/lxc.monitor.$1" ]
	check "hooks: ... the payload has memory, pids and cpu" \
		has_controllers "$payload/cgroup.controllers"
}

hooks() {
	elapsed
	diag "part 2: the hooks"
	sleeper "$NOCG"
	session=$spid
	run "$CGA" delegate --user "$VM_USER" --cgroup "$U_REL" --leaf session "$session"
	expect "delegate --leaf session moves the login's shell into ${SESS#"$CG"}" 0
	check "... it is there" [ "$(cgroup_of "$session")" = "${SESS#"$CG"}" ]

	hooks_off c1
	hooks_off c2
	start_pair "no hooks"
	check "no hooks: c1 lands below service/, c2 below session/: two places" \
		[ "$p1 $p2" = "$SVC/lxc.payload.c1 $SESS/lxc.payload.c2" ]
	# LXC enables the controllers in the cgroup it starts from; the
	# login's shell in session/ makes that EBUSY.
	check "no hooks: c2's payload has no memory controller (session/ holds the login's shell)" \
		sh -c "! grep -qw memory $p2/cgroup.controllers"
	stop c1
	stop c2
	sleep 0.3
	diag "no hooks: left after the stops: $(lxc_left | tr '\n' ' ')"
	check "no hooks: lxc.pivot is left below service/ and session/" sh -c \
		"[ -d $SVC/lxc.pivot ] && [ -d $SESS/lxc.pivot ]"
	remove_left

	hooks_on c1
	hooks_on c2
	start_hooked c1 "$SVC" service
	start_hooked c2 "$SESS" session
	check "hooks: nothing of LXC's below service/ or session/" \
		[ -z "$(lxc_left "$SVC")$(lxc_left "$SESS")" ]

	reach "$SESS" session c1
	check "hooks: c2 still runs after c1's stop (a fresh base per start)" is_state c2 RUNNING
	reach "$SVC" service c2
}

# reach DIR WHO NAME: from DIR, without root, the other side's container.
reach() {
	run as_user "$1" "lxc-attach -n $3 -- cat /proc/self/cgroup"
	expect "from the $2, lxc-attach -n $3 lands in the container's cgroup" \
		0 '^0::/(\.lxc[^/]*)?$'
	run as_user "$1" "lxc-freeze -n $3"
	expect "from the $2, lxc-freeze -n $3" 0
	check "... $3 is FROZEN" is_state "$3" FROZEN
	run as_user "$1" "lxc-unfreeze -n $3"
	expect "from the $2, lxc-unfreeze -n $3" 0
	check "... $3 is RUNNING" is_state "$3" RUNNING
	run as_user "$1" "lxc-cgroup -n $3 pids.current"
	expect "from the $2, lxc-cgroup -n $3 pids.current" 0 '^[0-9]+$'
	run as_user "$1" "lxc-stop -n $3 -t 10"
	expect "from the $2, lxc-stop -n $3" 0
	check "... $3 is STOPPED" is_state "$3" STOPPED
}

after_stops() {
	if vm_wait_for 3 nothing_left; then
		ok "hooks: within 3 s of the stops nothing of c1 or c2 is left"
	else
		not_ok "hooks: within 3 s of the stops nothing of c1 or c2 is left"
		lxc_left | sed 's/^/#   /'
	fi
	check "hooks: ... nor their bases ${U_LXC#"$CG"}/c1 and /c2" \
		vm_wait_for 3 sh -c "[ ! -d $U_LXC/c1 ] && [ ! -d $U_LXC/c2 ]"
}

# --- 4: a refused move leaves no leaf behind --------------------------

refusal() {
	elapsed
	diag "part 4: a refused exec from a foreign leaf"
	check "root delegates ${FOREIGN#"$CG"} (the leaf only) to $VM_USER" \
		vm_delegate "$FOREIGN" "$VM_USER"
	start c1 "$SVC"
	started "c1 starts again with the hooks" c1 || return 1
	kids=$(cd "$U_LXC/c1" && find . -mindepth 1 -maxdepth 1 -type d | sort | tr '\n' ' ')
	run as_user "$FOREIGN" "$CGA exec c1 -- cat /proc/self/cgroup"
	expect "from ${FOREIGN#"$CG"}, 'cg-adopt exec c1' is refused (exit 1)" 1
	record "cg-adopt exec c1 from the foreign leaf"
	check "... no cg-adopt.leaf is left below ${U_LXC#"$CG"}/c1" \
		[ ! -d "$U_LXC/c1/cg-adopt.leaf" ]
	check "... nor any other new cgroup" [ "$kids" = "$(cd "$U_LXC/c1" &&
		find . -mindepth 1 -maxdepth 1 -type d | sort | tr '\n' ' ')" ]
	sleeper "$FOREIGN"
	run as_user "$FOREIGN" "$CGA move c1 $spid"
	expect "from there, 'cg-adopt move c1 PID' is refused (exit 1)" 1
	check "... the pid stays in ${FOREIGN#"$CG"}" \
		[ "$(cgroup_of "$spid")" = "${FOREIGN#"$CG"}" ]
	kill_sleepers
	check "... and no cg-adopt.leaf is left either" \
		[ ! -d "$U_LXC/c1/cg-adopt.leaf" ]
}

# --- 3: clean --------------------------------------------------------

# kill_monitor: kill -9 c1's monitor, and wait for its init to go.
kill_monitor() {
	kill -9 "$mon"
	vm_wait_for 5 sh -c "! kill -0 $init 2>/dev/null && ! kill -0 $mon 2>/dev/null"
}

clean() {
	elapsed
	diag "part 3: clean"
	is_state c1 RUNNING || {
		start c1 "$SVC"
		started "c1 starts with the hooks" c1 || return 1
	}
	killed_leaves "$U_LXC/c1" "with the hooks" || return 1
	run as_user "$SESS" "$CGA clean c1"
	expect "with the hooks, from the session, cg-adopt clean c1: exit 0" 0
	record "cg-adopt clean c1"
	if check_gone "with the hooks, ... nothing of c1 is left"; then
		:
	else
		diag "root removes what clean left"
		remove_left
	fi

	# The same without the hooks, where the leftovers are below the
	# service leaf, so that the rest of clean is tested in spite of the
	# above.
	hooks_off c1
	start c1 "$SVC"
	started "no hooks: c1 starts from service/" c1 || return 1
	killed_leaves "$SVC" "no hooks" || return 1
	run as_user "$SESS" "$CGA clean c1"
	expect "no hooks, from the session, cg-adopt clean c1: exit 0" 0
	record "cg-adopt clean c1"
	check_gone "no hooks, ... nothing of c1 is left"
	clear_leaves

	start c1 "$SVC"
	started "no hooks: c1 starts once more" c1 || return 1
	dead=$payload
	check "kill -9 c1's monitor again" kill_monitor
	straggler "$dead" || return 1
	run as_user "$SESS" "$CGA clean c1"
	expect "with a straggler in the dead payload, clean c1 refuses (exit 1)" 1 \
		"holds processes"
	record "cg-adopt clean c1 with a straggler"
	check "... the straggler lives" kill -0 "$spid"
	check "... and the payload is still there" [ -d "$dead" ]
	run as_user "$SESS" "$CGA clean --kill c1"
	expect "cg-adopt clean --kill c1: exit 0" 0
	record "cg-adopt clean --kill c1"
	if vm_wait_for 3 dead "$spid"; then
		ok "... the straggler is gone"
	else
		not_ok "... the straggler is gone"
		kill -9 "$spid"
	fi
	wait "$spid" 2>/dev/null
	sleepers=
	check_gone "... nothing of c1 is left"
	check "... ${SVC#"$CG"} reads populated 0" \
		grep -qx 'populated 0' "$SVC/cgroup.events"
	diag "${SVC#"$CG"}/cgroup.events: $(tr '\n' ' ' <"$SVC/cgroup.events")"
}

# killed_leaves DIR WHAT: kill -9 c1's monitor and check what LXC leaves
# in DIR.
killed_leaves() {
	check "$2: kill -9 c1's monitor $mon: monitor and init are gone" kill_monitor
	check "$2: ... c1 is STOPPED" is_state c1 STOPPED
	sleep 0.3
	left=$(lxc_left)
	diag "what LXC leaves on v2 after kill -9 of the monitor: $(echo "$left" | tr '\n' ' ')"
	check "$2: ... lxc.payload.c1 and lxc.monitor.c1 are left in ${1#"$CG"}" \
		[ "$left" = "$(printf '%s\n' "${1#"$CG"}/lxc.monitor.c1" "${1#"$CG"}/lxc.payload.c1")" ]
}

# check_gone WHAT: a check that no lxc.* cgroup is left.
check_gone() {
	if nothing_left; then
		ok "$1"
		return 0
	fi
	not_ok "$1"
	lxc_left | sed 's/^/#   /'
	return 1
}

# dead PID: PID is gone or a zombie.
dead() {
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)
	[ -z "$st" ] || [ "$st" = Z ]
}

# straggler PAYLOAD: root puts a process of the user into PAYLOAD, or into
# a leaf below it when PAYLOAD may hold no process.
straggler() {
	sleeper "$NOCG"
	diag "the dead payload's subtree_control: '$(cat "$1/cgroup.subtree_control")'"
	if echo "$spid" >"$1/cgroup.procs" 2>/dev/null; then
		where=$1
	else
		where=$1/straggler
		mkdir "$where" && echo "$spid" >"$where/cgroup.procs"
	fi
	if [ "$(cgroup_of "$spid")" = "${where#"$CG"}" ]; then
		ok "root puts a straggler (pid $spid) into ${where#"$CG"}"
		return 0
	fi
	not_ok "root puts a straggler (pid $spid) into ${where#"$CG"}"
	return 1
}

cleanup() {
	elapsed
	kill_sleepers
	kill "$session" 2>/dev/null
	for n in c1 c2; do
		stop $n
		vm_as_user timeout 20 lxc-destroy -n $n >/dev/null 2>&1
	done
	rm -f /tmp/go
	[ -d "$LC" ] && find "$LC" -depth -type d -exec rmdir {} \; 2>/dev/null
}

setup
delegate
hooks
after_stops
refusal
clean
cleanup
vm_done
