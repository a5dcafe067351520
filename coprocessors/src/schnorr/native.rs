//! The native scheme: challenge hash, verification and signing (arkworks group arithmetic).

use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::{AdditiveGroup, Zero};
use ark_grumpkin::{Affine, Fq, Fr, Projective};
use canopy_folding::F1;
use nova_snark::frontend::gadgets::poseidon::{
    IOPattern, Simplex, Sponge, SpongeAPI, SpongeOp, SpongeTrait,
};

use super::encoding::{f1_to_scalar, fq_to_f1};
use super::{SchnorrInput, SchnorrVerify, DOMAIN};

/// The challenge sponge's IO pattern: absorb the 5 elements, squeeze 1.
pub(super) fn pattern() -> IOPattern {
    IOPattern(vec![SpongeOp::Absorb(5), SpongeOp::Squeeze(1)])
}

/// −2^i·G for i < n, affine, as circuit-field coordinates (none is the identity: 2^i is not
/// a multiple of the prime q).
pub(super) fn neg_generator_table(n: usize) -> Vec<(F1, F1)> {
    let mut g = Projective::generator();
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let a = (-g).into_affine();
        // xy() is None only for the identity, which −2^i·G is not.
        let (x, y) = a.xy().unwrap_or_default();
        out.push((fq_to_f1(x), fq_to_f1(y)));
        g.double_in_place();
    }
    out
}

impl SchnorrVerify {
    /// The challenge hash of five circuit-field elements (R.x, R.y, P.x, P.y, m).
    pub(super) fn hash5(&self, elements: [F1; 5]) -> F1 {
        let mut sponge = Sponge::new_with_constants(&self.constants, Simplex);
        let acc = &mut ();
        sponge.start(pattern(), Some(DOMAIN), acc);
        SpongeAPI::absorb(&mut sponge, 5, &elements, acc);
        let out = SpongeAPI::squeeze(&mut sponge, 1, acc);
        // `finish` fails only on an IO-pattern mismatch, which the fixed pattern rules out.
        let _ = sponge.finish(acc);
        out[0]
    }

    /// The challenge e = H(R.x, R.y, P.x, P.y, m) as a Grumpkin scalar (`None` if R or P is
    /// the point at infinity).
    pub fn challenge(&self, r: &Affine, public_key: &Affine, message: Fq) -> Option<Fr> {
        let (rx, ry) = r.xy()?;
        let (px, py) = public_key.xy()?;
        let e = self.hash5([rx, ry, px, py, message].map(fq_to_f1));
        Some(f1_to_scalar(e))
    }

    /// Whether s·G = R + e·P (false if P or R is the point at infinity, which no encoding
    /// can express).
    pub fn verify(&self, input: &SchnorrInput) -> bool {
        let Some(e) = self.challenge(&input.r, &input.public_key, input.message) else {
            return false;
        };
        Affine::generator() * input.s == Projective::from(input.r) + input.public_key * e
    }

    /// The public key x·G and a signature of `message` with secret key `secret` and nonce
    /// `nonce` (`None` if either is zero). The nonce must be secret, uniformly random and
    /// never reused (a repeated nonce reveals the key); this function only does the algebra.
    pub fn sign(&self, secret: Fr, nonce: Fr, message: Fq) -> Option<SchnorrInput> {
        if secret.is_zero() || nonce.is_zero() {
            return None;
        }
        let public_key = (Affine::generator() * secret).into_affine();
        let r = (Affine::generator() * nonce).into_affine();
        let e = self.challenge(&r, &public_key, message)?;
        Some(SchnorrInput {
            public_key,
            r,
            s: nonce + e * secret,
            message,
        })
    }
}
