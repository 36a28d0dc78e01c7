/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "util.h"

typedef struct slot {
        char *key; /* NULL: empty; TOMBSTONE: deleted */
        void *value;
        uint32_t hash;
} slot;

static char tombstone;
#define TOMBSTONE (&tombstone)

struct strmap {
        slot *slots;
        size_t cap;        /* a power of two */
        size_t size, used; /* live keys; live keys + tombstones */
        void (*free_value)(void *);
};

static uint32_t hash_of(const char *s) {
        uint32_t h = 2166136261u;
        for (; *s; s++)
                h = (h ^ (unsigned char)*s) * 16777619u;
        return h;
}

strmap *strmap_new(void (*free_value)(void *)) {
        strmap *m = xcalloc(1, sizeof *m);
        m->cap = 16;
        m->slots = xcalloc(m->cap, sizeof *m->slots);
        m->free_value = free_value;
        return m;
}

void strmap_free(strmap *m) {
        if (!m)
                return;
        for (size_t i = 0; i < m->cap; i++)
                if (m->slots[i].key && m->slots[i].key != TOMBSTONE) {
                        free(m->slots[i].key);
                        if (m->free_value)
                                m->free_value(m->slots[i].value);
                }
        free(m->slots);
        free(m);
}

size_t strmap_size(const strmap *m) {
        return m->size;
}

static slot *find(const strmap *m, const char *key, uint32_t h) {
        for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
                slot *s = &m->slots[i];
                if (!s->key)
                        return NULL;
                if (s->key != TOMBSTONE && s->hash == h && strcmp(s->key, key) == 0)
                        return s;
        }
}

void *strmap_get(const strmap *m, const char *key) {
        slot *s = find(m, key, hash_of(key));
        return s ? s->value : NULL;
}

static void grow(strmap *m) {
        slot *old = m->slots;
        size_t ocap = m->cap;
        if (m->size * 2 >= m->cap)
                m->cap *= 2; /* else same size: just drop the tombstones */
        m->slots = xcalloc(m->cap, sizeof *m->slots);
        m->used = m->size;
        for (size_t i = 0; i < ocap; i++) {
                if (!old[i].key || old[i].key == TOMBSTONE)
                        continue;
                size_t j = old[i].hash & (m->cap - 1);
                while (m->slots[j].key)
                        j = (j + 1) & (m->cap - 1);
                m->slots[j] = old[i];
        }
        free(old);
}

bool strmap_put(strmap *m, const char *key, void *value) {
        uint32_t h = hash_of(key);
        slot *s = find(m, key, h);
        if (s) {
                if (m->free_value && s->value != value)
                        m->free_value(s->value);
                s->value = value;
                return false;
        }
        if ((m->used + 1) * 4 >= m->cap * 3)
                grow(m);
        size_t i = h & (m->cap - 1);
        while (m->slots[i].key && m->slots[i].key != TOMBSTONE)
                i = (i + 1) & (m->cap - 1);
        if (!m->slots[i].key)
                m->used++;
        m->slots[i] = (slot){ .key = xstrdup(key), .value = value, .hash = h };
        m->size++;
        return true;
}

bool strmap_remove(strmap *m, const char *key) {
        slot *s = find(m, key, hash_of(key));
        if (!s)
                return false;
        free(s->key);
        if (m->free_value)
                m->free_value(s->value);
        s->key = TOMBSTONE;
        s->value = NULL;
        m->size--;
        return true;
}

bool strmap_next(const strmap *m, size_t *iter, const char **ret_key, void **ret_value) {
        for (size_t i = *iter; i < m->cap; i++)
                if (m->slots[i].key && m->slots[i].key != TOMBSTONE) {
                        *iter = i + 1;
                        *ret_key = m->slots[i].key;
                        *ret_value = m->slots[i].value;
                        return true;
                }
        *iter = m->cap;
        return false;
}
