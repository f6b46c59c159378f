#!/usr/bin/env bash
# Runs every host unit-test binary given on the command line and prints one
# summary line "unit: N passed, N failed" counting individual cmocka tests.
set -u
passed=0; failed=0; broken=0
for bin in "$@"; do
    out=$("$bin" 2>&1); rc=$?
    printf '%s\n' "$out"
    p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
    # A crash (sanitizer abort) reports no cmocka summary: count it as a failure.
    if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then broken=$((broken + 1)); echo "unit: $bin exited $rc"; fi
done
failed=$((failed + broken))
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
