/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "util.h"

typedef struct entry {
        struct entry *next;
        uint64_t hash;
        void *value;
        char key[];
} entry;

struct strmap {
        entry **buckets;
        size_t n_buckets; /* a power of two */
        size_t size;
};

/* FNV-1a, 64 bits. */
static uint64_t hash_str(const char *s) {
        uint64_t h = 1469598103934665603ULL;
        for (; *s; s++) {
                h ^= (unsigned char)*s;
                h *= 1099511628211ULL;
        }
        return h;
}

strmap *strmap_new(void) {
        strmap *m = xcalloc(1, sizeof *m);
        m->n_buckets = 16;
        m->buckets = xcalloc(m->n_buckets, sizeof *m->buckets);
        return m;
}

void strmap_free_full(strmap *m, void (*free_value)(void *)) {
        if (!m)
                return;
        for (size_t i = 0; i < m->n_buckets; i++)
                for (entry *e = m->buckets[i], *next; e; e = next) {
                        next = e->next;
                        if (free_value)
                                free_value(e->value);
                        free(e);
                }
        free(m->buckets);
        free(m);
}

size_t strmap_size(const strmap *m) {
        return m ? m->size : 0;
}

static entry *find(const strmap *m, const char *key, uint64_t h) {
        for (entry *e = m->buckets[h & (m->n_buckets - 1)]; e; e = e->next)
                if (e->hash == h && streq(e->key, key))
                        return e;
        return NULL;
}

bool strmap_contains(const strmap *m, const char *key) {
        return m && find(m, key, hash_str(key));
}

void *strmap_get(const strmap *m, const char *key) {
        if (!m)
                return NULL;
        entry *e = find(m, key, hash_str(key));
        return e ? e->value : NULL;
}

static void grow(strmap *m) {
        size_t n = m->n_buckets * 2;
        entry **b = xcalloc(n, sizeof *b);
        for (size_t i = 0; i < m->n_buckets; i++)
                for (entry *e = m->buckets[i], *next; e; e = next) {
                        next = e->next;
                        e->next = b[e->hash & (n - 1)];
                        b[e->hash & (n - 1)] = e;
                }
        free(m->buckets);
        m->buckets = b;
        m->n_buckets = n;
}

void *strmap_put(strmap *m, const char *key, void *value) {
        uint64_t h = hash_str(key);
        entry *e = find(m, key, h);
        if (e) {
                void *old = e->value;
                e->value = value;
                return old;
        }
        if (m->size >= m->n_buckets)
                grow(m);
        size_t len = strlen(key);
        e = xmalloc(sizeof *e + len + 1);
        memcpy(e->key, key, len + 1);
        e->hash = h;
        e->value = value;
        e->next = m->buckets[h & (m->n_buckets - 1)];
        m->buckets[h & (m->n_buckets - 1)] = e;
        m->size++;
        return NULL;
}

void *strmap_remove(strmap *m, const char *key, bool *ret_found) {
        if (ret_found)
                *ret_found = false;
        if (!m)
                return NULL;
        uint64_t h = hash_str(key);
        for (entry **p = &m->buckets[h & (m->n_buckets - 1)]; *p; p = &(*p)->next) {
                entry *e = *p;
                if (e->hash == h && streq(e->key, key)) {
                        void *v = e->value;
                        *p = e->next;
                        free(e);
                        m->size--;
                        if (ret_found)
                                *ret_found = true;
                        return v;
                }
        }
        return NULL;
}

bool strmap_next(const strmap *m, strmap_iter *it, const char **ret_key, void **ret_value) {
        if (!m)
                return false;
        entry *e = it->entry ? ((entry *)it->entry)->next : NULL;
        while (!e && it->bucket < m->n_buckets)
                e = m->buckets[it->bucket++];
        if (!e)
                return false;
        it->entry = e;
        if (ret_key)
                *ret_key = e->key;
        if (ret_value)
                *ret_value = e->value;
        return true;
}
