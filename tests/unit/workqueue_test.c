/* SPDX-License-Identifier: Apache-2.0 */
/* The work queue: dedup, re-adds while processing, delays, rate limits,
 * shutdown with concurrent workers. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/tap.h"
#include "util.h"
#include "workqueue.h"

static long long now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Get with a short timeout; NULL if nothing came. */
static char *get_now(workqueue *q, long ms) {
        char *k = NULL;
        return workqueue_get_timeout(q, ms, &k) >= 0 ? k : NULL;
}

static void test_dedup(void) {
        _cleanup_(workqueue_freep) workqueue *q = workqueue_new(NULL);
        workqueue_add(q, "a");
        workqueue_add(q, "b");
        workqueue_add(q, "a");
        is_int(workqueue_len(q), 2, "a key queued twice is there once");
        _cleanup_free_ char *k1 = get_now(q, 0), *k2 = get_now(q, 0);
        is_str(k1, "a", "FIFO: a first");
        is_str(k2, "b", "then b");
        _cleanup_free_ char *k3 = get_now(q, 20);
        ok(k3 == NULL, "then nothing (timeout)");
        char *k = NULL;
        is_int(workqueue_get_timeout(q, 0, &k), -ETIMEDOUT, "get_timeout: -ETIMEDOUT");
        workqueue_done(q, "a");
        workqueue_done(q, "b");
        is_int(workqueue_len(q), 0, "done with nothing re-added: empty");
}

static void test_processing_readd(void) {
        _cleanup_(workqueue_freep) workqueue *q = workqueue_new(NULL);
        workqueue_add(q, "x");
        _cleanup_free_ char *k = get_now(q, 0);
        is_str(k, "x", "got x");
        workqueue_add(q, "x");
        workqueue_add(q, "x");
        is_int(workqueue_len(q), 0, "x re-added while processing is not handed out");
        _cleanup_free_ char *none = get_now(q, 20);
        ok(none == NULL, "no second worker gets x meanwhile");
        workqueue_done(q, "x");
        is_int(workqueue_len(q), 1, "after done, x is queued again (once)");
        _cleanup_free_ char *k2 = get_now(q, 0);
        is_str(k2, "x", "x processed again");
        workqueue_done(q, "x");
        is_int(workqueue_len(q), 0, "and not a third time");
}

static void test_add_after(void) {
        _cleanup_(workqueue_freep) workqueue *q = workqueue_new(NULL);
        long long t0 = now_ms();
        workqueue_add_after(q, "late", 150);
        workqueue_add_after(q, "early", 50);
        workqueue_add_after(q, "now", 0);
        is_int(workqueue_len(q), 1, "a zero delay adds at once");
        _cleanup_free_ char *k0 = get_now(q, 0);
        is_str(k0, "now", "the undelayed key");
        _cleanup_free_ char *k1 = get_now(q, 1000);
        long long t1 = now_ms() - t0;
        is_str(k1, "early", "the 50 ms key next");
        ok(t1 >= 50 && t1 < 1000, "after ~50 ms (%lld)", t1);
        _cleanup_free_ char *k2 = get_now(q, 1000);
        long long t2 = now_ms() - t0;
        is_str(k2, "late", "the 150 ms key last");
        ok(t2 >= 150 && t2 < 1000, "after ~150 ms (%lld)", t2);

        /* A key waiting keeps the earlier time; a waiting key added directly goes at once. */
        t0 = now_ms();
        workqueue_add_after(q, "k", 1000);
        workqueue_add_after(q, "k", 30);
        workqueue_add_after(q, "k", 500);
        _cleanup_free_ char *k3 = get_now(q, 2000);
        long long t3 = now_ms() - t0;
        is_str(k3, "k", "k once");
        ok(t3 >= 30 && t3 < 500, "at the earliest time (%lld ms)", t3);
        workqueue_done(q, "k");
        _cleanup_free_ char *k4 = get_now(q, 50);
        ok(k4 == NULL, "not again: the later adds merged into it");
}

static void test_rate_limits(void) {
        _cleanup_(workqueue_freep) workqueue *q = workqueue_new(NULL);
        /* Per-key backoff: 5, 10, 20, 40 ms... */
        long long t0 = now_ms();
        workqueue_add_rate_limited(q, "r");
        is_int(workqueue_num_requeues(q, "r"), 1, "one requeue counted");
        _cleanup_free_ char *a = get_now(q, 1000);
        long long d1 = now_ms() - t0;
        ok(a && d1 >= 5, "first retry after >= 5 ms (%lld)", d1);
        workqueue_done(q, "r");
        workqueue_add_rate_limited(q, "r");
        workqueue_add_rate_limited(q, "r");
        workqueue_add_rate_limited(q, "r");
        is_int(workqueue_num_requeues(q, "r"), 4, "four requeues");
        t0 = now_ms();
        workqueue_add_rate_limited(q, "r"); /* 5 * 2^4 = 80 ms, but merged with the earlier */
        _cleanup_free_ char *b = get_now(q, 1000);
        long long d2 = now_ms() - t0;
        ok(b && d2 >= 5, "second batch: after the earliest delay (%lld)", d2);
        workqueue_done(q, "r");
        t0 = now_ms();
        workqueue_add_rate_limited(q, "r"); /* sixth: 5 * 2^5 = 160 ms */
        _cleanup_free_ char *c = get_now(q, 2000);
        long long d3 = now_ms() - t0;
        ok(c && d3 >= 160 && d3 < 1000, "sixth retry after 160 ms (%lld)", d3);
        workqueue_done(q, "r");
        workqueue_forget(q, "r");
        is_int(workqueue_num_requeues(q, "r"), 0, "forget resets the count");
        t0 = now_ms();
        workqueue_add_rate_limited(q, "r");
        _cleanup_free_ char *d = get_now(q, 1000);
        long long d4 = now_ms() - t0;
        ok(d && d4 < 300, "after forget: back to 5 ms (%lld)", d4);
        workqueue_done(q, "r");

        /* The cap. */
        _cleanup_(workqueue_freep) workqueue *q2 =
                workqueue_new(&(workqueue_options){ .base_delay_ms = 5, .max_delay_ms = 40 });
        for (int i = 0; i < 30; i++) {
                workqueue_add_rate_limited(q2, "c");
                _cleanup_free_ char *x = get_now(q2, 1000);
                workqueue_done(q2, "c");
        }
        t0 = now_ms();
        workqueue_add_rate_limited(q2, "c");
        _cleanup_free_ char *e = get_now(q2, 1000);
        long long d5 = now_ms() - t0;
        ok(e && d5 >= 40 && d5 < 1000, "backoff capped at max (%lld ms)", d5);

        /* Token bucket: burst 100 at once, then 10 per second (the 101st key
         * waits 100 ms, the 102nd 200 ms...). Bounds from measured times,
         * so a loaded machine does not fail it. */
        _cleanup_(workqueue_freep) workqueue *q3 = workqueue_new(NULL);
        long long start = now_ms();
        for (int i = 0; i < 120; i++) {
                char key[16];
                snprintf(key, sizeof key, "t%d", i);
                workqueue_add_rate_limited(q3, key);
        }
        long long added = now_ms();
        usleep(40000);
        long long lo = now_ms() - added;
        size_t early = workqueue_len(q3);
        long long hi = now_ms() - start;
        ok(early >= 100 + (size_t)(lo / 100) && early <= 100 + (size_t)(hi / 100),
           "burst: %zu keys ready at once (%lld..%lld ms)", early, lo, hi);
        usleep(1000000);
        lo = now_ms() - added;
        size_t later = workqueue_len(q3);
        hi = now_ms() - start;
        ok(later >= 100 + (size_t)(lo / 100) - 1 && later <= 100 + (size_t)(hi / 100) + 1 &&
                   later < 120,
           "then 10 per second: %zu ready after %lld..%lld ms", later, lo, hi);

        _cleanup_(workqueue_freep) workqueue *q4 =
                workqueue_new(&(workqueue_options){ .qps = 50, .burst = 2 });
        t0 = now_ms();
        for (int i = 0; i < 6; i++) {
                char key[16];
                snprintf(key, sizeof key, "u%d", i);
                workqueue_add_rate_limited(q4, key);
        }
        for (int i = 0; i < 6; i++) {
                _cleanup_free_ char *x = get_now(q4, 1000);
                if (!x)
                        break;
        }
        long long d6 = now_ms() - t0;
        ok(d6 >= 75 && d6 < 1000, "qps 50 burst 2: 6 keys in ~80 ms (%lld)", d6);
}

/* --- concurrent workers ----------------------------------------------------- */

#define N_KEYS    200
#define N_WORKERS 8

static atomic_int processed[N_KEYS];
static atomic_int active[N_KEYS];
static atomic_int overlap;
static atomic_int worker_exits;

static void *worker(void *arg) {
        workqueue *q = arg;
        char *key;
        while (workqueue_get(q, &key) >= 0) {
                int i = atoi(key + 1);
                if (atomic_fetch_add(&active[i], 1) != 0)
                        atomic_fetch_add(&overlap, 1);
                usleep(200);
                atomic_fetch_sub(&active[i], 1);
                atomic_fetch_add(&processed[i], 1);
                workqueue_done(q, key);
                free(key);
        }
        atomic_fetch_add(&worker_exits, 1);
        return NULL;
}

static void test_workers(void) {
        _cleanup_(workqueue_freep) workqueue *q = workqueue_new(NULL);
        pthread_t th[N_WORKERS];
        for (int i = 0; i < N_WORKERS; i++)
                pthread_create(&th[i], NULL, worker, q);
        for (int round = 0; round < 20; round++)
                for (int i = 0; i < N_KEYS; i++) {
                        char key[16];
                        snprintf(key, sizeof key, "k%d", i);
                        workqueue_add(q, key);
                }
        for (int i = 0; i < 500 && workqueue_len(q) > 0; i++)
                usleep(10000);
        usleep(50000);
        int missing = 0, total = 0;
        for (int i = 0; i < N_KEYS; i++) {
                if (atomic_load(&processed[i]) == 0)
                        missing++;
                total += atomic_load(&processed[i]);
        }
        is_int(missing, 0, "every key processed");
        ok(total >= N_KEYS && total <= 20 * N_KEYS, "dedup: %d runs for %d adds", total,
           20 * N_KEYS);
        is_int(atomic_load(&overlap), 0, "a key is never processed by two workers at once");
        /* Shutdown: queued keys drain, then every worker returns. */
        workqueue_add(q, "k0");
        workqueue_add_after(q, "k1", 10000);
        workqueue_shutdown(q);
        ok(workqueue_shutting_down(q), "shutting down");
        workqueue_add(q, "k2");
        for (int i = 0; i < N_WORKERS; i++)
                pthread_join(th[i], NULL);
        is_int(atomic_load(&worker_exits), N_WORKERS, "all workers returned from get");
        char *k = NULL;
        is_int(workqueue_get(q, &k), -ESHUTDOWN, "get after shutdown: -ESHUTDOWN");
        is_int(workqueue_len(q), 0, "adds after shutdown are ignored");
}

int main(void) {
        test_dedup();
        test_processing_readd();
        test_add_after();
        test_rate_limits();
        test_workers();
        return tap_done();
}
