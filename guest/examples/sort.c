/*
 * sort: memory-heavy example.  Generates n pseudo-random u32 values, merge
 * sorts them (bottom-up, with a temporary array), verifies the order and
 * prints summary values.
 *
 * Input  (fd 0): n as ASCII decimal, optional surrounding whitespace,
 *                1 <= n <= 262144 (SORT_MAX_N).
 * Generator:     xorshift32 with state x0 = 0x9E3779B9; value i (i = 0..n-1)
 *                is the state after i+1 steps of
 *                  x ^= x << 13; x ^= x >> 17; x ^= x << 5;   (mod 2^32)
 * Output (fd 1), five lines, decimal unless noted:
 *                n=<n>
 *                min=<sorted[0]>
 *                median=<sorted[n/2]>
 *                max=<sorted[n-1]>
 *                checksum=<16 lowercase hex digits>
 *                where checksum = FNV-1a-64 over the sorted words:
 *                  h = 0xcbf29ce484222325; for each v: h ^= v; h *= 0x100000001b3
 *                (mod 2^64, v zero-extended to 64 bits).
 * Errors:        malformed or out-of-range n: exit 1; sort check failure: exit 2.
 * Memory:        2 x 1 MiB static arrays in .bss.
 */
#include <canopy.h>

#define SORT_MAX_N 262144u

static uint32_t arr[SORT_MAX_N];
static uint32_t tmp[SORT_MAX_N];

/* Merge src[lo..mid) and src[mid..hi) into dst[lo..hi). */
static void merge(uint32_t *dst, const uint32_t *src, uint32_t lo, uint32_t mid, uint32_t hi)
{
    uint32_t i = lo, j = mid, k = lo;
    while (i < mid && j < hi)
        dst[k++] = (src[j] < src[i]) ? src[j++] : src[i++];
    while (i < mid)
        dst[k++] = src[i++];
    while (j < hi)
        dst[k++] = src[j++];
}

/* Sorts a[0..n) using t as scratch; returns the buffer holding the result. */
static uint32_t *merge_sort(uint32_t *a, uint32_t *t, uint32_t n)
{
    uint32_t *src = a, *dst = t;
    for (uint32_t w = 1; w < n; w *= 2) {
        for (uint32_t lo = 0; lo < n; lo += 2 * w) {
            uint32_t mid = lo + w < n ? lo + w : n;
            uint32_t hi = lo + 2 * w < n ? lo + 2 * w : n;
            merge(dst, src, lo, mid, hi);
        }
        uint32_t *s = src;
        src = dst;
        dst = s;
    }
    return src;
}

static void print_kv(const char *key, uint64_t v)
{
    canopy_print(key);
    canopy_write_u64(CANOPY_FD_PUBLIC_OUT, v);
    canopy_print("\n");
}

int main(void)
{
    uint64_t n64 = canopy_read_input_u64();
    if (n64 < 1 || n64 > SORT_MAX_N)
        canopy_fail("sort: n must be in 1..262144\n", 1);
    uint32_t n = (uint32_t)n64;

    uint32_t x = 0x9E3779B9u;
    for (uint32_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        arr[i] = x;
    }

    const uint32_t *s = merge_sort(arr, tmp, n);

    uint64_t h = 0xcbf29ce484222325ull;
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0 && s[i - 1] > s[i])
            canopy_fail("sort: result is not sorted\n", 2);
        h ^= s[i];
        h *= 0x100000001b3ull;
    }

    print_kv("n=", n);
    print_kv("min=", s[0]);
    print_kv("median=", s[n / 2]);
    print_kv("max=", s[n - 1]);
    char hex[CANOPY_FMT_BUF];
    canopy_fmt_hex(hex, h, 16);
    canopy_print("checksum=");
    canopy_print(hex);
    canopy_print("\n");
    return 0;
}
