//! Helpers on running instances.

use canopy_folding::Commitment;
use ff::Field;
use nova_snark::{r1cs::RelaxedR1CSInstance, traits::Engine};

/// Whether `u` is exactly the default instance (identity commitments, u = 0, X = 0): the
/// state of a slot whose circuit never ran. It is satisfied by the all-zero witness, so it
/// needs no SNARK.
pub(crate) fn is_default<E: Engine>(u: &RelaxedR1CSInstance<E>) -> bool {
    let id = Commitment::<E>::default();
    *u.comm_W() == id
        && *u.comm_E() == id
        && u.u() == E::Scalar::ZERO
        && u.X().iter().all(|x| *x == E::Scalar::ZERO)
}
