//! Field-element conversion between arkworks' `ark_bn254::Fr` and the circuit field `F1`
//! (nova-snark's bn256 `Scalar`): the same prime field in two representations, converted
//! through the canonical little-endian bytes of the integer in `[0, p)`.

use ark_ff::{BigInteger, PrimeField as ArkPrimeField};
use canopy_folding::F1;
use ff::PrimeField;
use nova_snark::frontend::SynthesisError;

/// `x` as an element of `F1` (same integer in `[0, p)`).
///
/// Fails only if the two fields differ (the bytes would not be canonical in `F1`), which the
/// tests rule out; it is an error rather than a panic so a misconfigured build cannot crash a
/// prover.
pub fn ark_to_f1(x: &ark_bn254::Fr) -> Result<F1, SynthesisError> {
    let bytes = x.into_bigint().to_bytes_le();
    let mut repr = <F1 as PrimeField>::Repr::default();
    if bytes.len() > repr.as_ref().len() {
        return Err(field_mismatch());
    }
    repr.as_mut()[..bytes.len()].copy_from_slice(&bytes);
    Option::from(F1::from_repr(repr)).ok_or_else(field_mismatch)
}

/// `x` as an element of `ark_bn254::Fr` (same integer in `[0, p)`).
pub fn f1_to_ark(x: &F1) -> ark_bn254::Fr {
    ark_bn254::Fr::from_le_bytes_mod_order(x.to_repr().as_ref())
}

/// The value of a field element if it is below 2^32.
pub fn ark_to_u32(x: &ark_bn254::Fr) -> Option<u32> {
    let bytes = x.into_bigint().to_bytes_le();
    if bytes.iter().skip(4).any(|b| *b != 0) {
        return None;
    }
    let mut w = [0u8; 4];
    for (d, s) in w.iter_mut().zip(&bytes) {
        *d = *s;
    }
    Some(u32::from_le_bytes(w))
}

fn field_mismatch() -> SynthesisError {
    SynthesisError::Unsatisfiable(
        "ark_bn254::Fr element is not a canonical element of the circuit field".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ff::Field;

    #[test]
    fn conversion_round_trips_and_preserves_arithmetic() {
        let minus_one = -ark_bn254::Fr::from(1u64);
        assert_eq!(ark_to_f1(&minus_one).unwrap(), -F1::ONE);
        let a = ark_bn254::Fr::from(0x1234_5678_9abc_def0u64) * minus_one;
        let b = ark_bn254::Fr::from(987_654_321u64);
        let (fa, fb) = (ark_to_f1(&a).unwrap(), ark_to_f1(&b).unwrap());
        assert_eq!(ark_to_f1(&(a * b + b)).unwrap(), fa * fb + fb);
        assert_eq!(f1_to_ark(&fa), a);
        assert_eq!(ark_to_u32(&b), Some(987_654_321));
        assert_eq!(ark_to_u32(&a), None);
        // the moduli agree: p - 1 maps to p - 1 both ways
        assert_eq!(f1_to_ark(&-F1::ONE), minus_one);
    }
}
