//! Small conversions between field elements of the primary field and plain integers / bytes.

use canopy_folding::F1;
use ff::PrimeField;

/// The canonical 32-byte little-endian encoding of a field element.
pub(crate) fn to_bytes(f: &F1) -> [u8; 32] {
    let repr = f.to_repr();
    let mut out = [0u8; 32];
    out.copy_from_slice(repr.as_ref());
    out
}

/// The element as a `u64` if it is the image of one (canonical encoding below 2^64).
pub(crate) fn to_u64(f: &F1) -> Option<u64> {
    let b = to_bytes(f);
    if b[8..].iter().any(|&x| x != 0) {
        return None;
    }
    let mut lo = [0u8; 8];
    lo.copy_from_slice(&b[..8]);
    Some(u64::from_le_bytes(lo))
}

/// The element as a `u32` if it is the image of one.
pub(crate) fn to_u32(f: &F1) -> Option<u32> {
    to_u64(f).and_then(|v| u32::try_from(v).ok())
}

/// The element as a boolean if it is 0 or 1.
pub(crate) fn to_bool(f: &F1) -> Option<bool> {
    match to_u64(f) {
        Some(0) => Some(false),
        Some(1) => Some(true),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_round_trip() {
        for v in [0u64, 1, 255, 1 << 32, u64::MAX] {
            assert_eq!(to_u64(&F1::from(v)), Some(v));
        }
        assert_eq!(to_u64(&-F1::from(1u64)), None);
        assert_eq!(to_u32(&F1::from(1u64 << 32)), None);
        assert_eq!(to_u32(&F1::from(7u64)), Some(7));
        assert_eq!(to_bool(&F1::from(2u64)), None);
        assert_eq!(to_bool(&F1::from(1u64)), Some(true));
    }
}
