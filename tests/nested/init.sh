#!/bin/sh
# ci-init: the init of the outer container "ci" (lxc.init.cmd).  It plays
# the part of upstart in the original setup: it makes the mounts a real
# init would make, then runs jobs on request, as children of itself and in
# its own cgroups, the way an init system starts a service.
#
# A job is asked for through the FIFO /run/ci/initctl ("start JOB"); JOB is
# /etc/init/JOB.conf, whose "script ... end script" block runs under sh
# with the job's "env" lines exported, as upstart would run it.  The job's
# output goes to /var/log/JOB.log.  "stop JOB" kills the job's process.
#
# LXC mounts proc, sys and cgroupfs (lxc.mount.auto); everything else that
# liblxc wants from a root filesystem is made here: /run (its run and lock
# directories for root, and a place for XDG_RUNTIME_DIR), /dev/shm and /tmp.
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
mkdir -p /dev/shm /run/ci /run/lock /run/user
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm

# On a pure cgroup2 system, leave the root of the container's cgroup
# namespace for a leaf of its own, as systemd does with init.scope: a
# cgroup that holds a process can enable no controller for its children
# (the no-internal-process rule; pids and cpu too, once it has a
# populated child), so nothing delegated below "/" would get any.  Only
# cgroup2 has cgroup.subtree_control; on a hybrid layout cgroup2 is at
# /sys/fs/cgroup/unified and init stays where it is.
if [ -e /sys/fs/cgroup/cgroup.subtree_control ]; then
	mkdir -p /sys/fs/cgroup/init.scope &&
		echo $$ >/sys/fs/cgroup/init.scope/cgroup.procs
fi
mkfifo -m 0600 /run/ci/initctl

# job_script FILE: the body of FILE's "script" block.
job_script() {
	sed -n '/^script$/,/^end script$/p' "$1" | sed '1d;$d'
}

# job_env FILE: FILE's "env NAME=VALUE" lines as shell assignments.
job_env() {
	sed -n 's/^env \([A-Za-z_][A-Za-z0-9_]*\)=\(.*\)$/export \1="\2"/p' "$1"
}

job_start() {
	conf=/etc/init/$1.conf
	[ -f "$conf" ] || { echo "no job $1" >/run/ci/"$1".status; return; }
	(eval "$(job_env "$conf")"; exec sh -ec "$(job_script "$conf")") \
		>/var/log/"$1".log 2>&1 </dev/null &
	echo "$!" >/run/ci/"$1".pid
	echo started >/run/ci/"$1".status
}

job_stop() {
	[ -f /run/ci/"$1".pid ] && kill "$(cat /run/ci/"$1".pid)" 2>/dev/null
	rm -f /run/ci/"$1".pid
	echo stopped >/run/ci/"$1".status
}

trap 'exit 0' TERM INT PWR
echo ready >/run/ci/init.status
while :; do
	# Each writer's lines are read until it closes the FIFO, then the
	# FIFO is opened anew.  No "wait" here: jobs run for good, and the
	# shell reaps a job that ends by itself at the next command.
	while read -r verb job; do
		case $verb in
		start) job_start "$job" ;;
		stop) job_stop "$job" ;;
		esac
	done </run/ci/initctl
done
