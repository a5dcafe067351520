//! The framing shared by Canopy's proof files: 8 magic bytes, a u32 little-endian format
//! version, then a bincode 2 body (serde). Decoding never panics: a short, foreign, other-version,
//! truncated, corrupt or over-long file is a [`ProofFormatError`].

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::ProofFormatError;

/// Magic (8 bytes) + version (4 bytes).
pub(crate) const HEADER_LEN: usize = 12;

/// `magic ‖ version ‖ bincode(value)`.
pub(crate) fn encode<T: Serialize>(
    magic: &[u8; 8],
    version: u32,
    value: &T,
) -> Result<Vec<u8>, ProofFormatError> {
    let body = bincode::serde::encode_to_vec(value, bincode::config::standard())
        .map_err(|e| ProofFormatError::Encode(e.to_string()))?;
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    out.extend_from_slice(magic);
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// Decodes a file written by [`encode`]; `MAX_BODY` bounds what a corrupt length prefix can
/// make the decoder allocate, `what` names the content in the trailing-bytes error.
pub(crate) fn decode<T: DeserializeOwned, const MAX_BODY: usize>(
    bytes: &[u8],
    magic: &[u8; 8],
    version: u32,
    what: &str,
) -> Result<T, ProofFormatError> {
    let truncated_header = || {
        ProofFormatError::Truncated(format!(
            "{} bytes, the header alone has {HEADER_LEN}",
            bytes.len()
        ))
    };
    if bytes.len() < magic.len() {
        return Err(if magic.starts_with(bytes) {
            truncated_header()
        } else {
            ProofFormatError::BadMagic
        });
    }
    if &bytes[..magic.len()] != magic {
        return Err(ProofFormatError::BadMagic);
    }
    if bytes.len() < HEADER_LEN {
        return Err(truncated_header());
    }
    let found = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    if found != version {
        return Err(ProofFormatError::UnsupportedVersion {
            found,
            supported: version,
        });
    }
    let body = &bytes[HEADER_LEN..];
    let config = bincode::config::standard().with_limit::<MAX_BODY>();
    let (value, used): (T, usize) =
        bincode::serde::decode_from_slice(body, config).map_err(|e| match e {
            bincode::error::DecodeError::UnexpectedEnd { additional } => {
                ProofFormatError::Truncated(format!(
                    "the body ends {additional} or more bytes early"
                ))
            }
            other => ProofFormatError::Corrupt(other.to_string()),
        })?;
    if used != body.len() {
        return Err(ProofFormatError::Corrupt(format!(
            "{} unexpected bytes after the {what}",
            body.len() - used
        )));
    }
    Ok(value)
}
