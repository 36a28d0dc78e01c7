/* SPDX-License-Identifier: Apache-2.0 */
/* Label and field selectors; see selector.h. The grammar, the order of
 * checks and every message follow apimachinery's pkg/labels and pkg/fields,
 * including their quirks (the doubled space in "e.g." lists, the "<nil>"
 * field path of key errors, value errors indexed into the sorted values). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "selector.h"
#include "strbuf.h"

/* ---- Go formatting of bad values ---------------------------------------- */

/* utf8.DecodeRune: an invalid or truncated sequence is U+FFFD of width 1. */
static uint32_t utf8_decode(const unsigned char *s, size_t n, size_t *ret_width) {
        unsigned char b0 = s[0];
        uint32_t r;
        size_t w;
        unsigned char lo = 0x80, hi = 0xbf;

        if (b0 < 0x80) {
                *ret_width = 1;
                return b0;
        }
        if (b0 >= 0xc2 && b0 <= 0xdf) {
                w = 2;
                r = b0 & 0x1f;
        } else if (b0 >= 0xe0 && b0 <= 0xef) {
                w = 3;
                r = b0 & 0x0f;
                if (b0 == 0xe0)
                        lo = 0xa0;
                else if (b0 == 0xed)
                        hi = 0x9f;
        } else if (b0 >= 0xf0 && b0 <= 0xf4) {
                w = 4;
                r = b0 & 0x07;
                if (b0 == 0xf0)
                        lo = 0x90;
                else if (b0 == 0xf4)
                        hi = 0x8f;
        } else
                goto invalid;
        if (n < w || s[1] < lo || s[1] > hi)
                goto invalid;
        r = (r << 6) | (s[1] & 0x3f);
        for (size_t i = 2; i < w; i++) {
                if (s[i] < 0x80 || s[i] > 0xbf)
                        goto invalid;
                r = (r << 6) | (s[i] & 0x3f);
        }
        *ret_width = w;
        return r;
invalid:
        *ret_width = 1;
        return 0xfffd;
}

static void utf8_put(strbuf *b, uint32_t r) {
        char buf[4];
        size_t n;
        if (r < 0x80) {
                buf[0] = (char)r;
                n = 1;
        } else if (r < 0x800) {
                buf[0] = (char)(0xc0 | (r >> 6));
                buf[1] = (char)(0x80 | (r & 0x3f));
                n = 2;
        } else if (r < 0x10000) {
                buf[0] = (char)(0xe0 | (r >> 12));
                buf[1] = (char)(0x80 | ((r >> 6) & 0x3f));
                buf[2] = (char)(0x80 | (r & 0x3f));
                n = 3;
        } else {
                buf[0] = (char)(0xf0 | (r >> 18));
                buf[1] = (char)(0x80 | ((r >> 12) & 0x3f));
                buf[2] = (char)(0x80 | ((r >> 6) & 0x3f));
                buf[3] = (char)(0x80 | (r & 0x3f));
                n = 4;
        }
        strbuf_append(b, buf, n);
}

/* unicode.IsPrint for non-ASCII runes, approximated: the separators, format
 * and private-use ranges are left out; unassigned code points are not. */
static bool rune_is_print(uint32_t r) {
        static const uint32_t unprintable[][2] = {
                { 0x80, 0xa0 },        { 0xad, 0xad },     { 0x600, 0x605 },   { 0x61c, 0x61c },
                { 0x6dd, 0x6dd },      { 0x70f, 0x70f },   { 0x1680, 0x1680 }, { 0x180e, 0x180e },
                { 0x2000, 0x200f },    { 0x2028, 0x202f }, { 0x205f, 0x206f }, { 0x3000, 0x3000 },
                { 0xd800, 0xf8ff },    { 0xfeff, 0xfeff }, { 0xfff9, 0xfffb }, { 0xfffe, 0xffff },
                { 0xe0000, 0x10ffff },
        };
        for (size_t i = 0; i < ELEMENTSOF(unprintable); i++)
                if (r >= unprintable[i][0] && r <= unprintable[i][1])
                        return false;
        return true;
}

/* fmt's %q (strconv.Quote). */
static void go_quote(strbuf *b, const char *s) {
        const unsigned char *p = (const unsigned char *)s;
        size_t n = strlen(s);

        strbuf_putc(b, '"');
        for (size_t i = 0; i < n;) {
                size_t w;
                uint32_t r = utf8_decode(p + i, n - i, &w);
                if (w == 1 && r == 0xfffd) {
                        strbuf_printf(b, "\\x%02x", p[i]);
                        i++;
                        continue;
                }
                i += w;
                if (r == '"' || r == '\\') {
                        strbuf_putc(b, '\\');
                        strbuf_putc(b, (char)r);
                } else if (r >= 0x20 && r < 0x7f) {
                        strbuf_putc(b, (char)r);
                } else if (r >= 0x80 && rune_is_print(r)) {
                        utf8_put(b, r);
                } else if (r == '\a') {
                        strbuf_puts(b, "\\a");
                } else if (r == '\b') {
                        strbuf_puts(b, "\\b");
                } else if (r == '\f') {
                        strbuf_puts(b, "\\f");
                } else if (r == '\n') {
                        strbuf_puts(b, "\\n");
                } else if (r == '\r') {
                        strbuf_puts(b, "\\r");
                } else if (r == '\t') {
                        strbuf_puts(b, "\\t");
                } else if (r == '\v') {
                        strbuf_puts(b, "\\v");
                } else if (r < 0x20 || r == 0x7f) {
                        strbuf_printf(b, "\\x%02x", r);
                } else if (r < 0x10000) {
                        strbuf_printf(b, "\\u%04" PRIx32, r);
                } else {
                        strbuf_printf(b, "\\U%08" PRIx32, r);
                }
        }
        strbuf_putc(b, '"');
}

/* encoding/json's rendering of a string (HTML-safe, invalid UTF-8 as
 * U+FFFD). */
static void go_json_string(strbuf *b, const char *s) {
        const unsigned char *p = (const unsigned char *)s;
        size_t n = strlen(s);

        strbuf_putc(b, '"');
        for (size_t i = 0; i < n;) {
                unsigned char c = p[i];
                if (c < 0x80) {
                        i++;
                        if (c == '"' || c == '\\') {
                                strbuf_putc(b, '\\');
                                strbuf_putc(b, (char)c);
                        } else if (c == '\b') {
                                strbuf_puts(b, "\\b");
                        } else if (c == '\f') {
                                strbuf_puts(b, "\\f");
                        } else if (c == '\n') {
                                strbuf_puts(b, "\\n");
                        } else if (c == '\r') {
                                strbuf_puts(b, "\\r");
                        } else if (c == '\t') {
                                strbuf_puts(b, "\\t");
                        } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
                                strbuf_printf(b, "\\u%04x", c);
                        } else {
                                strbuf_putc(b, (char)c);
                        }
                        continue;
                }
                size_t w;
                uint32_t r = utf8_decode(p + i, n - i, &w);
                if (w == 1 && r == 0xfffd)
                        strbuf_puts(b, "\\ufffd");
                else if (r == 0x2028 || r == 0x2029)
                        strbuf_printf(b, "\\u%04" PRIx32, r);
                else
                        strbuf_append(b, p + i, w);
                i += w;
        }
        strbuf_putc(b, '"');
}

/* Room for element n of an array grown by doubling (its capacity is
 * implied by n: 4, then the next power of two). */
static void *grow(void *p, size_t n, size_t size) {
        if (n > 4 && (n & (n - 1)) != 0)
                return p;
        return xreallocarray(p, n < 4 ? 4 : n * 2, size);
}

/* ---- field.ErrorList and its aggregate ---------------------------------- */

typedef struct errlist {
        char **msgs;
        size_t n;
} errlist;

/* Upstream drops repeated messages; ours cannot repeat, since each names a
 * distinct field path ("key", "values", "values[i]", "values[i][key]"). */
static void errlist_add(errlist *l, char *take) {
        l->msgs = grow(l->msgs, l->n, sizeof(char *));
        l->msgs[l->n++] = take;
}

/* "<field>: Invalid value: <%q of value>: <detail>" */
static void errlist_invalid(errlist *l, const char *field, const char *value, const char *detail) {
        strbuf b = STRBUF_INIT;
        strbuf_printf(&b, "%s: Invalid value: ", field);
        go_quote(&b, value);
        strbuf_printf(&b, ": %s", detail);
        errlist_add(l, strbuf_take(&b, NULL));
}

/* The aggregate's message (NULL if empty); frees the list. */
static char *errlist_take_message(errlist *l) {
        char *r = NULL;
        if (l->n == 1) {
                r = l->msgs[0];
                l->msgs[0] = NULL;
        } else if (l->n > 1) {
                strbuf b = STRBUF_INIT;
                strbuf_putc(&b, '[');
                for (size_t i = 0; i < l->n; i++) {
                        if (i > 0)
                                strbuf_puts(&b, ", ");
                        strbuf_puts(&b, l->msgs[i]);
                }
                strbuf_putc(&b, ']');
                r = strbuf_take(&b, NULL);
        }
        for (size_t i = 0; i < l->n; i++)
                free(l->msgs[i]);
        free(l->msgs);
        l->msgs = NULL;
        l->n = 0;
        return r;
}

/* ---- label keys and values ---------------------------------------------- */

#define LABEL_KEY_FMT         "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
#define LABEL_VALUE_FMT       "(" LABEL_KEY_FMT ")?"
#define DNS1123_LABEL_FMT     "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
#define DNS1123_SUBDOMAIN_FMT DNS1123_LABEL_FMT "(\\." DNS1123_LABEL_FMT ")*"
#define LABEL_KEY_ERR                                                                       \
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end " \
        "with an alphanumeric character"
#define LABEL_KEY_REGEX_ERR                                                                       \
        LABEL_KEY_ERR " (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation " \
                      "is '" LABEL_KEY_FMT "')"
#define LABEL_VALUE_REGEX_ERR                                                                    \
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' " \
        "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "    \
        "'my_value',  or '12345', regex used for validation is '" LABEL_VALUE_FMT "')"
#define DNS1123_SUBDOMAIN_REGEX_ERR                                                           \
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, " \
        "'-' or '.', and must start and end with an alphanumeric character (e.g. "            \
        "'example.com', regex used for validation is '" DNS1123_SUBDOMAIN_FMT "')"

static bool is_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* LABEL_KEY_FMT, anchored. */
static bool label_name_matches(const char *s, size_t n) {
        if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
                        return false;
        return true;
}

/* DNS1123_SUBDOMAIN_FMT, anchored: dot-separated lowercase labels. */
static bool dns1123_subdomain_matches(const char *s, size_t n) {
        size_t start = 0;
        for (size_t i = 0; i <= n; i++) {
                if (i < n && s[i] != '.') {
                        char c = s[i];
                        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
                                return false;
                        continue;
                }
                if (i == start || s[start] == '-' || s[i - 1] == '-')
                        return false;
                start = i + 1;
        }
        return true;
}

/* content.IsLabelKey: the details joined by "; ", or NULL. */
static char *label_key_errors(const char *k) {
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        const char *slash = strchr(k, '/');
        const char *name = k;

        if (slash && strchr(slash + 1, '/'))
                return xstrdup("a valid label key " LABEL_KEY_REGEX_ERR
                               " with an optional DNS subdomain prefix and '/' (e.g. "
                               "'example.com/MyName')");
        if (slash) {
                size_t plen = (size_t)(slash - k);
                name = slash + 1;
                if (plen == 0)
                        strbuf_puts(&b, "; prefix part must be non-empty");
                else {
                        if (plen > 253)
                                strbuf_puts(&b, "; prefix part must be no more than 253 bytes");
                        if (!dns1123_subdomain_matches(k, plen))
                                strbuf_puts(&b, "; prefix part " DNS1123_SUBDOMAIN_REGEX_ERR);
                }
        }
        size_t nlen = strlen(name);
        if (nlen == 0)
                strbuf_puts(&b, "; name part must be non-empty");
        else if (nlen > 63)
                strbuf_puts(&b, "; name part must be no more than 63 bytes");
        if (!label_name_matches(name, nlen))
                strbuf_puts(&b, "; name part " LABEL_KEY_REGEX_ERR);
        if (b.len == 0)
                return NULL;
        return xstrdup(b.data + 2);
}

/* content.IsLabelValue. */
static char *label_value_errors(const char *v) {
        size_t n = strlen(v);
        bool too_long = n > 63, bad = n > 0 && !label_name_matches(v, n);

        if (too_long && bad)
                return xstrdup("must be no more than 63 bytes; " LABEL_VALUE_REGEX_ERR);
        if (too_long)
                return xstrdup("must be no more than 63 bytes");
        if (bad)
                return xstrdup(LABEL_VALUE_REGEX_ERR);
        return NULL;
}

bool label_key_is_valid(const char *key, char **ret_msg) {
        char *m = label_key_errors(key);
        if (!m)
                return true;
        if (ret_msg)
                *ret_msg = m;
        else
                free(m);
        return false;
}

bool label_value_is_valid(const char *value, char **ret_msg) {
        char *m = label_value_errors(value);
        if (!m)
                return true;
        if (ret_msg)
                *ret_msg = m;
        else
                free(m);
        return false;
}

/* ---- requirements -------------------------------------------------------- */

struct label_selector {
        bool nothing;
        label_requirement *reqs;
        size_t n;
};

static const char *const op_names[_LABEL_SELECTOR_OP_MAX] = {
        [LABEL_SELECTOR_OP_IN] = "in",
        [LABEL_SELECTOR_OP_NOT_IN] = "notin",
        [LABEL_SELECTOR_OP_EQUALS] = "=",
        [LABEL_SELECTOR_OP_DOUBLE_EQUALS] = "==",
        [LABEL_SELECTOR_OP_NOT_EQUALS] = "!=",
        [LABEL_SELECTOR_OP_EXISTS] = "exists",
        [LABEL_SELECTOR_OP_DOES_NOT_EXIST] = "!",
        [LABEL_SELECTOR_OP_GT] = "gt",
        [LABEL_SELECTOR_OP_LT] = "lt",
};

const char *label_selector_op_name(label_selector_op op) {
        if (op < 0 || op >= _LABEL_SELECTOR_OP_MAX)
                return NULL;
        return op_names[op];
}

static void requirement_done(label_requirement *r) {
        free(r->key);
        for (size_t i = 0; i < r->n_values; i++)
                free(r->values[i]);
        free(r->values);
}

/* strconv.ParseInt(s, 10, 64). */
static bool parse_int64(const char *s, int64_t *ret) {
        const char *p = s;
        bool neg = false;
        uint64_t v = 0, limit;

        if (*p == '+' || *p == '-')
                neg = *p++ == '-';
        if (!*p)
                return false;
        limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
        for (; *p; p++) {
                if (*p < '0' || *p > '9')
                        return false;
                unsigned d = (unsigned)(*p - '0');
                if (v > (limit - d) / 10)
                        return false;
                v = v * 10 + d;
        }
        *ret = neg ? (int64_t)(0 - v) : (int64_t)v;
        return true;
}

/* labels.NewRequirement's checks (with no field path): the aggregated
 * message, or NULL if the requirement is valid. */
static char *requirement_check(const char *key, label_selector_op op, char *const *vals, size_t n) {
        errlist l = { 0 };
        char *detail = NULL;
        const char *op_err = NULL;

        detail = label_key_errors(key);
        if (detail) {
                errlist_invalid(&l, "key", key, detail);
                free(detail);
        }
        switch (op) {
        case LABEL_SELECTOR_OP_IN:
        case LABEL_SELECTOR_OP_NOT_IN:
                if (n == 0)
                        op_err = "for 'in', 'notin' operators, values set can't be empty";
                break;
        case LABEL_SELECTOR_OP_EQUALS:
        case LABEL_SELECTOR_OP_DOUBLE_EQUALS:
        case LABEL_SELECTOR_OP_NOT_EQUALS:
                if (n != 1)
                        op_err = "exact-match compatibility requires one single value";
                break;
        case LABEL_SELECTOR_OP_EXISTS:
        case LABEL_SELECTOR_OP_DOES_NOT_EXIST:
                if (n != 0)
                        op_err = "values set must be empty for exists and does not exist";
                break;
        case LABEL_SELECTOR_OP_GT:
        case LABEL_SELECTOR_OP_LT:
                if (n != 1)
                        op_err = "for 'Gt', 'Lt' operators, exactly one value is required";
                break;
        default:
                break;
        }
        if (op_err) {
                /* The bad value is the []string, rendered as JSON (nil: null). */
                _cleanup_strbuf_ strbuf b = STRBUF_INIT;
                strbuf_puts(&b, "values: Invalid value: ");
                if (n == 0)
                        strbuf_puts(&b, "null");
                else {
                        strbuf_putc(&b, '[');
                        for (size_t i = 0; i < n; i++) {
                                if (i > 0)
                                        strbuf_putc(&b, ',');
                                go_json_string(&b, vals[i]);
                        }
                        strbuf_putc(&b, ']');
                }
                strbuf_printf(&b, ": %s", op_err);
                errlist_add(&l, strbuf_take(&b, NULL));
        }
        if (op == LABEL_SELECTOR_OP_GT || op == LABEL_SELECTOR_OP_LT)
                for (size_t i = 0; i < n; i++) {
                        int64_t v;
                        if (parse_int64(vals[i], &v))
                                continue;
                        char *field = xasprintf("values[%zu]", i);
                        errlist_invalid(&l, field, vals[i],
                                        "for 'Gt', 'Lt' operators, the value must be an integer");
                        free(field);
                }
        for (size_t i = 0; i < n; i++) {
                detail = label_value_errors(vals[i]);
                if (!detail)
                        continue;
                char *field = xasprintf("values[%zu][%s]", i, key);
                errlist_invalid(&l, field, vals[i], detail);
                free(field);
                free(detail);
        }
        return errlist_take_message(&l);
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort and drop duplicates (sets.String.List()). */
static void values_sort_unique(char **v, size_t *n) {
        size_t j = 0;
        if (*n == 0)
                return;
        qsort(v, *n, sizeof(char *), cmp_str);
        for (size_t i = 1; i < *n; i++) {
                if (streq(v[i], v[j]))
                        free(v[i]);
                else
                        v[++j] = v[i];
        }
        *n = j + 1;
}

/* Stable sort by key (upstream's sort.Sort is an insertion sort up to 12
 * elements, hence stable there). */
static void requirements_sort(label_requirement *r, size_t n) {
        if (n < 2)
                return;
        label_requirement *tmp = xreallocarray(NULL, n, sizeof(*tmp));
        for (size_t width = 1; width < n; width *= 2) {
                for (size_t lo = 0; lo < n; lo += 2 * width) {
                        size_t mid = lo + width < n ? lo + width : n;
                        size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
                        size_t i = lo, j = mid, k = lo;
                        while (i < mid && j < hi)
                                tmp[k++] = strcmp(r[j].key, r[i].key) < 0 ? r[j++] : r[i++];
                        while (i < mid)
                                tmp[k++] = r[i++];
                        while (j < hi)
                                tmp[k++] = r[j++];
                }
                memcpy(r, tmp, n * sizeof(*r));
        }
        free(tmp);
}

static void selector_append(label_selector *s, label_requirement *take) {
        s->reqs = grow(s->reqs, s->n, sizeof(*s->reqs));
        s->reqs[s->n++] = *take;
        *take = (label_requirement){ 0 };
}

label_selector *label_selector_new_everything(void) {
        return xcalloc(1, sizeof(label_selector));
}

label_selector *label_selector_new_nothing(void) {
        label_selector *s = xcalloc(1, sizeof(label_selector));
        s->nothing = true;
        return s;
}

void label_selector_free(label_selector *s) {
        if (!s)
                return;
        for (size_t i = 0; i < s->n; i++)
                requirement_done(&s->reqs[i]);
        free(s->reqs);
        free(s);
}

/* ---- the label selector lexer and parser ---------------------------------- */

typedef enum token_type {
        TOK_END,
        TOK_CLOSE_PAR,
        TOK_COMMA,
        TOK_BANG,
        TOK_DOUBLE_EQUALS,
        TOK_EQUALS,
        TOK_GT,
        TOK_IDENT,
        TOK_IN,
        TOK_LT,
        TOK_NOT_EQUALS,
        TOK_NOT_IN,
        TOK_OPEN_PAR,
} token_type;

typedef struct token {
        token_type type;
        const char *lit;
        size_t len;
} token;

static bool is_ws(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_special(char c) {
        return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

static token lex(const char **pp) {
        const char *p = *pp;
        token t = { TOK_END, "", 0 };

        while (is_ws(*p))
                p++;
        if (!*p) {
                *pp = p;
                return t;
        }
        t.lit = p;
        if (is_special(*p)) {
                /* Longest match: "==" and "!=" are the only two-byte tokens. */
                t.len = 1;
                if ((p[0] == '=' || p[0] == '!') && p[1] == '=') {
                        t.len = 2;
                        t.type = p[0] == '=' ? TOK_DOUBLE_EQUALS : TOK_NOT_EQUALS;
                } else
                        switch (p[0]) {
                        case '=':
                                t.type = TOK_EQUALS;
                                break;
                        case '!':
                                t.type = TOK_BANG;
                                break;
                        case '(':
                                t.type = TOK_OPEN_PAR;
                                break;
                        case ')':
                                t.type = TOK_CLOSE_PAR;
                                break;
                        case ',':
                                t.type = TOK_COMMA;
                                break;
                        case '>':
                                t.type = TOK_GT;
                                break;
                        default:
                                t.type = TOK_LT;
                                break;
                        }
                *pp = p + t.len;
                return t;
        }
        while (*p && !is_special(*p) && !is_ws(*p))
                p++;
        t.len = (size_t)(p - t.lit);
        t.type = TOK_IDENT;
        if (t.len == 2 && memcmp(t.lit, "in", 2) == 0)
                t.type = TOK_IN;
        else if (t.len == 5 && memcmp(t.lit, "notin", 5) == 0)
                t.type = TOK_NOT_IN;
        *pp = p;
        return t;
}

typedef struct parser {
        token *toks;
        size_t n, pos;
        char *msg; /* the error, once set */
} parser;

enum { CTX_KEY_AND_OPERATOR, CTX_VALUES };

static token_type ctx_type(token_type t, int ctx) {
        /* In a value position "in" and "notin" are plain identifiers. */
        if (ctx == CTX_VALUES && (t == TOK_IN || t == TOK_NOT_IN))
                return TOK_IDENT;
        return t;
}

static token_type lookahead(parser *p, int ctx, const token **ret) {
        const token *t = &p->toks[p->pos];
        if (ret)
                *ret = t;
        return ctx_type(t->type, ctx);
}

static token_type consume(parser *p, int ctx, const token **ret) {
        token_type tt = lookahead(p, ctx, ret);
        if (p->pos + 1 < p->n) /* never past the end token */
                p->pos++;
        return tt;
}

_printf_(2, 3) static int parse_fail(parser *p, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        p->msg = xvasprintf(fmt, ap);
        va_end(ap);
        return -EINVAL;
}

/* fmt has one %.*s for the literal of token t. */
#define FAIL(p, t, fmt) parse_fail(p, fmt, (int)(t)->len, (t)->lit)

typedef struct strv_builder {
        char **v;
        size_t n;
} strv_builder;

static void sv_add(strv_builder *b, const char *s, size_t len) {
        b->v = grow(b->v, b->n, sizeof(char *));
        b->v[b->n++] = xstrndup(s, len);
}

static void sv_done(strv_builder *b) {
        for (size_t i = 0; i < b->n; i++)
                free(b->v[i]);
        free(b->v);
        b->v = NULL;
        b->n = 0;
}

static int parse_identifiers_list(parser *p, strv_builder *s) {
        for (;;) {
                const token *t, *t2;
                switch (consume(p, CTX_VALUES, &t)) {
                case TOK_IDENT:
                        sv_add(s, t->lit, t->len);
                        switch (lookahead(p, CTX_VALUES, &t2)) {
                        case TOK_COMMA:
                                continue;
                        case TOK_CLOSE_PAR:
                                return 0;
                        default:
                                return FAIL(p, t2, "found '%.*s', expected: ',' or ')'");
                        }
                case TOK_COMMA:
                        /* "(," ",," and ",)" stand for empty values. */
                        if (s->n == 0)
                                sv_add(s, "", 0);
                        switch (lookahead(p, CTX_VALUES, NULL)) {
                        case TOK_CLOSE_PAR:
                                sv_add(s, "", 0);
                                return 0;
                        case TOK_COMMA:
                                sv_add(s, "", 0);
                                break;
                        default:
                                break;
                        }
                        break;
                default:
                        return FAIL(p, t, "found '%.*s', expected: ',', or identifier");
                }
        }
}

static int parse_values(parser *p, strv_builder *s) {
        const token *t, *la;
        int r;

        if (consume(p, CTX_VALUES, &t) != TOK_OPEN_PAR)
                return FAIL(p, t, "found '%.*s' expected: '('");
        switch (lookahead(p, CTX_VALUES, &la)) {
        case TOK_IDENT:
        case TOK_COMMA:
                r = parse_identifiers_list(p, s);
                if (r < 0)
                        return r;
                if (consume(p, CTX_VALUES, NULL) != TOK_CLOSE_PAR)
                        return FAIL(p, la, "found '%.*s', expected: ')'");
                return 0;
        case TOK_CLOSE_PAR:
                consume(p, CTX_VALUES, NULL);
                sv_add(s, "", 0);
                return 0;
        default:
                return FAIL(p, la, "found '%.*s', expected: ',', ')' or identifier");
        }
}

static int parse_exact_value(parser *p, strv_builder *s) {
        const token *t;
        token_type tt = lookahead(p, CTX_VALUES, NULL);

        if (tt == TOK_END || tt == TOK_COMMA) {
                sv_add(s, "", 0);
                return 0;
        }
        if (consume(p, CTX_VALUES, &t) == TOK_IDENT) {
                sv_add(s, t->lit, t->len);
                return 0;
        }
        return FAIL(p, t, "found '%.*s', expected: identifier");
}

static int parse_requirement(parser *p, label_requirement *ret) {
        _cleanup_free_ char *key = NULL;
        strv_builder vals = { 0 };
        label_selector_op op = _LABEL_SELECTOR_OP_INVALID;
        const token *t;
        token_type tt;
        int r;

        tt = consume(p, CTX_VALUES, &t);
        if (tt == TOK_BANG) {
                op = LABEL_SELECTOR_OP_DOES_NOT_EXIST;
                tt = consume(p, CTX_VALUES, &t);
        }
        if (tt != TOK_IDENT)
                return FAIL(p, t, "found '%.*s', expected: identifier");
        key = xstrndup(t->lit, t->len);
        char *detail = label_key_errors(key);
        if (detail) {
                errlist l = { 0 };
                errlist_invalid(&l, "<nil>", key, detail);
                free(detail);
                p->msg = errlist_take_message(&l);
                return -EINVAL;
        }
        tt = lookahead(p, CTX_VALUES, NULL);
        if ((tt == TOK_END || tt == TOK_COMMA) && op != LABEL_SELECTOR_OP_DOES_NOT_EXIST)
                op = LABEL_SELECTOR_OP_EXISTS;

        if (op != LABEL_SELECTOR_OP_EXISTS && op != LABEL_SELECTOR_OP_DOES_NOT_EXIST) {
                switch (consume(p, CTX_KEY_AND_OPERATOR, &t)) {
                case TOK_IN:
                        op = LABEL_SELECTOR_OP_IN;
                        break;
                case TOK_EQUALS:
                        op = LABEL_SELECTOR_OP_EQUALS;
                        break;
                case TOK_DOUBLE_EQUALS:
                        op = LABEL_SELECTOR_OP_DOUBLE_EQUALS;
                        break;
                case TOK_GT:
                        op = LABEL_SELECTOR_OP_GT;
                        break;
                case TOK_LT:
                        op = LABEL_SELECTOR_OP_LT;
                        break;
                case TOK_NOT_IN:
                        op = LABEL_SELECTOR_OP_NOT_IN;
                        break;
                case TOK_NOT_EQUALS:
                        op = LABEL_SELECTOR_OP_NOT_EQUALS;
                        break;
                default:
                        return FAIL(p, t, "found '%.*s', expected: in, notin, =, ==, !=, gt, lt");
                }
                if (op == LABEL_SELECTOR_OP_IN || op == LABEL_SELECTOR_OP_NOT_IN)
                        r = parse_values(p, &vals);
                else
                        r = parse_exact_value(p, &vals);
                if (r < 0) {
                        sv_done(&vals);
                        return r;
                }
                values_sort_unique(vals.v, &vals.n);
        }
        p->msg = requirement_check(key, op, vals.v, vals.n);
        if (p->msg) {
                sv_done(&vals);
                return -EINVAL;
        }
        *ret = (label_requirement){
                .key = TAKE_PTR(key),
                .op = op,
                .values = vals.v,
                .n_values = vals.n,
        };
        return 0;
}

static int parse_selector(parser *p, label_selector *s) {
        for (;;) {
                const token *t;
                switch (lookahead(p, CTX_VALUES, &t)) {
                case TOK_IDENT:
                case TOK_BANG: {
                        label_requirement req;
                        if (parse_requirement(p, &req) < 0) {
                                char *m = xasprintf("unable to parse requirement: %s", p->msg);
                                free(p->msg);
                                p->msg = m;
                                return -EINVAL;
                        }
                        selector_append(s, &req);
                        switch (consume(p, CTX_VALUES, &t)) {
                        case TOK_END:
                                return 0;
                        case TOK_COMMA: {
                                token_type t2 = lookahead(p, CTX_VALUES, &t);
                                if (t2 != TOK_IDENT && t2 != TOK_BANG)
                                        return FAIL(p, t,
                                                    "found '%.*s', expected: identifier after ','");
                                break;
                        }
                        default:
                                return FAIL(p, t, "found '%.*s', expected: ',' or 'end of string'");
                        }
                        break;
                }
                case TOK_END:
                        return 0;
                default:
                        return FAIL(p, t,
                                    "found '%.*s', expected: !, identifier, or 'end of string'");
                }
        }
}

int label_selector_parse(const char *str, label_selector **ret, tm_error **err) {
        _cleanup_(label_selector_freep) label_selector *s = label_selector_new_everything();
        parser p = { 0 };
        const char *cur = str;
        size_t cap = 0;
        int r;

        for (;;) {
                if (p.n == cap) {
                        cap = cap ? cap * 2 : 16;
                        p.toks = xreallocarray(p.toks, cap, sizeof(token));
                }
                p.toks[p.n] = lex(&cur);
                if (p.toks[p.n++].type == TOK_END)
                        break;
        }
        r = parse_selector(&p, s);
        free(p.toks);
        if (r < 0) {
                tm_error_set(err, r, "%s", p.msg);
                free(p.msg);
                return r;
        }
        requirements_sort(s->reqs, s->n);
        *ret = TAKE_PTR(s);
        return 0;
}

/* ---- metav1.LabelSelector ----------------------------------------------- */

static int from_json_fail(tm_error **err, char *take) {
        int r = tm_error_set(err, -EINVAL, "%s", take);
        free(take);
        return r;
}

int label_selector_from_json(const json *sel, label_selector **ret, tm_error **err) {
        _cleanup_(label_selector_freep) label_selector *s = NULL;
        const json *labels, *exprs;

        if (!sel || json_is_null(sel)) {
                *ret = label_selector_new_nothing();
                return 0;
        }
        if (!json_is_object(sel))
                return tm_error_set(err, -EINVAL, "label selector must be an object, not %s",
                                    json_type_name(json_get_type(sel)));
        labels = json_object_get(sel, "matchLabels");
        exprs = json_object_get(sel, "matchExpressions");
        if (json_is_null(labels))
                labels = NULL;
        if (json_is_null(exprs))
                exprs = NULL;
        if (labels && !json_is_object(labels))
                return tm_error_set(err, -EINVAL, "matchLabels must be an object, not %s",
                                    json_type_name(json_get_type(labels)));
        if (exprs && !json_is_array(exprs))
                return tm_error_set(err, -EINVAL, "matchExpressions must be an array, not %s",
                                    json_type_name(json_get_type(exprs)));

        s = label_selector_new_everything();
        for (size_t i = 0; labels && i < json_object_len(labels); i++) {
                const char *k = json_object_key_at(labels, i);
                const json *v = json_object_value_at(labels, i);
                if (!json_is_string(v))
                        return tm_error_set(err, -EINVAL,
                                            "matchLabels: the value of \"%s\" must be a string", k);
                char *val = (char *)json_string(v);
                char *m = requirement_check(k, LABEL_SELECTOR_OP_EQUALS, &val, 1);
                if (m)
                        return from_json_fail(err, m);
                label_requirement req = { .key = xstrdup(k), .op = LABEL_SELECTOR_OP_EQUALS };
                req.values = xmalloc(sizeof(char *));
                req.values[0] = xstrdup(val);
                req.n_values = 1;
                selector_append(s, &req);
        }
        for (size_t i = 0; exprs && i < json_array_len(exprs); i++) {
                const json *e = json_array_get(exprs, i), *jv;
                const char *key, *opname;
                label_selector_op op;
                strv_builder vals = { 0 };

                if (!json_is_object(e))
                        return tm_error_set(err, -EINVAL, "matchExpressions[%zu] must be an object",
                                            i);
                jv = json_object_get(e, "key");
                if (jv && !json_is_null(jv) && !json_is_string(jv))
                        return tm_error_set(err, -EINVAL,
                                            "matchExpressions[%zu].key must be a string", i);
                key = json_string(jv) ?: "";
                jv = json_object_get(e, "operator");
                if (jv && !json_is_null(jv) && !json_is_string(jv))
                        return tm_error_set(err, -EINVAL,
                                            "matchExpressions[%zu].operator must be a string", i);
                opname = json_string(jv) ?: "";
                if (streq(opname, "In"))
                        op = LABEL_SELECTOR_OP_IN;
                else if (streq(opname, "NotIn"))
                        op = LABEL_SELECTOR_OP_NOT_IN;
                else if (streq(opname, "Exists"))
                        op = LABEL_SELECTOR_OP_EXISTS;
                else if (streq(opname, "DoesNotExist"))
                        op = LABEL_SELECTOR_OP_DOES_NOT_EXIST;
                else {
                        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
                        go_quote(&b, opname);
                        strbuf_puts(&b, " is not a valid label selector operator");
                        return from_json_fail(err, strbuf_take(&b, NULL));
                }
                jv = json_object_get(e, "values");
                if (jv && !json_is_null(jv) && !json_is_array(jv))
                        return tm_error_set(err, -EINVAL,
                                            "matchExpressions[%zu].values must be an array", i);
                for (size_t j = 0; jv && j < json_array_len(jv); j++) {
                        const json *v = json_array_get(jv, j);
                        if (!json_is_string(v)) {
                                sv_done(&vals);
                                return tm_error_set(
                                        err, -EINVAL,
                                        "matchExpressions[%zu].values[%zu] must be a string", i, j);
                        }
                        sv_add(&vals, json_string(v), strlen(json_string(v)));
                }
                char *m = requirement_check(key, op, vals.v, vals.n);
                if (m) {
                        sv_done(&vals);
                        return from_json_fail(err, m);
                }
                label_requirement req = {
                        .key = xstrdup(key), .op = op, .values = vals.v, .n_values = vals.n
                };
                selector_append(s, &req);
        }
        requirements_sort(s->reqs, s->n);
        *ret = TAKE_PTR(s);
        return 0;
}

/* ---- using a label selector ----------------------------------------------- */

const label_requirement *label_selector_requirements(const label_selector *s, size_t *ret_n) {
        if (ret_n)
                *ret_n = s ? s->n : 0;
        return s ? s->reqs : NULL;
}

bool label_selector_is_empty(const label_selector *s) {
        return !s || (!s->nothing && s->n == 0);
}

bool label_selector_matches_nothing(const label_selector *s) {
        return s && s->nothing;
}

static bool has_value(const label_requirement *r, const char *v) {
        for (size_t i = 0; i < r->n_values; i++)
                if (streq(r->values[i], v))
                        return true;
        return false;
}

static bool requirement_matches(const label_requirement *r, selector_lookup_fn lookup,
                                void *userdata) {
        const char *v = lookup(userdata, r->key);
        int64_t have, want;

        switch (r->op) {
        case LABEL_SELECTOR_OP_IN:
        case LABEL_SELECTOR_OP_EQUALS:
        case LABEL_SELECTOR_OP_DOUBLE_EQUALS:
                return v && has_value(r, v);
        case LABEL_SELECTOR_OP_NOT_IN:
        case LABEL_SELECTOR_OP_NOT_EQUALS:
                return !v || !has_value(r, v);
        case LABEL_SELECTOR_OP_EXISTS:
                return v != NULL;
        case LABEL_SELECTOR_OP_DOES_NOT_EXIST:
                return v == NULL;
        case LABEL_SELECTOR_OP_GT:
        case LABEL_SELECTOR_OP_LT:
                if (!v || r->n_values != 1 || !parse_int64(v, &have) ||
                    !parse_int64(r->values[0], &want))
                        return false;
                return r->op == LABEL_SELECTOR_OP_GT ? have > want : have < want;
        default:
                return false;
        }
}

bool label_selector_matches(const label_selector *s, selector_lookup_fn lookup, void *userdata) {
        if (!s)
                return true;
        if (s->nothing)
                return false;
        for (size_t i = 0; i < s->n; i++)
                if (!requirement_matches(&s->reqs[i], lookup, userdata))
                        return false;
        return true;
}

static const char *json_labels_lookup(void *userdata, const char *key) {
        const json *labels = userdata;
        if (!json_is_object(labels))
                return NULL;
        return json_object_get_string(labels, key);
}

bool label_selector_matches_json(const label_selector *s, const json *labels) {
        return label_selector_matches(s, json_labels_lookup, (void *)labels);
}

char *label_selector_to_string(const label_selector *s) {
        strbuf b = STRBUF_INIT;

        for (size_t i = 0; s && !s->nothing && i < s->n; i++) {
                const label_requirement *r = &s->reqs[i];
                const char *sep = NULL;
                bool paren = false;

                if (i > 0)
                        strbuf_putc(&b, ',');
                if (r->op == LABEL_SELECTOR_OP_DOES_NOT_EXIST)
                        strbuf_putc(&b, '!');
                strbuf_puts(&b, r->key);
                switch (r->op) {
                case LABEL_SELECTOR_OP_EQUALS:
                        sep = "=";
                        break;
                case LABEL_SELECTOR_OP_DOUBLE_EQUALS:
                        sep = "==";
                        break;
                case LABEL_SELECTOR_OP_NOT_EQUALS:
                        sep = "!=";
                        break;
                case LABEL_SELECTOR_OP_IN:
                        sep = " in ";
                        paren = true;
                        break;
                case LABEL_SELECTOR_OP_NOT_IN:
                        sep = " notin ";
                        paren = true;
                        break;
                case LABEL_SELECTOR_OP_GT:
                        sep = ">";
                        break;
                case LABEL_SELECTOR_OP_LT:
                        sep = "<";
                        break;
                default:
                        continue;
                }
                strbuf_puts(&b, sep);
                if (paren)
                        strbuf_putc(&b, '(');
                if (r->n_values == 1)
                        strbuf_puts(&b, r->values[0]);
                else if (r->n_values > 1) {
                        /* Sorted on output only; the requirement keeps its order. */
                        char **v = xreallocarray(NULL, r->n_values, sizeof(char *));
                        memcpy(v, r->values, r->n_values * sizeof(char *));
                        qsort(v, r->n_values, sizeof(char *), cmp_str);
                        for (size_t j = 0; j < r->n_values; j++) {
                                if (j > 0)
                                        strbuf_putc(&b, ',');
                                strbuf_puts(&b, v[j]);
                        }
                        free(v);
                }
                if (paren)
                        strbuf_putc(&b, ')');
        }
        return strbuf_take(&b, NULL);
}

bool label_selector_requires_exact(const label_selector *s, const char *key,
                                   const char **ret_value) {
        for (size_t i = 0; s && !s->nothing && i < s->n; i++) {
                const label_requirement *r = &s->reqs[i];
                if (!streq(r->key, key))
                        continue;
                if ((r->op == LABEL_SELECTOR_OP_EQUALS ||
                     r->op == LABEL_SELECTOR_OP_DOUBLE_EQUALS || r->op == LABEL_SELECTOR_OP_IN) &&
                    r->n_values == 1) {
                        if (ret_value)
                                *ret_value = r->values[0];
                        return true;
                }
                return false;
        }
        return false;
}

/* ---- field selectors ------------------------------------------------------ */

struct field_selector {
        field_requirement *reqs;
        size_t n;
};

field_selector *field_selector_new_everything(void) {
        return xcalloc(1, sizeof(field_selector));
}

void field_selector_free(field_selector *s) {
        if (!s)
                return;
        for (size_t i = 0; i < s->n; i++) {
                free(s->reqs[i].field);
                free(s->reqs[i].value);
        }
        free(s->reqs);
        free(s);
}

typedef struct span {
        const char *p;
        size_t len;
} span;

static int cmp_span(const void *a, const void *b) {
        const span *x = a, *y = b;
        int c = memcmp(x->p, y->p, x->len < y->len ? x->len : y->len);
        if (c)
                return c;
        return x->len < y->len ? -1 : x->len > y->len;
}

/* UnescapeValue. */
static int field_unescape(const char *s, size_t n, char **ret, tm_error **err) {
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        const unsigned char *p = (const unsigned char *)s;
        bool in_slash = false;

        if (!memchr(s, '\\', n) && !memchr(s, ',', n) && !memchr(s, '=', n)) {
                *ret = xstrndup(s, n);
                return 0;
        }
        /* Decoded rune by rune: invalid UTF-8 becomes U+FFFD, as in Go. */
        for (size_t i = 0; i < n;) {
                size_t w;
                uint32_t r = utf8_decode(p + i, n - i, &w);
                i += w;
                if (in_slash) {
                        if (r != '\\' && r != ',' && r != '=') {
                                _cleanup_strbuf_ strbuf seq = STRBUF_INIT;
                                strbuf_putc(&seq, '\\');
                                utf8_put(&seq, r);
                                return tm_error_set(
                                        err, -EINVAL,
                                        "invalid field selector: invalid escape sequence: %s",
                                        seq.data);
                        }
                        strbuf_putc(&b, (char)r);
                        in_slash = false;
                        continue;
                }
                if (r == '\\')
                        in_slash = true;
                else if (r == ',' || r == '=')
                        return tm_error_set(
                                err, -EINVAL,
                                "invalid field selector: unescaped character in value: %" PRIu32,
                                r);
                else
                        utf8_put(&b, r);
        }
        if (in_slash)
                return tm_error_set(err, -EINVAL,
                                    "invalid field selector: invalid escape sequence: \\");
        *ret = strbuf_take(&b, NULL);
        return 0;
}

int field_selector_parse(const char *str, field_selector **ret, tm_error **err) {
        _cleanup_(field_selector_freep) field_selector *s = field_selector_new_everything();
        _cleanup_free_ span *terms = NULL;
        size_t n = 0, start = 0, len = strlen(str);
        bool in_slash = false;

        /* splitTerms: commas not escaped by a backslash separate terms. */
        if (len > 0) {
                for (size_t i = 0; i <= len; i++) {
                        if (i < len) {
                                if (in_slash) {
                                        in_slash = false;
                                        continue;
                                }
                                if (str[i] == '\\') {
                                        in_slash = true;
                                        continue;
                                }
                                if (str[i] != ',')
                                        continue;
                        }
                        terms = grow(terms, n, sizeof(span));
                        terms[n++] = (span){ str + start, i - start };
                        start = i + 1;
                }
                qsort(terms, n, sizeof(span), cmp_span);
        }
        for (size_t t = 0; t < n; t++) {
                const char *p = terms[t].p;
                size_t tl = terms[t].len, i, oplen = 0;
                field_selector_op op = FIELD_SELECTOR_OP_EQUALS;
                char *value = NULL;
                int r;

                if (tl == 0)
                        continue;
                /* splitTerm: the first operator wins; "!=" and "==" before "=". */
                for (i = 0; i < tl; i++) {
                        if (p[i] == '!' && i + 1 < tl && p[i + 1] == '=') {
                                op = FIELD_SELECTOR_OP_NOT_EQUALS;
                                oplen = 2;
                        } else if (p[i] == '=')
                                oplen = (i + 1 < tl && p[i + 1] == '=') ? 2 : 1;
                        if (oplen)
                                break;
                }
                if (!oplen)
                        return tm_error_set(err, -EINVAL,
                                            "invalid selector: '%s'; can't understand '%.*s'", str,
                                            (int)tl, p);
                r = field_unescape(p + i + oplen, tl - i - oplen, &value, err);
                if (r < 0)
                        return r;
                if (i == 0 && !*value) {
                        /* Transform drops a term whose field and value are empty. */
                        free(value);
                        continue;
                }
                s->reqs = grow(s->reqs, s->n, sizeof(*s->reqs));
                s->reqs[s->n++] = (field_requirement){
                        .field = xstrndup(p, i),
                        .op = op,
                        .value = value,
                };
        }
        *ret = TAKE_PTR(s);
        return 0;
}

const field_requirement *field_selector_requirements(const field_selector *s, size_t *ret_n) {
        if (ret_n)
                *ret_n = s ? s->n : 0;
        return s ? s->reqs : NULL;
}

bool field_selector_is_empty(const field_selector *s) {
        return !s || s->n == 0;
}

bool field_selector_matches(const field_selector *s, selector_lookup_fn lookup, void *userdata) {
        for (size_t i = 0; s && i < s->n; i++) {
                const char *v = lookup(userdata, s->reqs[i].field) ?: "";
                bool eq = streq(v, s->reqs[i].value);
                if (eq != (s->reqs[i].op == FIELD_SELECTOR_OP_EQUALS))
                        return false;
        }
        return true;
}

static void escape_into(strbuf *b, const char *s) {
        for (; *s; s++) {
                if (*s == '\\' || *s == ',' || *s == '=')
                        strbuf_putc(b, '\\');
                strbuf_putc(b, *s);
        }
}

char *field_selector_escape_value(const char *s) {
        strbuf b = STRBUF_INIT;
        escape_into(&b, s);
        return strbuf_take(&b, NULL);
}

char *field_selector_to_string(const field_selector *s) {
        strbuf b = STRBUF_INIT;
        for (size_t i = 0; s && i < s->n; i++) {
                if (i > 0)
                        strbuf_putc(&b, ',');
                strbuf_puts(&b, s->reqs[i].field);
                strbuf_puts(&b, s->reqs[i].op == FIELD_SELECTOR_OP_EQUALS ? "=" : "!=");
                escape_into(&b, s->reqs[i].value);
        }
        return strbuf_take(&b, NULL);
}

bool field_selector_requires_exact(const field_selector *s, const char *field,
                                   const char **ret_value) {
        /* A "!=" term on the field does not stop the search (andTerm). */
        for (size_t i = 0; s && i < s->n; i++)
                if (s->reqs[i].op == FIELD_SELECTOR_OP_EQUALS && streq(s->reqs[i].field, field)) {
                        if (ret_value)
                                *ret_value = s->reqs[i].value;
                        return true;
                }
        return false;
}
