//! Binding the challenges to every tuple (MEMORY.md §2, option A): the chain over the fold
//! steps' packed accesses, the page digest, and the challenge derivation, natively and in
//! circuit.
//!
//! * Sponge: nova-snark's Poseidon `Sponge` over `U24` (width 25, rate 24),
//!   `Strength::Standard`, `Simplex` mode, IO pattern `[Absorb(n), Squeeze(k)]`.
//! * Chain link of a step of circuit `j`: `IC' = H_{CHAIN_DOMAIN + j}(IC, p_1, …, p_n)`; the
//!   circuit index in the domain separator and the input length in the IO pattern separate
//!   the circuits. The clock is not absorbed: every step advances it by a constant of its
//!   circuit, and `ts = 0` in `z_0` is checked by the verifier.
//! * Page digest: `P' = H_{PAGE_DOMAIN}(P, page)`, `P_0 = 0`.
//! * Challenges: `(γ, α) = H_{CHALLENGE_DOMAIN}(tag, params digest, program digest, input
//!   digest, output digest (each SHA-256 as two 128-bit halves), IC_end)`, squeezing two
//!   elements. `γ` also keys the I/O streams' fingerprint ([`crate::row::FingerprintHasher`]).

use canopy_folding::F1;
use ff::{Field, PrimeField};
use nova_snark::frontend::gadgets::poseidon::{
    Elt, IOPattern, PoseidonConstants, Simplex, Sponge, SpongeAPI, SpongeCircuit, SpongeOp,
    SpongeTrait,
};
use nova_snark::frontend::num::{AllocatedNum, Num};
use nova_snark::frontend::{ConstraintSystem, SynthesisError};
use typenum::U24;

use super::logup::Challenges;
use super::native::AccessRecord;
use super::{ADDR_BITS, GAP_BITS, VALUE_BITS};

/// Domain separator of the chain (`+ j` for circuit j).
pub const CHAIN_DOMAIN: u32 = 0x4d43_0000;
/// Domain separator of the page digest.
pub const PAGE_DOMAIN: u32 = 0x4d50_0000;
/// Domain separator of the challenge derivation.
pub const CHALLENGE_DOMAIN: u32 = 0x4d58_0000;
/// The first element absorbed by the challenge derivation: "canopy memcheck v2".
pub const CHALLENGE_TAG: u64 = 0x6d63_6b5f_7632;

/// What the challenges bind besides the chain: the statement's digests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChallengeStatement {
    /// Digest of the proving parameters.
    pub params_digest: [u8; 32],
    /// Digest of the program.
    pub program_digest: [u8; 32],
    /// SHA-256 of the public input the guest read.
    pub input_digest: [u8; 32],
    /// SHA-256 of the public output (the streams' fingerprints use `γ`, so the claimed
    /// output must be fixed before it).
    pub output_digest: [u8; 32],
}

/// The Poseidon sponge of the chain, the page digest and the challenges.
#[derive(Clone)]
pub struct ChainHasher {
    constants: PoseidonConstants<F1, U24>,
}

impl std::fmt::Debug for ChainHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainHasher").finish_non_exhaustive()
    }
}

impl Default for ChainHasher {
    fn default() -> Self {
        Self::new()
    }
}

fn pattern(n: usize, squeeze: u32) -> IOPattern {
    IOPattern(vec![SpongeOp::Absorb(n as u32), SpongeOp::Squeeze(squeeze)])
}

impl ChainHasher {
    /// Generates the constants.
    pub fn new() -> Self {
        ChainHasher {
            constants: crate::registers::wide_constants(),
        }
    }

    /// The sponge natively.
    pub fn hash(&self, domain: u32, input: &[F1], squeeze: u32) -> Vec<F1> {
        let mut sponge = Sponge::new_with_constants(&self.constants, Simplex);
        let acc = &mut ();
        sponge.start(pattern(input.len(), squeeze), Some(domain), acc);
        SpongeAPI::absorb(&mut sponge, input.len() as u32, input, acc);
        let out = SpongeAPI::squeeze(&mut sponge, squeeze, acc);
        // `finish` only fails on an IO-pattern mismatch, which the pattern above rules out.
        let _ = sponge.finish(acc);
        out
    }

    /// The sponge in circuit, one output, allocated.
    pub fn hash_gadget<CS: ConstraintSystem<F1>>(
        &self,
        mut cs: CS,
        domain: u32,
        input: Vec<Elt<F1>>,
    ) -> Result<AllocatedNum<F1>, SynthesisError> {
        let out = {
            let mut ns = cs.namespace(|| "sponge");
            let mut sponge = SpongeCircuit::new_with_constants(&self.constants, Simplex);
            let acc = &mut ns;
            sponge.start(pattern(input.len(), 1), Some(domain), acc);
            SpongeAPI::absorb(&mut sponge, input.len() as u32, &input, acc);
            let out = SpongeAPI::squeeze(&mut sponge, 1, acc);
            sponge
                .finish(acc)
                .map_err(|_| SynthesisError::Unsatisfiable("sponge IO pattern".into()))?;
            out
        };
        out.into_iter()
            .next()
            .ok_or(SynthesisError::AssignmentMissing)?
            .ensure_allocated(&mut cs.namespace(|| "out"))
    }

    /// One link of the chain natively: `H_{CHAIN_DOMAIN + j}(ic, packed…)`.
    pub fn link(&self, j: u32, ic: F1, packed: &[F1]) -> F1 {
        let mut input = Vec::with_capacity(packed.len() + 1);
        input.push(ic);
        input.extend_from_slice(packed);
        self.hash(CHAIN_DOMAIN + j, &input, 1)[0]
    }

    /// One link of the chain in circuit.
    pub fn link_gadget<CS: ConstraintSystem<F1>>(
        &self,
        cs: CS,
        j: u32,
        ic: &AllocatedNum<F1>,
        packed: Vec<Num<F1>>,
    ) -> Result<AllocatedNum<F1>, SynthesisError> {
        let mut input = Vec::with_capacity(packed.len() + 1);
        input.push(Elt::Allocated(ic.clone()));
        input.extend(packed.into_iter().map(Elt::Num));
        self.hash_gadget(cs, CHAIN_DOMAIN + j, input)
    }

    /// One step of the page digest natively.
    pub fn page_link(&self, digest: F1, page: u64) -> F1 {
        self.hash(PAGE_DOMAIN, &[digest, F1::from(page)], 1)[0]
    }

    /// The challenges from the statement and the chain's end.
    pub fn challenges(&self, statement: &ChallengeStatement, end: F1) -> Challenges {
        let mut input = vec![F1::from(CHALLENGE_TAG)];
        for d in [
            &statement.params_digest,
            &statement.program_digest,
            &statement.input_digest,
            &statement.output_digest,
        ] {
            input.extend(halves(d));
        }
        input.push(end);
        let out = self.hash(CHALLENGE_DOMAIN, &input, 2);
        Challenges {
            gamma: out[0],
            alpha: out[1],
        }
    }
}

/// A 32-byte digest as two field elements (128-bit little-endian halves).
fn halves(d: &[u8; 32]) -> [F1; 2] {
    let mut lo = [0u8; 16];
    let mut hi = [0u8; 16];
    lo.copy_from_slice(&d[..16]);
    hi.copy_from_slice(&d[16..]);
    [
        F1::from_u128(u128::from_le_bytes(lo)),
        F1::from_u128(u128::from_le_bytes(hi)),
    ]
}

/// `(γ, α)` for `statement` and the chain's end `end`.
pub fn derive_challenges(statement: &ChallengeStatement, end: F1) -> Challenges {
    ChainHasher::new().challenges(statement, end)
}

/// The page digest of `pages`, from `P_0 = 0`.
pub fn page_digest(hasher: &ChainHasher, pages: &[u64]) -> F1 {
    pages
        .iter()
        .fold(F1::from(0u64), |d, p| hasher.page_link(d, *p))
}

/// `2^k` in the field.
pub fn pow2(k: u32) -> F1 {
    F1::from(2u64).pow_vartime([k as u64])
}

/// `Σ part_i·2^(offset_i)` in circuit, each part `(value, width)` placed after the previous
/// ones (the circuit side of [`pack_access`] and [`pack_row`]; the caller range-checks each
/// part to its width).
pub fn pack_nums(parts: Vec<(Num<F1>, u32)>) -> Num<F1> {
    let mut shift = 0;
    let mut out = Num::zero();
    for (part, bits) in parts {
        out = out.add(&part.scale(pow2(shift)));
        shift += bits;
    }
    out
}

/// The packed element of one coprocessor access:
/// `a + 2^32·v_r + 2^66·v_w + 2^100·d` (< 2^132).
pub fn pack_access(a: &AccessRecord) -> F1 {
    let (lo, shift) = pack_parts(a);
    debug_assert_eq!(shift, ADDR_BITS + 2 * VALUE_BITS + GAP_BITS);
    lo
}

fn pack_parts(a: &AccessRecord) -> (F1, u32) {
    let parts = [
        (a.addr as u64, ADDR_BITS),
        (a.old.to_u64(), VALUE_BITS),
        (a.new.to_u64(), VALUE_BITS),
        (a.gap(), GAP_BITS),
    ];
    let mut acc = F1::from(0u64);
    let mut shift = 0;
    for (v, bits) in parts {
        acc += F1::from(v) * pow2(shift);
        shift += bits;
    }
    (acc, shift)
}

/// The packed element of one CPU row: the fetch (a pure read) and the data access,
/// `a_f + 2^32·v_f + 2^66·d_f + 2^98·(data access packed as in [`pack_access`])` (< 2^230).
pub fn pack_row(fetch: &AccessRecord, data: &AccessRecord) -> F1 {
    let f = F1::from(fetch.addr as u64)
        + F1::from(fetch.old.to_u64()) * pow2(ADDR_BITS)
        + F1::from(fetch.gap()) * pow2(ADDR_BITS + VALUE_BITS);
    f + pack_access(data) * pow2(FETCH_BITS)
}

/// Bits of a packed fetch (address, value, gap).
pub const FETCH_BITS: u32 = ADDR_BITS + VALUE_BITS + GAP_BITS;
