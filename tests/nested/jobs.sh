# shellcheck shell=sh
# The CI service's job inside the outer container, driven the way upstart
# would, through tests/nested/init.sh's control FIFO.  Sourced by the host's
# and the VM's nested tests (bash and busybox sh alike), which define
#   nt_in CMD...   run CMD as root inside the outer container
#   login CMD...   run CMD in a fresh login of jenkins (tests/nested/login.sh)
# and set CFGDIR (lxc-config/nested), JUID (jenkins's uid inside) and
# JOB_TRIES (how many 50 ms waits a start may take).

# job_install NAME [plain]: /etc/init/NAME.conf from the shipped
# jenkins.conf, running ci-service; with "plain" without its cg-adopt line.
job_install() {
	sed -e 's|^env CI_COMMAND=.*|env CI_COMMAND=/usr/local/lib/ci/ci-service|' \
		"$CFGDIR/jenkins.conf" >/tmp/job.conf
	[ "${2:-}" = plain ] && sed -i '/"\$CG_ADOPT" delegate/d' /tmp/job.conf
	nt_in sh -c 'cat >/etc/init/"$1".conf' sh "$1" </tmp/job.conf
	job_rc=$?
	rm -f /tmp/job.conf
	return $job_rc
}

# job_start NAME / job_stop NAME: start waits until the service runs as
# jenkins.
job_start() {
	nt_in sh -c 'echo "start $1" >/run/ci/initctl; i=0
		while :; do
			p=$(cat /run/ci/$1.pid 2>/dev/null) && [ -n "$p" ] &&
				[ "$(stat -c %u /proc/$p 2>/dev/null)" = '"$JUID"' ] && exit 0
			i=$((i + 1)); [ $i -lt '"${JOB_TRIES:-100}"' ] || { cat /var/log/$1.log; exit 1; }
			sleep 0.05
		done' sh "$1"
}

job_stop() {
	nt_in sh -c 'echo "stop $1" >/run/ci/initctl; sleep 0.2' sh "$1"
}

job_pid() {
	nt_in cat /run/ci/"$1".pid
}

# nested_pid NAME: the init of nested container NAME, as jenkins sees it.
nested_pid() {
	login lxc-info -n "$1" -pH
}

# cgroup_mounts: how many cgroup file systems are mounted inside.
cgroup_mounts() {
	nt_in cat /proc/self/mountinfo | grep -c ' - cgroup2\? '
}
