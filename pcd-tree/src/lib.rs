//! Canopy's proof-carrying-data tree: consecutive segments of steps are **leaves** (proven
//! with sequential non-uniform IVC by `canopy-folding`), and two accumulators of adjacent
//! segments are combined by a **merge node** into one accumulator of the same shape, so
//! the tree can have any depth and shape. Generic over [`StepCircuit`]: this crate knows
//! nothing of RISC-V.
//!
//! # API
//! * [`prove_leaf`] proves one [`Segment`] (start state + per-step circuits) into a leaf
//!   accumulator; [`UniformSegment`] is a segment whose circuits carry no per-step witness.
//! * [`Reducer`] is the streaming binary-counter stack: [`Reducer::push`] a leaf (in program
//!   order) and it merges equal-level subtrees at once, so at most ⌊log2 n⌋ + 1 accumulators
//!   are held; [`Reducer::prove_window`] proves a window of leaves in parallel with rayon
//!   and pushes them in order; [`Reducer::finish`] merges what is left into the root.
//! * [`checkpoint`]: the stack and the position, written atomically (write + rename) and
//!   checked on resume against the parameter digest and a caller-chosen context (program,
//!   input).
//! * [`distributed`] (feature `mpi`): contiguous leaf ranges per MPI rank, each reduced with
//!   the stack, then pairwise merges in ⌈log2 R⌉ rounds; rank 0 gets the root.
//!   `distributed::merge_rounds` alone serves callers that prove their own leaves (the
//!   `canopy` crate's `distributed` module, behind `canopy prove --mpi`); `distributed::mpi`
//!   re-exports rsmpi.
//! * The merge itself is `canopy_folding::Accumulator::merge(pp, left, right)`.
//!
//! # The node relation (what a merge proves)
//!
//! Notation as in `canopy-folding` and docs/protocol.md: F1 = BN254 scalar field (primary
//! circuits, Grumpkin points native), F2 = Grumpkin scalar field (secondary circuits, BN254
//! points native). An accumulator A (leaf or merge) holds: n ≥ 1; the segment's start
//! st_in = (pc_in, z_in) and end st_out = (pc_out, z_out); primary slots U[0..m) (one per
//! step circuit, shape S_j) and **U[m]** (the PM slot, shape S_PM, ℓ = 3); secondary slots
//! U'[0] (shape S') and **U'[1]** (the SM slot, shape SM); the last strict secondary
//! instance u' with its kind κ (0: from S', 1: from SM); blinds ρ1, ρ2. Its hashes are
//!
//! * `h = H1^250(T_SIG, pp, n, pc_in, z_in, pc_out, z_out, rel(U'[0]), rel(U'[1]), ρ1)`,
//! * `g = H2^250(T_TAU, pp, d(U[0]), …, d(U[m−1]), d(U[m]), ρ2)` with slot digests
//!   `d(U) = H2(T_SLOT, rel(U))`,
//!
//! and the invariant `u'.X = (h, g)`. A leaf has U[m] = DEFAULT_3, U'[1] = DEFAULT_2 (its
//! circuits hash them as constants) and κ = 0: **leaves and merges have the same layout**,
//! so a merge never needs to know what kind of node its children are.
//!
//! A merge of children L (earlier) and R (later) runs two circuits.
//!
//! **PM (over F1, public IO `[xL, xR, h_new]`).** Witness: pp; per child c: σ_c = (n_c,
//! st_in_c, st_out_c, U'_c[0], U'_c[1]), ρ_c, u'_c, κ_c, the cross term T'_c; cross terms
//! T''_0, T''_1; ρ_new. It checks, on the secondary instances (whose points are native here):
//! 1. `h_c = H1^250(T_SIG, pp, σ_c, ρ_c)` and **`u'_c.X0 = h_c`** for both children,
//!    unconditionally (no base case in a merge);
//! 2. **`st_out_L = st_in_R`** (pc and every z element; the circuit uses the same
//!    variables in both hashes);
//! 3. κ_c boolean; `r1 = H1^128(T_PM1, pp, κ_L, κ_R, str(u'_L), str(u'_R), pt(T'_L),
//!    pt(T'_R))`; `V_c[κ_c] = FoldRS(U'_c[κ_c], u'_c, T'_c, r1)`, `V_c[1−κ_c] = U'_c[1−κ_c]`;
//! 4. `r2 = H1^128(T_PM2, pp, r1, pt(T''_0), pt(T''_1))`;
//!    `U'_new[s] = FoldRR(V_L[s], V_R[s], T''_s, r2)` for s = 0, 1 (slot-wise: S' with S',
//!    SM with SM);
//! 5. **`n = n_L + n_R`**; `h_new = H1^250(T_SIG, pp, n, st_in_L, st_out_R, rel(U'_new[0]),
//!    rel(U'_new[1]), ρ_new)`;
//! 6. `xL = u'_L.X1`, `xR = u'_R.X1` (each < 2^250 by conv250: the children's g).
//!
//! The native driver folds the PM strict instance u_PM (X = (g_L, g_R, h_new)) into the
//! merged U[m], which SM verifies:
//!
//! **SM (over F2, public IO `[x_pass, g_new]`).** Witness: pp; per child the primary slots
//! U_c[0..m] and ρ_c; u_PM; cross terms T_0..T_m, T_PM; ρ_new. It checks, on the primary
//! instances (points native here):
//! 1. `g_c = H2^250(T_TAU, pp, d(U_c[0]), …, d(U_c[m]), ρ_c)` with the digests computed in
//!    circuit, and **`u_PM.X0 = g_L`, `u_PM.X1 = g_R`**;
//! 2. `r1 = H2^128(T_SM1, pp, str(u_PM), pt(T_0), …, pt(T_m))`;
//!    `V[t] = FoldRR(U_L[t], U_R[t], T_t, r1)` for every t ∈ [0, m] (slot t of L with slot t
//!    of R: fixed wiring, no index witness);
//! 3. `r2 = H2^128(T_SM2, pp, r1, pt(T_PM))`; `U_new[m] = FoldRS(V[m], u_PM, T_PM, r2)`;
//!    `U_new[t] = V[t]` for t < m;
//! 4. `g_new = H2^250(T_TAU, pp, d(U_new[0]), …, d(U_new[m]), ρ_new)`;
//! 5. `x_pass = u_PM.X2` (= h_new), then g_new.
//!
//! The SM strict instance u'_SM therefore has `X = (h_new, g_new)`: it is the new u' with
//! κ = 1, and the merged accumulator (n_L + n_R, st_in_L, st_out_R, U_new, U'_new, u'_SM,
//! κ = 1, ρ_new's) satisfies the same invariant as a leaf. Every cross term that is not
//! hash-bound is on-curve-checked and canonical (P8); every challenge is 128 bits, FoldRR
//! uses Horner for E (P2); u and X of every running instance are 4-limb BigNats (P3); strict
//! X values enter BigNats only through conv250 (P4); the DEFAULT merge slots of a leaf are
//! hash-bound witnesses in a merge (their value is fixed by the leaf's hash, which used the
//! constant).
//!
//! ## Why a false child cannot pass
//! Validity V(A): every slot of A satisfies its own shape, u' satisfies S'_κ, and
//! `u'.X = (h, g)`; claim: then n steps of the step circuits lead from st_in to st_out.
//! By induction over the tree (leaves: the SuperNova argument in `canopy-folding`'s docs):
//! * A satisfying merged U[m] (checked against S_PM by `Accumulator::verify` or the decider)
//!   implies, by the folding lemma (≈ 2^−127 per fold, challenges derived after all their
//!   inputs are fixed), that u_PM satisfies S_PM and that both U_L[m] and U_R[m] satisfy
//!   S_PM. Likewise each merged U[t] implies U_L[t], U_R[t] satisfy S_t; and U'_new[s]
//!   implies V_L[s], V_R[s], hence U'_c[s] and u'_c (folded into slot κ_c, so it satisfies
//!   S'_{κ_c}). **So every slot and the last instance of both children are satisfiable.**
//! * u_PM satisfying S_PM means PM's checks hold: `u'_c.X0 = h_c(σ_c)` binds the PM
//!   witness σ_c to the child's last instance; its X1 travels as `u_PM.X_c`, and a
//!   satisfying u'_SM (the parent's last instance, or the root's, checked by the verifier)
//!   binds `u_PM.X_c = g_c(τ_c)`. Hence σ_c and τ_c both belong to the one strict instance
//!   u'_c (no mix-and-match of h and g from different accumulators: P10, 2023/969), and
//!   with the satisfiability above, **V(L) and V(R) hold**. A false child (a slot that
//!   does not satisfy its shape, a tampered running instance, a u' whose X is not (h, g))
//!   therefore makes some slot of the merge unsatisfiable, or requires a hash collision.
//! * The merged state: PM forces st_out_L = st_in_R (adjacency: swapping, dropping or
//!   skipping a segment breaks it unless the states collide, which means the execution
//!   really passed through that state, a sound outcome), n = n_L + n_R, and
//!   h_new over (st_in_L, st_out_R) and the merged secondary slots; SM forces g_new over the
//!   merged primary slots; the verifier recomputes h, g from the accumulator with its own pp
//!   (pp is absorbed into every hash and challenge, so a child proven under other
//!   parameters — another program's circuits — fails `u'_c.X0 = h_c`).
//! * κ_c is a witness: a lie folds an S' instance into the SM slot (or conversely), whose
//!   shape it does not satisfy; κ_c is absorbed into r1 so it cannot be ground.
//! * U_new[m] is the only slot of ℓ = 3 and S_PM the only primary shape with num_io = 3, so
//!   a PM instance cannot be passed off as a step or conversely (shapes differ).
//! * Merges have no base case, so no reset can drop unchecked history (P18); n ≥ 1 holds
//!   for every child by induction, so the root has n ≥ 1.
//!
//! Therefore `verify` (or the decider) at the root, which checks all m + 3 slots and u'
//! against their shapes and `u'.X = (h, g)`, certifies the whole tree; its cost and the
//! accumulator's size do not depend on the number of leaves.
//!
//! ## Design choices in §3.4–3.6 of docs/protocol.md (and why)
//! * **Slot digests in g** (as in `canopy-folding`'s leaves): SM hashes each child's slot
//!   digests `d(U_c[t])` (computed in circuit from the opened slots) rather than whole
//!   slots, because the leaves' g already uses that layout.
//! * **Continuity by shared variables** instead of a + 1 equality constraints: the same
//!   variables feed h_L's st_out and h_R's st_in (equivalent, fewer constraints).
//! * **One FoldRS per child** with a selected slot (`U'_c[κ_c]`) and two selects afterwards,
//!   instead of folding into both candidates: the unselected slot is carried unchanged.
//! * **The merge is not the leaf's continuation**: a merged accumulator cannot take more
//!   steps (the leaf circuits only carry the merge slots); `prove_step` refuses it.
//! * Native driver order (§3.6) is as written; the challenges' integer r1 enters r2 (and
//!   SM's r1 enters its r2) as one field element (the packed 128 bits).
//!
//! ## Cost (measured)
//! Constraints (`cargo test -p canopy-folding merge_sizes_report -- --nocapture`;
//! leaf overhead = F'_j wrapper + S' = 12,711 + 12,727 = 25,438 for m = 1; since random slot
//! starts, docs/protocol.md §3.7, PM allocates both children's U'_c[1] and SM every opened slot
//! checked, ≈ 780 constraints each):
//!
//! | m, arity | PM | SM | merge node PM + SM | / leaf step overhead |
//! |---|---|---|---|---|
//! | 1, 2 | 40,850 | 41,842 | 82,692 | 3.25 |
//! | 2, 2 (this crate's tests) | 40,850 | 54,405 | 95,255 | 3.74 |
//! | 3, 2 | 40,850 | 66,968 | 107,818 | 4.24 |
//! | 1, 17 | 45,512 | 41,842 | 87,354 | 3.43 |
//!
//! SM grows by ≈ 12.6k per step circuit (one FoldRR, three slot digests and two checked
//! allocations per slot); PM
//! depends only on the arity. **The aim of 1.5× the IVC step overhead is not met** (Nexus
//! 0.2's node pays ≈ 2.8×, but runs a step in every node). Where PM goes: 10 scalar
//! multiplications (2 FoldRS × 2 + 2 FoldRR × 3, 1,187 each ≈ 11.9k), ≈ 12 foreign
//! multiply-reduce of u and X, 3 state hashes of 42 + 2a elements and 2 challenges. What
//! would cut it (not done): fewer IO values per running instance (ℓ = 1 by hashing (h, g)
//! into one value would save a third of the foreign arithmetic, but changes the leaf
//! circuits); a single secondary slot (S' and SM of one shape) would remove one FoldRR from
//! PM but make every leaf step pay SM's size.
//!
//! Times (`cargo test -p canopy-pcd --test tree -- --nocapture`, debug profile with
//! dependencies at opt-level 3, on the shared 2-core machine while other engineers built —
//! noisy): a leaf step ≈ 0.78 s, a merge of two leaves ≈ 2.3 s (≈ 3 leaf steps); 8 leaves
//! of 2 steps + 7 merges ≈ 24 s against 8.4 s for the same 16 steps as one leaf. With the
//! default leaf length of the application (hundreds of steps) the merges are a few percent
//! of the proving time. The root accumulator of 4 and of 16 leaves has the same size
//! (9,524,238 bytes with m = 2, asserted).
//!
//! Expected wall time (model, from the measured t_step ≈ 0.78 s and t_merge ≈ 2.3 s; one
//! core per rank; the 9.5 MB accumulator moves between ranks in ≈ 12 ms, neglected):
//! `T(R) = (L/R)·S·t_step + (L/R − 1)·t_merge + ⌈log2 R⌉·t_merge` for L leaves of S steps.
//! For L = 1,024 leaves of S = 64 steps (65,536 steps; merges are 2.3 / 52.2 ≈ 4.4 % of a
//! leaf-plus-merge):
//!
//! | ranks | 1 | 2 | 4 | 16 | 64 | 256 | 1,024 |
//! |---|---|---|---|---|---|---|---|
//! | T (s) | 53,553 | 26,777 | 13,391 | 3,354 | 848 | 225 | 73 |

//! # Integration (what the root crate / CLI calls)
//! ```text
//! // one leaf = one Segment: its start (pc, z) and the circuits of each of its steps
//! // (VecSegment from the streaming block generator, or an own impl of Segment)
//! let mut r = Reducer::new(&pp);                        // or checkpoint::resume(...)
//! for window in leaves_in_program_order.chunks(threads) {
//!     r.prove_window_with(window, |r| checkpoint::save(dir, &pp, &ctx, r))?;
//! }
//! let root: Accumulator = r.finish()?;                  // then the decider, as for a leaf
//! // MPI (feature mpi): every rank runs the program natively, fixes the number of leaves
//! let root = distributed::prove_distributed(&world, &pp, leaves, window, |i| segment(i))?;
//! ```
//! `ctx` for checkpoints should be the statement's program and input digests. A resumed
//! run skips the first `next_leaf` leaves (the VM must still execute them natively to reach
//! the state where leaf `next_leaf` starts). The decider must treat the root like any
//! accumulator: fold u' into U'[κ] (`last_kind`, `last_shape`), and prove the merge slots
//! (`merge_instance`, `secondary_merge_instance`; `None` = DEFAULT for a single leaf).
//!
//! MPI test and demo (`cargo test -p canopy-pcd --features mpi --test mpi`):
//! `mpirun --allow-run-as-root --oversubscribe -n 3 canopy-pcd-mpi-demo 5 1 root.bin`
//! (as root OpenMPI needs `--allow-run-as-root`; more ranks than cores `--oversubscribe`;
//! under SLURM: `srun -n 3 canopy-pcd-mpi-demo 5 1 root.bin`).

#![warn(missing_docs)]
#![allow(rustdoc::broken_intra_doc_links)]

pub mod checkpoint;
#[cfg(feature = "mpi")]
pub mod distributed;
pub mod error;
pub mod leaf;
pub mod reducer;

pub use canopy_folding::{Accumulator, PublicParams, StepCircuit, F1};
pub use error::PcdError;
pub use leaf::{prove_leaf, prove_leaf_with, Segment, UniformSegment, VecSegment};
pub use reducer::Reducer;
