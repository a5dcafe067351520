//! Native encodings of docs/protocol.md §1.3, the twins of the in-circuit encoders in
//! [`crate::gadgets::instance`].
//!
//! * `limbs(s)`: a foreign scalar as 4 little-endian 64-bit limbs, each a native element.
//! * `pt(P)`: `(x, y, inf)`, the identity encoded as `(0, 0, 1)`.
//! * `rel(U) = pt(W) ‖ pt(E) ‖ limbs(u) ‖ limbs(X[0]) ‖ …` (10 + 4ℓ elements).
//! * `str(u) = pt(W) ‖ emb(X[0]) ‖ …` (3 + ℓ elements), where every X value of a strict
//!   instance is an integer < 2^250 placed in the native field.

use crate::error::FoldingError;
use crate::{Commitment, HASH_BITS};
use ff::{Field, PrimeField};
use nova_snark::{
    gadgets::nonnative::{bignat::nat_to_limbs, util::f_to_nat},
    r1cs::{R1CSInstance, RelaxedR1CSInstance},
    traits::{commitment::CommitmentTrait, Engine},
};
use num_bigint::BigInt;

/// Limb width of the foreign-scalar encoding.
pub const LIMB_WIDTH: usize = 64;
/// Number of limbs of the foreign-scalar encoding.
pub const N_LIMBS: usize = 4;

/// The integer value of a field element.
pub fn to_int<F: PrimeField>(f: &F) -> BigInt {
    f_to_nat(f)
}

/// A non-negative integer as a field element; `None` if it is not below the modulus.
pub fn from_int<F: PrimeField>(n: &BigInt) -> Option<F> {
    if n.sign() == num_bigint::Sign::Minus {
        return None;
    }
    let (_, bytes) = n.to_bytes_le();
    let mut repr = F::Repr::default();
    if bytes.len() > repr.as_ref().len() {
        return None;
    }
    repr.as_mut()[..bytes.len()].copy_from_slice(&bytes);
    Option::from(F::from_repr(repr))
}

/// Moves a value known to be < 2^250 from one field to the other (`emb`).
pub fn switch_field<A: PrimeField, B: PrimeField>(a: &A) -> Result<B, FoldingError> {
    let n = to_int(a);
    if n.bits() > HASH_BITS as u64 {
        return Err(FoldingError::InvalidInput(
            "value crossing fields is not below 2^250".into(),
        ));
    }
    from_int(&n).ok_or_else(|| FoldingError::InvalidInput("value above modulus".into()))
}

/// `limbs(s)`: four 64-bit little-endian limbs of a foreign scalar.
pub fn limbs<S: PrimeField, N: PrimeField>(s: &S) -> Vec<N> {
    // a 256-bit integer always fits 4 limbs of 64 bits, and each limb fits N
    nat_to_limbs::<N>(&to_int(s), LIMB_WIDTH, N_LIMBS).unwrap_or_else(|_| vec![N::ZERO; N_LIMBS])
}

/// `pt(P)` of a commitment.
pub fn pt<E: Engine>(c: &Commitment<E>) -> [E::Base; 3] {
    let (x, y, inf) = c.to_coordinates();
    if inf {
        [E::Base::ZERO, E::Base::ZERO, E::Base::ONE]
    } else {
        [x, y, E::Base::ZERO]
    }
}

/// `rel(U)` of a relaxed instance of engine `E`, over `E::Base`.
pub fn rel<E: Engine>(u: &RelaxedR1CSInstance<E>) -> Vec<E::Base> {
    let mut out = Vec::with_capacity(10 + 4 * u.X().len());
    out.extend(pt::<E>(u.comm_W()));
    out.extend(pt::<E>(u.comm_E()));
    out.extend(limbs::<E::Scalar, E::Base>(&u.u()));
    for x in u.X() {
        out.extend(limbs::<E::Scalar, E::Base>(x));
    }
    out
}

/// `rel(DEFAULT_ℓ)`: identity points, u = 0, X = 0.
pub fn rel_default<F: PrimeField>(ell: usize) -> Vec<F> {
    let mut out = vec![F::ZERO, F::ZERO, F::ONE, F::ZERO, F::ZERO, F::ONE];
    out.extend(std::iter::repeat_n(F::ZERO, N_LIMBS * (1 + ell)));
    out
}

/// `str(u)` of a strict instance; fails if some X value is not below 2^250.
pub fn strict<E: Engine>(u: &R1CSInstance<E>) -> Result<Vec<E::Base>, FoldingError> {
    let mut out = Vec::with_capacity(3 + u.X().len());
    out.extend(pt::<E>(u.comm_W()));
    for x in u.X() {
        out.push(switch_field::<E::Scalar, E::Base>(x)?);
    }
    Ok(out)
}
