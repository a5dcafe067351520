//! The memory argument: sparse Poseidon Merkle tree (unfinished: being written).
