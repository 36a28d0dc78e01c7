/* SPDX-License-Identifier: Apache-2.0 */
/* IntOrString; see intstr.h. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "intstr.h"
#include "strbuf.h"

intstr intstr_from_int(int32_t v) {
        return (intstr){ .type = INTSTR_INT, .int_val = v };
}

intstr intstr_from_string(const char *s) {
        return (intstr){ .type = INTSTR_STRING, .str_val = xstrdup(s ? s : "") };
}

/* Go's strconv.ParseInt(s, 10, bits) for base 10: optional sign, at least
 * one digit, nothing else. -EINVAL (syntax) or -ERANGE. */
static int parse_int(const char *s, size_t n, int bits, int64_t *ret) {
        size_t i = 0;
        bool neg = false;
        if (i < n && (s[i] == '+' || s[i] == '-'))
                neg = s[i++] == '-';
        if (i >= n)
                return -EINVAL;
        uint64_t limit = (uint64_t)1 << (bits - 1); /* |min| */
        uint64_t v = 0;
        bool overflow = false;
        for (; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                unsigned d = (unsigned)(s[i] - '0');
                if (v > (UINT64_MAX - d) / 10)
                        overflow = true;
                else
                        v = v * 10 + d;
        }
        if (overflow || v > limit - !neg)
                return -ERANGE;
        *ret = neg ? (int64_t)(0 - v) : (int64_t)v;
        return 0;
}

intstr intstr_parse(const char *s) {
        int64_t v;
        if (s && parse_int(s, strlen(s), 32, &v) == 0)
                return intstr_from_int((int32_t)v);
        return intstr_from_string(s);
}

intstr intstr_copy(const intstr *v) {
        intstr c = *v;
        if (v->str_val)
                c.str_val = xstrdup(v->str_val);
        return c;
}

void intstr_done(intstr *v) {
        if (!v)
                return;
        free(v->str_val);
        *v = (intstr)INTSTR_INIT;
}

bool intstr_equal(const intstr *a, const intstr *b) {
        if (a->type != b->type)
                return false;
        if (a->type == INTSTR_STRING)
                return streq_ptr(a->str_val, b->str_val);
        return a->int_val == b->int_val;
}

int intstr_from_json(const json *j, intstr *ret, tm_error **err) {
        /* The messages of Go's json.Unmarshal into an int32. */
        switch (json_get_type(j)) {
        case JSON_STRING:
                *ret = (intstr){ .type = INTSTR_STRING,
                                 .str_val = xstrndup(json_string(j), json_string_len(j)) };
                return 0;
        case JSON_NULL:
                *ret = intstr_from_int(0);
                return 0;
        case JSON_INT: {
                int64_t v = json_int(j);
                if (v < INT32_MIN || v > INT32_MAX)
                        return tm_error_set(err, -EINVAL,
                                            "json: cannot unmarshal number %" PRId64
                                            " into Go value of type int32",
                                            v);
                *ret = intstr_from_int((int32_t)v);
                return 0;
        }
        case JSON_DOUBLE: {
                /* The shortest text that reads back as the same double. */
                char num[32];
                for (int prec = 1; prec <= 17; prec++) {
                        snprintf(num, sizeof(num), "%.*g", prec, json_double(j));
                        if (strtod(num, NULL) == json_double(j))
                                break;
                }
                return tm_error_set(err, -EINVAL,
                                    "json: cannot unmarshal number %s into Go value of type int32",
                                    num);
        }
        case JSON_BOOL:
                return tm_error_set(err, -EINVAL,
                                    "json: cannot unmarshal bool into Go value of type int32");
        case JSON_ARRAY:
                return tm_error_set(err, -EINVAL,
                                    "json: cannot unmarshal array into Go value of type int32");
        case JSON_OBJECT:
                return tm_error_set(err, -EINVAL,
                                    "json: cannot unmarshal object into Go value of type int32");
        default:
                return tm_error_set(err, -EINVAL, "no IntOrString value");
        }
}

json *intstr_to_json(const intstr *v) {
        if (v->type == INTSTR_STRING)
                return json_new_string(v->str_val ? v->str_val : "");
        return json_new_int(v->int_val);
}

char *intstr_to_string(const intstr *v) {
        if (v->type == INTSTR_STRING)
                return xstrdup(v->str_val ? v->str_val : "");
        return xasprintf("%" PRId32, v->int_val);
}

int64_t intstr_int_value(const intstr *v) {
        int64_t i;
        if (v->type == INTSTR_STRING)
                return v->str_val && parse_int(v->str_val, strlen(v->str_val), 64, &i) == 0 ? i : 0;
        return v->int_val;
}

/* Go's strconv.Quote, for the ASCII that matters and bytes as \xNN. */
static void go_quote(strbuf *b, const char *s, size_t n) {
        strbuf_putc(b, '"');
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                switch (c) {
                case '"':
                case '\\':
                        strbuf_putc(b, '\\');
                        strbuf_putc(b, (char)c);
                        break;
                case '\n':
                        strbuf_puts(b, "\\n");
                        break;
                case '\t':
                        strbuf_puts(b, "\\t");
                        break;
                case '\r':
                        strbuf_puts(b, "\\r");
                        break;
                default:
                        if (c < ' ' || c == 0x7f)
                                strbuf_printf(b, "\\x%02x", c);
                        else
                                strbuf_putc(b, (char)c);
                }
        }
        strbuf_putc(b, '"');
}

int intstr_get_scaled_value(const intstr *v, int64_t total, bool round_up, int64_t *ret,
                            tm_error **err) {
        if (!v)
                return tm_error_set(err, -EINVAL, "nil value for IntOrString");
        if (v->type == INTSTR_INT) {
                *ret = v->int_val;
                return 0;
        }
        if (v->type != INTSTR_STRING)
                return tm_error_set(err, -EINVAL,
                                    "invalid value for IntOrString: invalid type: "
                                    "neither int nor percentage");
        const char *s = v->str_val ? v->str_val : "";
        size_t n = strlen(s);
        if (n == 0 || s[n - 1] != '%')
                return tm_error_set(err, -EINVAL,
                                    "invalid value for IntOrString: invalid type: "
                                    "string is not a percentage");
        int64_t pct;
        int r = parse_int(s, n - 1, 64, &pct);
        if (r < 0) {
                _cleanup_strbuf_ strbuf b = STRBUF_INIT;
                strbuf_puts(&b, "invalid value for IntOrString: invalid value ");
                go_quote(&b, s, n);
                strbuf_puts(&b, ": strconv.Atoi: parsing ");
                go_quote(&b, s, n - 1);
                strbuf_puts(&b, r == -ERANGE ? ": value out of range" : ": invalid syntax");
                return tm_error_set(err, -EINVAL, "%s", b.data);
        }
        /* Upstream computes in float64; do the same so results match. */
        double x = (double)pct * (double)total / 100;
        x = round_up ? ceil(x) : floor(x);
        if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0))
                return tm_error_set(err, -ERANGE,
                                    "invalid value for IntOrString: %s of %" PRId64
                                    " is out of range",
                                    s, total);
        *ret = (int64_t)x;
        return 0;
}
