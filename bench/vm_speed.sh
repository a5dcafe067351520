#!/usr/bin/env bash
# Compares `canopy run` with qemu-riscv32 on guest/examples/loop.elf with the same input.
# Usage: bench/vm_speed.sh [N]   (loop iterations, default 10000000 ≈ 10^8 instructions)
# Prints instructions/s for both (wall time of the whole process, start-up included) and the
# ratio. Builds canopy in release mode first.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000000}
ELF=guest/examples/loop.elf
command -v qemu-riscv32 >/dev/null || { echo "vm_speed.sh: qemu-riscv32 not found" >&2; exit 1; }
cargo build --release -q -p canopy-cli
CANOPY="${CARGO_TARGET_DIR:-target}/release/canopy"
input=$(mktemp)
trap 'rm -f "$input"' EXIT
echo "$N" > "$input"

now() { date +%s.%N; }
# Both must print the same output, or the timings compare different work.
if [ "$("$CANOPY" run "$ELF" --input "$input")" != "$(qemu-riscv32 "$ELF" < "$input")" ]; then
    echo "vm_speed.sh: canopy run and qemu-riscv32 print different outputs" >&2
    exit 1
fi
best_canopy=""; best_qemu=""; steps=""
for _ in 1 2 3 4 5; do
    t0=$(now)
    stats=$("$CANOPY" run "$ELF" --input "$input" --stats 2>&1 >/dev/null | grep instructions)
    t1=$(now)
    qemu-riscv32 "$ELF" < "$input" > /dev/null
    t2=$(now)
    steps=$(echo "$stats" | awk '{print $2}')
    c=$(echo "$t1 - $t0" | bc -l); q=$(echo "$t2 - $t1" | bc -l)
    best_canopy+="$c "; best_qemu+="$q "
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | sed -n 3p; }
mc=$(echo "$best_canopy" | median); mq=$(echo "$best_qemu" | median)
echo "loop.elf N=$N: $steps instructions (medians of 5 runs, process wall time; both print the same output)"
printf "  canopy run:   %8.3f s  %8.1f M instructions/s\n" "$mc" "$(echo "$steps / $mc / 1000000" | bc -l)"
printf "  qemu-riscv32: %8.3f s  %8.1f M instructions/s\n" "$mq" "$(echo "$steps / $mq / 1000000" | bc -l)"
printf "  ratio canopy/qemu (speed): %.2f\n" "$(echo "$mq / $mc" | bc -l)"
