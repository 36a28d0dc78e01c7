/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON object tree: nodes, the arena of parsed trees, mutation, copy
 * and equality. Parsing is in json-parse.c, writing in json-gen.c. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json-internal.h"

const json_limits json_default_limits = {
        .max_size = 3 * 1024 * 1024,
        .max_depth = 100,
        .max_string = 1024 * 1024,
};

const double json_pow10[16] = { 1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };

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

void *json_arena_alloc_slow(arena *a, size_t n) {
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

void json_arena_free(arena *a) {
        if (!a)
                return;
        for (arena_chunk *c = a->head, *next; c; c = next) {
                next = c->next;
                free(c);
        }
        free(a);
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
                        json_arena_free(a);
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
