//! The parameters file: [`PublicParams`] in a raw layout that loads in a fraction of the time
//! of its serde form ([`PublicParams::to_bytes`]), with its integrity checked by one SHA-256
//! of the file's bytes, and the fingerprint a loader compares to detect a file made for other
//! circuits ([`PublicParams::circuit_fingerprint`]).
//!
//! # Where the time of the serde form goes
//! Measured at K = 16 of the CPU circuit (227 MB): decoding 7 s, of which 5.3 s decompress the
//! 262,144 BN254 generators and 1.6 s the 65,536 Grumpkin ones (a square root per point), the
//! rest the sparse matrices (varint indices, a Montgomery conversion per entry); re-serialising
//! everything to recompute the SHA3 digest 2 s; re-synthesising the K-row shape 1.3 s.
//!
//! # Layout (integers little-endian)
//! ```text
//! "CNPYFOLD" | u32 FILE_VERSION | u32 ENCODING_VERSION | [32] SHA-256 of all that follows
//! section context (the caller's bytes: a cache key, a fingerprint)
//! [32] digest pp (F1, canonical representation) | u64 m | u64 arity
//! section Poseidon constants (bincode 2 of (ro1, ro2))
//! section ck1 | section ck2          u64 n, then nova-snark's Pedersen key file (h and the
//!                                    n generators, affine, uncompressed, Montgomery limbs)
//! section S_0 … section S_{m-1} | section S' | section S_PM | section SM
//! ```
//! A section is a u64 length and that many bytes. A shape is u64 constraints, variables and
//! IO, then one section per matrix A, B, C: u64 columns, rows, non-zero entries, u8 width w,
//! u64 table length, the table of distinct values (32-byte canonical representations), the
//! row pointers and the column indices (u32 each), then one w-byte table index per entry
//! (an R1CS matrix holds a few thousand distinct values among millions of entries). The
//! sections decode in parallel.
//!
//! # What is checked and what is trusted
//! A file is written only by [`PublicParams::to_file_bytes`] from parameters that
//! [`PublicParams::setup`] made (and whose digest it computed) or that a checked load
//! returned. The loader ([`PublicParams::from_file_bytes`]) checks, in this order: the magic,
//! the file version and [`ENCODING_VERSION`]; the SHA-256 of every byte after the header (a
//! truncated, extended or corrupted file fails here, before anything is decoded); then it
//! decodes with bounds checks everywhere (no length read from the file is used before it is
//! checked against the bytes left, so even a file with a valid checksum over garbage is an
//! error, never a panic or a huge allocation): canonical field elements, points on the curve
//! (nova-snark's key reader), well-formed sparse matrices (row pointers from 0, increasing,
//! ending at the entry count; R1CSShape::new checks every index), the IO lengths of each
//! shape (2, 2, 3, 2) and commitment keys long enough for the shapes. The digest is **not**
//! recomputed: the encoding is an exact inverse of the decoding, so the checksum-verified
//! bytes decode to the very values the digest was computed over at setup
//! ([`PublicParams::check_digest`] recomputes it on demand, e.g. in tests).
//!
//! What the checksum cannot tell is whether the file was made by a build with the same
//! circuits (a stale file is internally consistent). For that the caller stores a
//! [`PublicParams::circuit_fingerprint`] in the context and compares it with this build's: a
//! SHA-256 over the augmented shapes of small probes of its circuits (the CPU circuit at K =
//! 1 and K = 2 in `canopy::Params`), the secondary and both merge shapes in full, both Poseidon
//! constant sets and the first generators of both label-derived commitment keys. Trusted, not
//! checked: that two builds agreeing on all of that agree at the file's K (the block circuit
//! is K copies of the row circuit chained the same way, which K = 1 and 2 exercise) and on the
//! rest of nova-snark's label-derived generators. Deliberate layout changes bump
//! [`ENCODING_VERSION`] as before.

use crate::circuit::{
    merge_primary::PrimaryMergeCircuit, merge_secondary::SecondaryMergeCircuit,
    primary::PrimaryCircuit, secondary::SecondaryCircuit,
};
use crate::encoding::switch_field;
use crate::error::FoldingError;
use crate::params::{primary_key_len, PublicParams, ENCODING_VERSION};
use crate::step::StepCircuit;
use crate::{E1, E2, F1, F2};
use ff::PrimeField;
use nova_snark::frontend::{r1cs::NovaShape, shape_cs::ShapeCS};
use nova_snark::provider::poseidon::PoseidonConstantsCircuit;
use nova_snark::provider::traits::DlogGroup;
use nova_snark::r1cs::{R1CSShape, SparseMatrix};
use nova_snark::traits::commitment::{CommitmentEngineTrait, Len};
use nova_snark::traits::Engine;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Magic of a parameters file.
pub const FILE_MAGIC: &[u8; 8] = b"CNPYFOLD";
/// Version of the parameters file layout.
pub const FILE_VERSION: u32 = 1;
/// Bytes before the checksummed part: magic, file version, encoding version, SHA-256.
const HEADER_LEN: usize = 8 + 4 + 4 + 32;
/// Bytes of an uncompressed affine point in nova-snark's key file (two 32-byte coordinates).
const RAW_POINT_LEN: usize = 64;
/// Bytes of a field element's representation.
const REPR_LEN: usize = 32;
/// Head of nova-snark's Pedersen key file.
const KEY_HEAD_LEN: usize = 12;
/// Generators of each label-derived key covered by the fingerprint (h and the first two).
const LABEL_PREFIX: usize = 3;

fn bad(msg: impl Into<String>) -> FoldingError {
    FoldingError::ParamsFile(msg.into())
}

/// Little-endian writer.
struct Out(Vec<u8>);

impl Out {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn len(&mut self, n: usize) {
        self.u64(n as u64);
    }
    fn bytes(&mut self, b: &[u8]) {
        self.0.extend_from_slice(b);
    }
    fn section(&mut self, b: &[u8]) {
        self.len(b.len());
        self.bytes(b);
    }
}

/// Bounds-checked little-endian reader: every length is checked against the bytes left
/// before it is used, so no input makes it panic or allocate more than the input's size.
struct In<'a>(&'a [u8]);

impl<'a> In<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], FoldingError> {
        if n > self.0.len() {
            return Err(bad("truncated"));
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], FoldingError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, FoldingError> {
        Ok(self.array::<1>()?[0])
    }
    fn u32(&mut self) -> Result<u32, FoldingError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn len(&mut self) -> Result<usize, FoldingError> {
        usize::try_from(u64::from_le_bytes(self.array()?)).map_err(|_| bad("length overflows"))
    }
    /// `n` items of `size` bytes.
    fn items(&mut self, n: usize, size: usize) -> Result<&'a [u8], FoldingError> {
        self.take(n.checked_mul(size).ok_or_else(|| bad("length overflows"))?)
    }
    fn section(&mut self) -> Result<&'a [u8], FoldingError> {
        let n = self.len()?;
        self.take(n)
    }
    fn finish(self, what: &str) -> Result<(), FoldingError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(bad(format!("{} trailing bytes after {what}", self.0.len())))
        }
    }
}

fn repr_bytes<F: PrimeField>(f: &F) -> Result<[u8; REPR_LEN], FoldingError> {
    let r = f.to_repr();
    <[u8; REPR_LEN]>::try_from(r.as_ref()).map_err(|_| bad("unexpected field size"))
}

fn field_from<F: PrimeField>(b: &[u8]) -> Result<F, FoldingError> {
    let mut r = F::Repr::default();
    if r.as_ref().len() != b.len() {
        return Err(bad("unexpected field size"));
    }
    r.as_mut().copy_from_slice(b);
    Option::from(F::from_repr(r)).ok_or_else(|| bad("non-canonical field element"))
}

fn u32_of(v: usize, what: &str) -> Result<u32, FoldingError> {
    u32::try_from(v).map_err(|_| bad(format!("{what} {v} does not fit 32 bits")))
}

fn encode_matrix<F: PrimeField>(m: &SparseMatrix<F>) -> Result<Vec<u8>, FoldingError> {
    let nnz = m.data.len();
    if m.indices.len() != nnz || m.indptr.last() != Some(&nnz) {
        return Err(bad("malformed sparse matrix"));
    }
    let mut table: Vec<[u8; REPR_LEN]> = Vec::new();
    let mut index: HashMap<[u8; REPR_LEN], u32> = HashMap::new();
    let mut slots = Vec::with_capacity(nnz);
    for v in &m.data {
        let r = repr_bytes(v)?;
        let i = match index.get(&r) {
            Some(&i) => i,
            None => {
                let i = u32_of(table.len(), "value table length")?;
                index.insert(r, i);
                table.push(r);
                i
            }
        };
        slots.push(i);
    }
    let width: u8 = match table.len() {
        0..=0x100 => 1,
        0x101..=0x1_0000 => 2,
        _ => 4,
    };
    let mut out = Out(Vec::with_capacity(
        40 + table.len() * REPR_LEN + m.indptr.len() * 4 + nnz * (4 + width as usize),
    ));
    out.len(m.cols);
    out.len(m.indptr.len() - 1);
    out.len(nnz);
    out.u8(width);
    out.len(table.len());
    for r in &table {
        out.bytes(r);
    }
    for &p in &m.indptr {
        out.u32(u32_of(p, "row pointer")?);
    }
    for &c in &m.indices {
        out.u32(u32_of(c, "column index")?);
    }
    for s in slots {
        match width {
            1 => out.u8(s as u8),
            2 => out.bytes(&(s as u16).to_le_bytes()),
            _ => out.u32(s),
        }
    }
    Ok(out.0)
}

fn u32s(b: &[u8]) -> impl Iterator<Item = usize> + '_ {
    b.chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]) as usize)
}

fn decode_matrix<F: PrimeField>(b: &[u8]) -> Result<SparseMatrix<F>, FoldingError> {
    let mut r = In(b);
    let cols = r.len()?;
    let rows = r.len()?;
    let nnz = r.len()?;
    let width = r.u8()? as usize;
    if !matches!(width, 1 | 2 | 4) {
        return Err(bad(format!("value index width {width}")));
    }
    let table_len = r.len()?;
    let table = r
        .items(table_len, REPR_LEN)?
        .chunks_exact(REPR_LEN)
        .map(field_from::<F>)
        .collect::<Result<Vec<F>, _>>()?;
    let indptr: Vec<usize> =
        u32s(r.items(rows.checked_add(1).ok_or_else(|| bad("rows"))?, 4)?).collect();
    if indptr.first() != Some(&0)
        || indptr.last() != Some(&nnz)
        || indptr.windows(2).any(|w| w[0] > w[1])
    {
        return Err(bad("malformed row pointers"));
    }
    let indices: Vec<usize> = u32s(r.items(nnz, 4)?).collect();
    let values = r.items(nnz, width)?;
    r.finish("a matrix")?;
    let lookup = |i: usize| {
        table
            .get(i)
            .copied()
            .ok_or_else(|| bad("value index out of the table"))
    };
    let data = match width {
        1 => values
            .iter()
            .map(|&i| lookup(i as usize))
            .collect::<Result<Vec<F>, _>>()?,
        2 => values
            .chunks_exact(2)
            .map(|c| lookup(u16::from_le_bytes([c[0], c[1]]) as usize))
            .collect::<Result<Vec<F>, _>>()?,
        _ => u32s(values).map(lookup).collect::<Result<Vec<F>, _>>()?,
    };
    Ok(SparseMatrix {
        data,
        indices,
        indptr,
        cols,
    })
}

fn encode_shape<E: Engine>(s: &R1CSShape<E>) -> Result<Vec<u8>, FoldingError> {
    let mut out = Out(Vec::new());
    out.len(s.num_cons());
    out.len(s.num_vars());
    out.len(s.num_io());
    for m in [s.A(), s.B(), s.C()] {
        out.section(&encode_matrix(m)?);
    }
    Ok(out.0)
}

fn decode_shape<E: Engine>(b: &[u8]) -> Result<R1CSShape<E>, FoldingError> {
    let mut r = In(b);
    let (num_cons, num_vars, num_io) = (r.len()?, r.len()?, r.len()?);
    let (a, b, c) = (r.section()?, r.section()?, r.section()?);
    r.finish("a shape")?;
    let (a, (b, c)) = rayon::join(
        || decode_matrix::<E::Scalar>(a),
        || {
            rayon::join(
                || decode_matrix::<E::Scalar>(b),
                || decode_matrix::<E::Scalar>(c),
            )
        },
    );
    Ok(R1CSShape::new(num_cons, num_vars, num_io, a?, b?, c?)?)
}

fn encode_ck<E: Engine>(
    ck: &<E::CE as CommitmentEngineTrait<E>>::CommitmentKey,
) -> Result<Vec<u8>, FoldingError> {
    let n = ck.length();
    if !n.is_power_of_two() {
        // nova-snark's key reader reads a power of two of generators
        return Err(bad(format!(
            "a commitment key of {n} generators (not a power of two)"
        )));
    }
    let mut out = Out(Vec::with_capacity(
        8 + KEY_HEAD_LEN + (n + 1) * RAW_POINT_LEN,
    ));
    out.len(n);
    let mut cursor = std::io::Cursor::new(out.0);
    cursor.set_position(8);
    E::CE::save_setup(ck, &mut cursor).map_err(|e| bad(format!("commitment key: {e:?}")))?;
    Ok(cursor.into_inner())
}

fn decode_ck<E: Engine>(
    b: &[u8],
) -> Result<<E::CE as CommitmentEngineTrait<E>>::CommitmentKey, FoldingError> {
    let mut r = In(b);
    let n = r.len()?;
    if !n.is_power_of_two() {
        return Err(bad(format!(
            "a commitment key of {n} generators (not a power of two)"
        )));
    }
    // h and the n generators, checked against the bytes before nova-snark allocates for them
    let body_len = n
        .checked_add(1)
        .and_then(|p| p.checked_mul(RAW_POINT_LEN))
        .and_then(|l| l.checked_add(KEY_HEAD_LEN))
        .ok_or_else(|| bad("length overflows"))?;
    let body = r.take(body_len)?;
    r.finish("a commitment key")?;
    let mut cursor = std::io::Cursor::new(body);
    let ck = E::CE::load_setup(&mut cursor, b"ck", n)
        .map_err(|e| bad(format!("commitment key: {e:?}")))?;
    if ck.length() != n || cursor.position() != body.len() as u64 {
        return Err(bad("commitment key of another length"));
    }
    Ok(ck)
}

/// SHA-256 over a shape: its sizes, then per matrix the columns, row pointers, column
/// indices and values (for the fingerprint; cheaper than [`encode_shape`]).
fn shape_digest<E: Engine>(s: &R1CSShape<E>) -> Result<[u8; 32], FoldingError> {
    let mut h = Sha256::new();
    for v in [s.num_cons(), s.num_vars(), s.num_io()] {
        h.update((v as u64).to_le_bytes());
    }
    for m in [s.A(), s.B(), s.C()] {
        let mut buf = Vec::with_capacity(24 + 4 * m.indptr.len() + 36 * m.data.len());
        for v in [m.cols, m.indptr.len(), m.data.len()] {
            buf.extend_from_slice(&(v as u64).to_le_bytes());
        }
        for &p in m.indptr.iter().chain(&m.indices) {
            buf.extend_from_slice(&u32_of(p, "index")?.to_le_bytes());
        }
        for v in &m.data {
            buf.extend_from_slice(&repr_bytes(v)?);
        }
        h.update(&buf);
    }
    Ok(h.finalize().into())
}

type Ro = (PoseidonConstantsCircuit<F1>, PoseidonConstantsCircuit<F2>);

fn bincode_bytes<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, FoldingError> {
    bincode::serde::encode_to_vec(v, bincode::config::standard())
        .map_err(|e| FoldingError::Serde(e.to_string()))
}

impl PublicParams {
    /// Encodes the parameters as a parameters file (see the module documentation) carrying
    /// `context`, the caller's bytes (covered by the checksum, returned by the loader).
    pub fn to_file_bytes(&self, context: &[u8]) -> Result<Vec<u8>, FoldingError> {
        let ro = bincode_bytes(&(&self.ro1, &self.ro2))?;
        let (cks, shapes) = rayon::join(
            || -> Result<_, FoldingError> {
                Ok((encode_ck::<E1>(&self.ck1)?, encode_ck::<E2>(&self.ck2)?))
            },
            || -> Result<Vec<Vec<u8>>, FoldingError> {
                let mut v = self
                    .primary
                    .par_iter()
                    .map(encode_shape)
                    .collect::<Result<Vec<_>, _>>()?;
                v.push(encode_shape(&self.secondary)?);
                v.push(encode_shape(&self.pm)?);
                v.push(encode_shape(&self.sm)?);
                Ok(v)
            },
        );
        let ((ck1, ck2), shapes) = (cks?, shapes?);
        let total = HEADER_LEN
            + 8 * (5 + shapes.len())
            + context.len()
            + REPR_LEN
            + 16
            + ro.len()
            + ck1.len()
            + ck2.len()
            + shapes.iter().map(Vec::len).sum::<usize>();
        let mut out = Out(Vec::with_capacity(total));
        out.bytes(FILE_MAGIC);
        out.u32(FILE_VERSION);
        out.u32(ENCODING_VERSION);
        out.bytes(&[0u8; 32]); // the checksum, filled in below
        out.section(context);
        out.bytes(&repr_bytes(&self.digest1)?);
        out.len(self.m);
        out.len(self.arity);
        out.section(&ro);
        out.section(&ck1);
        out.section(&ck2);
        for s in &shapes {
            out.section(s);
        }
        let mut bytes = out.0;
        let sum = Sha256::digest(&bytes[HEADER_LEN..]);
        bytes[HEADER_LEN - 32..HEADER_LEN].copy_from_slice(&sum);
        Ok(bytes)
    }

    /// Decodes a parameters file made by [`Self::to_file_bytes`], checking it as the module
    /// documentation says; returns the parameters and the file's context. Errors (never
    /// panics) on a file of another version, a corrupt, truncated or extended file and any
    /// malformed content. The caller checks the context (e.g. a circuit fingerprint).
    pub fn from_file_bytes(bytes: &[u8]) -> Result<(Self, Vec<u8>), FoldingError> {
        let mut r = In(bytes);
        if r.take(8).map_err(|_| bad("truncated header"))? != FILE_MAGIC {
            return Err(bad("not a parameters file (bad magic)"));
        }
        let version = r.u32()?;
        if version != FILE_VERSION {
            return Err(bad(format!(
                "file version {version}, this build reads version {FILE_VERSION}"
            )));
        }
        let encoding = r.u32()?;
        if encoding != ENCODING_VERSION {
            return Err(bad(format!(
                "made for encoding version {encoding}, this build has {ENCODING_VERSION}"
            )));
        }
        let sum = r.array::<32>()?;
        if Sha256::digest(r.0).as_slice() != sum {
            return Err(bad(
                "checksum mismatch: the file is corrupt, truncated or was modified",
            ));
        }
        let context = r.section()?.to_vec();
        let digest1: F1 = field_from(r.take(REPR_LEN)?)?;
        let m = r.len()?;
        let arity = r.len()?;
        let ro = r.section()?;
        let ck1 = r.section()?;
        let ck2 = r.section()?;
        // every section takes at least its 8-byte length: bound m before allocating for it
        if m == 0 || m > r.0.len() / 8 {
            return Err(bad(format!("{m} circuits")));
        }
        let primary_b = (0..m).map(|_| r.section()).collect::<Result<Vec<_>, _>>()?;
        let (secondary_b, pm_b, sm_b) = (r.section()?, r.section()?, r.section()?);
        r.finish("the parameters")?;

        let ((ro, (ck1, ck2)), (primary, (secondary, (pm, sm)))) = rayon::join(
            || {
                rayon::join(
                    || -> Result<Ro, FoldingError> {
                        bincode::serde::decode_from_slice::<Ro, _>(ro, bincode::config::standard())
                            .map(|(v, _)| v)
                            .map_err(|e| bad(format!("Poseidon constants: {e}")))
                    },
                    || rayon::join(|| decode_ck::<E1>(ck1), || decode_ck::<E2>(ck2)),
                )
            },
            || {
                rayon::join(
                    || {
                        primary_b
                            .par_iter()
                            .map(|b| decode_shape::<E1>(b))
                            .collect::<Result<Vec<_>, _>>()
                    },
                    || {
                        rayon::join(
                            || decode_shape::<E2>(secondary_b),
                            || {
                                rayon::join(
                                    || decode_shape::<E1>(pm_b),
                                    || decode_shape::<E2>(sm_b),
                                )
                            },
                        )
                    },
                )
            },
        );
        let (ro1, ro2) = ro?;
        let pp = PublicParams {
            m,
            arity,
            ro1,
            ro2,
            primary: primary?,
            secondary: secondary?,
            pm: pm?,
            sm: sm?,
            ck1: ck1?,
            ck2: ck2?,
            digest1,
            digest2: switch_field(&digest1)?,
        };
        pp.check_structure()?;
        Ok((pp, context))
    }

    /// The cheap consistency checks of a decoded file: IO lengths and key lengths.
    fn check_structure(&self) -> Result<(), FoldingError> {
        if self.primary.iter().any(|s| s.num_io() != 2)
            || self.secondary.num_io() != 2
            || self.pm.num_io() != 3
            || self.sm.num_io() != 2
        {
            return Err(bad("a shape has the wrong IO length"));
        }
        let mut refs: Vec<&R1CSShape<E1>> = self.primary.iter().collect();
        refs.push(&self.pm);
        let need2 = [&self.secondary, &self.sm]
            .iter()
            .map(|s| s.num_cons().max(s.num_vars()))
            .max()
            .unwrap_or(1);
        if self.ck1.length() < primary_key_len(&refs) || self.ck2.length() < need2 {
            return Err(bad("a commitment key is shorter than its shapes need"));
        }
        Ok(())
    }

    /// Recomputes the digest over the parameters' contents and compares it with the stored
    /// one (what [`Self::from_bytes`] does on every load; slow: it re-serialises everything).
    pub fn check_digest(&self) -> Result<(), FoldingError> {
        if self.compute_digest()? != self.digest1
            || switch_field::<F1, F2>(&self.digest1)? != self.digest2
        {
            return Err(FoldingError::DigestMismatch);
        }
        Ok(())
    }

    /// A SHA-256 fingerprint of the circuits this build would make parameters from, for a
    /// loader to tell a file made by a build with other circuits (see the module
    /// documentation): the augmented shape of each `(j, circuit)` of `probes` (F'_j around
    /// it; typically small instances of the step circuits), the secondary shape S' for m
    /// circuits, the merge shapes for (m, `arity`), both Poseidon constant sets and the
    /// first generators of both label-derived commitment keys. Costs a synthesis of the
    /// probes and of S', PM and SM.
    pub fn circuit_fingerprint<C: StepCircuit<F1>>(
        m: usize,
        arity: usize,
        probes: &[(usize, &C)],
    ) -> Result<[u8; 32], FoldingError> {
        let (ro1, ro2) = rayon::join(crate::hash::ro_constants1, crate::hash::ro_constants2);
        let (probe_shapes, fixed) = rayon::join(
            || {
                probes
                    .par_iter()
                    .map(|(j, c)| {
                        let mut cs = ShapeCS::<E1>::new();
                        PrimaryCircuit::new(*j, *c, &ro1, None).synthesize(&mut cs)?;
                        shape_digest(&cs.r1cs_shape()?)
                    })
                    .collect::<Result<Vec<_>, FoldingError>>()
            },
            || -> Result<Vec<[u8; 32]>, FoldingError> {
                let (sec, (pm, sm)) = rayon::join(
                    || -> Result<_, FoldingError> {
                        let mut cs = ShapeCS::<E2>::new();
                        SecondaryCircuit::new(m, &ro2, None).synthesize(&mut cs)?;
                        shape_digest(&cs.r1cs_shape()?)
                    },
                    || {
                        rayon::join(
                            || -> Result<_, FoldingError> {
                                let mut cs = ShapeCS::<E1>::new();
                                PrimaryMergeCircuit::new(arity, &ro1, None).synthesize(&mut cs)?;
                                shape_digest(&cs.r1cs_shape()?)
                            },
                            || -> Result<_, FoldingError> {
                                let mut cs = ShapeCS::<E2>::new();
                                SecondaryMergeCircuit::new(m, &ro2, None).synthesize(&mut cs)?;
                                shape_digest(&cs.r1cs_shape()?)
                            },
                        )
                    },
                );
                Ok(vec![sec?, pm?, sm?])
            },
        );
        let mut h = Sha256::new();
        h.update(b"canopy circuit fingerprint v1");
        h.update(ENCODING_VERSION.to_le_bytes());
        h.update((m as u64).to_le_bytes());
        h.update((arity as u64).to_le_bytes());
        let section = |h: &mut Sha256, b: &[u8]| {
            h.update((b.len() as u64).to_le_bytes());
            h.update(b);
        };
        section(&mut h, &bincode_bytes(&(&ro1, &ro2))?);
        for (j, _) in probes {
            h.update((*j as u64).to_le_bytes());
        }
        for d in probe_shapes?.iter().chain(fixed?.iter()) {
            h.update(d);
        }
        section(
            &mut h,
            &bincode_bytes(&<E1 as Engine>::GE::from_label(b"ck", LABEL_PREFIX))?,
        );
        section(
            &mut h,
            &bincode_bytes(&<E2 as Engine>::GE::from_label(b"ck", LABEL_PREFIX))?,
        );
        Ok(h.finalize().into())
    }
}

#[cfg(test)]
mod file_tests {
    //! Unit tests of the raw codecs (the file tests with real parameters are in
    //! `canopy::params`).
    use super::*;
    use nova_snark::frontend::{num::AllocatedNum, ConstraintSystem, SynthesisError};

    /// x ← x^(2^n) + 1, always pc 0 (m = 1).
    struct Pow(usize);

    impl StepCircuit<F1> for Pow {
        fn arity(&self) -> usize {
            1
        }

        fn synthesize<CS: ConstraintSystem<F1>>(
            &self,
            cs: &mut CS,
            _pc: &AllocatedNum<F1>,
            z: &[AllocatedNum<F1>],
        ) -> Result<(AllocatedNum<F1>, Vec<AllocatedNum<F1>>), SynthesisError> {
            let mut y = z[0].clone();
            for k in 0..self.0 {
                y = y.square(cs.namespace(|| format!("sq {k}")))?;
            }
            let next = AllocatedNum::alloc(cs.namespace(|| "next"), || {
                y.get_value()
                    .map(|v| v + F1::from(1u64))
                    .ok_or(SynthesisError::AssignmentMissing)
            })?;
            cs.enforce(
                || "next = y + 1",
                |lc| lc + y.get_variable() + CS::one(),
                |lc| lc + CS::one(),
                |lc| lc + next.get_variable(),
            );
            let pc = AllocatedNum::alloc(cs.namespace(|| "pc"), || Ok(F1::from(0u64)))?;
            cs.enforce(
                || "pc = 0",
                |lc| lc + pc.get_variable(),
                |lc| lc + CS::one(),
                |lc| lc,
            );
            Ok((pc, vec![next]))
        }
    }

    #[test]
    fn params_round_trip_corruption_and_fingerprint() {
        let c = [Pow(3)];
        let pp = PublicParams::setup(&c).unwrap();
        let ctx = b"the caller's context".to_vec();
        let bytes = pp.to_file_bytes(&ctx).unwrap();
        let (back, got) = PublicParams::from_file_bytes(&bytes).unwrap();
        assert_eq!(got, ctx);
        assert_eq!(back.digest(), pp.digest());
        assert_eq!(back.digest_secondary(), pp.digest_secondary());
        assert!(back.primary == pp.primary && back.secondary == pp.secondary);
        assert!(back.pm == pp.pm && back.sm == pp.sm);
        assert!(back.ck1 == pp.ck1 && back.ck2 == pp.ck2);
        // (Poseidon constants have a lossy serde form, as in `to_bytes`: compare that form)
        assert_eq!(
            bincode_bytes(&(&back.ro1, &back.ro2)).unwrap(),
            bincode_bytes(&(&pp.ro1, &pp.ro2)).unwrap()
        );
        assert_eq!((back.m, back.arity), (pp.m, pp.arity));
        back.check_digest().unwrap();
        // the same bytes again: the encoding is deterministic
        assert_eq!(back.to_file_bytes(&ctx).unwrap(), bytes);

        // truncated anywhere, or extended: an error
        for cut in [
            0,
            7,
            12,
            HEADER_LEN - 1,
            HEADER_LEN,
            HEADER_LEN + 30,
            bytes.len() / 2,
        ] {
            assert!(
                PublicParams::from_file_bytes(&bytes[..cut]).is_err(),
                "cut {cut}"
            );
        }
        assert!(PublicParams::from_file_bytes(&bytes[..bytes.len() - 1]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(PublicParams::from_file_bytes(&longer).is_err());
        // one flipped bit anywhere (magic, versions, checksum, context, digest, keys, shapes,
        // last byte): an error
        let step = bytes.len() / 97;
        for at in (0..HEADER_LEN + 64).chain((HEADER_LEN..bytes.len()).step_by(step)) {
            let mut bad = bytes.clone();
            bad[at] ^= 0x10;
            assert!(PublicParams::from_file_bytes(&bad).is_err(), "flip at {at}");
        }
        let mut bad = bytes.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert!(PublicParams::from_file_bytes(&bad).is_err());
        // another version is refused with a message saying so
        let mut other = bytes.clone();
        other[8] = 9;
        let e = match PublicParams::from_file_bytes(&other) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("another version accepted"),
        };
        assert!(e.contains("version"), "{e}");

        // the fingerprint: stable, and another circuit gives another one
        let probe = |n: usize| PublicParams::circuit_fingerprint(1, 1, &[(0, &Pow(n))]).unwrap();
        assert_eq!(probe(3), probe(3));
        assert_ne!(probe(3), probe(4));
        assert_ne!(
            probe(3),
            PublicParams::circuit_fingerprint(2, 1, &[(0, &Pow(3))]).unwrap()
        );
    }

    #[test]
    fn save_and_load() {
        let c = [Pow(1)];
        let pp = PublicParams::setup(&c).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pp.bin");
        pp.save(&path).unwrap();
        assert_eq!(PublicParams::load(&path).unwrap().digest(), pp.digest());
        std::fs::write(&path, b"CNPYFOLD").unwrap();
        assert!(PublicParams::load(&path).is_err());
    }

    #[test]
    fn matrix_round_trip_and_widths() {
        for distinct in [1usize, 300, 70_000] {
            let n = 80_000;
            let entries: Vec<(usize, usize, F1)> = (0..n)
                .map(|i| (i / 4, i % 4 * 3, F1::from((i % distinct) as u64 + 7)))
                .collect();
            let m = SparseMatrix::new(&entries, n / 4 + 2, 12);
            let b = encode_matrix(&m).unwrap();
            assert_eq!(decode_matrix::<F1>(&b).unwrap(), m);
            for cut in [0, 1, b.len() / 2, b.len() - 1] {
                assert!(decode_matrix::<F1>(&b[..cut]).is_err(), "cut at {cut}");
            }
            let mut longer = b.clone();
            longer.push(0);
            assert!(decode_matrix::<F1>(&longer).is_err());
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        // a matrix header claiming 2^60 rows, entries and table values
        let mut out = Out(Vec::new());
        out.len(4);
        out.len(1 << 60);
        out.len(1 << 60);
        out.u8(1);
        out.len(1 << 60);
        assert!(decode_matrix::<F1>(&out.0).is_err());
        // a key claiming 2^62 generators
        let mut out = Out(Vec::new());
        out.len(1 << 62);
        out.bytes(&[0u8; 100]);
        assert!(decode_ck::<E1>(&out.0).is_err());
        // row pointers that go down
        let m = SparseMatrix::new(&[(0, 0, F1::from(1u64)), (1, 1, F1::from(2u64))], 2, 2);
        let mut b = encode_matrix(&m).unwrap();
        // cols, rows, nnz, width, table length, two table values, then the row pointers
        let at = 3 * 8 + 1 + 8 + 2 * REPR_LEN + 4; // the second row pointer (1)
        assert_eq!(b[at], 1);
        b[at] = 9;
        assert!(decode_matrix::<F1>(&b).is_err());
    }

    #[test]
    fn key_round_trip() {
        let ck = <E1 as Engine>::CE::setup(b"ck", 16).unwrap();
        let b = encode_ck::<E1>(&ck).unwrap();
        let back = decode_ck::<E1>(&b).unwrap();
        assert_eq!(back, ck);
        assert!(decode_ck::<E1>(&b[..b.len() - 1]).is_err());
        // a point moved off the curve
        let mut off = b.clone();
        let at = 8 + KEY_HEAD_LEN + RAW_POINT_LEN + 5;
        off[at] ^= 1;
        assert!(decode_ck::<E1>(&off).is_err());
    }
}
