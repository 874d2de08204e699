#!/bin/sh
# login [--pam-cg-adopt | --logind] [--sudo] USER COMMAND [ARG...]: a login
# of USER inside the outer container, as sshd and PAM make one, run as the
# container's root.
#
# sshd is started by init, so a login begins in init's cgroups: this script
# first joins them (the cgroup of pid 1 in every hierarchy).  With
# --pam-cg-adopt the PAM session stack then runs
#   session optional pam_exec.so /usr/local/bin/cg-adopt delegate
# which, under pam_exec, finds the user in PAM_USER and moves its parent
# (this script, the session's process) into /cg-adopt/user-UID/session.
# With --logind it plays a login manager that works (logind with cgmanager,
# once restarted): the session gets /user/UID.user/1.session, owned by the
# user, a tree of its own apart from the service's.  The stand-in makes it
# with 'cg-adopt delegate --cgroup'; logind made the same shape.  As logind
# gives each session a scope of its own, CI_SESSION=N names the leaf
# N.session (default 1): on cgroup2, a leaf that a container was started
# from may hold no process afterwards (LXC enabled controllers in it).
# Last, the session drops to USER with the environment a login sets
# (HOME, USER, LOGNAME, SHELL, PATH; no XDG_RUNTIME_DIR, since no login
# manager runs) and becomes COMMAND.
set -u
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CG_ADOPT=${CG_ADOPT:-/usr/local/bin/cg-adopt}
# util-linux's setpriv.  A busybox sh (the VM bed's guest) runs its own
# applet for the bare name, which has no --reuid: pass the full path then.
SETPRIV=${SETPRIV:-setpriv}
mode=none
sudo=0
while :; do
	case ${1:-} in
	--pam-cg-adopt) mode=pam; shift ;;
	--logind) mode=logind; shift ;;
	--sudo) sudo=1; shift ;;
	*) break ;;
	esac
done
user=$1
shift

# Join init's cgroups in every hierarchy, as a child of init's sshd would
# be.  /proc/1/cgroup reads "/" everywhere here: init sits at the root of
# the container's cgroup namespace.
while IFS=: read -r _ ctrl path; do
	case $ctrl in
	"") dir=/sys/fs/cgroup/unified ;;
	name=*) dir=/sys/fs/cgroup/${ctrl#name=} ;;
	*) dir=/sys/fs/cgroup/$ctrl ;;
	esac
	[ -d "$dir" ] || dir=/sys/fs/cgroup
	echo $$ >"$dir$path/cgroup.procs" || exit 1
done </proc/1/cgroup

case $mode in
pam) PAM_USER=$user PAM_TYPE=open_session "$CG_ADOPT" delegate || exit 1 ;;
logind)
	"$CG_ADOPT" delegate --user "$user" \
		--cgroup "/user/$(id -u "$user").user" \
		--leaf "${CI_SESSION:-1}.session" || exit 1
	;;
esac

# With --sudo, COMMAND is what "sudo COMMAND" typed in that session runs:
# root, with the variables sudo sets (sudo itself is not in the image).
if [ "$sudo" = 1 ]; then
	exec env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/sh \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		SUDO_USER="$user" SUDO_UID="$(id -u "$user")" \
		SUDO_GID="$(id -g "$user")" SUDO_COMMAND="$*" "$@"
fi

home=$(getent passwd "$user" | cut -d: -f6)
cd "$home" || exit 1
exec env -i HOME="$home" USER="$user" LOGNAME="$user" SHELL=/bin/sh \
	PATH=/usr/local/bin:/usr/bin:/bin \
	"$SETPRIV" --reuid "$user" --regid "$user" --init-groups -- "$@"
