/* SPDX-License-Identifier: Apache-2.0 */
/* Kubernetes protobuf into the JSON tree (doc/protobuf.md).
 *
 * Hand-written rather than protobuf-c: the messages are described by the
 * schema tables (field numbers from api/tools/import-proto.py), and what
 * matters is less the wire than reproducing upstream's JSON for the object,
 * which needs the schema's Go facts (omitempty, pointers, inlined structs)
 * that generated message code would not know. */
#include "config.h"

#include "protobuf.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "strbuf.h"
#include "timeutil.h"

enum {
        WT_VARINT = 0,
        WT_I64 = 1,
        WT_LEN = 2,
        WT_SGROUP = 3,
        WT_EGROUP = 4,
        WT_I32 = 5,
};

static const char *const wire_type_names[] = {
        [WT_VARINT] = "varint",      [WT_I64] = "fixed64",      [WT_LEN] = "length-delimited",
        [WT_SGROUP] = "group start", [WT_EGROUP] = "group end", [WT_I32] = "fixed32",
};

static const char *wire_type_name(unsigned wt) {
        return wt < ELEMENTSOF(wire_type_names) && wire_type_names[wt] ? wire_type_names[wt]
                                                                       : "invalid";
}

/* A window [pos, end) of the input; offsets in messages are base + pos. */
typedef struct pb_reader {
        const uint8_t *buf;
        size_t pos, end;
        size_t base;
        size_t *budget; /* JSON values still allowed, shared by nested readers */
        tm_error **err;
} pb_reader;

/* Zero values of absent fields make JSON the wire does not pay for (an
 * empty element of a repeated message is 2 bytes, its zero JSON up to
 * dozens of values), so values are counted: one per wire byte, plus a
 * margin, which bodies that upstream writes stay far below (it writes
 * every non-pointer field, at two bytes or more each). */
#define PB_BUDGET_MARGIN 4096

static int spend(pb_reader *r) {
        if (*r->budget == 0)
                return tm_error_set(r->err, -E2BIG,
                                    "the decoded object grows past one value per byte of the "
                                    "body (at byte %zu)",
                                    r->base + r->pos);
        (*r->budget)--;
        return 0;
}

static size_t off(const pb_reader *r, size_t pos) {
        return r->base + pos;
}

static int read_varint(pb_reader *r, uint64_t *ret) {
        size_t start = r->pos;
        uint64_t v = 0;
        for (unsigned shift = 0; shift <= 63; shift += 7) {
                if (r->pos >= r->end)
                        return tm_error_set(r->err, -EINVAL, "truncated varint at byte %zu",
                                            off(r, start));
                uint8_t b = r->buf[r->pos++];
                if (shift == 63 && b > 1)
                        return tm_error_set(r->err, -EINVAL, "varint at byte %zu overflows 64 bits",
                                            off(r, start));
                v |= (uint64_t)(b & 0x7f) << shift;
                if (!(b & 0x80)) {
                        *ret = v;
                        return 0;
                }
        }
        return tm_error_set(r->err, -EINVAL, "varint at byte %zu overflows 64 bits", off(r, start));
}

/* A length prefix, checked against what is left. */
static int read_len(pb_reader *r, size_t *ret_start, size_t *ret_len) {
        size_t at = r->pos;
        uint64_t n;
        int q = read_varint(r, &n);
        if (q < 0)
                return q;
        if (n > r->end - r->pos)
                return tm_error_set(r->err, -EINVAL,
                                    "length %" PRIu64 " at byte %zu runs past the end of its "
                                    "message (%zu bytes left)",
                                    n, off(r, at), r->end - r->pos);
        *ret_start = r->pos;
        *ret_len = n;
        r->pos += n;
        return 0;
}

static int read_fixed(pb_reader *r, size_t n, uint64_t *ret) {
        if (r->end - r->pos < n)
                return tm_error_set(r->err, -EINVAL, "truncated fixed%zu value at byte %zu", n * 8,
                                    off(r, r->pos));
        uint64_t v = 0;
        for (size_t i = 0; i < n; i++)
                v |= (uint64_t)r->buf[r->pos + i] << (8 * i);
        r->pos += n;
        *ret = v;
        return 0;
}

/* A field key: number and wire type. Groups (deprecated, never used by
 * Kubernetes) are refused rather than skipped. */
static int read_key(pb_reader *r, uint32_t *ret_num, unsigned *ret_wt) {
        size_t at = r->pos;
        uint64_t k;
        int q = read_varint(r, &k);
        if (q < 0)
                return q;
        uint64_t num = k >> 3;
        unsigned wt = k & 7;
        if (num == 0 || num > (1u << 29) - 1)
                return tm_error_set(r->err, -EINVAL, "invalid field number %" PRIu64 " at byte %zu",
                                    num, off(r, at));
        if (wt != WT_VARINT && wt != WT_I64 && wt != WT_LEN && wt != WT_I32)
                return tm_error_set(r->err, -EINVAL,
                                    "unsupported wire type %u (%s) of field %" PRIu64
                                    " at byte %zu",
                                    wt, wire_type_name(wt), num, off(r, at));
        *ret_num = (uint32_t)num;
        *ret_wt = wt;
        return 0;
}

static int skip_value(pb_reader *r, unsigned wt) {
        uint64_t v;
        size_t s, n;
        switch (wt) {
        case WT_VARINT:
                return read_varint(r, &v);
        case WT_I64:
                return read_fixed(r, 8, &v);
        case WT_I32:
                return read_fixed(r, 4, &v);
        default:
                return read_len(r, &s, &n);
        }
}

static int want_wire_type(pb_reader *r, const char *what, unsigned got, unsigned want, size_t at) {
        if (got == want)
                return 0;
        return tm_error_set(r->err, -EINVAL, "%s: wire type %s at byte %zu, expected %s", what,
                            wire_type_name(got), off(r, at), wire_type_name(want));
}

/* Strict UTF-8, as the JSON parser wants it: no overlong forms, no
 * surrogates, nothing past U+10FFFF. NUL is refused too: the tree's
 * strings are C strings to most of the code. */
static bool text_ok(const uint8_t *s, size_t n) {
        for (size_t i = 0; i < n;) {
                uint8_t c = s[i];
                if (c == 0)
                        return false;
                if (c < 0x80) {
                        i++;
                        continue;
                }
                size_t len;
                uint32_t cp, min;
                if ((c & 0xe0) == 0xc0)
                        len = 2, cp = c & 0x1f, min = 0x80;
                else if ((c & 0xf0) == 0xe0)
                        len = 3, cp = c & 0x0f, min = 0x800;
                else if ((c & 0xf8) == 0xf0)
                        len = 4, cp = c & 0x07, min = 0x10000;
                else
                        return false;
                if (n - i < len)
                        return false;
                for (size_t j = 1; j < len; j++) {
                        if ((s[i + j] & 0xc0) != 0x80)
                                return false;
                        cp = (cp << 6) | (s[i + j] & 0x3f);
                }
                if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                        return false;
                i += len;
        }
        return true;
}

static int new_text(pb_reader *r, const char *what, size_t start, size_t len, json **ret) {
        if (!text_ok(r->buf + start, len))
                return tm_error_set(r->err, -EINVAL,
                                    "%s: string at byte %zu is not valid UTF-8 or contains NUL",
                                    what, off(r, start));
        *ret = json_new_stringn((const char *)r->buf + start, len);
        return 0;
}

/* ---- the special messages ------------------------------------------------------ */

/* Read the fields of a small message through `fn`. */
typedef int (*pb_field_fn)(pb_reader *r, uint32_t num, unsigned wt, size_t at, void *userdata);

static int each_field(pb_reader *r, size_t start, size_t len, pb_field_fn fn, void *userdata) {
        pb_reader sub = *r;
        sub.pos = start;
        sub.end = start + len;
        while (sub.pos < sub.end) {
                size_t at = sub.pos;
                uint32_t num;
                unsigned wt;
                int q = read_key(&sub, &num, &wt);
                if (q < 0)
                        return q;
                q = fn(&sub, num, wt, at, userdata);
                if (q < 0)
                        return q;
        }
        return 0;
}

/* Time, MicroTime, Duration, IntOrString, Quantity, RawExtension: a few
 * scalar fields each, read into one struct. */
typedef struct small_msg {
        const char *what;
        int64_t i1, i2; /* varint fields 1 and 2 */
        bool has_s;
        size_t s_start, s_len; /* the bytes field (1 for most, 3 for IntOrString) */
        uint32_t s_num;
} small_msg;

static int small_field(pb_reader *r, uint32_t num, unsigned wt, size_t at, void *userdata) {
        small_msg *m = userdata;
        if (num == m->s_num) {
                int q = want_wire_type(r, m->what, wt, WT_LEN, at);
                if (q < 0)
                        return q;
                m->has_s = true;
                return read_len(r, &m->s_start, &m->s_len);
        }
        if (num == 1 || num == 2) {
                int q = want_wire_type(r, m->what, wt, WT_VARINT, at);
                if (q < 0)
                        return q;
                uint64_t v;
                q = read_varint(r, &v);
                if (q < 0)
                        return q;
                if (num == 1)
                        m->i1 = (int64_t)v;
                else
                        m->i2 = (int64_t)v;
                return 0;
        }
        return skip_value(r, wt);
}

static int read_small(pb_reader *r, const char *what, uint32_t s_num, size_t start, size_t len,
                      small_msg *m) {
        *m = (small_msg){ .what = what, .s_num = s_num };
        return each_field(r, start, len, small_field, m);
}

/* Go's time.Duration.String(). */
static void put_frac(strbuf *b, uint64_t v, int prec, uint64_t *ret_int) {
        char digits[24];
        int n = 0;
        bool print = false;
        for (int i = 0; i < prec; i++) {
                unsigned d = v % 10;
                print = print || d != 0;
                if (print)
                        digits[n++] = (char)('0' + d);
                v /= 10;
        }
        *ret_int = v;
        if (!print)
                return;
        /* digits[] holds the kept fraction from its last digit; the
         * integer part is printed by the caller before it. */
        char tmp[26];
        tmp[0] = '.';
        for (int i = 0; i < n; i++)
                tmp[1 + i] = digits[n - 1 - i];
        tmp[1 + n] = '\0';
        strbuf_puts(b, tmp);
}

const char *pb_format_duration(int64_t ns, char buf[static PB_DURATION_MAX]) {
        uint64_t u = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;
        _cleanup_strbuf_ strbuf frac = STRBUF_INIT;
        uint64_t ip;
        const char *sign = ns < 0 ? "-" : "";
        if (u == 0) {
                snprintf(buf, PB_DURATION_MAX, "0s");
        } else if (u < 1000) {
                snprintf(buf, PB_DURATION_MAX, "%s%" PRIu64 "ns", sign, u);
        } else if (u < 1000000) {
                put_frac(&frac, u, 3, &ip);
                snprintf(buf, PB_DURATION_MAX, "%s%" PRIu64 "%s\xc2\xb5s", sign, ip,
                         frac.data ? frac.data : "");
        } else if (u < 1000000000) {
                put_frac(&frac, u, 6, &ip);
                snprintf(buf, PB_DURATION_MAX, "%s%" PRIu64 "%sms", sign, ip,
                         frac.data ? frac.data : "");
        } else {
                put_frac(&frac, u, 9, &ip);
                const char *f = frac.data ? frac.data : "";
                uint64_t s = ip % 60, m = ip / 60 % 60, h = ip / 3600;
                if (h)
                        snprintf(buf, PB_DURATION_MAX, "%s%" PRIu64 "h%" PRIu64 "m%" PRIu64 "%ss",
                                 sign, h, m, s, f);
                else if (ip >= 60)
                        snprintf(buf, PB_DURATION_MAX, "%s%" PRIu64 "m%" PRIu64 "%ss", sign, m, s,
                                 f);
                else
                        snprintf(buf, PB_DURATION_MAX, "%s%" PRIu64 "%ss", sign, s, f);
        }
        return buf;
}

/* Seconds of 0000-01-01 and 9999-12-31T23:59:59: what Go's JSON for a
 * time can write; 0001-01-01 is Go's zero time, written null. */
#define TIME_MIN_SEC  INT64_C(-62167219200)
#define TIME_MAX_SEC  INT64_C(253402300799)
#define TIME_ZERO_SEC INT64_C(-62135596800)

static int decode_time(pb_reader *r, const char *what, bool micro, size_t start, size_t len,
                       json **ret) {
        small_msg m;
        int q = read_small(r, what, 0, start, len, &m);
        if (q < 0)
                return q;
        /* An empty message is the zero time (upstream writes nothing for
         * it), and the fraction is dropped for Time like upstream does. */
        if (len == 0) {
                *ret = json_new_null();
                return 0;
        }
        int64_t sec = m.i1;
        int64_t nsec = micro ? (int32_t)m.i2 : 0;
        nsec -= nsec % 1000;                  /* to microseconds, toward zero */
        if (nsec < 0 || nsec >= 1000000000) { /* Go's time.Unix normalizes */
                int64_t carry = nsec / 1000000000 - (nsec % 1000000000 < 0);
                nsec -= carry * 1000000000;
                if ((carry > 0 && sec > INT64_MAX - carry) ||
                    (carry < 0 && sec < INT64_MIN - carry))
                        sec = INT64_MAX;
                else
                        sec += carry;
        }
        if (sec < TIME_MIN_SEC || sec > TIME_MAX_SEC)
                return tm_error_set(r->err, -EINVAL, "%s: time at byte %zu is outside years 0-9999",
                                    what, off(r, start));
        if (sec == TIME_ZERO_SEC && nsec == 0) {
                *ret = json_new_null();
                return 0;
        }
        char buf[TIME_RFC3339_MAX];
        tm_time t = { .sec = sec, .nsec = (int32_t)nsec };
        *ret = json_new_string(micro ? time_format_rfc3339_micro(t, buf)
                                     : time_format_rfc3339(t, buf));
        return 0;
}

static int decode_int_or_string(pb_reader *r, const char *what, size_t start, size_t len,
                                json **ret) {
        small_msg m;
        int q = read_small(r, what, 3, start, len, &m);
        if (q < 0)
                return q;
        if (m.i1 == 0) {
                *ret = json_new_int((int32_t)m.i2);
                return 0;
        }
        if (m.i1 == 1) {
                if (!m.has_s) {
                        *ret = json_new_string("");
                        return 0;
                }
                return new_text(r, what, m.s_start, m.s_len, ret);
        }
        return tm_error_set(r->err, -EINVAL,
                            "%s: IntOrString at byte %zu has type %" PRId64
                            ", expected 0 (int) or 1 (string)",
                            what, off(r, start), m.i1);
}

static int decode_quantity(pb_reader *r, const char *what, size_t start, size_t len, json **ret) {
        small_msg m;
        int q = read_small(r, what, 1, start, len, &m);
        if (q < 0)
                return q;
        if (!m.has_s || m.s_len == 0) {
                *ret = json_new_string("0"); /* the zero Quantity */
                return 0;
        }
        return new_text(r, what, m.s_start, m.s_len, ret);
}

/* RawExtension and FieldsV1: JSON text in field 1. */
static int decode_embedded_json(pb_reader *r, const char *what, size_t start, size_t len,
                                unsigned depth, json **ret) {
        small_msg m;
        int q = read_small(r, what, 1, start, len, &m);
        if (q < 0)
                return q;
        if (!m.has_s || m.s_len == 0) {
                *ret = json_new_null();
                return 0;
        }
        json_limits lim = json_default_limits;
        lim.max_depth = depth < lim.max_depth ? lim.max_depth - depth : 1;
        _cleanup_error_ tm_error *jerr = NULL;
        q = json_parse((const char *)r->buf + m.s_start, m.s_len, &lim, ret, &jerr);
        if (q < 0)
                return tm_error_set(r->err, q, "%s: embedded object at byte %zu is not JSON: %s",
                                    what, off(r, m.s_start), tm_error_msg(jerr));
        return 0;
}

/* ---- messages of the schema ---------------------------------------------------- */

static int decode_message_into(pb_reader *r, size_t start, size_t len, const struct schema_type *t,
                               unsigned depth, json *into);

static bool packable(enum schema_value_type t) {
        return t == SCHEMA_INT32 || t == SCHEMA_INT64 || t == SCHEMA_BOOLEAN || t == SCHEMA_NUMBER;
}

static json *number_json(double d) {
        /* Go writes integral floats without a fraction: keep them integers. */
        if (isfinite(d) && d == trunc(d) && fabs(d) < 9007199254740992.0)
                return json_new_int((int64_t)d);
        return json_new_double(d);
}

/* One value of `v` (not an array or map) at the reader, key already read. */
static int decode_value(pb_reader *r, const char *what, const struct schema_value *v,
                        enum schema_proto_type pt, unsigned wt, size_t at, unsigned depth,
                        json **ret) {
        uint64_t u = 0;
        size_t s, n;
        int q;
        switch (v->type) {
        case SCHEMA_INT32:
        case SCHEMA_INT64:
        case SCHEMA_BOOLEAN:
                q = want_wire_type(r, what, wt, WT_VARINT, at);
                if (q < 0)
                        return q;
                q = read_varint(r, &u);
                if (q < 0)
                        return q;
                if (v->type == SCHEMA_BOOLEAN)
                        *ret = json_new_bool(u != 0);
                else if (v->type == SCHEMA_INT32)
                        *ret = json_new_int((int32_t)(uint32_t)u); /* as proto truncates */
                else
                        *ret = json_new_int((int64_t)u);
                return 0;
        case SCHEMA_NUMBER: {
                q = want_wire_type(r, what, wt, WT_I64, at);
                if (q < 0)
                        return q;
                q = read_fixed(r, 8, &u);
                if (q < 0)
                        return q;
                double d;
                memcpy(&d, &u, sizeof d);
                if (!isfinite(d))
                        return tm_error_set(r->err, -EINVAL, "%s: number at byte %zu is not finite",
                                            what, off(r, at));
                *ret = number_json(d);
                return 0;
        }
        default:
                break;
        }
        q = want_wire_type(r, what, wt, WT_LEN, at);
        if (q < 0)
                return q;
        q = read_len(r, &s, &n);
        if (q < 0)
                return q;
        switch (v->type) {
        case SCHEMA_STRING:
                if (pt == SCHEMA_PROTO_DURATION) {
                        small_msg m;
                        char buf[PB_DURATION_MAX];
                        q = read_small(r, what, 0, s, n, &m);
                        if (q < 0)
                                return q;
                        *ret = json_new_string(pb_format_duration(m.i1, buf));
                        return 0;
                }
                return new_text(r, what, s, n, ret);
        case SCHEMA_BYTE:
                *ret = json_new_string_take(base64_encode(r->buf + s, n, false));
                return 0;
        case SCHEMA_QUANTITY:
                return decode_quantity(r, what, s, n, ret);
        case SCHEMA_INT_OR_STRING:
                return decode_int_or_string(r, what, s, n, ret);
        case SCHEMA_DATE_TIME:
        case SCHEMA_MICRO_TIME:
                return decode_time(r, what, v->type == SCHEMA_MICRO_TIME, s, n, ret);
        case SCHEMA_OBJECT:
                if (pt != SCHEMA_PROTO_RAW_EXTENSION && pt != SCHEMA_PROTO_FIELDS_V1)
                        return tm_error_set(r->err, -EOPNOTSUPP,
                                            "%s: no protobuf form for this value", what);
                return decode_embedded_json(r, what, s, n, depth, ret);
        case SCHEMA_REF: {
                _cleanup_json_ json *o = json_new_object();
                q = decode_message_into(r, s, n, v->ref, depth + 1, o);
                if (q < 0)
                        return q;
                *ret = TAKE_PTR(o);
                return 0;
        }
        default:
                return tm_error_set(r->err, -EOPNOTSUPP, "%s: %s values have no protobuf form",
                                    what, schema_value_type_to_string(v->type));
        }
}

/* The JSON of a value absent from the wire, as Go writes its zero value;
 * NULL for a nil slice, map or pointer. */
static int zero_value(pb_reader *r, const char *what, const struct schema_value *v,
                      enum schema_proto_type pt, unsigned depth, json **ret) {
        switch (v->type) {
        case SCHEMA_STRING:
                *ret = json_new_string(pt == SCHEMA_PROTO_DURATION ? "0s" : "");
                return 0;
        case SCHEMA_INT32:
        case SCHEMA_INT64:
        case SCHEMA_NUMBER:
                *ret = json_new_int(0);
                return 0;
        case SCHEMA_BOOLEAN:
                *ret = json_new_bool(false);
                return 0;
        case SCHEMA_QUANTITY:
                *ret = json_new_string("0");
                return 0;
        case SCHEMA_INT_OR_STRING:
                *ret = json_new_int(0);
                return 0;
        case SCHEMA_DATE_TIME:
        case SCHEMA_MICRO_TIME:
        case SCHEMA_OBJECT:
                *ret = json_new_null();
                return 0;
        case SCHEMA_REF: {
                if (depth + 1 > PB_MAX_DEPTH)
                        return tm_error_set(r->err, -E2BIG, "%s: nested deeper than %d", what,
                                            PB_MAX_DEPTH);
                _cleanup_json_ json *o = json_new_object();
                int q = decode_message_into(r, r->pos, 0, v->ref, depth + 1, o);
                if (q < 0)
                        return q;
                *ret = TAKE_PTR(o);
                return 0;
        }
        default: /* byte, array, map: nil */
                *ret = NULL;
                return 0;
        }
}

/* Go's omitempty: false, 0, "", and empty slices and maps. Structs (and
 * so Time, Quantity, IntOrString, RawExtension) are never empty. */
static bool go_empty(const struct schema_field *f, const json *v) {
        if (!v)
                return true; /* a nil slice or map */
        switch (f->value.type) {
        case SCHEMA_STRING:
                return f->proto_type != SCHEMA_PROTO_DURATION && json_string_len(v) == 0;
        case SCHEMA_BYTE:
                return json_string_len(v) == 0;
        case SCHEMA_INT32:
        case SCHEMA_INT64:
        case SCHEMA_NUMBER:
                return json_is_int(v) ? json_int(v) == 0 : json_double(v) == 0;
        case SCHEMA_BOOLEAN:
                return !json_bool(v);
        case SCHEMA_ARRAY:
                return json_array_len(v) == 0;
        case SCHEMA_MAP:
                return json_object_len(v) == 0;
        default:
                return false;
        }
}

typedef struct msg_state {
        const struct schema_type *t;
        json **slots; /* one per field, by index */
        unsigned depth;
        const struct schema_field *what_f; /* whose name `what` holds */
        char what[160];
} msg_state;

static const char *field_what(msg_state *st, const struct schema_field *f) {
        /* Formatted once per field: map entries and list items repeat it. */
        if (st->what_f != f) {
                snprintf(st->what, sizeof st->what, "%s.%s (field %u)", st->t->name, f->name,
                         f->proto_tag);
                st->what_f = f;
        }
        return st->what;
}

static bool is_inline_number(const struct schema_type *t, uint32_t num) {
        for (size_t i = 0; i < t->n_fields; i++)
                if (t->fields[i].proto_inline == num)
                        return true;
        return false;
}

static const struct schema_field *find_field(const struct schema_type *t, unsigned inl,
                                             uint32_t num, size_t *ret_i) {
        for (size_t i = 0; i < t->n_fields; i++)
                if (t->fields[i].proto_tag == num && t->fields[i].proto_inline == inl) {
                        *ret_i = i;
                        return &t->fields[i];
                }
        return NULL;
}

/* Append the elements of one occurrence of a repeated field (packed or
 * not) to *slot. */
static int decode_repeated(pb_reader *r, msg_state *st, const struct schema_field *f,
                           const struct schema_value *elem, unsigned wt, size_t at, json **slot) {
        const char *what = field_what(st, f);
        if (!*slot)
                *slot = json_new_array();
        if (wt == WT_LEN && packable(elem->type)) {
                size_t s, n;
                int q = read_len(r, &s, &n);
                if (q < 0)
                        return q;
                pb_reader sub = *r;
                sub.pos = s;
                sub.end = s + n;
                unsigned ewt = elem->type == SCHEMA_NUMBER ? WT_I64 : WT_VARINT;
                while (sub.pos < sub.end) {
                        json *e;
                        q = decode_value(&sub, what, elem, SCHEMA_PROTO_DEFAULT, ewt, sub.pos,
                                         st->depth, &e);
                        if (q < 0)
                                return q;
                        json_array_append(*slot, e);
                        q = spend(&sub);
                        if (q < 0)
                                return q;
                }
                return 0;
        }
        json *e;
        int q = decode_value(r, what, elem, SCHEMA_PROTO_DEFAULT, wt, at, st->depth, &e);
        if (q < 0)
                return q;
        json_array_append(*slot, e);
        return spend(r);
}

typedef struct list_wrapper_ctx {
        msg_state *st;
        const struct schema_field *f;
        json **slot;
} list_wrapper_ctx;

static int list_wrapper_field(pb_reader *r, uint32_t num, unsigned wt, size_t at, void *userdata) {
        list_wrapper_ctx *c = userdata;
        if (num != 1)
                return skip_value(r, wt);
        return decode_repeated(r, c->st, c->f, c->f->value.elem, wt, at, c->slot);
}

typedef struct map_entry {
        msg_state *st;
        const struct schema_field *f;
        json *key, *value;
} map_entry;

static int map_entry_field(pb_reader *r, uint32_t num, unsigned wt, size_t at, void *userdata) {
        map_entry *e = userdata;
        const char *what = field_what(e->st, e->f);
        json *v;
        int q;
        if (num == 1) {
                static const struct schema_value string_value = { .type = SCHEMA_STRING };
                q = decode_value(r, what, &string_value, SCHEMA_PROTO_DEFAULT, wt, at, e->st->depth,
                                 &v);
                if (q < 0)
                        return q;
                json_free(e->key);
                e->key = v;
                return 0;
        }
        if (num == 2) {
                q = decode_value(r, what, e->f->value.elem, SCHEMA_PROTO_DEFAULT, wt, at,
                                 e->st->depth + 1, &v);
                if (q < 0)
                        return q;
                json_free(e->value);
                e->value = v;
                return 0;
        }
        return skip_value(r, wt);
}

static int decode_map_entry(pb_reader *r, msg_state *st, const struct schema_field *f, unsigned wt,
                            size_t at, json **slot) {
        const char *what = field_what(st, f);
        size_t s, n;
        int q = want_wire_type(r, what, wt, WT_LEN, at);
        if (q < 0)
                return q;
        q = read_len(r, &s, &n);
        if (q < 0)
                return q;
        map_entry e = { .st = st, .f = f };
        q = each_field(r, s, n, map_entry_field, &e);
        _cleanup_json_ json *key = e.key, *value = e.value;
        if (q < 0)
                return q;
        if (!value) {
                /* An entry without a value holds the zero value. */
                q = zero_value(r, what, f->value.elem, SCHEMA_PROTO_DEFAULT, st->depth, &value);
                if (q < 0)
                        return q;
                if (!value)
                        value = json_new_string(""); /* map<string, bytes> */
        }
        if (!*slot)
                *slot = json_new_object();
        json_object_set(*slot, key ? json_string(key) : "", TAKE_PTR(value));
        return spend(r);
}

static int decode_field(pb_reader *r, msg_state *st, const struct schema_field *f, unsigned wt,
                        size_t at, json **slot) {
        const char *what = field_what(st, f);
        if (f->value.type == SCHEMA_ARRAY && f->proto_type == SCHEMA_PROTO_LIST_WRAPPER) {
                size_t s, n;
                int q = want_wire_type(r, what, wt, WT_LEN, at);
                if (q < 0)
                        return q;
                q = read_len(r, &s, &n);
                if (q < 0)
                        return q;
                list_wrapper_ctx c = { st, f, slot };
                return each_field(r, s, n, list_wrapper_field, &c);
        }
        if (f->value.type == SCHEMA_ARRAY)
                return decode_repeated(r, st, f, f->value.elem, wt, at, slot);
        if (f->value.type == SCHEMA_MAP)
                return decode_map_entry(r, st, f, wt, at, slot);
        json *v;
        int q = decode_value(r, what, &f->value, f->proto_type, wt, at, st->depth, &v);
        if (q < 0)
                return q;
        /* A scalar seen twice: the last wins, as in protobuf. */
        json_free(*slot);
        *slot = v;
        return 0;
}

/* The fields of one message, or of the embedded message `inl` of an
 * inlined Go struct, into st->slots. */
static int parse_fields(pb_reader *r, msg_state *st, unsigned inl, unsigned depth) {
        while (r->pos < r->end) {
                size_t at = r->pos, i;
                uint32_t num;
                unsigned wt;
                int q = read_key(r, &num, &wt);
                if (q < 0)
                        return q;
                if (inl == 0 && is_inline_number(st->t, num)) {
                        size_t s, n;
                        q = want_wire_type(r, st->t->name, wt, WT_LEN, at);
                        if (q < 0)
                                return q;
                        q = read_len(r, &s, &n);
                        if (q < 0)
                                return q;
                        pb_reader sub = *r;
                        sub.pos = s;
                        sub.end = s + n;
                        q = parse_fields(&sub, st, num, depth + 1);
                        if (q < 0)
                                return q;
                        continue;
                }
                const struct schema_field *f = find_field(st->t, inl, num, &i);
                q = f ? decode_field(r, st, f, wt, at, &st->slots[i]) : skip_value(r, wt);
                if (q < 0)
                        return q;
        }
        return 0;
}

static unsigned order_key(const struct schema_field *f, bool outer) {
        if (outer)
                return f->proto_inline ? f->proto_inline : f->proto_tag;
        return f->proto_inline ? f->proto_tag : 0;
}

static int cmp_fields(const struct schema_field *a, const struct schema_field *b) {
        unsigned a1 = order_key(a, true), b1 = order_key(b, true);
        if (a1 != b1)
                return a1 < b1 ? -1 : 1;
        unsigned a2 = order_key(a, false), b2 = order_key(b, false);
        return a2 < b2 ? -1 : a2 > b2;
}

static void slots_free(msg_state *st) {
        if (!st->slots)
                return;
        for (size_t i = 0; i < st->t->n_fields; i++)
                json_free(st->slots[i]);
        free(st->slots);
}

static int decode_message_into(pb_reader *r, size_t start, size_t len, const struct schema_type *t,
                               unsigned depth, json *into) {
        if (depth > PB_MAX_DEPTH)
                return tm_error_set(r->err, -E2BIG, "%s at byte %zu: nested deeper than %d",
                                    t->name, off(r, start), PB_MAX_DEPTH);
        if (!t->proto_message)
                return tm_error_set(r->err, -EOPNOTSUPP, "%s has no protobuf form", t->name);
        _cleanup_(slots_free) msg_state st = { .t = t, .depth = depth };
        st.slots = xcalloc(t->n_fields ? t->n_fields : 1, sizeof(json *));
        pb_reader sub = *r;
        sub.pos = start;
        sub.end = start + len;
        int q = parse_fields(&sub, &st, 0, depth);
        if (q < 0)
                return q;

        /* Fields in wire-number order, which is Go's struct order. */
        size_t order[t->n_fields ? t->n_fields : 1], n = 0;
        for (size_t i = 0; i < t->n_fields; i++) {
                if (!t->fields[i].proto_tag)
                        continue; /* apiVersion, kind: from the envelope */
                size_t j = n++;
                while (j > 0 && cmp_fields(&t->fields[order[j - 1]], &t->fields[i]) > 0) {
                        order[j] = order[j - 1];
                        j--;
                }
                order[j] = i;
        }
        for (size_t k = 0; k < n; k++) {
                const struct schema_field *f = &t->fields[order[k]];
                _cleanup_json_ json *v = TAKE_PTR(st.slots[order[k]]);
                if (v) {
                        if (f->omit_empty && !f->pointer && go_empty(f, v))
                                continue;
                } else if (f->pointer) {
                        if (f->omit_empty)
                                continue;
                        v = json_new_null();
                } else {
                        const char *what = field_what(&st, f);
                        q = f->proto_type == SCHEMA_PROTO_LIST_WRAPPER
                                    ? 0
                                    : zero_value(&sub, what, &f->value, f->proto_type, depth, &v);
                        if (q < 0)
                                return q;
                        if (f->omit_empty && go_empty(f, v))
                                continue;
                        if (!v)
                                v = json_new_null();
                }
                json_object_set(into, f->name, TAKE_PTR(v));
                q = spend(&sub);
                if (q < 0)
                        return q;
        }
        return 0;
}

int pb_decode_message(const void *buf, size_t len, size_t base, const struct schema_type *t,
                      json **ret, tm_error **err) {
        size_t budget = len + PB_BUDGET_MARGIN;
        pb_reader r = {
                .buf = buf, .pos = 0, .end = len, .base = base, .budget = &budget, .err = err
        };
        _cleanup_json_ json *o = json_new_object();
        int q = decode_message_into(&r, 0, len, t, 1, o);
        if (q < 0)
                return q;
        *ret = TAKE_PTR(o);
        return 0;
}

/* ---- the envelope -------------------------------------------------------------- */

static const uint8_t pb_magic[4] = { 'k', '8', 's', 0 };

typedef struct env_ctx {
        pb_envelope *e;
        bool has_type_meta;
        size_t tm_start, tm_len;
} env_ctx;

static int type_meta_field(pb_reader *r, uint32_t num, unsigned wt, size_t at, void *userdata) {
        pb_envelope *e = userdata;
        if (num != 1 && num != 2)
                return skip_value(r, wt);
        size_t s, n;
        int q = want_wire_type(r, num == 1 ? "typeMeta.apiVersion" : "typeMeta.kind", wt, WT_LEN,
                               at);
        if (q < 0)
                return q;
        q = read_len(r, &s, &n);
        if (q < 0)
                return q;
        if (!text_ok(r->buf + s, n))
                return tm_error_set(r->err, -EINVAL,
                                    "typeMeta string at byte %zu is not valid UTF-8 or contains "
                                    "NUL",
                                    off(r, s));
        if (num == 1) {
                e->api_version = (const char *)r->buf + s;
                e->api_version_len = n;
        } else {
                e->kind = (const char *)r->buf + s;
                e->kind_len = n;
        }
        return 0;
}

static int unknown_field(pb_reader *r, uint32_t num, unsigned wt, size_t at, void *userdata) {
        env_ctx *c = userdata;
        static const char *const names[] = { NULL, "typeMeta", "raw", "contentEncoding",
                                             "contentType" };
        if (num < 1 || num > 4)
                return skip_value(r, wt);
        size_t s, n;
        int q = want_wire_type(r, names[num], wt, WT_LEN, at);
        if (q < 0)
                return q;
        q = read_len(r, &s, &n);
        if (q < 0)
                return q;
        switch (num) {
        case 1:
                c->has_type_meta = true;
                c->tm_start = s;
                c->tm_len = n;
                break;
        case 2:
                c->e->raw = r->buf + s;
                c->e->raw_len = n;
                c->e->raw_offset = s;
                break;
        case 3:
                c->e->content_encoding = (const char *)r->buf + s;
                c->e->content_encoding_len = n;
                break;
        }
        return 0;
}

int pb_read_envelope(const void *buf, size_t len, pb_envelope *ret, tm_error **err) {
        if (len < sizeof pb_magic || memcmp(buf, pb_magic, sizeof pb_magic) != 0)
                return tm_error_set(err, -EINVAL,
                                    "missing the protobuf magic number \"k8s\\x00\" at byte 0");
        pb_envelope e = { .api_version = "",
                          .kind = "",
                          .raw = (const uint8_t *)buf + len,
                          .raw_offset = len,
                          .content_encoding = "" };
        env_ctx c = { .e = &e };
        pb_reader r = { .buf = buf, .pos = sizeof pb_magic, .end = len, .err = err };
        int q = each_field(&r, sizeof pb_magic, len - sizeof pb_magic, unknown_field, &c);
        if (q < 0)
                return q;
        if (c.has_type_meta) {
                q = each_field(&r, c.tm_start, c.tm_len, type_meta_field, &e);
                if (q < 0)
                        return q;
        }
        *ret = e;
        return 0;
}

int pb_decode_object(const void *buf, size_t len, json **ret, tm_error **err) {
        pb_envelope e;
        int q = pb_read_envelope(buf, len, &e, err);
        if (q < 0)
                return q;
        if (e.content_encoding_len)
                return tm_error_set(err, -EOPNOTSUPP, "unsupported content encoding \"%.*s\"",
                                    (int)e.content_encoding_len, e.content_encoding);
        if (!e.kind_len || !e.api_version_len)
                return tm_error_set(err, -EINVAL, "the envelope has no %s",
                                    e.kind_len ? "apiVersion" : "kind");
        _cleanup_free_ char *av = xstrndup(e.api_version, e.api_version_len);
        _cleanup_free_ char *kind = xstrndup(e.kind, e.kind_len);
        char *slash = strchr(av, '/');
        const char *group = slash ? av : "", *version = slash ? slash + 1 : av;
        if (slash)
                *slash = '\0';
        const struct schema_type *t = schema_type_by_gvk(group, version, kind);
        if (!t && streq(group, "meta.k8s.io")) /* the schema files meta under "" */
                t = schema_type_by_gvk("", version, kind);
        if (slash)
                *slash = '/';
        if (!t)
                return tm_error_set(err, -ENOENT, "no kind \"%s\" is registered for version \"%s\"",
                                    kind, av);
        _cleanup_json_ json *o = json_new_object();
        json_object_set_string(o, "kind", kind);
        json_object_set_string(o, "apiVersion", av);
        size_t budget = len + PB_BUDGET_MARGIN;
        pb_reader r = { .buf = buf, .pos = 0, .end = len, .budget = &budget, .err = err };
        q = decode_message_into(&r, e.raw_offset, e.raw_len, t, 1, o);
        if (q < 0)
                return q;
        *ret = TAKE_PTR(o);
        return 0;
}

/* ---- encoding: the JSON tree into protobuf ------------------------------------- */

/* The bytes upstream's (gogo) marshalling writes for the object: fields in
 * number order; non-pointer fields always, zero or not; pointers, slices,
 * maps and bytes only when set; map entries sorted by key. */

static void put_varint(strbuf *b, uint64_t v) {
        char c[10];
        size_t n = 0;
        do {
                c[n] = (char)(v & 0x7f);
                v >>= 7;
                if (v)
                        c[n] |= (char)0x80;
                n++;
        } while (v);
        strbuf_append(b, c, n);
}

static void put_key(strbuf *b, unsigned num, unsigned wt) {
        put_varint(b, (uint64_t)num << 3 | wt);
}

static void put_len(strbuf *b, unsigned num, const void *p, size_t n) {
        put_key(b, num, WT_LEN);
        put_varint(b, n);
        strbuf_append(b, p, n);
}

typedef struct pb_writer {
        tm_error **err;
        unsigned depth;
} pb_writer;

static int enc_bad(pb_writer *w, const char *where, const char *want, const json *v) {
        return tm_error_set(w->err, -EINVAL, "%s: expected %s, got %s", where, want,
                            json_type_name(json_get_type(v)));
}

static int enc_int(pb_writer *w, const char *where, const json *v, int64_t *ret) {
        if (json_is_int(v)) {
                *ret = json_int(v);
                return 0;
        }
        double d = json_double(v);
        if (json_get_type(v) == JSON_DOUBLE && d == trunc(d) && fabs(d) < 9.2e18) {
                *ret = (int64_t)d;
                return 0;
        }
        return enc_bad(w, where, "an integer", v);
}

static int enc_time(pb_writer *w, const char *where, const json *v, bool micro, strbuf *m) {
        if (!v || json_is_null(v))
                return 0; /* the zero time: an empty message */
        if (!json_is_string(v))
                return enc_bad(w, where, "a time string", v);
        tm_time t;
        _cleanup_error_ tm_error *terr = NULL;
        int q = time_parse_rfc3339n(json_string(v), json_string_len(v), &t, &terr);
        if (q < 0)
                return tm_error_set(w->err, q, "%s: %s", where, tm_error_msg(terr));
        if (t.sec == TIME_ZERO_SEC && t.nsec == 0)
                return 0;
        /* Upstream's Timestamp writes both fields; Time drops the fraction. */
        int32_t nsec = micro ? t.nsec - t.nsec % 1000 : 0;
        put_key(m, 1, WT_VARINT);
        put_varint(m, (uint64_t)t.sec);
        put_key(m, 2, WT_VARINT);
        put_varint(m, (uint64_t)(int64_t)nsec);
        return 0;
}

static int enc_message(pb_writer *w, const json *obj, const struct schema_type *t, strbuf *out);

/* One value of `v` as field `num` (not an array or map). */
static int enc_value(pb_writer *w, const char *where, const struct schema_value *v,
                     enum schema_proto_type pt, unsigned num, const json *x, strbuf *out) {
        _cleanup_strbuf_ strbuf m = STRBUF_INIT;
        int64_t i;
        int q;
        switch (v->type) {
        case SCHEMA_INT32:
        case SCHEMA_INT64:
                q = enc_int(w, where, x, &i);
                if (q < 0)
                        return q;
                if (v->type == SCHEMA_INT32 && (i < INT32_MIN || i > INT32_MAX))
                        return tm_error_set(w->err, -ERANGE,
                                            "%s: %" PRId64 " is out of int32 range", where, i);
                put_key(out, num, WT_VARINT);
                put_varint(out, (uint64_t)i);
                return 0;
        case SCHEMA_BOOLEAN:
                if (!json_is_bool(x))
                        return enc_bad(w, where, "a boolean", x);
                put_key(out, num, WT_VARINT);
                put_varint(out, json_bool(x));
                return 0;
        case SCHEMA_NUMBER: {
                if (!json_is_number(x))
                        return enc_bad(w, where, "a number", x);
                double d = json_double(x);
                uint64_t u;
                memcpy(&u, &d, sizeof u);
                char le[8];
                for (int k = 0; k < 8; k++)
                        le[k] = (char)(u >> (8 * k));
                put_key(out, num, WT_I64);
                strbuf_append(out, le, 8);
                return 0;
        }
        case SCHEMA_STRING:
                if (pt == SCHEMA_PROTO_DURATION)
                        return tm_error_set(w->err, -EOPNOTSUPP, "%s: durations are not encoded",
                                            where);
                if (!json_is_string(x))
                        return enc_bad(w, where, "a string", x);
                put_len(out, num, json_string(x), json_string_len(x));
                return 0;
        case SCHEMA_BYTE: {
                if (!json_is_string(x))
                        return enc_bad(w, where, "a base64 string", x);
                _cleanup_free_ char *raw = NULL;
                size_t n;
                q = base64_decode(json_string(x), json_string_len(x), false, &raw, &n);
                if (q < 0)
                        return tm_error_set(w->err, q, "%s: invalid base64", where);
                put_len(out, num, raw, n);
                return 0;
        }
        case SCHEMA_QUANTITY:
                if (!json_is_string(x))
                        return enc_bad(w, where, "a quantity string", x);
                put_len(&m, 1, json_string(x), json_string_len(x));
                break;
        case SCHEMA_INT_OR_STRING:
                if (json_is_string(x)) {
                        put_key(&m, 1, WT_VARINT);
                        put_varint(&m, 1);
                        put_key(&m, 2, WT_VARINT);
                        put_varint(&m, 0);
                        put_len(&m, 3, json_string(x), json_string_len(x));
                } else {
                        q = enc_int(w, where, x, &i);
                        if (q < 0)
                                return q;
                        put_key(&m, 1, WT_VARINT);
                        put_varint(&m, 0);
                        put_key(&m, 2, WT_VARINT);
                        put_varint(&m, (uint64_t)(int64_t)(int32_t)i);
                        put_len(&m, 3, "", 0);
                }
                break;
        case SCHEMA_DATE_TIME:
        case SCHEMA_MICRO_TIME:
                q = enc_time(w, where, x, v->type == SCHEMA_MICRO_TIME, &m);
                if (q < 0)
                        return q;
                break;
        case SCHEMA_OBJECT: {
                if (pt != SCHEMA_PROTO_RAW_EXTENSION && pt != SCHEMA_PROTO_FIELDS_V1)
                        return tm_error_set(w->err, -EOPNOTSUPP,
                                            "%s: no protobuf form for this value", where);
                if (x && !json_is_null(x)) {
                        size_t n;
                        _cleanup_free_ char *s = json_serialize(x, 0, &n);
                        put_len(&m, 1, s, n);
                }
                break;
        }
        case SCHEMA_REF:
                if (!json_is_object(x))
                        return enc_bad(w, where, "an object", x);
                q = enc_message(w, x, v->ref, &m);
                if (q < 0)
                        return q;
                break;
        default:
                return tm_error_set(w->err, -EOPNOTSUPP, "%s: %s values have no protobuf form",
                                    where, schema_value_type_to_string(v->type));
        }
        put_len(out, num, m.data ? m.data : "", m.len);
        return 0;
}

static int cmp_keys(const void *a, const void *b) {
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int enc_field(pb_writer *w, const struct schema_type *t, const struct schema_field *f,
                     const json *x, strbuf *out) {
        char where[160];
        snprintf(where, sizeof where, "%s.%s", t->name, f->name);
        bool absent = !x || json_is_null(x);
        int q;
        if (f->value.type == SCHEMA_ARRAY) {
                if (absent)
                        return 0;
                if (!json_is_array(x))
                        return enc_bad(w, where, "an array", x);
                _cleanup_strbuf_ strbuf items = STRBUF_INIT;
                bool wrap = f->proto_type == SCHEMA_PROTO_LIST_WRAPPER;
                for (size_t i = 0; i < json_array_len(x); i++) {
                        q = enc_value(w, where, f->value.elem, SCHEMA_PROTO_DEFAULT,
                                      wrap ? 1 : f->proto_tag, json_array_get(x, i),
                                      wrap ? &items : out);
                        if (q < 0)
                                return q;
                }
                if (wrap)
                        put_len(out, f->proto_tag, items.data ? items.data : "", items.len);
                return 0;
        }
        if (f->value.type == SCHEMA_MAP) {
                if (absent)
                        return 0;
                if (!json_is_object(x))
                        return enc_bad(w, where, "an object", x);
                size_t n = json_object_len(x);
                _cleanup_free_ const char **keys = xcalloc(n ? n : 1, sizeof(char *));
                for (size_t i = 0; i < n; i++)
                        keys[i] = json_object_key_at(x, i);
                qsort(keys, n, sizeof(char *), cmp_keys);
                _cleanup_strbuf_ strbuf e = STRBUF_INIT;
                for (size_t i = 0; i < n; i++) {
                        strbuf_reset(&e);
                        put_len(&e, 1, keys[i], strlen(keys[i]));
                        const json *val = json_object_get(x, keys[i]);
                        q = enc_value(w, where, f->value.elem, SCHEMA_PROTO_DEFAULT, 2, val, &e);
                        if (q < 0)
                                return q;
                        put_len(out, f->proto_tag, e.data, e.len);
                }
                return 0;
        }
        if (absent) {
                if (f->pointer || f->value.type == SCHEMA_BYTE)
                        return 0;
                /* Non-pointer fields go out as their zero value. */
                switch (f->value.type) {
                case SCHEMA_STRING:
                        if (f->proto_type == SCHEMA_PROTO_DURATION)
                                break;
                        put_len(out, f->proto_tag, "", 0);
                        return 0;
                case SCHEMA_INT32:
                case SCHEMA_INT64:
                case SCHEMA_BOOLEAN:
                        put_key(out, f->proto_tag, WT_VARINT);
                        put_varint(out, 0);
                        return 0;
                case SCHEMA_NUMBER:
                        put_key(out, f->proto_tag, WT_I64);
                        strbuf_append(out, "\0\0\0\0\0\0\0\0", 8);
                        return 0;
                case SCHEMA_REF: {
                        _cleanup_json_ json *empty = json_new_object();
                        return enc_value(w, where, &f->value, f->proto_type, f->proto_tag, empty,
                                         out);
                }
                case SCHEMA_INT_OR_STRING: {
                        _cleanup_json_ json *zero = json_new_int(0);
                        return enc_value(w, where, &f->value, f->proto_type, f->proto_tag, zero,
                                         out);
                }
                default:
                        break;
                }
                return enc_value(w, where, &f->value, f->proto_type, f->proto_tag, NULL, out);
        }
        return enc_value(w, where, &f->value, f->proto_type, f->proto_tag, x, out);
}

static int enc_message(pb_writer *w, const json *obj, const struct schema_type *t, strbuf *out) {
        if (!t->proto_message)
                return tm_error_set(w->err, -EOPNOTSUPP, "%s has no protobuf form", t->name);
        if (w->depth >= PB_MAX_DEPTH)
                return tm_error_set(w->err, -E2BIG, "%s: nested deeper than %d", t->name,
                                    PB_MAX_DEPTH);
        w->depth++;
        size_t order[t->n_fields ? t->n_fields : 1], n = 0;
        for (size_t i = 0; i < t->n_fields; i++) {
                if (!t->fields[i].proto_tag)
                        continue;
                size_t j = n++;
                while (j > 0 && cmp_fields(&t->fields[order[j - 1]], &t->fields[i]) > 0) {
                        order[j] = order[j - 1];
                        j--;
                }
                order[j] = i;
        }
        _cleanup_strbuf_ strbuf inl = STRBUF_INIT;
        unsigned cur_inl = 0;
        int q = 0;
        for (size_t k = 0; k <= n && q >= 0; k++) {
                const struct schema_field *f = k < n ? &t->fields[order[k]] : NULL;
                unsigned f_inl = f ? f->proto_inline : 0;
                if (cur_inl && f_inl != cur_inl) {
                        /* An inlined Go struct: its own embedded message. */
                        put_len(out, cur_inl, inl.data ? inl.data : "", inl.len);
                        strbuf_reset(&inl);
                }
                cur_inl = f_inl;
                if (f)
                        q = enc_field(w, t, f, json_object_get(obj, f->name), f_inl ? &inl : out);
        }
        w->depth--;
        return q;
}

int pb_encode_message(const json *obj, const struct schema_type *t, char **ret, size_t *ret_len,
                      tm_error **err) {
        if (!json_is_object(obj))
                return tm_error_set(err, -EINVAL, "%s: expected an object", t->name);
        pb_writer w = { .err = err };
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        int q = enc_message(&w, obj, t, &b);
        if (q < 0)
                return q;
        *ret = strbuf_take(&b, ret_len);
        return 0;
}

int pb_encode_object(const json *obj, char **ret, size_t *ret_len, tm_error **err) {
        const char *av = json_object_get_string(obj, "apiVersion");
        const char *kind = json_object_get_string(obj, "kind");
        if (!av || !kind)
                return tm_error_set(err, -EINVAL, "the object has no %s",
                                    av ? "kind" : "apiVersion");
        _cleanup_free_ char *group = NULL;
        const char *slash = strchr(av, '/');
        group = slash ? xstrndup(av, slash - av) : xstrdup("");
        const struct schema_type *t = schema_type_by_gvk(group, slash ? slash + 1 : av, kind);
        if (!t)
                return tm_error_set(err, -ENOENT, "no kind \"%s\" is registered for version \"%s\"",
                                    kind, av);
        _cleanup_free_ char *raw = NULL;
        size_t raw_len;
        int q = pb_encode_message(obj, t, &raw, &raw_len, err);
        if (q < 0)
                return q;
        _cleanup_strbuf_ strbuf tm = STRBUF_INIT, b = STRBUF_INIT;
        put_len(&tm, 1, av, strlen(av));
        put_len(&tm, 2, kind, strlen(kind));
        strbuf_append(&b, pb_magic, sizeof pb_magic);
        put_len(&b, 1, tm.data, tm.len);
        put_len(&b, 2, raw, raw_len);
        put_len(&b, 3, "", 0); /* contentEncoding, contentType: empty, as upstream writes */
        put_len(&b, 4, "", 0);
        *ret = strbuf_take(&b, ret_len);
        return 0;
}
