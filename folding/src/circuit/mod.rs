//! The two augmented circuits of a leaf: F'_j (primary, one per step circuit) and S'
//! (secondary, shared by all), and the two merge circuits of the PCD tree: PM (primary)
//! and SM (secondary). See the crate docs for the relations they check.

pub mod merge_primary;
pub mod merge_secondary;
pub mod primary;
pub mod secondary;
