#!/usr/bin/env bash
# The layers of src/, lowest first (docs/architecture.md): a file may
# include its own layer and the layers below it, never one above.
#
#   lib     freestanding helpers
#   arch    the hardware: CPU, MMU, GIC, timers, UART, firmware; no VM
#   vdev    emulated devices (vGIC, PL011, timer arithmetic); no vCPU
#   core    VMs and vCPUs, memory, config, loader, DTB, console
#   hyp     the world switch: a vCPU's state into and out of the CPU
#   trap    what a vCPU's exit means: dispatch, injection, registers, PSCI
#   nested  virtual EL2, plugged into the vCPU through core/vcpu_ext.h
#   run     boot, the per-CPU run loop, the scheduler, physical interrupts
#
#   tools/check-layers.sh [SRC_DIR]
# Prints one line per include that goes up and exits 1 if there is any,
# else prints "layers: N files, every include goes down" and exits 0.
set -uo pipefail

src=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../src" && pwd)}
layers=(lib arch vdev core hyp trap nested run)
declare -A rank
for i in "${!layers[@]}"; do rank[${layers[$i]}]=$i; done

bad=0 files=0
while IFS= read -r -d '' f; do
    rel=${f#"$src"/}
    own=${rel%%/*}
    if [ -z "${rank[$own]+x}" ]; then
        echo "$rel: folder '$own' is no layer (tools/check-layers.sh lists them)"
        bad=$((bad + 1))
        continue
    fi
    files=$((files + 1))
    while IFS=: read -r line inc; do
        to=${inc%%/*}
        [ -n "${rank[$to]+x}" ] || continue
        if [ "${rank[$to]}" -gt "${rank[$own]}" ]; then
            echo "$rel:$line: layer $own includes $inc from the higher layer $to"
            bad=$((bad + 1))
        fi
    done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
             sed 's/^\([0-9]*\):[^"]*"\([^"]*\)".*/\1:\2/')
done < <(find "$src" -type f \( -name '*.c' -o -name '*.h' -o -name '*.S' \) -print0 | sort -z)

if [ "$bad" -gt 0 ]; then
    echo "layers: $bad includes go up"
    exit 1
fi
echo "layers: $files files, every include goes down"
