/* SPDX-License-Identifier: Apache-2.0 */
/* JSON text into the tree, with yajl's callback parser. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "json-internal.h"
#include "strbuf.h"

/* Duplicate paths reported by json_parse_ex(), at most (one is enough to
 * refuse a strict request; the bound keeps a hostile document cheap). */
#define MAX_DUPLICATES 64

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
        double d = (double)m / json_pow10[frac];
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
                        json_arena_free(c.arena);
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
