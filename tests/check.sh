#!/usr/bin/env bash
# make check: the unit tests (plain and sanitized), then, as root, the
# integration tests on this machine's cgroups and the pure cgroup v2 suite
# in a VM.  Every suite closes with "NAME: N passed, N failed"; this script
# adds them up into one closing line and fails if any suite failed or ended
# without its line.
#   tests/check.sh UNIT_BINARY...
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
passed=0 failed=0 skipped=0 broken=()

# Run one suite, show its output, and add its closing line to the totals.
suite() {
  local name=$1 out rc line p f s
  shift
  out=$(mktemp)
  "$@" 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  line=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed" "$out" | tail -n 1)
  rm -f "$out"

  if [ "$rc" = 77 ]; then
    skipped=$((skipped + 1))
    return
  fi
  if [ -z "$line" ]; then
    broken+=("$name (exit $rc, no closing line)")
    return
  fi

  p=$(sed -E 's/^[^:]*: ([0-9]+) passed.*/\1/' <<< "$line")
  f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<< "$line")
  s=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<< "$line")
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + ${s:-0}))
  [ "$rc" = 0 ] || [ "$f" -gt 0 ] || broken+=("$name (exit $rc)")
}

suite unit tests/unit/run.sh "$@"
suite install tests/install.sh

if [ "$(id -u)" = 0 ]; then
  suite integration tests/integration/run.sh
  suite vm tests/vm/run-v2.sh tests/vm/smoke.sh tests/vm/test-cg-adopt.sh tests/vm/test-lifecycle.sh tests/vm/test-nested.sh
else
  echo "check: integration and vm suites skipped: they need root"
  skipped=$((skipped + 2))
fi

for b in "${broken[@]}"; do
  echo "check: suite $b"
done
echo "check: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ ${#broken[@]} = 0 ]
