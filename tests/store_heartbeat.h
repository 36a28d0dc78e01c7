/* SPDX-License-Identifier: Apache-2.0 */
/* Node heartbeats at accelerated pace, shared by tests/unit/store_disk_test
 * (a few simulated hours) and bench/bench_store (a whole day): NODES Lease
 * objects, one thread per node, each renewing its Lease every 10 s of
 * simulated time. The store's clock is the simulated one, so its automatic
 * compaction runs as it would over a day. */
#ifndef TIMONIER_STORE_HEARTBEAT_H
#define TIMONIER_STORE_HEARTBEAT_H

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "apiserver/storage/store.h"

#define HB_NODES      100
#define HB_PERIOD_MS  10000
#define HB_WAL_LIMIT  (4 * 1024 * 1024)
#define HB_HISTORY_MS (150 * 1000)

typedef struct hb_result {
        int64_t updates, failures;
        int64_t live_bytes; /* keys + values of the live Leases */
        int64_t max_db, max_wal, db_at_end, wal_at_end, db_at_first_hour;
        double seconds;
        store_stats stats;
} hb_result;

typedef struct hb_shared {
        store *s;
        pthread_barrier_t bar;
        int64_t ticks;
        int64_t sim_ms; /* written by the main thread between barriers */
        int64_t failures;
} hb_shared;

typedef struct hb_node {
        hb_shared *sh;
        int id;
} hb_node;

static int64_t hb_clock(void *userdata) {
        return __atomic_load_n(&((hb_shared *)userdata)->sim_ms, __ATOMIC_ACQUIRE);
}

static int hb_lease(char *buf, size_t n, int id, int64_t sim_ms, int64_t rv) {
        /* A Lease as the API server stores it, about 500 bytes. */
        return snprintf(buf, n,
                        "{\"kind\":\"Lease\",\"apiVersion\":\"coordination.k8s.io/v1\","
                        "\"metadata\":{\"name\":\"node-%03d\",\"namespace\":\"kube-node-lease\","
                        "\"uid\":\"6f1d2c3b-0000-4000-8000-%012d\",\"resourceVersion\":\"%" PRId64
                        "\",\"creationTimestamp\":\"2026-01-01T00:00:00Z\","
                        "\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":\"Node\","
                        "\"name\":\"node-%03d\",\"uid\":\"0b7c9d2e-0000-4000-8000-%012d\"}]},"
                        "\"spec\":{\"holderIdentity\":\"node-%03d\",\"leaseDurationSeconds\":40,"
                        "\"renewTime\":\"%" PRId64 ".000000Z\"}}",
                        id, id, rv, id, id, id, sim_ms);
}

static void *hb_node_main(void *arg) {
        hb_node *nd = arg;
        hb_shared *sh = nd->sh;
        char key[128], val[1024];
        snprintf(key, sizeof(key), "/registry/leases/kube-node-lease/node-%03d", nd->id);
        int64_t rev = 0;
        int len = hb_lease(val, sizeof(val), nd->id, 0, 0);
        if (store_create(sh->s, key, val, (size_t)len, &rev, NULL) < 0)
                __atomic_add_fetch(&sh->failures, 1, __ATOMIC_RELAXED);
        for (int64_t t = 0; t < sh->ticks; t++) {
                pthread_barrier_wait(&sh->bar); /* the clock has moved */
                len = hb_lease(val, sizeof(val), nd->id, hb_clock(sh), rev);
                if (store_update(sh->s, key, val, (size_t)len, rev, &rev, NULL) < 0)
                        __atomic_add_fetch(&sh->failures, 1, __ATOMIC_RELAXED);
                pthread_barrier_wait(&sh->bar); /* all renewed */
        }
        return NULL;
}

static int64_t hb_file_size(const char *path) {
        struct stat st;
        return stat(path, &st) == 0 ? (int64_t)st.st_size : 0;
}

/* Simulate `ticks` periods of 10 s; returns < 0 if the store cannot open. */
static int hb_run(const char *db, int64_t ticks, hb_result *res, tm_error **err) {
        hb_shared sh = { .ticks = ticks, .sim_ms = 1000 };
        store_sqlite_options o = {
                .history_ms = HB_HISTORY_MS,
                .clock_ms = hb_clock,
                .clock_userdata = &sh,
                .wal_limit_bytes = HB_WAL_LIMIT,
        };
        char wal[4200];
        snprintf(wal, sizeof(wal), "%s-wal", db);
        memset(res, 0, sizeof(*res));
        int r = store_sqlite_open(db, &o, &sh.s, err);
        if (r < 0)
                return r;
        pthread_barrier_init(&sh.bar, NULL, HB_NODES + 1);
        pthread_t t[HB_NODES];
        hb_node nodes[HB_NODES];
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < HB_NODES; i++) {
                nodes[i] = (hb_node){ .sh = &sh, .id = i };
                pthread_create(&t[i], NULL, hb_node_main, &nodes[i]);
        }
        for (int64_t k = 0; k < ticks; k++) {
                __atomic_add_fetch(&sh.sim_ms, HB_PERIOD_MS, __ATOMIC_RELEASE);
                pthread_barrier_wait(&sh.bar);
                pthread_barrier_wait(&sh.bar);
                int64_t d = hb_file_size(db), w = hb_file_size(wal);
                if (d > res->max_db)
                        res->max_db = d;
                if (w > res->max_wal)
                        res->max_wal = w;
                if (k == 360)
                        res->db_at_first_hour = d;
        }
        for (int i = 0; i < HB_NODES; i++)
                pthread_join(t[i], NULL);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        res->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

        store_list_opts lo = { .prefix = "/registry/leases/" };
        store_list_result *l = NULL;
        if (store_list(sh.s, &lo, &l, NULL) == 0) {
                for (size_t i = 0; i < l->n_items; i++)
                        res->live_bytes +=
                                (int64_t)(strlen(l->items[i].key) + l->items[i].value_len);
                store_list_result_free(l);
        }
        store_get_stats(sh.s, &res->stats);
        res->updates = ticks * HB_NODES;
        res->failures = sh.failures;
        res->db_at_end = hb_file_size(db);
        res->wal_at_end = hb_file_size(wal);
        store_close(sh.s);
        pthread_barrier_destroy(&sh.bar);
        return 0;
}

#endif
