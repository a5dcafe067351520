#!/usr/bin/env bash
# The test command: installs what is missing, then checks formatting, lints
# and runs every test of the workspace (with the CPU circuit and MPI: the
# MPI tests, of the library and of `canopy prove --mpi`, start `mpirun -n 2` and
# `mpirun -n 3 --oversubscribe`).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

# A one-off build gains nothing from incremental compilation, and its caches
# doubled the target directory's size. Show the disk: a full disk once failed
# CI half-way through the build.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
df -h . | tail -1

echo "== module cycles"
python3 scripts/check_module_cycles.py

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked --features canopy-pcd/mpi,canopy-cli/mpi -- -D warnings

echo "== cargo test"
cargo test --workspace --locked --features canopy-pcd/mpi,canopy-cli/mpi
