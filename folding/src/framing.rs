//! The one framing of Canopy's serde files (proofs, compact proofs, verifier keys, the
//! decider's files): 8 magic bytes, a little-endian `u32` format version, then one bincode 2
//! value (serde, standard configuration) that must use every remaining byte.
//!
//! Decoding never panics and is bounded: a short, foreign, other-version, truncated, corrupt,
//! over-long or extended file is a [`FramingError`], and the `MAX_BODY` bound keeps a forged
//! length prefix from making the decoder allocate without bound.

use serde::de::DeserializeOwned;
use serde::Serialize;
use thiserror::Error;

/// Magic (8 bytes) + version (4 bytes).
pub const HEADER_LEN: usize = 12;

/// Why a framed file could not be read or written. `what` names the file kind (e.g. "proof",
/// "verifier key").
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FramingError {
    /// The bytes end before the header or the body is complete.
    #[error("truncated {what} file ({detail})")]
    Truncated {
        /// The file kind.
        what: String,
        /// How much is missing.
        detail: String,
    },
    /// The bytes do not start with the file kind's magic.
    #[error("not a Canopy {what} file (bad magic)")]
    BadMagic {
        /// The file kind.
        what: String,
    },
    /// The file has another format version.
    #[error("unsupported {what} format version {found} (this build reads version {supported})")]
    UnsupportedVersion {
        /// The file kind.
        what: String,
        /// Version in the file.
        found: u32,
        /// Version this build reads and writes.
        supported: u32,
    },
    /// The body does not decode, or bytes follow it.
    #[error("corrupt {what} file: {detail}")]
    Corrupt {
        /// The file kind.
        what: String,
        /// What is wrong.
        detail: String,
    },
    /// Encoding failed.
    #[error("cannot encode the {what}: {detail}")]
    Encode {
        /// The file kind.
        what: String,
        /// Why.
        detail: String,
    },
}

/// `magic ‖ version ‖ bincode(value)`.
pub fn encode<T: Serialize>(
    magic: &[u8; 8],
    version: u32,
    value: &T,
    what: &str,
) -> Result<Vec<u8>, FramingError> {
    let body = bincode::serde::encode_to_vec(value, bincode::config::standard()).map_err(|e| {
        FramingError::Encode {
            what: what.into(),
            detail: e.to_string(),
        }
    })?;
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    out.extend_from_slice(magic);
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// Decodes a file written by [`encode`] with the same magic and version; `MAX_BODY` bounds what
/// the decoder may allocate.
pub fn decode<T: DeserializeOwned, const MAX_BODY: usize>(
    bytes: &[u8],
    magic: &[u8; 8],
    version: u32,
    what: &str,
) -> Result<T, FramingError> {
    let truncated = |detail: String| FramingError::Truncated {
        what: what.into(),
        detail,
    };
    let header_missing = || {
        truncated(format!(
            "{} bytes, the header alone has {HEADER_LEN}",
            bytes.len()
        ))
    };
    if bytes.len() < magic.len() {
        return Err(if magic.starts_with(bytes) {
            header_missing()
        } else {
            FramingError::BadMagic { what: what.into() }
        });
    }
    if &bytes[..magic.len()] != magic {
        return Err(FramingError::BadMagic { what: what.into() });
    }
    if bytes.len() < HEADER_LEN {
        return Err(header_missing());
    }
    let found = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    if found != version {
        return Err(FramingError::UnsupportedVersion {
            what: what.into(),
            found,
            supported: version,
        });
    }
    let body = &bytes[HEADER_LEN..];
    let config = bincode::config::standard().with_limit::<MAX_BODY>();
    let (value, used): (T, usize) =
        bincode::serde::decode_from_slice(body, config).map_err(|e| match e {
            bincode::error::DecodeError::UnexpectedEnd { additional } => {
                truncated(format!("the body ends {additional} or more bytes early"))
            }
            other => FramingError::Corrupt {
                what: what.into(),
                detail: other.to_string(),
            },
        })?;
    if used != body.len() {
        return Err(FramingError::Corrupt {
            what: what.into(),
            detail: format!("{} unexpected bytes after the {what}", body.len() - used),
        });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAGIC: &[u8; 8] = b"TESTFILE";

    fn dec(bytes: &[u8]) -> Result<(u32, Vec<u8>), FramingError> {
        decode::<(u32, Vec<u8>), { 1 << 16 }>(bytes, MAGIC, 3, "test")
    }

    #[test]
    fn round_trip_and_every_bad_file_is_an_error() {
        let value = (7u32, vec![1u8, 2, 3]);
        let bytes = encode(MAGIC, 3, &value, "test").unwrap();
        assert_eq!(dec(&bytes).unwrap(), value);
        // every prefix is truncated or (for the empty and partial-magic prefixes) truncated
        for n in 0..bytes.len() {
            assert!(
                matches!(dec(&bytes[..n]), Err(FramingError::Truncated { .. })),
                "prefix {n}"
            );
        }
        let mut other = bytes.clone();
        other[0] ^= 1;
        assert!(matches!(dec(&other), Err(FramingError::BadMagic { .. })));
        let mut v = bytes.clone();
        v[8] = 4;
        assert!(matches!(
            dec(&v),
            Err(FramingError::UnsupportedVersion {
                found: 4,
                supported: 3,
                ..
            })
        ));
        let mut extended = bytes.clone();
        extended.push(0);
        assert!(matches!(dec(&extended), Err(FramingError::Corrupt { .. })));
        // a forged length prefix beyond the bound is refused, not allocated
        let mut huge = bytes[..HEADER_LEN + 1].to_vec();
        huge.extend_from_slice(&[0xfc, 0xff, 0xff, 0xff, 0x7f]);
        assert!(dec(&huge).is_err());
        assert_eq!(
            FramingError::BadMagic {
                what: "proof".into()
            }
            .to_string(),
            "not a Canopy proof file (bad magic)"
        );
    }
}
