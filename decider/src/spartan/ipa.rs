//! A faster prover for nova-snark's inner-product argument (IPA) over Pedersen
//! commitments, with nova-snark's own verifier.
//!
//! [`FastIpa`] is an evaluation engine whose keys, arguments, transcript and verifier are
//! exactly nova-snark's `ipa_pc::EvaluationEngine`'s; only the prover differs. nova-snark
//! folds the generators in every round as `G' = r⁻¹·G_lo + r·G_hi`, a two-point
//! multi-scalar multiplication and an affine conversion (a field inversion) per generator;
//! at 2^18 entries that was 33 s of the decider's 35 s. Here the generators are kept up to
//! a common factor σ: `G = σ·H`, so the fold is `H' = H_lo + r²·H_hi` (one scalar
//! multiplication per generator, converted to affine in one batch) and `σ' = σ·r⁻¹`; the
//! round commitments `L = ⟨a_lo, G_hi⟩ + c_L·Q` are computed as one MSM over `H_hi, Q` with
//! the scalars `σ·a_lo, c_L`. The result is the same argument, bit for bit (tested against
//! nova-snark's prover), so the verifier is nova-snark's.
//!
//! nova-snark's IPA types have private fields and no constructors; they are built here by
//! a serde round trip from the same layout (as [`crate::kzg`] does for its keys).

use canopy_folding::{Commitment, CommitmentKey};
use ff::Field;
use halo2curves::group::Curve;
use nova_snark::{
    errors::NovaError,
    provider::{
        ipa_pc,
        pedersen::CommitmentEngine,
        traits::{DlogGroup, DlogGroupExt},
    },
    spartan::polys::eq::EqPolynomial,
    traits::{
        commitment::CommitmentEngineTrait, evaluation::EvaluationEngineTrait, Engine,
        TranscriptEngineTrait, TranscriptReprTrait,
    },
};
use rayon::prelude::*;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::marker::PhantomData;

/// Rounds between two materialisations of the generators (see the prover).
const LEVEL: usize = 6;

/// An affine point of engine `E`.
type Affine<E> = <<E as Engine>::GE as DlogGroup>::AffineGroupElement;

/// The IPA evaluation engine with a faster prover (see the module docs).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct FastIpa<E: Engine>(PhantomData<E>);

/// The instance nova-snark's IPA absorbs: the commitment, then the claimed value.
struct IpaInstance<'a, E: Engine> {
    comm: &'a Commitment<E>,
    c: E::Scalar,
}

impl<E: Engine> TranscriptReprTrait<E::GE> for IpaInstance<'_, E> {
    fn to_transcript_bytes(&self) -> Vec<u8> {
        [
            self.comm.to_transcript_bytes(),
            self.c.to_transcript_bytes(),
        ]
        .concat()
    }
}

/// [`crate::recast::recast`] with nova-snark's error.
fn recast<A: Serialize, B: DeserializeOwned>(a: &A) -> Result<B, NovaError> {
    crate::recast::recast(a).map_err(|e| NovaError::SetupError(format!("IPA: {e}")))
}

/// The IPA argument's serde layout (nova-snark's `InnerProductArgument`).
#[derive(Serialize, Deserialize)]
#[serde(bound = "")]
struct Wire<E: Engine> {
    l: Vec<Commitment<E>>,
    r: Vec<Commitment<E>>,
    a_hat: E::Scalar,
}

impl<E> EvaluationEngineTrait<E> for FastIpa<E>
where
    E: Engine<CE = CommitmentEngine<E>>,
    E::GE: DlogGroupExt + Curve<AffineRepr = Affine<E>>,
{
    type ProverKey = <ipa_pc::EvaluationEngine<E> as EvaluationEngineTrait<E>>::ProverKey;
    type VerifierKey = <ipa_pc::EvaluationEngine<E> as EvaluationEngineTrait<E>>::VerifierKey;
    type EvaluationArgument =
        <ipa_pc::EvaluationEngine<E> as EvaluationEngineTrait<E>>::EvaluationArgument;

    fn setup(ck: &CommitmentKey<E>) -> Result<(Self::ProverKey, Self::VerifierKey), NovaError> {
        ipa_pc::EvaluationEngine::<E>::setup(ck)
    }

    fn prove(
        ck: &CommitmentKey<E>,
        pk: &Self::ProverKey,
        tr: &mut E::TE,
        comm: &Commitment<E>,
        poly: &[E::Scalar],
        point: &[E::Scalar],
        eval: &E::Scalar,
    ) -> Result<Self::EvaluationArgument, NovaError> {
        Self::prove_with(LEVEL, ck, pk, tr, comm, poly, point, eval)
    }

    fn verify(
        vk: &Self::VerifierKey,
        tr: &mut E::TE,
        comm: &Commitment<E>,
        point: &[E::Scalar],
        eval: &E::Scalar,
        arg: &Self::EvaluationArgument,
    ) -> Result<(), NovaError> {
        ipa_pc::EvaluationEngine::<E>::verify(vk, tr, comm, point, eval, arg)
    }
}

impl<E> FastIpa<E>
where
    E: Engine<CE = CommitmentEngine<E>>,
    E::GE: DlogGroupExt + Curve<AffineRepr = Affine<E>>,
{
    /// The prover, materialising the generators every `level` rounds.
    #[allow(clippy::too_many_arguments)]
    fn prove_with(
        level: usize,
        ck: &CommitmentKey<E>,
        pk: &<Self as EvaluationEngineTrait<E>>::ProverKey,
        tr: &mut E::TE,
        comm: &Commitment<E>,
        poly: &[E::Scalar],
        point: &[E::Scalar],
        eval: &E::Scalar,
    ) -> Result<<Self as EvaluationEngineTrait<E>>::EvaluationArgument, NovaError> {
        let n = 1usize << point.len();
        if poly.len() != n || ck.generators().len() < n {
            return Err(NovaError::InvalidInputLength);
        }
        // the key's one extra generator (nova-snark's ck_s, label "ipa")
        let ck_s: CommitmentKey<E> = recast(pk)?;
        let s = *ck_s
            .generators()
            .first()
            .ok_or(NovaError::InvalidInputLength)?;
        let h: Affine<E> = recast(&E::CE::derand_key(ck))?;

        tr.dom_sep(b"IPA");
        tr.absorb(b"U", &IpaInstance::<E> { comm, c: *eval });
        let r0 = tr.squeeze(b"r")?;
        let q = (E::GE::group(&s) * r0).affine();

        let mut a = poly.to_vec();
        let mut b = EqPolynomial::new(point.to_vec()).evals();
        let (mut ls, mut rs) = (Vec::new(), Vec::new());
        let ip = |x: &[E::Scalar], y: &[E::Scalar]| -> E::Scalar {
            x.par_iter().zip(y.par_iter()).map(|(p, q)| *p * q).sum()
        };
        let fold = |v: &[E::Scalar], lo_w: E::Scalar, hi_w: E::Scalar| -> Vec<E::Scalar> {
            let (lo, hi) = v.split_at(v.len() / 2);
            lo.par_iter()
                .zip(hi.par_iter())
                .map(|(l, h)| *l * lo_w + hi_w * h)
                .collect()
        };

        // ⟨scalars, bases⟩ + c·Q as a commitment: the MSM, then the point as a commitment
        // through a one-generator key (nova-snark's commitments have no constructor from a
        // point)
        let commit = |scalars: &[E::Scalar], bases: &[Affine<E>], c: E::Scalar| {
            let p = E::GE::vartime_multiscalar_mul(scalars, bases) + E::GE::group(&q) * c;
            let key: CommitmentKey<E> = recast(&(vec![p.affine()], h))?;
            Ok::<_, NovaError>(E::CE::commit(&key, &[E::Scalar::ONE], &E::Scalar::ZERO))
        };

        // The generators are never folded one round at a time. Between two
        // materialisations the current generator j is Σ_{i ≡ j mod n_k} coef(i)·B_i over
        // the bases B of the last materialisation, so L and R are MSMs over B (the other
        // half of the scalars zero). Every `level` rounds the bases are replaced by the
        // current generators, each a small MSM of 2^level bases.
        let mut bases: Vec<Affine<E>> = ck.generators()[..n].to_vec();
        let mut coef = vec![E::Scalar::ONE; n];
        let mut since = 0;
        while a.len() > 1 {
            let (nk, m) = (a.len(), bases.len());
            let half = nk / 2;
            let c_l = ip(&a[..half], &b[half..]);
            let c_r = ip(&a[half..], &b[..half]);
            // the bases of one half (i mod n_k in the upper or lower half) and their scalars
            let side = |upper: bool| -> (Vec<E::Scalar>, Vec<Affine<E>>) {
                (0..m)
                    .into_par_iter()
                    .filter(|i| (i % nk >= half) == upper)
                    .map(|i| {
                        let j = i % nk;
                        let aj = if upper { a[j - half] } else { a[j + half] };
                        (aj * coef[i], bases[i])
                    })
                    .unzip()
            };
            let (sl, bl) = side(true);
            let l = commit(&sl, &bl, c_l)?;
            let (sr, br) = side(false);
            let r = commit(&sr, &br, c_r)?;
            tr.absorb(b"L", &l);
            tr.absorb(b"R", &r);
            ls.push(l);
            rs.push(r);
            let x = tr.squeeze(b"r")?;
            let x_inv =
                Option::<E::Scalar>::from(x.invert()).ok_or(NovaError::InvalidInputLength)?;
            a = fold(&a, x, x_inv);
            b = fold(&b, x_inv, x);
            coef.par_iter_mut().enumerate().for_each(|(i, c)| {
                *c *= if i % nk >= half { x } else { x_inv };
            });
            since += 1;
            if since == level && a.len() > 1 {
                let nt = a.len();
                let next: Vec<E::GE> = (0..nt)
                    .into_par_iter()
                    .map(|j| {
                        let idx = (j..m).step_by(nt);
                        let sc: Vec<E::Scalar> = idx.clone().map(|i| coef[i]).collect();
                        let bs: Vec<Affine<E>> = idx.map(|i| bases[i]).collect();
                        E::GE::vartime_multiscalar_mul(&sc, &bs)
                    })
                    .collect();
                bases = vec![E::GE::zero().affine(); nt];
                E::GE::batch_normalize(&next, &mut bases);
                coef = vec![E::Scalar::ONE; nt];
                since = 0;
            }
        }
        recast(&Wire::<E> {
            l: ls,
            r: rs,
            a_hat: a[0],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::FastIpa;
    use ff::Field;
    use nova_snark::{
        provider::{ipa_pc, Bn256EngineIPA, GrumpkinEngine},
        spartan::polys::multilinear::MultilinearPolynomial,
        traits::{
            commitment::CommitmentEngineTrait, evaluation::EvaluationEngineTrait, Engine,
            TranscriptEngineTrait,
        },
    };
    use rand_core::OsRng;

    fn same_as_nova<E>()
    where
        E: Engine<CE = nova_snark::provider::pedersen::CommitmentEngine<E>>,
        E::GE: nova_snark::provider::traits::DlogGroupExt
            + halo2curves::group::Curve<AffineRepr = super::Affine<E>>,
    {
        let ck = E::CE::setup(b"test", 128).unwrap();
        let (pk, vk) = FastIpa::<E>::setup(&ck).unwrap();
        for (v, level) in [(0usize, 6), (1, 6), (3, 6), (6, 6), (6, 2), (5, 1), (7, 3)] {
            let poly: Vec<E::Scalar> = (0..1 << v).map(|_| E::Scalar::random(OsRng)).collect();
            let point: Vec<E::Scalar> = (0..v).map(|_| E::Scalar::random(OsRng)).collect();
            let eval = MultilinearPolynomial::evaluate_with(&poly, &point);
            let comm = E::CE::commit(&ck, &poly, &E::Scalar::ZERO);
            let mut t1 = E::TE::new(b"t");
            let fast =
                FastIpa::<E>::prove_with(level, &ck, &pk, &mut t1, &comm, &poly, &point, &eval)
                    .unwrap();
            let mut t2 = E::TE::new(b"t");
            let nova = ipa_pc::EvaluationEngine::<E>::prove(
                &ck, &pk, &mut t2, &comm, &poly, &point, &eval,
            )
            .unwrap();
            let enc =
                |x: &_| bincode::serde::encode_to_vec(x, bincode::config::standard()).unwrap();
            assert_eq!(
                enc(&fast),
                enc(&nova),
                "the same argument at {v} variables, level {level}"
            );
            assert_eq!(t1.squeeze(b"x").unwrap(), t2.squeeze(b"x").unwrap());
            let mut t3 = E::TE::new(b"t");
            FastIpa::<E>::verify(&vk, &mut t3, &comm, &point, &eval, &fast).unwrap();
            let mut t4 = E::TE::new(b"t");
            let wrong = eval + E::Scalar::ONE;
            assert!(FastIpa::<E>::verify(&vk, &mut t4, &comm, &point, &wrong, &fast).is_err());
        }
    }

    #[test]
    fn fast_ipa_gives_nova_snarks_argument_on_bn254() {
        same_as_nova::<Bn256EngineIPA>();
    }

    #[test]
    fn fast_ipa_gives_nova_snarks_argument_on_grumpkin() {
        same_as_nova::<GrumpkinEngine>();
    }
}
