/* SPDX-License-Identifier: Apache-2.0 */
/* Run by tests/unit/store_crash_test: writes to a store from many threads
 * until it is killed, printing one line "<key> <revision> <value>" on
 * standard output for each write after the store acknowledged it.
 *
 * usage: store_crash_helper DB ROUND THREADS */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apiserver/storage/store.h"

static store *st;
static int round_no;

static void ack(const char *key, int64_t rev, const char *value) {
        char line[512];
        int n = snprintf(line, sizeof(line), "%s %" PRId64 " %s\n", key, rev, value);
        /* One write() under PIPE_BUF is atomic: lines never interleave. */
        if (n > 0 && (size_t)n < sizeof(line) && write(STDOUT_FILENO, line, (size_t)n) != n)
                _exit(3);
}

static void *writer(void *arg) {
        int id = (int)(intptr_t)arg;
        char key[128], val[300], pad[201];
        memset(pad, 'x', 200);
        pad[200] = 0;
        for (int i = 0;; i++) {
                int64_t rev;
                snprintf(key, sizeof(key), "/crash/r%d/t%d/k%d", round_no, id, i);
                snprintf(val, sizeof(val), "c-%d-%d-%s", id, i, pad);
                if (store_create(st, key, val, strlen(val), &rev, NULL) < 0)
                        _exit(4);
                ack(key, rev, val);
                /* Then a few guarded updates of the same key. */
                for (int u = 0; u < 3; u++) {
                        snprintf(val, sizeof(val), "u%d-%d-%d-%s", u, id, i, pad);
                        if (store_update(st, key, val, strlen(val), rev, &rev, NULL) < 0)
                                _exit(5);
                        ack(key, rev, val);
                }
        }
        return NULL;
}

int main(int argc, char **argv) {
        _cleanup_error_ tm_error *err = NULL;
        if (argc != 4) {
                fprintf(stderr, "usage: %s DB ROUND THREADS\n", argv[0]);
                return 2;
        }
        round_no = atoi(argv[2]);
        int threads = atoi(argv[3]);
        if (threads < 1 || threads > 256)
                return 2;
        if (store_sqlite_open(argv[1], NULL, &st, &err) < 0) {
                fprintf(stderr, "open %s: %s\n", argv[1], tm_error_msg(err));
                return 1;
        }
        /* Announce the revision we start from, then write until killed. */
        ack("/start", store_current_revision(st), "-");
        pthread_t t[256];
        for (int i = 0; i < threads; i++)
                pthread_create(&t[i], NULL, writer, (void *)(intptr_t)i);
        for (int i = 0; i < threads; i++)
                pthread_join(t[i], NULL);
        return 0;
}
