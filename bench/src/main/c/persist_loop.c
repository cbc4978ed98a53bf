/*
 * The C baseline for PersistBenchmark: the same dirty + persist loop, with the same instructions, compiled by gcc.
 * Not part of the build (dax4j needs no C compiler); build and run by hand:
 *
 *   gcc -O2 -mclwb -mclflushopt -mavx2 -o /tmp/persist_loop bench/src/main/c/persist_loop.c && /tmp/persist_loop
 *
 * Prints ns per dirty+persist for each size and instruction, over a 256 MiB region of /dev/shm, rotating like
 * the JMH benchmark, then ns per non-temporal copy (AVX2 vmovntdq, as CopyBenchmark's NON_TEMPORAL rows) from a
 * cached source. Median of 5 runs of at least 100 ms each. Build with -mavx2 as well for the copy rows.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define REGION (256UL << 20)

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static void persist_clwb(char *p, size_t n) {
    if (n == 0) { _mm_sfence(); return; }
    for (uintptr_t l = (uintptr_t)p & ~63UL; l < (uintptr_t)p + n; l += 64) _mm_clwb((void *)l);
    _mm_sfence();
}

static void persist_clflushopt(char *p, size_t n) {
    if (n == 0) { _mm_sfence(); return; }
    for (uintptr_t l = (uintptr_t)p & ~63UL; l < (uintptr_t)p + n; l += 64) _mm_clflushopt((void *)l);
    _mm_sfence();
}

static void persist_clflush(char *p, size_t n) {
    for (uintptr_t l = (uintptr_t)p & ~63UL; n && l < (uintptr_t)p + n; l += 64) _mm_clflush((void *)l);
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void copy_nt(char *dst, const char *src, size_t n) {
    for (size_t i = 0; i < n; i += 64) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(src + i));
        __m256i b = _mm256_loadu_si256((const __m256i *)(src + i + 32));
        _mm256_stream_si256((__m256i *)(dst + i), a);
        _mm256_stream_si256((__m256i *)(dst + i + 32), b);
    }
    _mm_sfence();
}

int main(void) {
    int fd = open("/dev/shm/dax4j-c-bench.img", O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, REGION) != 0) { perror("open"); return 1; }
    char *m = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
    if (m == MAP_FAILED) { perror("mmap"); return 1; }
    size_t sizes[] = {0, 64, 256, 4096, 65536, 2097152};
    struct { const char *name; void (*fn)(char *, size_t); } mech[] = {
        {"CLWB", persist_clwb}, {"CLFLUSHOPT", persist_clflushopt}, {"CLFLUSH", persist_clflush}};
    printf("%-11s %8s %12s\n", "mechanism", "bytes", "ns/op");
    for (int k = 0; k < 3; k++) {
        for (int s = 0; s < 6; s++) {
            size_t n = sizes[s], step = n > 64 ? n : 64, off = 0;
            double runs[5];
            unsigned char v = 0;
            for (int r = 0; r < 5; r++) {
                long ops = 0;
                double start = now_ns(), end;
                do {
                    for (int i = 0; i < 64; i++, ops++) {
                        off += step;
                        if (off + n > REGION) off = 0;
                        memset(m + off, v++, n);
                        mech[k].fn(m + off, n);
                    }
                    end = now_ns();
                } while (end - start < 1e8);
                runs[r] = (end - start) / ops;
            }
            qsort(runs, 5, sizeof runs[0], cmp);
            printf("%-11s %8zu %12.1f\n", mech[k].name, n, runs[2]);
        }
    }
    char *src = aligned_alloc(64, 2097152);
    memset(src, 0x5a, 2097152);
    size_t copies[] = {256, 4096, 65536, 2097152};
    for (int s = 0; s < 4; s++) {
        size_t n = copies[s], off = 0;
        double runs[5];
        for (int r = 0; r < 5; r++) {
            long ops = 0;
            double start = now_ns(), end;
            do {
                for (int i = 0; i < 16; i++, ops++) {
                    off += n;
                    if (off + n > REGION) off = 0;
                    copy_nt(m + off, src, n);
                }
                end = now_ns();
            } while (end - start < 1e8);
            runs[r] = (end - start) / ops;
        }
        qsort(runs, 5, sizeof runs[0], cmp);
        printf("%-11s %8zu %12.1f  %6.1f GB/s\n", "COPY_NT", n, runs[2], n / runs[2]);
    }
    free(src);
    munmap(m, REGION);
    close(fd);
    unlink("/dev/shm/dax4j-c-bench.img");
    return 0;
}
