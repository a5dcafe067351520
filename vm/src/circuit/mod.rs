//! The CPU step circuit and its memory argument (issue 4) — **unfinished, under construction**.
//!
//! Built behind the cargo feature `circuit` (`cargo test -p canopy-vm --features circuit`)
//! until it is complete. The plan is `docs/cpu-circuit.md`.
//!
//! * [`row`]: one RV32IM instruction as R1CS over BN254's scalar field; it takes the fetched
//!   word and the old data word as inputs and outputs the data word's new value, so it never
//!   talks to the memory argument itself.
//! * [`memory`]: the memory argument (a sparse Poseidon Merkle tree), circuit and native twin,
//!   behind one interface so that offline memory checking can replace it.
//! * [`block`]: the CPU block circuit F_0 (K rows) and its streaming witness generator.
//! * [`coprocessor`]: the coprocessor step circuits F_j of the `custom-0` mailbox hand-off,
//!   and [`coprocessor::CanopyStep`], the m circuits of a proof as one type.

pub mod block;
pub mod coprocessor;
pub mod memory;
pub mod row;
