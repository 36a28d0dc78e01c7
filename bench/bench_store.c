/* SPDX-License-Identifier: Apache-2.0 */
/* Throughput and latency of the SQLite store: creates and updates at 1, 10
 * and 100 concurrent writers, p50/p99 per request. With --heartbeat-day, a
 * day of Lease renewals from 100 nodes (864,000 updates) and the disk sizes
 * it leaves (the short form of it runs in make check).
 *
 * usage: bench_store [--seconds N] [--dir DIR] [--heartbeat-day] */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apiserver/storage/store.h"
#include "tests/store_heartbeat.h"

#define VALUE_SIZE 1024 /* a small pod's JSON */

static double seconds_per_run = 3.0;

static int64_t now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

typedef struct bworker {
        store *s;
        int id, round;
        bool update;
        int64_t deadline;
        int64_t *lat; /* ns */
        size_t n, cap;
        int failures;
} bworker;

static char value[VALUE_SIZE];

static void *bworker_main(void *arg) {
        bworker *w = arg;
        char key[128];
        int64_t rev = 0;
        if (w->update) {
                snprintf(key, sizeof(key), "/registry/pods/bench/r%d-u%d", w->round, w->id);
                if (store_create(w->s, key, value, sizeof(value), &rev, NULL) < 0)
                        w->failures++;
        }
        for (size_t i = 0; now_ns() < w->deadline; i++) {
                int64_t t0 = now_ns();
                int r;
                if (w->update) {
                        r = store_update(w->s, key, value, sizeof(value), rev, &rev, NULL);
                } else {
                        snprintf(key, sizeof(key), "/registry/pods/bench/r%d-t%d-%zu", w->round,
                                 w->id, i);
                        r = store_create(w->s, key, value, sizeof(value), &rev, NULL);
                }
                int64_t t1 = now_ns();
                if (r < 0) {
                        w->failures++;
                        continue;
                }
                if (w->n == w->cap)
                        w->lat = xreallocarray(w->lat, w->cap = w->cap ? w->cap * 2 : 4096,
                                               sizeof(int64_t));
                w->lat[w->n++] = t1 - t0;
        }
        return NULL;
}

static int cmp_i64(const void *a, const void *b) {
        int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
        return x < y ? -1 : x > y;
}

static void run(store *s, int threads, bool update, int round) {
        bworker *w = xcalloc((size_t)threads, sizeof(*w));
        pthread_t *t = xcalloc((size_t)threads, sizeof(*t));
        store_stats st0, st1;
        store_get_stats(s, &st0);
        int64_t t0 = now_ns(), deadline = t0 + (int64_t)(seconds_per_run * 1e9);
        for (int i = 0; i < threads; i++) {
                w[i] = (bworker){
                        .s = s, .id = i, .round = round, .update = update, .deadline = deadline
                };
                pthread_create(&t[i], NULL, bworker_main, &w[i]);
        }
        size_t total = 0;
        int failures = 0;
        for (int i = 0; i < threads; i++) {
                pthread_join(t[i], NULL);
                total += w[i].n;
                failures += w[i].failures;
        }
        int64_t t1 = now_ns();
        store_get_stats(s, &st1);
        int64_t *all = xcalloc(total + 1, sizeof(int64_t));
        size_t k = 0;
        for (int i = 0; i < threads; i++) {
                memcpy(all + k, w[i].lat, w[i].n * sizeof(int64_t));
                k += w[i].n;
                free(w[i].lat);
        }
        qsort(all, total, sizeof(int64_t), cmp_i64);
        double secs = (double)(t1 - t0) / 1e9;
        double p50 = total ? (double)all[total / 2] / 1e6 : NAN;
        double p99 = total ? (double)all[(size_t)((double)(total - 1) * 0.99)] / 1e6 : NAN;
        uint64_t txs = st1.transactions - st0.transactions;
        printf("%-8s %7d %10.0f %9.2f %9.2f %10.1f %8d\n", update ? "update" : "create", threads,
               (double)total / secs, p50, p99,
               txs ? (double)(st1.requests - st0.requests) / (double)txs : 0.0, failures);
        fflush(stdout);
        free(all);
        free(w);
        free(t);
}

static void remove_db(const char *db) {
        char p[4200];
        unlink(db);
        snprintf(p, sizeof(p), "%s-wal", db);
        unlink(p);
        snprintf(p, sizeof(p), "%s-shm", db);
        unlink(p);
}

static int heartbeat_day(const char *db) {
        _cleanup_error_ tm_error *err = NULL;
        hb_result res;
        printf("heartbeats: %d nodes renewing a Lease every %d s for one simulated day\n", HB_NODES,
               HB_PERIOD_MS / 1000);
        if (hb_run(db, 24 * 3600 * 1000 / HB_PERIOD_MS, &res, &err) < 0) {
                fprintf(stderr, "bench_store: %s\n", tm_error_msg(err));
                return 1;
        }
        printf("  %" PRId64 " updates in %.1f s (%.0f/s), %" PRIu64 " transactions, %" PRId64
               " failures\n",
               res.updates, res.seconds, (double)res.updates / res.seconds, res.stats.transactions,
               res.failures);
        printf("  live data %" PRId64 " B; revision %" PRId64 ", compacted up to %" PRId64 "\n",
               res.live_bytes, res.stats.revision, res.stats.compacted);
        printf("  database: max %" PRId64 " B, after 1 h %" PRId64 " B, at end %" PRId64 " B\n",
               res.max_db, res.db_at_first_hour, res.db_at_end);
        printf("  WAL: max %" PRId64 " B (bound %d B), at end %" PRId64 " B\n", res.max_wal,
               HB_WAL_LIMIT, res.wal_at_end);
        remove_db(db);
        return res.failures ? 1 : 0;
}

int main(int argc, char **argv) {
        const char *dir = "/tmp";
        bool day = false;
        static const struct option opts[] = {
                { "seconds", required_argument, NULL, 's' },
                { "dir", required_argument, NULL, 'd' },
                { "heartbeat-day", no_argument, NULL, 'H' },
                {},
        };
        int c;
        while ((c = getopt_long(argc, argv, "s:d:H", opts, NULL)) >= 0) {
                switch (c) {
                case 's':
                        seconds_per_run = atof(optarg);
                        if (!(seconds_per_run > 0 && seconds_per_run < 3600)) {
                                fprintf(stderr, "bench_store: bad --seconds\n");
                                return 2;
                        }
                        break;
                case 'd':
                        dir = optarg;
                        break;
                case 'H':
                        day = true;
                        break;
                default:
                        fprintf(stderr, "usage: %s [--seconds N] [--dir DIR] [--heartbeat-day]\n",
                                argv[0]);
                        return 2;
                }
        }
        char db[4096];
        snprintf(db, sizeof(db), "%s/bench_store.%d.db", dir, (int)getpid());
        if (day)
                return heartbeat_day(db);

        memset(value, 'v', sizeof(value));
        _cleanup_error_ tm_error *err = NULL;
        store *s = NULL;
        if (store_sqlite_open(db, NULL, &s, &err) < 0) {
                fprintf(stderr, "bench_store: %s\n", tm_error_msg(err));
                return 1;
        }
        printf("SQLite store (WAL, synchronous=FULL, group commit), %d-byte values, %.0f s per "
               "row, in %s\n",
               VALUE_SIZE, seconds_per_run, dir);
        printf("%-8s %7s %10s %9s %9s %10s %8s\n", "op", "threads", "ops/s", "p50 ms", "p99 ms",
               "reqs/txn", "failed");
        const int threads[] = { 1, 10, 100 };
        int round = 0;
        for (size_t i = 0; i < ELEMENTSOF(threads); i++)
                run(s, threads[i], false, round++);
        for (size_t i = 0; i < ELEMENTSOF(threads); i++)
                run(s, threads[i], true, round++);
        store_stats st;
        store_get_stats(s, &st);
        printf("total: %" PRIu64 " requests in %" PRIu64 " transactions, largest batch %" PRIu64
               "\n",
               st.requests, st.transactions, st.max_batch);
        store_close(s);
        remove_db(db);
        return 0;
}
