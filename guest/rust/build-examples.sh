#!/usr/bin/env bash
# Rebuilds the Rust example guests from source with Debian's Rust toolchain and copies each ELF
# beside its source (examples/NAME.elf, copro/NAME.elf); records the compiler in TOOLCHAIN.
# Usage: bash guest/rust/build-examples.sh [path/to/canopy]   (default: target/release/canopy
# of the repository, built with `cargo build --release -p canopy-cli`).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
canopy="${1:-$here/../../target/release/canopy}"
elfs="$("$canopy" build "$here" -- --locked)"
for elf in $elfs; do
  name="$(basename "$elf")"
  for dir in examples copro; do
    if [ -f "$here/$dir/$name.rs" ]; then
      cp "$elf" "$here/$dir/$name.elf"
      echo "$dir/$name.elf"
    fi
  done
done
# The compiler and the linker that made the ELFs: with others they may differ (the tests then
# compare behaviour instead of bytes).
{ /usr/bin/rustc --version; riscv64-unknown-elf-ld --version | head -1; } > "$here/TOOLCHAIN"
