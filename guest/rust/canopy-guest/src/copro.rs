//! Coprocessor calls: the `custom-0` instruction and safe wrappers for the built-ins.
//!
//! A call is one R-type instruction of the `custom-0` major opcode (`0b0001011`),
//! `funct7 | rs2 | rs1 | funct3 | rd | 0001011`: `(funct7, funct3)` select the coprocessor,
//! `rs1`/`rs2` carry its two arguments (usually pointers into guest memory), `rd` receives a
//! status word (0 = success). No other register changes; memory reachable through the arguments
//! may be read and written. [`coproc!`](crate::coproc) emits one for any coprocessor, e.g. one
//! registered by the host.
//!
//! The built-ins (crate `canopy-coprocessors`, `funct7` = 1, registered by
//! `--coprocessors builtins`) have one safe function each, matching `guest/include/canopy.h`.
//! Words are little-endian `u32`; 256-bit integers and BN254 field elements are `[u32; 8]`,
//! least significant word first. The wrappers pass pointers to 4-byte aligned buffers on the
//! stack (writable memory). A malformed argument (a non-canonical field element, a zero modulus,
//! a point not on the curve) stops the guest with a fault; the status returned is 0.
//!
//! Under `qemu-riscv32` a `custom-0` instruction raises SIGILL (exit status 132): guests that
//! call coprocessors run only on Canopy.

/// A 256-bit integer or BN254 field element: eight little-endian words, least significant
/// first.
pub type Words256 = [u32; 8];

/// `coproc!(FUNCT3, FUNCT7, rs1, rs2)`: executes the `custom-0` coprocessor `(FUNCT7, FUNCT3)`
/// (integer literals or constants) with the two `u32` arguments; evaluates to the status word
/// written to `rd`.
///
/// # Safety
/// Must be used inside `unsafe`: the coprocessor may read and write guest memory through its
/// arguments, so the caller must pass pointers valid for what that coprocessor accesses.
#[macro_export]
macro_rules! coproc {
    ($funct3:expr, $funct7:expr, $rs1:expr, $rs2:expr) => {{
        let rd: u32;
        ::core::arch::asm!(
            ".insn r 0x0b, {f3}, {f7}, {rd}, {rs1}, {rs2}",
            f3 = const $funct3,
            f7 = const $funct7,
            rd = lateout(reg) rd,
            rs1 = in(reg) ($rs1) as u32,
            rs2 = in(reg) ($rs2) as u32,
            options(nostack),
        );
        rd
    }};
}

/// One SHA-256 compression (`funct3` = 0): updates `state` (the native words H0..H7) with the
/// 64-byte message block `block` (bytes in message order). Padding and the initial state are
/// the caller's; [`sha256`] does both. Returns the status (0).
pub fn sha256_compress(state: &mut [u32; 8], block: &[u8; 64]) -> u32 {
    /// The block as it lies in memory, 4-byte aligned as the coprocessor requires.
    #[repr(C, align(4))]
    struct Aligned([u8; 64]);
    let b = Aligned(*block);
    // SAFETY: reads 64 bytes at `b` and reads/writes 8 words at `state`, both aligned.
    unsafe { coproc!(0, 1, state.as_mut_ptr(), b.0.as_ptr()) }
}

/// SHA-256's initial state.
pub const SHA256_IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// Streaming SHA-256 over [`sha256_compress`].
#[derive(Clone, Debug)]
pub struct Sha256 {
    state: [u32; 8],
    block: [u8; 64],
    filled: usize,
    length: u64,
}

impl Default for Sha256 {
    fn default() -> Self {
        Self::new()
    }
}

impl Sha256 {
    /// An empty hash.
    pub fn new() -> Self {
        Sha256 {
            state: SHA256_IV,
            block: [0; 64],
            filled: 0,
            length: 0,
        }
    }

    /// Appends `data` to the message.
    pub fn update(&mut self, mut data: &[u8]) {
        self.length = self.length.wrapping_add(data.len() as u64);
        while !data.is_empty() {
            let take = (64 - self.filled).min(data.len());
            self.block[self.filled..self.filled + take].copy_from_slice(&data[..take]);
            self.filled += take;
            data = &data[take..];
            if self.filled == 64 {
                sha256_compress(&mut self.state, &self.block);
                self.filled = 0;
            }
        }
    }

    /// Pads the message and returns its 32-byte digest.
    pub fn finalize(mut self) -> [u8; 32] {
        let bits = self.length.wrapping_mul(8);
        self.block[self.filled] = 0x80;
        self.block[self.filled + 1..].fill(0);
        if self.filled + 1 > 56 {
            sha256_compress(&mut self.state, &self.block);
            self.block.fill(0);
        }
        self.block[56..].copy_from_slice(&bits.to_be_bytes());
        sha256_compress(&mut self.state, &self.block);
        let mut out = [0u8; 32];
        for (chunk, word) in out.chunks_exact_mut(4).zip(self.state) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        out
    }
}

/// SHA-256 of `data` with the coprocessor.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(data);
    h.finalize()
}

/// Poseidon (`funct3` = 1) over BN254's scalar field: `Poseidon(x, y)`, the hash of the
/// coprocessor `canopy-coprocessors::poseidon`. `x` and `y` must be canonical (< p).
pub fn poseidon2(x: &Words256, y: &Words256) -> Words256 {
    let mut input = [0u32; 16];
    input[..8].copy_from_slice(x);
    input[8..].copy_from_slice(y);
    let mut out = [0u32; 8];
    // SAFETY: reads 16 words at `input`, writes 8 words at `out`.
    unsafe { coproc!(1, 1, input.as_ptr(), out.as_mut_ptr()) };
    out
}

/// 256-bit modular multiplication (`funct3` = 2): `a * b mod m`. `m` must not be zero.
pub fn modmul256(a: &Words256, b: &Words256, m: &Words256) -> Words256 {
    let mut ops = [0u32; 24];
    ops[..8].copy_from_slice(a);
    ops[8..16].copy_from_slice(b);
    ops[16..].copy_from_slice(m);
    let mut out = [0u32; 8];
    // SAFETY: reads 24 words at `ops`, writes 8 words at `out`.
    unsafe { coproc!(2, 1, ops.as_ptr(), out.as_mut_ptr()) };
    out
}

/// A Schnorr signature check's input: public key `P` and `R` compressed (x in bits 0..254,
/// bit 255 = y is odd), scalar `s`, message `m` (a field element), as in
/// `canopy_schnorr_verify` of the C SDK.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SchnorrInput {
    /// The public key `P` (compressed).
    pub public_key: Words256,
    /// The signature's point `R` (compressed).
    pub r: Words256,
    /// The signature's scalar `s` (< the group order).
    pub s: Words256,
    /// The message (< p).
    pub message: Words256,
}

impl SchnorrInput {
    /// Reads the 128 bytes `P || R || s || m`, each 32 bytes little-endian (the coprocessor's
    /// input words as they lie in memory).
    pub fn from_bytes(bytes: &[u8; 128]) -> Self {
        let mut w = [0u32; 32];
        for (word, chunk) in w.iter_mut().zip(bytes.chunks_exact(4)) {
            *word = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        }
        let part = |i: usize| -> Words256 {
            let mut x = [0u32; 8];
            x.copy_from_slice(&w[8 * i..8 * i + 8]);
            x
        };
        SchnorrInput {
            public_key: part(0),
            r: part(1),
            s: part(2),
            message: part(3),
        }
    }
}

/// Schnorr signature verification on Grumpkin (`funct3` = 3): whether
/// `s*G == R + e*P` with `e = Poseidon(R.x, R.y, P.x, P.y, m)`. A wrong signature gives
/// `false`; a malformed input (a coordinate >= p or no point with that x, `s` >= the group
/// order, `m` >= p) stops the guest with a fault.
pub fn schnorr_verify(sig: &SchnorrInput) -> bool {
    let mut input = [0u32; 32];
    input[..8].copy_from_slice(&sig.public_key);
    input[8..16].copy_from_slice(&sig.r);
    input[16..24].copy_from_slice(&sig.s);
    input[24..].copy_from_slice(&sig.message);
    let mut out = [0u32; 1];
    // SAFETY: reads 32 words at `input`, writes 1 word at `out`.
    unsafe { coproc!(3, 1, input.as_ptr(), out.as_mut_ptr()) };
    out[0] == 1
}
