#!/usr/bin/env bash
# The test command: installs what is missing, then checks formatting, lints
# and runs every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked --features canopy-vm/circuit -- -D warnings

echo "== cargo test"
cargo test --workspace --locked --features canopy-vm/circuit
