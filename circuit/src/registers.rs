//! The register hash of the CPU state: `reg_hash = H24(x1..x31, salt)` in z.

use canopy_folding::F1;
use nova_snark::frontend::gadgets::poseidon::{
    Elt, IOPattern, PoseidonConstants, Simplex, Sponge, SpongeAPI, SpongeCircuit, SpongeOp,
    SpongeTrait, Strength,
};
use nova_snark::frontend::num::{AllocatedNum, Num};
use nova_snark::frontend::{ConstraintSystem, SynthesisError};
use typenum::U24;

/// Number of registers in the register hash (x1..x31).
pub const NREGS: usize = 31;
/// Domain separator of the register hash ("RG").
pub const REG_DOMAIN: u32 = 0x5247_0000;

/// The register hash `H24(x1..x31, salt)`: a width-25 Poseidon sponge absorbing 32 elements
/// (2 permutations, ≈1,555 constraints), natively and in circuit.
#[derive(Clone)]
pub struct RegHasher {
    constants: PoseidonConstants<F1, U24>,
}

impl std::fmt::Debug for RegHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegHasher").finish_non_exhaustive()
    }
}

impl Default for RegHasher {
    fn default() -> Self {
        Self::new()
    }
}

/// The width-25 Poseidon constants of the register hash and the binding chain, generated once
/// per process (≈ 0.12 s each time otherwise).
pub(crate) fn wide_constants() -> PoseidonConstants<F1, U24> {
    static WIDE: std::sync::OnceLock<PoseidonConstants<F1, U24>> = std::sync::OnceLock::new();
    WIDE.get_or_init(|| Sponge::<F1, U24>::api_constants(Strength::Standard))
        .clone()
}

fn reg_pattern() -> IOPattern {
    IOPattern(vec![
        SpongeOp::Absorb(NREGS as u32 + 1),
        SpongeOp::Squeeze(1),
    ])
}

impl RegHasher {
    /// Generates the constants.
    pub fn new() -> Self {
        RegHasher {
            constants: wide_constants(),
        }
    }

    /// `H24(regs[1..32], salt)` natively (`regs[0]` is x0 and not hashed).
    pub fn hash(&self, regs: &[u32; 32], salt: F1) -> F1 {
        let mut input: Vec<F1> = regs[1..].iter().map(|r| F1::from(*r as u64)).collect();
        input.push(salt);
        let mut sponge = Sponge::new_with_constants(&self.constants, Simplex);
        let acc = &mut ();
        sponge.start(reg_pattern(), Some(REG_DOMAIN), acc);
        SpongeAPI::absorb(&mut sponge, input.len() as u32, &input, acc);
        let out = SpongeAPI::squeeze(&mut sponge, 1, acc);
        let _ = sponge.finish(acc);
        out[0]
    }

    /// The same hash in circuit over 31 allocated registers and a salt.
    pub fn hash_gadget<CS: ConstraintSystem<F1>>(
        &self,
        cs: &mut CS,
        regs: &[AllocatedNum<F1>],
        salt: &AllocatedNum<F1>,
    ) -> Result<Num<F1>, SynthesisError> {
        let mut input: Vec<Elt<F1>> = regs.iter().map(|r| Elt::Allocated(r.clone())).collect();
        input.push(Elt::Allocated(salt.clone()));
        let mut ns = cs.namespace(|| "register hash");
        let out = {
            let mut sponge = SpongeCircuit::new_with_constants(&self.constants, Simplex);
            let acc = &mut ns;
            sponge.start(reg_pattern(), Some(REG_DOMAIN), acc);
            SpongeAPI::absorb(&mut sponge, input.len() as u32, &input, acc);
            let out = SpongeAPI::squeeze(&mut sponge, 1, acc);
            sponge
                .finish(acc)
                .map_err(|_| SynthesisError::Unsatisfiable("sponge IO pattern".into()))?;
            out
        };
        out.into_iter()
            .next()
            .map(|e| e.num())
            .ok_or(SynthesisError::AssignmentMissing)
    }
}
