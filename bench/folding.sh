#!/usr/bin/env bash
# Issue 18 figures, one run: constraints per fold step for option A (the binding chain, built)
# and option B (commitment-carrying folding, projected from the gadgets it would add), proven
# instructions/s on fib(N) at the default K with 1 and 2 threads (and at ALT), nova-snark's fold
# step at the same primary size, and the CLI end to end (folding, decider, verify) on 2 threads
# at K and ALT, twice each, alternating.
#
#   bash bench/folding.sh             # K = 112 (the default), fib(150); K = 128 for comparison
#   K=64 ALT=128 N=600 bash bench/folding.sh
#
# Writes bench/results/folding.md (and prints it). See benches/cpu.rs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
K=${K:-112}; ALT=${ALT:-128}; N=${N:-150}
[ "${1:-}" = "--quick" ] && true # one size only
out="$RESULTS/folding.md"
cpu() { (cd "$BENCH_ROOT" && cargo bench -q -p canopy --bench cpu -- "$@"); }
(cd "$BENCH_ROOT" && cargo bench -q -p canopy --bench cpu --no-run && cargo build -q --release -p canopy-cli)
canopy="$TARGET/release/canopy"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%s' "$N" >"$tmp/in"
# the parameters for K and ALT, set up (or loaded) once before anything is timed
for k in "$K" "$ALT"; do
    cpu prove "$k" 5 >/dev/null
    "$canopy" prove "$BENCH_ROOT/guest/examples/fib.elf" --input "$tmp/in" --block-size "$k" --full -o "$tmp/warm.proof" >/dev/null 2>&1
done
{
    header folding "Folding: option A against option B (issue 18), throughput at the default K" \
        "bash bench/folding.sh (K = $K and $ALT, N = $N)"
    echo "### Constraints per fold step: option A (built) and option B (projected)"
    echo
    echo "\`cargo bench -p canopy --bench cpu -- counts\`. Option B is **projected, not built**: today's F' without"
    echo "its binding chain (\`block/chain\`, measured), plus the gadgets B adds to S' per step, synthesized and counted"
    echo "(the fold of the second commitment C_ω: a 128-bit scalar multiplication and a point addition; C_ω's"
    echo "elements in the instance hashes and in r's transcript; the chain's digest in g_in and g_out; the chain step"
    echo "H(IC, C_ω)). The merge circuits SM would also fold C_ω for every slot (not counted here)."
    echo
    cpu counts | sed -n '/^## Option A/,$p' | sed 1d
    echo
    echo "### Proving fib($N) (\`cargo bench -p canopy --bench cpu -- prove K $N\`, one process each)"
    echo
    echo "instr/s is instructions over the whole \`Prover::prove\` (phase 1, every fold step including the audit steps)."
    echo
    echo "| threads | K | run | instructions | fold steps | F' constraints | step (median) | step (max) | instr/s | MSM of \|W\| | peak RSS | params |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
    for t in 1 2; do
        echo "| $t $(RAYON_NUM_THREADS=$t cpu prove "$K" "$N" | tail -n 1)"
    done
    echo "| 2 $(RAYON_NUM_THREADS=2 cpu prove "$ALT" "$N" | tail -n 1)"
    echo
    cpu sizes "$K" "$ALT"
    prim=$(cpu sizes "$K" | awk -F'|' -v k="$K" '$2+0 == k {gsub(/ /, "", $3); print $3; exit}')
    echo
    echo "### nova-snark's fold step at the same primary size (\`cargo bench -p canopy --bench cpu -- nova $((prim - 9986))\`, 2 threads)"
    echo
    echo "A repeated-squaring step circuit of $((prim - 9986)) constraints, plus nova-snark's own augmentation (9,986), has"
    echo "Canopy's F' size at K = $K ($prim)."
    echo
    cpu nova "$((prim - 9986))"
    echo
    echo "### The CLI end to end: \`canopy prove fib.elf --input ($N) --block-size K --threads 2 --json\`, then \`canopy verify\` (K = $K, $ALT, $K, $ALT)"
    echo
    echo "| K | instructions | fold steps | constraints per instruction | params | folding | decider | compact proof | whole process | instr/s over folding | over folding + decider | verify (process) | peak RSS |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    for k in "$K" "$ALT" "$K" "$ALT"; do
        /usr/bin/time -f '%e %M' -o "$tmp/time" "$canopy" prove "$BENCH_ROOT/guest/examples/fib.elf" --input "$tmp/in" \
            --block-size "$k" --threads 2 --json -o "$tmp/fib.proof" >"$tmp/json" 2>/dev/null
        t0=$(now)
        "$canopy" verify "$tmp/fib.proof" --program "$BENCH_ROOT/guest/examples/fib.elf" --input "$tmp/in" >/dev/null 2>&1
        t1=$(now)
        python3 - "$tmp/json" "$tmp/time" "$(echo "$t1 - $t0" | bc -l)" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); t = j["timings"]
wall, rss = open(sys.argv[2]).read().split()
n = j["instructions"]
print(f"| {j['block_size']} | {n} | {j['fold_steps']} | {j['constraints_per_instruction']:.0f} | {t['params_seconds']:.1f} s | {t['prove_seconds']:.1f} s | "
      f"{t['decider_seconds']:.1f} s | {j['file_bytes']} B | {float(wall):.1f} s | {n / t['prove_seconds']:.1f} | "
      f"{n / (t['prove_seconds'] + t['decider_seconds']):.1f} | {float(sys.argv[3]):.2f} s | {int(rss) / 1024:.0f} MiB |")
PY
    done
    footer
} | tee "$out.tmp"
mv "$out.tmp" "$out"
