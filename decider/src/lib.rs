//! Canopy's decider (docs/protocol.md §4): compresses a root accumulator of
//! canopy-folding into a compact proof that a verifier checks without any witness, with only
//! a [`VerifierKey`] and the public [`Statement`] (n, (pc_0, z_0), (pc, z)).
//!
//! # API
//! ```text
//! let dk: DeciderKey = DeciderKey::setup(&pp)?;          // deterministic from the parameters
//! let proof = canopy_decider::prove(&pp, &dk, &acc)?;      // acc: leaf or PCD root
//! let bytes = proof.to_bytes()?;                          // magic "CNPY-CP\0", version, bincode 2
//! let vk_bytes = dk.verifier_key().to_bytes()?;           // magic "CNPY-VK\0", version, bincode 2
//! let vk: VerifierKey = VerifierKey::from_bytes(&vk_bytes)?;
//! canopy_decider::verify(&vk, &statement, &CompactProof::from_bytes(&bytes)?)?;
//! ```
//!
//! # What is proven (the text a reviewer checks the code against)
//! Slots, in this order: primary U[0..m) (shape S_j) and U[m] (S_PM), secondary U'[0] (S')
//! and U'[1] (SM). κ = the kind of the last strict secondary instance u' (0: from S', 1: from
//! SM). A leaf root's (κ = 0) merge slots U[m], U'[1] are DEFAULT or random starts and are not
//! proven: the leaf circuits only carry them, so its statement does not depend on them
//! (docs/protocol.md §5 "Decider"); h and g still bind them.
//!
//! **Prover** ([`prove`]): (1) fold u' into U'[κ] with nova-snark's `NIFS` (transcript: pp as
//! an F2 element, u', T; U'[κ] is bound through u'.X0 = h, the Nova argument); (2) for every
//! slot that is *not exactly* the default instance (nor a leaf root's merge slot): draw a
//! random satisfying relaxed pair of the slot's shape (`sample_random_instance_witness`),
//! fold it in with `NIFSRelaxed` (transcript absorbs both instances and T) and remove the
//! commitment blinds of the folded witness (`derandomize`, the blinds are revealed); (3)
//! prove all derandomised slots of a curve with **one batched Spartan** ([`spartan`]: one
//! outer zero-check, one inner sum-check, one opening, instances of different sizes without
//! padding to the largest);
//! (4) the proof carries every slot instance, u', κ, ρ1, ρ2, the NIFS, one [`SlotBlind`]
//! per proven slot and one SNARK per curve.
//!
//! **Zero knowledge, and what leaks.** The SNARKs see the blinded witnesses only, which are
//! uniformly distributed; commitments are hiding and ρ1, ρ2 blind the state hashes (P17).
//! The running instances themselves are revealed, because the verifier recomputes the state
//! hashes from them. A slot that started at DEFAULT gains one 128-bit challenge in u per fold,
//! so it would tell how many times its circuit ran, and a DEFAULT slot that it never ran. The
//! prover therefore starts the first leaf's slots at random satisfying instances
//! (`canopy_folding::SlotStart::Random`, docs/protocol.md §3.7: W = 0, u and X uniform): every
//! revealed slot's u and X are then uniform whatever ran, and its commitments are hiding.
//! The per-slot blinding below hides its witness from the SNARK (the start leaves the
//! witness the run's own). **What a proof reveals:** the statement, κ, the parameters, and
//! data distributed independently of the run given those ([`CompactProof::revealed_instances`]).
//! A root whose first leaf started at DEFAULT (only through the folding API) still reveals
//! per-circuit fold counts.
//!
//! **Verifier** ([`verify`]): (1) n ≥ 1, arities, number of slots (m + 1 and 2, from the
//! key), every IO length against its shape (2, or 3 for S_PM), κ ∈ {0, 1}, |u'.X| = 2;
//! (2) recompute `h = H1^250(T_SIG, pp, n, pc_0, z_0, pc, z, rel(U'[0]), rel(U'[1]), ρ1)` and
//! `g = H2^250(T_TAU, pp, d(U[0]), …, d(U[m]), ρ2)` with the key's pp (never a digest from
//! the proof) and require `int(u'.X0) = int(h)`, `int(u'.X1) = int(g)` (so both < 2^250);
//! (3) compute U'_f[κ] = NIFS.verify(U'[κ], u') itself (P14: the instances the SNARKs check
//! are derived from the hash-checked ones, never supplied); (4) per slot: if the proof has
//! no blinding for it, the instance must be exactly DEFAULT (identity commitments, u = 0,
//! X = 0), which the all-zero witness satisfies, or be a merge slot with κ = 0; otherwise
//! fold with the revealed random instance (IO length checked; for the secondary curve also u < p, see below) and
//! derandomise with the revealed blinds; (5) per curve, verify the batched SNARK over
//! exactly the derandomised slots. Soundness then follows docs/protocol.md §5 ("Decider"):
//! SNARK soundness ⇒ the derandomised folds are satisfiable ⇒ (folding lemma) every slot
//! and u' are ⇒ with the hash checks, V(root).
//!
//! **Transcript detail (a deviation worth knowing).** nova-snark absorbs a relaxed
//! instance's u with `scalar_as_base`; on Grumpkin u ∈ F2 is reduced into F1 (p < q), so u and
//! u + p would give the same challenge. For the slot instances this is harmless (u is fixed
//! by the hash-bound instance and the NIFS challenge), but the random instance is chosen by
//! the prover; the verifier therefore requires the secondary random instance to have
//! u < p (the prover redraws, probability of a redraw ≈ 2^−127), making the absorbed value
//! injective. Primary u ∈ F1 embeds into F2 injectively.
//!
//! # Choices
//! * **SNARK: Canopy's batched Spartan ([`spartan::BatchSpartan`]) over IPA on both curves**
//!   ([`DefaultS1`], [`DefaultS2`]). nova-snark 0.76 keeps its batched Spartan private; its
//!   sum-check polynomials, sparse-matrix tables and evaluation engines are public and are
//!   what [`spartan`] is built on. One opening per curve instead of one per slot is what
//!   makes the proof size and the decider time independent of the number of proven slots
//!   (up to 7 field elements per slot).
//! * **IPA prover: [`spartan::ipa::FastIpa`].** nova-snark's IPA prover folds the generators
//!   one at a time in every round; at 2^18 entries (the CPU step at K = 128) that alone was
//!   33 s. FastIpa produces the same argument (tested bit for bit) in a fraction of that and
//!   keeps nova-snark's verifier.
//! * **Verifier-key file.** The batched key holds the padded R1CS matrices of every slot and
//!   the IPA generators; the file drops the generators and stores their number, and reading
//!   it regenerates them from the label ([`keys`]). The `canopy` crate and the CLI store a
//!   recipe instead (`canopy::VerifierKeyFile`: K, memory size, coprocessors, parameters
//!   digest) and derive this key from the (cached) parameters.
//! * **HyperKZG** (with a user powers-of-tau file): [`kzg`]. Instead of a second folding
//!   engine, the folding parameters take the file's G1 powers as their BN254 generators
//!   (`PublicParams::setup_with_primary_key`), which makes every primary commitment of the
//!   accumulator a KZG commitment (nova-snark's Pedersen and HyperKZG engines commit with the
//!   same formula); [`KzgSnark`] then proves the primary slots with the batched Spartan over
//!   HyperKZG, moving instances, witnesses and shapes to `Bn256EngineKZG` by a serde round
//!   trip, and [`DeciderKey::setup_kzg`] builds its keys with the file's [τ]G2. The Grumpkin
//!   slots keep IPA. Keys and proofs are the generic ones with S1 = [`KzgSnark`]
//!   ([`KzgDeciderKey`], [`KzgVerifierKey`], [`KzgCompactProof`]).
//!
//! Measurements: BENCHMARKS.md, "Decider: batched Spartan".
//!
//! # Files
//! [`CompactProof::to_bytes`] / [`VerifierKey::to_bytes`]: 8 magic bytes, a `u32` format
//! version (2 for both since the batched SNARK; a version-1 file is a "format version"
//! error), a bincode 2 (serde) body that must be consumed exactly, decoded with an
//! allocation limit. Wrong magic, another version, truncation or trailing bytes are
//! [`DeciderError::Format`]; a decoded but false proof is [`DeciderError::Rejected`]. A
//! panic inside nova-snark's verifiers on malformed data is caught and reported as a
//! rejection; the batched SNARK checks every length against the key before it calls them.

#![allow(rustdoc::broken_intra_doc_links)]

pub mod error;
pub mod keys;
pub mod kzg;
pub mod proof;
pub mod prover;
mod recast;
mod slot;
pub mod spartan;

/// Upper bound on the bytes the decoder may allocate for one file (1 GiB): a forged length
/// prefix cannot make it allocate more (the framing is `canopy_folding::framing`).
pub const DECODE_LIMIT: usize = 1 << 30;
pub mod statement;
pub mod verifier;

pub use error::DeciderError;
pub use keys::{DeciderKey, DefaultS1, DefaultS2, VerifierKey};
pub use kzg::{KzgSnark, Srs};
pub use proof::{CompactProof, SlotBlind};
pub use spartan::BatchSnark;

/// The decider key over HyperKZG (primary) and IPA (secondary).
pub type KzgDeciderKey = DeciderKey<KzgSnark, DefaultS2>;
/// The verifier key over HyperKZG (primary) and IPA (secondary).
pub type KzgVerifierKey = VerifierKey<KzgSnark, DefaultS2>;
/// A compact proof over HyperKZG (primary) and IPA (secondary).
pub type KzgCompactProof = CompactProof<KzgSnark, DefaultS2>;
pub use prover::prove;
pub use statement::Statement;
pub use verifier::verify;
