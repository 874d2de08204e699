#!/bin/bash
# Run the integration tests: every tests/integration/test-*.sh, or the files
# given as arguments.  Prints each file's lines, then one grand total line
# "integration: N passed, N failed[, N skipped]"; exits 1 if anything failed.
#
# The tests create users, cgroups and containers on this host, so they need
# root; without it the whole run is one skip.

set -u

dir=$(cd "$(dirname "$0")" && pwd)

if [ "$(id -u)" -ne 0 ]; then
  echo "ok 1 - integration tests # SKIP they need root: they create users and cgroups"
  echo "integration: 0 passed, 0 failed, 1 skipped"
  exit 0
fi

if [ $# -gt 0 ]; then
  files=("$@")
else
  files=("$dir"/test-*.sh)
fi

pass=0
fail=0
skip=0
out=$(mktemp /tmp/cgadopt-run.XXXXXX)
trap 'rm -f "$out"' EXIT

# add_summary NAME: add the "integration: ..." line of NAME's output to the
# totals.  A file that died without one counts as one failure.
add_summary() {
  local re='^integration: ([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$'
  local line

  line=$(grep -E "$re" "$out" | tail -n 1)
  if ! [[ $line =~ $re ]]; then
    echo "not ok - $1 printed no summary"
    fail=$((fail + 1))
    return
  fi
  pass=$((pass + BASH_REMATCH[1]))
  fail=$((fail + BASH_REMATCH[2]))
  skip=$((skip + ${BASH_REMATCH[4]:-0}))
}

for file in "${files[@]}"; do
  name=$(basename "$file")
  echo "# $name"
  start=$EPOCHREALTIME
  rc=0
  bash "$file" >"$out" 2>&1 || rc=$?
  # The file's own summary becomes a comment, so that the grand total is
  # the only "integration:" line of the run.
  sed -e "s/^integration: /# $name: /" "$out"
  add_summary "$name"
  if [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$out"; then
    echo "not ok - $name exited $rc without a failed check"
    fail=$((fail + 1))
  fi
  took=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  echo "# $name took $took s"
done

line="integration: $pass passed, $fail failed"
[ "$skip" -gt 0 ] && line="$line, $skip skipped"
echo "$line"
[ "$fail" -eq 0 ]
