#!/usr/bin/env bash
# Coprocessor figures, one benchmark at a time (see benches/copro.rs):
#  1. instructions and calls of the software and coprocessor SHA-256 guests, 1 KiB and 64 KiB
#  2. time per CPU step and per SHA-256 coprocessor step from a proof of sha256_copro, and
#     the projected proving times of 1 KiB and 64 KiB (software vs coprocessor)
#  3. five coprocessors registered but not called vs none: time per fold step
#
#   bash bench/copro.sh             # K = 16 for 2 (64-byte input), K = 4 for 3
#   bash bench/copro.sh --quick     # K = 4 for 2
#
# Writes bench/results/copro.md (and prints it).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
QUICK=0; [ "${1:-}" = "--quick" ] && QUICK=1
PARTS=${PARTS:-"1 2 3"}
KS=${KS:-16}; [ $QUICK = 1 ] && KS=4
LEN=${LEN:-64}
KU=${KU:-4}; NU=${NU:-5}
out="$RESULTS/copro.md"
has() { [[ " $PARTS " == *" $1 "* ]]; }
(cd "$BENCH_ROOT" && cargo bench -q -p canopy --bench copro --no-run)
{
    header copro "Coprocessors" "PARTS=\"$PARTS\" bash bench/copro.sh$([ $QUICK = 1 ] && echo ' --quick')"
    if has 1; then
        echo "### Instruction and call counts (native runs, measured)"
        echo
        echo "Command: \`cargo bench -p canopy --bench copro -- counts\`"
        echo
        bench_target copro counts
        echo
    fi
    if has 2; then
        echo "### SHA-256: coprocessor vs software"
        echo
        echo "Command: \`cargo bench -p canopy --bench copro -- steps $KS $LEN\`"
        echo
        bench_target copro steps "$KS" "$LEN"
        echo
    fi
    if has 3; then
        echo "### Registered but uncalled coprocessors (the non-uniform promise)"
        echo
        echo "Command: \`cargo bench -p canopy --bench copro -- uniform $KU $NU\` (load $(load))"
        echo
        bench_target copro uniform "$KU" "$NU"
        echo
    fi
    footer
} | tee "$out.tmp"
mv "$out.tmp" "$out"
