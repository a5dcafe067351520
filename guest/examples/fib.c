/*
 * fib: Fibonacci numbers modulo 2^64.
 *
 * Input  (fd 0): n as ASCII decimal, optional surrounding whitespace, n < 2^64.
 * Output (fd 1): fib(n) mod 2^64 in decimal, then "\n"
 *                (fib(0) = 0, fib(1) = 1, fib(n) = fib(n-1) + fib(n-2)).
 * Malformed input: message on fd 2, exit code 1.
 * Cost: about 10 instructions per step, n steps.
 */
#include <canopy.h>

int main(void)
{
    uint64_t n = canopy_read_input_u64();
    uint64_t a = 0, b = 1; /* a = fib(i), b = fib(i+1) */
    for (uint64_t i = 0; i < n; i++) {
        uint64_t t = a + b;
        a = b;
        b = t;
    }
    canopy_write_u64(CANOPY_FD_PUBLIC_OUT, a);
    canopy_print("\n");
    return 0;
}
