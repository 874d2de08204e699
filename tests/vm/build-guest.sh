#!/bin/sh
# Assemble the pure cgroup v2 guest from Debian packages on this host:
#
#   $VM_BUILD/vmlinuz        Debian's cloud kernel, from 'apt-get download'
#   $VM_BUILD/base.cpio.gz   busybox, LXC with its libraries, the libraries
#                            build/cg-adopt links or dlopen()s, uidmap,
#                            setpriv/unshare/nsenter, usermod, the virtio
#                            modules, the guest's /init and the project's
#                            lxc-config/ (at /cg-adopt/lxc-config)
#
# The result is cached: it is rebuilt only when this script, the guest's
# init, a file of lxc-config/ or one of the packages it is made of
# changes. run-v2.sh appends a
# second, small archive with the scripts to run and the project's tests/
# and build/ directories; the kernel unpacks both into one rootfs.
#
# Usage: tests/vm/build-guest.sh [--force]
# Exit codes: 0 built or up to date, 1 error, 77 the kernel package
# cannot be had (the caller reports a skip).

set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
VM_BUILD=${VM_BUILD:-$top/build/vm}
KPKG=${VM_KERNEL_PKG:-linux-image-cloud-amd64}
MULTIARCH=x86_64-linux-gnu

# Host programs copied into the guest with their shared libraries.
BINS="/usr/bin/lxc-* /usr/sbin/init.lxc /usr/sbin/init.lxc.static
/usr/libexec/lxc/lxc-user-nic /usr/libexec/lxc/lxc-monitord
/usr/libexec/lxc/lxc-apparmor-load /usr/libexec/lxc/hooks/unmount-namespace
/usr/bin/newuidmap /usr/bin/newgidmap /usr/bin/setpriv /usr/bin/unshare
/usr/bin/nsenter /usr/bin/getent /usr/sbin/usermod"

# The project's programs come with each run (run-v2.sh copies build/), but
# the libraries they load must already be in the guest: ldd names those
# they link, and cg-adopt opens liblxc with dlopen(), which ldd cannot see.
PROJECT_BINS="$top/build/cg-adopt"
DLOPEN_LIBS="/usr/lib/$MULTIARCH/liblxc.so.1"

# The project's files that the guest's tests read but run-v2.sh does not
# bring (it brings tests/ and build/): the LXC include files and the
# service examples, which tests/nested/mkrootfs.sh and test-nested.sh use.
# They go to /cg-adopt/lxc-config; their content is part of the cache key.
PROJECT_DATA=lxc-config

# Whole directories and single data files copied as they are.
DATA="/usr/share/lxc /usr/lib/$MULTIARCH/lxc /etc/login.defs
/usr/lib/$MULTIARCH/libnss_files.so.2"

# Copied when the host has them.  lxcfs drops a snippet into
# /usr/share/lxc/config/common.conf.d whose mount hook lives in
# /usr/share/lxcfs; without it every container that includes common.conf
# fails with "Failed to run mount hooks" (status 127).  With no lxcfs
# mounted, the hook does nothing.
OPTIONAL_DATA="/usr/share/lxcfs"

# Debian packages whose version goes into the cache key.
STAMP_PKGS="busybox-static lxc liblxc1 liblxc-common lxc-templates uidmap
util-linux passwd libc6 lxcfs"

# The guest loads these from the initramfs; everything else it needs is
# built into the cloud kernel (8250 serial console, devtmpfs, cgroups).
MODULES="virtio_pci virtio_blk"

die() {
	echo "vm build: $*" >&2
	exit 1
}

# Name the versioned image package the meta package points at, running
# 'apt-get update' once when the package lists do not know it yet.
kernel_pkg_name() {
	name=$(apt-cache depends "$KPKG" 2>/dev/null |
		awk '/Depends: linux-image-/ { print $2; exit }')
	if [ -z "$name" ] && [ "$(id -u)" -eq 0 ]; then
		apt-get update -qq >/dev/null 2>&1 || true
		name=$(apt-cache depends "$KPKG" 2>/dev/null |
			awk '/Depends: linux-image-/ { print $2; exit }')
	fi
	echo "$name"
}

# Leave the kernel's .deb in $VM_BUILD/debs/ and print its path. A .deb
# downloaded earlier is reused when apt cannot tell us anything newer.
kernel_deb() {
	mkdir -p "$VM_BUILD/debs"
	if [ -n "${VM_KERNEL_DEB:-}" ]; then
		echo "$VM_KERNEL_DEB"
		return
	fi

	name=$(kernel_pkg_name)
	if [ -z "$name" ]; then
		deb=$(ls "$VM_BUILD"/debs/linux-image-*-cloud-amd64_*.deb \
			2>/dev/null | tail -n 1)
		if [ -z "$deb" ]; then
			echo "vm build: cannot find package '$KPKG': run 'apt-get update' as root" >&2
			exit 77
		fi
		echo "$deb"
		return
	fi

	ver=$(apt-cache policy "$name" | awk '/Candidate:/ { print $2 }')
	deb=$(ls "$VM_BUILD/debs/${name}_$(echo "$ver" | sed 's/:/%3a/')_"*.deb \
		2>/dev/null | head -n 1)
	if [ -z "$deb" ]; then
		# _apt cannot write into a build tree owned by the caller.
		(cd "$VM_BUILD/debs" &&
			apt-get download -qq -o APT::Sandbox::User="$(id -un)" \
				"$name" >/dev/null) ||
			{
				echo "vm build: cannot download '$name' with apt-get" >&2
				exit 77
			}
		deb=$(ls "$VM_BUILD/debs/${name}_"*.deb | tail -n 1)
	fi
	echo "$deb"
}

# Copy one path into the guest root at the same place, following the
# chain of symlinks so that both the link and its target arrive.
copy_path() {
	src=$1
	dir=$(readlink -f "$(dirname "$src")")
	src=$dir/$(basename "$src")
	[ -e "$root$src" ] || [ -L "$root$src" ] && return 0

	mkdir -p "$root$dir"
	cp -a "$src" "$root$src"
	if [ -L "$src" ]; then
		target=$(readlink "$src")
		case $target in
		/*) copy_path "$target" ;;
		*) copy_path "$dir/$target" ;;
		esac
	fi
}

# Print the paths of the shared libraries ldd says $1 loads.
libs_of() {
	ldd "$1" 2>/dev/null |
		awk '/=> \// { print $3 } /^[ \t]*\/[^ ]*ld-linux/ { print $1 }'
}

# Copy a program and every shared library ldd says it loads.
copy_program() {
	copy_path "$1"
	copy_libs_of "$1"
}

copy_libs_of() {
	libs_of "$1" | while read -r lib; do
		copy_path "$lib"
	done
}

make_skeleton() {
	rm -rf "$root"
	mkdir -p "$root"
	cd "$root"
	mkdir -p usr/bin usr/sbin "usr/lib/$MULTIARCH" usr/lib64 \
		etc/lxc proc sys dev run tmp var/lib/lxc var/tmp root \
		home/tester vm newroot
	# Debian 12 is merged-/usr: keep the same shape so that the paths ldd
	# printed on the host resolve in the guest.
	ln -s usr/bin bin
	ln -s usr/sbin sbin
	ln -s usr/lib lib
	ln -s usr/lib64 lib64
	chmod 1777 tmp var/tmp
	cd - >/dev/null
}

install_busybox() {
	cp /bin/busybox "$root/usr/bin/busybox"
	for applet in $(/bin/busybox --list); do
		[ -e "$root/usr/bin/$applet" ] ||
			ln -s busybox "$root/usr/bin/$applet"
	done
}

install_host_files() {
	for f in $BINS; do
		[ -e "$f" ] || die "cannot find '$f': run tests/vm/deps.sh"
		if file_is_elf "$f"; then
			copy_program "$f"
		else
			copy_path "$f"
		fi
	done
	for f in $DATA; do
		[ -e "$f" ] || die "cannot find '$f': run tests/vm/deps.sh"
		copy_path "$f"
	done
	for f in $PROJECT_BINS; do
		# The smoke test needs none of them: say so and go on.
		if [ ! -e "$f" ]; then
			echo "vm build: no '$f' yet, so none of its libraries: run 'make' first" >&2
			continue
		fi
		copy_libs_of "$f"
	done
	for f in $DLOPEN_LIBS; do
		[ -e "$f" ] || die "cannot find '$f': run tests/vm/deps.sh"
		copy_program "$f"
	done
	for f in $OPTIONAL_DATA; do
		[ ! -e "$f" ] || copy_path "$f"
	done
	for d in $PROJECT_DATA; do
		mkdir -p "$root/cg-adopt"
		cp -a "$top/$d" "$root/cg-adopt/$d"
	done
	# cpio packs everything as root:root, so only the mode matters here.
	chmod 4755 "$root/usr/bin/newuidmap" "$root/usr/bin/newgidmap"
}

file_is_elf() {
	[ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]
}

install_modules() {
	kdir=$VM_BUILD/kernel
	mods=$kdir/lib/modules/$kver

	depmod -b "$kdir" "$kver"
	for m in $MODULES; do
		# modules.dep: "kernel/x/m.ko: kernel/y/dep.ko ...", deps first
		# once the list is reversed.
		line=$(grep "/$m\.ko:" "$mods/modules.dep") ||
			die "cannot find module '$m' in kernel $kver"
		for ko in $(echo "$line" | tr -d ':' | tr ' ' '\n' | tac); do
			mkdir -p "$root/lib/modules/$kver/$(dirname "$ko")"
			cp "$mods/$ko" "$root/lib/modules/$kver/$ko"
		done
	done
	cp "$mods/modules.order" "$mods/modules.builtin" \
		"$mods/modules.builtin.modinfo" "$root/lib/modules/$kver/"
	depmod -b "$root" "$kver"
}

write_etc() {
	e=$root/etc
	cat >"$e/passwd" <<-EOF
		root:x:0:0:root:/root:/bin/sh
		tester:x:1000:1000:cg-adopt test user:/home/tester:/bin/sh
		nobody:x:65534:65534:nobody:/nonexistent:/bin/false
	EOF
	cat >"$e/group" <<-EOF
		root:x:0:
		tty:x:5:
		tester:x:1000:
		nogroup:x:65534:
	EOF
	cat >"$e/shadow" <<-EOF
		root:*:19000:0:99999:7:::
		tester:*:19000:0:99999:7:::
	EOF
	chmod 0640 "$e/shadow"
	: >"$e/subuid"
	: >"$e/subgid"
	printf 'passwd: files\ngroup: files\nshadow: files\n' \
		>"$e/nsswitch.conf"
	echo vm >"$e/hostname"
	# Root's containers: no network to reach, AppArmor may be absent.
	cat >"$e/lxc/default.conf" <<-EOF
		lxc.net.0.type = empty
		lxc.apparmor.profile = unconfined
	EOF
	ln -s /proc/self/mounts "$e/mtab"
}

# One newc cpio member with no data: name, mode, rdev major and minor.
newc_node() {
	n=$((${#1} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		"$5" "$2" 0 0 1 0 0 0 0 "$3" "$4" "$n" 0
	printf '%s\000' "$1"
	pad=$(((4 - (110 + n) % 4) % 4))
	while [ $pad -gt 0 ]; do
		printf '\000'
		pad=$((pad - 1))
	done
}

# The kernel opens /dev/console before it runs /init: without the node
# init has no standard streams. Written by hand so that building needs no
# mknod and no root.
console_cpio() {
	newc_node dev $((0x41ED)) 0 0 1
	newc_node dev/console $((0x2180)) 5 1 2
	newc_node 'TRAILER!!!' 0 0 0 0
}

stamp_of() {
	{
		basename "$deb"
		cat "$here/build-guest.sh" "$here/guest-init"
		# A library the project starts to link changes the guest too.
		for f in $PROJECT_BINS; do
			libs_of "$f"
		done
		for d in $PROJECT_DATA; do
			(cd "$top" && find "$d" -type f | LC_ALL=C sort |
				xargs md5sum)
		done
		# shellcheck disable=SC2086 # a list of package names
		dpkg-query -W -f '${Package} ${Version}\n' $STAMP_PKGS 2>/dev/null
	} | md5sum | cut -d' ' -f1
}

main() {
	force=0
	[ "${1:-}" = --force ] && force=1

	mkdir -p "$VM_BUILD"
	deb=$(kernel_deb) || exit $?
	# linux-image-6.1.0-57-cloud-amd64_6.1.192-3_amd64.deb -> 6.1.0-57-...
	kver=$(basename "$deb" | sed 's/^linux-image-//; s/_.*//')
	stamp=$(stamp_of)

	if [ $force -eq 0 ] && [ -f "$VM_BUILD/base.cpio.gz" ] &&
		[ "$(cat "$VM_BUILD/base.stamp" 2>/dev/null)" = "$stamp" ]; then
		return 0
	fi

	echo "vm build: assembling the guest (kernel $kver)"
	rm -rf "$VM_BUILD/kernel"
	dpkg-deb -x "$deb" "$VM_BUILD/kernel"
	cp "$VM_BUILD/kernel/boot/vmlinuz-$kver" "$VM_BUILD/vmlinuz"

	root=$VM_BUILD/root
	make_skeleton
	install_host_files
	install_busybox
	install_modules
	write_etc
	cp "$here/guest-init" "$root/init"
	chmod 0755 "$root/init"
	echo "$kver" >"$root/vm/kernel-version"

	{
		console_cpio
		(cd "$root" && find . | LC_ALL=C sort |
			cpio -o -H newc -R 0:0 --quiet) | gzip -6
	} >"$VM_BUILD/base.cpio.gz.new"
	mv "$VM_BUILD/base.cpio.gz.new" "$VM_BUILD/base.cpio.gz"
	echo "$stamp" >"$VM_BUILD/base.stamp"
	rm -rf "$VM_BUILD/kernel/lib"
}

main "$@"
