/*
 * loop: long-running ALU loop whose length is set by the input; meant for
 * measuring the VM and prover on ~10 instructions per iteration
 * (N = 10^8 gives ~10^9 instructions).
 *
 * Input  (fd 0): N as ASCII decimal, optional surrounding whitespace,
 *                0 <= N <= 4294967295.
 * Output (fd 1): two lines
 *                iterations=<N in decimal>
 *                checksum=<a:8 hex digits><b:8 hex digits>   (lowercase)
 * Malformed or too large N: message on fd 2, exit code 1.
 *
 * Registers a, b start at a = 0x243f6a88, b = 0x85a308d3; k = 0x9e3779b1;
 * n counts down from N.  The loop is written in assembly so that each
 * iteration is exactly these 10 instructions (all arithmetic mod 2^32):
 *
 *   1:  add   a, a, b        # a = a + b
 *       slli  t, a, 7        # t = a << 7
 *       xor   b, b, t        # b = b ^ t
 *       srli  t, b, 9        # t = b >> 9 (logical)
 *       xor   b, b, t        # b = b ^ t
 *       mul   t, a, k        # t = a * k (low 32 bits)
 *       add   a, t, n        # a = t + n (n before its decrement)
 *       xori  b, b, 0x5a5    # b = b ^ 0x5a5
 *       addi  n, n, -1       # n = n - 1
 *       bnez  n, 1b          # loop while n != 0
 *
 * preceded once by `beqz n, 2f` (skip the loop for N = 0).
 */
#include <canopy.h>

int main(void)
{
    uint64_t n64 = canopy_read_input_u64();
    if (n64 > 0xffffffffull)
        canopy_fail("loop: N must be < 2^32\n", 1);

    uint32_t a = 0x243f6a88u, b = 0x85a308d3u, n = (uint32_t)n64, t;
    const uint32_t k = 0x9e3779b1u;
    __asm__ volatile(
        "   beqz  %[n], 2f\n"
        "1: add   %[a], %[a], %[b]\n"
        "   slli  %[t], %[a], 7\n"
        "   xor   %[b], %[b], %[t]\n"
        "   srli  %[t], %[b], 9\n"
        "   xor   %[b], %[b], %[t]\n"
        "   mul   %[t], %[a], %[k]\n"
        "   add   %[a], %[t], %[n]\n"
        "   xori  %[b], %[b], 0x5a5\n"
        "   addi  %[n], %[n], -1\n"
        "   bnez  %[n], 1b\n"
        "2:\n"
        : [a] "+r"(a), [b] "+r"(b), [n] "+r"(n), [t] "=&r"(t)
        : [k] "r"(k));

    canopy_print("iterations=");
    canopy_write_u64(CANOPY_FD_PUBLIC_OUT, n64);
    canopy_print("\nchecksum=");
    char hex[CANOPY_FMT_BUF];
    canopy_fmt_hex(hex, ((uint64_t)a << 32) | b, 16);
    canopy_print(hex);
    canopy_print("\n");
    return 0;
}
