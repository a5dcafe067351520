//! Moving a value between two types with the same serde form.

use serde::{de::DeserializeOwned, Serialize};

/// The bincode 2 encoding of a value.
pub(crate) fn bytes<T: Serialize>(v: &T) -> Result<Vec<u8>, String> {
    bincode::serde::encode_to_vec(v, bincode::config::standard()).map_err(|e| e.to_string())
}

/// Moves a value between two types with the same serde form (an instance, witness or shape
/// of `Bn256EngineIPA` to `Bn256EngineKZG`, a pair to a commitment key, or the parts of
/// nova-snark's IPA types, which have no constructors).
pub(crate) fn recast<A: Serialize, B: DeserializeOwned>(a: &A) -> Result<B, String> {
    let b = bytes(a)?;
    let (v, used) = bincode::serde::decode_from_slice(&b, bincode::config::standard())
        .map_err(|e| e.to_string())?;
    if used != b.len() {
        return Err("trailing bytes".into());
    }
    Ok(v)
}
