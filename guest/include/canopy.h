/*
 * canopy.h -- guest SDK for the Canopy zkVM (RV32IM, ilp32).
 *
 * Header-only: every function is `static inline`.  Include it from any guest
 * C file; link with guest/start.S and guest/link.ld (see guest/Makefile).
 *
 * ABI summary (see guest/README.md and DESIGN.md "Guest ABI"):
 *
 *   ecall, number in a7, arguments in a0..a2, result in a0 (Linux style):
 *     a7 = 93  exit(code = a0)                       -- never returns
 *     a7 = 64  write(fd = a0, buf = a1, len = a2)    -> bytes written
 *                fd 1 = public output (bound by the proof)
 *                fd 2 = debug log (not bound by the proof)
 *     a7 = 63  read(fd = a0, buf = a1, len = a2)     -> bytes read, 0 at EOF
 *                fd 0 = public input
 *                fd 3 = private input (witness only; NOT open under qemu)
 *     anything else                                  -> -38 (-ENOSYS)
 *
 *   Coprocessors: the custom-0 major opcode (0b0001011 = 0x0b), R-type:
 *     funct7 | rs2 | rs1 | funct3 | rd | 0001011
 *   (funct7, funct3) select the coprocessor, rs1/rs2 carry its two
 *   arguments (usually pointers into guest memory), rd receives a status
 *   word.  See CANOPY_COPROC below.
 *
 * A program that uses no coprocessor runs unchanged under `qemu-riscv32`
 * (Linux user mode), the differential oracle of the VM.
 */
#ifndef CANOPY_H
#define CANOPY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* File descriptors and syscall numbers                                      */
/* ------------------------------------------------------------------------ */

/** Public input (read-only). */
#define CANOPY_FD_PUBLIC_IN   0
/** Public output (write-only); bound by the proof. */
#define CANOPY_FD_PUBLIC_OUT  1
/** Debug log (write-only); not bound by the proof. */
#define CANOPY_FD_DEBUG       2
/** Private input (read-only); witness only.  Not available under qemu. */
#define CANOPY_FD_PRIVATE_IN  3

#define CANOPY_SYS_READ   63
#define CANOPY_SYS_WRITE  64
#define CANOPY_SYS_EXIT   93

/** Value returned in a0 for an unknown ecall number. */
#define CANOPY_ENOSYS     (-38)

/* ------------------------------------------------------------------------ */
/* Raw ecalls                                                                */
/* ------------------------------------------------------------------------ */

/**
 * Terminate the program with exit code `code` (ecall 93).  The VM and qemu
 * both treat 0 as success.  Never returns.
 */
static inline __attribute__((noreturn)) void canopy_exit(int code)
{
    register long a0 __asm__("a0") = code;
    register long a7 __asm__("a7") = CANOPY_SYS_EXIT;
    __asm__ volatile("ecall" : : "r"(a0), "r"(a7) : "memory");
    __builtin_unreachable();
}

/**
 * write(fd, buf, len) (ecall 64).  Returns the number of bytes written, or a
 * negative error code.  Like Linux, it may write fewer than `len` bytes; use
 * canopy_write_all() to write everything.
 */
static inline long canopy_write(int fd, const void *buf, size_t len)
{
    register long a0 __asm__("a0") = fd;
    register long a1 __asm__("a1") = (long)buf;
    register long a2 __asm__("a2") = (long)len;
    register long a7 __asm__("a7") = CANOPY_SYS_WRITE;
    __asm__ volatile("ecall"
                     : "+r"(a0)
                     : "r"(a1), "r"(a2), "r"(a7)
                     : "memory");
    return a0;
}

/**
 * read(fd, buf, len) (ecall 63).  Returns the number of bytes read (0 at end
 * of input), or a negative error code.  Like Linux, it may return fewer than
 * `len` bytes before the end of input (e.g. from a pipe under qemu); use
 * canopy_read_all() to fill a buffer.
 */
static inline long canopy_read(int fd, void *buf, size_t len)
{
    register long a0 __asm__("a0") = fd;
    register long a1 __asm__("a1") = (long)buf;
    register long a2 __asm__("a2") = (long)len;
    register long a7 __asm__("a7") = CANOPY_SYS_READ;
    __asm__ volatile("ecall"
                     : "+r"(a0)
                     : "r"(a1), "r"(a2), "r"(a7)
                     : "memory");
    return a0;
}

/* ------------------------------------------------------------------------ */
/* Convenience I/O                                                           */
/* ------------------------------------------------------------------------ */

/**
 * Read from `fd` until `cap` bytes have been read or the input ends.
 * Returns the number of bytes stored in `buf` (0..cap), or a negative error
 * code if the first read fails.  If the input is longer than `cap`, the rest
 * stays unread (call canopy_read() again to detect that).
 */
static inline long canopy_read_all(int fd, void *buf, size_t cap)
{
    size_t got = 0;
    while (got < cap) {
        long r = canopy_read(fd, (char *)buf + got, cap - got);
        if (r < 0)
            return got ? (long)got : r;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (long)got;
}

/**
 * Read the whole public input (fd 0) into `buf`, at most `cap` bytes.
 * Returns the number of bytes read.
 */
static inline long canopy_read_input(void *buf, size_t cap)
{
    return canopy_read_all(CANOPY_FD_PUBLIC_IN, buf, cap);
}

/**
 * Read the private input (fd 3) into `buf`, at most `cap` bytes.  Returns the
 * number of bytes read, or a negative error (e.g. -EBADF = -9 under qemu,
 * where fd 3 is not open).
 */
static inline long canopy_read_private(void *buf, size_t cap)
{
    return canopy_read_all(CANOPY_FD_PRIVATE_IN, buf, cap);
}

/**
 * Write all `len` bytes of `buf` to `fd`, retrying on short writes.  Returns
 * 0 on success or the negative error code of the failing write.
 */
static inline long canopy_write_all(int fd, const void *buf, size_t len)
{
    const char *p = (const char *)buf;
    while (len > 0) {
        long r = canopy_write(fd, p, len);
        if (r < 0)
            return r;
        if (r == 0)
            return -5; /* -EIO: no progress */
        p += r;
        len -= (size_t)r;
    }
    return 0;
}

/** Length of a NUL-terminated string (no libc needed). */
static inline size_t canopy_strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

/** Write `len` bytes to the public output (fd 1). */
static inline long canopy_output(const void *buf, size_t len)
{
    return canopy_write_all(CANOPY_FD_PUBLIC_OUT, buf, len);
}

/** Write a NUL-terminated string to the public output (fd 1). */
static inline long canopy_print(const char *s)
{
    return canopy_output(s, canopy_strlen(s));
}

/** Write a NUL-terminated string to the debug log (fd 2). */
static inline long canopy_debug(const char *s)
{
    return canopy_write_all(CANOPY_FD_DEBUG, s, canopy_strlen(s));
}

/** Write a message to the debug log and exit with `code`. */
static inline __attribute__((noreturn)) void canopy_fail(const char *msg, int code)
{
    canopy_debug(msg);
    canopy_exit(code);
}

/* ------------------------------------------------------------------------ */
/* Number formatting and parsing                                             */
/* ------------------------------------------------------------------------ */

/** Buffer size sufficient for any canopy_fmt_* result (plus NUL). */
#define CANOPY_FMT_BUF 24

/**
 * Format `v` as unsigned decimal into `out` (at least CANOPY_FMT_BUF bytes),
 * NUL-terminated.  Returns the number of characters (without the NUL).
 * Values above 2^32 - 1 use libgcc's 64-bit division (hundreds of
 * instructions per digit on RV32); smaller values use the 32-bit `divu`.
 */
static inline size_t canopy_fmt_u64(char *out, uint64_t v)
{
    char tmp[20];
    size_t n = 0, i;
    while (v > 0xFFFFFFFFull) {
        tmp[n++] = (char)('0' + (unsigned)(v % 10));
        v /= 10;
    }
    uint32_t w = (uint32_t)v;
    do {
        tmp[n++] = (char)('0' + w % 10u);
        w /= 10u;
    } while (w);
    for (i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = 0;
    return n;
}

/**
 * Format `v` as `digits` lowercase hex digits (most significant first, zero
 * padded, no prefix) into `out`, NUL-terminated.  `digits` <= 16.
 */
static inline size_t canopy_fmt_hex(char *out, uint64_t v, unsigned digits)
{
    static const char hx[] = "0123456789abcdef";
    unsigned i;
    for (i = 0; i < digits; i++)
        out[i] = hx[(v >> (4 * (digits - 1 - i))) & 15];
    out[digits] = 0;
    return digits;
}

/** Write `v` in decimal to `fd` (no newline). */
static inline long canopy_write_u64(int fd, uint64_t v)
{
    char b[CANOPY_FMT_BUF];
    size_t n = canopy_fmt_u64(b, v);
    return canopy_write_all(fd, b, n);
}

static inline int canopy_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/**
 * Parse an unsigned decimal number from buf[*pos..len): skips leading ASCII
 * whitespace, then requires at least one digit.  On success stores the value
 * in *out, advances *pos past the digits and returns 0.  Returns -1 if there
 * is no digit, -2 on overflow of 64 bits.
 */
static inline int canopy_parse_u64(const char *buf, size_t len, size_t *pos, uint64_t *out)
{
    size_t i = *pos;
    uint64_t v = 0;
    while (i < len && canopy_is_space(buf[i]))
        i++;
    if (i >= len || buf[i] < '0' || buf[i] > '9')
        return -1;
    while (i < len && buf[i] >= '0' && buf[i] <= '9') {
        unsigned d = (unsigned)(buf[i] - '0');
        /* v * 10 + d <= UINT64_MAX, without a 64-bit division:
         * UINT64_MAX = 1844674407370955161 * 10 + 5. */
        if (v > 1844674407370955161ull || (v == 1844674407370955161ull && d > 5))
            return -2;
        v = v * 10 + d;
        i++;
    }
    *pos = i;
    *out = v;
    return 0;
}

/**
 * Parse a buffer that must contain exactly one unsigned decimal number,
 * optionally surrounded by ASCII whitespace.  Returns 0 on success, negative
 * on malformed input (-1 no digits, -2 overflow, -3 trailing garbage).
 */
static inline int canopy_parse_single_u64(const char *buf, size_t len, uint64_t *out)
{
    size_t pos = 0;
    int r = canopy_parse_u64(buf, len, &pos, out);
    if (r)
        return r;
    while (pos < len && canopy_is_space(buf[pos]))
        pos++;
    return pos == len ? 0 : -3;
}

/**
 * Read the whole public input (at most 64 bytes are considered) and parse it
 * as one unsigned decimal number with optional surrounding whitespace.
 * On malformed input, logs a message to fd 2 and exits with code 1.
 */
static inline uint64_t canopy_read_input_u64(void)
{
    char buf[64];
    uint64_t v;
    long n = canopy_read_input(buf, sizeof buf);
    if (n < 0)
        canopy_fail("canopy: cannot read public input\n", 1);
    if (n == (long)sizeof buf) {
        char extra;
        if (canopy_read(CANOPY_FD_PUBLIC_IN, &extra, 1) != 0)
            canopy_fail("canopy: public input too long for a number\n", 1);
    }
    if (canopy_parse_single_u64(buf, (size_t)n, &v) != 0)
        canopy_fail("canopy: public input is not a decimal number\n", 1);
    return v;
}

/* ------------------------------------------------------------------------ */
/* Coprocessors (custom-0)                                                   */
/* ------------------------------------------------------------------------ */

/*
 * Calling convention for coprocessors
 * -----------------------------------
 * A coprocessor call is a single custom-0 R-type instruction
 *
 *     .insn r 0x0b, FUNCT3, FUNCT7, rd, rs1, rs2
 *
 * - (FUNCT7, FUNCT3) is the coprocessor id; both are assembly-time constants.
 * - rs1, rs2: the two 32-bit arguments, by convention pointers into guest
 *   memory (e.g. rs1 = pointer to the input/state, rs2 = pointer to the
 *   output or to a second operand).  Each coprocessor documents the layout,
 *   size and alignment of the memory it reads and writes.
 * - rd: status word written by the coprocessor; 0 means success, any other
 *   value is coprocessor-specific.
 * - No other register is changed.  Memory reachable through the arguments may
 *   be read and written, so the wrapper has a "memory" clobber.
 *
 * The built-in coprocessors and their wrappers will be added to this header
 * as they land in the VM.  Under qemu-riscv32 a custom-0 instruction raises
 * SIGILL, so programs that use coprocessors cannot be checked against qemu.
 */

/**
 * CANOPY_COPROC(funct3, funct7, arg1, arg2): execute the custom-0 coprocessor
 * selected by the constants (funct7, funct3) with rs1 = arg1, rs2 = arg2
 * (pointers or integers, converted to uint32_t).  Evaluates to the uint32_t
 * status written to rd.
 */
#define CANOPY_COPROC(funct3, funct7, arg1, arg2)                              \
    __extension__({                                                            \
        uint32_t __canopy_rd;                                                  \
        uint32_t __canopy_rs1 = (uint32_t)(uintptr_t)(arg1);                   \
        uint32_t __canopy_rs2 = (uint32_t)(uintptr_t)(arg2);                   \
        __asm__ volatile(".insn r 0x0b, %3, %4, %0, %1, %2"                    \
                         : "=r"(__canopy_rd)                                   \
                         : "r"(__canopy_rs1), "r"(__canopy_rs2),               \
                           "i"(funct3), "i"(funct7)                            \
                         : "memory");                                          \
        __canopy_rd;                                                           \
    })

/*
 * Built-in coprocessors (crate canopy-coprocessors, custom-0 funct7 = 1).  Pointers must be
 * 4-byte aligned and inside memory; outputs must be in writable data memory (not code).
 * Words are little-endian uint32_t; 256-bit integers and BN254 field elements are 8 words,
 * least significant first.  Each returns the status written to rd (0); invalid arguments
 * (a non-canonical field element, a zero modulus) stop the guest with a fault.
 */

/* One SHA-256 compression: state[8] (native words H0..H7, updated in place) with the 64
 * message bytes at block (as they lie in memory).  Padding and the IV are the caller's. */
static inline uint32_t canopy_sha256_compress(uint32_t state[8], const void *block)
{
    return CANOPY_COPROC(0, 1, state, block);
}

/* out[8] = Poseidon(x, y) over BN254's scalar field, with in[0..8] = x, in[8..16] = y. */
static inline uint32_t canopy_poseidon2(const uint32_t in[16], uint32_t out[8])
{
    return CANOPY_COPROC(1, 1, in, out);
}

/* out[8] = a * b mod m, with ops[0..8] = a, ops[8..16] = b, ops[16..24] = m (m != 0). */
static inline uint32_t canopy_modmul256(const uint32_t ops[24], uint32_t out[8])
{
    return CANOPY_COPROC(2, 1, ops, out);
}

/* Schnorr signature verification on Grumpkin (y^2 = x^3 - 17 over BN254's scalar field):
 * in[0..8] = public key P, in[8..16] = R, in[16..24] = s, in[24..32] = m.  P and R are
 * compressed: x in bits 0..254 (< p), bit 255 = y is odd.  Writes out[0] = 1 if
 * s*G == R + e*P with e = Poseidon(R.x, R.y, P.x, P.y, m), else 0 (a wrong signature is not
 * an error).  A malformed input (x >= p or no curve point with that x, s >= the group order,
 * m >= p) stops the guest with a fault. */
static inline uint32_t canopy_schnorr_verify(const uint32_t in[32], uint32_t out[1])
{
    return CANOPY_COPROC(3, 1, in, out);
}

#ifdef __cplusplus
}
#endif

#endif /* CANOPY_H */
