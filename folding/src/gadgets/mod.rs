//! In-circuit pieces shared by the augmented circuits and the PCD merge circuits: allocated
//! foreign instances and their absorb encoders, `conv250`, the Poseidon hash gadget, and the
//! two folding verifiers FoldRS (relaxed–strict) and FoldRR (relaxed–relaxed).
//!
//! Every gadget is generic over a nova-snark [`Engine`](nova_snark::traits::Engine) `E`: the
//! circuit is over `E::Base` and manipulates instances of `E` (points native, scalars foreign).
//! The primary circuits use `E = GrumpkinEngine`, the secondary ones `E = Bn256EngineIPA`.

pub mod conv;
pub mod fold_rr;
pub mod fold_rs;
pub mod hash;
pub mod instance;
