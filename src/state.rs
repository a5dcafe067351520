//! The CPU block circuit's IVC state z as the verifier reads it.
//!
//! The layout is owned by `canopy_circuit::state` (`z_of`): the row state's fields with
//! the 31 registers replaced by `reg_hash` and the memory clock inserted, then the memory
//! argument's fields. This module names the
//! positions the statement checks read; a unit test pins them against `z_of`, so that a change
//! of the layout upstream fails here instead of silently checking the wrong slot.

use canopy_circuit::row::StreamState;
use canopy_circuit::state::Z_LEN;
use canopy_folding::F1;

use crate::field::{to_bool, to_u32, to_u64};

/// `halted` (0/1).
pub(crate) const Z_HALTED: usize = 3;
/// `exit_code` (full a0).
pub(crate) const Z_EXIT_CODE: usize = 4;
/// `steps` (instructions retired).
pub(crate) const Z_STEPS: usize = 5;
/// `cursor` (bytes moved by an I/O ecall in progress).
pub(crate) const Z_CURSOR: usize = 6;
/// `in_eof` (0/1).
pub(crate) const Z_IN_EOF: usize = 7;
/// First of the public input stream's `(digest, words, off, pending)`.
pub(crate) const Z_IN: usize = 9;
/// First of the public output stream's `(digest, words, off, pending)`.
pub(crate) const Z_OUT: usize = 13;

/// The fields of a z that the statement is about, decoded to integers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decoded {
    pub halted: bool,
    pub exit_code: u32,
    pub steps: u64,
    pub cursor: u32,
    pub in_eof: bool,
    pub input: StreamState<F1>,
    pub output: StreamState<F1>,
}

fn stream(z: &[F1], at: usize) -> Result<StreamState<F1>, String> {
    let what = |s: &str| format!("z[{}] ({s}) is not a small integer", at);
    Ok(StreamState {
        digest: z[at],
        words: to_u64(&z[at + 1]).ok_or_else(|| what("stream words"))?,
        off: to_u32(&z[at + 2]).ok_or_else(|| what("stream offset"))?,
        pending: to_u32(&z[at + 3]).ok_or_else(|| what("stream pending word"))?,
    })
}

/// Decodes z; fails (with a reason) if it has the wrong length or a field is out of range.
pub(crate) fn decode(z: &[F1]) -> Result<Decoded, String> {
    if z.len() != Z_LEN {
        return Err(format!("z has {} elements, expected {Z_LEN}", z.len()));
    }
    let bad = |i: usize, what: &str| format!("z[{i}] ({what}) is out of range");
    Ok(Decoded {
        halted: to_bool(&z[Z_HALTED]).ok_or_else(|| bad(Z_HALTED, "halted"))?,
        exit_code: to_u32(&z[Z_EXIT_CODE]).ok_or_else(|| bad(Z_EXIT_CODE, "exit code"))?,
        steps: to_u64(&z[Z_STEPS]).ok_or_else(|| bad(Z_STEPS, "steps"))?,
        cursor: to_u32(&z[Z_CURSOR]).ok_or_else(|| bad(Z_CURSOR, "cursor"))?,
        in_eof: to_bool(&z[Z_IN_EOF]).ok_or_else(|| bad(Z_IN_EOF, "input eof"))?,
        input: stream(z, Z_IN)?,
        output: stream(z, Z_OUT)?,
    })
}

/// Number of bytes a stream state has absorbed: `4·words + off`.
pub(crate) fn stream_len(s: &StreamState<F1>) -> Option<u64> {
    s.words.checked_mul(4)?.checked_add(u64::from(s.off))
}

#[cfg(test)]
mod tests {
    use super::*;
    use canopy_circuit::row::RowState;
    use canopy_circuit::state::{z_of, MemFields};

    /// The positions above agree with the block circuit's own layout.
    #[test]
    fn layout_matches_the_block_circuit() {
        let mut s = RowState::new(0x1000, F1::from(11u64), F1::from(22u64));
        s.halted = true;
        s.exit_code = 0xdead_beef;
        s.steps = 123_456;
        s.cursor = 3;
        s.in_eof = true;
        s.priv_eof = false;
        s.input = StreamState {
            digest: F1::from(5u64),
            words: 7,
            off: 2,
            pending: 0x4142,
        };
        s.output = StreamState {
            digest: F1::from(6u64),
            words: 9,
            off: 1,
            pending: 0x43,
        };
        let z = z_of(&s, F1::from(1u64), &MemFields::default());
        let d = decode(&z).unwrap();
        assert_eq!(z[0], F1::from(0x1000u64));
        assert!(d.halted);
        assert_eq!(d.exit_code, 0xdead_beef);
        assert_eq!(d.steps, 123_456);
        assert_eq!(d.cursor, 3);
        assert!(d.in_eof);
        assert_eq!(d.input, s.input);
        assert_eq!(d.output, s.output);
        assert_eq!(stream_len(&d.input), Some(30));
    }

    #[test]
    fn malformed_z_is_rejected() {
        let s = RowState::new(0x1000, F1::from(11u64), F1::from(22u64));
        let mut z = z_of(&s, F1::from(1u64), &MemFields::default());
        assert!(decode(&z[1..]).is_err());
        z[Z_HALTED] = F1::from(2u64);
        assert!(decode(&z).is_err());
    }
}
