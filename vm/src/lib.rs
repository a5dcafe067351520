//! Canopy RV32IM virtual machine (in progress, issue 2).
