/* SPDX-License-Identifier: Apache-2.0 */
/* Rate-limited work queue (lib/workqueue.h). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "strmap.h"
#include "util.h"
#include "workqueue.h"

#define PRESENT ((void *)1)

typedef struct waiting {
        char *key;
        int64_t due_ms;
        size_t pos; /* in the heap */
} waiting;

struct workqueue {
        pthread_mutex_t lock;
        pthread_cond_t cond;
        workqueue_options opts;

        /* ready keys, FIFO: queue[head..n) */
        char **queue;
        size_t head, n, cap;
        strmap *dirty;      /* keys that need processing */
        strmap *processing; /* keys handed to a worker */

        /* delayed adds: a min-heap on due_ms, and by key */
        waiting **heap;
        size_t n_heap, cap_heap;
        strmap *waiting_by_key;

        strmap *failures; /* key -> (uintptr_t) count */
        double tokens;
        int64_t tokens_at_us;

        bool shutting_down;
};

static int64_t now_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

workqueue *workqueue_new(const workqueue_options *opts) {
        workqueue *q = xcalloc(1, sizeof *q);
        if (opts)
                q->opts = *opts;
        if (q->opts.base_delay_ms <= 0)
                q->opts.base_delay_ms = 5;
        if (q->opts.max_delay_ms <= 0)
                q->opts.max_delay_ms = 1000 * 1000;
        if (q->opts.qps == 0)
                q->opts.qps = 10;
        if (q->opts.burst == 0)
                q->opts.burst = 100;
        q->tokens = q->opts.burst;
        q->tokens_at_us = now_us();
        q->dirty = strmap_new();
        q->processing = strmap_new();
        q->waiting_by_key = strmap_new();
        q->failures = strmap_new();
        pthread_mutex_init(&q->lock, NULL);
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&q->cond, &ca);
        pthread_condattr_destroy(&ca);
        return q;
}

void workqueue_free(workqueue *q) {
        if (!q)
                return;
        for (size_t i = q->head; i < q->n; i++)
                free(q->queue[i]);
        free(q->queue);
        for (size_t i = 0; i < q->n_heap; i++) {
                free(q->heap[i]->key);
                free(q->heap[i]);
        }
        free(q->heap);
        strmap_free(q->dirty);
        strmap_free(q->processing);
        strmap_free(q->waiting_by_key);
        strmap_free(q->failures);
        pthread_mutex_destroy(&q->lock);
        pthread_cond_destroy(&q->cond);
        free(q);
}

/* --- the ready queue (locked) -------------------------------------------- */

static void push_ready(workqueue *q, const char *key) {
        if (q->n == q->cap) {
                if (q->head > 0) {
                        memmove(q->queue, q->queue + q->head, (q->n - q->head) * sizeof *q->queue);
                        q->n -= q->head;
                        q->head = 0;
                }
                if (q->n == q->cap) {
                        q->cap = q->cap ? q->cap * 2 : 64;
                        q->queue = xreallocarray(q->queue, q->cap, sizeof *q->queue);
                }
        }
        q->queue[q->n++] = xstrdup(key);
}

static void add_locked(workqueue *q, const char *key) {
        if (q->shutting_down || strmap_contains(q->dirty, key))
                return;
        strmap_put(q->dirty, key, PRESENT);
        if (strmap_contains(q->processing, key))
                return; /* queued again by done() */
        push_ready(q, key);
        pthread_cond_signal(&q->cond);
}

void workqueue_add(workqueue *q, const char *key) {
        pthread_mutex_lock(&q->lock);
        add_locked(q, key);
        pthread_mutex_unlock(&q->lock);
}

/* --- delayed adds (locked) ----------------------------------------------- */

static void heap_swap(workqueue *q, size_t a, size_t b) {
        waiting *t = q->heap[a];
        q->heap[a] = q->heap[b];
        q->heap[b] = t;
        q->heap[a]->pos = a;
        q->heap[b]->pos = b;
}

static void heap_up(workqueue *q, size_t i) {
        while (i > 0 && q->heap[(i - 1) / 2]->due_ms > q->heap[i]->due_ms) {
                heap_swap(q, i, (i - 1) / 2);
                i = (i - 1) / 2;
        }
}

static void heap_down(workqueue *q, size_t i) {
        for (;;) {
                size_t l = 2 * i + 1, r = l + 1, m = i;
                if (l < q->n_heap && q->heap[l]->due_ms < q->heap[m]->due_ms)
                        m = l;
                if (r < q->n_heap && q->heap[r]->due_ms < q->heap[m]->due_ms)
                        m = r;
                if (m == i)
                        return;
                heap_swap(q, i, m);
                i = m;
        }
}

static waiting *heap_pop(workqueue *q) {
        waiting *top = q->heap[0];
        q->n_heap--;
        if (q->n_heap > 0) {
                q->heap[0] = q->heap[q->n_heap];
                q->heap[0]->pos = 0;
                heap_down(q, 0);
        }
        strmap_remove(q->waiting_by_key, top->key, NULL);
        return top;
}

static void add_after_locked(workqueue *q, const char *key, int64_t delay_ms) {
        if (q->shutting_down)
                return;
        if (delay_ms <= 0) {
                add_locked(q, key);
                return;
        }
        int64_t due = now_us() / 1000 + delay_ms;
        waiting *w = strmap_get(q->waiting_by_key, key);
        if (w) {
                if (due < w->due_ms) {
                        w->due_ms = due;
                        heap_up(q, w->pos);
                        pthread_cond_broadcast(&q->cond);
                }
                return;
        }
        w = xcalloc(1, sizeof *w);
        w->key = xstrdup(key);
        w->due_ms = due;
        if (q->n_heap == q->cap_heap) {
                q->cap_heap = q->cap_heap ? q->cap_heap * 2 : 16;
                q->heap = xreallocarray(q->heap, q->cap_heap, sizeof *q->heap);
        }
        w->pos = q->n_heap;
        q->heap[q->n_heap++] = w;
        heap_up(q, w->pos);
        strmap_put(q->waiting_by_key, key, w);
        /* Sleeping getters may need to wake earlier now. */
        pthread_cond_broadcast(&q->cond);
}

void workqueue_add_after(workqueue *q, const char *key, long delay_ms) {
        pthread_mutex_lock(&q->lock);
        add_after_locked(q, key, delay_ms);
        pthread_mutex_unlock(&q->lock);
}

/* Move due delayed keys to the ready queue. */
static void promote_due(workqueue *q) {
        int64_t now = now_us() / 1000;
        while (q->n_heap > 0 && q->heap[0]->due_ms <= now) {
                waiting *w = heap_pop(q);
                add_locked(q, w->key);
                free(w->key);
                free(w);
        }
}

/* --- rate limits (locked) ------------------------------------------------ */

static int64_t item_delay_ms(workqueue *q, const char *key) {
        uintptr_t fails = (uintptr_t)strmap_get(q->failures, key);
        strmap_put(q->failures, key, (void *)(fails + 1));
        double d = (double)q->opts.base_delay_ms * pow(2.0, (double)fails);
        if (d > (double)q->opts.max_delay_ms)
                return q->opts.max_delay_ms;
        return (int64_t)d;
}

/* Reserve one token; how long until it is ours. */
static int64_t bucket_delay_ms(workqueue *q) {
        if (q->opts.qps < 0)
                return 0;
        int64_t now = now_us();
        q->tokens += (double)(now - q->tokens_at_us) / 1e6 * q->opts.qps;
        if (q->tokens > q->opts.burst)
                q->tokens = q->opts.burst;
        q->tokens_at_us = now;
        q->tokens -= 1;
        if (q->tokens >= 0)
                return 0;
        return (int64_t)ceil(-q->tokens / q->opts.qps * 1000.0);
}

void workqueue_add_rate_limited(workqueue *q, const char *key) {
        pthread_mutex_lock(&q->lock);
        if (!q->shutting_down) {
                int64_t a = item_delay_ms(q, key), b = bucket_delay_ms(q);
                add_after_locked(q, key, a > b ? a : b);
        }
        pthread_mutex_unlock(&q->lock);
}

void workqueue_forget(workqueue *q, const char *key) {
        pthread_mutex_lock(&q->lock);
        strmap_remove(q->failures, key, NULL);
        pthread_mutex_unlock(&q->lock);
}

unsigned workqueue_num_requeues(workqueue *q, const char *key) {
        pthread_mutex_lock(&q->lock);
        unsigned n = (unsigned)(uintptr_t)strmap_get(q->failures, key);
        pthread_mutex_unlock(&q->lock);
        return n;
}

/* --- workers ------------------------------------------------------------- */

static void ts_from_ms(struct timespec *ts, int64_t ms) {
        ts->tv_sec = ms / 1000;
        ts->tv_nsec = (ms % 1000) * 1000000;
}

int workqueue_get_timeout(workqueue *q, long timeout_ms, char **ret_key) {
        int64_t deadline = timeout_ms >= 0 ? now_us() / 1000 + timeout_ms : INT64_MAX;
        int r = 0;
        pthread_mutex_lock(&q->lock);
        for (;;) {
                if (!q->shutting_down)
                        promote_due(q);
                if (q->head < q->n) {
                        char *key = q->queue[q->head++];
                        if (q->head == q->n)
                                q->head = q->n = 0;
                        strmap_put(q->processing, key, PRESENT);
                        strmap_remove(q->dirty, key, NULL);
                        *ret_key = key;
                        break;
                }
                if (q->shutting_down) {
                        r = -ESHUTDOWN;
                        break;
                }
                int64_t now = now_us() / 1000;
                if (now >= deadline) {
                        r = -ETIMEDOUT;
                        break;
                }
                int64_t wake = deadline;
                if (q->n_heap > 0 && q->heap[0]->due_ms < wake)
                        wake = q->heap[0]->due_ms;
                if (wake == INT64_MAX)
                        pthread_cond_wait(&q->cond, &q->lock);
                else {
                        struct timespec ts;
                        ts_from_ms(&ts, wake);
                        pthread_cond_timedwait(&q->cond, &q->lock, &ts);
                }
        }
        pthread_mutex_unlock(&q->lock);
        return r;
}

int workqueue_get(workqueue *q, char **ret_key) {
        return workqueue_get_timeout(q, -1, ret_key);
}

void workqueue_done(workqueue *q, const char *key) {
        pthread_mutex_lock(&q->lock);
        strmap_remove(q->processing, key, NULL);
        if (strmap_contains(q->dirty, key)) {
                push_ready(q, key);
                pthread_cond_signal(&q->cond);
        }
        pthread_mutex_unlock(&q->lock);
}

void workqueue_shutdown(workqueue *q) {
        pthread_mutex_lock(&q->lock);
        q->shutting_down = true;
        pthread_cond_broadcast(&q->cond);
        pthread_mutex_unlock(&q->lock);
}

bool workqueue_shutting_down(workqueue *q) {
        pthread_mutex_lock(&q->lock);
        bool s = q->shutting_down;
        pthread_mutex_unlock(&q->lock);
        return s;
}

size_t workqueue_len(workqueue *q) {
        pthread_mutex_lock(&q->lock);
        if (!q->shutting_down)
                promote_due(q);
        size_t n = q->n - q->head;
        pthread_mutex_unlock(&q->lock);
        return n;
}
