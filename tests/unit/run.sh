#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run the cmocka unit test binaries given as arguments (plain and
# sanitized), show their output, and end with one summary line:
#   unit: N passed, N failed
# Exit status: 0 when every test passed, 1 otherwise.  Run from the
# repository root; the fixtures come from $CG_FIXTURES (default
# tests/fixtures).

set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1

: "${CG_FIXTURES:=$root/tests/fixtures}"
export CG_FIXTURES

# LeakSanitizer needs ptrace-like access that some sandboxes refuse; a
# leak is still reported where it works.  Abort on the first UBSan report.
: "${ASAN_OPTIONS:=detect_leaks=1:abort_on_error=1}"
: "${UBSAN_OPTIONS:=print_stacktrace=1:halt_on_error=1}"
export ASAN_OPTIONS UBSAN_OPTIONS

if [ "$#" -eq 0 ]; then
	echo "usage: tests/unit/run.sh BINARY..." >&2
	exit 2
fi

passed=0
failed=0
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT

# The number N in the first cmocka line of $out that starts with $1.
count() {
	sed -n "s/^\[ *$1 *\] \([0-9][0-9]*\) test(s).*/\1/p" "$out" | head -n 1
}

for bin in "$@"; do
	echo "== $bin"
	if [ ! -x "$bin" ]; then
		echo "unit: cannot run '$bin': not an executable file" >&2
		failed=$((failed + 1))
		continue
	fi

	"$bin" >"$out" 2>&1
	rc=$?
	cat "$out"

	total=$(sed -n 's/^\[=*\] Running \([0-9][0-9]*\) test(s).*/\1/p' "$out" |
		head -n 1)
	ok=$(count 'PASSED')
	# Without cmocka's totals, count the tests that did finish.
	[ -n "$ok" ] || ok=$(grep -c '^\[       OK \]' "$out")
	bad=$(count 'FAILED')
	skip=$(count 'SKIPPED')
	: "${total:=0}" "${ok:=0}" "${bad:=0}" "${skip:=0}"

	# A binary that died (a sanitizer abort, a crash) prints no totals:
	# every test it did not report as passed or skipped failed.
	if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
		bad=$((total - ok - skip))
		[ "$bad" -gt 0 ] || bad=1
		echo "unit: '$bin' exited with status $rc"
	fi

	passed=$((passed + ok))
	failed=$((failed + bad))
done

echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
