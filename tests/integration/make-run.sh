#!/usr/bin/env bash
# The VM set `make run` boots (configs/default.dts), checked end to end: the
# linux VM reaches its shell with the checks of linux-smp.exp, and the probe
# VM beside it finds every address outside its RAM unreachable.
#   tests/integration/make-run.sh [elvisor-run options, e.g. --nvhe]
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
log=build/integration/make-run.log
mkdir -p build/integration

tests/integration/linux-smp.exp --config configs/default.dts "$@" 2>&1 | tr -d '\r' | tee "$log"
rc=${PIPESTATUS[0]}

if grep -Eq '^\[probe\] GUEST-DONE isolation passed=[1-9][0-9]* failed=0$' "$log"; then
    echo "TEST make-run.probe_isolated: PASS"
else
    echo "TEST make-run.probe_isolated: FAIL no clean GUEST-DONE from the probe VM (see $log)"
    rc=1
fi
exit "$rc"
