# Sourced by tests/run-all.sh and tests/run-matrix.sh: one way to run a suite
# and count it. `suite NAME CMD...` prints "=== NAME: CMD", runs CMD and then
# "=== NAME: PASS|FAIL (N s)"; `skip NAME REASON` prints "=== NAME: SKIP
# (REASON)". The counters passed/failed/skipped are the caller's summary.
passed=0 failed=0 skipped=0
suite() {
    local name=$1; shift
    echo "=== $name: $*"
    local start=$SECONDS
    if "$@"; then
        passed=$((passed + 1)); echo "=== $name: PASS ($((SECONDS - start)) s)"
    else
        failed=$((failed + 1)); echo "=== $name: FAIL ($((SECONDS - start)) s)"
    fi
}
skip() {
    skipped=$((skipped + 1)); echo "=== $1: SKIP ($2)"
}
