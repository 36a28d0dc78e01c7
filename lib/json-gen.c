/* SPDX-License-Identifier: Apache-2.0 */
/* The tree out as JSON text. */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-internal.h"

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
                        double scaled = a * json_pow10[k];
                        if (scaled >= 9007199254740992.0) /* 2^53: m no longer exact */
                                break;
                        double m = nearbyint(scaled);
                        if (m / json_pow10[k] == a)
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
