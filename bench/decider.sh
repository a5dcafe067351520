#!/usr/bin/env bash
# Decider figures: decider key setup, compression time, compact proof size, verifier
# key size and read time, verify time, for fib(N) at K as one leaf and as merged tree roots of
# about L leaves for each L of a list.
#
#   bash bench/decider.sh            # K = 16, fib(70), roots of ≥ 4, 16 and 64 leaves
#   K=128 N=150 L=4 bash bench/decider.sh
#   PTAU=FILE bash bench/decider.sh  # the HyperKZG run with this powers-of-tau file
#
# Runs the transparent (IPA) decider, then the HyperKZG one (`--ptau`) with PTAU, else with an
# INSECURE test file of 2^POWER powers (default 17) made by canopy-decider's
# `insecure_test_ptau` example (fine for timings, never for real proofs).
# Writes bench/results/decider.md (and prints it). See benches/compact.rs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
K=${K:-16}; N=${N:-70}; L=${L:-4,16,64}
[ "${1:-}" = "--quick" ] && true # same size: the decider has no smaller useful form
out="$RESULTS/decider.md"
cmd="cargo bench -p canopy --bench compact -- $K $N $L [PTAU]"
(cd "$BENCH_ROOT" && cargo bench -q -p canopy --bench compact --no-run)
if [ -z "${PTAU:-}" ]; then
    PTAU="$TARGET/tmp/insecure-test-${POWER:-17}.ptau"
    mkdir -p "$(dirname "$PTAU")"
    (cd "$BENCH_ROOT" && cargo run -q --release -p canopy-decider --features insecure-test-srs \
        --example insecure_test_ptau -- "${POWER:-17}" "$PTAU") >&2
    ptau_note="an insecure test powers-of-tau file of 2^${POWER:-17} powers (\`insecure_test_ptau\` example; timings only)"
else
    ptau_note="the powers-of-tau file $PTAU"
fi
{
    header decider "Decider: compact proofs" "$cmd"
    echo "### Transparent: IPA on both curves (the default)"
    echo
    bench_target compact "$K" "$N" "$L"
    echo
    echo "### HyperKZG on BN254 (\`--ptau\`), IPA on Grumpkin; with $ptau_note"
    echo
    # halo2curves 0.9.0 prints 62 lines of true/false on stdout per G2 subgroup check (see
    # cli/src/quiet.rs); they are not part of the results
    bench_target compact "$K" "$N" "$L" "$PTAU" | grep -vxE 'true|false'
    footer
} | tee "$out.tmp"
mv "$out.tmp" "$out"
