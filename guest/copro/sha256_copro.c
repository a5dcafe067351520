/*
 * sha256_copro: SHA-256 of the whole public input, with the SHA-256 compression
 * coprocessor (canopy-coprocessors' Sha256Compress, custom-0 funct7 = 1, funct3 = 0) doing
 * every 64-byte block.  Same input and output as examples/sha256 (same driver).
 *
 * Needs the built-in coprocessors registered: it does not run under qemu-riscv32.
 */
#include <canopy.h>

static void sha256_compress(uint32_t h[8], const uint8_t p[64])
{
    canopy_sha256_compress(h, p);
}

#include "../examples/sha256_driver.h"
