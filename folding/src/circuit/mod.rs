//! The two augmented circuits of a leaf: F'_j (primary, one per step circuit) and S'
//! (secondary, shared by all). See the crate docs for the relations they check.

pub mod primary;
pub mod secondary;
