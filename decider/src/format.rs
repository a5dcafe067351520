//! File framing shared by proofs and verifier keys: 8 magic bytes, a little-endian `u32`
//! format version, then one bincode 2 (serde, standard configuration) value that must use
//! every remaining byte. Decoding is bounded (see [`DECODE_LIMIT`]) so that a forged length
//! prefix cannot make the decoder allocate without bound.

use crate::error::DeciderError;
use serde::{de::DeserializeOwned, Serialize};

/// Upper bound on the bytes the decoder may allocate for one file (1 GiB).
pub const DECODE_LIMIT: usize = 1 << 30;

/// Frames `value` as `magic ‖ version ‖ bincode(value)`.
pub fn encode<T: Serialize>(
    magic: &[u8; 8],
    version: u32,
    value: &T,
) -> Result<Vec<u8>, DeciderError> {
    let mut out = Vec::with_capacity(1024);
    out.extend_from_slice(magic);
    out.extend_from_slice(&version.to_le_bytes());
    let body = bincode::serde::encode_to_vec(value, bincode::config::standard())
        .map_err(|e| DeciderError::Format(format!("encoding failed: {e}")))?;
    out.extend_from_slice(&body);
    Ok(out)
}

/// Checks magic and version and decodes the body; `what` names the file kind in errors.
pub fn decode<T: DeserializeOwned>(
    bytes: &[u8],
    magic: &[u8; 8],
    version: u32,
    what: &str,
) -> Result<T, DeciderError> {
    if bytes.len() < 12 {
        return Err(DeciderError::Format(format!(
            "{what}: truncated ({} bytes, no header)",
            bytes.len()
        )));
    }
    if &bytes[..8] != magic {
        return Err(DeciderError::Format(format!("{what}: wrong magic bytes")));
    }
    let mut v = [0u8; 4];
    v.copy_from_slice(&bytes[8..12]);
    let found = u32::from_le_bytes(v);
    if found != version {
        return Err(DeciderError::Format(format!(
            "{what}: format version {found}, this build reads version {version}"
        )));
    }
    let config = bincode::config::standard().with_limit::<DECODE_LIMIT>();
    let (value, used) = bincode::serde::decode_from_slice(&bytes[12..], config)
        .map_err(|e| DeciderError::Format(format!("{what}: truncated or corrupt: {e}")))?;
    if used != bytes.len() - 12 {
        return Err(DeciderError::Format(format!(
            "{what}: {} trailing bytes",
            bytes.len() - 12 - used
        )));
    }
    Ok(value)
}
