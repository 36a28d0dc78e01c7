/* SPDX-License-Identifier: Apache-2.0 */
/* Driver for fuzz targets when libFuzzer is not linked (the default build).
 *
 * Run by `make check` as a TAP test, it replays the seed corpus
 * tests/fuzz/corpus/<target>/ (target = program name without "fuzz_")
 * through LLVMFuzzerTestOneInput, then feeds a fixed number of
 * deterministic mutations of each seed (bit flips, truncations, byte
 * insertions, splices). Each seed file counts as one check: it passes if
 * neither it nor its mutations crash (a crash aborts the run, which the TAP
 * driver reports as an error). With file arguments it replays just those
 * (to reproduce a libFuzzer finding). Real coverage-guided fuzzing:
 * scripts/fuzz. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rng(void) {
        /* xorshift64*: deterministic, so a failure reproduces. */
        rng_state ^= rng_state >> 12;
        rng_state ^= rng_state << 25;
        rng_state ^= rng_state >> 27;
        return rng_state * 0x2545f4914f6cdd1dULL;
}

static int read_file(const char *path, uint8_t **ret, size_t *ret_len) {
        FILE *f = fopen(path, "rbe");
        if (!f)
                return -errno;
        size_t cap = 4096, len = 0;
        uint8_t *buf = malloc(cap);
        size_t n;
        while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
                len += n;
                if (len == cap) {
                        uint8_t *nb = realloc(buf, cap *= 2);
                        if (!nb)
                                free(buf);
                        buf = nb;
                }
        }
        fclose(f);
        if (!buf)
                return -ENOMEM;
        *ret = buf;
        *ret_len = len;
        return 0;
}

static void run_one(const uint8_t *data, size_t len) {
        /* A private copy, exactly len bytes, so that ASan catches overreads. */
        uint8_t *copy = malloc(len ? len : 1);
        if (!copy)
                abort();
        memcpy(copy, data, len);
        LLVMFuzzerTestOneInput(copy, len);
        free(copy);
}

static void mutate_and_run(const uint8_t *seed, size_t len, const uint8_t *other, size_t olen,
                           unsigned rounds) {
        size_t cap = len + 64 + olen;
        uint8_t *buf = malloc(cap);
        if (!buf)
                abort();
        for (unsigned i = 0; i < rounds; i++) {
                memcpy(buf, seed, len);
                size_t n = len;
                unsigned k = 1 + rng() % 4;
                while (k--) {
                        switch (rng() % 5) {
                        case 0: /* flip a bit */
                                if (n)
                                        buf[rng() % n] ^= (uint8_t)(1u << (rng() % 8));
                                break;
                        case 1: /* truncate */
                                if (n)
                                        n = rng() % n;
                                break;
                        case 2: /* insert an interesting byte */
                                if (n < cap) {
                                        static const uint8_t b[] = { 0,   '"', '\\', '{', '}', '[',
                                                                     ']', ':', ',',  '-', '\n', 0xff,
                                                                     'e', '.', '\'', '&', '*', '!' };
                                        size_t at = n ? rng() % n : 0;
                                        memmove(buf + at + 1, buf + at, n - at);
                                        buf[at] = b[rng() % sizeof b];
                                        n++;
                                }
                                break;
                        case 3: /* splice in a piece of another seed */
                                if (olen && n + 16 <= cap) {
                                        size_t from = rng() % olen, m = olen - from < 16 ? olen - from : 16;
                                        size_t at = n ? rng() % n : 0;
                                        memmove(buf + at + m, buf + at, n - at);
                                        memcpy(buf + at, other + from, m);
                                        n += m;
                                }
                                break;
                        case 4: /* overwrite a byte with a random one */
                                if (n)
                                        buf[rng() % n] = (uint8_t)rng();
                                break;
                        }
                }
                run_one(buf, n);
        }
        free(buf);
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
        if (argc > 1) {
                for (int i = 1; i < argc; i++) {
                        uint8_t *d;
                        size_t n;
                        if (read_file(argv[i], &d, &n) < 0) {
                                fprintf(stderr, "cannot read %s\n", argv[i]);
                                return 1;
                        }
                        run_one(d, n);
                        free(d);
                        printf("ok %d - %s\n", i, argv[i]);
                }
                printf("1..%d\n", argc - 1);
                return 0;
        }

        const char *prog = strrchr(argv[0], '/');
        prog = prog ? prog + 1 : argv[0];
        if (strncmp(prog, "lt-", 3) == 0)
                prog += 3;
        if (strncmp(prog, "fuzz_", 5) == 0)
                prog += 5;
        const char *top = getenv("top_srcdir");
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s", top ? top : ".", prog);

        DIR *d = opendir(dir);
        if (!d) {
                printf("Bail out! no seed corpus at %s: %s\n", dir, strerror(errno));
                return 1;
        }
        char **names = NULL;
        size_t count = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                names = realloc(names, (count + 1) * sizeof *names);
                if (!names)
                        abort();
                names[count++] = strdup(de->d_name);
        }
        closedir(d);
        if (count == 0) {
                printf("Bail out! seed corpus %s is empty\n", dir);
                return 1;
        }
        qsort(names, count, sizeof *names, cmp_str);

        const char *rounds_env = getenv("FUZZ_ROUNDS");
        unsigned rounds = rounds_env ? (unsigned)strtoul(rounds_env, NULL, 10) : 500;
        uint8_t *prev = NULL;
        size_t prev_len = 0;
        for (size_t i = 0; i < count; i++) {
                char path[8192];
                uint8_t *data;
                size_t len;
                snprintf(path, sizeof path, "%s/%s", dir, names[i]);
                if (read_file(path, &data, &len) < 0) {
                        printf("not ok %zu - cannot read %s\n", i + 1, path);
                        continue;
                }
                run_one(data, len);
                mutate_and_run(data, len, prev ? prev : data, prev ? prev_len : len, rounds);
                printf("ok %zu - %s: seed and %u mutations\n", i + 1, names[i], rounds);
                fflush(stdout);
                free(prev);
                prev = data;
                prev_len = len;
                free(names[i]);
        }
        free(prev);
        free(names);
        printf("1..%zu\n", count);
        return 0;
}
