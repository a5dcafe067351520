//! `canopy-circuit`: Canopy's step circuits over BN254's scalar field.
//!
//! It owns the R1CS side of a RISC-V step: the CPU row and block circuits, the memory
//! argument (circuit and native twin), the `custom-0` hand-off to coprocessor circuits and the
//! enum of the m step circuits of a proof. It knows nothing of trees, MPI or proof files; the
//! native machine it proves lives in `canopy-vm`, which knows nothing of circuits.
//!
//! * [`state`]: the layout of the IVC state z; [`registers`]: the register hash in it.
//! * [`row`]: one RV32IM instruction as R1CS; it takes the fetched word and the old data word
//!   as inputs and outputs the data word's new value, so it never talks to the memory argument
//!   itself.
//! * [`memory`]: leaves (a word and its permission tags), the program image, and the former
//!   Merkle memory (only its native root is still used, as the program digest).
//! * [`block`]: the CPU block circuit F_0 (K rows) and its streaming witness generator.
//!   [`params`]: the parameters it shares with the coprocessor steps.
//! * [`coprocessor`]: the one coprocessor trait ([`ProvableCoprocessor`]: native function and
//!   circuit) and the types of its circuit half.
//! * [`handoff`]: the coprocessor step circuits F_j of the `custom-0` mailbox hand-off.
//! * [`step`]: [`step::CanopyStep`], the m circuits of a proof as one type.
//! * [`memcheck`]: the offline memory-checking argument (natively and in circuit): accesses,
//!   LogUp sums, the binding chain and the challenges; [`audit`]: the audit step circuit
//!   that adds the final set after halt.
//!
//! Modules depend on each other in this order only (no cycle): `state`, `registers`, `memory`,
//! `row`, `memcheck`, `coprocessor` → `params` → `handoff`, `audit` → `block` → `step`
//! (`python3 scripts/check_module_cycles.py` checks that no two modules import each other).

pub mod audit;
pub mod block;
pub mod coprocessor;
pub mod error;
pub mod handoff;
pub mod memcheck;
pub mod memory;
pub mod params;
pub mod registers;
pub mod row;
pub mod state;
pub mod step;

/// The field the step circuits are over (BN254's scalar field).
pub use canopy_folding::F1;
pub use coprocessor::{CoprocessorCircuit, ProvableCoprocessor};
pub use params::BlockParams;
pub use step::CanopyStep;
