//! Public parameters: the m primary shapes S_j, the secondary shape S', the merge shapes
//! S_PM and SM of the PCD tree, commitment keys sized
//! for the largest shape of each curve, the Poseidon constants, and the digest pp over all of
//! them (docs/protocol.md §1.5).

use crate::circuit::{
    merge_primary::PrimaryMergeCircuit, merge_secondary::SecondaryMergeCircuit,
    primary::PrimaryCircuit, secondary::SecondaryCircuit,
};
use crate::encoding::switch_field;
use crate::error::FoldingError;
use crate::hash::{T_PM1, T_PM2, T_RS1, T_RS2, T_SIG, T_SLOT, T_SM1, T_SM2, T_TAU};
use crate::step::StepCircuit;
use crate::{CommitmentKey, E1, E2, F1, F2};
use nova_snark::{
    digest::{DigestComputer, SimpleDigestible},
    frontend::{r1cs::NovaShape, shape_cs::ShapeCS},
    provider::poseidon::PoseidonConstantsCircuit,
    r1cs::R1CSShape,
    traits::{commitment::Len, snark::default_ck_hint},
};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Version of the encodings and circuit layouts; part of the digest.
pub const ENCODING_VERSION: u32 = 4;

/// Public parameters of a non-uniform computation with m step circuits (leaves and merges).
#[derive(Serialize, Deserialize)]
pub struct PublicParams {
    pub(crate) m: usize,
    pub(crate) arity: usize,
    pub(crate) ro1: PoseidonConstantsCircuit<F1>,
    pub(crate) ro2: PoseidonConstantsCircuit<F2>,
    pub(crate) primary: Vec<R1CSShape<E1>>,
    pub(crate) secondary: R1CSShape<E2>,
    pub(crate) pm: R1CSShape<E1>,
    pub(crate) sm: R1CSShape<E2>,
    pub(crate) ck1: CommitmentKey<E1>,
    pub(crate) ck2: CommitmentKey<E2>,
    pub(crate) digest1: F1,
    pub(crate) digest2: F2,
}

/// What the digest covers, in this order (serialised with nova-snark's digest encoding).
#[derive(Serialize)]
struct DigestInput<'a> {
    version: u32,
    m: usize,
    arity: usize,
    tags: [u64; 9],
    ro1: &'a PoseidonConstantsCircuit<F1>,
    ro2: &'a PoseidonConstantsCircuit<F2>,
    primary: &'a [R1CSShape<E1>],
    secondary: &'a R1CSShape<E2>,
    pm: &'a R1CSShape<E1>,
    sm: &'a R1CSShape<E2>,
    ck1: &'a CommitmentKey<E1>,
    ck2: &'a CommitmentKey<E2>,
}
impl SimpleDigestible for DigestInput<'_> {}

/// Constraint and variable counts of the augmented circuits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CircuitSizes {
    /// (constraints, variables) of each F'_j.
    pub primary: Vec<(usize, usize)>,
    /// (constraints, variables) of S'.
    pub secondary: (usize, usize),
}

/// Constraint and variable counts of the merge circuits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MergeSizes {
    /// (constraints, variables) of PM.
    pub pm: (usize, usize),
    /// (constraints, variables) of SM.
    pub sm: (usize, usize),
}

impl PublicParams {
    /// Synthesizes the shapes of F'_0..F'_{m-1} and S', generates the commitment keys and
    /// computes the digest. Checks: m ≥ 1, equal arities, num_io = 2 for every shape, and
    /// pairwise distinct primary shapes.
    pub fn setup<C: StepCircuit<F1>>(circuits: &[C]) -> Result<Self, FoldingError> {
        Self::setup_inner(circuits, |refs| {
            let hint1 = default_ck_hint::<E1>();
            let hints1: Vec<_> = refs.iter().map(|_| &*hint1).collect();
            Ok(R1CSShape::commitment_key(refs, &hints1)?)
        })
    }

    /// Like [`Self::setup`], but the primary (BN254) commitment key comes from `load`
    /// instead of nova-snark's transparent label key: for example the G1 powers of a
    /// powers-of-tau file, so that the accumulator's commitments are KZG commitments a
    /// HyperKZG decider can open. `load` is called with the number of generators the
    /// circuits need (what [`Self::setup`] would generate: max(constraints, variables) of the
    /// largest primary shape, rounded up to a power of two); a shorter key is refused. The key
    /// is covered by the digest like the transparent one.
    pub fn setup_with_primary_key<C: StepCircuit<F1>>(
        circuits: &[C],
        load: impl FnOnce(usize) -> Result<CommitmentKey<E1>, FoldingError>,
    ) -> Result<Self, FoldingError> {
        Self::setup_inner(circuits, |refs| {
            let need = primary_key_len(refs);
            let ck1 = load(need)?;
            if ck1.length() < need {
                return Err(FoldingError::InvalidInput(format!(
                    "the primary commitment key has {} generators; the circuits need {need}",
                    ck1.length()
                )));
            }
            Ok(ck1)
        })
    }

    fn setup_inner<C: StepCircuit<F1>>(
        circuits: &[C],
        make_ck1: impl FnOnce(&[&R1CSShape<E1>]) -> Result<CommitmentKey<E1>, FoldingError>,
    ) -> Result<Self, FoldingError> {
        let m = circuits.len();
        let arity = circuits
            .first()
            .ok_or_else(|| FoldingError::InvalidInput("no step circuit".into()))?
            .arity();
        if circuits.iter().any(|c| c.arity() != arity) {
            return Err(FoldingError::InvalidInput(
                "step circuits differ in arity".into(),
            ));
        }
        let ro1 = crate::hash::ro_constants1();
        let ro2 = crate::hash::ro_constants2();
        let mut primary = Vec::with_capacity(m);
        for (j, c) in circuits.iter().enumerate() {
            let mut cs = ShapeCS::<E1>::new();
            PrimaryCircuit::new(j, c, &ro1, None).synthesize(&mut cs)?;
            let shape = cs.r1cs_shape()?;
            if shape.num_io() != 2 {
                return Err(FoldingError::InvalidInput(format!(
                    "F'_{j} has num_io {}",
                    shape.num_io()
                )));
            }
            primary.push(shape);
        }
        for a in 0..m {
            for b in a + 1..m {
                if primary[a] == primary[b] {
                    return Err(FoldingError::InvalidInput(format!(
                        "F'_{a} and F'_{b} have equal shapes"
                    )));
                }
            }
        }
        let mut cs = ShapeCS::<E2>::new();
        SecondaryCircuit::new(m, &ro2, None).synthesize(&mut cs)?;
        let secondary = cs.r1cs_shape()?;
        if secondary.num_io() != 2 {
            return Err(FoldingError::InvalidInput("S' num_io != 2".into()));
        }
        let (pm, sm) = merge_shapes(m, arity, &ro1, &ro2)?;
        let mut refs: Vec<&R1CSShape<E1>> = primary.iter().collect();
        refs.push(&pm);
        let ck1 = make_ck1(&refs)?;
        let hint2 = default_ck_hint::<E2>();
        let ck2 = R1CSShape::commitment_key(&[&secondary, &sm], &[&*hint2, &*hint2])?;
        let mut pp = PublicParams {
            m,
            arity,
            ro1,
            ro2,
            primary,
            secondary,
            pm,
            sm,
            ck1,
            ck2,
            digest1: F1::from(0u64),
            digest2: F2::from(0u64),
        };
        tracing::debug!(m, arity, sizes = ?pp.sizes(), "public parameters synthesized");
        pp.digest1 = pp.compute_digest()?;
        pp.digest2 = switch_field(&pp.digest1)?;
        Ok(pp)
    }

    pub(crate) fn compute_digest(&self) -> Result<F1, FoldingError> {
        let input = DigestInput {
            version: ENCODING_VERSION,
            m: self.m,
            arity: self.arity,
            tags: [
                T_SIG, T_TAU, T_RS1, T_RS2, T_PM1, T_PM2, T_SM1, T_SM2, T_SLOT,
            ],
            ro1: &self.ro1,
            ro2: &self.ro2,
            primary: &self.primary,
            secondary: &self.secondary,
            pm: &self.pm,
            sm: &self.sm,
            ck1: &self.ck1,
            ck2: &self.ck2,
        };
        DigestComputer::<F1, _>::new(&input)
            .digest()
            .map_err(|e| FoldingError::Serde(e.to_string()))
    }

    /// The parameter digest pp as an F1 element (a 250-bit integer).
    pub fn digest(&self) -> F1 {
        self.digest1
    }

    /// The parameter digest pp as an F2 element (the same integer).
    pub fn digest_secondary(&self) -> F2 {
        self.digest2
    }

    /// The primary shapes S_0..S_{m-1} (of F'_0..F'_{m-1}).
    pub fn primary_shapes(&self) -> &[R1CSShape<E1>] {
        &self.primary
    }

    /// The secondary shape S'.
    pub fn secondary_shape(&self) -> &R1CSShape<E2> {
        &self.secondary
    }

    /// The shape S_PM of the primary merge circuit PM (slot U[m], num_io = 3).
    pub fn primary_merge_shape(&self) -> &R1CSShape<E1> {
        &self.pm
    }

    /// The shape of the secondary merge circuit SM (slot U'[1], num_io = 2).
    pub fn secondary_merge_shape(&self) -> &R1CSShape<E2> {
        &self.sm
    }

    /// Constraint and variable counts of PM and SM.
    pub fn merge_sizes(&self) -> MergeSizes {
        MergeSizes {
            pm: (self.pm.num_cons(), self.pm.num_vars()),
            sm: (self.sm.num_cons(), self.sm.num_vars()),
        }
    }

    /// The BN254 commitment key (sized for the largest primary shape).
    pub fn ck_primary(&self) -> &CommitmentKey<E1> {
        &self.ck1
    }

    /// The Grumpkin commitment key.
    pub fn ck_secondary(&self) -> &CommitmentKey<E2> {
        &self.ck2
    }

    /// Poseidon constants of H1 (over F1).
    pub fn ro_primary(&self) -> &PoseidonConstantsCircuit<F1> {
        &self.ro1
    }

    /// Poseidon constants of H2 (over F2).
    pub fn ro_secondary(&self) -> &PoseidonConstantsCircuit<F2> {
        &self.ro2
    }

    /// Number of step circuits m.
    pub fn num_circuits(&self) -> usize {
        self.m
    }

    /// Arity of the state z.
    pub fn arity(&self) -> usize {
        self.arity
    }

    /// Constraint and variable counts of the augmented circuits F'_j around `circuits` and of
    /// S' for m = `circuits.len()`, without building commitment keys (cheap).
    pub fn augmented_sizes<C: StepCircuit<F1>>(
        circuits: &[C],
    ) -> Result<CircuitSizes, FoldingError> {
        let ro1 = crate::hash::ro_constants1();
        let ro2 = crate::hash::ro_constants2();
        let mut primary = Vec::with_capacity(circuits.len());
        for (j, c) in circuits.iter().enumerate() {
            let mut cs = ShapeCS::<E1>::new();
            PrimaryCircuit::new(j, c, &ro1, None).synthesize(&mut cs)?;
            primary.push((cs.num_constraints(), cs.num_aux()));
        }
        let mut cs = ShapeCS::<E2>::new();
        SecondaryCircuit::new(circuits.len(), &ro2, None).synthesize(&mut cs)?;
        Ok(CircuitSizes {
            primary,
            secondary: (cs.num_constraints(), cs.num_aux()),
        })
    }

    /// Constraint and variable counts of the augmented circuits.
    pub fn sizes(&self) -> CircuitSizes {
        CircuitSizes {
            primary: self
                .primary
                .iter()
                .map(|s| (s.num_cons(), s.num_vars()))
                .collect(),
            secondary: (self.secondary.num_cons(), self.secondary.num_vars()),
        }
    }

    /// Serialises the parameters (bincode 2, standard configuration).
    pub fn to_bytes(&self) -> Result<Vec<u8>, FoldingError> {
        bincode::serde::encode_to_vec(self, bincode::config::standard())
            .map_err(|e| FoldingError::Serde(e.to_string()))
    }

    /// Deserialises parameters and recomputes their digest; rejects a file whose stored
    /// digest does not match its contents.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, FoldingError> {
        let (pp, _): (Self, usize) =
            bincode::serde::decode_from_slice(bytes, bincode::config::standard())
                .map_err(|e| FoldingError::Serde(e.to_string()))?;
        if pp.compute_digest()? != pp.digest1 || switch_field::<F1, F2>(&pp.digest1)? != pp.digest2
        {
            return Err(FoldingError::DigestMismatch);
        }
        Ok(pp)
    }

    /// Writes the parameters to `path` as a parameters file ([`crate::params_file`]; no
    /// context), atomically ([`crate::fs::write_atomic`]).
    pub fn save(&self, path: &Path) -> Result<(), FoldingError> {
        crate::fs::write_atomic(path, &self.to_file_bytes(&[])?)?;
        Ok(())
    }

    /// Loads parameters saved by [`Self::save`], checked as [`crate::params_file`] says
    /// (checksum, bounded decoding); the file's context is ignored. Whether the file was made
    /// for this build's circuits is the caller's to check (store a
    /// [`Self::circuit_fingerprint`] in the context, as `canopy::Params` does).
    pub fn load(path: &Path) -> Result<Self, FoldingError> {
        Ok(Self::from_file_bytes(&std::fs::read(path)?)?.0)
    }
}

/// The generators nova-snark's `R1CSShape::commitment_key` makes for `shapes` with the
/// default hint: max(constraints, variables) over the shapes, rounded up to a power of two.
pub(crate) fn primary_key_len(shapes: &[&R1CSShape<E1>]) -> usize {
    shapes
        .iter()
        .map(|s| s.num_cons().max(s.num_vars()))
        .max()
        .unwrap_or(1)
        .next_power_of_two()
}

/// Synthesizes the merge shapes S_PM (over F1) and SM (over F2) and checks their IO lengths
/// (PM: 3, SM: 2; docs/protocol.md §1.2).
fn merge_shapes(
    m: usize,
    arity: usize,
    ro1: &PoseidonConstantsCircuit<F1>,
    ro2: &PoseidonConstantsCircuit<F2>,
) -> Result<(R1CSShape<E1>, R1CSShape<E2>), FoldingError> {
    let mut cs = ShapeCS::<E1>::new();
    PrimaryMergeCircuit::new(arity, ro1, None).synthesize(&mut cs)?;
    let pm = cs.r1cs_shape()?;
    if pm.num_io() != 3 {
        return Err(FoldingError::InvalidInput("PM num_io != 3".into()));
    }
    let mut cs = ShapeCS::<E2>::new();
    SecondaryMergeCircuit::new(m, ro2, None).synthesize(&mut cs)?;
    let sm = cs.r1cs_shape()?;
    if sm.num_io() != 2 {
        return Err(FoldingError::InvalidInput("SM num_io != 2".into()));
    }
    Ok((pm, sm))
}

/// Constraint and variable counts of PM (for state arity `arity`) and SM (for m circuits),
/// without building commitment keys.
pub fn merge_circuit_sizes(m: usize, arity: usize) -> Result<MergeSizes, FoldingError> {
    let ro1 = crate::hash::ro_constants1();
    let ro2 = crate::hash::ro_constants2();
    let (pm, sm) = merge_shapes(m, arity, &ro1, &ro2)?;
    Ok(MergeSizes {
        pm: (pm.num_cons(), pm.num_vars()),
        sm: (sm.num_cons(), sm.num_vars()),
    })
}
