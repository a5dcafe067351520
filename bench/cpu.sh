#!/usr/bin/env bash
# CPU circuit benchmark: constraint tables, then one process per K proving fib(N)
# (time per fold step, instructions/s, peak memory). See benches/cpu.rs.
#
#   bash bench/cpu.sh                 # K = 1 4 16, fib(5)
#   KS="1 4 16 64" N=5 bash bench/cpu.sh
#
# Parameters are cached in $CANOPY_BENCH_PARAMS (default <target>/tmp/canopy-bench-params): the
# first run per K pays for the setup (K = 64: minutes). The machine load is printed with the
# results because timings on a shared machine are only comparable at similar load.
set -euo pipefail
cd "$(dirname "$0")/.."
KS=${KS:-"1 4 16"}
N=${N:-5}
bench() { cargo bench -q -p canopy -p canopy-cli --bench cpu -- "$@"; }
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
bench counts
echo
for k in $KS; do
    bench prove "$k" "$N" | { [ "$k" = "$(echo $KS | cut -d' ' -f1)" ] && cat || tail -n 1; }
    echo "#   after K = $k: load $(cut -d' ' -f1-3 /proc/loadavg)"
done
