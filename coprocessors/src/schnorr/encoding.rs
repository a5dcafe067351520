//! The word encoding of a Schnorr call (see the [module docs](super)): compressed points,
//! scalars and field elements as 8 little-endian u32 words, and conversions between
//! arkworks' field type and the circuit field.

use std::fmt;

use ark_ec::short_weierstrass::SWCurveConfig;
use ark_ec::AffineRepr;
use ark_ff::{BigInt, BigInteger, Field, PrimeField};
use ark_grumpkin::{Affine, Fq, Fr, GrumpkinConfig};
use canopy_folding::F1;
use ff::PrimeField as _;

/// Words per value (point, scalar, field element).
pub const VALUE_WORDS: usize = 8;

/// The sign bit of a compressed point: bit 255, the top bit of word 7 (1 = y is odd).
pub const SIGN_BIT: u32 = 1 << 31;

/// Why an input is malformed (the call faults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputError {
    /// The input does not have 32 words.
    Length(usize),
    /// A point's x (bits 0..255) is ≥ p.
    NonCanonicalX(&'static str),
    /// No curve point has this x and y-parity (x³ − 17 is not a square).
    NotOnCurve(&'static str),
    /// s ≥ q.
    ScalarOutOfRange,
    /// m ≥ p.
    NonCanonicalMessage,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::Length(n) => write!(f, "input has {n} words, expected 32"),
            InputError::NonCanonicalX(w) => write!(f, "{w}: x is not canonical (≥ p)"),
            InputError::NotOnCurve(w) => {
                write!(f, "{w}: no Grumpkin point has this x (not on the curve)")
            }
            InputError::ScalarOutOfRange => write!(f, "s is not below the group order q"),
            InputError::NonCanonicalMessage => write!(f, "m is not canonical (≥ p)"),
        }
    }
}

impl std::error::Error for InputError {}

/// A Schnorr verification input: public key, signature (R, s) and message digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchnorrInput {
    /// The public key P.
    pub public_key: Affine,
    /// The signature's commitment R.
    pub r: Affine,
    /// The signature's response s.
    pub s: Fr,
    /// The message digest m.
    pub message: Fq,
}

impl SchnorrInput {
    /// The 32 input words (P, R, s, m), or `None` if P or R is the point at infinity
    /// (which has no encoding).
    pub fn to_words(&self) -> Option<[u32; 32]> {
        let mut out = [0u32; 32];
        out[0..8].copy_from_slice(&compress(&self.public_key)?);
        out[8..16].copy_from_slice(&compress(&self.r)?);
        out[16..24].copy_from_slice(&words_of(&self.s.into_bigint()));
        out[24..32].copy_from_slice(&words_of(&self.message.into_bigint()));
        Some(out)
    }

    /// The 128 input bytes (the words in little-endian order), as a guest reads them.
    pub fn to_bytes(&self) -> Option<[u8; 128]> {
        let words = self.to_words()?;
        let mut out = [0u8; 128];
        for (chunk, w) in out.chunks_exact_mut(4).zip(words) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
        Some(out)
    }

    /// Decodes the 32 input words, or says why they are malformed.
    pub fn from_words(words: &[u32]) -> Result<Self, InputError> {
        if words.len() != 32 {
            return Err(InputError::Length(words.len()));
        }
        let public_key = decompress(&words[0..8], "P")?;
        let r = decompress(&words[8..16], "R")?;
        let s = Fr::from_bigint(bigint_of(&words[16..24])).ok_or(InputError::ScalarOutOfRange)?;
        let message =
            Fq::from_bigint(bigint_of(&words[24..32])).ok_or(InputError::NonCanonicalMessage)?;
        Ok(SchnorrInput {
            public_key,
            r,
            s,
            message,
        })
    }
}

/// The integer of 8 little-endian words (`words.len()` must be 8; missing words count 0).
pub(crate) fn bigint_of(words: &[u32]) -> BigInt<4> {
    let w = |i: usize| words.get(i).copied().unwrap_or(0) as u64;
    BigInt::new(std::array::from_fn(|l| w(2 * l) | w(2 * l + 1) << 32))
}

/// The 8 little-endian words of an integer.
pub(crate) fn words_of(b: &BigInt<4>) -> [u32; 8] {
    std::array::from_fn(|i| (b.0[i / 2] >> (32 * (i % 2))) as u32)
}

/// Whether a field element's canonical integer is odd.
pub fn is_odd(f: Fq) -> bool {
    f.into_bigint().is_odd()
}

/// The compressed encoding of a point (`None` for the point at infinity).
pub fn compress(p: &Affine) -> Option<[u32; 8]> {
    let (x, y) = p.xy()?;
    let mut w = words_of(&x.into_bigint());
    if is_odd(y) {
        w[7] |= SIGN_BIT;
    }
    Some(w)
}

/// The y-coordinate with the given parity of the curve point with this x, if one exists.
pub fn y_for_x(x: Fq, odd: bool) -> Option<Fq> {
    let rhs = x.square() * x + GrumpkinConfig::COEFF_B;
    let y = rhs.sqrt()?;
    let y = if is_odd(y) == odd { y } else { -y };
    // y = 0 would have both parities; Grumpkin has no such point (no 2-torsion), but a
    // mismatch is rejected rather than assumed away.
    (is_odd(y) == odd).then_some(y)
}

/// Decodes a compressed point (`which` names it in errors).
pub fn decompress(words: &[u32], which: &'static str) -> Result<Affine, InputError> {
    let mut xw = [0u32; 8];
    for (o, w) in xw.iter_mut().zip(words) {
        *o = *w;
    }
    let odd = xw[7] & SIGN_BIT != 0;
    xw[7] &= !SIGN_BIT;
    let x = Fq::from_bigint(bigint_of(&xw)).ok_or(InputError::NonCanonicalX(which))?;
    let y = y_for_x(x, odd).ok_or(InputError::NotOnCurve(which))?;
    Ok(Affine::new_unchecked(x, y))
}

/// arkworks' F_p element as the circuit field's element (same integer).
pub fn fq_to_f1(f: Fq) -> F1 {
    let bytes = f.into_bigint().to_bytes_le();
    let mut repr = <F1 as ff::PrimeField>::Repr::default();
    repr.as_mut().copy_from_slice(&bytes[..32]);
    // Both types are the field of integers mod p, so every canonical integer is accepted;
    // the fallback is unreachable.
    Option::from(F1::from_repr(repr)).unwrap_or_default()
}

/// The circuit field's element as arkworks' F_p element (same integer).
pub fn f1_to_fq(f: F1) -> Fq {
    Fq::from_le_bytes_mod_order(f.to_repr().as_ref())
}

/// The circuit field's element as a Grumpkin scalar (same integer: p < q, no reduction).
pub fn f1_to_scalar(f: F1) -> Fr {
    Fr::from_le_bytes_mod_order(f.to_repr().as_ref())
}
