/*
 * The physical limit for the bench module: the flush and copy loops a C programmer would write, as a shared
 * library that the benchmarks call through FFM exactly as they call dax4j and libpmem2 (same harness, same
 * memory, same timing). Built by the bench profile when gcc exists:
 *
 *   gcc -O2 -shared -fPIC -mclwb -mclflushopt -mavx2 -o target/native/libdax4jcloop.so src/main/c/cloop.c
 */
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

void cloop_persist_clwb(char *p, size_t n) {
    for (uintptr_t l = (uintptr_t)p & ~63UL; n && l < (uintptr_t)p + n; l += 64) _mm_clwb((void *)l);
    _mm_sfence();
}

void cloop_persist_clflushopt(char *p, size_t n) {
    for (uintptr_t l = (uintptr_t)p & ~63UL; n && l < (uintptr_t)p + n; l += 64) _mm_clflushopt((void *)l);
    _mm_sfence();
}

void cloop_persist_clflush(char *p, size_t n) {
    for (uintptr_t l = (uintptr_t)p & ~63UL; n && l < (uintptr_t)p + n; l += 64) _mm_clflush((void *)l);
}

/* Non-temporal copy: dst 64-byte aligned, n a multiple of 64; then a fence. */
void cloop_copy_nt(char *dst, const char *src, size_t n) {
    for (size_t i = 0; i < n; i += 64) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(src + i));
        __m256i b = _mm256_loadu_si256((const __m256i *)(src + i + 32));
        _mm256_stream_si256((__m256i *)(dst + i), a);
        _mm256_stream_si256((__m256i *)(dst + i + 32), b);
    }
    _mm_sfence();
}
