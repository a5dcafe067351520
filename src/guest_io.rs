//! Typed guest I/O on the host: the other side of the Rust guest library `canopy-guest`
//! (`guest/rust/canopy-guest`).
//!
//! A Rust guest reads its public input with `canopy_guest::read_input::<T>()` (the *whole* input
//! decoded as one [postcard](https://docs.rs/postcard) value) and its private input with
//! `canopy_guest::read_private::<T>()`, and appends values to its public output with
//! `canopy_guest::commit(&value)`. On the host, [`encode`] (or [`inputs`]) makes those inputs
//! and [`decode`] / [`OutputReader`] read the public output of an
//! [`Execution`](crate::Execution) or of a verified [`Statement`](crate::Statement). Use the
//! same types (or types with the same serde shape) on both sides.
//!
//! ```
//! use canopy::guest_io;
//! // The guest: `let (n, name): (u32, String) = read_input(); commit(&(n * 2, name.len() as u8));`
//! let inputs = guest_io::inputs(&(21u32, "hello"), None::<&()>).unwrap();
//! assert_eq!(inputs.public, b"\x15\x05hello");
//! // ... execute or prove with `inputs`; then read the public output:
//! # let public_output = guest_io::encode(&(42u32, 5u8)).unwrap();
//! let (doubled, len): (u32, u8) = guest_io::decode(&public_output).unwrap();
//! assert_eq!((doubled, len), (42, 5));
//! ```

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::Inputs;

/// Why a value could not be encoded or decoded.
#[derive(Debug, thiserror::Error)]
pub enum GuestIoError {
    /// The value cannot be encoded (e.g. a sequence of unknown length).
    #[error("cannot encode the value in postcard: {0}")]
    Encode(#[source] postcard::Error),
    /// The bytes are not a postcard value of the requested type.
    #[error("the guest's output is not a postcard `{type_name}`: {source}")]
    Decode {
        /// The requested type.
        type_name: &'static str,
        /// What postcard found.
        #[source]
        source: postcard::Error,
    },
    /// A whole-buffer decode found bytes after the value.
    #[error("{len} bytes left after a postcard `{type_name}`")]
    TrailingBytes {
        /// The requested type.
        type_name: &'static str,
        /// How many bytes follow the value.
        len: usize,
    },
}

/// Encodes `value` as the guest's `read_input`/`read_private` expect it.
pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, GuestIoError> {
    postcard::to_allocvec(value).map_err(GuestIoError::Encode)
}

/// [`Inputs`] with the encoded public value and, if given, the encoded private value (else an
/// empty private input).
pub fn inputs<P: Serialize + ?Sized, Q: Serialize + ?Sized>(
    public: &P,
    private: Option<&Q>,
) -> Result<Inputs, GuestIoError> {
    let private = match private {
        Some(q) => encode(q)?,
        None => Vec::new(),
    };
    Ok(Inputs::new(encode(public)?, private))
}

/// Decodes `bytes` as exactly one value of type `T` (what a guest that called `commit` once
/// wrote); bytes after the value are an error.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, GuestIoError> {
    let mut reader = OutputReader::new(bytes);
    let value = reader.read()?;
    if !reader.is_empty() {
        return Err(GuestIoError::TrailingBytes {
            type_name: std::any::type_name::<T>(),
            len: reader.remaining().len(),
        });
    }
    Ok(value)
}

/// Reads the values of a guest that called `commit` several times, in order.
#[derive(Clone, Debug)]
pub struct OutputReader<'a> {
    rest: &'a [u8],
}

impl<'a> OutputReader<'a> {
    /// A reader at the start of `output`.
    pub fn new(output: &'a [u8]) -> Self {
        OutputReader { rest: output }
    }

    /// Decodes the next value.
    pub fn read<T: DeserializeOwned>(&mut self) -> Result<T, GuestIoError> {
        let (value, rest) =
            postcard::take_from_bytes::<T>(self.rest).map_err(|source| GuestIoError::Decode {
                type_name: std::any::type_name::<T>(),
                source,
            })?;
        self.rest = rest;
        Ok(value)
    }

    /// The bytes not read yet.
    pub fn remaining(&self) -> &'a [u8] {
        self.rest
    }

    /// Whether every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Item {
        name: String,
        price: u32,
    }

    #[test]
    fn round_trips_and_errors() {
        let item = Item {
            name: "pear".into(),
            price: 300,
        };
        let bytes = encode(&item).unwrap();
        // postcard: varint length + bytes, varint u32 (300 = 0xac 0x02).
        assert_eq!(bytes, b"\x04pear\xac\x02");
        assert_eq!(decode::<Item>(&bytes).unwrap(), item);

        let mut two = bytes.clone();
        two.extend(encode(&7u64).unwrap());
        assert!(matches!(
            decode::<Item>(&two),
            Err(GuestIoError::TrailingBytes { len: 1, .. })
        ));
        let mut r = OutputReader::new(&two);
        assert_eq!(r.read::<Item>().unwrap(), item);
        assert_eq!(r.read::<u64>().unwrap(), 7);
        assert!(r.is_empty());
        assert!(matches!(r.read::<u8>(), Err(GuestIoError::Decode { .. })));

        let i = inputs(&1u8, Some(&2u8)).unwrap();
        assert_eq!((i.public, i.private), (vec![1], vec![2]));
        assert!(inputs(&1u8, None::<&u8>).unwrap().private.is_empty());
    }
}
