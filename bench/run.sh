#!/usr/bin/env bash
# make bench: cg-adopt exec NAME -- true, side by side in one run with the
# shell recipe a user would write without it and with the floor program
# (bench/floor.c), on a throwaway busybox container started by root below
# this script's own cgroups.  Prints the ratios and peak memory.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build"
rounds=${BENCH_ROUNDS:-300}
name=cgadopt-bench
lxcpath=$(mktemp -d /tmp/cgadopt-bench.XXXXXX)
made=()
home=()

die() { echo "bench: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || { echo "bench: skipped: needs root to start a container"; exit 0; }
command -v lxc-start >/dev/null || die "lxc is not installed; run 'make deps'"

cc -O2 -Wall -Wextra -o "$build/bench-driver" "$top/bench/driver.c"
cc -O2 -Wall -Wextra -o "$build/bench-floor" "$top/bench/floor.c" \
  $(pkg-config --cflags --libs lxc)

# The mount point of each line of /proc/self/cgroup on this host's layout.
mount_of() {
  case "$1" in
    "") echo /sys/fs/cgroup/unified ;;
    name=systemd) echo /sys/fs/cgroup/systemd ;;
    *) echo "/sys/fs/cgroup/$1" ;;
  esac
}

cleanup() {
  lxc-stop -P "$lxcpath" -n "$name" -k >/dev/null 2>&1 || true
  local i d
  # Back where we started, so that our own cgroups can go.
  for d in "${home[@]}"; do echo $$ > "$d/cgroup.procs" || true; done
  for ((i = ${#made[@]} - 1; i >= 0; i--)); do
    find "${made[$i]}" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  rm -rf "$lxcpath"
}
trap cleanup EXIT

# Enter "bench" below our own cgroup in every hierarchy (cgroup2 only where
# it is the unified mount of this layout); cpuset needs cpus and mems first.
enter() {
  local id ctrl path m d
  while IFS=: read -r id ctrl path; do
    m=$(mount_of "$ctrl")
    [ -d "$m" ] || continue
    d="$m${path%/}/$1"
    mkdir -p "$d"
    made+=("$d")
    if [ -f "$d/cpuset.cpus" ] && [ -z "$(cat "$d/cpuset.cpus")" ]; then
      cat "$(dirname "$d")/cpuset.cpus" > "$d/cpuset.cpus"
      cat "$(dirname "$d")/cpuset.mems" > "$d/cpuset.mems"
    fi
    echo $$ > "$d/cgroup.procs"
  done <<< "$(cat /proc/self/cgroup)"
}

# Where we start, in every mounted hierarchy, to come back to at the end.
while IFS=: read -r _ ctrl path; do
  m=$(mount_of "$ctrl")
  [ -d "$m" ] && home+=("$m${path%/}")
done <<< "$(cat /proc/self/cgroup)"

enter cgadopt-bench
lxc-create -P "$lxcpath" -n "$name" -t busybox >/dev/null 2>&1 || die "lxc-create failed"
conf="$lxcpath/$name/config"
sed -i '/^lxc\.net\.0\./d; /^lxc\.apparmor\./d' "$conf"
printf 'lxc.net.0.type = empty\nlxc.apparmor.profile = unconfined\nlxc.cgroup.relative = 1\n' >> "$conf"
lxc-start -P "$lxcpath" -n "$name" -d || die "lxc-start failed"
lxc-wait -P "$lxcpath" -n "$name" -s RUNNING -t 10

# The callers sit in a sibling of the container's root, so that every
# command really moves in every hierarchy.
enter session

echo "bench: $rounds rounds each, interleaved; ratio = median / the recipe's median"
"$build/bench-driver" "$rounds" \
  "recipe (lxc-info + echo)" sh "$top/bench/recipe.sh" "$lxcpath" "$name" true ::: \
  "floor (liblxc + writes)" "$build/bench-floor" "$lxcpath" "$name" true ::: \
  "cg-adopt exec" "$build/cg-adopt" exec -P "$lxcpath" "$name" -- true ::: \
  "cg-adopt show" "$build/cg-adopt" show -P "$lxcpath" "$name" ::: \
  "true (exec floor)" true
