/* SPDX-License-Identifier: Apache-2.0 */
/* Label and field selectors: upstream's parse tables (the data of
 * apimachinery's labels and fields selector_test.go), exact error
 * messages, matching truth tables, LabelSelector conversion, canonical
 * strings. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "selector.h"
#include "strbuf.h"
#include "tests/tap.h"

/* The details upstream appends to bad keys and values. */
#define KEY_RE                                                                              \
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end " \
        "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', "     \
        "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
#define VALUE_RE                                                                                 \
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' " \
        "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "    \
        "'my_value',  or '12345', regex used for validation is "                                 \
        "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
#define PREFIX_RE                                                                             \
        "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric " \
        "characters, '-' or '.', and must start and end with an alphanumeric character "      \
        "(e.g. 'example.com', regex used for validation is "                                  \
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define UPR "unable to parse requirement: "

/* ---- helpers ------------------------------------------------------------- */

/* A test name shows control and non-ASCII bytes as \xNN (TAP is
 * line-based). */
static const char *show(const char *s) {
        static char bufs[2][512];
        static int which;
        char *b = bufs[which ^= 1];
        size_t k = 0;
        for (; *s && k < sizeof bufs[0] - 5; s++) {
                unsigned char c = (unsigned char)*s;
                if (c < 0x20 || c >= 0x7f)
                        k += (size_t)snprintf(b + k, 5, "\\x%02x", c);
                else
                        b[k++] = (char)c;
        }
        b[k] = '\0';
        return b;
}

/* Labels written "k=v;k2=v2" (";" separates, so values may hold commas). */
typedef struct set {
        char *buf;
        char *keys[16], *vals[16];
        size_t n;
} set;

static void set_init(set *s, const char *spec) {
        s->buf = strdup(spec);
        s->n = 0;
        for (char *save = NULL, *tok = strtok_r(s->buf, ";", &save); tok && s->n < 16;
             tok = strtok_r(NULL, ";", &save)) {
                char *eq = strchr(tok, '=');
                s->keys[s->n] = tok;
                s->vals[s->n] = eq ? (*eq = '\0', eq + 1) : (char *)"";
                s->n++;
        }
}

static const char *set_lookup(void *userdata, const char *key) {
        set *s = userdata;
        for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->keys[i], key) == 0)
                        return s->vals[i];
        return NULL;
}

static void label_ok(const char *in, const char *want) {
        label_selector *sel = NULL;
        tm_error *err = NULL;
        int r = label_selector_parse(in, &sel, &err);
        if (!ok(r == 0, "labels: parse '%s'", show(in))) {
                diag("error: %s", tm_error_msg(err));
        } else {
                char *s = label_selector_to_string(sel);
                is_str(s, want, "labels: '%s' prints as '%s'", show(in), show(want));
                free(s);
        }
        label_selector_free(sel);
        tm_error_free(err);
}

static void label_bad(const char *in, const char *want_msg) {
        label_selector *sel = NULL;
        tm_error *err = NULL;
        int r = label_selector_parse(in, &sel, &err);
        if (!ok(r == -EINVAL && !sel, "labels: '%s' is rejected", show(in)))
                label_selector_free(sel);
        if (want_msg)
                is_str(tm_error_msg(err), want_msg, "labels: message for '%s'", show(in));
        tm_error_free(err);
}

static void label_match(const char *sel_s, const char *labels, bool want) {
        label_selector *sel = NULL;
        set s;
        if (label_selector_parse(sel_s, &sel, NULL) < 0) {
                ok(false, "labels: parse '%s' for matching", sel_s);
                return;
        }
        set_init(&s, labels);
        ok(label_selector_matches(sel, set_lookup, &s) == want, "labels: '%s' %s {%s}", sel_s,
           want ? "matches" : "does not match", labels);
        free(s.buf);
        label_selector_free(sel);
}

static void field_ok(const char *in, const char *want) {
        field_selector *sel = NULL;
        tm_error *err = NULL;
        int r = field_selector_parse(in, &sel, &err);
        if (!ok(r == 0, "fields: parse '%s'", show(in))) {
                diag("error: %s", tm_error_msg(err));
        } else {
                char *s = field_selector_to_string(sel);
                is_str(s, want, "fields: '%s' prints as '%s'", show(in), show(want));
                free(s);
        }
        field_selector_free(sel);
        tm_error_free(err);
}

static void field_bad(const char *in, const char *want_msg) {
        field_selector *sel = NULL;
        tm_error *err = NULL;
        int r = field_selector_parse(in, &sel, &err);
        if (!ok(r == -EINVAL && !sel, "fields: '%s' is rejected", show(in)))
                field_selector_free(sel);
        if (want_msg)
                is_str(tm_error_msg(err), want_msg, "fields: message for '%s'", show(in));
        tm_error_free(err);
}

static void field_match(const char *sel_s, const char *fields, bool want) {
        field_selector *sel = NULL;
        set s;
        if (field_selector_parse(sel_s, &sel, NULL) < 0) {
                ok(false, "fields: parse '%s' for matching", sel_s);
                return;
        }
        set_init(&s, fields);
        ok(field_selector_matches(sel, set_lookup, &s) == want, "fields: '%s' %s {%s}", sel_s,
           want ? "matches" : "does not match", fields);
        free(s.buf);
        field_selector_free(sel);
}

static json *parse_json(const char *text) {
        json *v = NULL;
        if (json_parse(text, strlen(text), NULL, &v, NULL) < 0) {
                diag("bad test JSON: %s", text);
                abort();
        }
        return v;
}

static void from_json_ok(const char *text, const char *want) {
        json *v = parse_json(text);
        label_selector *sel = NULL;
        tm_error *err = NULL;
        if (!ok(label_selector_from_json(v, &sel, &err) == 0, "from_json %s", text)) {
                diag("error: %s", tm_error_msg(err));
        } else {
                char *s = label_selector_to_string(sel);
                is_str(s, want, "from_json %s prints as '%s'", text, want);
                free(s);
        }
        label_selector_free(sel);
        tm_error_free(err);
        json_free(v);
}

static void from_json_bad(const char *text, const char *want_msg) {
        json *v = parse_json(text);
        label_selector *sel = NULL;
        tm_error *err = NULL;
        if (!ok(label_selector_from_json(v, &sel, &err) == -EINVAL && !sel,
                "from_json %s is rejected", show(text)))
                label_selector_free(sel);
        is_str(tm_error_msg(err), want_msg, "from_json message for %s", show(text));
        tm_error_free(err);
        json_free(v);
}

/* ---- label selectors --------------------------------------------------- */

static void test_label_parse_good(void) {
        /* TestSelectorParse: the canonical string is the input without spaces. */
        static const char *const good[] = {
                "x=a,y=b,z=c", "",        "x!=a,y=b", "x=",  "x= ",
                "x=,z= ",      "x= ,z= ", "!x",       "x>1", "x>1,z<5",
        };
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                char want[64];
                size_t k = 0;
                for (const char *p = good[i]; *p; p++)
                        if (*p != ' ')
                                want[k++] = *p;
                want[k] = '\0';
                label_ok(good[i], want);
        }

        /* TestSetSelectorParser, valid rows; requirements sorted by key. */
        label_ok("\rx", "x");
        label_ok("this-is-a-dns.domain.com/key-with-dash",
                 "this-is-a-dns.domain.com/key-with-dash");
        label_ok("this-is-another-dns.domain.com/key-with-dash in (so,what)",
                 "this-is-another-dns.domain.com/key-with-dash in (so,what)");
        label_ok("0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)",
                 "0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)");
        label_ok("foo  in\t (abc)", "foo in (abc)");
        label_ok("x notin\n (abc)", "x notin (abc)");
        label_ok("x  notin\t\t\t(abc,def)", "x notin (abc,def)");
        label_ok("x in (abc,def)", "x in (abc,def)");
        label_ok("x in (abc,)", "x in (,abc)");
        label_ok("x in (abc,abc)", "x in (abc)");
        label_ok("x in ()", "x in ()");
        label_ok("x in (a,,)", "x in (,a)");
        label_ok("x in (a,,,)", "x in (,a)");
        label_ok("x in (a,,,,,,)", "x in (,a)");
        label_ok("x in (a,,a,,a,,a,,)", "x in (,a)");
        label_ok("x notin (abc,,def),bar,z in (),w", "bar,w,x notin (,abc,def),z in ()");
        label_ok("x,y in (a)", "x,y in (a)");
        label_ok("x=a", "x=a");
        label_ok("x>1", "x>1");
        label_ok("x<7", "x<7");
        label_ok("x=a,y!=b", "x=a,y!=b");
        label_ok("x=a,y!=b,z in (h,i,j)", "x=a,y!=b,z in (h,i,j)");
        label_ok("x notin ( )", "x notin ()");
        label_ok("x notin (, a)", "x notin (,a)");
        label_ok("a ", "a");
        label_ok("a in (x,y,notin, z,in)", "a in (in,notin,x,y,z)");
        /* TestDeterministicParse */
        label_ok("x=a,a=x", "a=x,x=a");
        label_ok("a=x,x=a", "a=x,x=a");
        /* more: == kept, keywords as keys and values, stable order per key */
        label_ok("x==a", "x==a");
        label_ok("notin=in", "notin=in");
        label_ok("in in (in)", "in in (in)");
        label_ok("!in", "!in");
        label_ok("z!=a,z,y", "y,z!=a,z");
        label_ok("z,z!=a", "z,z!=a");
        label_ok(" \t\r\n", "");
        label_ok("k8s.io/app = web , !k8s.io/canary", "k8s.io/app=web,!k8s.io/canary");
        label_ok("x>01", "x>01");
        label_ok("a!=", "a!=");
        label_ok("a=b\0,c", "a=b"); /* the string ends at NUL */
}

static void test_label_parse_bad(void) {
        /* TestSelectorParse bad strings and TestSetSelectorParser invalid rows. */
        label_bad("x=a||y=b", UPR "values[0][x]: Invalid value: \"a||y\": " VALUE_RE);
        label_bad("x==a==b", "found '==', expected: ',' or 'end of string'");
        label_bad("!x=a", "found '=', expected: ',' or 'end of string'");
        label_bad("x<a", UPR "values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the "
                             "value must be an integer");
        label_bad("x,,y", "found ',', expected: identifier after ','");
        label_bad(",x,y", "found ',', expected: !, identifier, or 'end of string'");
        label_bad("x nott in (y)", UPR "found 'nott', expected: in, notin, =, ==, !=, gt, lt");
        label_bad("a in (xyz),", "found '', expected: identifier after ','");
        label_bad("a in (xyz)b notin ()", "found 'b', expected: ',' or 'end of string'");
        label_bad("a in (xyz abc)", UPR "found 'abc', expected: ',' or ')'");
        label_bad("a notin(", UPR "found '', expected: ',', ')' or identifier");
        label_bad("a (", UPR "found '(', expected: in, notin, =, ==, !=, gt, lt");
        label_bad("(", "found '(', expected: !, identifier, or 'end of string'");
        /* TestParseOperator's rejected operators, in context */
        label_bad("x !", UPR "found '!', expected: in, notin, =, ==, !=, gt, lt");
        label_bad("x exists", UPR "found 'exists', expected: in, notin, =, ==, !=, gt, lt");
        /* other syntax errors */
        label_bad("!", UPR "found '', expected: identifier");
        label_bad("!!x", UPR "found '!', expected: identifier");
        label_bad("x in a", UPR "found 'a' expected: '('");
        label_bad("x in", UPR "found '' expected: '('");
        label_bad("x=(", UPR "found '(', expected: identifier");
        label_bad("a in (x,=)", UPR "found '=', expected: ',', or identifier");
        label_bad("a in (x", UPR "found '', expected: ',' or ')'");
        label_bad("a in ((x))", UPR "found '(', expected: ',', ')' or identifier");
        label_bad(")", "found ')', expected: !, identifier, or 'end of string'");
        label_bad("=a", "found '=', expected: !, identifier, or 'end of string'");
        label_bad("a>=1", UPR "found '=', expected: identifier");
        label_bad("a===b", UPR "found '=', expected: identifier");
        label_bad("a=b c", "found 'c', expected: ',' or 'end of string'");
        label_bad("a,", "found '', expected: identifier after ','");

        /* bad keys: "<nil>" is upstream's field path of a parser key error */
        label_bad("x/y/z", UPR "<nil>: Invalid value: \"x/y/z\": a valid label key " KEY_RE
                               " with an optional DNS subdomain prefix and '/' (e.g. "
                               "'example.com/MyName')");
        label_bad("/x", UPR "<nil>: Invalid value: \"/x\": prefix part must be non-empty");
        label_bad("Example.com/x=1", UPR "<nil>: Invalid value: \"Example.com/x\": " PREFIX_RE);
        label_bad("a.com/", UPR "<nil>: Invalid value: \"a.com/\": name part must be non-empty; "
                                "name part " KEY_RE);
        label_bad("-x", UPR "<nil>: Invalid value: \"-x\": name part " KEY_RE);
        label_bad("x_", UPR "<nil>: Invalid value: \"x_\": name part " KEY_RE);
        label_bad("a\x01", UPR "<nil>: Invalid value: \"a\\x01\": name part " KEY_RE);
        label_bad("\xc3\xa9", UPR "<nil>: Invalid value: \"\xc3\xa9\": name part " KEY_RE);
        label_bad("\xff\"", UPR "<nil>: Invalid value: \"\\xff\\\"\": name part " KEY_RE);
        {
                char key[80], want[1024];
                memset(key, 'a', 64);
                key[64] = '\0';
                snprintf(want, sizeof want,
                         UPR
                         "<nil>: Invalid value: \"%s\": name part must be no more than 63 bytes",
                         key);
                label_bad(key, want);
                key[63] = '\0';
                label_ok(key, key);
        }
        {
                char key[300], want[2048];
                memset(key, 'a', 254);
                strcpy(key + 254, "/b");
                snprintf(want, sizeof want,
                         UPR "<nil>: Invalid value: \"%s\": prefix part must be no more than 253 "
                             "bytes",
                         key);
                label_bad(key, want);
        }

        /* bad values: indexed into the sorted, unique values */
        {
                char sel[100], want[1024];
                char v[70];
                memset(v, 'v', 64);
                v[64] = '\0';
                snprintf(sel, sizeof sel, "x=%s", v);
                snprintf(want, sizeof want,
                         UPR "values[0][x]: Invalid value: \"%s\": must be no more than 63 bytes",
                         v);
                label_bad(sel, want);
        }
        label_bad("x in (b,-a)", UPR "values[0][x]: Invalid value: \"-a\": " VALUE_RE);
        label_bad("x in (-a,b-)", UPR "[values[0][x]: Invalid value: \"-a\": " VALUE_RE
                                      ", values[1][x]: Invalid value: \"b-\": " VALUE_RE "]");
        label_bad("x>a-", UPR
                  "[values[0]: Invalid value: \"a-\": for 'Gt', 'Lt' operators, the "
                  "value must be an integer, values[0][x]: Invalid value: \"a-\": " VALUE_RE "]");
        label_bad("x>-1", UPR "values[0][x]: Invalid value: \"-1\": " VALUE_RE);
        label_bad("x>", UPR "values[0]: Invalid value: \"\": for 'Gt', 'Lt' operators, the value "
                            "must be an integer");
        label_bad("x<99999999999999999999",
                  UPR "values[0]: Invalid value: \"99999999999999999999\": for 'Gt', 'Lt' "
                      "operators, the value must be an integer");
}

static void test_label_match(void) {
        /* TestSelectorMatches */
        label_match("", "x=y", true);
        label_match("x=y", "x=y", true);
        label_match("x=y,z=w", "x=y;z=w", true);
        label_match("x!=y,z!=w", "x=z;z=a", true);
        label_match("notin=in", "notin=in", true);
        label_match("x", "x=z", true);
        label_match("!x", "y=z", true);
        label_match("x>1", "x=2", true);
        label_match("x<1", "x=0", true);
        label_match("x=z", "", false);
        label_match("x=y", "x=z", false);
        label_match("x=y,z=w", "x=w;z=w", false);
        label_match("x!=y,z!=w", "x=z;z=w", false);
        label_match("x", "y=z", false);
        label_match("!x", "x=z", false);
        label_match("x>1", "x=0", false);
        label_match("x<1", "x=2", false);
        label_match("foo=bar", "foo=bar;baz=blah", true);
        label_match("baz=blah", "foo=bar;baz=blah", true);
        label_match("foo=bar,baz=blah", "foo=bar;baz=blah", true);
        label_match("foo=blah", "foo=bar;baz=blah", false);
        label_match("baz=bar", "foo=bar;baz=blah", false);
        label_match("foo=bar,foobar=bar,baz=blah", "foo=bar;baz=blah", false);
        /* TestRequirementSelectorMatching */
        label_match("x in (foo),y notin (alpha)", "x=foo;y=baz", true);
        label_match("x in (foo),y in (alpha)", "x=foo;y=baz", false);
        label_match("x notin (),y", "y=", true);
        label_match("!x,y", "y=", true);
        label_match("x notin (),!y", "y=", false);
        label_match("x in ()", "y=baz", false);
        label_match("z>1", "z=2", true);
        label_match("z>1", "z=v2", false);
        /* truth table of each operator: key present with a value, present
         * with another, absent */
        label_match("k=v", "k=v", true);
        label_match("k=v", "k=w", false);
        label_match("k=v", "", false);
        label_match("k==v", "k=v", true);
        label_match("k!=v", "k=v", false);
        label_match("k!=v", "k=w", true);
        label_match("k!=v", "", true);
        label_match("k in (v,w)", "k=w", true);
        label_match("k in (v,w)", "k=x", false);
        label_match("k in (v,w)", "", false);
        label_match("k notin (v,w)", "k=w", false);
        label_match("k notin (v,w)", "k=x", true);
        label_match("k notin (v,w)", "", true);
        label_match("k", "k=", true);
        label_match("k", "", false);
        label_match("!k", "k=", false);
        label_match("!k", "", true);
        label_match("k=", "k=", true);
        label_match("k=", "", false);
        label_match("k in ()", "k=", true);
        label_match("k>5", "k=6", true);
        label_match("k>5", "k=5", false);
        label_match("k>5", "", false);
        label_match("k<5", "k=-9", true);
        label_match("k<5", "k=+4", true);
        label_match("k<5", "k=", false);
        label_match("k<5", "k=4.5", false);
        label_match("k>5", "k=99999999999999999999", false);
        label_match("k>9223372036854775806", "k=9223372036854775807", true);
        label_match("k<0", "k=-9223372036854775808", true);
}

static void test_label_misc(void) {
        label_selector *sel = NULL;
        const char *v = NULL;
        size_t n = 0;

        /* TestRequiresExactMatch */
        ok(label_selector_parse("key in (value)", &sel, NULL) == 0, "parse in (value)");
        ok(label_selector_requires_exact(sel, "key", &v) && streq(v, "value"),
           "exact: in with one value");
        label_selector_free(sel);
        label_selector_parse("key in (value,value2)", &sel, NULL);
        ok(!label_selector_requires_exact(sel, "key", &v), "exact: in with two values");
        label_selector_free(sel);
        label_selector_parse("key in (value,value1),key2 in (value2)", &sel, NULL);
        ok(label_selector_requires_exact(sel, "key2", &v) && streq(v, "value2"),
           "exact: the second key");
        label_selector_free(sel);
        label_selector_parse("key=value", &sel, NULL);
        ok(label_selector_requires_exact(sel, "key", &v) && streq(v, "value"), "exact: =");
        ok(!label_selector_requires_exact(sel, "other", &v), "exact: another key");
        label_selector_free(sel);
        label_selector_parse("key==value", &sel, NULL);
        ok(label_selector_requires_exact(sel, "key", &v) && streq(v, "value"), "exact: ==");
        label_selector_free(sel);
        label_selector_parse("key!=value", &sel, NULL);
        ok(!label_selector_requires_exact(sel, "key", &v), "exact: != is not");
        label_selector_free(sel);
        label_selector_parse("key,key=value", &sel, NULL);
        ok(!label_selector_requires_exact(sel, "key", &v),
           "exact: only the first requirement on the key counts");
        label_selector_free(sel);

        /* requirements and empty */
        label_selector_parse("b in (y,x),a", &sel, NULL);
        const label_requirement *reqs = label_selector_requirements(sel, &n);
        is_int(n, 2, "two requirements");
        ok(streq(reqs[0].key, "a") && reqs[0].op == LABEL_SELECTOR_OP_EXISTS, "first: a exists");
        ok(reqs[1].op == LABEL_SELECTOR_OP_IN && reqs[1].n_values == 2 &&
                   streq(reqs[1].values[0], "x") && streq(reqs[1].values[1], "y"),
           "second: b in sorted (x,y)");
        ok(!label_selector_is_empty(sel), "a selector with requirements is not empty");
        label_selector_free(sel);
        label_selector_parse("", &sel, NULL);
        ok(label_selector_is_empty(sel) && !label_selector_matches_nothing(sel),
           "the empty string selects everything");
        label_selector_free(sel);
        is_str(label_selector_op_name(LABEL_SELECTOR_OP_NOT_IN), "notin", "op name notin");
        is_str(label_selector_op_name(LABEL_SELECTOR_OP_GT), "gt", "op name gt");
        ok(label_selector_op_name(_LABEL_SELECTOR_OP_MAX) == NULL, "op name out of range");

        /* matching a labels object */
        json *labels = parse_json("{\"app\":\"web\",\"tier\":\"fe\",\"n\":3}");
        label_selector_parse("app=web,tier in (fe,be)", &sel, NULL);
        ok(label_selector_matches_json(sel, labels), "json: matches");
        ok(!label_selector_matches_json(sel, NULL), "json: NULL labels do not");
        label_selector_free(sel);
        label_selector_parse("!n,app", &sel, NULL);
        ok(label_selector_matches_json(sel, labels), "json: a non-string member is absent");
        label_selector_free(sel);
        label_selector_parse("!app", &sel, NULL);
        ok(label_selector_matches_json(sel, NULL), "json: !app matches no labels");
        ok(!label_selector_matches_json(sel, labels), "json: !app does not match app=web");
        label_selector_free(sel);
        json_free(labels);

        /* key and value validators */
        char *msg = NULL;
        ok(label_key_is_valid("example.com/My_Name.1", NULL), "valid prefixed key");
        ok(!label_key_is_valid("", &msg), "empty key is invalid");
        is_str(msg, "name part must be non-empty; name part " KEY_RE, "empty key message");
        free(msg);
        ok(label_value_is_valid("", NULL), "empty value is valid");
        ok(!label_value_is_valid("a b", &msg), "value with a space is invalid");
        is_str(msg, VALUE_RE, "bad value message");
        free(msg);
}

static void test_label_from_json(void) {
        label_selector *sel = NULL;

        ok(label_selector_from_json(NULL, &sel, NULL) == 0, "from_json(NULL)");
        ok(label_selector_matches_nothing(sel) && !label_selector_is_empty(sel),
           "a missing selector selects nothing");
        ok(!label_selector_matches_json(sel, NULL), "nothing matches no labels");
        {
                char *s = label_selector_to_string(sel);
                is_str(s, "", "nothing prints as ''");
                free(s);
        }
        label_selector_free(sel);
        json *null = json_new_null();
        ok(label_selector_from_json(null, &sel, NULL) == 0 && label_selector_matches_nothing(sel),
           "a JSON null selects nothing");
        label_selector_free(sel);
        json_free(null);
        json *empty = parse_json("{\"matchLabels\":{},\"matchExpressions\":[]}");
        ok(label_selector_from_json(empty, &sel, NULL) == 0 && label_selector_is_empty(sel),
           "an empty LabelSelector selects everything");
        ok(label_selector_matches_json(sel, NULL), "everything matches no labels");
        label_selector_free(sel);
        json_free(empty);

        from_json_ok("{}", "");
        from_json_ok("{\"matchLabels\":{\"b\":\"2\",\"a\":\"1\"}}", "a=1,b=2");
        from_json_ok("{\"matchLabels\":{\"app\":\"web\"},\"matchExpressions\":["
                     "{\"key\":\"tier\",\"operator\":\"In\",\"values\":[\"fe\",\"be\"]},"
                     "{\"key\":\"canary\",\"operator\":\"DoesNotExist\"},"
                     "{\"key\":\"env\",\"operator\":\"Exists\",\"values\":[]},"
                     "{\"key\":\"zone\",\"operator\":\"NotIn\",\"values\":[\"\"]}]}",
                     "app=web,!canary,env,tier in (be,fe),zone notin ()");
        from_json_ok("{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"In\","
                     "\"values\":[\"b\",\"a\",\"a\"]}]}",
                     "k in (a,a,b)");
        from_json_ok("{\"matchLabels\":null,\"matchExpressions\":null}", "");

        from_json_bad("{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"In\"}]}",
                      "values: Invalid value: null: for 'in', 'notin' operators, values set "
                      "can't be empty");
        from_json_bad("{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"NotIn\","
                      "\"values\":[]}]}",
                      "values: Invalid value: null: for 'in', 'notin' operators, values set "
                      "can't be empty");
        from_json_bad("{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"Exists\","
                      "\"values\":[\"a\"]}]}",
                      "values: Invalid value: [\"a\"]: values set must be empty for exists and "
                      "does not exist");
        from_json_bad(
                "{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"DoesNotExist\","
                "\"values\":[\"<x>\"]}]}",
                "[values: Invalid value: [\"\\u003cx\\u003e\"]: values set must be empty "
                "for exists and does not exist, values[0][k]: Invalid value: \"<x>\": " VALUE_RE
                "]");
        from_json_bad("{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"Equals\","
                      "\"values\":[\"a\"]}]}",
                      "\"Equals\" is not a valid label selector operator");
        from_json_bad("{\"matchExpressions\":[{\"key\":\"k\"}]}",
                      "\"\" is not a valid label selector operator");
        from_json_bad("{\"matchLabels\":{\"a b\":\"c\"}}",
                      "key: Invalid value: \"a b\": name part " KEY_RE);
        from_json_bad("{\"matchLabels\":{\"app\":\"a b\"}}",
                      "values[0][app]: Invalid value: \"a b\": " VALUE_RE);
        from_json_bad("{\"matchExpressions\":[{\"operator\":\"Exists\"}]}",
                      "key: Invalid value: \"\": name part must be non-empty; name part " KEY_RE);
        from_json_bad("{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"In\","
                      "\"values\":[\"ok\",\"b\\n\"]}]}",
                      "values[1][k]: Invalid value: \"b\\n\": " VALUE_RE);
        from_json_bad("[]", "label selector must be an object, not array");
        from_json_bad("{\"matchLabels\":[]}", "matchLabels must be an object, not array");
        from_json_bad("{\"matchLabels\":{\"a\":1}}",
                      "matchLabels: the value of \"a\" must be a string");
        from_json_bad("{\"matchExpressions\":{}}", "matchExpressions must be an array, not object");
        from_json_bad("{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"In\","
                      "\"values\":[1]}]}",
                      "matchExpressions[0].values[0] must be a string");
}

/* ---- field selectors --------------------------------------------------- */

static void test_fields(void) {
        /* TestSelectorParse (fields): good strings print back unchanged */
        field_ok("x=a,y=b,z=c", "x=a,y=b,z=c");
        field_ok("", "");
        field_ok("x!=a,y=b", "x!=a,y=b");
        field_ok("x=a||y\\=b", "x=a||y\\=b");
        field_ok("x=a\\=\\=b", "x=a\\=\\=b");
        /* TestDeterministicParse */
        field_ok("x=a,a=x", "a=x,x=a");
        field_ok("a=x,x=a", "a=x,x=a");
        /* terms are ordered by their text, before "==" becomes "=" */
        field_ok("a==x,a=b", "a=x,a=b");
        field_ok("metadata.name==web-0", "metadata.name=web-0");
        field_ok("a=a,", "a=a");
        field_ok(",a=a", "a=a");
        /* ('2' sorts before '=') */
        field_ok("k=\\,,k2=v2", "k2=v2,k=\\,");
        field_ok("k=\\\\,k2=v2", "k2=v2,k=\\\\");
        field_ok("k=\\\\\\,,k2=v2", "k2=v2,k=\\\\\\,");
        field_ok("\xed\x95\xa8=\xec\x88\x98,\xeb\xaa\xa9=\xeb\xa1\x9d",
                 "\xeb\xaa\xa9=\xeb\xa1\x9d,\xed\x95\xa8=\xec\x88\x98");
        field_ok("metadata.name = x", "metadata.name = x"); /* no trimming */
        field_ok("=", "");
        field_ok("!=", "");
        field_ok("=x", "=x");
        field_ok("a!b=c", "a!b=c");
        field_ok("spec.nodeName=", "spec.nodeName=");
        /* invalid UTF-8 becomes U+FFFD only where unescaping runs */
        field_ok("a=\xff", "a=\xff");
        field_ok("a=\xff\\,", "a=\xef\xbf\xbd\\,");

        /* TestSelectorParse (fields): bad strings */
        field_bad("x=a||y=b", "invalid field selector: unescaped character in value: 61");
        field_bad("x==a==b", "invalid field selector: unescaped character in value: 61");
        field_bad("x=a,b", "invalid selector: 'x=a,b'; can't understand 'b'");
        field_bad("x in (a)", "invalid selector: 'x in (a)'; can't understand 'x in (a)'");
        field_bad("x in (a,b,c)", "invalid selector: 'x in (a,b,c)'; can't understand 'b'");
        field_bad("x", "invalid selector: 'x'; can't understand 'x'");
        /* TestEscapeValue invalid values */
        field_bad("k=\\", "invalid field selector: invalid escape sequence: \\");
        field_bad("k=\\\\\\", "invalid field selector: invalid escape sequence: \\");
        field_bad("k=\\a", "invalid field selector: invalid escape sequence: \\a");
        field_bad("k=\\\xc3\xa9", "invalid field selector: invalid escape sequence: \\\xc3\xa9");
        field_bad("z=1,a=\\a", "invalid field selector: invalid escape sequence: \\a");

        /* TestEscapeValue */
        static const char *const esc[][2] = {
                { "", "" },     { "a", "a" },     { "=", "\\=" },
                { ",", "\\," }, { "\\", "\\\\" }, { "\\=\\,\\", "\\\\\\=\\\\\\,\\\\" },
        };
        for (size_t i = 0; i < ELEMENTSOF(esc); i++) {
                char *e = field_selector_escape_value(esc[i][0]);
                is_str(e, esc[i][1], "escape '%s'", esc[i][0]);
                free(e);
                /* and it unescapes back */
                char *sel_s = xasprintf("k=%s", esc[i][1]);
                field_selector *sel = NULL;
                size_t n;
                field_selector_parse(sel_s, &sel, NULL);
                const field_requirement *r = field_selector_requirements(sel, &n);
                ok(n == 1 && streq(r[0].value, esc[i][0]), "unescape '%s'", esc[i][1]);
                field_selector_free(sel);
                free(sel_s);
        }

        /* TestSelectorMatches (fields) */
        field_match("", "x=y", true);
        field_match("x=y", "x=y", true);
        field_match("x=y,z=w", "x=y;z=w", true);
        field_match("x!=y,z!=w", "x=z;z=a", true);
        field_match("notin=in", "notin=in", true);
        field_match("x=y", "x=z", false);
        field_match("x=y,z=w", "x=w;z=w", false);
        field_match("x!=y,z!=w", "x=z;z=w", false);
        static const char fieldset[] = "foo=bar;baz=blah;complex==value\\,\\";
        field_match("foo=bar", fieldset, true);
        field_match("baz=blah", fieldset, true);
        field_match("foo=bar,baz=blah", fieldset, true);
        field_match("foo=bar,baz=blah,complex=\\=value\\\\\\,\\\\", fieldset, true);
        field_match("foo=blah", fieldset, false);
        field_match("baz=bar", fieldset, false);
        field_match("foo=bar,foobar=bar,baz=blah", fieldset, false);
        /* an absent field reads as "" */
        field_match("spec.nodeName=", "", true);
        field_match("spec.nodeName!=", "", false);
        field_match("spec.nodeName!=", "spec.nodeName=n1", true);
        field_match("status.phase!=Running", "", true);

        /* requires_exact */
        field_selector *sel = NULL;
        const char *v = NULL;
        field_selector_parse("spec.nodeName=node-1,metadata.namespace=default", &sel, NULL);
        ok(field_selector_requires_exact(sel, "spec.nodeName", &v) && streq(v, "node-1"),
           "exact: spec.nodeName=node-1");
        ok(!field_selector_requires_exact(sel, "metadata.name", &v), "exact: absent field");
        field_selector_free(sel);
        field_selector_parse("spec.nodeName!=a,spec.nodeName=b", &sel, NULL);
        ok(field_selector_requires_exact(sel, "spec.nodeName", &v) && streq(v, "b"),
           "exact: a != term does not stop the search");
        field_selector_free(sel);
        field_selector_parse("spec.nodeName!=a", &sel, NULL);
        ok(!field_selector_requires_exact(sel, "spec.nodeName", &v), "exact: != alone is not");
        field_selector_free(sel);
        field_selector_parse("test=", &sel, NULL);
        ok(field_selector_requires_exact(sel, "test", &v) && streq(v, ""),
           "exact: an empty value counts");
        ok(!field_selector_is_empty(sel), "test= is not empty");
        field_selector_free(sel);
        field_selector_parse(",,", &sel, NULL);
        ok(field_selector_is_empty(sel) && !field_selector_requires_exact(sel, "test", &v),
           "',,' is empty and requires nothing");
        field_selector_free(sel);

        /* requirements keep the raw field, the op and the unescaped value */
        size_t n;
        field_selector_parse("b!=x\\,y,a==1", &sel, NULL);
        const field_requirement *r = field_selector_requirements(sel, &n);
        is_int(n, 2, "two field requirements");
        ok(streq(r[0].field, "a") && r[0].op == FIELD_SELECTOR_OP_EQUALS && streq(r[0].value, "1"),
           "a == 1");
        ok(streq(r[1].field, "b") && r[1].op == FIELD_SELECTOR_OP_NOT_EQUALS &&
                   streq(r[1].value, "x,y"),
           "b != 'x,y'");
        field_selector_free(sel);
}

int main(void) {
        test_label_parse_good();
        test_label_parse_bad();
        test_label_match();
        test_label_misc();
        test_label_from_json();
        test_fields();
        return tap_done();
}
