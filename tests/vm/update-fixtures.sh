#!/bin/sh
# Refresh tests/fixtures/v2-vm/ from a real run of the pure cgroup v2
# guest: tests/vm/smoke.sh captures /proc files there into $VM_OUT, and
# only the files its README names are taken over.
#
# Usage: tests/vm/update-fixtures.sh   (exit status as run-v2.sh's)

set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
VM_BUILD=${VM_BUILD:-$top/build/vm}
dst=$top/tests/fixtures/v2-vm
src=$VM_BUILD/out/fixtures

sh "$here/run-v2.sh" "$here/smoke.sh"

[ -f "$src/README" ] || {
	echo "update-fixtures: the guest left no '$src/README'" >&2
	exit 1
}

rm -rf "$dst"
mkdir -p "$dst"
cp "$src/README" "$dst/README"
sed -n 's/^\([^ :]*\.txt\): .*/\1/p' "$src/README" | while read -r f; do
	cp "$src/$f" "$dst/$f"
done
echo "update-fixtures: $(ls "$dst" | wc -l) files in tests/fixtures/v2-vm/"
