/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "scheduler/queue.h"
#include "util.h"

typedef enum entry_where {
        WHERE_ACTIVE,
        WHERE_BACKOFF,
        WHERE_UNSCHEDULABLE,
        WHERE_IN_FLIGHT,
} entry_where;

typedef struct entry {
        char *key;
        int32_t priority;
        int64_t creation_ns;
        uint64_t seq; /* order of arrival, the last tie-break */
        unsigned attempts;
        int64_t backoff_until;
        int64_t parked_at;
        entry_where where;
        size_t heap_index;  /* in active or backoff */
        struct entry *next; /* hash chain */
} entry;

typedef struct heap {
        entry **v;
        size_t n, cap;
        bool (*less)(const entry *a, const entry *b);
} heap;

struct sched_queue {
        entry **buckets;
        size_t n_buckets, n_entries;
        heap active, backoff;
        size_t n_unschedulable;
        uint64_t seq;
};

static bool active_less(const entry *a, const entry *b) {
        if (a->priority != b->priority)
                return a->priority > b->priority;
        if (a->creation_ns != b->creation_ns)
                return a->creation_ns < b->creation_ns;
        return a->seq < b->seq;
}

static bool backoff_less(const entry *a, const entry *b) {
        if (a->backoff_until != b->backoff_until)
                return a->backoff_until < b->backoff_until;
        return a->seq < b->seq;
}

static void heap_swap(heap *h, size_t i, size_t j) {
        entry *t = h->v[i];
        h->v[i] = h->v[j];
        h->v[j] = t;
        h->v[i]->heap_index = i;
        h->v[j]->heap_index = j;
}

static void heap_up(heap *h, size_t i) {
        while (i > 0 && h->less(h->v[i], h->v[(i - 1) / 2])) {
                heap_swap(h, i, (i - 1) / 2);
                i = (i - 1) / 2;
        }
}

static void heap_down(heap *h, size_t i) {
        for (;;) {
                size_t l = 2 * i + 1, r = l + 1, m = i;
                if (l < h->n && h->less(h->v[l], h->v[m]))
                        m = l;
                if (r < h->n && h->less(h->v[r], h->v[m]))
                        m = r;
                if (m == i)
                        return;
                heap_swap(h, i, m);
                i = m;
        }
}

static void heap_push(heap *h, entry *e) {
        if (h->n == h->cap) {
                h->cap = h->cap ? 2 * h->cap : 64;
                h->v = xreallocarray(h->v, h->cap, sizeof(*h->v));
        }
        e->heap_index = h->n;
        h->v[h->n++] = e;
        heap_up(h, e->heap_index);
}

static void heap_remove(heap *h, entry *e) {
        size_t i = e->heap_index;
        h->n--;
        if (i != h->n) {
                h->v[i] = h->v[h->n];
                h->v[i]->heap_index = i;
                heap_down(h, i);
                heap_up(h, i);
        }
}

static uint64_t hash_key(const char *s) {
        uint64_t h = 1469598103934665603ULL;
        for (; *s; s++)
                h = (h ^ (unsigned char)*s) * 1099511628211ULL;
        return h;
}

sched_queue *sched_queue_new(void) {
        sched_queue *q = xcalloc(1, sizeof(*q));
        q->n_buckets = 256;
        q->buckets = xcalloc(q->n_buckets, sizeof(*q->buckets));
        q->active.less = active_less;
        q->backoff.less = backoff_less;
        return q;
}

void sched_queue_free(sched_queue *q) {
        if (!q)
                return;
        for (size_t i = 0; i < q->n_buckets; i++)
                for (entry *e = q->buckets[i], *next; e; e = next) {
                        next = e->next;
                        free(e->key);
                        free(e);
                }
        free(q->buckets);
        free(q->active.v);
        free(q->backoff.v);
        free(q);
}

static entry **find(const sched_queue *q, const char *key) {
        entry **p = &q->buckets[hash_key(key) & (q->n_buckets - 1)];
        while (*p && !streq((*p)->key, key))
                p = &(*p)->next;
        return p;
}

static void grow(sched_queue *q) {
        size_t nb = 2 * q->n_buckets;
        entry **b = xcalloc(nb, sizeof(*b));
        for (size_t i = 0; i < q->n_buckets; i++)
                for (entry *e = q->buckets[i], *next; e; e = next) {
                        next = e->next;
                        size_t k = hash_key(e->key) & (nb - 1);
                        e->next = b[k];
                        b[k] = e;
                }
        free(q->buckets);
        q->buckets = b;
        q->n_buckets = nb;
}

static void unlink_where(sched_queue *q, entry *e) {
        switch (e->where) {
        case WHERE_ACTIVE:
                heap_remove(&q->active, e);
                break;
        case WHERE_BACKOFF:
                heap_remove(&q->backoff, e);
                break;
        case WHERE_UNSCHEDULABLE:
                q->n_unschedulable--;
                break;
        case WHERE_IN_FLIGHT:
                break;
        }
}

/* Out of unschedulable: to back-off if it is still backing off. */
static void requeue(sched_queue *q, entry *e, int64_t now) {
        unlink_where(q, e);
        if (e->backoff_until > now) {
                e->where = WHERE_BACKOFF;
                heap_push(&q->backoff, e);
        } else {
                e->where = WHERE_ACTIVE;
                heap_push(&q->active, e);
        }
}

void sched_queue_add(sched_queue *q, const char *key, int32_t priority, int64_t creation_ns,
                     int64_t now) {
        entry **p = find(q, key);
        entry *e = *p;
        if (e) {
                if (e->where == WHERE_IN_FLIGHT)
                        return;
                bool was_active = e->where == WHERE_ACTIVE;
                unlink_where(q, e);
                e->priority = priority;
                e->creation_ns = creation_ns;
                if (was_active) {
                        e->where = WHERE_ACTIVE;
                        heap_push(&q->active, e);
                } else {
                        e->where = WHERE_IN_FLIGHT; /* unlinked: requeue relinks */
                        requeue(q, e, now);
                }
                return;
        }
        e = xcalloc(1, sizeof(*e));
        e->key = xstrdup(key);
        e->priority = priority;
        e->creation_ns = creation_ns;
        e->seq = q->seq++;
        e->where = WHERE_ACTIVE;
        *p = e;
        q->n_entries++;
        heap_push(&q->active, e);
        if (q->n_entries > 2 * q->n_buckets)
                grow(q);
}

void sched_queue_delete(sched_queue *q, const char *key) {
        entry **p = find(q, key);
        entry *e = *p;
        if (!e)
                return;
        unlink_where(q, e);
        *p = e->next;
        q->n_entries--;
        free(e->key);
        free(e);
}

static void expire_backoffs(sched_queue *q, int64_t now) {
        while (q->backoff.n > 0 && q->backoff.v[0]->backoff_until <= now) {
                entry *e = q->backoff.v[0];
                heap_remove(&q->backoff, e);
                e->where = WHERE_ACTIVE;
                heap_push(&q->active, e);
        }
}

const char *sched_queue_pop(sched_queue *q, int64_t now) {
        expire_backoffs(q, now);
        if (q->active.n == 0)
                return NULL;
        entry *e = q->active.v[0];
        heap_remove(&q->active, e);
        e->where = WHERE_IN_FLIGHT;
        return e->key;
}

void sched_queue_done(sched_queue *q, const char *key) {
        sched_queue_delete(q, key);
}

int64_t sched_queue_backoff_ns(unsigned attempts) {
        int64_t d = SCHED_QUEUE_INITIAL_BACKOFF_NS;
        for (unsigned i = 1; i < attempts && d < SCHED_QUEUE_MAX_BACKOFF_NS; i++)
                d *= 2;
        return d > SCHED_QUEUE_MAX_BACKOFF_NS ? SCHED_QUEUE_MAX_BACKOFF_NS : d;
}

void sched_queue_failed(sched_queue *q, const char *key, bool unschedulable, int64_t now) {
        entry *e = *find(q, key);
        if (!e)
                return;
        unlink_where(q, e);
        e->attempts++;
        e->backoff_until = now + sched_queue_backoff_ns(e->attempts);
        if (unschedulable) {
                e->where = WHERE_UNSCHEDULABLE;
                e->parked_at = now;
                q->n_unschedulable++;
        } else {
                e->where = WHERE_BACKOFF;
                heap_push(&q->backoff, e);
        }
}

static void move_unschedulable(sched_queue *q, int64_t now, int64_t older_than) {
        if (q->n_unschedulable == 0)
                return;
        for (size_t i = 0; i < q->n_buckets; i++)
                for (entry *e = q->buckets[i]; e; e = e->next)
                        if (e->where == WHERE_UNSCHEDULABLE && e->parked_at <= older_than)
                                requeue(q, e, now);
}

void sched_queue_move_all(sched_queue *q, int64_t now) {
        move_unschedulable(q, now, INT64_MAX);
}

void sched_queue_flush_unschedulable(sched_queue *q, int64_t now) {
        move_unschedulable(q, now, now - SCHED_QUEUE_MAX_UNSCHEDULABLE_NS);
}

int64_t sched_queue_next_backoff(const sched_queue *q) {
        return q->backoff.n ? q->backoff.v[0]->backoff_until : -1;
}

size_t sched_queue_active_len(const sched_queue *q) {
        return q->active.n;
}

size_t sched_queue_backoff_len(const sched_queue *q) {
        return q->backoff.n;
}

size_t sched_queue_unschedulable_len(const sched_queue *q) {
        return q->n_unschedulable;
}

bool sched_queue_contains(const sched_queue *q, const char *key) {
        return *find(q, key) != NULL;
}
