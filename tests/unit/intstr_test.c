/* SPDX-License-Identifier: Apache-2.0 */
/* IntOrString: upstream's intstr_test.go examples and error messages. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "intstr.h"
#include "json.h"
#include "tests/tap.h"

static void test_parse(void) {
        static const struct {
                const char *in;
                bool is_int;
                int32_t v;
        } table[] = {
                { "0", true, 0 },
                { "2147483647", true, INT32_MAX },
                { "-2147483648", true, INT32_MIN },
                { "2147483648", false, 0 },
                { "-2147483649", false, 0 },
                { "9223372036854775807", false, 0 },
                { "-9223372036854775808", false, 0 },
                { "9223372036854775808", false, 0 },
                { "-9223372036854775809", false, 0 },
                { "+7", true, 7 },
                { "http", false, 0 },
                { "25%", false, 0 },
                { "", false, 0 },
                { "0x10", false, 0 },
                { "1_000", false, 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                _cleanup_intstr_ intstr v = intstr_parse(table[i].in);
                if (table[i].is_int)
                        ok(v.type == INTSTR_INT && v.int_val == table[i].v, "Parse(%s) is int %d",
                           table[i].in, table[i].v);
                else
                        ok(v.type == INTSTR_STRING && streq(v.str_val, table[i].in),
                           "Parse(%s) is a string", table[i].in);
        }
}

static void test_json(void) {
        static const struct {
                const char *in;
                bool is_int;
                int32_t v;
                const char *s, *err;
        } table[] = {
                { "123", true, 123, NULL, NULL },
                { "\"123\"", false, 0, "123", NULL },
                { "\"http\"", false, 0, "http", NULL },
                { "-2147483648", true, INT32_MIN, NULL, NULL },
                { "null", true, 0, NULL, NULL },
                { "2147483648", false, 0, NULL,
                  "json: cannot unmarshal number 2147483648 into Go value of type int32" },
                { "1.5", false, 0, NULL,
                  "json: cannot unmarshal number 1.5 into Go value of type int32" },
                { "true", false, 0, NULL,
                  "json: cannot unmarshal bool into Go value of type int32" },
                { "[1]", false, 0, NULL,
                  "json: cannot unmarshal array into Go value of type int32" },
                { "{}", false, 0, NULL,
                  "json: cannot unmarshal object into Go value of type int32" },
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                _cleanup_json_ json *j = NULL;
                _cleanup_error_ tm_error *err = NULL;
                _cleanup_intstr_ intstr v = INTSTR_INIT;
                if (!ok(json_parse(table[i].in, strlen(table[i].in), NULL, &j, NULL) == 0,
                        "json %s", table[i].in))
                        continue;
                int r = intstr_from_json(j, &v, &err);
                if (table[i].err) {
                        is_int(r, -EINVAL, "%s rejected", table[i].in);
                        is_str(tm_error_msg(err), table[i].err, "%s message", table[i].in);
                        continue;
                }
                is_int(r, 0, "%s accepted", table[i].in);
                if (table[i].is_int)
                        ok(v.type == INTSTR_INT && v.int_val == table[i].v, "%s is int",
                           table[i].in);
                else
                        ok(v.type == INTSTR_STRING && streq(v.str_val, table[i].s), "%s is string",
                           table[i].in);
                if (json_is_null(j))
                        continue;
                _cleanup_json_ json *back = intstr_to_json(&v);
                _cleanup_free_ char *text = json_serialize(back, 0, NULL);
                is_str(text, table[i].in, "%s serializes back", table[i].in);
        }
}

static void test_basics(void) {
        _cleanup_intstr_ intstr a = intstr_from_int(200);
        _cleanup_intstr_ intstr b = intstr_from_string("200");
        _cleanup_intstr_ intstr c = intstr_copy(&b);
        _cleanup_free_ char *sa = intstr_to_string(&a);
        _cleanup_free_ char *sb = intstr_to_string(&b);
        is_str(sa, "200", "String() of int");
        is_str(sb, "200", "String() of string");
        ok(!intstr_equal(&a, &b), "int 200 != string \"200\"");
        ok(intstr_equal(&b, &c), "copy is equal");
        ok(c.str_val != b.str_val, "copy owns its string");
        is_int(intstr_int_value(&a), 200, "IntValue of int");
        is_int(intstr_int_value(&b), 200, "IntValue of numeric string");
        _cleanup_intstr_ intstr d = intstr_from_string("http");
        is_int(intstr_int_value(&d), 0, "IntValue of a name is 0");
        intstr_done(&d);
        ok(d.type == INTSTR_INT && d.str_val == NULL, "done resets");
}

static void test_scaled(void) {
        static const struct {
                bool is_int;
                int32_t i;
                const char *s;
                int64_t total;
                bool round_up;
                int64_t want;
                const char *err;
        } table[] = {
                { true, 123, NULL, 0, false, 123, NULL },
                { false, 0, "90%", 100, true, 90, NULL },
                { false, 0, "90%", 95, true, 86, NULL },
                { false, 0, "90%", 95, false, 85, NULL },
                { false, 0, "25%", 10, true, 3, NULL },
                { false, 0, "25%", 10, false, 2, NULL },
                { false, 0, "0%", 10, true, 0, NULL },
                { false, 0, "100%", 7, false, 7, NULL },
                { false, 0, "-10%", 15, true, -1, NULL },
                { false, 0, "-10%", 15, false, -2, NULL },
                { false, 0, "40%", 0, true, 0, NULL },
                { false, 0, "%", 0, false, 0,
                  "invalid value for IntOrString: invalid value \"%\": strconv.Atoi: parsing \"\": "
                  "invalid syntax" },
                { false, 0, "90#", 0, false, 0,
                  "invalid value for IntOrString: invalid type: string is not a percentage" },
                { false, 0, "#%", 0, false, 0,
                  "invalid value for IntOrString: invalid value \"#%\": strconv.Atoi: parsing "
                  "\"#\": invalid syntax" },
                { false, 0, "90", 0, false, 0,
                  "invalid value for IntOrString: invalid type: string is not a percentage" },
                { false, 0, "25", 0, false, 0,
                  "invalid value for IntOrString: invalid type: string is not a percentage" },
                { false, 0, "30%0", 0, false, 0,
                  "invalid value for IntOrString: invalid type: string is not a percentage" },
                { false, 0, "a%", 0, false, 0,
                  "invalid value for IntOrString: invalid value \"a%\": strconv.Atoi: parsing "
                  "\"a\": invalid syntax" },
                { false, 0, "40%%", 0, false, 0,
                  "invalid value for IntOrString: invalid value \"40%%\": strconv.Atoi: parsing "
                  "\"40%\": invalid syntax" },
                { false, 0, "99999999999999999999%", 10, false, 0,
                  "invalid value for IntOrString: invalid value \"99999999999999999999%\": "
                  "strconv.Atoi: parsing \"99999999999999999999\": value out of range" },
                { false, 0, "", 10, false, 0,
                  "invalid value for IntOrString: invalid type: string is not a percentage" },
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                _cleanup_intstr_ intstr v = table[i].is_int ? intstr_from_int(table[i].i)
                                                            : intstr_from_string(table[i].s);
                _cleanup_error_ tm_error *err = NULL;
                int64_t got = -12345;
                int r = intstr_get_scaled_value(&v, table[i].total, table[i].round_up, &got, &err);
                if (table[i].err) {
                        is_int(r, -EINVAL, "'%s' rejected", table[i].s);
                        is_str(tm_error_msg(err), table[i].err, "'%s' message", table[i].s);
                        is_int(got, -12345, "'%s' output untouched", table[i].s);
                } else {
                        is_int(r, 0, "scaled #%zu", i);
                        is_int(got, table[i].want, "%s of %" PRId64 " rounded %s = %" PRId64,
                               table[i].s ? table[i].s : "int", table[i].total,
                               table[i].round_up ? "up" : "down", table[i].want);
                }
        }
        _cleanup_error_ tm_error *err = NULL;
        int64_t got;
        is_int(intstr_get_scaled_value(NULL, 1, true, &got, &err), -EINVAL, "NULL rejected");
        is_str(tm_error_msg(err), "nil value for IntOrString", "NULL message");
}

int main(void) {
        test_parse();
        test_basics();
        test_scaled();
        test_json();
        return tap_done();
}
