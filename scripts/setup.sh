#!/usr/bin/env bash
# Installs the Debian packages Canopy's tests need, only those that are missing.
# Needs root (or sudo) and Debian's apt. Safe to run repeatedly.
set -euo pipefail

PACKAGES=(
  gcc-riscv64-unknown-elf   # guest cross compiler (rv32im/ilp32 multilib)
  picolibc-riscv64-unknown-elf
  qemu-user                 # qemu-riscv32: the VM's differential-testing oracle
  libopenmpi-dev openmpi-bin  # MPI (cargo feature `mpi`)
  libclang-dev pkg-config     # bindgen for rsmpi
  python3                     # scripts/check_module_cycles.py
  # Rust guests (guest/rust, `canopy build`): Debian's rustc/cargo 1.96 and the standard
  # library's sources for -Z build-std, from Debian 12's security suite. The host build keeps
  # using rustup's toolchain (first on PATH). rust-web-src conflicts with Debian's rust-src and
  # rustup *packages*, not with a rustup install in ~/.cargo.
  rustc-web cargo-web rust-web-src
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all Debian packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
