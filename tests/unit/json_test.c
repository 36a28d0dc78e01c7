/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON tree: parsing, limits, errors, serialization, mutation. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tests/tap.h"

static json *parse(const char *s) {
        json *v = NULL;
        tm_error *err = NULL;
        if (json_parse(s, strlen(s), NULL, &v, &err) < 0) {
                diag("parse of %s failed: %s", s, tm_error_msg(err));
                tm_error_free(err);
                return NULL;
        }
        return v;
}

/* Compact input must come back byte for byte. */
static void round_trip(const char *s) {
        json *v = parse(s);
        char *out = v ? json_serialize(v, 0, NULL) : NULL;
        is_str(out, s, "round trip %s", s);
        free(out);
        json_free(v);
}

/* The parse must fail with code and a message containing want. */
static void rejects(const char *s, size_t len, const json_limits *lim, int code, const char *want) {
        json *v = (json *)0x1;
        tm_error *err = NULL;
        int r = json_parse(s, len, lim, &v, &err);
        bool good = r == code && v == (json *)0x1 && err && strstr(tm_error_msg(err), want);
        char shown[41];
        size_t i;
        for (i = 0; i < len && i < 40; i++)
                shown[i] = s[i] == '\n' || s[i] == '\t' ? ' ' : s[i];
        shown[i] = '\0';
        if (!ok(good, "rejects %s: %s", shown, want))
                diag("got %d: %s", r, tm_error_msg(err));
        tm_error_free(err);
}

static char *reserialize(const char *s, unsigned flags) {
        json *v = parse(s);
        char *out = v ? json_serialize(v, flags, NULL) : NULL;
        json_free(v);
        return out;
}

static void test_round_trips(void) {
        static const char *const docs[] = {
                "null",
                "true",
                "false",
                "0",
                "-1",
                "123456789",
                "9223372036854775807",
                "-9223372036854775808",
                "\"\"",
                "\"hello\"",
                "[]",
                "{}",
                "[1,\"two\",3.5,null,true,false,[],{}]",
                "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-0\"}}",
                "{\"z\":1,\"a\":2,\"m\":3}",
                "\"\\\"\\\\\\n\\t\\r\\b\\f\\u0001\\u001f\"",
                "\"é中😀\"",
                "[[[[[[]]]]]]",
                "{\"a\":{\"b\":{\"c\":[{\"d\":null}]}}}",
                "[0.5,-0.25,1.0e+300,5e-324]",
        };
        for (size_t i = 0; i < ELEMENTSOF(docs); i++) {
                if (i == ELEMENTSOF(docs) - 1) {
                        /* Doubles are written in their shortest form. */
                        char *out = reserialize(docs[i], 0);
                        is_str(out, "[0.5,-0.25,1e+300,5e-324]", "doubles in shortest form");
                        free(out);
                        continue;
                }
                round_trip(docs[i]);
        }
        char *out = reserialize(" { \"a\" : [ 1 , 2 ] ,\n\t\"b\":{} } \n", 0);
        is_str(out, "{\"a\":[1,2],\"b\":{}}", "whitespace dropped");
        free(out);
}

static void test_numbers(void) {
        json *v = parse("[9223372036854775807,-9223372036854775808,9223372036854775808,"
                        "-9223372036854775809,1.5,1e2,-0,100000000000000000000000]");
        ok(v != NULL, "numbers parse");
        is_int(json_get_type(json_array_get(v, 0)), JSON_INT, "INT64_MAX is an integer");
        ok(json_int(json_array_get(v, 0)) == INT64_MAX, "INT64_MAX exact");
        ok(json_int(json_array_get(v, 1)) == INT64_MIN, "INT64_MIN exact");
        is_int(json_get_type(json_array_get(v, 2)), JSON_DOUBLE, "INT64_MAX+1 becomes a double");
        ok(json_double(json_array_get(v, 2)) == 9223372036854775808.0, "its value");
        is_int(json_get_type(json_array_get(v, 3)), JSON_DOUBLE, "INT64_MIN-1 becomes a double");
        is_int(json_get_type(json_array_get(v, 4)), JSON_DOUBLE, "1.5 is a double");
        is_int(json_get_type(json_array_get(v, 5)), JSON_DOUBLE, "1e2 is a double");
        ok(json_double(json_array_get(v, 5)) == 100.0, "1e2 == 100");
        is_int(json_get_type(json_array_get(v, 6)), JSON_INT, "-0 is an integer");
        ok(json_double(json_array_get(v, 7)) == 1e23, "a huge integer is the nearest double");
        ok(json_int(json_array_get(v, 2)) == INT64_MAX, "json_int saturates a big double");
        ok(json_double(json_array_get(v, 0)) == 9223372036854775807.0, "json_double of an int");
        json_free(v);

        /* Doubles read back as the same value, and stay doubles. */
        static const double ds[] = {
                0.1,  1.0 / 3, 2.5e-308, 1.7976931348623157e308, -123.456, 5e-324,
                1e21, 3.0,     -0.0,     0.30000000000000004
        };
        for (size_t i = 0; i < ELEMENTSOF(ds); i++) {
                json *d = json_new_double(ds[i]);
                char *s = json_serialize(d, 0, NULL);
                json *back = parse(s);
                ok(back && json_get_type(back) == JSON_DOUBLE && json_double(back) == ds[i] &&
                           signbit(json_double(back)) == signbit(ds[i]),
                   "double %s reads back the same", s);
                free(s);
                json_free(back);
                json_free(d);
        }
        /* Many values: written and read back exactly, and decimals read
         * as strtod() reads them (the fast paths are exact). */
        uint64_t x = 88172645463325252ULL;
        int bad_write = 0, bad_read = 0;
        for (int i = 0; i < 20000; i++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                double val;
                if (i % 2) {
                        uint64_t bits = x;
                        memcpy(&val, &bits, sizeof val);
                        if (!isfinite(val))
                                continue;
                } else {
                        val = (double)(int64_t)(x % 2000000001) / 1000.0 / (double)(1 + x % 1000);
                }
                char buf[32];
                json_format_double(val, buf);
                if (strtod(buf, NULL) != val)
                        bad_write++;
                char dec[40];
                snprintf(dec, sizeof dec, "%s%llu.%0*llu", x & 1 ? "-" : "",
                         (unsigned long long)(x % 100000), (int)(x % 9 + 1),
                         (unsigned long long)((x >> 20) % 1000000000ULL) % 1000000000ULL);
                json *pv = parse(dec);
                if (!pv || json_double(pv) != strtod(dec, NULL))
                        bad_read++;
                json_free(pv);
        }
        is_int(bad_write, 0, "20000 doubles are written so that they read back exactly");
        is_int(bad_read, 0, "20000 decimals read exactly as strtod() reads them");

        json *d = json_new_double(3.0);
        char *s = json_serialize(d, 0, NULL);
        is_str(s, "3.0", "an integral double keeps its '.0'");
        free(s);
        json_set_double(d, NAN);
        s = json_serialize(d, 0, NULL);
        is_str(s, "null", "NaN is written as null, never nan");
        free(s);
        json_set_double(d, -INFINITY);
        s = json_serialize(d, 0, NULL);
        is_str(s, "null", "infinity is written as null, never inf");
        free(s);
        json_free(d);
        rejects("1e400", 5, NULL, -ERANGE, "out of range");
        rejects("[-1e999]", 8, NULL, -ERANGE, "line 1, column");
}

static void test_strings(void) {
        json *v = parse("[\"\\u00e9\",\"\\ud83d\\ude00\",\"a\\u0000b\",\"\\/\"]");
        ok(v != NULL, "unicode escapes parse");
        is_str(json_string(json_array_get(v, 0)), "é", "\\u00e9 is é in UTF-8");
        is_str(json_string(json_array_get(v, 1)), "😀", "a surrogate pair is one code point");
        is_int(json_string_len(json_array_get(v, 2)), 3, "\\u0000 kept inside the string");
        ok(memcmp(json_string(json_array_get(v, 2)), "a\0b", 3) == 0, "its bytes");
        is_str(json_string(json_array_get(v, 3)), "/", "\\/ is /");
        char *out = json_serialize(v, 0, NULL);
        is_str(out, "[\"é\",\"😀\",\"a\\u0000b\",\"/\"]", "UTF-8 passes through, NUL escaped");
        free(out);
        json_free(v);

        json *bad = json_new_stringn("a\xff\xc3(b\xed\xa0\x80", 8);
        out = json_serialize(bad, 0, NULL);
        is_str(out, "\"a\xef\xbf\xbd\xef\xbf\xbd(b\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"",
               "invalid UTF-8 built by code is written as U+FFFD");
        json_free(bad);
        json *back = parse(out);
        ok(back != NULL, "and the result is valid JSON");
        json_free(back);
        free(out);

        rejects("\"\xc0\x80\"", 4, NULL, -EINVAL, "invalid UTF-8 in a string");
        rejects("\"\xed\xa0\x80\"", 5, NULL, -EINVAL, "invalid UTF-8");
        rejects("{\"\xf4\x90\x80\x80\":1}", 9, NULL, -EINVAL, "invalid UTF-8 in a key");
        rejects("[\"\\udc00\"]", 10, NULL, -EINVAL, "invalid UTF-8");
        v = parse("{\"a\\u0000b\":1,\"a\":2}");
        json *c = json_copy(v);
        ok(v && json_object_len(v) == 2 && json_equal(v, c),
           "a key holding NUL copies and compares");
        out = json_serialize(c, 0, NULL);
        is_str(out, "{\"a\\u0000b\":1,\"a\":2}", "and is written whole");
        free(out);
        json_free(c);
        json_free(v);
        rejects("\"a\xff\"", 4, NULL, -EINVAL, "line 1, column 4: invalid UTF-8 in a string");
        rejects("\"\xc3\"", 3, NULL, -EINVAL, "line 1, column");
        rejects("\"a\nb\"", 5, NULL, -EINVAL, "invalid JSON");
        rejects("\"\\x\"", 4, NULL, -EINVAL, "invalid JSON at line 1");
}

static void test_key_order_and_duplicates(void) {
        json *v = parse("{\"z\":1,\"a\":2,\"m\":{\"y\":1,\"b\":2}}");
        is_str(json_object_key_at(v, 0), "z", "first key kept first");
        is_str(json_object_key_at(v, 1), "a", "second key second");
        is_str(json_object_key_at(v, 2), "m", "third key third");
        char *s = json_serialize(v, JSON_SORT_KEYS, NULL);
        is_str(s, "{\"a\":2,\"m\":{\"b\":2,\"y\":1},\"z\":1}", "JSON_SORT_KEYS sorts every level");
        free(s);
        s = json_serialize(v, JSON_PRETTY, NULL);
        is_str(s,
               "{\n    \"z\": 1,\n    \"a\": 2,\n    \"m\": {\n        \"y\": 1,\n        \"b\": "
               "2\n    }\n}",
               "JSON_PRETTY indents by 4");
        free(s);
        json_free(v);
        s = reserialize("{\"a\":[],\"b\":{}}", JSON_PRETTY);
        is_str(s, "{\n    \"a\": [],\n    \"b\": {}\n}", "empty containers stay on one line");
        free(s);

        const char *doc = "{\"metadata\":{\"name\":\"a\",\"labels\":{},\"name\":\"b\"},"
                          "\"spec\":{\"containers\":[{\"image\":\"x\"},{\"image\":\"y\",\"image\":"
                          "\"z\",\"image\":\"w\"}]},\"spec\":{\"containers\":[]}}";
        char **dups = NULL;
        tm_error *err = NULL;
        v = NULL;
        is_int(json_parse_ex(doc, strlen(doc), NULL, &v, &dups, &err), 0, "duplicates parse");
        is_int(strv_length(dups), 3, "three duplicated paths (each once)");
        is_str(dups ? dups[0] : NULL, "metadata.name", "metadata.name reported");
        is_str(dups && dups[0] ? dups[1] : NULL, "spec.containers[1].image",
               "a path through an array");
        is_str(dups && dups[0] && dups[1] ? dups[2] : NULL, "spec", "top-level duplicate");
        is_str(json_get_str(v, "metadata", "name", NULL), "b", "last wins");
        is_int(json_object_len(json_get(v, "metadata", NULL)), 2, "no second member added");
        is_str(json_object_key_at(json_get(v, "metadata", NULL), 0), "name",
               "the duplicate keeps the first position");
        is_int(json_array_len(json_get(v, "spec", "containers", NULL)), 0,
               "the last spec replaced the first");
        strv_free(dups);
        json_free(v);
        dups = (char **)0x1;
        is_int(json_parse_ex("{\"a\":1}", 7, NULL, &v, &dups, NULL), 0, "no duplicates");
        ok(dups == NULL, "no duplicates gives NULL");
        json_free(v);
        dups = NULL;
        is_int(json_parse_ex("[{\"a\":1,\"a\":2}]", 15, NULL, &v, &dups, NULL), 0,
               "duplicate under a root array");
        is_str(dups ? dups[0] : NULL, "[0].a", "root array path");
        strv_free(dups);
        json_free(v);

        /* A large object (hash index) with a duplicate. */
        char big[4096] = "{";
        for (int i = 0; i < 100; i++)
                snprintf(big + strlen(big), sizeof big - strlen(big), "\"k%d\":%d,", i, i);
        strcat(big, "\"k57\":-1}");
        dups = NULL;
        is_int(json_parse_ex(big, strlen(big), NULL, &v, &dups, NULL), 0, "big object parses");
        is_int(json_object_len(v), 100, "100 members");
        is_int(json_object_get_int(v, "k57", 0), -1, "duplicate replaced in a big object");
        is_str(dups ? dups[0] : NULL, "k57", "and reported");
        is_int(json_object_get_int(v, "k99", 0), 99, "lookup in a big object");
        ok(json_object_remove(v, "k0"), "remove from a big object");
        is_int(json_object_get_int(v, "k98", 0), 98, "lookup after a removal");
        ok(json_object_get(v, "k0") == NULL, "removed key gone");
        strv_free(dups);
        json_free(v);
}

static void test_limits_and_errors(void) {
        json_limits lim = { .max_size = 10, .max_depth = 3, .max_string = 4 };
        rejects("[1,2,3,4,5,6]", 13, &lim, -E2BIG, "max_size");
        rejects("[[[[1]]]]", 9, &lim, -E2BIG, "max_depth");
        rejects("[[[[1]]]]", 9, &lim, -E2BIG, "line 1, column 4");
        rejects("\"abcde\"", 7, &lim, -E2BIG, "max_string");
        json_limits lim2 = { .max_size = 100, .max_string = 4 };
        rejects("{\"abcde\":1}", 11, &lim2, -E2BIG, "key of 5 bytes exceeds the limit of 4");
        rejects("[\"abcd\",\n  \"abcde\"]", 20, &lim2, -E2BIG, "line 2, column 9");
        json *v = NULL;
        is_int(json_parse("[[[1]]]", 7, &lim, &v, NULL), 0, "depth 3 is allowed");
        json_free(v);
        is_int(json_parse("\"abcd\"", 6, &lim, &v, NULL), 0, "a 4-byte string is allowed");
        json_free(v);

        /* Default limits. */
        size_t n = 3 * 1024 * 1024 + 1;
        char *huge = malloc(n);
        memset(huge, ' ', n);
        huge[0] = '1';
        rejects(huge, n, NULL, -E2BIG, "exceeds the limit of 3145728 (max_size)");
        free(huge);
        char deep[205];
        memset(deep, '[', 101);
        memset(deep + 101, ']', 101);
        rejects(deep, 202, NULL, -E2BIG, "limit of 100 (max_depth)");
        n = 1024 * 1024 + 3;
        char *str = malloc(n);
        memset(str, 'x', n);
        str[0] = str[n - 1] = '"';
        rejects(str, n, NULL, -E2BIG, "limit of 1048576 (max_string)");
        free(str);

        rejects("", 0, NULL, -EINVAL, "line 1, column 1");
        rejects("   ", 3, NULL, -EINVAL, "premature EOF");
        rejects("{\"a\":\n [1,}", 11, NULL, -EINVAL, "line 2, column");
        rejects("{\"a\":1,\n\"b\":\n\ntru}", 17, NULL, -EINVAL, "line 4, column");
        rejects("[1] [2]", 7, NULL, -EINVAL, "trailing garbage");
        rejects("{a:1}", 5, NULL, -EINVAL, "invalid JSON at line 1, column");
        rejects("[1,]", 4, NULL, -EINVAL, "line 1, column 4");
        rejects("// x\n1", 6, NULL, -EINVAL, "invalid JSON");
        rejects("{\"a\" 1}", 7, NULL, -EINVAL, "line 1");
        rejects("[01]", 4, NULL, -EINVAL, "line 1");
        rejects("NaN", 3, NULL, -EINVAL, "line 1");
        rejects("{\"é\":\"x\",\n\"b\":x}", 17, NULL, -EINVAL, "line 2, column 5");
}

static void test_copy_equal(void) {
        json *a = parse("{\"a\":[1,2.5,\"s\",null,true,{\"x\":{}}],\"b\":{\"c\":\"d\"}}");
        json *b = json_copy(a);
        ok(json_equal(a, b), "a copy is equal");
        json_object_set_string(json_get(b, "b", NULL), "c", "changed");
        is_str(json_get_str(a, "b", "c", NULL), "d", "changing the copy leaves the original");
        ok(!json_equal(a, b), "and they differ now");
        json_free(a);
        is_str(json_get_str(b, "b", "c", NULL), "changed", "the copy outlives the original");
        json_free(b);

        json *x = parse("{\"a\":1,\"b\":[1,2],\"c\":{\"d\":null,\"e\":\"f\"}}");
        json *y = parse("{\"c\":{\"e\":\"f\",\"d\":null},\"b\":[1,2],\"a\":1}");
        ok(json_equal(x, y), "member order does not matter");
        json_free(y);
        y = parse("{\"c\":{\"e\":\"f\",\"d\":null},\"b\":[2,1],\"a\":1}");
        ok(!json_equal(x, y), "array order matters");
        json_free(y);
        y = parse("{\"a\":1,\"b\":[1,2],\"c\":{\"d\":null,\"e\":\"f\"},\"g\":1}");
        ok(!json_equal(x, y), "an extra member differs");
        json_free(y);
        y = parse("{\"a\":1.0,\"b\":[1,2],\"c\":{\"d\":null,\"e\":\"f\"}}");
        ok(!json_equal(x, y), "1 and 1.0 differ");
        json_free(y);
        json_free(x);
        x = parse("[0.5]");
        y = parse("[5e-1]");
        ok(json_equal(x, y), "equal doubles");
        json_free(x);
        json_free(y);
        x = json_new_stringn("a\0b", 3);
        y = json_new_stringn("a\0c", 3);
        ok(!json_equal(x, y), "strings compared past a NUL");
        json_free(x);
        json_free(y);
        x = json_new_null();
        ok(json_equal(NULL, NULL) && !json_equal(NULL, x), "NULL equals only NULL");
        json_free(x);
}

static void test_mutation(void) {
        json *o = json_new_object();
        json_object_set_string(o, "name", "web");
        json_object_set_int(o, "replicas", 3);
        json_object_set_bool(o, "paused", false);
        json_object_set(o, "name", json_new_string("api"));
        is_int(json_object_len(o), 3, "setting an existing key does not add one");
        is_str(json_object_key_at(o, 0), "name", "and keeps its position");
        is_str(json_object_get_string(o, "name"), "api", "new value");
        is_int(json_object_get_int(o, "replicas", -1), 3, "get_int");
        is_int(json_object_get_int(o, "name", -1), -1, "get_int default on a string");
        ok(!json_object_get_bool(o, "paused", true), "get_bool");
        ok(json_object_get_bool(o, "missing", true), "get_bool default");
        ok(json_object_get_string(o, "replicas") == NULL, "get_string NULL on an int");
        json *md = json_object_ensure_object(o, "metadata");
        json_object_set_string(md, "ns", "default");
        ok(json_object_ensure_object(o, "metadata") == md, "ensure_object finds it again");
        json_object_ensure_object(o, "name");
        is_int(json_get_type(json_object_get(o, "name")), JSON_OBJECT,
               "ensure_object replaces a non-object");
        is_str(json_get_str(o, "metadata", "ns", NULL), "default", "json_get_str walks");
        ok(json_get(o, "metadata", "ns", "deeper", NULL) == NULL, "walking past a string is NULL");
        json *t = json_object_take(o, "replicas");
        is_int(json_int(t), 3, "take returns the value");
        ok(json_object_get(o, "replicas") == NULL, "and removes it");
        json_free(t);
        ok(!json_object_remove(o, "replicas"), "remove of a missing key");
        ok(json_object_take(o, "replicas") == NULL, "take of a missing key");

        json *a = json_new_array();
        json_array_append(a, json_new_int(1));
        json_array_append(a, json_new_int(3));
        is_int(json_array_insert(a, 1, json_new_int(2)), 0, "insert in the middle");
        is_int(json_array_insert(a, 3, json_new_int(4)), 0, "insert at the end");
        is_int(json_array_insert(a, 9, json_new_int(9)), -ERANGE, "insert out of range");
        char *s = json_serialize(a, 0, NULL);
        is_str(s, "[1,2,3,4]", "array contents");
        free(s);
        is_int(json_array_set(a, 0, json_new_string("one")), 0, "set");
        is_int(json_array_set(a, 4, json_new_null()), -ERANGE, "set out of range");
        is_int(json_array_remove(a, 1), 0, "remove");
        is_int(json_array_remove(a, 7), -ERANGE, "remove out of range");
        t = json_array_take(a, 0);
        is_str(json_string(t), "one", "take from an array");
        json_free(t);
        ok(json_array_get(a, 5) == NULL, "get out of range");
        s = json_serialize(a, 0, NULL);
        is_str(s, "[3,4]", "after edits");
        free(s);
        json_object_set(o, "list", a);
        json_set_string(json_object_get(o, "paused"), "yes");
        json_set_int(json_object_get(o, "metadata"), 7);
        s = json_serialize(o, 0, NULL);
        is_str(s, "{\"name\":{},\"paused\":\"yes\",\"metadata\":7,\"list\":[3,4]}",
               "set_string/set_int replace in place");
        free(s);
        is_int(json_array_insert(o, 0, json_new_null()), -EINVAL, "array op on an object");
        is_int(json_get_type(NULL), _JSON_TYPE_INVALID, "type of NULL");
        is_str(json_type_name(JSON_DOUBLE), "number", "type name");
        json_free(o);

        /* Mutating a parsed tree: values taken out outlive it. */
        json *p = parse(
                "{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"}]},\"k\":\"v\"}");
        json *cs = json_get(p, "spec", "containers", NULL);
        json *first = json_array_take(cs, 0);
        json *spec = json_object_take(p, "spec");
        json_object_set_string(p, "added", "x");
        json_set_string(json_object_get(p, "k"), "a longer value than before");
        json_array_append(json_get(spec, "containers", NULL), json_new_string("new"));
        s = json_serialize(p, 0, NULL);
        is_str(s, "{\"k\":\"a longer value than before\",\"added\":\"x\"}", "parsed tree edited");
        free(s);
        json_free(p);
        is_str(json_object_get_string(first, "name"), "a", "taken array item survives its tree");
        s = json_serialize(spec, 0, NULL);
        is_str(s, "{\"containers\":[{\"name\":\"b\"},\"new\"]}", "taken member survives its tree");
        free(s);
        json_free(first);
        json_free(spec);
}

int main(void) {
        test_round_trips();
        test_numbers();
        test_strings();
        test_key_order_and_duplicates();
        test_limits_and_errors();
        test_copy_equal();
        test_mutation();
        return tap_done();
}
