/* SPDX-License-Identifier: Apache-2.0 */
/* Resource quantities. The tables are the examples of upstream's
 * apimachinery resource/quantity_test.go (inputs and expected results). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "quantity.h"
#include "tests/tap.h"

#define DSI QUANTITY_DECIMAL_SI
#define BSI QUANTITY_BINARY_SI
#define DEX QUANTITY_DECIMAL_EXPONENT

static const char *fmt(const quantity *q) {
        static char buf[QUANTITY_STRING_MAX];
        return quantity_format_buf(q, buf);
}

/* Parse: the expected value is mant * 10^exp, and the format. */
static const struct {
        const char *in;
        int64_t mant;
        int exp;
        quantity_format format;
} parse_table[] = {
        { "0", 0, 0, DSI },
        { "0n", 0, 0, DSI },
        { "0u", 0, 0, DSI },
        { "0m", 0, 0, DSI },
        { "0Ki", 0, 0, BSI },
        { "0k", 0, 0, DSI },
        { "0Mi", 0, 0, BSI },
        { "0M", 0, 0, DSI },
        { "0Gi", 0, 0, BSI },
        { "0G", 0, 0, DSI },
        { "0Ti", 0, 0, BSI },
        { "0T", 0, 0, DSI },
        { "1", 1, 0, DSI },
        { "1Ki", 1024, 0, BSI },
        { "8Ki", 8 * 1024, 0, BSI },
        { "7Mi", 7 * 1024 * 1024, 0, BSI },
        { "6Gi", 6LL * 1024 * 1024 * 1024, 0, BSI },
        { "5Ti", 5LL * 1024 * 1024 * 1024 * 1024, 0, BSI },
        { "4Pi", 4LL * 1024 * 1024 * 1024 * 1024 * 1024, 0, BSI },
        { "3Ei", 3LL * 1024 * 1024 * 1024 * 1024 * 1024 * 1024, 0, BSI },
        { "10Ti", 10LL * 1024 * 1024 * 1024 * 1024, 0, BSI },
        { "100Ti", 100LL * 1024 * 1024 * 1024 * 1024, 0, BSI },
        { "5n", 5, -9, DSI },
        { "4u", 4, -6, DSI },
        { "3m", 3, -3, DSI },
        { "9", 9, 0, DSI },
        { "8k", 8, 3, DSI },
        { "50k", 5, 4, DSI },
        { "7M", 7, 6, DSI },
        { "6G", 6, 9, DSI },
        { "5T", 5, 12, DSI },
        { "40T", 4, 13, DSI },
        { "300T", 3, 14, DSI },
        { "2P", 2, 15, DSI },
        { "1E", 1, 18, DSI },
        { "1E-3", 1, -3, DEX },
        { "1e3", 1, 3, DEX },
        { "1E6", 1, 6, DEX },
        { "1e9", 1, 9, DEX },
        { "1E12", 1, 12, DEX },
        { "1e15", 1, 15, DEX },
        { "1E18", 1, 18, DEX },
        { "1e14", 1, 14, DEX },
        { "1e13", 1, 13, DEX },
        { "100.035k", 100035, 0, DSI },
        { "0.001", 1, -3, DSI },
        { "0.0005k", 5, -1, DSI },
        { "0.005", 5, -3, DSI },
        { "0.05", 5, -2, DSI },
        { "0.5", 5, -1, DSI },
        { "0.00050k", 5, -1, DSI },
        { "0.00500", 5, -3, DSI },
        { "0.05000", 5, -2, DSI },
        { "0.50000", 5, -1, DSI },
        { "0.5e0", 5, -1, DEX },
        { "0.5e-1", 5, -2, DEX },
        { "0.5e-2", 5, -3, DEX },
        { "10.035M", 10035, 3, DSI },
        { "1.2e3", 12, 2, DEX },
        { "1.3E+6", 13, 5, DEX },
        { "1.40e9", 14, 8, DEX },
        { "1.53E12", 153, 10, DEX },
        { "1.6e15", 16, 14, DEX },
        { "1.7E18", 17, 17, DEX },
        { "9.01", 901, -2, DSI },
        { "8.1k", 81, 2, DSI },
        { "7.123456M", 7123456, 0, DSI },
        { "6.987654321G", 6987654321, 0, DSI },
        { "5.444T", 5444, 9, DSI },
        { "40.1T", 401, 11, DSI },
        { "300.2T", 3002, 11, DSI },
        { "2.5P", 25, 14, DSI },
        { "1.01E", 101, 16, DSI },
        { "3.001n", 4, -9, DSI },
        { "1.1E-9", 2, -9, DEX },
        { "0.0000000001", 1, -9, DSI },
        { "0.0000000005", 1, -9, DSI },
        { "0.00000000050", 1, -9, DSI },
        { "0.5e-9", 1, -9, DEX },
        { "0.9n", 1, -9, DSI },
        { "0.00000012345", 124, -9, DSI },
        { "0.00000012354", 124, -9, DSI },
        { "9Ei", INT64_MAX, 0, BSI },
        { "9223372036854775807Ki", INT64_MAX, 0, BSI },
        { "12E", 12, 18, DSI },
        { "100.035Ki", 10243584, -2, BSI },
        { "0.5Mi", 512 * 1024, 0, BSI },
        { "0.05Gi", 536870912, -1, BSI },
        { "0.025Ti", 274877906944, -1, BSI },
        { "0.000000000001Ki", 2, -9, DSI },
        { ".001", 1, -3, DSI },
        { ".0001k", 100, -3, DSI },
        { "1.", 1, 0, DSI },
        { "1.G", 1, 9, DSI },
};

static void test_parse_table(void) {
        for (size_t i = 0; i < ELEMENTSOF(parse_table); i++) {
                quantity want = quantity_from_scaled(parse_table[i].mant, parse_table[i].exp,
                                                     parse_table[i].format);
                quantity got, neg, plus;
                _cleanup_error_ tm_error *err = NULL;
                char sign[64];

                int r = quantity_parse(parse_table[i].in, &got, &err);
                is_int(r, 0, "parse %s", parse_table[i].in);
                if (r < 0)
                        continue;
                ok(quantity_cmp(&got, &want) == 0 && got.format == parse_table[i].format,
                   "%s = %s (%s)", parse_table[i].in, fmt(&want),
                   quantity_format_to_string(parse_table[i].format));

                /* The negative and explicitly positive versions. */
                snprintf(sign, sizeof(sign), "-%s", parse_table[i].in);
                quantity_neg(&want);
                ok(quantity_parse(sign, &neg, NULL) == 0 && quantity_cmp(&neg, &want) == 0 &&
                           neg.format == parse_table[i].format,
                   "%s", sign);
                quantity_neg(&want);
                snprintf(sign, sizeof(sign), "+%s", parse_table[i].in);
                ok(quantity_parse(sign, &plus, NULL) == 0 && quantity_cmp(&plus, &want) == 0 &&
                           plus.format == parse_table[i].format,
                   "%s", sign);
        }
}

static const struct {
        const char *in;
        const char *msg;
} invalid_table[] = {
        { "1.1.M", QUANTITY_ERR_FORMAT },       { "1+1.0M", QUANTITY_ERR_FORMAT },
        { "0.1mi", QUANTITY_ERR_SUFFIX },       { "0.1am", QUANTITY_ERR_FORMAT },
        { "aoeu", QUANTITY_ERR_FORMAT },        { ".5i", QUANTITY_ERR_SUFFIX },
        { "1i", QUANTITY_ERR_SUFFIX },          { "-3.01i", QUANTITY_ERR_SUFFIX },
        { "-3.01e-", QUANTITY_ERR_SUFFIX },     { " 1", QUANTITY_ERR_FORMAT },
        { "1 ", QUANTITY_ERR_FORMAT },          { "", QUANTITY_ERR_FORMAT },
        { "1.5.5", QUANTITY_ERR_FORMAT },       { "1Kb", QUANTITY_ERR_FORMAT },
        { "Non-Numeric", QUANTITY_ERR_FORMAT }, { "invalid", QUANTITY_ERR_FORMAT },
        { "1e", QUANTITY_ERR_SUFFIX },          { "1ee3", QUANTITY_ERR_SUFFIX },
        { "1e3e", QUANTITY_ERR_FORMAT },        { "1m3", QUANTITY_ERR_SUFFIX },
        { "1KI", QUANTITY_ERR_FORMAT },         { "1e99999999999999999999", QUANTITY_ERR_SUFFIX },
        { "e-10", QUANTITY_ERR_NUMERIC },       { ".Ei", QUANTITY_ERR_NUMERIC },
        { "0x10", QUANTITY_ERR_FORMAT },        { "1_000", QUANTITY_ERR_FORMAT },
};

static void test_invalid(void) {
        for (size_t i = 0; i < ELEMENTSOF(invalid_table); i++) {
                _cleanup_error_ tm_error *err = NULL;
                quantity q = quantity_from_int(7, DSI), before = q;
                is_int(quantity_parse(invalid_table[i].in, &q, &err), -EINVAL, "'%s' rejected",
                       invalid_table[i].in);
                is_str(tm_error_msg(err), invalid_table[i].msg, "'%s' message",
                       invalid_table[i].in);
                ok(quantity_cmp(&q, &before) == 0, "'%s' left the output alone",
                   invalid_table[i].in);
        }
        _cleanup_error_ tm_error *err = NULL;
        quantity q;
        is_int(quantity_parsen("1\0", 2, &q, &err), -EINVAL, "embedded NUL rejected");
        is_int(quantity_parse("123456789012345678901234567890123456789012", &q, NULL), -ERANGE,
               "42 significant digits: -ERANGE (upstream uses an unbounded decimal)");
}

/* A value written in each format (decQuantity(mant, exp, format)) and its
 * canonical string; the alternate spelling parses to the same string. */
static const struct {
        int64_t mant;
        int exp;
        quantity_format format;
        const char *expect, *alternate;
} string_table[] = {
        { 1024 * 1024 * 1024, 0, BSI, "1Gi", "1024Mi" },
        { 300 * 1024 * 1024, 0, BSI, "300Mi", "307200Ki" },
        { 6 * 1024, 0, BSI, "6Ki", NULL },
        { 1001LL * 1024 * 1024 * 1024, 0, BSI, "1001Gi", "1025024Mi" },
        { 1024LL * 1024 * 1024 * 1024, 0, BSI, "1Ti", "1024Gi" },
        { 5, 0, BSI, "5", "5000m" },
        { 500, -3, BSI, "500m", "0.5" },
        { 1, 9, DSI, "1G", "1000M" },
        { 1000, 6, DSI, "1G", "0.001T" },
        { 1000000, 3, DSI, "1G", NULL },
        { 1000000000, 0, DSI, "1G", NULL },
        { 1, -3, DSI, "1m", "1000u" },
        { 80, -3, DSI, "80m", NULL },
        { 1080, -3, DSI, "1080m", "1.08" },
        { 108, -2, DSI, "1080m", "1080000000n" },
        { 10800, -4, DSI, "1080m", NULL },
        { 300, 6, DSI, "300M", NULL },
        { 1, 12, DSI, "1T", NULL },
        { 1234567, 6, DSI, "1234567M", NULL },
        { 1234567, -3, BSI, "1234567m", NULL },
        { 3, 3, DSI, "3k", NULL },
        { 1025, 0, BSI, "1025", NULL },
        { 0, 0, DSI, "0", NULL },
        { 0, 0, BSI, "0", NULL },
        { 1, 9, DEX, "1e9", ".001e12" },
        { 1, -3, DEX, "1e-3", "0.001e0" },
        { 1, -9, DEX, "1e-9", "1000e-12" },
        { 80, -3, DEX, "80e-3", NULL },
        { 300, 6, DEX, "300e6", NULL },
        { 1, 12, DEX, "1e12", NULL },
        { 1, 3, DEX, "1e3", NULL },
        { 3, 3, DEX, "3e3", NULL },
        { 3, 3, DSI, "3k", NULL },
        { 0, 0, DEX, "0", "00" },
        { 1, -9, DSI, "1n", NULL },
        { 80, -9, DSI, "80n", NULL },
        { 1080, -9, DSI, "1080n", NULL },
        { 108, -8, DSI, "1080n", NULL },
        { 1, -6, DSI, "1u", NULL },
        { 80, -6, DSI, "80u", NULL },
        { 1080, -6, DSI, "1080u", NULL },
};

static void test_string_table(void) {
        for (size_t i = 0; i < ELEMENTSOF(string_table); i++) {
                quantity q = quantity_from_scaled(string_table[i].mant, string_table[i].exp,
                                                  string_table[i].format);
                quantity p;
                is_str(fmt(&q), string_table[i].expect, "%" PRId64 "e%d %s", string_table[i].mant,
                       string_table[i].exp, quantity_format_to_string(string_table[i].format));
                ok(quantity_parse(string_table[i].expect, &p, NULL) == 0 &&
                           quantity_cmp(&p, &q) == 0,
                   "'%s' parses back", string_table[i].expect);
                if (string_table[i].alternate) {
                        ok(quantity_parse(string_table[i].alternate, &p, NULL) == 0, "parse '%s'",
                           string_table[i].alternate);
                        is_str(fmt(&p), string_table[i].expect, "'%s' is canonically '%s'",
                               string_table[i].alternate, string_table[i].expect);
                }
                if (!quantity_is_zero(&q)) {
                        char want[64];
                        snprintf(want, sizeof(want), "-%s", string_table[i].expect);
                        quantity_neg(&q);
                        is_str(fmt(&q), want, "negated: %s", want);
                }
        }
}

/* Input -> String(), upstream's TestQuantityParseEmit and the examples of
 * the canonical-form rules, including inputs upstream keeps verbatim. */
static const struct {
        const char *in, *out;
} emit_table[] = {
        { "1Ki", "1Ki" },
        { "1Mi", "1Mi" },
        { "1Gi", "1Gi" },
        { "1024Mi", "1Gi" },
        { "1000M", "1G" },
        { ".001Ki", "1024m" },
        { ".000001Ki", "1024u" },
        { ".000000001Ki", "1024n" },
        { ".000000000001Ki", "2n" },
        { "1.5Gi", "1536Mi" },
        { "0.1", "100m" },
        { "1000m", "1" },
        { "1e3", "1e3" },
        { "2k", "2k" },
        { "1.5", "1500m" },
        { "100m", "100m" },
        { "0.5Ki", "512" },
        { "1e4", "10e3" },
        { "1E", "1E" },
        { "9Ei", "9223372036854775807" },
        { "8Ki", "8Ki" },
        { "1025Ki", "1025Ki" },
        { "1536", "1536" },
        { "2048Ki", "2Mi" },
        { "0.0000000001", "1n" },
        { "12345n", "12345n" },
        { "123456789m", "123456789m" },
        { "-1", "-1" },
        { "-0", "0" },
        { "-.", "0" },
        { "00", "0" },
        /* Upstream keeps a canonical-looking input as it was written. */
        { "+5", "+5" },
        { "05", "05" },
        { "1.500", "1.500" },
        { "5.", "5." },
        { "1.G", "1.G" },
        { "+1Ki", "+1Ki" },
        /* Beyond E, upstream drops the suffix (changing the value): we use
         * an exponent instead. */
        { "1000E", "1e21" },
        { "1000000E", "1e24" },
};

static void test_emit(void) {
        for (size_t i = 0; i < ELEMENTSOF(emit_table); i++) {
                quantity q;
                _cleanup_free_ char *s = NULL;
                if (!ok(quantity_parse(emit_table[i].in, &q, NULL) == 0, "parse '%s'",
                        emit_table[i].in))
                        continue;
                s = quantity_to_string(&q);
                is_str(s, emit_table[i].out, "'%s' -> '%s'", emit_table[i].in, emit_table[i].out);
                if (!quantity_is_zero(&q) && !strchr("+-", emit_table[i].in[0])) {
                        char in[64], out[64];
                        snprintf(in, sizeof(in), "-%s", emit_table[i].in);
                        snprintf(out, sizeof(out), "-%s", emit_table[i].out);
                        ok(quantity_parse(in, &q, NULL) == 0 && streq(fmt(&q), out), "'%s' -> '%s'",
                           in, out);
                }
        }
}

static void test_cmp(void) {
        static const struct {
                const char *x, *y;
                int cmp;
        } table[] = {
                { "0", "0", 0 },          { "100m", "50m", 1 },      { "50m", "100m", -1 },
                { "10000T", "100Gi", 1 }, { "1Gi", "1024Mi", 0 },    { "1k", "1000", 0 },
                { "1Ki", "1k", 1 },       { "-1", "1m", -1 },        { "-1Ki", "-1k", -1 },
                { "1e3", "1k", 0 },       { "999999999n", "1", -1 }, { "1E", "1e18", 0 },
                { "0Ki", "0m", 0 },       { "1n", "0", 1 },
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                quantity x, y;
                ok(quantity_parse(table[i].x, &x, NULL) == 0 &&
                           quantity_parse(table[i].y, &y, NULL) == 0,
                   "parse %s, %s", table[i].x, table[i].y);
                is_int(quantity_cmp(&x, &y), table[i].cmp, "cmp(%s, %s)", table[i].x, table[i].y);
                is_int(quantity_cmp(&y, &x), -table[i].cmp, "cmp(%s, %s)", table[i].y, table[i].x);
        }

        /* TestQuantityCmpInt64AndDec (values below 1n are rounded up to 1n
         * here, so its cases at scale -17 are left out). */
        static const struct {
                int64_t a;
                int ae;
                int64_t b;
                int be;
                int cmp;
        } itable[] = {
                { 901, -2, 901, -2, 0 },
                { 90, -1, 901, -2, -1 },
                { 901, -2, 900, -2, 1 },
                { 0, 0, 0, 0, 0 },
                { 0, 1, 0, -1, 0 },
                { 0, -1, 0, 1, 0 },
                { 800, -3, 1, 0, -1 },
                { 800, -3, 79, -2, 1 },
                { INT64_MAX, 0, 1, -1, 1 },
                { INT64_MAX, 1, 1, 0, 1 },
                { INT64_MAX, 1, 1, 1, 1 },
                { INT64_MAX, 1, 0, 1, 1 },
                { INT64_MIN, 0, 0, 0, -1 },
                { INT64_MIN, -9, -1, 0, -1 },
                { INT64_MAX, -9, INT64_MAX, -8, -1 },
        };
        for (size_t i = 0; i < ELEMENTSOF(itable); i++) {
                quantity a = quantity_from_scaled(itable[i].a, itable[i].ae, DSI);
                quantity b = quantity_from_scaled(itable[i].b, itable[i].be, DSI);
                is_int(quantity_cmp(&a, &b), itable[i].cmp, "cmp(%" PRId64 "e%d, %" PRId64 "e%d)",
                       itable[i].a, itable[i].ae, itable[i].b, itable[i].be);
                is_int(quantity_cmp(&b, &a), -itable[i].cmp, "inverted cmp #%zu", i);
        }
        quantity q;
        quantity_parse("1500m", &q, NULL);
        is_int(quantity_cmp_int64(&q, 1), 1, "1500m > 1");
        is_int(quantity_cmp_int64(&q, 2), -1, "1500m < 2");
        quantity_parse("2k", &q, NULL);
        is_int(quantity_cmp_int64(&q, 2000), 0, "2k == 2000");
}

static void test_arith(void) {
        static const struct {
                int64_t a;
                quantity_format af;
                int64_t b;
                int be;
                quantity_format bf;
                int64_t sum, diff;
                quantity_format rf;
        } table[] = {
                /* TestAdd / TestSub: a + b and a - b, format of the result. */
                { 10, DSI, 1, 1, DSI, 20, 0, DSI },  { 10, DSI, 1, 0, BSI, 11, 9, DSI },
                { 10, BSI, 1, 0, DSI, 11, 9, BSI },  { 0, DSI, 50, 0, DSI, 50, -50, DSI },
                { 50, DSI, 0, 0, DSI, 50, 50, DSI }, { 0, DSI, 0, 0, DSI, 0, 0, DSI },
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                quantity a = quantity_from_int(table[i].a, table[i].af);
                quantity b = quantity_from_scaled(table[i].b, table[i].be, table[i].bf);
                quantity s = a, d = a;
                is_int(quantity_add(&s, &b), 0, "add #%zu", i);
                is_int(quantity_cmp_int64(&s, table[i].sum), 0, "add #%zu = %" PRId64, i,
                       table[i].sum);
                ok(s.format == table[i].rf, "add #%zu keeps format", i);
                is_int(quantity_sub(&d, &b), 0, "sub #%zu", i);
                is_int(quantity_cmp_int64(&d, table[i].diff), 0, "sub #%zu = %" PRId64, i,
                       table[i].diff);
        }

        /* Adding or subtracting zero keeps the suffix, in either order. */
        const char *keep[] = { "100m", "1Gi" };
        for (size_t i = 0; i < ELEMENTSOF(keep); i++) {
                quantity v, z, v1, v2;
                quantity_parse(keep[i], &v, NULL);
                quantity_parse("0", &z, NULL);
                v1 = v;
                quantity_add(&v1, &z);
                is_str(fmt(&v1), keep[i], "%s + 0", keep[i]);
                v2 = z;
                quantity_add(&v2, &v);
                is_str(fmt(&v2), keep[i], "0 + %s", keep[i]);
                v2 = z;
                quantity_sub(&v2, &v);
                char want[16];
                snprintf(want, sizeof(want), "-%s", keep[i]);
                is_str(fmt(&v2), want, "0 - %s", keep[i]);
        }

        /* Add and subtract the same numbers across scales: back to zero. */
        quantity acc = quantity_from_int(0, DSI);
        uint64_t x = 88172645463325252ULL;
        int64_t vals[100];
        int r = 0;
        for (int i = 0; i < 100; i++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                vals[i] = (int64_t)(x >> 1);
                quantity t = quantity_from_scaled(vals[i], (int)(vals[i] % 10) - 9, DSI);
                r |= quantity_add(&acc, &t);
        }
        for (int i = 0; i < 100; i++) {
                quantity t = quantity_from_scaled(vals[i], (int)(vals[i] % 10) - 9, DSI);
                r |= quantity_sub(&acc, &t);
        }
        ok(r == 0 && quantity_is_zero(&acc), "100 adds and subs across scales cancel");

        quantity big = quantity_from_scaled(1, 30, DSI), tiny = quantity_from_scaled(1, -9, DSI);
        quantity before = big;
        is_int(quantity_add(&big, &tiny), -ERANGE, "1e30 + 1n needs 40 digits: -ERANGE");
        ok(quantity_cmp(&big, &before) == 0, "failed add leaves the value alone");

        quantity n = quantity_from_scaled(901, -2, DSI);
        quantity_neg(&n);
        is_str(fmt(&n), "-9010m", "neg 9.01");
        quantity_neg(&n);
        is_str(fmt(&n), "9010m", "neg neg 9.01");
}

static void test_values(void) {
        /* TestScaledValue: 1 * 10^from read at scale `to`. */
        static const struct {
                int from, to;
                int64_t want;
        } table[] = {
                { -9, -9, 1 },         { -9, -6, 1 },      { -9, -3, 1 },   { -9, 0, 1 },
                { -6, -9, 1000 },      { -6, -6, 1 },      { -6, -3, 1 },   { -6, 0, 1 },
                { -3, -9, 1000000 },   { -3, -6, 1000 },   { -3, -3, 1 },   { -3, 0, 1 },
                { 0, -9, 1000000000 }, { 0, -6, 1000000 }, { 0, -3, 1000 }, { 0, 0, 1 },
                { 2, -2, 10000 },
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                quantity q = quantity_from_scaled(1, table[i].from, DSI);
                int64_t v = -1;
                is_int(quantity_scaled_value(&q, table[i].to, &v), 0, "scaled value #%zu", i);
                is_int(v, table[i].want, "1e%d at scale %d", table[i].from, table[i].to);
        }

        static const struct {
                const char *in;
                int64_t value, milli;
        } vtable[] = {
                { "1Mi", 1048576, 1048576000 },
                { "100m", 1, 100 },
                { "1.5", 2, 1500 },
                { "-1.5", -2, -1500 },
                { "0.1m", 1, 1 },
                { "1n", 1, 1 },
                { "-1n", -1, -1 },
                { "2k", 2000, 2000000 },
                { "9223372036854775807", INT64_MAX, 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(vtable); i++) {
                quantity q;
                int64_t v = 0, m = 0;
                quantity_parse(vtable[i].in, &q, NULL);
                is_int(quantity_value(&q, &v), 0, "value of %s", vtable[i].in);
                is_int(v, vtable[i].value, "value of %s", vtable[i].in);
                if (vtable[i].milli != 0) {
                        is_int(quantity_milli_value(&q, &m), 0, "milli value of %s", vtable[i].in);
                        is_int(m, vtable[i].milli, "milli value of %s", vtable[i].in);
                } else {
                        is_int(quantity_milli_value(&q, &m), -ERANGE, "milli value of %s overflows",
                               vtable[i].in);
                }
        }
        quantity q;
        int64_t v = 42;
        quantity_parse("1e19", &q, NULL);
        is_int(quantity_value(&q, &v), -ERANGE, "1e19 does not fit int64");
        is_int(v, 42, "output untouched on error");

        /* TestNewSet, TestMilliNewSet, TestNewScaledSet. */
        static const struct {
                int64_t value;
                int scale;
                quantity_format f;
                const char *want;
        } ntable[] = {
                { 1, 0, DSI, "1" },
                { 1000, 0, DSI, "1k" },
                { 1234000, 0, DSI, "1234k" },
                { 1024, 0, BSI, "1Ki" },
                { 1000000, 0, _QUANTITY_FORMAT_INVALID, "1e6" },
                { 1024 * 1024, 0, BSI, "1Mi" },
                { 1, -3, DSI, "1m" },
                { 1000, -3, DSI, "1" },
                { 1234000, -3, DSI, "1234" },
                { 1024, -3, BSI, "1024m" },
                { 1000000, -3, _QUANTITY_FORMAT_INVALID, "1e3" },
                { 1024 * 1024, -3, BSI, "1048576m" },
                { 1, -9, DSI, "1n" },
                { 1000, -9, DSI, "1u" },
                { 1, -6, DSI, "1u" },
                { 1000, -6, DSI, "1m" },
                { 0, -9, DSI, "0" },
                { 0, 0, DSI, "0" },
        };
        for (size_t i = 0; i < ELEMENTSOF(ntable); i++) {
                quantity n = quantity_from_scaled(ntable[i].value, ntable[i].scale, ntable[i].f);
                is_str(fmt(&n), ntable[i].want, "%" PRId64 "e%d -> %s", ntable[i].value,
                       ntable[i].scale, ntable[i].want);
        }
        quantity m = quantity_from_milli(1500, DSI);
        is_str(fmt(&m), "1500m", "from_milli");
        m = quantity_from_scaled(1, -12, DSI);
        is_str(fmt(&m), "1n", "below 1n rounds up to 1n");
}

int main(void) {
        test_parse_table();
        test_invalid();
        test_string_table();
        test_emit();
        test_cmp();
        test_arith();
        test_values();
        return tap_done();
}
