/*
 * schnorr: verifies one Schnorr signature on Grumpkin with the built-in coprocessor
 * (canopy-coprocessors' SchnorrVerify, custom-0 funct7 = 1, funct3 = 3).
 *
 * Public input: exactly 128 bytes, the coprocessor's input words as they lie in memory:
 * P, R (compressed points), s, m, each 32 bytes little-endian (see canopy_schnorr_verify).
 * Public output: "valid\n" or "invalid\n".  Exit code 1 if the input is not 128 bytes; a
 * malformed point or scalar faults the VM.  copro/schnorr.in is a valid example, written by
 * the test `schnorr_guest` (coprocessors/tests/schnorr_guest.rs).
 *
 * Needs the built-in coprocessors registered: it does not run under qemu-riscv32.
 */
#include <canopy.h>

static uint32_t input[32];
static uint32_t result[1];

int main(void)
{
    char extra;
    long n = canopy_read_input(input, sizeof input);
    if (n != (long)sizeof input || canopy_read(CANOPY_FD_PUBLIC_IN, &extra, 1) != 0)
        canopy_fail("schnorr: the input must be 128 bytes (P, R, s, m)\n", 1);
    canopy_schnorr_verify(input, result);
    canopy_print(result[0] ? "valid\n" : "invalid\n");
    return 0;
}
