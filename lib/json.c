/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON object tree: yajl's callback parser builds it, a small generator
 * writes it out (see json_serialize() for why not yajl_gen). */
#include "config.h"

#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "json.h"
#include "strbuf.h"

const json_limits json_default_limits = {
        .max_size = 3 * 1024 * 1024,
        .max_depth = 100,
        .max_string = 1024 * 1024,
};

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

#define OBJ_INDEX_MIN  16
/* Duplicate paths reported by json_parse_ex(), at most (one is enough to
 * refuse a strict request; the bound keeps a hostile document cheap). */
#define MAX_DUPLICATES 64

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

static arena_chunk *chunk_new(arena *a, size_t size) {
        void *p;
        size_t total = (sizeof(arena_chunk) + size + ARENA_CHUNK - 1) & ~(ARENA_CHUNK - 1);
        if (total < size || posix_memalign(&p, ARENA_CHUNK, total) != 0)
                oom();
        arena_chunk *c = p;
        c->owner = a;
        c->size = total - sizeof(arena_chunk);
        c->used = 0;
        return c;
}

static void *arena_alloc_slow(arena *a, size_t n);

static inline void *arena_alloc(arena *a, size_t n) {
        n = (n + 7) & ~(size_t)7;
        arena_chunk *c = a->head;
        if (_likely_(c && c->size - c->used >= n)) {
                void *p = (char *)c->data + c->used;
                c->used += n;
                return p;
        }
        return arena_alloc_slow(a, n);
}

static __attribute__((noinline)) void *arena_alloc_slow(arena *a, size_t n) {
        arena_chunk *c = a->head;
        if (n > ARENA_CHUNK / 4) {
                /* A big piece gets a chunk of its own, behind the current
                 * one, which keeps its free space. */
                arena_chunk *big = chunk_new(a, n);
                big->used = n;
                if (c) {
                        big->next = c->next;
                        c->next = big;
                } else {
                        big->next = NULL;
                        a->head = big;
                }
                return big->data;
        }
        c = chunk_new(a, ARENA_CHUNK - sizeof(arena_chunk));
        c->used = n;
        c->next = a->head;
        a->head = c;
        return c->data;
}

static void arena_free(arena *a) {
        if (!a)
                return;
        for (arena_chunk *c = a->head, *next; c; c = next) {
                next = c->next;
                free(c);
        }
        free(a);
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

static json *node_new(json_type t) {
        json *v = xmalloc(sizeof *v);
        memset(v, 0, sizeof *v);
        v->type = (uint8_t)t;
        return v;
}

json *json_new_null(void) {
        return node_new(JSON_NULL);
}

json *json_new_bool(bool b) {
        json *v = node_new(JSON_BOOL);
        v->b = b;
        return v;
}

json *json_new_int(int64_t i) {
        json *v = node_new(JSON_INT);
        v->i = i;
        return v;
}

json *json_new_double(double d) {
        json *v = node_new(JSON_DOUBLE);
        v->d = d;
        return v;
}

json *json_new_stringn(const char *s, size_t n) {
        /* One allocation for the node and its bytes. */
        if (n > SIZE_MAX - sizeof(json) - 1)
                oom();
        json *v = xmalloc(sizeof(json) + n + 1);
        memset(v, 0, sizeof *v);
        v->type = JSON_STRING;
        v->flags = NODE_STR_INLINE;
        v->str.s = (char *)(v + 1);
        if (n)
                memcpy(v->str.s, s, n);
        v->str.s[n] = '\0';
        v->str.len = n;
        return v;
}

json *json_new_string(const char *s) {
        return json_new_stringn(s, strlen(s));
}

json *json_new_string_take(char *s) {
        json *v = node_new(JSON_STRING);
        v->str.s = s;
        v->str.len = strlen(s);
        return v;
}

json *json_new_array(void) {
        return node_new(JSON_ARRAY);
}

json *json_new_object(void) {
        return node_new(JSON_OBJECT);
}

/* Free what a node holds, leaving the node itself. */
static void node_clear(json *v) {
        bool container = v->type == JSON_ARRAY || v->type == JSON_OBJECT;
        switch (v->type) {
        case JSON_STRING:
                if (!(v->flags & NODE_STR_INLINE))
                        free(v->str.s);
                break;
        case JSON_ARRAY:
                for (size_t i = 0; i < v->arr.len; i++)
                        json_free(v->arr.v[i]);
                if (!(v->flags & NODE_ITEMS_ARENA))
                        free(v->arr.v);
                break;
        case JSON_OBJECT:
                for (size_t i = 0; i < v->obj.len; i++) {
                        if (!v->obj.m[i].key_in_arena)
                                free(v->obj.m[i].key);
                        json_free(v->obj.m[i].value);
                }
                if (!(v->flags & NODE_ITEMS_ARENA))
                        free(v->obj.m);
                if (!(v->flags & NODE_IDX_ARENA))
                        free(v->obj.idx);
                break;
        default:
                break;
        }
        v->flags &= (uint8_t) ~(NODE_STR_INLINE | NODE_ITEMS_ARENA | NODE_IDX_ARENA);
        memset(&v->str, 0, container ? sizeof(*v) - offsetof(json, str) : sizeof v->str);
}

void json_free(json *v) {
        if (!v)
                return;
        if (v->flags & NODE_ARENA) {
                arena *a = node_arena(v);
                if (a->dirty)
                        node_clear(v);
                if (v->flags & NODE_ARENA_ROOT)
                        arena_free(a);
                return;
        }
        node_clear(v);
        free(v);
}

/* A value leaving its tree: nodes inside an arena are copied out. */
static json *node_detach(json *v) {
        if (!v || (v->flags & (NODE_ARENA | NODE_ARENA_ROOT)) != NODE_ARENA)
                return v;
        json *c = json_copy(v);
        json_free(v);
        return c;
}

json_type json_get_type(const json *v) {
        return v ? (json_type)v->type : _JSON_TYPE_INVALID;
}

const char *json_type_name(json_type t) {
        static const char *const names[_JSON_TYPE_MAX] = {
                [JSON_NULL] = "null",     [JSON_BOOL] = "boolean",  [JSON_INT] = "integer",
                [JSON_DOUBLE] = "number", [JSON_STRING] = "string", [JSON_ARRAY] = "array",
                [JSON_OBJECT] = "object",
        };
        if (t < 0 || t >= _JSON_TYPE_MAX)
                return "invalid";
        return names[t];
}

bool json_bool(const json *v) {
        return v && v->type == JSON_BOOL && v->b;
}

int64_t json_int(const json *v) {
        if (!v)
                return 0;
        if (v->type == JSON_INT)
                return v->i;
        if (v->type == JSON_DOUBLE) {
                /* Saturate: converting an out-of-range double is undefined. */
                if (isnan(v->d))
                        return 0;
                if (v->d >= 9223372036854775808.0)
                        return INT64_MAX;
                if (v->d <= -9223372036854775808.0)
                        return INT64_MIN;
                return (int64_t)v->d;
        }
        return 0;
}

double json_double(const json *v) {
        if (!v)
                return 0;
        if (v->type == JSON_DOUBLE)
                return v->d;
        if (v->type == JSON_INT)
                return (double)v->i;
        return 0;
}

const char *json_string(const json *v) {
        return v && v->type == JSON_STRING ? v->str.s : NULL;
}

size_t json_string_len(const json *v) {
        return v && v->type == JSON_STRING ? v->str.len : 0;
}

void json_set_string(json *v, const char *s) {
        if (!v)
                return;
        char *copy = xstrdup(s); /* s may point into v */
        node_taint(v);
        node_clear(v);
        v->type = JSON_STRING;
        v->str.s = copy;
        v->str.len = strlen(copy);
}

void json_set_int(json *v, int64_t i) {
        if (!v)
                return;
        node_taint(v);
        node_clear(v);
        v->type = JSON_INT;
        v->i = i;
}

void json_set_double(json *v, double d) {
        if (!v)
                return;
        node_taint(v);
        node_clear(v);
        v->type = JSON_DOUBLE;
        v->d = d;
}

void json_set_bool(json *v, bool b) {
        if (!v)
                return;
        node_taint(v);
        node_clear(v);
        v->type = JSON_BOOL;
        v->b = b;
}

void json_set_null(json *v) {
        if (!v)
                return;
        node_taint(v);
        node_clear(v);
        v->type = JSON_NULL;
}

/* --- arrays -------------------------------------------------------------- */

size_t json_array_len(const json *a) {
        return a && a->type == JSON_ARRAY ? a->arr.len : 0;
}

json *json_array_get(const json *a, size_t i) {
        if (!a || a->type != JSON_ARRAY || i >= a->arr.len)
                return NULL;
        return a->arr.v[i];
}

/* Grow an array or member array of elem-byte items, in the arena while
 * parsing (ar non-NULL), else moving it out to the heap. */
static void *items_grow(json *c, void *items, size_t len, size_t *cap, size_t elem, arena *ar) {
        size_t ncap = *cap ? *cap * 2 : 4;
        if (ncap > SIZE_MAX / elem)
                oom();
        void *n;
        if (ar) {
                n = arena_alloc(ar, ncap * elem);
                if (len)
                        memcpy(n, items, len * elem);
                c->flags |= NODE_ITEMS_ARENA;
        } else if (c->flags & NODE_ITEMS_ARENA) {
                n = xmalloc(ncap * elem);
                if (len)
                        memcpy(n, items, len * elem);
                c->flags &= (uint8_t)~NODE_ITEMS_ARENA;
        } else {
                n = xrealloc(items, ncap * elem);
        }
        *cap = ncap;
        return n;
}

static inline void array_grow(json *a, arena *ar) {
        if (a->arr.len < a->arr.cap)
                return;
        a->arr.v = items_grow(a, a->arr.v, a->arr.len, &a->arr.cap, sizeof(json *), ar);
}

void json_array_append(json *a, json *take) {
        if (!take)
                return;
        if (!a || a->type != JSON_ARRAY) {
                json_free(take);
                return;
        }
        node_taint(a);
        array_grow(a, NULL);
        a->arr.v[a->arr.len++] = take;
}

int json_array_insert(json *a, size_t i, json *take) {
        if (!a || a->type != JSON_ARRAY || !take || i > a->arr.len) {
                json_free(take);
                return a && a->type == JSON_ARRAY ? -ERANGE : -EINVAL;
        }
        node_taint(a);
        array_grow(a, NULL);
        memmove(a->arr.v + i + 1, a->arr.v + i, (a->arr.len - i) * sizeof(json *));
        a->arr.v[i] = take;
        a->arr.len++;
        return 0;
}

int json_array_set(json *a, size_t i, json *take) {
        if (!a || a->type != JSON_ARRAY || !take || i >= a->arr.len) {
                json_free(take);
                return a && a->type == JSON_ARRAY ? -ERANGE : -EINVAL;
        }
        node_taint(a);
        json_free(a->arr.v[i]);
        a->arr.v[i] = take;
        return 0;
}

static json *array_unlink(json *a, size_t i) {
        if (!a || a->type != JSON_ARRAY || i >= a->arr.len)
                return NULL;
        json *v = a->arr.v[i];
        memmove(a->arr.v + i, a->arr.v + i + 1, (a->arr.len - i - 1) * sizeof(json *));
        a->arr.len--;
        return v;
}

json *json_array_take(json *a, size_t i) {
        return node_detach(array_unlink(a, i));
}

int json_array_remove(json *a, size_t i) {
        if (!a || a->type != JSON_ARRAY)
                return -EINVAL;
        json *v = array_unlink(a, i);
        if (!v)
                return -ERANGE;
        json_free(v);
        return 0;
}

/* --- objects ------------------------------------------------------------- */

static inline uint32_t key_hash(const char *k, size_t n) {
        uint32_t h = 2166136261u; /* FNV-1a */
        for (size_t i = 0; i < n; i++)
                h = (h ^ (uint8_t)k[i]) * 16777619u;
        return h;
}

/* The hash index over members ms: idx has size slots (a power of two). */
static void index_insert(uint32_t *idx, uint32_t size, const json_member *ms, uint32_t i) {
        uint32_t mask = size - 1;
        uint32_t h = key_hash(ms[i].key, ms[i].klen) & mask;
        while (idx[h])
                h = (h + 1) & mask;
        idx[h] = i + 1;
}

static json_member *index_find(const uint32_t *idx, uint32_t size, json_member *ms, const char *key,
                               size_t klen) {
        uint32_t mask = size - 1;
        for (uint32_t h = key_hash(key, klen) & mask; idx[h]; h = (h + 1) & mask) {
                json_member *m = &ms[idx[h] - 1];
                if (m->klen == klen && memcmp(m->key, key, klen) == 0)
                        return m;
        }
        return NULL;
}

static json_member *members_find(json_member *ms, uint32_t n, const char *key, size_t klen) {
        for (uint32_t i = 0; i < n; i++)
                if (ms[i].klen == klen && memcmp(ms[i].key, key, klen) == 0)
                        return &ms[i];
        return NULL;
}

static uint32_t index_size_for(uint32_t n) {
        uint32_t size = 32;
        while (size < n * 2u)
                size *= 2;
        return size;
}

static void obj_index_insert(json *o, uint32_t i) {
        index_insert(o->obj.idx, o->obj.idx_size, o->obj.m, i);
}

static void obj_index_rebuild(json *o, arena *ar) {
        if (!(o->flags & NODE_IDX_ARENA))
                free(o->obj.idx);
        o->flags &= (uint8_t)~NODE_IDX_ARENA;
        o->obj.idx = NULL;
        o->obj.idx_size = 0;
        if (o->obj.len < OBJ_INDEX_MIN)
                return;
        uint32_t size = index_size_for(o->obj.len);
        if (ar) {
                o->obj.idx = arena_alloc(ar, size * sizeof(uint32_t));
                memset(o->obj.idx, 0, size * sizeof(uint32_t));
                o->flags |= NODE_IDX_ARENA;
        } else {
                o->obj.idx = xcalloc(size, sizeof(uint32_t));
        }
        o->obj.idx_size = size;
        for (uint32_t i = 0; i < o->obj.len; i++)
                obj_index_insert(o, i);
}

static json_member *obj_find(const json *o, const char *key, size_t klen) {
        if (o->obj.idx)
                return index_find(o->obj.idx, o->obj.idx_size, o->obj.m, key, klen);
        return members_find(o->obj.m, o->obj.len, key, klen);
}

/* Append a member whose key is known to be absent; takes key and value.
 * ar: the arena while parsing (the key is in it too), else NULL. */
static void obj_append(json *o, char *key, size_t klen, json *value, arena *ar) {
        if (o->obj.len == o->obj.cap) {
                if (o->obj.cap >= UINT32_MAX / 2 || klen > UINT32_MAX)
                        oom();
                size_t cap = o->obj.cap;
                o->obj.m = items_grow(o, o->obj.m, o->obj.len, &cap, sizeof(json_member), ar);
                o->obj.cap = (uint32_t)cap;
        }
        uint32_t i = o->obj.len++;
        o->obj.m[i] = (json_member){
                .key = key, .klen = (uint32_t)klen, .key_in_arena = ar != NULL, .value = value
        };
        if (o->obj.len < OBJ_INDEX_MIN)
                return;
        if (!o->obj.idx || o->obj.len * 2u > o->obj.idx_size)
                obj_index_rebuild(o, ar);
        else
                obj_index_insert(o, i);
}

static void obj_remove_at(json *o, uint32_t i) {
        if (!o->obj.m[i].key_in_arena)
                free(o->obj.m[i].key);
        memmove(o->obj.m + i, o->obj.m + i + 1, (o->obj.len - i - 1) * sizeof(json_member));
        o->obj.len--;
        if (o->obj.idx) {
                node_taint(o);
                obj_index_rebuild(o, NULL);
        }
}

size_t json_object_len(const json *o) {
        return o && o->type == JSON_OBJECT ? o->obj.len : 0;
}

const char *json_object_key_at(const json *o, size_t i) {
        if (!o || o->type != JSON_OBJECT || i >= o->obj.len)
                return NULL;
        return o->obj.m[i].key;
}

json *json_object_value_at(const json *o, size_t i) {
        if (!o || o->type != JSON_OBJECT || i >= o->obj.len)
                return NULL;
        return o->obj.m[i].value;
}

json *json_object_get(const json *o, const char *key) {
        if (!o || o->type != JSON_OBJECT || !key)
                return NULL;
        json_member *m = obj_find(o, key, strlen(key));
        return m ? m->value : NULL;
}

void json_object_set(json *o, const char *key, json *take) {
        if (!take)
                return;
        if (!o || o->type != JSON_OBJECT || !key) {
                json_free(take);
                return;
        }
        size_t klen = strlen(key);
        node_taint(o);
        json_member *m = obj_find(o, key, klen);
        if (m) {
                if (m->value != take)
                        json_free(m->value);
                m->value = take;
                return;
        }
        obj_append(o, xstrndup(key, klen), klen, take, NULL);
}

static json *object_unlink(json *o, const char *key) {
        if (!o || o->type != JSON_OBJECT || !key)
                return NULL;
        json_member *m = obj_find(o, key, strlen(key));
        if (!m)
                return NULL;
        json *v = m->value;
        obj_remove_at(o, (uint32_t)(m - o->obj.m));
        return v;
}

json *json_object_take(json *o, const char *key) {
        return node_detach(object_unlink(o, key));
}

bool json_object_remove(json *o, const char *key) {
        json *v = object_unlink(o, key);
        if (!v)
                return false;
        json_free(v);
        return true;
}

json *json_object_ensure_object(json *o, const char *key) {
        if (!o || o->type != JSON_OBJECT || !key)
                return NULL;
        json *v = json_object_get(o, key);
        if (v && v->type == JSON_OBJECT)
                return v;
        v = json_new_object();
        json_object_set(o, key, v);
        return v;
}

const char *json_object_get_string(const json *o, const char *key) {
        return json_string(json_object_get(o, key));
}

int64_t json_object_get_int(const json *o, const char *key, int64_t dflt) {
        json *v = json_object_get(o, key);
        return v && v->type == JSON_INT ? v->i : dflt;
}

bool json_object_get_bool(const json *o, const char *key, bool dflt) {
        json *v = json_object_get(o, key);
        return v && v->type == JSON_BOOL ? v->b : dflt;
}

void json_object_set_string(json *o, const char *key, const char *s) {
        json_object_set(o, key, json_new_string(s));
}

void json_object_set_int(json *o, const char *key, int64_t i) {
        json_object_set(o, key, json_new_int(i));
}

void json_object_set_bool(json *o, const char *key, bool b) {
        json_object_set(o, key, json_new_bool(b));
}

static json *json_getv(const json *root, va_list ap) {
        const json *v = root;
        const char *k;
        while ((k = va_arg(ap, const char *))) {
                v = json_object_get(v, k);
                if (!v)
                        return NULL;
        }
        return (json *)v;
}

json *json_get(const json *root, ...) {
        va_list ap;
        va_start(ap, root);
        json *v = json_getv(root, ap);
        va_end(ap);
        return v;
}

const char *json_get_str(const json *root, ...) {
        va_list ap;
        va_start(ap, root);
        json *v = json_getv(root, ap);
        va_end(ap);
        return json_string(v);
}

/* --- copy, equality ------------------------------------------------------ */

json *json_copy(const json *v) {
        if (!v)
                return NULL;
        switch (v->type) {
        case JSON_STRING:
                return json_new_stringn(v->str.s, v->str.len);
        case JSON_ARRAY: {
                json *a = json_new_array();
                if (v->arr.len) {
                        a->arr.v = xreallocarray(NULL, v->arr.len, sizeof(json *));
                        a->arr.cap = v->arr.len;
                        for (size_t i = 0; i < v->arr.len; i++)
                                a->arr.v[a->arr.len++] = json_copy(v->arr.v[i]);
                }
                return a;
        }
        case JSON_OBJECT: {
                json *o = json_new_object();
                if (v->obj.len) {
                        o->obj.m = xreallocarray(NULL, v->obj.len, sizeof(json_member));
                        o->obj.cap = v->obj.len;
                        for (uint32_t i = 0; i < v->obj.len; i++) {
                                const json_member *m = &v->obj.m[i];
                                char *k = xmalloc((size_t)m->klen + 1);
                                memcpy(k, m->key, (size_t)m->klen + 1); /* may hold a NUL */
                                o->obj.m[i] = (json_member){
                                        .key = k,
                                        .klen = m->klen,
                                        .value = json_copy(m->value),
                                };
                        }
                        o->obj.len = v->obj.len;
                }
                if (v->obj.idx) {
                        /* Same positions, so the same index. */
                        o->obj.idx = xreallocarray(NULL, v->obj.idx_size, sizeof(uint32_t));
                        memcpy(o->obj.idx, v->obj.idx, v->obj.idx_size * sizeof(uint32_t));
                        o->obj.idx_size = v->obj.idx_size;
                }
                return o;
        }
        default: {
                json *c = node_new(v->type);
                memcpy(&c->str, &v->str, sizeof c->str); /* a scalar */
                return c;
        }
        }
}

bool json_equal(const json *a, const json *b) {
        if (a == b)
                return true;
        if (!a || !b || a->type != b->type)
                return false;
        switch (a->type) {
        case JSON_NULL:
                return true;
        case JSON_BOOL:
                return a->b == b->b;
        case JSON_INT:
                return a->i == b->i;
        case JSON_DOUBLE:
                return a->d == b->d || (isnan(a->d) && isnan(b->d));
        case JSON_STRING:
                return a->str.len == b->str.len && memcmp(a->str.s, b->str.s, a->str.len) == 0;
        case JSON_ARRAY:
                if (a->arr.len != b->arr.len)
                        return false;
                for (size_t i = 0; i < a->arr.len; i++)
                        if (!json_equal(a->arr.v[i], b->arr.v[i]))
                                return false;
                return true;
        case JSON_OBJECT:
                if (a->obj.len != b->obj.len)
                        return false;
                for (uint32_t i = 0; i < a->obj.len; i++) {
                        const json_member *m = &a->obj.m[i];
                        /* Most objects compared are in the same order. */
                        const json_member *n = &b->obj.m[i];
                        if (n->klen != m->klen || memcmp(n->key, m->key, m->klen) != 0) {
                                n = obj_find(b, m->key, m->klen);
                                if (!n)
                                        return false;
                        }
                        if (!json_equal(m->value, n->value))
                                return false;
                }
                return true;
        default:
                return false;
        }
}

/* --- parsing ------------------------------------------------------------- */

/* Bytes of a valid UTF-8 sequence at s (n bytes available), or 0: no
 * overlong forms, surrogates, or code points past U+10FFFF. */
static size_t utf8_valid_len(const unsigned char *s, size_t n) {
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
static inline bool all_ascii(const unsigned char *s, size_t n) {
        uint64_t acc = 0, w;
        if (n >= 8) {
                for (size_t i = 0; i + 8 <= n; i += 8) {
                        memcpy(&w, s + i, 8);
                        acc |= w;
                }
                memcpy(&w, s + n - 8, 8); /* the tail, overlapping */
                acc |= w;
        } else {
                for (size_t i = 0; i < n; i++)
                        acc |= s[i];
        }
        return (acc & 0x8080808080808080ULL) == 0;
}

static bool utf8_valid(const unsigned char *s, size_t n) {
        if (_likely_(all_ascii(s, n)))
                return true;
        size_t i = 0;
        while (i < n) {
                if (s[i] < 0x80) {
                        i++;
                        continue;
                }
                size_t k = utf8_valid_len(s + i, n - i);
                if (!k)
                        return false;
                i += k;
        }
        return true;
}

/* The members and items of the open containers pile up on two scratch
 * stacks and move to the arena, at their exact size, when the container
 * closes: no arrays grown by doubling, and the whole of an object's members
 * in one piece. */
typedef struct parse_frame {
        json *node;
        size_t start; /* its first member or item on the scratch stack */
        uint32_t count;
        bool is_array;
        uint64_t seen;     /* a filter of its keys: bit (hash & 63) */
        char *key;         /* pending key of an object, in the arena... */
        bool key_borrowed; /* ...or still in the input */
        size_t klen;
        const char *cur_key; /* key of the last member added (for paths) */
        size_t cur_klen;
        uint32_t *idx; /* hash index over its members, once there are many */
        uint32_t idx_size;
} parse_frame;

typedef struct parse_ctx {
        const char *buf;
        size_t len;
        const json_limits *lim;
        arena *arena;
        parse_frame *stack;
        size_t depth, cap;
        json *root;
        int err_code;
        char *err_msg;
        bool want_dups;
        char **dups;
        size_t ndups;
        json_member *ms; /* scratch stacks */
        size_t ms_len, ms_cap;
        json **is;
        size_t is_len, is_cap;
} parse_ctx;

static int ctx_fail(parse_ctx *c, int code, const char *fmt, ...) _printf_(3, 4);
static int ctx_fail(parse_ctx *c, int code, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        free(c->err_msg);
        c->err_msg = xvasprintf(fmt, ap);
        va_end(ap);
        c->err_code = code;
        return 0; /* cancels the yajl parse */
}

/* The field path of the pending key in the innermost object. */
static char *ctx_path(parse_ctx *c, const char *key, size_t klen) {
        strbuf b = STRBUF_INIT;
        for (size_t i = 0; i + 1 < c->depth; i++) {
                const parse_frame *f = &c->stack[i];
                if (f->node->type == JSON_ARRAY) {
                        strbuf_printf(&b, "[%" PRIu32 "]", f->count - 1);
                } else {
                        if (b.len)
                                strbuf_putc(&b, '.');
                        strbuf_append(&b, f->cur_key, strnlen(f->cur_key, f->cur_klen));
                }
        }
        if (b.len)
                strbuf_putc(&b, '.');
        strbuf_append(&b, key, strnlen(key, klen));
        return strbuf_take(&b, NULL);
}

static void ctx_note_duplicate(parse_ctx *c, const char *key, size_t klen) {
        if (!c->want_dups || c->ndups >= MAX_DUPLICATES)
                return;
        char *p = ctx_path(c, key, klen);
        for (size_t i = 0; i < c->ndups; i++)
                if (streq(c->dups[i], p)) {
                        free(p);
                        return;
                }
        c->dups = xreallocarray(c->dups, c->ndups + 2, sizeof(char *));
        c->dups[c->ndups++] = p;
        c->dups[c->ndups] = NULL;
}

/* A new node in the arena, with extra bytes after it; the first one made
 * is the root, which owns the arena. */
static inline json *ctx_node(parse_ctx *c, json_type t, size_t extra) {
        size_t size = t == JSON_ARRAY || t == JSON_OBJECT ? sizeof(json) : SMALL_NODE_SIZE;
        json *v;
        parse_frame *f = c->depth ? &c->stack[c->depth - 1] : NULL;
        if (f && f->key_borrowed) {
                v = arena_alloc(c->arena, size + extra + f->klen + 1);
                v->flags = NODE_ARENA;
                char *k = (char *)v + size + extra;
                memcpy(k, f->key, f->klen);
                k[f->klen] = '\0';
                f->key = k;
                f->key_borrowed = false;
        } else if (_unlikely_(!c->arena)) {
                c->arena = xmalloc(sizeof(arena));
                *c->arena = (arena){ 0 };
                v = arena_alloc(c->arena, size + extra);
                v->flags = NODE_ARENA | NODE_ARENA_ROOT;
        } else {
                v = arena_alloc(c->arena, size + extra);
                v->flags = NODE_ARENA;
        }
        v->type = (uint8_t)t;
        memset(&v->str, 0, size - offsetof(json, str));
        return v;
}

static int ctx_add(parse_ctx *c, json *v) {
        if (c->depth == 0) {
                c->root = v;
                return 1;
        }
        parse_frame *f = &c->stack[c->depth - 1];
        if (f->is_array) {
                if (c->is_len == c->is_cap) {
                        c->is_cap = c->is_cap ? c->is_cap * 2 : 64;
                        c->is = xreallocarray(c->is, c->is_cap, sizeof(json *));
                }
                c->is[c->is_len++] = v;
                f->count++;
                return 1;
        }
        json_member *ms = c->ms + f->start;
        /* A 64-bit filter of the keys seen skips the search for most new
         * keys of small objects. */
        uint64_t bit = 1ULL << ((f->klen * 7 + (unsigned char)f->key[0] * 3 +
                                 (f->klen ? (unsigned char)f->key[f->klen - 1] : 0)) &
                                63);
        json_member *m = NULL;
        if (f->idx)
                m = index_find(f->idx, f->idx_size, ms, f->key, f->klen);
        else if (f->seen & bit)
                m = members_find(ms, f->count, f->key, f->klen);
        f->seen |= bit;
        if (m) {
                /* Last wins, in the first one's position. */
                ctx_note_duplicate(c, f->key, f->klen);
                json_free(m->value);
                m->value = v;
        } else {
                if (f->count == UINT32_MAX || f->klen > UINT32_MAX)
                        oom();
                if (c->ms_len == c->ms_cap) {
                        c->ms_cap = c->ms_cap ? c->ms_cap * 2 : 64;
                        c->ms = xreallocarray(c->ms, c->ms_cap, sizeof(json_member));
                        ms = c->ms + f->start;
                }
                m = &c->ms[c->ms_len++];
                *m = (json_member){
                        .key = f->key, .klen = (uint32_t)f->klen, .key_in_arena = true, .value = v
                };
                uint32_t i = f->count++;
                if (f->count >= OBJ_INDEX_MIN) {
                        if (!f->idx || f->count * 2u > f->idx_size) {
                                /* (the old index stays in the arena, unused) */
                                f->idx_size = index_size_for(f->count);
                                f->idx = arena_alloc(c->arena, f->idx_size * sizeof(uint32_t));
                                memset(f->idx, 0, f->idx_size * sizeof(uint32_t));
                                for (uint32_t k = 0; k < f->count; k++)
                                        index_insert(f->idx, f->idx_size, ms, k);
                        } else {
                                index_insert(f->idx, f->idx_size, ms, i);
                        }
                }
        }
        f->key = NULL;
        f->cur_key = m->key;
        f->cur_klen = m->klen;
        return 1;
}

static int cb_null(void *ctx) {
        return ctx_add(ctx, ctx_node(ctx, JSON_NULL, 0));
}

static int cb_boolean(void *ctx, int b) {
        json *v = ctx_node(ctx, JSON_BOOL, 0);
        v->b = b;
        return ctx_add(ctx, v);
}

static const double pow10_exact[] = { 1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };

/* -?d+.d+ with at most 15 digits in all, without strtod(): m and 10^k are
 * exact doubles, so m / 10^k is the correctly rounded value (Clinger's fast
 * path), the same as strtod() gives. */
static bool fast_decimal(const char *s, size_t n, double *ret) {
        size_t i = s[0] == '-';
        uint64_t m = 0;
        unsigned digits = 0, frac = 0;
        bool dot = false;
        for (; i < n; i++) {
                if (s[i] == '.') {
                        dot = true;
                        continue;
                }
                if (s[i] < '0' || s[i] > '9' || ++digits > 15)
                        return false; /* an exponent, or too long */
                m = m * 10 + (uint64_t)(s[i] - '0');
                frac += dot;
        }
        double d = (double)m / pow10_exact[frac];
        *ret = s[0] == '-' ? -d : d;
        return true;
}

static int cb_number(void *ctx, const char *s, size_t n) {
        parse_ctx *c = ctx;
        bool integral = true;
        for (size_t i = 0; i < n; i++)
                if (s[i] == '.' || s[i] == 'e' || s[i] == 'E') {
                        integral = false;
                        break;
                }
        if (integral) {
                /* yajl has checked the syntax: -?digits. */
                size_t i = s[0] == '-';
                uint64_t u = 0, limit = s[0] == '-' ? (uint64_t)INT64_MAX + 1 : INT64_MAX;
                for (; i < n; i++) {
                        unsigned d = (unsigned)(s[i] - '0');
                        if (u > (limit - d) / 10)
                                break;
                        u = u * 10 + d;
                }
                if (i == n) {
                        json *v = ctx_node(c, JSON_INT, 0);
                        v->i = s[0] == '-' ? (int64_t)(0 - u) : (int64_t)u;
                        return ctx_add(c, v);
                }
                /* Out of int64 range: a double, like any other number. */
        }
        if (c->lim->max_string && n > c->lim->max_string)
                return ctx_fail(c, -E2BIG,
                                "number of %zu bytes exceeds the limit of %zu (max_string)", n,
                                c->lim->max_string);
        double d;
        if (fast_decimal(s, n, &d)) {
                json *v = ctx_node(c, JSON_DOUBLE, 0);
                v->d = d;
                return ctx_add(c, v);
        }
        char small[64];
        _cleanup_free_ char *big = NULL;
        char *z = small;
        if (n >= sizeof small)
                z = big = xmalloc(n + 1);
        memcpy(z, s, n);
        z[n] = '\0';
        /* Assumes LC_NUMERIC is "C" (timonier never calls setlocale for it). */
        d = strtod(z, NULL);
        if (!isfinite(d))
                return ctx_fail(c, -ERANGE, "number %.32s%s is out of range of a double", z,
                                n > 32 ? "..." : "");
        json *v = ctx_node(c, JSON_DOUBLE, 0);
        v->d = d;
        return ctx_add(c, v);
}

static int cb_string(void *ctx, const unsigned char *s, size_t n) {
        parse_ctx *c = ctx;
        if (c->lim->max_string && n > c->lim->max_string)
                return ctx_fail(c, -E2BIG,
                                "string of %zu bytes exceeds the limit of %zu (max_string)", n,
                                c->lim->max_string);
        if (!utf8_valid(s, n))
                return ctx_fail(c, -EINVAL, "invalid UTF-8 in a string");
        json *v = ctx_node(c, JSON_STRING, n + 1);
        v->flags |= NODE_STR_INLINE;
        v->str.s = (char *)v + SMALL_NODE_SIZE;
        memcpy(v->str.s, s, n);
        v->str.s[n] = '\0';
        v->str.len = n;
        return ctx_add(c, v);
}

static int ctx_push(parse_ctx *c, json_type t) {
        if (c->lim->max_depth && c->depth >= c->lim->max_depth)
                return ctx_fail(c, -E2BIG, "nesting deeper than the limit of %u (max_depth)",
                                c->lim->max_depth);
        json *v = ctx_node(c, t, 0);
        ctx_add(c, v);
        if (c->depth == c->cap) {
                c->cap = c->cap ? c->cap * 2 : 16;
                c->stack = xreallocarray(c->stack, c->cap, sizeof(parse_frame));
        }
        c->stack[c->depth++] = (parse_frame){
                .node = v,
                .start = t == JSON_OBJECT ? c->ms_len : c->is_len,
                .is_array = t == JSON_ARRAY,
        };
        return 1;
}

static int cb_start_map(void *ctx) {
        return ctx_push(ctx, JSON_OBJECT);
}

static int cb_start_array(void *ctx) {
        return ctx_push(ctx, JSON_ARRAY);
}

static int cb_end_map(void *ctx) {
        parse_ctx *c = ctx;
        parse_frame *f = &c->stack[--c->depth];
        json *o = f->node;
        if (f->count) {
                o->obj.m = arena_alloc(c->arena, f->count * sizeof(json_member));
                memcpy(o->obj.m, c->ms + f->start, f->count * sizeof(json_member));
                o->obj.len = o->obj.cap = f->count;
                o->flags |= NODE_ITEMS_ARENA;
        }
        if (f->idx) {
                o->obj.idx = f->idx;
                o->obj.idx_size = f->idx_size;
                o->flags |= NODE_IDX_ARENA;
        }
        c->ms_len = f->start;
        return 1;
}

static int cb_end_array(void *ctx) {
        parse_ctx *c = ctx;
        parse_frame *f = &c->stack[--c->depth];
        json *a = f->node;
        if (f->count) {
                a->arr.v = arena_alloc(c->arena, f->count * sizeof(json *));
                memcpy(a->arr.v, c->is + f->start, f->count * sizeof(json *));
                a->arr.len = a->arr.cap = f->count;
                a->flags |= NODE_ITEMS_ARENA;
        }
        c->is_len = f->start;
        return 1;
}

static int cb_map_key(void *ctx, const unsigned char *s, size_t n) {
        parse_ctx *c = ctx;
        if (c->lim->max_string && n > c->lim->max_string)
                return ctx_fail(c, -E2BIG, "key of %zu bytes exceeds the limit of %zu (max_string)",
                                n, c->lim->max_string);
        parse_frame *f = &c->stack[c->depth - 1];
        if (!utf8_valid(s, n))
                return ctx_fail(c, -EINVAL, "invalid UTF-8 in a key");
        f->klen = n;
        if ((const char *)s >= c->buf && (const char *)s + n <= c->buf + c->len) {
                /* Unescaped, in the input: copied next to its value's node
                 * (ctx_node()), one allocation for both. */
                f->key = (char *)s;
                f->key_borrowed = true;
                return 1;
        }
        f->key = arena_alloc(c->arena, n + 1);
        memcpy(f->key, s, n);
        f->key[n] = '\0';
        f->key_borrowed = false;
        return 1;
}

static const yajl_callbacks parse_callbacks = {
        .yajl_null = cb_null,
        .yajl_boolean = cb_boolean,
        .yajl_number = cb_number,
        .yajl_string = cb_string,
        .yajl_start_map = cb_start_map,
        .yajl_map_key = cb_map_key,
        .yajl_end_map = cb_end_map,
        .yajl_start_array = cb_start_array,
        .yajl_end_array = cb_end_array,
};

/* 1-based line and column (in characters, not bytes) of a byte offset. */
static void offset_position(const char *buf, size_t len, size_t off, size_t *line, size_t *col) {
        if (off > len)
                off = len;
        size_t l = 1, start = 0;
        for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + off - p))); p++) {
                l++;
                start = (size_t)(p - buf) + 1;
        }
        size_t cc = 1;
        for (size_t i = start; i < off; i++)
                if (((unsigned char)buf[i] & 0xc0) != 0x80)
                        cc++;
        *line = l;
        *col = cc;
}

int json_parse_ex(const char *buf, size_t len, const json_limits *limits, json **ret,
                  char ***ret_duplicates, tm_error **err) {
        const json_limits *lim = limits ? limits : &json_default_limits;
        if (lim->max_size && len > lim->max_size)
                return tm_error_set(
                        err, -E2BIG,
                        "JSON document of %zu bytes exceeds the limit of %zu (max_size)", len,
                        lim->max_size);

        parse_ctx c = { .buf = buf, .len = len, .lim = lim, .want_dups = ret_duplicates != NULL };
        yajl_handle h = yajl_alloc(&parse_callbacks, NULL, &c);
        if (!h)
                oom();
        /* utf8_valid() checks every string and key, more strictly than
         * yajl does: no need for yajl's pass too. */
        yajl_config(h, yajl_dont_validate_strings, 1);
        int r = 0;
        size_t off = 0;
        bool at_end = false;
        yajl_status st = yajl_parse(h, (const unsigned char *)buf, len);
        if (st == yajl_status_ok) {
                st = yajl_complete_parse(h);
                at_end = true;
        }
        if (st != yajl_status_ok) {
                /* yajl reports the offset just past the token at fault; after
                 * yajl_complete_parse() it is that of its own internal
                 * buffer: the problem is at the end of ours. */
                off = at_end ? len : yajl_get_bytes_consumed(h);
                if (!at_end && off > 0)
                        off--;
                size_t line, col;
                offset_position(buf, len, off, &line, &col);
                if (st == yajl_status_client_canceled) {
                        r = tm_error_set(err, c.err_code,
                                         "invalid JSON at line %zu, column %zu: %s", line, col,
                                         c.err_msg);
                } else {
                        unsigned char *m = yajl_get_error(h, 0, NULL, 0);
                        size_t ml = m ? strlen((char *)m) : 0;
                        while (ml && (m[ml - 1] == '\n' || m[ml - 1] == ' '))
                                ml--;
                        r = tm_error_set(err, -EINVAL, "invalid JSON at line %zu, column %zu: %.*s",
                                         line, col, (int)ml, m ? (char *)m : "syntax error");
                        if (m)
                                yajl_free_error(h, m);
                }
        }
        yajl_free(h);
        free(c.stack);
        free(c.ms);
        free(c.is);
        free(c.err_msg);
        if (r < 0 || !c.root) {
                if (c.root)
                        json_free(c.root);
                else
                        arena_free(c.arena);
                strv_free(c.dups);
                return r < 0 ? r : tm_error_set(err, -EINVAL, "invalid JSON: empty document");
        }
        *ret = c.root;
        if (ret_duplicates)
                *ret_duplicates = c.dups;
        return 0;
}

int json_parse(const char *buf, size_t len, const json_limits *limits, json **ret, tm_error **err) {
        return json_parse_ex(buf, len, limits, ret, NULL, err);
}

/* --- generating ---------------------------------------------------------- */

/* A hand generator rather than yajl_gen: yajl_gen goes through a print
 * callback per token and validates UTF-8 by failing, while ours writes into
 * one buffer, copies runs of plain bytes at once, and replaces invalid UTF-8
 * (possible only in strings built by code, never in parsed ones) by U+FFFD
 * as Go's encoding/json does. bench/bench_json measures both. */

typedef struct gen {
        char *p, *end, *buf;
        unsigned flags;
        unsigned level;
} gen;

static void gen_grow(gen *g, size_t n) {
        size_t used = (size_t)(g->p - g->buf), cap = (size_t)(g->end - g->buf);
        size_t want = used + n + 1;
        if (want <= cap)
                return;
        while (cap < want) {
                if (cap > SIZE_MAX / 2)
                        oom();
                cap = cap ? cap * 2 : 256;
        }
        g->buf = xrealloc(g->buf, cap);
        g->p = g->buf + used;
        g->end = g->buf + cap;
}

static inline void gen_reserve(gen *g, size_t n) {
        if (_unlikely_((size_t)(g->end - g->p) < n + 1))
                gen_grow(g, n);
}

static inline void gen_put(gen *g, const char *s, size_t n) {
        gen_reserve(g, n);
        memcpy(g->p, s, n);
        g->p += n;
}

static inline void gen_putc(gen *g, char ch) {
        gen_reserve(g, 1);
        *g->p++ = ch;
}

/* 0: copied as is; 1: needs an escape; 2: starts a multi-byte sequence. */
static const uint8_t str_class[256] = {
        [0x00 ... 0x1f] = 1,
        ['"'] = 1,
        ['\\'] = 1,
        [0x80 ... 0xff] = 2,
};

#define BYTES_1  0x0101010101010101ULL
#define BYTES_80 0x8080808080808080ULL

/* Whether 8 bytes are all printable ASCII other than '"' and '\\' (the
 * usual bit tricks: a byte is flagged when it is zero after the xor, below
 * 0x20, or has its high bit). */
static inline bool plain8(uint64_t w) {
        uint64_t q = w ^ (BYTES_1 * '"'), b = w ^ (BYTES_1 * '\\');
        uint64_t bad =
                ((q - BYTES_1) & ~q) | ((b - BYTES_1) & ~b) | ((w - BYTES_1 * 0x20) & ~w) | w;
        return (bad & BYTES_80) == 0;
}

/* A string, quoted and escaped, between the optional bytes pre and post
 * (a member's key goes out as ,"key": in one go). */
static void gen_string_between(gen *g, char pre, const char *str, size_t n, char post) {
        const unsigned char *s = (const unsigned char *)str;
        /* Room for the string without escapes; escapes and replacements
         * reserve for themselves and what is left. */
        gen_reserve(g, n + 4);
        char *p = g->p;
        if (pre)
                *p++ = pre;
        *p++ = '"';
        size_t i = 0;
        for (;;) {
                size_t j = i;
                uint64_t w;
                while (j + 8 <= n && (memcpy(&w, s + j, 8), plain8(w)))
                        j += 8;
                while (j < n && str_class[s[j]] == 0)
                        j++;
                memcpy(p, s + i, j - i);
                p += j - i;
                i = j;
                if (i == n)
                        break;
                g->p = p;
                gen_reserve(g, 6 + (n - i) + 2);
                p = g->p;
                unsigned char ch = s[i];
                if (str_class[ch] == 2) {
                        size_t k = utf8_valid_len(s + i, n - i);
                        if (k) {
                                memcpy(p, s + i, k);
                                p += k;
                                i += k;
                        } else {
                                memcpy(p, "\xef\xbf\xbd", 3);
                                p += 3;
                                i++;
                        }
                        continue;
                }
                *p++ = '\\';
                switch (ch) {
                case '"':
                case '\\':
                        *p++ = (char)ch;
                        break;
                case '\n':
                        *p++ = 'n';
                        break;
                case '\t':
                        *p++ = 't';
                        break;
                case '\r':
                        *p++ = 'r';
                        break;
                case '\b':
                        *p++ = 'b';
                        break;
                case '\f':
                        *p++ = 'f';
                        break;
                default: {
                        static const char hex[] = "0123456789abcdef";
                        memcpy(p, "u00", 3);
                        p[3] = hex[ch >> 4];
                        p[4] = hex[ch & 15];
                        p += 5;
                }
                }
                i++;
        }
        *p++ = '"';
        if (post)
                *p++ = post;
        g->p = p;
}

static inline void gen_string(gen *g, const char *s, size_t n) {
        gen_string_between(g, 0, s, n, 0);
}

static void gen_int(gen *g, int64_t v) {
        char tmp[24], *e = tmp + sizeof tmp, *q = e;
        uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
        do {
                *--q = (char)('0' + u % 10);
                u /= 10;
        } while (u);
        if (v < 0)
                *--q = '-';
        gen_put(g, q, (size_t)(e - q));
}

/* m / 10^k as decimals, always with a '.' (3.0, 0.25, -0.0). */
static size_t format_fixed(char *buf, bool neg, uint64_t m, unsigned k) {
        char tmp[24];
        unsigned nd = 0;
        do {
                tmp[nd++] = (char)('0' + m % 10);
                m /= 10;
        } while (m);
        while (nd < k + 1)
                tmp[nd++] = '0';
        char *p = buf;
        if (neg)
                *p++ = '-';
        for (unsigned j = nd; j > k; j--)
                *p++ = tmp[j - 1];
        *p++ = '.';
        if (k == 0)
                *p++ = '0';
        for (unsigned j = k; j > 0; j--)
                *p++ = tmp[j - 1];
        *p = '\0';
        return (size_t)(p - buf);
}

size_t json_format_double(double d, char buf[static 32]) {
        if (!isfinite(d)) {
                memcpy(buf, "null", 5);
                return 4;
        }
        /* Fast and exact for the usual values: the fewest decimals k such
         * that m / 10^k (m an exact integer, so a correctly rounded
         * division) is d; strtod() reads "m with k decimals" as that same
         * correctly rounded value. */
        double a = fabs(d);
        if (a == 0 || (a >= 1e-4 && a < 1e15)) {
                for (unsigned k = 0; k <= 15; k++) {
                        double scaled = a * pow10_exact[k];
                        if (scaled >= 9007199254740992.0) /* 2^53: m no longer exact */
                                break;
                        double m = nearbyint(scaled);
                        if (m / pow10_exact[k] == a)
                                return format_fixed(buf, signbit(d), (uint64_t)m, k);
                }
        }
        int n = 0;
        /* The shortest of %.15g..%.17g that reads back as the same double
         * (%.17g always does); subnormals have fewer digits to give. */
        for (int prec = fabs(d) < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
                n = snprintf(buf, 32, "%.*g", prec, d);
                if (prec == 17 || strtod(buf, NULL) == d)
                        break;
        }
        /* Keep it a double when parsed back: 1.0, not 1. */
        if (!strpbrk(buf, ".eE")) {
                memcpy(buf + n, ".0", 3);
                n += 2;
        }
        return (size_t)n;
}

static void gen_newline(gen *g) {
        gen_reserve(g, 1 + 4 * (size_t)g->level);
        *g->p++ = '\n';
        memset(g->p, ' ', 4 * (size_t)g->level);
        g->p += 4 * (size_t)g->level;
}

static int member_cmp(const void *a, const void *b) {
        const json_member *x = *(const json_member *const *)a, *y = *(const json_member *const *)b;
        int r = memcmp(x->key, y->key, x->klen < y->klen ? x->klen : y->klen);
        if (r)
                return r;
        return x->klen < y->klen ? -1 : x->klen > y->klen;
}

static void gen_value(gen *g, const json *v) {
        bool pretty = g->flags & JSON_PRETTY;
        switch (v->type) {
        case JSON_NULL:
                gen_put(g, "null", 4);
                break;
        case JSON_BOOL:
                if (v->b)
                        gen_put(g, "true", 4);
                else
                        gen_put(g, "false", 5);
                break;
        case JSON_INT:
                gen_int(g, v->i);
                break;
        case JSON_DOUBLE: {
                char tmp[32];
                size_t n = json_format_double(v->d, tmp);
                gen_put(g, tmp, n);
                break;
        }
        case JSON_STRING:
                gen_string(g, v->str.s, v->str.len);
                break;
        case JSON_ARRAY:
                gen_putc(g, '[');
                if (v->arr.len == 0) {
                        gen_putc(g, ']');
                        break;
                }
                g->level++;
                for (size_t i = 0; i < v->arr.len; i++) {
                        if (i)
                                gen_putc(g, ',');
                        if (pretty)
                                gen_newline(g);
                        gen_value(g, v->arr.v[i]);
                }
                g->level--;
                if (pretty)
                        gen_newline(g);
                gen_putc(g, ']');
                break;
        case JSON_OBJECT: {
                gen_putc(g, '{');
                if (v->obj.len == 0) {
                        gen_putc(g, '}');
                        break;
                }
                _cleanup_free_ const json_member **sorted = NULL;
                if (g->flags & JSON_SORT_KEYS) {
                        sorted = xreallocarray(NULL, v->obj.len, sizeof(json_member *));
                        for (uint32_t i = 0; i < v->obj.len; i++)
                                sorted[i] = &v->obj.m[i];
                        qsort(sorted, v->obj.len, sizeof(json_member *), member_cmp);
                }
                g->level++;
                for (uint32_t i = 0; i < v->obj.len; i++) {
                        const json_member *m = sorted ? sorted[i] : &v->obj.m[i];
                        if (!pretty) {
                                gen_string_between(g, i ? ',' : 0, m->key, m->klen, ':');
                                gen_value(g, m->value);
                                continue;
                        }
                        if (i)
                                gen_putc(g, ',');
                        gen_newline(g);
                        gen_string(g, m->key, m->klen);
                        gen_put(g, ": ", 2);
                        gen_value(g, m->value);
                }
                g->level--;
                if (pretty)
                        gen_newline(g);
                gen_putc(g, '}');
                break;
        }
        }
}

char *json_serialize(const json *v, unsigned flags, size_t *ret_len) {
        gen g = { .flags = flags };
        if (v)
                gen_value(&g, v);
        else
                gen_put(&g, "null", 4);
        *g.p = '\0';
        if (ret_len)
                *ret_len = (size_t)(g.p - g.buf);
        return g.buf;
}
