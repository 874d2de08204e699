#!/bin/sh
# mkrootfs.sh ROOTFS UID GID JENKINS_UID SUB_START: build the root filesystem
# of the outer container "ci" of doc/nested.md.
#
# The outer container runs the host's own LXC, busybox and cg-adopt: /usr
# comes in as read-only bind mounts (see outer-mounts.conf), so this tree
# holds only what must belong to the container's root or be writable:
#
#   - the mount points and the merged-/usr symlinks (bin, lib, sbin, lib64);
#   - /usr/local/bin/newuidmap and newgidmap: real copies, setuid and owned
#     by the container's root (host UID).  The host's copies, seen through
#     the bind mount, belong to an unmapped uid (nobody inside) and so grant
#     nothing when run; liblxc finds newuidmap on PATH, and /usr/local/bin
#     comes first there;
#   - /etc: passwd, group, subuid and subgid with a user "jenkins"
#     (JENKINS_UID inside) owning the subordinate ids SUB_START..+65535
#     inside, which the outer map must cover;
#   - the links of /etc/alternatives, through which /usr/bin reaches awk
#     and others;
#   - a writable home for jenkins, and the init of tests/nested/init.sh.
#
# Everything is chowned to UID:GID (the container's root seen from the
# host), jenkins' home to UID+JENKINS_UID.  Run as root on the host.
set -eu

if [ $# -ne 5 ]; then
	echo "usage: mkrootfs.sh ROOTFS UID GID JENKINS_UID SUB_START" >&2
	exit 2
fi
rootfs=$1 uid=$2 gid=$3 juid=$4 sub=$5
here=$(cd "$(dirname "$0")" && pwd)

mkdir -p "$rootfs"
cd "$rootfs"
for d in proc sys dev run tmp root home/jenkins etc/lxc var/lib var/log \
	usr/bin usr/sbin usr/lib usr/lib64 usr/share usr/libexec \
	usr/local/bin usr/local/sbin usr/local/lib/ci opt/cg-adopt etc/init; do
	mkdir -p "$d"
done
for l in bin lib sbin lib64; do
	[ -L "$l" ] || ln -s "usr/$l" "$l"
done
chmod 1777 tmp

for f in newuidmap newgidmap; do
	cp "$(command -v "$f")" "usr/local/bin/$f"
done

cat >etc/passwd <<PASSWD
root:x:0:0:root:/root:/bin/sh
jenkins:x:$juid:$juid:CI service:/home/jenkins:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
PASSWD
cat >etc/group <<GROUP
root:x:0:
jenkins:x:$juid:
nogroup:x:65534:
GROUP
echo "jenkins:$sub:65536" >etc/subuid
echo "jenkins:$sub:65536" >etc/subgid
# The host's commands in /usr/bin reach some programs through
# /etc/alternatives (awk, for one, which LXC's templates run): copy the
# links, which point back into the bound /usr.  A busybox system (the VM
# bed's guest) has none.
[ ! -d /etc/alternatives ] || cp -a /etc/alternatives etc/

printf 'passwd: files\ngroup: files\nshadow: files\n' >etc/nsswitch.conf
echo ci >etc/hostname

# What the nested containers of jenkins get: its own subordinate ids, no
# network (the outer container has none to share) and no AppArmor change.
mkdir -p home/jenkins/.config/lxc
cat >home/jenkins/.config/lxc/default.conf <<CONF
lxc.idmap = u 0 $sub 65536
lxc.idmap = g 0 $sub 65536
lxc.net.0.type = empty
lxc.apparmor.profile = unconfined
CONF

# cg-adopt comes from the host's build tree, bound on /opt/cg-adopt.
ln -sf /opt/cg-adopt/cg-adopt usr/local/bin/cg-adopt
mkdir -p usr/local/share/cg-adopt
sed 's|@HOOKDIR@|/opt/cg-adopt/hooks|g' "$here/../../lxc-config/cg-adopt.conf.in" \
	>usr/local/share/cg-adopt/cg-adopt.conf

# cp and chmod, not install: the VM bed's busybox has no install applet.
cp "$here/init.sh" usr/local/sbin/ci-init
cp "$here/ci-service.sh" usr/local/lib/ci/ci-service
cp "$here/login.sh" usr/local/lib/ci/login
chmod 0755 usr/local/sbin/ci-init usr/local/lib/ci/ci-service usr/local/lib/ci/login

chown -R "$uid:$gid" "$rootfs"
chown -R "$((uid + juid)):$((gid + juid))" home/jenkins
# The nested containers live in ~/.local/share/lxc: their root (a
# subordinate id of jenkins) must be able to pass through the home.
chmod 0711 home/jenkins
chmod 4755 usr/local/bin/newuidmap usr/local/bin/newgidmap
