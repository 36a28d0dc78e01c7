/* SPDX-License-Identifier: Apache-2.0 */
/* A rate-limited work queue of string keys, for controller workers
 * (doc/informer.md), with client-go's semantics:
 *
 * - a key added while it waits in the queue is not added twice;
 * - a key added while a worker processes it is not handed to another worker
 *   but queued again when that worker calls workqueue_done();
 * - workqueue_add_after() delays an add; workqueue_add_rate_limited()
 *   delays it by the larger of a per-key exponential backoff (5 ms doubling
 *   to 1000 s; workqueue_forget() resets it) and an overall token bucket
 *   (10 qps, burst 100);
 * - after workqueue_shutdown(), adds are ignored and workqueue_get() hands
 *   out what is queued, then fails with -ESHUTDOWN.
 *
 * Every function is thread-safe. A worker:
 *
 *     char *key;
 *     while (workqueue_get(q, &key) >= 0) {
 *             if (reconcile(key) < 0)
 *                     workqueue_add_rate_limited(q, key);
 *             else
 *                     workqueue_forget(q, key);
 *             workqueue_done(q, key);
 *             free(key);
 *     }
 */
#ifndef TIMONIER_WORKQUEUE_H
#define TIMONIER_WORKQUEUE_H

#include <stdbool.h>
#include <stddef.h>

#include "cleanup.h"

typedef struct workqueue workqueue;

/* Zero fields take the defaults. */
typedef struct workqueue_options {
        long base_delay_ms; /* first per-key backoff; default 5 */
        long max_delay_ms;  /* per-key backoff cap; default 1000 s */
        double qps;         /* overall rate; default 10; < 0: no overall limit */
        unsigned burst;     /* token bucket size; default 100 */
} workqueue_options;

workqueue *workqueue_new(const workqueue_options *opts); /* opts may be NULL */
/* Shuts down and frees; no thread may still use the queue. */
void workqueue_free(workqueue *q);
DEFINE_CLEANUP_FUNC(workqueue, workqueue_free)

void workqueue_add(workqueue *q, const char *key);
/* delay_ms <= 0 adds at once. A key already waiting keeps the earlier time. */
void workqueue_add_after(workqueue *q, const char *key, long delay_ms);
void workqueue_add_rate_limited(workqueue *q, const char *key);
/* Forget a key's failures (its backoff restarts at the base delay). */
void workqueue_forget(workqueue *q, const char *key);
/* Rate-limited adds of the key since its last forget. */
unsigned workqueue_num_requeues(workqueue *q, const char *key);

/* Block until a key is ready: 0 and *ret_key (malloc'd, free it); or
 * -ESHUTDOWN once shut down and empty. timeout_ms < 0 waits forever;
 * otherwise -ETIMEDOUT after it. */
int workqueue_get(workqueue *q, char **ret_key);
int workqueue_get_timeout(workqueue *q, long timeout_ms, char **ret_key);
/* The worker is finished with a key it got. */
void workqueue_done(workqueue *q, const char *key);

void workqueue_shutdown(workqueue *q);
bool workqueue_shutting_down(workqueue *q);
/* Keys ready in the queue (not counting delayed or processing ones). */
size_t workqueue_len(workqueue *q);

#endif
