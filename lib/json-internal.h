/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the JSON tree: the node layout, the arena of parsed trees and the
 * helpers json.c (the tree), json-parse.c and json-gen.c share. Not for
 * use outside these three files. */
#ifndef TIMONIER_JSON_INTERNAL_H
#define TIMONIER_JSON_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "json.h"

typedef struct json_member {
        char *key;
        uint32_t klen;
        bool key_in_arena;
        json *value;
} json_member;

struct json {
        uint8_t type;
        uint8_t flags;
        union { /* only the first SMALL_NODE_SIZE bytes exist for scalars */
                bool b;
                int64_t i;
                double d;
                struct {
                        char *s;
                        size_t len;
                } str;
                struct {
                        json **v;
                        size_t len, cap;
                } arr;
                struct {
                        json_member *m;
                        uint32_t len, cap;
                        /* Open-addressing hash of member index + 1, for
                         * objects of OBJ_INDEX_MIN members or more, so that
                         * building and looking up large objects is not
                         * quadratic. Kept up to date by every mutation (never
                         * built lazily by a lookup: readers may share a
                         * const tree across threads). */
                        uint32_t *idx;
                        uint32_t idx_size; /* power of two, or 0 */
                } obj;
        };
};

#define OBJ_INDEX_MIN 16

/* Parsed trees live in one arena: a tree of a thousand nodes costs a few
 * allocations to build and one pass over its chunks to free, instead of
 * thousands of malloc() and free() calls, which were most of the parse time
 * (bench/bench_json). The root owns the arena. A node inside it is never
 * freed on its own: a value taken out of a parsed tree is handed back as a
 * heap copy, and a value replaced or removed in place just stops being used.
 * Nodes, keys and arrays added later by the mutation API are ordinary heap
 * allocations; the first one marks the arena "dirty", and only then does
 * freeing the tree walk it to find them. Chunks are aligned on their size so
 * that a node finds its arena from its address. */
#define ARENA_CHUNK ((size_t)32 * 1024) /* aligned requests below the mmap threshold */

typedef struct arena arena;

typedef struct arena_chunk {
        arena *owner;
        struct arena_chunk *next;
        size_t used, size;
        max_align_t data[];
} arena_chunk;

struct arena {
        arena_chunk *head;
        bool dirty;
};

void *json_arena_alloc_slow(arena *a, size_t n);
void json_arena_free(arena *a);

static inline void *arena_alloc(arena *a, size_t n) {
        n = (n + 7) & ~(size_t)7;
        arena_chunk *c = a->head;
        if (_likely_(c && c->size - c->used >= n)) {
                void *p = (char *)c->data + c->used;
                c->used += n;
                return p;
        }
        return json_arena_alloc_slow(a, n);
}

enum {
        NODE_STR_INLINE = 1 << 0,  /* str.s points into the node's own allocation */
        NODE_ARENA = 1 << 1,       /* the node is in an arena: never free()d */
        NODE_ARENA_ROOT = 1 << 2,  /* ... and owns it */
        NODE_ITEMS_ARENA = 1 << 3, /* arr.v or obj.m is in the arena */
        NODE_IDX_ARENA = 1 << 4,   /* obj.idx is in the arena */
};

/* Bytes of an arena node that is not an array or object: they never become
 * one (json_set_*() make scalars and strings only). */
#define SMALL_NODE_SIZE (offsetof(json, str) + 2 * sizeof(void *))

static inline arena *node_arena(const json *v) {
        return ((arena_chunk *)((uintptr_t)v & ~(uintptr_t)(ARENA_CHUNK - 1)))->owner;
}

/* A node of a parsed tree gets a heap part: freeing the tree must look. */
static inline void node_taint(json *v) {
        if (v && (v->flags & NODE_ARENA))
                node_arena(v)->dirty = true;
}

static inline uint32_t key_hash(const char *k, size_t n) {
        uint32_t h = 2166136261u; /* FNV-1a */
        for (size_t i = 0; i < n; i++)
                h = (h ^ (uint8_t)k[i]) * 16777619u;
        return h;
}

/* The hash index over members ms: idx has size slots (a power of two). */
static inline void index_insert(uint32_t *idx, uint32_t size, const json_member *ms, uint32_t i) {
        uint32_t mask = size - 1;
        uint32_t h = key_hash(ms[i].key, ms[i].klen) & mask;
        while (idx[h])
                h = (h + 1) & mask;
        idx[h] = i + 1;
}

static inline json_member *index_find(const uint32_t *idx, uint32_t size, json_member *ms,
                                      const char *key, size_t klen) {
        uint32_t mask = size - 1;
        for (uint32_t h = key_hash(key, klen) & mask; idx[h]; h = (h + 1) & mask) {
                json_member *m = &ms[idx[h] - 1];
                if (m->klen == klen && memcmp(m->key, key, klen) == 0)
                        return m;
        }
        return NULL;
}

static inline json_member *members_find(json_member *ms, uint32_t n, const char *key, size_t klen) {
        for (uint32_t i = 0; i < n; i++)
                if (ms[i].klen == klen && memcmp(ms[i].key, key, klen) == 0)
                        return &ms[i];
        return NULL;
}

static inline uint32_t index_size_for(uint32_t n) {
        uint32_t size = 32;
        while (size < n * 2u)
                size *= 2;
        return size;
}

/* Bytes of a valid UTF-8 sequence at s (n bytes available), or 0: no
 * overlong forms, surrogates, or code points past U+10FFFF. */
static inline size_t utf8_valid_len(const unsigned char *s, size_t n) {
        unsigned char c = s[0];
        size_t need;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf)
                need = 2, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
                need = 3, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
                need = 4, cp = c & 0x07;
        else
                return 0;
        if (n < need)
                return 0;
        for (size_t i = 1; i < need; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return need;
}

/* yajl checks only the shape of UTF-8 sequences (it lets overlong forms and
 * surrogates through, and makes some from lone \\u escapes): check what it
 * hands over, so that every string in a tree is valid UTF-8. */
/* 10^0 .. 10^15, exact doubles. */
extern const double json_pow10[16];

#endif
