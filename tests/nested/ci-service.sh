#!/bin/sh
# ci-service: a stand-in for the CI server (Jenkins) that the init job runs
# as jenkins.  It runs build scripts dropped in its queue, one at a time,
# from its own process and therefore from its own cgroups, like a build
# executor: ~/queue/NAME.sh is run with output in ~/queue/NAME.out and its
# exit code in ~/queue/NAME.rc (written last, so its presence means done).
set -u
q=$HOME/queue
mkdir -p "$q"
echo "ci-service: pid $$, uid $(id -u), HOME $HOME" >&2
sed -e 's/^/ci-service: cgroup /' /proc/self/cgroup >&2
while :; do
	for job in "$q"/*.sh; do
		[ -e "$job" ] || continue
		name=${job%.sh}
		mv "$job" "$name.run"
		rc=0
		sh "$name.run" >"$name.out" 2>&1 </dev/null || rc=$?
		echo "$rc" >"$name.rc"
	done
	sleep 0.05
done
