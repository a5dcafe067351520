//! Binding the challenges to every tuple (MEMORY.md §2): the challenges are derived after
//! every fingerprinted value is fixed, from a chain over the fold steps' packed accesses.
//!
//! [`ChallengeBinding`] is the interface; [`PoseidonChain`] is option A (the circuit hashes
//! each step's packed accesses). Option B (commitment-carrying) will implement the same trait
//! with a link that absorbs a step's witness-segment commitment instead.
//!
//! # Option A, exactly (what the circuit must mirror)
//!
//! * Sponge: nova-snark's Poseidon `Sponge` over `U24` (width 25, rate 24),
//!   `Strength::Standard`, `Simplex` mode, the same construction as [`crate::registers`].
//! * Link: `IC_i = H_chain(IC_{i−1}, header_i, p_1, …, p_n)` with IO pattern
//!   `[Absorb(n + 2), Squeeze(1)]` and domain separator [`CHAIN_DOMAIN`]; `IC_0 = 0`.
//! * `header_i = ts_start + 2^48·n + 2^80·j` ([`header`]): the step's first clock
//!   (`< 2^48`), its access count `n` (`< 2^32`) and its circuit index `j` (0 for a CPU
//!   block, `< 2^32`).
//! * Access `p = a + 2^34·v_r + 2^68·v_w + 2^102·t_r` ([`pack`]): cell `a < 2^34`, read value
//!   `v_r < 2^34`, written value `v_w < 2^34`, read time `t_r < 2^48`; 150 bits, so the
//!   packing is injective in the field. The write time is not packed: it is
//!   `ts_start + position`. The circuit must range-check every component to these widths.
//! * Challenges: `(γ, α) = H_chal(tag, params digest, program digest, input digest, IC_end,
//!   #pages, page_1, …, page_m)` with IO pattern `[Absorb(m + 6), Squeeze(2)]`, domain
//!   separator [`CHALLENGE_DOMAIN`], `tag =` [`CHALLENGE_TAG`]; `γ` is the first squeezed
//!   element, `α` the second. Computed natively by prover and verifier.

use canopy_folding::F1;
use ff::{Field, PrimeField};
use nova_snark::frontend::gadgets::poseidon::{
    IOPattern, PoseidonConstants, Simplex, Sponge, SpongeAPI, SpongeOp, SpongeTrait, Strength,
};
use typenum::U24;

use super::error::MemCheckError;
use super::logup::Challenges;
use super::sets::PageList;
use super::{Access, StepAccesses, StepKind, CELL_BITS, TIME_BITS, VALUE_BITS};

/// Domain separator of the chain's sponge ("MC").
pub const CHAIN_DOMAIN: u32 = 0x4d43_0000;
/// Domain separator of the challenge derivation's sponge ("MX").
pub const CHALLENGE_DOMAIN: u32 = 0x4d58_0000;
/// The first element absorbed by the challenge derivation: "canopy memcheck v1".
pub const CHALLENGE_TAG: u64 = 0x6d63_6b5f_7631;

/// What the challenges bind besides the tuples: digests the caller computes (parameters,
/// program, public input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Statement {
    /// Digest of the proving parameters (shapes, K, memory size, coprocessors).
    pub params_digest: F1,
    /// Digest of the program.
    pub program_digest: F1,
    /// Digest of the public input.
    pub input_digest: F1,
}

/// How the challenges are bound to the run: a chain over the fold steps, then a derivation
/// from its end. Implementations must make `challenges` a function of every tuple absorbed.
pub trait ChallengeBinding {
    /// The chain's state between steps (what z carries as `IC_start`/`IC_cur`).
    type Link: Clone + PartialEq + std::fmt::Debug;
    /// The chain's start.
    fn start(&self) -> Self::Link;
    /// The link after one more step.
    fn absorb(&self, link: &Self::Link, step: &StepAccesses) -> Result<Self::Link, MemCheckError>;
    /// `(γ, α)` from the statement, the page list and the chain's end.
    fn challenges(&self, statement: &Statement, pages: &PageList, end: &Self::Link) -> Challenges;
}

fn check(what: &'static str, value: u64, bits: u32) -> Result<u64, MemCheckError> {
    if value >> bits == 0 {
        Ok(value)
    } else {
        Err(MemCheckError::Range { what, value, bits })
    }
}

fn pow2(k: u64) -> F1 {
    F1::from(2u64).pow_vartime([k])
}

/// The packed field element of one access (module docs); fails if a component is out of
/// range.
pub fn pack(a: &Access) -> Result<F1, MemCheckError> {
    let cell = check("cell", a.cell, CELL_BITS)?;
    let vr = check("read value", a.read_value, VALUE_BITS)?;
    let vw = check("written value", a.write_value, VALUE_BITS)?;
    let tr = check("read time", a.read_time, TIME_BITS)?;
    let low = cell as u128 | (vr as u128) << CELL_BITS | (vw as u128) << (CELL_BITS + VALUE_BITS);
    Ok(F1::from_u128(low) + F1::from(tr) * pow2((CELL_BITS + 2 * VALUE_BITS) as u64))
}

/// The header of a step: `ts_start + 2^48·n + 2^80·j`.
pub fn header(step: &StepAccesses) -> Result<F1, MemCheckError> {
    let ts = check("step clock", step.ts_start, TIME_BITS)?;
    let n = check("access count", step.accesses.len() as u64, 32)?;
    let j = match step.kind {
        StepKind::Block => 0,
        StepKind::Coprocessor(j) => j as u64,
    };
    Ok(F1::from_u128(
        ts as u128 | (n as u128) << 48 | (j as u128) << 80,
    ))
}

/// Option A: the Poseidon chain over packed accesses.
#[derive(Clone)]
pub struct PoseidonChain {
    constants: PoseidonConstants<F1, U24>,
}

impl std::fmt::Debug for PoseidonChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoseidonChain").finish_non_exhaustive()
    }
}

impl Default for PoseidonChain {
    fn default() -> Self {
        Self::new()
    }
}

impl PoseidonChain {
    /// Generates the constants.
    pub fn new() -> Self {
        PoseidonChain {
            constants: Sponge::<F1, U24>::api_constants(Strength::Standard),
        }
    }

    fn sponge(&self, domain: u32, input: &[F1], squeeze: u32) -> Vec<F1> {
        let pattern = IOPattern(vec![
            SpongeOp::Absorb(input.len() as u32),
            SpongeOp::Squeeze(squeeze),
        ]);
        let mut sponge = Sponge::new_with_constants(&self.constants, Simplex);
        let acc = &mut ();
        sponge.start(pattern, Some(domain), acc);
        SpongeAPI::absorb(&mut sponge, input.len() as u32, input, acc);
        let out = SpongeAPI::squeeze(&mut sponge, squeeze, acc);
        // `finish` only fails on an IO-pattern mismatch, which the pattern above rules out.
        let _ = sponge.finish(acc);
        out
    }
}

impl ChallengeBinding for PoseidonChain {
    type Link = F1;

    fn start(&self) -> F1 {
        F1::ZERO
    }

    fn absorb(&self, link: &F1, step: &StepAccesses) -> Result<F1, MemCheckError> {
        let mut input = Vec::with_capacity(step.accesses.len() + 2);
        input.push(*link);
        input.push(header(step)?);
        for a in &step.accesses {
            input.push(pack(a)?);
        }
        Ok(self.sponge(CHAIN_DOMAIN, &input, 1)[0])
    }

    fn challenges(&self, statement: &Statement, pages: &PageList, end: &F1) -> Challenges {
        let mut input = vec![
            F1::from(CHALLENGE_TAG),
            statement.params_digest,
            statement.program_digest,
            statement.input_digest,
            *end,
            F1::from(pages.pages().len() as u64),
        ];
        input.extend(pages.pages().iter().map(|p| F1::from(*p)));
        let out = self.sponge(CHALLENGE_DOMAIN, &input, 2);
        Challenges {
            gamma: out[0],
            alpha: out[1],
        }
    }
}
