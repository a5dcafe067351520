//! Canopy: a folding zkVM for RISC-V programs. Public API (in progress).
pub use canopy_vm as vm;
