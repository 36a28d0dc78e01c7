/* SPDX-License-Identifier: Apache-2.0 */
/* YAML into the JSON tree with libyaml's event parser, and out with its
 * emitter. Scalar resolution follows go-yaml v2 as sigs.k8s.io/yaml uses it
 * (lib/yaml.h lists the rules). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "strbuf.h"
#include <yaml.h> /* ours, then libyaml's (see yaml.h) */

/* --- scalar resolution ------------------------------------------------------ */

typedef enum scalar_kind {
        SCALAR_STRING,
        SCALAR_NULL,
        SCALAR_BOOL,
        SCALAR_INT,     /* i, or d when beyond int64 (go-yaml's uint64) */
        SCALAR_FLOAT,   /* d */
        SCALAR_SPECIAL, /* .inf, .nan: not representable in JSON */
        SCALAR_MERGE,   /* << */
} scalar_kind;

typedef struct scalar {
        scalar_kind kind;
        bool b;
        bool big; /* SCALAR_INT held in d */
        int64_t i;
        double d;
} scalar;

static bool word_in(const char *s, size_t n, const char *const *words) {
        for (; *words; words++)
                if (strlen(*words) == n && memcmp(*words, s, n) == 0)
                        return true;
        return false;
}

static const char *const null_words[] = { "~", "null", "Null", "NULL", NULL };
static const char *const true_words[] = { "y",    "Y",    "yes", "Yes", "YES", "true",
                                          "True", "TRUE", "on",  "On",  "ON",  NULL };
static const char *const false_words[] = { "n",     "N",     "no",  "No",  "NO",  "false",
                                           "False", "FALSE", "off", "Off", "OFF", NULL };
static const char *const special_words[] = { ".nan",  ".NaN",  ".NAN",  ".inf",  ".Inf",
                                             ".INF",  "+.inf", "+.Inf", "+.INF", "-.inf",
                                             "-.Inf", "-.INF", NULL };

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? — go-yaml's float. */
static bool yaml_float_syntax(const char *s, size_t n) {
        size_t i = 0;
        if (i < n && (s[i] == '-' || s[i] == '+'))
                i++;
        if (i < n && s[i] == '.') {
                i++;
                if (i == n || !is_digit(s[i]))
                        return false;
                while (i < n && is_digit(s[i]))
                        i++;
        } else {
                if (i == n || !is_digit(s[i]))
                        return false;
                while (i < n && is_digit(s[i]))
                        i++;
                if (i < n && s[i] == '.') {
                        i++;
                        while (i < n && is_digit(s[i]))
                                i++;
                }
        }
        if (i < n && (s[i] == 'e' || s[i] == 'E')) {
                i++;
                if (i < n && (s[i] == '-' || s[i] == '+'))
                        i++;
                if (i == n || !is_digit(s[i]))
                        return false;
                while (i < n && is_digit(s[i]))
                        i++;
        }
        return i == n;
}

/* Go's strconv.ParseInt(s, 0, 64) / ParseUint: sign, then 0x, 0o, 0b or a
 * leading 0 for octal. 1: int64 in *ret_i; 2: beyond int64 but within
 * uint64 (unsigned, no sign), in *ret_u; 0: not an integer. */
static int go_parse_int(const char *s, size_t n, int64_t *ret_i, uint64_t *ret_u) {
        size_t i = 0;
        bool neg = false, sign = false;
        if (i < n && (s[i] == '-' || s[i] == '+')) {
                neg = s[i] == '-';
                sign = true;
                i++;
        }
        unsigned base = 10;
        if (n - i >= 2 && s[i] == '0') {
                char p = s[i + 1];
                if (p == 'x' || p == 'X')
                        base = 16, i += 2;
                else if (p == 'o' || p == 'O')
                        base = 8, i += 2;
                else if (p == 'b' || p == 'B')
                        base = 2, i += 2;
                else
                        base = 8, i += 1;
        }
        if (i == n)
                return 0;
        uint64_t u = 0;
        bool overflow = false;
        for (; i < n; i++) {
                char c = s[i];
                unsigned d;
                if (is_digit(c))
                        d = (unsigned)(c - '0');
                else if (c >= 'a' && c <= 'f')
                        d = (unsigned)(c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        d = (unsigned)(c - 'A' + 10);
                else
                        return 0;
                if (d >= base)
                        return 0;
                if (u > (UINT64_MAX - d) / base)
                        overflow = true;
                else
                        u = u * base + d;
        }
        if (overflow)
                return 0;
        if (neg) {
                if (u > (uint64_t)INT64_MAX + 1)
                        return 0;
                *ret_i = (int64_t)(0 - u);
                return 1;
        }
        if (u <= INT64_MAX) {
                *ret_i = (int64_t)u;
                return 1;
        }
        if (sign) /* ParseUint takes no sign */
                return 0;
        *ret_u = u;
        return 2;
}

static bool parse_float(const char *s, size_t n, double *ret) {
        char small[64];
        _cleanup_free_ char *big = NULL;
        char *z = small;
        if (n >= sizeof small)
                z = big = xmalloc(n + 1);
        memcpy(z, s, n);
        z[n] = '\0';
        double d = strtod(z, NULL);
        if (!isfinite(d)) /* ParseFloat fails on overflow: then a string */
                return false;
        *ret = d;
        return true;
}

/* How a plain scalar resolves, as go-yaml v2's resolve() does. */
static scalar resolve_plain(const char *s, size_t n) {
        scalar r = { .kind = SCALAR_STRING };
        if (n == 0 || word_in(s, n, null_words)) {
                r.kind = SCALAR_NULL;
                return r;
        }
        if (word_in(s, n, true_words) || word_in(s, n, false_words)) {
                r.kind = SCALAR_BOOL;
                r.b = word_in(s, n, true_words);
                return r;
        }
        if (word_in(s, n, special_words)) {
                r.kind = SCALAR_SPECIAL;
                return r;
        }
        if (n == 2 && s[0] == '<' && s[1] == '<') {
                r.kind = SCALAR_MERGE;
                return r;
        }
        if (s[0] == '.') {
                if (yaml_float_syntax(s, n) && parse_float(s, n, &r.d))
                        r.kind = SCALAR_FLOAT;
                return r;
        }
        if (!(is_digit(s[0]) || s[0] == '-' || s[0] == '+'))
                return r;
        /* go-yaml drops every '_' before reading a number. */
        _cleanup_free_ char *plain = xmalloc(n + 1);
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
                if (s[i] != '_')
                        plain[m++] = s[i];
        plain[m] = '\0';
        uint64_t u;
        switch (go_parse_int(plain, m, &r.i, &u)) {
        case 1:
                r.kind = SCALAR_INT;
                return r;
        case 2:
                r.kind = SCALAR_INT;
                r.big = true;
                r.d = (double)u;
                return r;
        }
        if (yaml_float_syntax(plain, m) && parse_float(plain, m, &r.d))
                r.kind = SCALAR_FLOAT;
        return r;
}

/* --- parsing ---------------------------------------------------------------- */

#define TAG_PREFIX "tag:yaml.org,2002:"

typedef struct yframe {
        json *node;
        char *key; /* pending key of a mapping */
} yframe;

typedef struct yparse {
        const json_limits *lim;
        yframe *stack;
        size_t depth, cap;
        json *root;
        tm_error **err;
} yparse;

static int yfail(yparse *p, int code, yaml_mark_t mark, const char *fmt, ...) _printf_(4, 5);
static int yfail(yparse *p, int code, yaml_mark_t mark, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *m = xvasprintf(fmt, ap);
        va_end(ap);
        return tm_error_set(p->err, code, "invalid YAML at line %zu, column %zu: %s", mark.line + 1,
                            mark.column + 1, m);
}

/* A scalar value as JSON, or an error. */
static int scalar_value(yparse *p, const yaml_event_t *ev, json **ret) {
        const char *s = (const char *)ev->data.scalar.value;
        size_t n = ev->data.scalar.length;
        const char *tag = (const char *)ev->data.scalar.tag;
        bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        scalar r;

        if (tag && !startswith(tag, TAG_PREFIX))
                return yfail(p, -EINVAL, ev->start_mark, "tag %s is not supported", tag);
        const char *t = tag ? tag + strlen(TAG_PREFIX) : NULL;
        if (!t)
                r = plain ? resolve_plain(s, n) : (scalar){ .kind = SCALAR_STRING };
        else if (streq(t, "str"))
                r = (scalar){ .kind = SCALAR_STRING };
        else if (streq(t, "null") || streq(t, "bool") || streq(t, "int") || streq(t, "float")) {
                /* An explicit tag resolves even a quoted scalar, and the
                 * value must be of that type (!!float takes integers). */
                r = resolve_plain(s, n);
                scalar_kind want = streq(t, "null")   ? SCALAR_NULL
                                   : streq(t, "bool") ? SCALAR_BOOL
                                   : streq(t, "int")  ? SCALAR_INT
                                                      : SCALAR_FLOAT;
                if (want == SCALAR_FLOAT && r.kind == SCALAR_INT) {
                        r.kind = SCALAR_FLOAT;
                        if (!r.big)
                                r.d = (double)r.i;
                }
                if (r.kind != want && !(want == SCALAR_FLOAT && r.kind == SCALAR_SPECIAL))
                        return yfail(p, -EINVAL, ev->start_mark, "cannot read \"%.40s%s\" as !!%s",
                                     s, n > 40 ? "..." : "", t);
        } else
                return yfail(p, -EINVAL, ev->start_mark, "tag !!%s is not supported", t);

        switch (r.kind) {
        case SCALAR_STRING:
        case SCALAR_MERGE:
                *ret = json_new_stringn(s, n);
                return 0;
        case SCALAR_NULL:
                *ret = json_new_null();
                return 0;
        case SCALAR_BOOL:
                *ret = json_new_bool(r.b);
                return 0;
        case SCALAR_INT:
                *ret = r.big ? json_new_double(r.d) : json_new_int(r.i);
                return 0;
        case SCALAR_FLOAT:
                /* sigs.k8s.io/yaml writes 3.0 as 3: an integer once in JSON. */
                if (r.d == floor(r.d) && r.d >= -9223372036854775808.0 &&
                    r.d < 9223372036854775808.0)
                        *ret = json_new_int((int64_t)r.d);
                else
                        *ret = json_new_double(r.d);
                return 0;
        case SCALAR_SPECIAL:
                return yfail(p, -ERANGE, ev->start_mark,
                             "%.*s (infinity or NaN) cannot be represented in JSON", (int)n, s);
        }
        abort();
}

/* A mapping key as a string, as sigs.k8s.io/yaml makes it. */
static int scalar_key(yparse *p, const yaml_event_t *ev, char **ret) {
        _cleanup_json_ json *v = NULL;
        const char *s = (const char *)ev->data.scalar.value;
        size_t n = ev->data.scalar.length;
        if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev->data.scalar.tag &&
            resolve_plain(s, n).kind == SCALAR_MERGE)
                return yfail(p, -EINVAL, ev->start_mark, "merge keys (<<) are not supported");
        int r = scalar_value(p, ev, &v);
        if (r < 0)
                return r;
        switch (json_get_type(v)) {
        case JSON_STRING:
                if (memchr(json_string(v), '\0', json_string_len(v)))
                        return yfail(p, -EINVAL, ev->start_mark,
                                     "a mapping key contains a NUL character");
                *ret = xstrdup(json_string(v));
                return 0;
        case JSON_BOOL:
                *ret = xstrdup(json_bool(v) ? "true" : "false");
                return 0;
        case JSON_INT:
                *ret = xasprintf("%" PRId64, json_int(v));
                return 0;
        case JSON_DOUBLE: {
                char buf[32];
                json_format_double(json_double(v), buf);
                *ret = xstrdup(buf);
                return 0;
        }
        default:
                return yfail(p, -EINVAL, ev->start_mark, "a mapping key cannot be null");
        }
}

/* Hang v on the innermost collection (or make it the document). */
static void yadd(yparse *p, json *v) {
        if (p->depth == 0) {
                json_free(p->root);
                p->root = v;
                return;
        }
        yframe *f = &p->stack[p->depth - 1];
        if (json_is_array(f->node)) {
                json_array_append(f->node, v);
                return;
        }
        json_object_set(f->node, f->key, v); /* a duplicate key: the last wins */
        free(f->key);
        f->key = NULL;
}

static bool expecting_key(const yparse *p) {
        if (p->depth == 0)
                return false;
        const yframe *f = &p->stack[p->depth - 1];
        return json_is_object(f->node) && !f->key;
}

static int ycollection(yparse *p, const yaml_event_t *ev, bool mapping) {
        const char *anchor = (const char *)(mapping ? ev->data.mapping_start.anchor
                                                    : ev->data.sequence_start.anchor);
        const char *tag =
                (const char *)(mapping ? ev->data.mapping_start.tag : ev->data.sequence_start.tag);
        if (anchor)
                return yfail(p, -EINVAL, ev->start_mark, "anchors (&%s) are not supported", anchor);
        if (tag && !streq(tag, mapping ? TAG_PREFIX "map" : TAG_PREFIX "seq"))
                return yfail(p, -EINVAL, ev->start_mark, "tag %s is not supported on a %s", tag,
                             mapping ? "mapping" : "sequence");
        if (expecting_key(p))
                return yfail(p, -EINVAL, ev->start_mark, "a mapping key must be a scalar");
        if (p->lim->max_depth && p->depth >= p->lim->max_depth)
                return yfail(p, -E2BIG, ev->start_mark,
                             "nesting deeper than the limit of %u (max_depth)", p->lim->max_depth);
        json *v = mapping ? json_new_object() : json_new_array();
        yadd(p, v);
        if (p->depth == p->cap) {
                p->cap = p->cap ? p->cap * 2 : 16;
                p->stack = xreallocarray(p->stack, p->cap, sizeof(yframe));
        }
        p->stack[p->depth++] = (yframe){ .node = v };
        return 0;
}

static int yscalar(yparse *p, const yaml_event_t *ev) {
        if (ev->data.scalar.anchor)
                return yfail(p, -EINVAL, ev->start_mark, "anchors (&%s) are not supported",
                             (const char *)ev->data.scalar.anchor);
        if (p->lim->max_string && ev->data.scalar.length > p->lim->max_string)
                return yfail(p, -E2BIG, ev->start_mark,
                             "scalar of %zu bytes exceeds the limit of %zu (max_string)",
                             ev->data.scalar.length, p->lim->max_string);
        int r;
        if (expecting_key(p))
                return scalar_key(p, ev, &p->stack[p->depth - 1].key);
        json *v;
        r = scalar_value(p, ev, &v);
        if (r < 0)
                return r;
        yadd(p, v);
        return 0;
}

/* 1-based line and column of a byte offset (for libyaml's reader errors,
 * which give only an offset). */
static yaml_mark_t offset_mark(const char *buf, size_t len, size_t off) {
        yaml_mark_t m = { 0 };
        if (off > len)
                off = len;
        for (size_t i = 0; i < off; i++) {
                if (buf[i] == '\n') {
                        m.line++;
                        m.column = 0;
                } else if (((unsigned char)buf[i] & 0xc0) != 0x80) {
                        m.column++;
                }
        }
        return m;
}

static int parser_error(yparse *p, const yaml_parser_t *y, const char *buf, size_t len) {
        if (y->error == YAML_MEMORY_ERROR)
                oom();
        const char *problem = y->problem ? y->problem : "syntax error";
        if (y->error == YAML_READER_ERROR) {
                if (y->problem_value != -1)
                        return yfail(p, -EINVAL, offset_mark(buf, len, y->problem_offset),
                                     "%s (byte 0x%02x)", problem, (unsigned)y->problem_value);
                return yfail(p, -EINVAL, offset_mark(buf, len, y->problem_offset), "%s", problem);
        }
        if (y->context)
                return yfail(p, -EINVAL, y->problem_mark, "%s %s (line %zu, column %zu)", problem,
                             y->context, y->context_mark.line + 1, y->context_mark.column + 1);
        return yfail(p, -EINVAL, y->problem_mark, "%s", problem);
}

static int yaml_parse_docs(const char *buf, size_t len, const json_limits *limits, bool single,
                           json **ret, tm_error **err) {
        const json_limits *lim = limits ? limits : &json_default_limits;
        if (lim->max_size && len > lim->max_size)
                return tm_error_set(
                        err, -E2BIG,
                        "YAML document of %zu bytes exceeds the limit of %zu (max_size)", len,
                        lim->max_size);
        yaml_parser_t y;
        if (!yaml_parser_initialize(&y))
                oom();
        yaml_parser_set_input_string(&y, (const unsigned char *)buf, len);
        yparse p = { .lim = lim, .err = err };
        _cleanup_json_ json *docs = json_new_array();
        yaml_mark_t doc_start = { 0 };
        int r = 0;
        bool done = false;
        while (!done && r >= 0) {
                yaml_event_t ev;
                if (!yaml_parser_parse(&y, &ev)) {
                        r = parser_error(&p, &y, buf, len);
                        break;
                }
                switch (ev.type) {
                case YAML_STREAM_END_EVENT:
                        done = true;
                        break;
                case YAML_DOCUMENT_START_EVENT:
                        doc_start = ev.start_mark;
                        break;
                case YAML_DOCUMENT_END_EVENT:
                        if (p.root && !json_is_null(p.root)) {
                                if (single && json_array_len(docs) > 0)
                                        r = yfail(&p, -EINVAL, doc_start,
                                                  "a second document where one was expected");
                                else
                                        json_array_append(docs, TAKE_PTR(p.root));
                        }
                        json_free(TAKE_PTR(p.root));
                        break;
                case YAML_ALIAS_EVENT:
                        r = yfail(&p, -EINVAL, ev.start_mark, "aliases (*%s) are not supported",
                                  (const char *)ev.data.alias.anchor);
                        break;
                case YAML_SCALAR_EVENT:
                        r = yscalar(&p, &ev);
                        break;
                case YAML_SEQUENCE_START_EVENT:
                case YAML_MAPPING_START_EVENT:
                        r = ycollection(&p, &ev, ev.type == YAML_MAPPING_START_EVENT);
                        break;
                case YAML_SEQUENCE_END_EVENT:
                case YAML_MAPPING_END_EVENT:
                        p.depth--;
                        break;
                default:
                        break;
                }
                yaml_event_delete(&ev);
        }
        yaml_parser_delete(&y);
        for (size_t i = 0; i < p.depth; i++)
                free(p.stack[i].key);
        free(p.stack);
        json_free(p.root);
        if (r < 0)
                return r;
        if (single) {
                json *v = json_array_len(docs) ? json_array_take(docs, 0) : json_new_null();
                *ret = v;
        } else {
                *ret = TAKE_PTR(docs);
        }
        return 0;
}

int tm_yaml_parse(const char *buf, size_t len, const json_limits *limits, json **ret,
                  tm_error **err) {
        return yaml_parse_docs(buf, len, limits, true, ret, err);
}

int tm_yaml_parse_stream(const char *buf, size_t len, const json_limits *limits, json **ret_array,
                         tm_error **err) {
        return yaml_parse_docs(buf, len, limits, false, ret_array, err);
}

/* --- emitting --------------------------------------------------------------- */

static int write_out(void *data, unsigned char *buf, size_t size) {
        strbuf_append(data, buf, size);
        return 1;
}

/* Bytes of a valid UTF-8 sequence (no overlongs, surrogates, or beyond
 * U+10FFFF) at s, or 0. */
static size_t utf8_len(const unsigned char *s, size_t n) {
        unsigned char c = s[0];
        size_t need;
        uint32_t cp;
        if (c < 0x80)
                return 1;
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

/* A copy with invalid UTF-8 replaced by U+FFFD, or NULL if s is valid. */
static char *utf8_fix(const char *str, size_t n, size_t *ret_n) {
        const unsigned char *s = (const unsigned char *)str;
        size_t i = 0, k;
        while (i < n && (k = utf8_len(s + i, n - i)))
                i += k;
        if (i == n)
                return NULL;
        strbuf b = STRBUF_INIT;
        strbuf_append(&b, s, i);
        while (i < n) {
                k = utf8_len(s + i, n - i);
                if (k) {
                        strbuf_append(&b, s + i, k);
                        i += k;
                } else {
                        strbuf_append(&b, "\xef\xbf\xbd", 3);
                        i++;
                }
        }
        return strbuf_take(&b, ret_n);
}

/* Line breaks other than \n (\r, NEL, LS, PS) would come back as \n (or
 * not at all) from a plain or block scalar: only double quotes keep them. */
static bool has_odd_break(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c == '\r' || (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] == 0x85) ||
                    (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
                     ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)))
                        return true;
        }
        return false;
}

static bool emit(yaml_emitter_t *e, yaml_event_t *ev) {
        return yaml_emitter_emit(e, ev); /* takes the event, even on failure */
}

static bool emit_plain(yaml_emitter_t *e, const char *s) {
        yaml_event_t ev;
        return yaml_scalar_event_initialize(&ev, NULL, NULL, (const yaml_char_t *)s, (int)strlen(s),
                                            1, 0, YAML_PLAIN_SCALAR_STYLE) &&
               emit(e, &ev);
}

static bool emit_string(yaml_emitter_t *e, const char *s, size_t n) {
        _cleanup_free_ char *fixed = utf8_fix(s, n, &n);
        if (fixed)
                s = fixed;
        if (n > INT_MAX)
                return false;
        /* Quote what would read back as something else (and anything that
         * looks like a float, which another YAML reader might take as one). */
        bool quote = resolve_plain(s, n).kind != SCALAR_STRING ||
                     (n && (is_digit(s[0]) || s[0] == '.' || s[0] == '-' || s[0] == '+') &&
                      yaml_float_syntax(s, n)) ||
                     has_odd_break(s, n);
        yaml_scalar_style_t style = quote                ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
                                    : memchr(s, '\n', n) ? YAML_LITERAL_SCALAR_STYLE
                                                         : YAML_ANY_SCALAR_STYLE;
        yaml_event_t ev;
        return yaml_scalar_event_initialize(&ev, NULL, NULL, (const yaml_char_t *)s, (int)n, !quote,
                                            1, style) &&
               emit(e, &ev);
}

static bool emit_value(yaml_emitter_t *e, const json *v) {
        yaml_event_t ev;
        switch (json_get_type(v)) {
        case JSON_NULL:
                return emit_plain(e, "null");
        case JSON_BOOL:
                return emit_plain(e, json_bool(v) ? "true" : "false");
        case JSON_INT: {
                char buf[24];
                snprintf(buf, sizeof buf, "%" PRId64, json_int(v));
                return emit_plain(e, buf);
        }
        case JSON_DOUBLE: {
                char buf[32];
                json_format_double(json_double(v), buf);
                return emit_plain(e, buf);
        }
        case JSON_STRING:
                return emit_string(e, json_string(v), json_string_len(v));
        case JSON_ARRAY:
                if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                                          YAML_BLOCK_SEQUENCE_STYLE) ||
                    !emit(e, &ev))
                        return false;
                for (size_t i = 0; i < json_array_len(v); i++)
                        if (!emit_value(e, json_array_get(v, i)))
                                return false;
                return yaml_sequence_end_event_initialize(&ev) && emit(e, &ev);
        case JSON_OBJECT:
                if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                                                         YAML_BLOCK_MAPPING_STYLE) ||
                    !emit(e, &ev))
                        return false;
                for (size_t i = 0; i < json_object_len(v); i++) {
                        const char *k = json_object_key_at(v, i);
                        if (!emit_string(e, k, strlen(k)) ||
                            !emit_value(e, json_object_value_at(v, i)))
                                return false;
                }
                return yaml_mapping_end_event_initialize(&ev) && emit(e, &ev);
        default:
                return emit_plain(e, "null");
        }
}

char *tm_yaml_serialize(const json *v) {
        yaml_emitter_t e;
        if (!yaml_emitter_initialize(&e))
                oom();
        _cleanup_strbuf_ strbuf out = STRBUF_INIT;
        yaml_emitter_set_output(&e, write_out, &out);
        yaml_emitter_set_unicode(&e, 1);
        yaml_emitter_set_width(&e, -1); /* no folding of long lines */
        yaml_emitter_set_indent(&e, 2);
        yaml_event_t ev;
        bool good =
                yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) && emit(&e, &ev) &&
                yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) && emit(&e, &ev) &&
                emit_value(&e, v) && yaml_document_end_event_initialize(&ev, 1) && emit(&e, &ev) &&
                yaml_stream_end_event_initialize(&ev) && emit(&e, &ev) && yaml_emitter_flush(&e);
        yaml_emitter_delete(&e);
        if (!good)
                return NULL;
        return strbuf_take(&out, NULL);
}
