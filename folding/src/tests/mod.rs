//! Tests of the folding engine (unit tests with access to crate internals).

mod circuits;
mod counts;
mod gadgets;
mod leaf;
mod merge;
mod soundness;
mod zk;
