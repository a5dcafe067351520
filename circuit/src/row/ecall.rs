//! `ecall`: system call dispatch on a7 and a0, exit, the single-row calls (debug write, bad
//! fd, unknown call) and the byte-per-row I/O state machine with the public stream digests.
//!
//! I/O (`write` to fd 1, `read` from fd 0 or fd 3) takes one row per byte plus a final row:
//! - a *step* row moves the byte at `a1 + cursor` (word `data_addr`, byte offset inside it)
//!   between memory and the stream, sets `cursor += 1`, keeps pc and does not retire. It
//!   requires `cursor != a2` (so `cursor <= a2` by induction) and, for reads, that the fd is
//!   not at end of input.
//! - a *done* row writes `a0 = cursor`, clears the cursor, advances pc and retires. For writes
//!   it requires `cursor == a2`. A read may finish short (`cursor < a2`) only by setting its
//!   fd's eof flag; afterwards every read of that fd returns 0 (the VM's behaviour at end of
//!   input). The verifier checks `in_eof ⇒ all public input consumed`.
//! - rows that are not I/O rows require `cursor == 0`, so an I/O call cannot be interleaved
//!   with other instructions.
//!
//! Streams (fd 0 in, fd 1 out): `(digest, words, off, pending)`: `pending` holds `off < 4`
//! bytes of the current partial 4-byte word (little-endian); when a byte completes the word,
//! `digest ← H(digest, word)` with the caller's [`StreamHasher`], `words += 1`, `pending ← 0`.
//! One hash per row, shared by the two streams (a row moves at most one byte).

use ff::{PrimeField, PrimeFieldBits};
use nova_snark::frontend::{num::AllocatedNum, ConstraintSystem, SynthesisError};

use super::bits::{
    alloc, alloc_bit, alloc_num, decompose, enforce_eq, enforce_mul, enforce_nonzero_if,
    enforce_zero_product, is_zero, mul, Expr,
};
use super::{RowState, StreamHasher, StreamState};
use canopy_vm::ecall::{
    EBADF, ENOSYS, FD_DEBUG, FD_PRIVATE_INPUT, FD_PUBLIC_INPUT, FD_PUBLIC_OUTPUT, SYS_EXIT,
    SYS_EXIT_GROUP, SYS_READ, SYS_WRITE,
};

/// What kind of system call a row performs (native twin of the circuit's sub-flags).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Call {
    Exit,
    /// write to fd 1: I/O rows.
    WriteOut,
    /// write to fd 2: one row, bounds check only.
    WriteDebug,
    WriteBadFd,
    /// read from fd 0: I/O rows.
    ReadIn,
    /// read from fd 3: I/O rows.
    ReadPriv,
    ReadBadFd,
    Unknown,
}

impl Call {
    pub(crate) fn of(a7: u32, a0: u32) -> Call {
        match a7 {
            SYS_EXIT | SYS_EXIT_GROUP => Call::Exit,
            SYS_WRITE => match a0 {
                FD_PUBLIC_OUTPUT => Call::WriteOut,
                FD_DEBUG => Call::WriteDebug,
                _ => Call::WriteBadFd,
            },
            SYS_READ => match a0 {
                FD_PUBLIC_INPUT => Call::ReadIn,
                FD_PRIVATE_INPUT => Call::ReadPriv,
                _ => Call::ReadBadFd,
            },
            _ => Call::Unknown,
        }
    }
}

/// The allocated stream fields of one stream.
pub(crate) struct StreamExprs<F: PrimeField> {
    pub digest: Expr<F>,
    pub words: Expr<F>,
    pub off: Expr<F>,
    pub pending: Expr<F>,
}

/// The next values of one stream.
pub(crate) struct StreamNext<F: PrimeField> {
    pub digest: AllocatedNum<F>,
    pub words: AllocatedNum<F>,
    pub off: AllocatedNum<F>,
    pub pending: AllocatedNum<F>,
}

/// Inputs of the ecall unit.
pub(crate) struct EcallIn<'a, F: PrimeField> {
    pub f_ecall: &'a Expr<F>,
    pub a0: &'a Expr<F>,
    pub a1: &'a Expr<F>,
    pub a2: &'a Expr<F>,
    pub a7: &'a Expr<F>,
    pub cursor: &'a Expr<F>,
    pub in_eof: &'a Expr<F>,
    pub priv_eof: &'a Expr<F>,
    pub input: StreamExprs<F>,
    pub output: StreamExprs<F>,
    /// The old data word's addressed byte (the byte a `write` outputs).
    pub old_byte: &'a Expr<F>,
    /// The byte a `read` stores (from the claimed new data word).
    pub read_byte: u8,
    pub memory_size: u64,
    pub post: &'a RowState<F>,
}

/// Outputs of the ecall unit.
pub(crate) struct Ecall<F: PrimeField> {
    pub exit: Expr<F>,
    /// The row writes `ret` to a0.
    pub ret_flag: Expr<F>,
    pub ret: Expr<F>,
    /// An I/O step row (pc unchanged, does not retire).
    pub step: Expr<F>,
    /// A step row of a read (fd 0 or 3): stores `byte`.
    pub step_store: Expr<F>,
    pub byte: Expr<F>,
    pub cursor: AllocatedNum<F>,
    pub in_eof: AllocatedNum<F>,
    pub priv_eof: AllocatedNum<F>,
    pub input: StreamNext<F>,
    pub output: StreamNext<F>,
}

fn f<F: PrimeField>(v: u64) -> F {
    F::from(v)
}

fn flag<F: PrimeField>(b: bool) -> F {
    if b {
        F::ONE
    } else {
        F::ZERO
    }
}

/// The ecall unit (≈130 constraints plus the caller's hash).
pub(crate) fn ecall<F: PrimeFieldBits, CS: ConstraintSystem<F>, H: StreamHasher<F>>(
    cs: &mut CS,
    hasher: &H,
    i: EcallIn<'_, F>,
) -> Result<Ecall<F>, SynthesisError> {
    let on = i.f_ecall.is_set();
    let call = Call::of(i.a7.int() as u32, i.a0.int() as u32);
    let is = |c: Call| on && call == c;
    // Dispatch on a7: exit | write | read | unknown.
    let g_exit = alloc_bit(cs, "g_exit", is(Call::Exit))?;
    let g_w1 = alloc_bit(cs, "g_w1", is(Call::WriteOut))?;
    let g_w2 = alloc_bit(cs, "g_w2", is(Call::WriteDebug))?;
    let g_wbad = alloc_bit(cs, "g_wbad", is(Call::WriteBadFd))?;
    let g_r0 = alloc_bit(cs, "g_r0", is(Call::ReadIn))?;
    let g_r3 = alloc_bit(cs, "g_r3", is(Call::ReadPriv))?;
    let g_rbad = alloc_bit(cs, "g_rbad", is(Call::ReadBadFd))?;
    let g_unk = alloc_bit(cs, "g_unk", is(Call::Unknown))?;
    let g_write = g_w1.clone() + &g_w2 + &g_wbad;
    let g_read = g_r0.clone() + &g_r3 + &g_rbad;
    enforce_eq(
        cs,
        "ecall:one call",
        &(g_exit.clone() + &g_write + &g_read + &g_unk),
        i.f_ecall,
    );
    let a7 = i.a7;
    let p1 = mul(
        cs,
        "a7:exit poly",
        &a7.add_const(-f::<F>(93)),
        &a7.add_const(-f::<F>(94)),
    )?;
    enforce_zero_product(cs, "a7:exit", &g_exit, &p1);
    enforce_zero_product(cs, "a7:write", &g_write, &a7.add_const(-f::<F>(64)));
    enforce_zero_product(cs, "a7:read", &g_read, &a7.add_const(-f::<F>(63)));
    let p2 = mul(cs, "a7:poly2", &p1, &a7.add_const(-f::<F>(64)))?;
    let p3 = mul(cs, "a7:poly3", &p2, &a7.add_const(-f::<F>(63)))?;
    enforce_nonzero_if(cs, "a7:unknown", &g_unk, &p3)?;
    // Dispatch on the fd.
    let a0 = i.a0;
    enforce_zero_product(cs, "fd:w1", &g_w1, &a0.add_const(-F::ONE));
    enforce_zero_product(cs, "fd:w2", &g_w2, &a0.add_const(-f::<F>(2)));
    let wfd = mul(
        cs,
        "fd:wpoly",
        &a0.add_const(-F::ONE),
        &a0.add_const(-f::<F>(2)),
    )?;
    enforce_nonzero_if(cs, "fd:wbad", &g_wbad, &wfd)?;
    enforce_zero_product(cs, "fd:r0", &g_r0, a0);
    enforce_zero_product(cs, "fd:r3", &g_r3, &a0.add_const(-f::<F>(3)));
    let rfd = mul(cs, "fd:rpoly", a0, &a0.add_const(-f::<F>(3)))?;
    enforce_nonzero_if(cs, "fd:rbad", &g_rbad, &rfd)?;

    // Debug write: a1 + a2 <= memory size unless a2 = 0.
    let len_zero = is_zero(cs, "dbg:len0", i.a2)?;
    let check = mul(cs, "dbg:check", &g_w2, &len_zero.not())?;
    let room = Expr::from_u64(i.memory_size) - i.a1 - i.a2;
    let slack = mul(cs, "dbg:slack", &check, &room)?;
    decompose(cs, "dbg:slack", &slack, 34)?;

    // I/O rows: step or done.
    let io = g_w1.clone() + &g_r0 + &g_r3;
    let io_on = is(Call::WriteOut) || is(Call::ReadIn) || is(Call::ReadPriv);
    let stepping = io_on && i.post.cursor != 0;
    let step = alloc_bit(cs, "io:step", stepping)?;
    let done = io.clone() - &step;
    enforce_zero_product(cs, "io:done bool", &done, &done.not());
    let rem = i.a2.clone() - i.cursor;
    let rem_zero = is_zero(cs, "io:rem0", &rem)?;
    enforce_zero_product(cs, "io:step needs bytes", &step, &rem_zero);
    let short = mul(cs, "io:short", &done, &rem_zero.not())?;
    enforce_zero_product(cs, "io:write not short", &g_w1, &short);
    let step_out = mul(cs, "io:step w1", &step, &g_w1)?;
    let step_in = mul(cs, "io:step r0", &step, &g_r0)?;
    let step_priv = mul(cs, "io:step r3", &step, &g_r3)?;
    enforce_zero_product(cs, "io:in eof", &step_in, i.in_eof);
    enforce_zero_product(cs, "io:priv eof", &step_priv, i.priv_eof);
    // Non-I/O rows keep the cursor at 0.
    enforce_zero_product(cs, "io:cursor idle", &io.not(), i.cursor);
    let (cursor, cursor_e) = alloc_num(cs, "cursor'", f(i.post.cursor as u64))?;
    enforce_mul(
        cs,
        "cursor':eq",
        &step,
        &i.cursor.add_const(F::ONE),
        &cursor_e,
    );
    let eof_update = |cs: &mut CS, name: &str, g: &Expr<F>, eof: &Expr<F>, claimed: bool| {
        let s = mul(cs, &format!("{name}:short"), g, &short)?;
        let both = mul(cs, &format!("{name}:both"), &s, eof)?;
        let (n, e) = alloc_num(cs, name, flag(claimed))?;
        enforce_eq(cs, &format!("{name}:eq"), &e, &(eof.clone() + &s - &both));
        Ok::<_, SynthesisError>(n)
    };
    let in_eof = eof_update(cs, "in_eof'", &g_r0, i.in_eof, i.post.in_eof)?;
    let priv_eof = eof_update(cs, "priv_eof'", &g_r3, i.priv_eof, i.post.priv_eof)?;

    // The byte moved by a step row: the old byte for writes, a fresh byte for reads.
    let step_store = step_in.clone() + &step_priv;
    let byte_val = if is(Call::WriteOut) {
        i.old_byte.val
    } else {
        f(i.read_byte as u64)
    };
    let byte = alloc(cs, "io:byte", byte_val)?;
    decompose(cs, "io:byte", &byte, 8)?;
    enforce_zero_product(cs, "io:out byte", &step_out, &(byte.clone() - i.old_byte));

    // Streams: prepare both, hash the active one once, finish both.
    let out_prep = prepare(cs, "out", &step_out, &byte, &i.output)?;
    let in_prep = prepare(cs, "in", &step_in, &byte, &i.input)?;
    let (d_sel, d_sel_e) = alloc_num(
        cs,
        "hash:digest",
        if step_out.is_set() {
            i.output.digest.val
        } else {
            i.input.digest.val
        },
    )?;
    enforce_mul(
        cs,
        "hash:digest=",
        &step_out,
        &(i.output.digest.clone() - &i.input.digest),
        &(d_sel_e - &i.input.digest),
    );
    let (w_sel, w_sel_e) = alloc_num(
        cs,
        "hash:word",
        if step_out.is_set() {
            out_prep.word.val
        } else {
            in_prep.word.val
        },
    )?;
    enforce_mul(
        cs,
        "hash:word=",
        &step_out,
        &(out_prep.word.clone() - &in_prep.word),
        &(w_sel_e - &in_prep.word),
    );
    let h = hasher.hash_gadget(cs.namespace(|| "hash"), &d_sel, &w_sel)?;
    let h_val = hasher.hash(
        d_sel.get_value().unwrap_or(F::ZERO),
        w_sel.get_value().unwrap_or(F::ZERO),
    );
    let h = Expr::num(&h, h_val);
    let output = finish(cs, "out", &out_prep, &i.output, &h, &i.post.output)?;
    let input = finish(cs, "in", &in_prep, &i.input, &h, &i.post.input)?;

    // a0 results.
    let ret_len = mul(cs, "ret:len", &g_w2, i.a2)?;
    let ret_cur = mul(cs, "ret:cursor", &done, i.cursor)?;
    let bad = g_wbad.clone() + &g_rbad;
    let ret = ret_len + &ret_cur + &bad.scale(f(EBADF as u64)) + &g_unk.scale(f(ENOSYS as u64));
    let ret_flag = g_w2.clone() + &bad + &g_unk + &done;
    Ok(Ecall {
        exit: g_exit,
        ret_flag,
        ret,
        step,
        step_store,
        byte,
        cursor,
        in_eof,
        priv_eof,
        input,
        output,
    })
}

/// A stream's update before the hash.
struct Prepared<F: PrimeField> {
    /// `pending + byte·256^off` (the word, when complete).
    word: Expr<F>,
    /// The byte completes the word.
    complete: Expr<F>,
    active: Expr<F>,
}

fn prepare<F: PrimeFieldBits, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    name: &str,
    active: &Expr<F>,
    byte: &Expr<F>,
    s: &StreamExprs<F>,
) -> Result<Prepared<F>, SynthesisError> {
    let ob = decompose(cs, &format!("{name}:off"), &s.off, 2)?;
    let full = mul(cs, &format!("{name}:off=3"), &ob[0], &ob[1])?;
    let f0 = ob[0].scale(f::<F>(255)).add_const(F::ONE);
    let f1 = ob[1].scale(f::<F>(65535)).add_const(F::ONE);
    let shift = mul(cs, &format!("{name}:256^off"), &f0, &f1)?;
    let add = mul(cs, &format!("{name}:add"), active, byte)?;
    let placed = mul(cs, &format!("{name}:placed"), &add, &shift)?;
    let complete = mul(cs, &format!("{name}:complete"), active, &full)?;
    Ok(Prepared {
        word: s.pending.clone() + &placed,
        complete,
        active: active.clone(),
    })
}

fn finish<F: PrimeFieldBits, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    name: &str,
    p: &Prepared<F>,
    s: &StreamExprs<F>,
    h: &Expr<F>,
    claimed: &StreamState<F>,
) -> Result<StreamNext<F>, SynthesisError> {
    let (digest, de) = alloc_num(cs, &format!("{name}_digest'"), claimed.digest)?;
    enforce_mul(
        cs,
        &format!("{name}_digest':eq"),
        &p.complete,
        &(h.clone() - &s.digest),
        &(de - &s.digest),
    );
    let (pending, pe) = alloc_num(cs, &format!("{name}_pending'"), f(claimed.pending as u64))?;
    enforce_mul(
        cs,
        &format!("{name}_pending':eq"),
        &p.complete.not(),
        &p.word,
        &pe,
    );
    let (words, we) = alloc_num(cs, &format!("{name}_words'"), f(claimed.words))?;
    enforce_eq(
        cs,
        &format!("{name}_words':eq"),
        &we,
        &(s.words.clone() + &p.complete),
    );
    let (off, oe) = alloc_num(cs, &format!("{name}_off'"), f(claimed.off as u64))?;
    enforce_eq(
        cs,
        &format!("{name}_off':eq"),
        &oe,
        &(s.off.clone() + &p.active - &p.complete.scale(f(4))),
    );
    Ok(StreamNext {
        digest,
        words,
        off,
        pending,
    })
}
