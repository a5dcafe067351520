# Shared helpers of the benchmark scripts (sourced, not run).
# Every section script writes bench/results/<section>.md: the command, the machine, the date,
# the git commit and the load average before and after, then the figures.

BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$BENCH_ROOT/target}"
RESULTS="$BENCH_ROOT/bench/results"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"
mkdir -p "$RESULTS"

load() { cut -d' ' -f1-3 /proc/loadavg; }

# One line describing the machine.
machine() {
    local model cores ram
    model=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n1)
    cores=$(nproc)
    ram=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
    echo "${model:-unknown CPU}, $cores cores, $ram RAM, $(uname -sr)"
}

commit() {
    local c dirty=""
    c=$(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
    git -C "$BENCH_ROOT" diff --quiet HEAD -- src vm circuit folding decider pcd-tree coprocessors cli guest benches 2>/dev/null \
        || dirty=" (with uncommitted changes in the working tree)"
    echo "$c$dirty"
}

# header SECTION TITLE COMMAND: starts bench/results/SECTION.md (prints to stdout).
header() {
    echo "<!-- section: $1 -->"
    echo "## $2"
    echo
    echo "- Command: \`$3\`"
    echo "- Machine: $(machine)"
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(commit)"
    echo "- Load average (1/5/15 min) at the start: $(load) — the machine is shared; compare figures only at similar load"
    echo
}

footer() {
    echo
    echo "- Load average at the end: $(load) ($(date -u '+%H:%M UTC'))"
}

# Runs a cargo bench target of the root crate, quietly.
bench_target() {
    local name=$1
    shift
    (cd "$BENCH_ROOT" && cargo bench -q -p canopy --bench "$name" -- "$@")
}

# Seconds since the epoch, with fractions.
now() { date +%s.%N; }
