//! Canopy's decider (issue 7): compresses a root accumulator of canopy-folding into a
//! compact proof (docs to be completed).

#![warn(missing_docs)]
#![allow(rustdoc::broken_intra_doc_links)]

pub mod error;
pub mod format;
pub mod keys;
pub mod proof;
pub mod prover;
mod slot;
pub mod statement;
pub mod verifier;

pub use error::DeciderError;
pub use keys::{DeciderKey, DefaultS1, DefaultS2, VerifierKey};
pub use proof::{CompactProof, SlotProof};
pub use prover::prove;
pub use statement::Statement;
pub use verifier::verify;
