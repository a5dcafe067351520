#!/usr/bin/env bash
# Decider figures (issue 7): decider key setup, compression time, compact proof size, verifier
# key size and read time, verify time, for fib(N) at K as one leaf and as a merged tree root.
#
#   bash bench/decider.sh            # K = 4, fib(5), tree of 17-step leaves (4 leaves)
#   K=16 N=5 L=64 bash bench/decider.sh
#
# Writes bench/results/decider.md (and prints it). See benches/compact.rs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
K=${K:-4}; N=${N:-5}; L=${L:-17}
[ "${1:-}" = "--quick" ] && true # same size: the decider has no smaller useful form
out="$RESULTS/decider.md"
cmd="cargo bench -p canopy --bench compact -- $K $N $L"
(cd "$BENCH_ROOT" && cargo bench -q -p canopy --bench compact --no-run)
{
    header decider "Decider: compact proofs (issue 7)" "$cmd"
    bench_target compact "$K" "$N" "$L"
    footer
} | tee "$out.tmp"
mv "$out.tmp" "$out"
