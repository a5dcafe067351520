/*
 * sha256_driver.h: SHA-256 (FIPS 180-4) padding, buffering and main() over the public input,
 * shared by examples/sha256.c (software compression) and copro/sha256_copro.c (the SHA-256
 * coprocessor).  The includer defines
 *     static void sha256_compress(uint32_t h[8], const uint8_t p[64]);
 * before including this file.
 *
 * Input  (fd 0): any bytes (read in 4 KiB chunks until end of input).
 * Output (fd 1): the digest as 64 lowercase hex digits, then "\n".
 */
#ifndef SHA256_DRIVER_H
#define SHA256_DRIVER_H

typedef struct {
    uint32_t h[8];
    uint8_t block[64];
    uint32_t fill;   /* bytes in block */
    uint64_t total;  /* message length in bytes */
} sha256_ctx;

static void sha256_init(sha256_ctx *c)
{
    static const uint32_t iv[8] = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    };
    for (int i = 0; i < 8; i++)
        c->h[i] = iv[i];
    c->fill = 0;
    c->total = 0;
}

static void sha256_update(sha256_ctx *c, const uint8_t *p, size_t n)
{
    c->total += n;
    while (n > 0) {
        /* whole aligned blocks are compressed in place (a coprocessor reads words) */
        if (c->fill == 0 && n >= 64 && ((uintptr_t)p & 3) == 0) {
            sha256_compress(c->h, p);
            p += 64;
            n -= 64;
            continue;
        }
        size_t take = 64 - c->fill;
        if (take > n)
            take = n;
        for (size_t i = 0; i < take; i++)
            c->block[c->fill + i] = p[i];
        c->fill += take;
        p += take;
        n -= take;
        if (c->fill == 64) {
            sha256_compress(c->h, c->block);
            c->fill = 0;
        }
    }
}

static void sha256_final(sha256_ctx *c, uint8_t out[32])
{
    uint64_t bits = c->total * 8;
    uint8_t pad[72];
    size_t padlen = (c->fill < 56) ? 56 - c->fill : 120 - c->fill;
    pad[0] = 0x80;
    for (size_t i = 1; i < padlen; i++)
        pad[i] = 0;
    for (int i = 0; i < 8; i++)
        pad[padlen + i] = (uint8_t)(bits >> (56 - 8 * i));
    sha256_update(c, pad, padlen + 8);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(c->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)c->h[i];
    }
}

/* 4-byte aligned: full blocks are compressed in place (a coprocessor needs word alignment) */
static uint8_t buf[4096] __attribute__((aligned(4)));

int main(void)
{
    sha256_ctx ctx;
    sha256_init(&ctx);
    for (;;) {
        long r = canopy_read(CANOPY_FD_PUBLIC_IN, buf, sizeof buf);
        if (r < 0)
            canopy_fail("sha256: read error\n", 1);
        if (r == 0)
            break;
        sha256_update(&ctx, buf, (size_t)r);
    }
    uint8_t d[32];
    sha256_final(&ctx, d);
    char hex[65];
    for (int i = 0; i < 32; i++)
        canopy_fmt_hex(hex + 2 * i, d[i], 2);
    hex[64] = '\n';
    canopy_output(hex, 65);
    return 0;
}

#endif /* SHA256_DRIVER_H */
