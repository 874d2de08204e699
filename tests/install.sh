#!/bin/sh
# make install, checked: into a throwaway DESTDIR with another PREFIX, every
# file lands where the manual says, and the include file names the hooks'
# installed paths.  Closes with "install: N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
dest=$(mktemp -d /tmp/cgadopt-install.XXXXXX)
trap 'rm -rf "$dest"' EXIT
pass=0 fail=0

check() {
  if "$@"; then
    pass=$((pass + 1)) && echo "ok - $*"
  else
    fail=$((fail + 1)) && echo "not ok - $*"
  fi
}

make -s -C "$top" install DESTDIR="$dest" PREFIX=/opt/cga >/dev/null || fail=$((fail + 1))
check test -x "$dest/opt/cga/bin/cg-adopt"
for h in pre-start start-host stop post-stop; do
  check test -x "$dest/opt/cga/libexec/cg-adopt/$h"
  check grep -q "^lxc.hook.$h = /opt/cga/libexec/cg-adopt/$h\$" \
    "$dest/opt/cga/share/cg-adopt/cg-adopt.conf"
done
check grep -q "lxc.include = /opt/cga/share/cg-adopt/cg-adopt.conf" \
  "$dest/opt/cga/share/cg-adopt/cg-adopt.conf"
check test -f "$dest/opt/cga/share/man/man1/cg-adopt.1"
check sh -c "'$dest/opt/cga/bin/cg-adopt' --version | grep -q '^cg-adopt '"
# The include file of the build tree stays as it was built.
make -s -C "$top" >/dev/null
echo "install: $pass passed, $fail failed"
[ "$fail" = 0 ]
