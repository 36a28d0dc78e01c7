/* SPDX-License-Identifier: Apache-2.0 */
/* YAML into the JSON tree and back out. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tests/tap.h"
#include "yaml.h"

static const char manifest_yaml[] =
        "# A Deployment and its Service, as kubectl apply -f reads them.\n"
        "apiVersion: apps/v1\n"
        "kind: Deployment\n"
        "metadata:\n"
        "  name: web\n"
        "  namespace: default\n"
        "  labels:\n"
        "    app: web\n"
        "    tier: frontend\n"
        "  annotations:\n"
        "    description: >\n"
        "      The public web\n"
        "      front end.\n"
        "spec:\n"
        "  replicas: 3\n"
        "  revisionHistoryLimit: 0x0A\n"
        "  selector:\n"
        "    matchLabels: {app: web}\n"
        "  template:\n"
        "    metadata:\n"
        "      labels:\n"
        "        app: web\n"
        "    spec:\n"
        "      containers:\n"
        "      - name: nginx\n"
        "        image: \"nginx:1.25\"\n"
        "        args: [\"--port\", '8080', --verbose]\n"
        "        ports:\n"
        "        - containerPort: 8080\n"
        "          protocol: TCP\n"
        "        env:\n"
        "        - name: ENABLED\n"
        "          value: \"true\"\n"
        "        - name: RATIO\n"
        "          value: \"0.75\"\n"
        "        resources:\n"
        "          limits: {cpu: 500m, memory: 128Mi}\n"
        "        readinessProbe:\n"
        "          httpGet: {path: /healthz, port: 8080}\n"
        "          initialDelaySeconds: 5\n"
        "        command:\n"
        "        - /bin/sh\n"
        "        - -c\n"
        "        - |\n"
        "          echo starting\n"
        "          exec nginx -g 'daemon off;'\n"
        "      terminationGracePeriodSeconds: 30\n"
        "      hostNetwork: false\n"
        "      nodeSelector: ~\n"
        "---\n"
        "---\n"
        "# an empty document above is skipped\n"
        "apiVersion: v1\n"
        "kind: Service\n"
        "metadata:\n"
        "  name: web\n"
        "spec:\n"
        "  type: ClusterIP\n"
        "  selector:\n"
        "    app: web\n"
        "  ports:\n"
        "  - port: 80\n"
        "    targetPort: 8080\n"
        "...\n";

static const char manifest_json[] =
        "[{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
        "\"namespace\":\"default\",\"labels\":{\"app\":\"web\",\"tier\":\"frontend\"},"
        "\"annotations\":{\"description\":\"The public web front end.\\n\"}},\"spec\":{"
        "\"replicas\":3,\"revisionHistoryLimit\":10,\"selector\":{\"matchLabels\":{\"app\":"
        "\"web\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{"
        "\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx:1.25\",\"args\":[\"--port\","
        "\"8080\",\"--verbose\"],\"ports\":[{\"containerPort\":8080,\"protocol\":\"TCP\"}],"
        "\"env\":[{\"name\":\"ENABLED\",\"value\":\"true\"},{\"name\":\"RATIO\",\"value\":"
        "\"0.75\"}],\"resources\":{\"limits\":{\"cpu\":\"500m\",\"memory\":\"128Mi\"}},"
        "\"readinessProbe\":{\"httpGet\":{\"path\":\"/healthz\",\"port\":8080},"
        "\"initialDelaySeconds\":5},\"command\":[\"/bin/sh\",\"-c\",\"echo starting\\nexec "
        "nginx -g 'daemon off;'\\n\"]}],\"terminationGracePeriodSeconds\":30,\"hostNetwork\":"
        "false,\"nodeSelector\":null}}}},"
        "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"web\"},\"spec\":{"
        "\"type\":\"ClusterIP\",\"selector\":{\"app\":\"web\"},\"ports\":[{\"port\":80,"
        "\"targetPort\":8080}]}}]";

static json *yparse(const char *s) {
        json *v = NULL;
        tm_error *err = NULL;
        if (tm_yaml_parse(s, strlen(s), NULL, &v, &err) < 0) {
                diag("YAML parse of %s failed: %s", s, tm_error_msg(err));
                tm_error_free(err);
                return NULL;
        }
        return v;
}

/* One YAML value (under "v: ") must read as the given JSON. */
static void scalar_is(const char *yaml_value, const char *want_json) {
        char *doc = xasprintf("v: %s\n", yaml_value);
        json *v = yparse(doc);
        char *got = v ? json_serialize(json_object_get(v, "v"), 0, NULL) : NULL;
        is_str(got, want_json, "%s reads as %s", yaml_value, want_json);
        free(got);
        json_free(v);
        free(doc);
}

static void rejects(const char *doc, int code, const char *want) {
        json *v = (json *)0x1;
        tm_error *err = NULL;
        int r = tm_yaml_parse(doc, strlen(doc), NULL, &v, &err);
        bool good = r == code && v == (json *)0x1 && err && strstr(tm_error_msg(err), want);
        char shown[41];
        size_t i;
        for (i = 0; doc[i] && i < 40; i++)
                shown[i] = doc[i] == '\n' ? ' ' : doc[i];
        shown[i] = '\0';
        if (!ok(good, "rejects %s: %s", shown, want))
                diag("got %d: %s", r, tm_error_msg(err));
        tm_error_free(err);
}

/* Serialize to YAML and read back: an equal tree. */
static void yaml_round_trip(const json *v, const char *what) {
        char *y = tm_yaml_serialize(v);
        json *back = y ? yparse(y) : NULL;
        if (!ok(back && json_equal(v, back), "YAML round trip: %s", what))
                diag("YAML was:\n%s", y ? y : "(null)");
        json_free(back);
        free(y);
}

static void test_manifest(void) {
        json *docs = NULL, *want = NULL;
        tm_error *err = NULL;
        is_int(tm_yaml_parse_stream(manifest_yaml, strlen(manifest_yaml), NULL, &docs, &err), 0,
               "the manifest stream parses");
        if (err)
                diag("%s", tm_error_msg(err));
        is_int(json_array_len(docs), 2, "two documents (the empty one skipped)");
        is_str(json_get_str(json_array_get(docs, 0), "kind", NULL), "Deployment",
               "first a Deployment");
        is_str(json_get_str(json_array_get(docs, 1), "kind", NULL), "Service", "then a Service");
        is_int(json_parse(manifest_json, strlen(manifest_json), NULL, &want, NULL), 0,
               "the JSON twin parses");
        ok(json_equal(docs, want), "YAML and JSON manifests are the same tree");
        char *s = json_serialize(docs, 0, NULL);
        is_str(s, manifest_json, "and serialize to the same bytes, in document key order");
        free(s);
        json *d = json_array_get(docs, 0);
        is_int(json_object_get_int(json_get(d, "spec", NULL), "replicas", -1), 3,
               "replicas is an integer");
        is_str(json_get_str(d, "metadata", "annotations", "description", NULL),
               "The public web front end.\n", "folded block");
        yaml_round_trip(json_array_get(docs, 0), "Deployment");
        yaml_round_trip(json_array_get(docs, 1), "Service");
        json_free(docs);
        json_free(want);

        json *one = NULL;
        is_int(tm_yaml_parse(manifest_yaml, strlen(manifest_yaml), NULL, &one, &err), -EINVAL,
               "tm_yaml_parse refuses two documents");
        ok(err && strstr(tm_error_msg(err), "line 51, column 1") &&
                   strstr(tm_error_msg(err), "second document"),
           "naming where the second starts: %s", tm_error_msg(err));
        tm_error_free(err);
        err = NULL;
        one = yparse("");
        ok(json_is_null(one), "an empty input is null");
        json_free(one);
        one = yparse("--- null\n");
        ok(json_is_null(one), "a null document is null");
        json_free(one);
        json *stream = NULL;
        is_int(tm_yaml_parse_stream("---\n---\n# nothing\n", 18, NULL, &stream, NULL), 0,
               "a stream of empty documents");
        is_int(json_array_len(stream), 0, "gives no documents");
        json_free(stream);
        is_int(tm_yaml_parse_stream("--- a\n--- [1]\n--- ~\n--- {b: 2}\n", 30, NULL, &stream, NULL),
               0, "scalar and flow documents");
        s = json_serialize(stream, 0, NULL);
        is_str(s, "[\"a\",[1],{\"b\":2}]", "null documents are skipped too");
        free(s);
        json_free(stream);
}

static void test_scalars(void) {
        /* null */
        scalar_is("", "null");
        scalar_is("~", "null");
        scalar_is("null", "null");
        scalar_is("Null", "null");
        scalar_is("NULL", "null");
        scalar_is("nULL", "\"nULL\"");
        /* booleans, YAML 1.1 words included as go-yaml v2 reads them */
        scalar_is("true", "true");
        scalar_is("False", "false");
        scalar_is("yes", "true");
        scalar_is("No", "false");
        scalar_is("on", "true");
        scalar_is("OFF", "false");
        scalar_is("y", "true");
        scalar_is("n", "false");
        scalar_is("tRue", "\"tRue\"");
        /* integers */
        scalar_is("0", "0");
        scalar_is("-17", "-17");
        scalar_is("+17", "17");
        scalar_is("0x1F", "31");
        scalar_is("-0x10", "-16");
        scalar_is("0o17", "15");
        scalar_is("017", "15");
        scalar_is("0b101", "5");
        scalar_is("1_000_000", "1000000");
        scalar_is("9223372036854775807", "9223372036854775807");
        scalar_is("-9223372036854775808", "-9223372036854775808");
        scalar_is("18446744073709551615", "1.8446744073709552e+19");
        scalar_is("0x1G", "\"0x1G\"");
        scalar_is("08", "8");
        /* floats */
        scalar_is("1.5", "1.5");
        scalar_is("-.5", "-0.5");
        scalar_is(".5", "0.5");
        scalar_is("1e3", "1000");
        scalar_is("3.0", "3");
        scalar_is("6.02e23", "6.02e+23");
        scalar_is("1.", "1");
        scalar_is("1e999", "\"1e999\"");
        /* strings */
        scalar_is("hello world", "\"hello world\"");
        scalar_is("\"123\"", "\"123\"");
        scalar_is("'true'", "\"true\"");
        scalar_is("\"\"", "\"\"");
        scalar_is("2001-12-14", "\"2001-12-14\"");
        scalar_is("1.2.3", "\"1.2.3\"");
        scalar_is("500m", "\"500m\"");
        scalar_is("\"tab\\there \\u00e9 \\U0001F600\"", "\"tab\\there é 😀\"");
        scalar_is("'it''s'", "\"it's\"");
        scalar_is("x #comment", "\"x\"");
        scalar_is("é", "\"é\"");
        /* explicit tags */
        scalar_is("!!str 123", "\"123\"");
        scalar_is("!!str true", "\"true\"");
        scalar_is("!!int \"42\"", "42");
        scalar_is("!!float 1", "1");
        scalar_is("!!float 2.5", "2.5");
        scalar_is("!!bool yes", "true");
        scalar_is("!!null ''", "null");
        scalar_is("!!str", "\"\"");
}

static void test_styles(void) {
        json *v = yparse("flow: {a: [1, 2, {b: c}], 'd': \"e\"}\n"
                         "block:\n"
                         "  - a\n"
                         "  - - nested\n"
                         "    - seq\n"
                         "  - key: value\n"
                         "    other: 2\n"
                         "literal: |\n"
                         "  line 1\n"
                         "   indented\n"
                         "\n"
                         "  after blank\n"
                         "strip: |-\n"
                         "  no newline\n"
                         "keep: |+\n"
                         "  kept\n"
                         "\n"
                         "folded: >-\n"
                         "  one\n"
                         "  two\n"
                         "\n"
                         "  three\n"
                         "plain multi: a\n"
                         "  b\n"
                         "? explicit\n"
                         ": key\n");
        char *s = v ? json_serialize(v, 0, NULL) : NULL;
        is_str(s,
               "{\"flow\":{\"a\":[1,2,{\"b\":\"c\"}],\"d\":\"e\"},\"block\":[\"a\",[\"nested\","
               "\"seq\"],{\"key\":\"value\",\"other\":2}],\"literal\":\"line 1\\n indented\\n\\n"
               "after blank\\n\",\"strip\":\"no newline\",\"keep\":\"kept\\n\\n\",\"folded\":"
               "\"one two\\nthree\",\"plain multi\":\"a b\",\"explicit\":\"key\"}",
               "flow, block, literal, folded, chomping, explicit keys");
        free(s);
        yaml_round_trip(v, "styles");
        json_free(v);

        v = yparse("1: one\ntrue: t\nyes: y\n0x10: hex\n1.5: f\n\"quoted\": q\nname: a\nname: b\n");
        s = v ? json_serialize(v, 0, NULL) : NULL;
        is_str(s,
               "{\"1\":\"one\",\"true\":true,\"16\":\"hex\",\"1.5\":\"f\",\"quoted\":\"q\","
               "\"name\":\"b\"}",
               "keys become strings (yes: y is true: true); a duplicate key: the last wins");
        free(s);
        json_free(v);
}

static void test_rejects(void) {
        rejects("a: &anchor 1\nb: *anchor\n", -EINVAL, "line 1, column 4: anchors (&anchor)");
        rejects("a: 1\nb: *x\n", -EINVAL, "line 2, column 4");
        rejects("list:\n- &x {a: 1}\n", -EINVAL, "line 2, column 3: anchors");
        rejects("a: !custom 1\n", -EINVAL, "line 1, column 4: tag !custom is not supported");
        rejects("a: !!binary aGk=\n", -EINVAL, "tag !!binary is not supported");
        rejects("a:\n  b: !!timestamp 2001-12-14\n", -EINVAL, "line 2, column 6");
        rejects("a: !!set {x}\n", -EINVAL, "line 1, column 4: tag tag:yaml.org,2002:set");
        rejects("a: !!int abc\n", -EINVAL, "cannot read \"abc\" as !!int");
        rejects("a: !!bool 1\n", -EINVAL, "as !!bool");
        rejects("a: .inf\n", -ERANGE, "line 1, column 4: .inf (infinity or NaN)");
        rejects("a: [-.Inf]\n", -ERANGE, "cannot be represented in JSON");
        rejects("a: .nan\n", -ERANGE, "NaN");
        rejects("~: x\n", -EINVAL, "line 1, column 1: a mapping key cannot be null");
        rejects("? [a]\n: b\n", -EINVAL, "a mapping key must be a scalar");
        rejects("<<: {a: 1}\n", -EINVAL, "merge keys (<<) are not supported");
        rejects("a: b: c\n", -EINVAL, "line 1, column 5");
        rejects("a:\n  - b\n c: d\n", -EINVAL, "invalid YAML at line 3");
        rejects("key: \"unterminated\n", -EINVAL, "invalid YAML at line 2");
        rejects("a: [1, 2\n", -EINVAL, "invalid YAML");
        rejects("a: \xff\n", -EINVAL, "line 1, column 4");
        rejects("a:\tb\n\t- c\n", -EINVAL, "line 2");
        rejects("a: \"\\q\"\n", -EINVAL, "line 1");
        rejects("%YAML 1.1\n%YAML 1.1\n--- a\n", -EINVAL, "invalid YAML");

        json_limits lim = { .max_size = 64, .max_depth = 3, .max_string = 8 };
        json *v = (json *)0x1;
        tm_error *err = NULL;
        const char *big = "a: 0123456789012345678901234567890123456789012345678901234567890123\n";
        is_int(tm_yaml_parse(big, strlen(big), &lim, &v, &err), -E2BIG, "max_size");
        ok(err && strstr(tm_error_msg(err), "max_size"), "named: %s", tm_error_msg(err));
        tm_error_free(err);
        err = NULL;
        is_int(tm_yaml_parse("a: [[[1]]]\n", 11, &lim, &v, &err), -E2BIG, "max_depth");
        ok(err && strstr(tm_error_msg(err), "line 1, column 6: nesting deeper than the limit of 3 "
                                            "(max_depth)"),
           "named, with position: %s", tm_error_msg(err));
        tm_error_free(err);
        err = NULL;
        is_int(tm_yaml_parse("a: 123456789\n", 13, &lim, &v, &err), -E2BIG, "max_string");
        ok(err && strstr(tm_error_msg(err),
                         "scalar of 9 bytes exceeds the limit of 8 (max_string)"),
           "named: %s", tm_error_msg(err));
        tm_error_free(err);
        err = NULL;
        is_int(tm_yaml_parse("abcdefghi: 1\n", 13, &lim, &v, &err), -E2BIG, "max_string on a key");
        tm_error_free(err);
        err = NULL;
        ok(v == (json *)0x1, "failures leave *ret alone");
        is_int(tm_yaml_parse("a: [[1]]\n", 9, &lim, &v, NULL), 0, "depth 3 is allowed");
        json_free(v);
        char deep[300] = "";
        for (int i = 0; i < 101; i++)
                strcat(deep, "[");
        rejects(deep, -E2BIG, "limit of 100 (max_depth)");
}

static void test_serialize(void) {
        json *v = NULL;
        const char *doc =
                "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-0\",\"labels\":{}},\"spec\":"
                "{\"containers\":[{\"name\":\"a\",\"args\":[\"1\",\"true\",\"null\",\"\","
                "\"x: y\",\"- z\",\"0x10\",\"1e3\",\"ok\"],\"n\":2,\"f\":0.5,\"t\":true,"
                "\"z\":null,\"e\":[],\"script\":\"a\\nb\\n\"}]}}";
        is_int(json_parse(doc, strlen(doc), NULL, &v, NULL), 0, "pod parses");
        char *y = tm_yaml_serialize(v);
        is_str(y,
               "kind: Pod\n"
               "metadata:\n"
               "  name: web-0\n"
               "  labels: {}\n"
               "spec:\n"
               "  containers:\n"
               "  - name: a\n"
               "    args:\n"
               "    - \"1\"\n"
               "    - \"true\"\n"
               "    - \"null\"\n"
               "    - \"\"\n"
               "    - 'x: y'\n"
               "    - '- z'\n"
               "    - \"0x10\"\n"
               "    - \"1e3\"\n"
               "    - ok\n"
               "    \"n\": 2\n"
               "    f: 0.5\n"
               "    t: true\n"
               "    z: null\n"
               "    e: []\n"
               "    script: |\n"
               "      a\n"
               "      b\n",
               "block YAML, quoting what would change type");
        free(y);
        yaml_round_trip(v, "pod");
        json_free(v);

        static const char *const strings[] = {
                "yes",     "No",  "~",     "-1",     "+1",         ".5",          "1_0",
                "0o7",     "<<",  " lead", "trail ", "#x",         "a #b",        "a: b",
                "[x]",     "{x}", "*x",    "&x",     "!x",         "%x",          "@x",
                "`x",      "|",   ">",     "'",      "\"",         "multi\nline", "\ttab",
                "nul\0in", "é😀",  "---",   "...",    "a\n\nb\n\n", "\n",          "",
                "-",       "?",   ":",     ",",      "2001-12-14",
        };
        for (size_t i = 0; i < ELEMENTSOF(strings); i++) {
                json *o = json_new_object();
                size_t n = i == 28 ? 6 : strlen(strings[i]);
                json_object_set(o, "k", json_new_stringn(strings[i], n));
                json *arr = json_new_array();
                json_array_append(arr, json_new_stringn(strings[i], n));
                json_object_set(o, "l", arr);
                if (n && !memchr(strings[i], '\0', n))
                        json_object_set(o, strings[i], json_new_int(1)); /* as a key too */
                char *what = json_serialize(o, 0, NULL);
                yaml_round_trip(o, what);
                free(what);
                json_free(o);
        }
        json *d = json_new_object();
        json_object_set(d, "big", json_new_double(1e300));
        json_object_set(d, "small", json_new_double(-2.5e-10));
        json_object_set(d, "int", json_new_int(INT64_MIN));
        yaml_round_trip(d, "numbers");
        json_free(d);
        d = json_new_stringn("bad \xff utf-8", 12);
        y = tm_yaml_serialize(d);
        json *back = y ? yparse(y) : NULL;
        is_str(json_string(back), "bad \xef\xbf\xbd utf-8", "invalid UTF-8 is written as U+FFFD");
        json_free(back);
        free(y);
        json_free(d);
}

int main(void) {
        test_manifest();
        test_scalars();
        test_styles();
        test_rejects();
        test_serialize();
        return tap_done();
}
