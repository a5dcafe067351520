//! Canopy: a folding zkVM for RISC-V programs.
//!
//! This crate is the public API that ties Canopy's layers together. For now it re-exports the
//! virtual machine ([`vm`], the `canopy-vm` crate: ELF loading, RV32IM execution, guest I/O,
//! streaming traces); `Program`, `Prover`, `Proof` and `verify` come with the proving layers.
pub use canopy_vm as vm;
