#!/usr/bin/env bash
# PCD tree figures, one benchmark at a time:
#  1. merge circuit sizes (PM, SM) beside the CPU step overhead      (benches/tree.rs sizes)
#  2. leaf and merge time, 1 vs 2 threads, wall-time model for R ranks (benches/tree.rs prove)
#  3. verify time and proof size for trees of ~4, ~16 and ~64 leaves  (benches/tree.rs prove)
#  4. peak memory (max RSS, /usr/bin/time -v) for N and 16·N fold steps (pcd-tree's demo binary)
#  5. 1 vs 2 MPI ranks (canopy-pcd-mpi-demo under mpirun, toy circuits)
#  6. peak memory of `canopy prove` (the CPU circuit) for fib runs of N and ~16·N fold steps
#
#   bash bench/tree.sh            # everything (≈20-30 min on 2 shared cores)
#   bash bench/tree.sh --quick    # no 64-leaf tree, smaller memory runs
#   PARTS="1 2" bash bench/tree.sh
#
# Writes bench/results/tree.md (and prints it).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
QUICK=0; [ "${1:-}" = "--quick" ] && QUICK=1
PARTS=${PARTS:-"1 2 3 4 5"}
K=${K:-4}; N=${N:-5}
out="$RESULTS/tree.md"
has() { [[ " $PARTS " == *" $1 "* ]]; }

(cd "$BENCH_ROOT" && cargo bench -q -p canopy --bench tree --no-run)
if has 4 || has 5; then (cd "$BENCH_ROOT" && cargo build -q --release -p canopy-pcd --features mpi --bin canopy-pcd-mpi-demo); fi
if has 6; then (cd "$BENCH_ROOT" && cargo build -q --release -p canopy-cli); fi

{
    header tree "PCD tree" "PARTS=\"$PARTS\" bash bench/tree.sh$([ $QUICK = 1 ] && echo ' --quick')"
    if has 1; then
        echo "### Merge circuits beside the step overhead"
        echo
        echo "Command: \`cargo bench -p canopy --bench tree -- sizes 1,4,16\` (load $(load))"
        echo
        bench_target tree sizes 1,4,16 | awk 'NR <= 3 || !/^\| K/ && !/^\|---/'
        echo
        echo "Step overhead = F' − F + S' (what the folding wrapper and the secondary circuit add to one step of the CPU block); the aim is PM + SM below 1.5× the step overhead."
        echo
    fi
    if has 2; then
        echo "### Leaf and merge time; 1 vs 2 threads; expected wall time for R ranks"
        echo
        echo "Command: \`cargo bench -p canopy --bench tree -- prove $K $N 4 1,2\` (load $(load))"
        echo
        bench_target tree prove "$K" "$N" 4 1,2
        echo
        echo "Speed-up with 2 threads = proving time with 1 thread / with 2 threads (rows above, same process, one after the other)."
        echo
    fi
    if has 3; then
        ls="15,4"; [ $QUICK = 0 ] && ls="15,4,1"
        echo "### Verify time and proof size vs number of leaves"
        echo
        echo "Command: \`cargo bench -p canopy --bench tree -- prove $K $N $ls 1\` (load $(load)). fib($N) has 57 fold steps at K = 4: 15, 4 and 1 steps per leaf give 4, 15 and 57 leaves."
        echo
        bench_target tree prove "$K" "$N" "$ls" 1 | sed '/^Model/,$d'
        echo
    fi
    if has 4; then
        demo="$TARGET/release/canopy-pcd-mpi-demo"
        small=${MEM_LEAVES:-4}; big=$((small * 16)); steps=${MPI_STEPS:-4}
        [ $QUICK = 1 ] && big=$((small * 4))
        echo "### Peak memory vs program length"
        echo
        echo "Command: \`/usr/bin/time -v mpirun --allow-run-as-root -n 1 $demo LEAVES $steps OUT\` for LEAVES = $small and $big (max resident set size; pcd-tree's test circuits, one rank: its leaves go through the streaming stack). The CPU-circuit version is part 6."
        echo
        echo "| leaves × steps | fold steps | wall time | max RSS | load at the start |"
        echo "|---|---|---|---|---|"
        tmp=$(mktemp -d)
        for n in $small $big; do
            l=$(load)
            /usr/bin/time -v -o "$tmp/time" mpirun --allow-run-as-root -n 1 "$demo" "$n" "$steps" "$tmp/root" >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; exit 1; }
            rss=$(awk -F': ' '/Maximum resident/ {printf "%.0f MiB", $2 / 1024}' "$tmp/time")
            wall=$(awk -F': ' '/Elapsed \(wall/ {print $2}' "$tmp/time")
            echo "| $n × $steps | $((n * steps)) | $wall | $rss | $l |"
        done
        rm -rf "$tmp"
        echo
        echo "The second run has 16× (with --quick 4×) the fold steps of the first."
        echo
    fi
    if has 5; then
        demo="$TARGET/release/canopy-pcd-mpi-demo"
        leaves=${MPI_LEAVES:-8}; steps=${MPI_STEPS:-4}
        echo "### MPI: 1 vs 2 ranks"
        echo
        echo "Command: \`mpirun --allow-run-as-root -n R $demo $leaves $steps OUT\` (pcd-tree's test circuits, a non-uniform pair of tiny step circuits: the ranks' leaves and merges, not the CPU circuit; \`canopy prove --mpi\` was not measured)."
        echo
        echo "| ranks | leaves × steps | wall time (process, incl. parameter setup) | load at the start |"
        echo "|---|---|---|---|"
        tmp=$(mktemp -d)
        for r in 1 2; do
            l=$(load)
            t0=$(now)
            mpirun --allow-run-as-root -n $r "$demo" "$leaves" "$steps" "$tmp/root" >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; exit 1; }
            t1=$(now)
            printf "| %s | %s × %s | %.1f s | %s |\n" "$r" "$leaves" "$steps" "$(echo "$t1 - $t0" | bc -l)" "$l"
        done
        rm -rf "$tmp"
        echo
    fi
    if has 6; then
        canopy="$TARGET/release/canopy"
        fibs=${FIBS:-"1 150"}; k6=${K6:-4}; leaf6=${LEAF6:-16}; mem6=${MEM6:-512KiB}
        echo "### Peak memory vs program length: \`canopy prove\` (CPU circuit)"
        echo
        echo "Command: \`/usr/bin/time -v canopy prove guest/examples/fib.elf --input F --block-size $k6 --memory-size $mem6 --leaf-steps $leaf6 --threads 1 --full --json\` with F holding n = ${fibs// /, } (max resident set size of the process; parameters loaded from a warm cache by a first run that is not timed)."
        echo
        echo "| fib(n) | instructions | fold steps | leaves | proving (from --json) | wall time | max RSS | load at the start |"
        echo "|---|---|---|---|---|---|---|---|"
        tmp=$(mktemp -d)
        params="$tmp/params"
        for n in $fibs; do
            echo "$n" >"$tmp/in"
            # warm the parameter cache once (not timed)
            if [ ! -d "$params" ]; then
                "$canopy" setup --block-size "$k6" --memory-size "$mem6" --params-dir "$params" --vk-out "$tmp/vk" >/dev/null 2>"$tmp/log" \
                    || { cat "$tmp/log" >&2; exit 1; }
            fi
            l=$(load)
            /usr/bin/time -v -o "$tmp/time" "$canopy" prove "$BENCH_ROOT/guest/examples/fib.elf" --input "$tmp/in" \
                --block-size "$k6" --memory-size "$mem6" --leaf-steps "$leaf6" --threads 1 --full --json \
                --params-dir "$params" -o "$tmp/proof" >"$tmp/json" 2>"$tmp/log" || { cat "$tmp/log" >&2; exit 1; }
            rss=$(awk -F': ' '/Maximum resident/ {printf "%.0f MiB", $2 / 1024}' "$tmp/time")
            wall=$(awk -F': ' '/Elapsed \(wall/ {print $2}' "$tmp/time")
            python3 - "$tmp/json" "$n" "$leaf6" "$wall" "$rss" "$l" <<'PY'
import json, math, sys
j = json.load(open(sys.argv[1]))
steps, instr = j["fold_steps"], j["instructions"]
secs = j["timings"]["prove_seconds"]
leaves = math.ceil(steps / int(sys.argv[3]))
print(f"| {sys.argv[2]} | {instr} | {steps} | {leaves} | {secs:.1f} s | {sys.argv[4]} | {sys.argv[5]} | {sys.argv[6]} |")
PY
        done
        rm -rf "$tmp"
        echo
    fi
    footer
} | tee "$out.tmp"
mv "$out.tmp" "$out"
