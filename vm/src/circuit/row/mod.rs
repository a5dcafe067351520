//! One RV32IM instruction as R1CS (unfinished: being written).
