//! The verification circuit (see the [module docs](super) for what it proves).

use ark_ff::{BigInteger, Field as _, PrimeField as _};
use canopy_circuit::coprocessor::{CoprocessorOutput, InputWord};
use canopy_folding::F1;
use ff::{Field, PrimeField};
use nova_snark::frontend::gadgets::poseidon::{
    Elt, Simplex, SpongeAPI, SpongeCircuit, SpongeTrait,
};
use nova_snark::frontend::num::{AllocatedNum, Num};
use nova_snark::frontend::{Boolean, ConstraintSystem, SynthesisError};

use super::encoding::{f1_to_fq, fq_to_f1, y_for_x};
use super::gadget::{
    double_affine, enforce_on_curve, is_zero, mixed_add, select_point, Aff, Expr, Proj,
};
use super::native::pattern;
use super::{SchnorrVerify, DOMAIN, INPUT_WORDS, SCALAR_BITS};
use crate::util::{enforce_le_const, zero_status};

/// The 256 little-endian bits of p − 1.
fn p_minus_one_bits() -> Vec<bool> {
    let repr = (-F1::ONE).to_repr();
    repr.as_ref()
        .iter()
        .flat_map(|byte| (0..8).map(move |i| byte >> i & 1 == 1))
        .collect()
}

/// The 256 little-endian bits of q − 1 (q = Grumpkin's group order).
fn q_minus_one_bits() -> Vec<bool> {
    (-ark_grumpkin::Fr::ONE).into_bigint().to_bits_le()
}

/// Σ bits[i]·2^i as a linear combination with value (no constraint).
fn bits_num<CS: ConstraintSystem<F1>>(bits: &[Boolean]) -> Num<F1> {
    let mut num = Num::zero();
    let mut coeff = F1::ONE;
    for b in bits {
        num = num.add_bool_with_coeff(CS::one(), b, coeff);
        coeff = coeff.double();
    }
    num
}

/// A decompressed point: x (from the input bits), y (a witness) and both as an [`Aff`].
struct Decompressed {
    x: Num<F1>,
    y: AllocatedNum<F1>,
    aff: Aff,
}

/// The point encoded by 256 input bits: x = bits 0..255 (≤ p − 1), y with y² = x³ − 17 and
/// y's parity = bit 255 (strict bits of y, so the parity is that of y's canonical integer).
/// Unsatisfiable if no such point exists.
fn decompress<CS: ConstraintSystem<F1>>(
    mut cs: CS,
    bits: &[Boolean],
    p_bound: &[bool],
) -> Result<Decompressed, SynthesisError> {
    enforce_le_const(cs.namespace(|| "x < p"), &bits[..255], &p_bound[..255])?;
    let x = bits_num::<CS>(&bits[..255]);
    let sign = &bits[255];
    let y_v = x.get_value().zip(sign.get_value()).map(|(x, odd)| {
        // no point: any y (the on-curve constraint then fails)
        y_for_x(f1_to_fq(x), odd).map_or(F1::ZERO, fq_to_f1)
    });
    let y = AllocatedNum::alloc(cs.namespace(|| "y"), || {
        y_v.ok_or(SynthesisError::AssignmentMissing)
    })?;
    let aff = Aff {
        x: Expr::from_num(&x),
        y: Expr::num(&y),
    };
    enforce_on_curve(cs.namespace(|| "on curve"), &aff)?;
    let y_bits = y.to_bits_le_strict(cs.namespace(|| "y bits"))?;
    let y0 = y_bits.first().ok_or(SynthesisError::AssignmentMissing)?;
    let d = y0.lc(CS::one(), F1::ONE) - &sign.lc(CS::one(), F1::ONE);
    cs.enforce(|| "y parity = sign bit", |_| d, |l| l + CS::one(), |l| l);
    Ok(Decompressed { x, y, aff })
}

/// The in-circuit challenge H(R.x, R.y, P.x, P.y, m), allocated.
fn challenge<CS: ConstraintSystem<F1>>(
    v: &SchnorrVerify,
    cs: &mut CS,
    elements: Vec<Elt<F1>>,
) -> Result<AllocatedNum<F1>, SynthesisError> {
    let mut ns = cs.namespace(|| "challenge");
    let mut sponge = SpongeCircuit::new_with_constants(&v.constants, Simplex);
    let acc = &mut ns;
    sponge.start(pattern(), Some(DOMAIN), acc);
    SpongeAPI::absorb(&mut sponge, 5, &elements, acc);
    let out = SpongeAPI::squeeze(&mut sponge, 1, acc);
    sponge
        .finish(acc)
        .map_err(|_| SynthesisError::Unsatisfiable("sponge IO pattern".into()))?;
    let e = out
        .into_iter()
        .next()
        .ok_or(SynthesisError::AssignmentMissing)?;
    let e = e.ensure_allocated(&mut acc.namespace(|| "e"))?;
    Ok(e)
}

/// The circuit on the 32 input words: the result word (1 = valid) and status 0.
pub(super) fn synthesize<CS: ConstraintSystem<F1>>(
    v: &SchnorrVerify,
    cs: &mut CS,
    inputs: &[InputWord],
) -> Result<CoprocessorOutput, SynthesisError> {
    if inputs.len() != INPUT_WORDS as usize || inputs.iter().any(|w| w.bits.len() != 32) {
        return Err(SynthesisError::IncompatibleLengthVector(
            "schnorr takes 32 words of 32 bits".into(),
        ));
    }
    let bits: Vec<Boolean> = inputs.iter().flat_map(|w| w.bits.iter().cloned()).collect();
    let p_bound = p_minus_one_bits();
    let pk = decompress(cs.namespace(|| "P"), &bits[0..256], &p_bound)?;
    let r = decompress(cs.namespace(|| "R"), &bits[256..512], &p_bound)?;
    let s_bits = &bits[512..768];
    enforce_le_const(cs.namespace(|| "s < q"), s_bits, &q_minus_one_bits())?;
    let m_bits = &bits[768..1024];
    enforce_le_const(cs.namespace(|| "m < p"), m_bits, &p_bound)?;
    let m = bits_num::<CS>(m_bits);

    let e = challenge(
        v,
        cs,
        vec![
            Elt::Num(r.x.clone()),
            Elt::Allocated(r.y.clone()),
            Elt::Num(pk.x.clone()),
            Elt::Allocated(pk.y.clone()),
            Elt::Num(m),
        ],
    )?;
    let e_bits = e.to_bits_le_strict(cs.namespace(|| "e bits"))?;
    if e_bits.len() > SCALAR_BITS {
        return Err(SynthesisError::IncompatibleLengthVector(
            "challenge wider than the scalar loop".into(),
        ));
    }

    // A = R + Σ e_i·2^i·P − Σ s_i·2^i·G; valid iff A is the identity.
    let mut acc = Proj::from_affine::<CS>(&r.aff);
    let mut base = pk.aff.clone();
    for (i, (s_i, &(gx, gy))) in s_bits[..SCALAR_BITS].iter().zip(&v.neg_g_table).enumerate() {
        let cs = &mut cs.namespace(|| format!("bit {i}"));
        let e_i = e_bits.get(i).cloned().unwrap_or(Boolean::constant(false));
        let sum = mixed_add(cs.namespace(|| "+ 2^i P"), &acc, &base)?;
        acc = select_point(cs.namespace(|| "e_i"), &e_i, &sum, &acc)?;
        let g = Aff {
            x: Expr::constant::<CS>(gx),
            y: Expr::constant::<CS>(gy),
        };
        let sum = mixed_add(cs.namespace(|| "- 2^i G"), &acc, &g)?;
        acc = select_point(cs.namespace(|| "s_i"), s_i, &sum, &acc)?;
        if i + 1 < SCALAR_BITS {
            base = double_affine(cs.namespace(|| "double P"), &base)?;
        }
    }
    let valid = is_zero(cs.namespace(|| "result"), &acc.z)?;
    let status = zero_status(cs.namespace(|| "status"))?;
    Ok(CoprocessorOutput {
        words: vec![valid],
        status,
    })
}
