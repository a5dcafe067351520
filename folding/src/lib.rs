//! Canopy's non-uniform folding engine: SuperNova-style IVC over the BN254/Grumpkin cycle,
//! built on nova-snark 0.76's public pieces (R1CS shapes, relaxed instances, `commit_T`,
//! `fold`, the bellpepper-style frontend, the ecc / nonnative gadgets and the Poseidon RO).
//! It knows nothing of RISC-V: it folds steps of m user circuits F_0..F_{m-1}
//! ([`StepCircuit`]), keeping one running instance per circuit so that a step costs what its
//! own circuit costs.
//!
//! # API
//! * [`PublicParams::setup`] synthesizes the augmented shapes F'_0..F'_{m-1} and S', builds
//!   Pedersen commitment keys (BN254 with `Bn256EngineIPA`, Grumpkin with `GrumpkinEngine`;
//!   transparent, no setup file) and the digest pp; [`PublicParams::save`] /
//!   [`PublicParams::load`] cache them ([`params_file`]: a raw layout checked by one SHA-256,
//!   loaded in parallel; a stale file is told by a [`PublicParams::circuit_fingerprint`]).
//! * [`Accumulator::new`] runs the base step, [`Accumulator::prove_step`] one more step,
//!   [`Accumulator::verify`] is the native non-succinct check (RecursiveVerify).
//! * [`gadgets`] holds the in-circuit pieces, including FoldRR for the PCD merge circuits.
//!
//! ```text
//! // circuits: &[C] with C: StepCircuit<F1> (an enum for heterogeneous circuits)
//! let pp = PublicParams::setup(&circuits)?;            // or PublicParams::load(path)?
//! let mut acc = Accumulator::new(&pp, &circuits, pc0, z0)?; // step 1 runs F_{pc0}
//! for _ in 1..steps {
//!     acc.prove_step(&pp, &circuits)?;                   // runs F_pc, pc chosen by the last step
//! }
//! acc.verify(&pp)?;
//! let bytes = acc.to_bytes()?;                           // checkpoint
//! ```
//!
//! Serialisation uses bincode 2 through its serde API: nova-snark 0.76 already depends on it
//! (and encodes its digests with it), so it adds no crate to the tree, and every nova-snark
//! type is serde.
//!
//! # Protocol (the text a reviewer checks the code against)
//!
//! This crate implements the **leaf** of docs/protocol.md (§1, §2, §3.1–3.3) and the **merge**
//! circuits and driver of the PCD tree (§3.4–3.6, see [`merge`]). Notation: F1 = BN254
//! scalar field (primary circuits), F2 = Grumpkin scalar field (secondary circuit).
//!
//! **Encodings** ([`encoding`], [`gadgets::instance`]): `limbs(s)` = 4 × 64-bit limbs of a
//! foreign scalar; `pt(P) = (x, y, inf)` with the identity *only* as `(0, 0, 1)` (every
//! allocated point is constrained `x·inf = y·inf = 0`, P8); `rel(U) = pt(W)‖pt(E)‖limbs(u)‖
//! limbs(X_0)‖…` (u is limbs, never one native element: P3); `str(u) = pt(W)‖X_0‖…` where a
//! strict X value is a 250-bit integer. In circuit every strict X value goes through
//! `conv250` (250 booleans summing to it: unique because 2^250 < p, q, unsatisfiable for
//! X ≥ 2^250; P1, P4), the only way it becomes a BigNat. Limbs of running instances
//! allocated from the witness are not range-checked (P5) where they are bound by a hash check
//! to values that left a previous circuit through range-checked gadgets (`red_mod`, conv250)
//! or as constants. An instance that may be a random slot start no earlier circuit computed
//! on (U'[0] in F'_j, U_sel in S', U'_c[1] in PM, every U_c[t] in SM) is allocated **checked**
//! (`AllocatedRelaxed::alloc_checked`: points on the curve, limbs in [0, 2^64)).
//!
//! **Hashes** ([`hash`], [`gadgets::hash`]): Poseidon (Wide, nova-snark's default constants),
//! fresh sponge per call, first element a domain tag, the squeezed element decomposed strictly
//! (nova-snark's circuit squeeze uses `to_bits_le_strict`; its native squeeze reads the
//! canonical representation) and truncated to 250 bits (state hashes) or 128 bits
//! (challenges). A challenge is used as its bits for `scalar_mul` and as a BigNat packed from
//! the same bits (P2).
//!
//! **pp** ([`PublicParams`]): SHA3-256 (nova-snark `DigestComputer`, 250 bits kept) over the
//! encoding version, m, the arity, the nine tag values (T_SIG … T_SM2 and T_SLOT), both Poseidon constant sets, all
//! primary shapes, S' and both commitment keys. In every circuit pp is one witness variable
//! absorbed second (after the tag) in every state hash and challenge (the slot digests do
//! not absorb it: they only ever enter g, which does); the input hash check and
//! the output hash use the same variable, so pp is constant along the chain and the verifier
//! recomputes the hashes with its own pp.
//!
//! **State hashes.** For an accumulator with step count n, start (pc_0, z_0), current state
//! (pc, z), secondary running instance U'[0], primary running instances U[0..m), blinds ρ1, ρ2:
//! * `h = H1^250(T_SIG, pp, n, pc_0, z_0, pc, z, rel(U'[0]), rel(U'[1]), ρ1)` (σ);
//! * `g = H2^250(T_TAU, pp, d(U[0]), …, d(U[m−1]), d(U[m]), ρ2)` (τ), where the **slot
//!   digest** `d(U) = H2(T_SLOT, rel(U))` is the whole squeezed F2 element (T_SLOT = 9; never
//!   truncated because it never leaves F2).
//!
//! U'[1] (of SM) and U[m] (of PM, ℓ = 3) are the merge slots of the PCD tree; in leaves they
//! are **carried witnesses** (F'_j hashes the same 22 elements of rel(U'[1]) into h_in and
//! h_out, S' the same d(U[m]) into g_in and g_out, neither computes on them), DEFAULT unless the
//! leaf started them at random ([`SlotStart`]). The step count lives only in
//! h. Invariant of an accumulator: the last strict secondary instance u' has `u'.X = (h, g)`.
//!
//! **Primary F'_j** ([`circuit::primary`], over F1, public IO `[x_pass, h_out]`). Witness:
//! pp, i, (pc_0, z_0), (pc_i, z_i), U'[0] (checked), rel(U'[1]) (carried), ρ_i, ρ_next,
//! u' = (W, X0, X1), T'. It checks:
//! 1. `is_base = (i == 0)`;
//! 2. `h_in = H1^250(T_SIG, pp, i, pc_0, z_0, pc_i, z_i, rel(U'[0]), rel(U'[1]), ρ_i)` and
//!    `(1 − is_base)·(u'.X0 − h_in) = 0`;
//! 3. `r = H1^128(T_RS1, pp, str(u'), pt(T'))`, `V = FoldRS(U'[0], u', T', r)`;
//! 4. `U_out = is_base ? U'[0] : V` (in the base case U'[0] is the slot's start, DEFAULT or
//!    random, docs/protocol.md §3.7; P6, P7);
//! 5. `(pc, z) = is_base ? (pc_0, z_0) : (pc_i, z_i)` (the base case consumes the leaf start,
//!    P7) and **`pc = j`** with j a constant of the shape S_j, enforced by the wrapper (P13);
//! 6. `(pc_next, z_next) = F_j(pc, z)`, `i_next = i + 1`;
//! 7. `h_out = H1^250(T_SIG, pp, i_next, pc_0, z_0, pc_next, z_next, rel(U_out), rel(U'[1]), ρ_next)`;
//! 8. `x_pass = (1 − is_base)·u'.X1` (0 in the base case, the signal S' reads); inputize
//!    `x_pass`, then `h_out`.
//!
//! u'.W and T' are on-curve-checked (not hash-bound); U'[0] is bound through `u'.X0 = h_in`
//! (the Nova argument for omitting the running instance from the challenge transcript).
//!
//! **Secondary S'** ([`circuit::secondary`], over F2, public IO `[x_pass, g_out]`). Witness:
//! pp, the slot digests d_0..d_{m−1}, the selected running instance U_sel (checked), d(U[m])
//! (carried), ρ_in, ρ_next, u = (W, X0, X1) (the strict instance just produced by some F'_k),
//! T, k. It checks:
//! 1. `is_base = (u.X0 == 0)`; `g_in = H2^250(T_TAU, pp, d_0, …, d_{m−1}, d(U[m]), ρ_in)`,
//!    `(1 − is_base)·(u.X0 − g_in) = 0`;
//! 2. selector bits s_0..s_{m−1}: boolean, `Σ s_t = 1`, `Σ t·s_t = k` (an out-of-range k is
//!    unsatisfiable, P11);
//! 3. `d_sel = d_k` (chain of selects), `H2(T_SLOT, rel(U_sel)) = d_sel` in every case,
//!    `r = H2^128(T_RS2, pp, k, d_sel, str(u), pt(T))`, `V = FoldRS(U_sel, u, T, r)` (d_sel in r:
//!    in the base case U_sel, the slot's start, is bound by nothing else);
//! 4. `d_out[t] = s_t ? H2(T_SLOT, rel(V)) : d_t` — i.e. `U_out[t] = s_t ? V : U[t]`, in the
//!    base case too (the slots' starts are the prover's digests), expressed on digests;
//! 5. `g_out = H2^250(T_TAU, pp, d_out[0..m), d(U[m]), ρ_next)`;
//! 6. `x_pass = u.X1` (< 2^250 by conv250); inputize `x_pass`, then `g_out`.
//!
//! Only the selected slot is opened in circuit; the others travel as digests, so S' costs
//! four Poseidon calls whatever m is (up to m = 20, when g_in still fits one rate-24 block).
//!
//! **How the circuit index is bound.** k is a free witness of S', as in arecibo. The instance
//! u folded into slot k is later checked (by [`Accumulator::verify`] or by the decider)
//! against the shape S_k, whose constant `pc = j` constraint forces u to describe a
//! genuine step of F_k on a state whose pc is k. Folding an F'_a instance into slot b ≠ a
//! therefore yields a slot that does not satisfy S_b: it is caught, not exploitable. Every
//! slot is checked against its own shape (P12). Primary shapes are required pairwise
//! distinct at setup.
//!
//! **Leaf driver** ([`Accumulator`], docs/protocol.md §3.3). `new` ([`SlotStart::Default`]) or
//! `new_with_start` picks the slots' starts (DEFAULT, or random satisfying instances with
//! W = 0 for the first leaf of a run, so that the root's revealed u and X tell nothing of the
//! run: docs/protocol.md §3.7), runs F'_{pc_0} with i = 0 and S' in its base case
//! (x_pass = 0), which folds u_0 into U[pc_0]'s start, giving n = 1. `prove_step`: fold u'
//! into U'[0] natively (`commit_T`, `fold`, random blind r_T) with the challenge of F'_j
//! step 3; synthesize F'_pc → u_t; fold u_t into U[pc]
//! with the challenge of S' step 3; synthesize S' → the new u'. Fresh ρ per hash output.
//!
//! **Why a false accumulator cannot verify.** `verify` recomputes h and g with its own pp and
//! requires `u'.X = (h, g)`, checks u' as a *strict* instance of S' (u = 1, E = 0: P6) and
//! every running instance against its own shape. A satisfying S' instance with `X = (h, g)`
//! means: either S' was in its base case (then u.X0 = 0, which only the base case of F' can
//! output, and u was folded into a start fixed before its challenge), or the previous g hashed to u.X0, the
//! opened U_sel hashes to the digest in slot k of that g, and u was folded into it with a
//! challenge binding u and T (unselected slots are carried over as their digests). A satisfying F'_j instance
//! likewise ties its h_in to the previous u'.X0 and folds u' into U'[0]. By the folding lemma
//! (a folded instance satisfies its shape only if, except with probability ≈ 2^−127 per
//! fold, both inputs did), a satisfying running instance implies satisfying folded steps; by
//! induction every step ran F_pc on the state the previous step produced, starting at
//! (pc_0, z_0) (P7: the base case ignores (pc_i, z_i) and U'[0]), and the counters agree
//! because i lives only in h. Tampering with any field changes h or g (collision resistance
//! of H^250, 125 bits) or breaks satisfiability of a slot; a mismatched parameter set changes
//! pp and every hash. The base cases of the two curves are synchronized (S' resets iff
//! u.X0 = 0, which a non-base F' output equals only if a 250-bit hash is 0), as docs/protocol.md
//! §5 argues (P18).
//!
//! # Design choices (and why; docs/protocol.md describes them as built)
//! * **E1 = `Bn256EngineIPA`** (docs/protocol.md §1.1): Pedersen commitments on both curves
//!   need no setup file, so parameters can be generated on a fresh machine. For HyperKZG the
//!   BN254 generators are the G1 powers of a powers-of-tau file
//!   (`PublicParams::setup_with_primary_key`); the commitment formula is the same, so E1
//!   does not change (see `canopy-decider`'s `kzg` module).
//! * **pp covers leaves and merges.** The digest covers the m primary shapes, S', the merge
//!   shapes S_PM and SM (PCD tree, [`merge`]), both keys (sized for the largest shape of
//!   each curve, merge shapes included) and both RO constant sets; covering the merge shapes
//!   does not change the leaf shapes (pp is a witness, not a constant). The stored
//!   digest is recomputed by [`PublicParams::from_bytes`]; the parameters file
//!   ([`params_file`]) is checked by a SHA-256 of its bytes and a circuit fingerprint instead.
//! * **Merge slots are carried through a leaf**: in a leaf U[m] and U'[1] are DEFAULT
//!   (`Accumulator::merge_instance` etc. return `None`) or random starts, κ = 0; a merged
//!   accumulator stores both with witnesses and has κ = 1. A merged accumulator takes no
//!   more steps.
//! * **Challenge integer.** r is used as its 128 bits and as a BigNat packed from the *same*
//!   bits (no `from_num`), as §1.4 says; nova-snark's own circuit goes through
//!   `BigNat::from_num`, which we avoid (P4).
//! * **`red_mod` remainders are not checked < modulus** (docs/protocol.md §1.6, P4): the
//!   folded u and X are congruence-correct; the native twin always holds the canonical
//!   value, so an honest prover's hashes agree.
//! * **Slot digests in g** (docs/protocol.md §2, §3.2). g absorbs
//!   `d(U[t]) = H2(T_SLOT, rel(U[t]))` instead of `rel(U[t])`; S' opens only the selected slot
//!   (checked against its digest) and re-hashes only the output slot. This makes S' constant
//!   in m (≈12.0k constraints for m = 1..16 instead of 12.0k → 31.9k) at no cost to
//!   soundness: g binds the digests, each digest binds its slot (collision resistance of
//!   Poseidon), and the verifier recomputes both from the accumulator's instances. New tag
//!   T_SLOT = 9 (also in pp). The PCD merge SM, which touches every slot, hashes the same
//!   layout (it computes the digests in circuit).
//!
//! # Measured sizes (constraints; docs/protocol.md §7)
//! | circuit | m = 1 | m = 2 | m = 4 | m = 8 | m = 16 | Nova 0.76 |
//! |---|---|---|---|---|---|---|
//! | F'_j (wrapper, add \|F_j\|) | 12,711 | 12,711 | 12,711 | 12,711 | 12,711 | 9,986 |
//! | S' (slot digests) | 12,727 | 12,730 | 12,736 | 12,748 | 12,772 | 10,538 |
//! | S' (whole slots, for comparison) | 11,997 | 13,636 | 16,914 | 21,916 | 31,920 | |
//!
//! FoldRS(ℓ = 2) = 6,400 and FoldRR(ℓ = 2) = 8,614 (§7 estimated 6,900 and 8,600). F'_j is
//! independent of m; its excess over Nova's primary circuit comes from one more Poseidon
//! permutation in each of its two state hashes (the merge slot `rel(U'[1])` and u as four
//! limbs push h past one rate-24 block), u as a BigNat (P3), conv250 of both X values, the
//! canonical-identity and curve checks, and the checked allocation of U'[0] (+778 since random
//! slot starts; S' +757 for U_sel). S' grows by 3 constraints per circuit (a selector bit
//! and a digest select) once slots are digested. Regenerate with
//! `cargo test -p canopy-folding counts -- --nocapture` or the bench.
//!
//! # Measured performance
//! `CARGO_TARGET_DIR=/work/target-folding cargo bench -p canopy-folding --bench folding`
//! (one process; m = 3 circuits with |F| = 11 / 1,001 / 30,001; Nova's `RecursiveSNARK` on a
//! uniform circuit of the same F, same engines). On the shared 2-core machine (load average
//! 6–9 during all runs, so single numbers are noisy to ±30%):
//!
//! | | setup (m = 3) | save (34 MB) | load (decode + digest check) | verify |
//! |---|---|---|---|---|
//! | canopy | 8.8–17.5 s | 0.2–0.4 s | 2.6–4.8 s (decoding ≈ 75%+) | 0.6–2.4 s |
//!
//! | prove_step | canopy | Nova | ratio (three runs) | constraints canopy / Nova (F' + S') |
//! |---|---|---|---|---|
//! | small (11) | 0.44–0.89 s | 0.53–0.83 s | 1.08, 1.43, 0.97 | 23,923 / 20,533 = 1.17 |
//! | medium (1,001) | 0.62–1.07 s | 0.55–0.86 s | 1.33, 1.22, 1.26 | 24,913 / 21,523 = 1.16 |
//! | large (30,001) | 0.88–1.98 s | 0.90–1.61 s | 1.27, 1.15, 0.98 | 53,913 / 50,523 = 1.07 |
//!
//! The ratios of the first run predate the slot digests (S' was 15,275 constraints for m = 3).
//! A step of a circuit costs its own F plus the fixed ≈24k-constraint overhead of F' and S',
//! independent of the other circuits' sizes: the small step costs about a third to a half of
//! the large one (the overhead dominates at these sizes), where a uniform IVC would pay for
//! all three circuits (≈31k constraints of F) in every step.
//!
//! # PCD merge ([`merge`], [`circuit::merge_primary`], [`circuit::merge_secondary`])
//! [`Accumulator::merge`] combines two accumulators of adjacent segments with the merge
//! circuits PM (over F1: both children's h checks, continuity, n_L + n_R, FoldRS of each
//! child's last instance into its slot κ, FoldRR of the secondary slots) and SM (over F2:
//! both children's g checks against PM's IO, FoldRR of every primary slot, FoldRS of the PM
//! instance into slot m). The node relation and its soundness argument are written in
//! `canopy-pcd`'s module docs. [`Accumulator::verify`] checks the merge slots and u'
//! against S'_κ. Measured (`cargo test -p canopy-folding merge_sizes_report -- --nocapture`):
//!
//! | m, arity | PM | SM | PM + SM | leaf F' + S' | ratio |
//! |---|---|---|---|---|---|
//! | 1, 1–2 | 40,850 | 41,842 | 82,692 | 25,438 | 3.25 |
//! | 2, 2 | 40,850 | 54,405 | 95,255 | 25,441 | 3.74 |
//! | 3, 2 | 40,850 | 66,968 | 107,818 | 25,444 | 4.24 |
//! | 1, 17 | 45,512 | 41,842 | 87,354 | 25,438 | 3.43 |
//!
//! Where it goes: PM has 2 FoldRS + 2 FoldRR (10 scalar multiplications of 1,187, 12
//! foreign multiply-reduce) and 3 state hashes; SM has m + 1 FoldRR and one FoldRS(ℓ = 3)
//! plus 3(m + 1) slot digests. The aim of 1.5× the leaf overhead is not met.
//! Time (`cargo test -p canopy-pcd --test tree leaf_and_merge -- --nocapture`, m = 2,
//! shared 2-core machine, noisy): a merge of two leaves ≈ 2.3 s, a leaf step ≈ 0.78 s.

#![warn(missing_docs)]
// The docs use math notation such as U[k] and X[0], which rustdoc would read as links.
#![allow(rustdoc::broken_intra_doc_links)]

pub mod accumulator;
pub mod circuit;
pub mod encoding;
pub mod error;
pub mod framing;
pub mod fs;
pub mod gadgets;
pub mod hash;
pub mod merge;
pub mod params;
pub mod params_file;
pub mod step;

#[cfg(test)]
mod tests;

pub use accumulator::{
    primary_state_hash, secondary_state_hash, Accumulator, MergeSlots, SlotStart,
};
pub use error::FoldingError;
pub use merge::MergeFault;
pub use params::{merge_circuit_sizes, CircuitSizes, MergeSizes, PublicParams};
pub use step::StepCircuit;

use nova_snark::traits::{commitment::CommitmentEngineTrait, Engine};

/// The primary engine: BN254 with Pedersen commitments (IPA for the decider).
pub type E1 = nova_snark::provider::Bn256EngineIPA;
/// The secondary engine: Grumpkin with Pedersen commitments.
pub type E2 = nova_snark::provider::GrumpkinEngine;
/// The primary field (BN254 scalar field = Grumpkin base field).
pub type F1 = <E1 as Engine>::Scalar;
/// The secondary field (Grumpkin scalar field = BN254 base field).
pub type F2 = <E2 as Engine>::Scalar;
/// A commitment of engine `E`.
pub type Commitment<E> = <<E as Engine>::CE as CommitmentEngineTrait<E>>::Commitment;
/// A commitment key of engine `E`.
pub type CommitmentKey<E> = <<E as Engine>::CE as CommitmentEngineTrait<E>>::CommitmentKey;

/// Bits kept of a state hash (and of pp).
pub const HASH_BITS: usize = 250;
/// Bits of a folding challenge.
pub const CHALLENGE_BITS: usize = 128;
