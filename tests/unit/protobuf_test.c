/* SPDX-License-Identifier: Apache-2.0 */
/* Kubernetes protobuf bodies into JSON (apiserver/protobuf.h): bodies that
 * kubectl 1.33 sent, against the JSON kubectl 1.31 sent for the same
 * command; hand-built messages for the other wire forms; malformed input. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protobuf.h"
#include "strbuf.h"
#include "tests/tap.h"

static char *slurp(const char *name, size_t *ret_len) {
        _cleanup_free_ char *path = xasprintf("%s/%s", PB_TEST_DATA, name);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return NULL;
        strbuf b = STRBUF_INIT;
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
                strbuf_append(&b, chunk, n);
        return strbuf_take(&b, ret_len);
}

/* Decode tests/data/protobuf/<name>.pb; compare with <name>.json, and with
 * its text when `same_order`: members come in field-number order, which is
 * Go's struct order except where upstream added a field to the middle of a
 * struct later (HTTPIngressPath's pathType). */
static json *check_capture_ordered(const char *name, bool same_order) {
        _cleanup_free_ char *pbn = xasprintf("%s.pb", name), *jsn = xasprintf("%s.json", name);
        size_t pb_len = 0, js_len = 0;
        _cleanup_free_ char *pb = slurp(pbn, &pb_len), *js = slurp(jsn, &js_len);
        if (!ok(pb && js, "%s: test data present", name))
                return NULL;
        while (js_len && (js[js_len - 1] == '\n' || js[js_len - 1] == ' '))
                js[--js_len] = '\0';
        _cleanup_error_ tm_error *err = NULL;
        json *obj = NULL;
        int r = pb_decode_object(pb, pb_len, &obj, &err);
        if (!ok(r == 0, "%s: decodes", name)) {
                diag("%s", tm_error_msg(err));
                return NULL;
        }
        _cleanup_json_ json *want = NULL;
        r = json_parse(js, js_len, NULL, &want, NULL);
        ok(r == 0 && json_equal(obj, want), "%s: same object as kubectl 1.31's JSON", name);
        /* Encoding the decoded object gives kubectl's bytes back. */
        _cleanup_free_ char *again = NULL;
        size_t again_len = 0;
        _cleanup_error_ tm_error *eerr = NULL;
        r = pb_encode_object(obj, &again, &again_len, &eerr);
        if (!ok(r == 0 && again_len == pb_len && memcmp(again, pb, pb_len) == 0,
                "%s: encodes back to the same %zu bytes", name, pb_len))
                diag("encode: %d %s, %zu bytes", r, r < 0 ? tm_error_msg(eerr) : "", again_len);
        _cleanup_free_ char *got = json_serialize(obj, 0, NULL);
        if (same_order && !ok(streq(got, js), "%s: same JSON text, member order included", name))
                diag("got:      %s\n# expected: %s", got, js);
        return obj;
}

static json *check_capture(const char *name) {
        return check_capture_ordered(name, true);
}

static void test_captures(void) {
        json *o;

        o = check_capture("configmap");
        is_str(json_get_str(o, "metadata", "name", NULL), "foo", "configmap: name");
        ok(json_is_null(json_get(o, "metadata", "creationTimestamp", NULL)),
           "configmap: zero creationTimestamp is null");
        ok(!json_get(o, "metadata", "namespace", NULL), "configmap: empty namespace omitted");
        is_str(json_get_str(o, "data", "a", NULL), "b", "configmap: data.a");
        is_str(json_get_str(o, "data", "empty", NULL), "", "configmap: empty value kept");
        ok(!json_get(o, "binaryData", NULL) && !json_get(o, "immutable", NULL),
           "configmap: absent binaryData and immutable omitted");
        json_free(o);

        o = check_capture("secret");
        is_str(json_get_str(o, "data", "password", NULL), "czNjcjN0", "secret: bytes as base64");
        is_str(json_get_str(o, "data", "bin", NULL), "YQFi", "secret: binary bytes as base64");
        ok(!json_get(o, "type", NULL), "secret: empty type omitted");
        json_free(o);

        o = check_capture("deployment");
        json *replicas = json_get(o, "spec", "replicas", NULL);
        ok(json_is_int(replicas) && json_int(replicas) == 3, "deployment: replicas 3");
        json *c = json_array_get(json_get(o, "spec", "template", "spec", "containers", NULL), 0);
        is_str(json_object_get_string(c, "image"), "nginx:1.25", "deployment: container image");
        ok(json_is_object(json_object_get(c, "resources")) &&
                   json_object_len(json_object_get(c, "resources")) == 0,
           "deployment: non-pointer struct resources is {}");
        is_str(json_get_str(o, "spec", "selector", "matchLabels", "app", NULL), "web",
               "deployment: selector");
        json_free(o);

        o = check_capture("service");
        json *ports = json_get(o, "spec", "ports", NULL);
        json *tp0 = json_object_get(json_array_get(ports, 0), "targetPort");
        json *tp1 = json_object_get(json_array_get(ports, 1), "targetPort");
        ok(json_is_int(tp0) && json_int(tp0) == 8080, "service: int targetPort 8080");
        is_str(json_string(tp1), "https", "service: string targetPort https");
        is_int(json_object_get_int(json_array_get(ports, 1), "port", 0), 443, "service: port");
        ok(!json_object_get(json_array_get(ports, 0), "nodePort"),
           "service: zero nodePort omitted");
        json_free(o);

        o = check_capture("namespace");
        is_str(json_get_str(o, "apiVersion", NULL), "v1", "namespace: apiVersion from envelope");
        json_free(o);

        o = check_capture("job");
        json *cmd = json_get(
                json_array_get(json_get(o, "spec", "template", "spec", "containers", NULL), 0),
                "command", NULL);
        ok(json_array_len(cmd) == 2 && streq(json_string(json_array_get(cmd, 1)), "hi"),
           "job: command [echo, hi]");
        json_free(o);

        o = check_capture("cronjob");
        is_str(json_get_str(o, "spec", "schedule", NULL), "*/5 * * * *", "cronjob: schedule");
        json_free(o);

        o = check_capture("quota");
        is_str(json_get_str(o, "spec", "hard", "cpu", NULL), "1500m", "quota: cpu quantity");
        is_str(json_get_str(o, "spec", "hard", "memory", NULL), "1Gi", "quota: memory quantity");
        json_free(o);

        o = check_capture("pdb");
        is_str(json_get_str(o, "spec", "minAvailable", NULL), "50%", "pdb: IntOrString percent");
        ok(json_is_int(json_get(o, "status", "expectedPods", NULL)),
           "pdb: non-omitempty zero status field written");
        json_free(o);

        o = check_capture_ordered("ingress", false);
        is_str(json_get_str(o, "apiVersion", NULL), "networking.k8s.io/v1", "ingress: apiVersion");
        json_free(o);

        o = check_capture("pod");
        c = json_array_get(json_get(o, "spec", "containers", NULL), 0);
        is_str(json_get_str(c, "resources", "limits", "cpu", NULL), "500m", "pod: limits cpu");
        is_str(json_get_str(c, "resources", "limits", "memory", NULL), "128Mi",
               "pod: limits memory");
        is_str(json_get_str(c, "resources", "requests", "cpu", NULL), "250m", "pod: requests cpu");
        json *v0 = json_array_get(json_get(o, "spec", "volumes", NULL), 0);
        is_str(json_get_str(v0, "hostPath", "path", NULL), "/",
               "pod: inlined volumeSource.hostPath in the volume");
        ok(json_get(o, "spec", "hostPID", NULL) && json_bool(json_get(o, "spec", "hostPID", NULL)),
           "pod: hostPID true");
        json_free(o);
}

/* ---- hand-built messages ------------------------------------------------ */

static void put_varint(strbuf *b, uint64_t v) {
        do {
                uint8_t c = v & 0x7f;
                v >>= 7;
                if (v)
                        c |= 0x80;
                strbuf_putc(b, (char)c);
        } while (v);
}
static void put_key(strbuf *b, uint32_t num, unsigned wt) {
        put_varint(b, (uint64_t)num << 3 | wt);
}
static void put_bytes(strbuf *b, uint32_t num, const void *p, size_t n) {
        put_key(b, num, 2);
        put_varint(b, n);
        strbuf_append(b, p, n);
}
static void put_str(strbuf *b, uint32_t num, const char *s) {
        put_bytes(b, num, s, strlen(s));
}
static void put_msg(strbuf *b, uint32_t num, strbuf *m) {
        put_bytes(b, num, m->data ? m->data : "", m->len);
        strbuf_reset(m);
}
static void put_int(strbuf *b, uint32_t num, int64_t v) {
        put_key(b, num, 0);
        put_varint(b, (uint64_t)v);
}

/* Decode `b` as the message of `type`; the serialized JSON or NULL. */
static char *decode_as(const char *type, strbuf *b, tm_error **err, int *ret) {
        const struct schema_type *t = schema_type_lookup(type);
        json *o = NULL;
        *ret = pb_decode_message(b->data ? b->data : "", b->len, 0, t, &o, err);
        if (*ret < 0)
                return NULL;
        char *s = json_serialize(o, JSON_SORT_KEYS, NULL);
        json_free(o);
        return s;
}

/* Decode and compare. */
static char *check_decode(const char *type, strbuf *b, const char *want, const char *desc) {
        _cleanup_error_ tm_error *err = NULL;
        int r;
        char *got = decode_as(type, b, &err, &r);
        if (!got)
                diag("error: %s", tm_error_msg(err));
        is_str(got, want, "%s", desc);
        strbuf_reset(b);
        return got;
}

/* Decode, compare, then encode the result and decode that again: the
 * same JSON (the bytes may differ: ours are canonical, these are not). */
static void check_as(const char *type, strbuf *b, const char *want, const char *desc) {
        _cleanup_error_ tm_error *err = NULL;
        int r;
        _cleanup_free_ char *got = check_decode(type, b, want, desc);
        if (!got)
                return;
        _cleanup_json_ json *o = NULL;
        _cleanup_free_ char *enc = NULL;
        size_t n = 0;
        json_parse(got, strlen(got), NULL, &o, NULL);
        r = pb_encode_message(o, schema_type_lookup(type), &enc, &n, &err);
        if (r == 0)
                strbuf_append(b, enc, n);
        _cleanup_free_ char *back = r == 0 ? decode_as(type, b, &err, &r) : NULL;
        is_str(back, got, "%s: encodes and decodes back", desc);
        strbuf_reset(b);
}

static void check_fails(const char *type, strbuf *b, int code, const char *msg, const char *desc) {
        _cleanup_error_ tm_error *err = NULL;
        int r;
        _cleanup_free_ char *got = decode_as(type, b, &err, &r);
        is_int(r, code, "%s: fails", desc);
        is_str(tm_error_msg(err), msg, "%s: message", desc);
        strbuf_reset(b);
}

static void test_scalars(void) {
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;

        /* Negative int32: a 10-byte varint, sign-extended. */
        put_int(&b, 3, -1); /* containerPort */
        put_str(&b, 4, "UDP");
        check_as("core.v1.ContainerPort", &b, "{\"containerPort\":-1,\"protocol\":\"UDP\"}",
                 "negative int32");
        put_int(&b, 3, INT64_C(-9000000000)); /* truncated like protobuf */
        check_as("core.v1.ContainerPort", &b, "{\"containerPort\":-410065408}",
                 "int32 keeps its low 32 bits");

        /* int64 pointer, negative; zero kept because it is a pointer. */
        put_int(&b, 3, -5); /* activeDeadlineSeconds */
        put_int(&b, 1, 0);  /* parallelism *int32 = 0 */
        check_as("batch.v1.JobSpec", &b,
                 "{\"activeDeadlineSeconds\":-5,\"parallelism\":0,\"template\":{\"metadata\":{"
                 "\"creationTimestamp\":null},\"spec\":{\"containers\":null}}}",
                 "negative int64; pointer zero kept; non-pointer template zero-valued");

        /* Booleans: any non-zero varint is true. */
        put_int(&b, 4, 2); /* hostPath.. no: AWSElasticBlockStore readOnly */
        put_str(&b, 1, "vol-1");
        check_as("core.v1.AWSElasticBlockStoreVolumeSource", &b,
                 "{\"readOnly\":true,\"volumeID\":\"vol-1\"}", "bool from varint 2");

        /* Repeated int64, packed and unpacked in one message. */
        strbuf m = STRBUF_INIT;
        put_varint(&m, 1);
        put_varint(&m, 300);
        put_varint(&m, (uint64_t)-2);
        put_msg(&b, 4, &m); /* supplementalGroups, packed */
        put_int(&b, 4, 7);  /* and one more unpacked */
        check_as("core.v1.PodSecurityContext", &b, "{\"supplementalGroups\":[1,300,-2,7]}",
                 "repeated int64 packed then unpacked");

        /* Repeated strings, and unknown fields of every wire type skipped. */
        put_str(&b, 1, "NET_ADMIN");
        put_int(&b, 99, 12345);
        put_key(&b, 98, 1);
        strbuf_append(&b, "12345678", 8);
        put_key(&b, 97, 5);
        strbuf_append(&b, "1234", 4);
        put_str(&b, 96, "ignored");
        put_str(&b, 1, "SYS_TIME");
        check_as("core.v1.Capabilities", &b, "{\"add\":[\"NET_ADMIN\",\"SYS_TIME\"]}",
                 "unknown fields of each wire type skipped");
        strbuf_done(&m);
}

static void test_special_types(void) {
        _cleanup_strbuf_ strbuf b = STRBUF_INIT, m = STRBUF_INIT;

        /* metav1.Time: seconds only (the fraction is dropped upstream). */
        put_int(&m, 1, 1700000000);
        put_int(&m, 2, 999);
        put_str(&b, 1, "x");
        put_msg(&b, 8, &m);      /* creationTimestamp */
        put_bytes(&b, 9, "", 0); /* deletionTimestamp *Time, zero */
        /* (No round trip: JSON's null is a nil pointer, which upstream
         * does not send either.) */
        free(check_decode("meta.v1.ObjectMeta", &b,
                          "{\"creationTimestamp\":\"2023-11-14T22:13:20Z\",\"deletionTimestamp\":"
                          "null,\"name\":\"x\"}",
                          "Time: RFC 3339 seconds; a present zero pointer Time is null"));

        put_int(&m, 1, 0);
        put_msg(&b, 8, &m);
        check_as("meta.v1.ObjectMeta", &b, "{\"creationTimestamp\":\"1970-01-01T00:00:00Z\"}",
                 "Time: a non-empty message of zero seconds is the epoch, not the zero time");

        put_int(&m, 1, INT64_C(300000000000));
        put_msg(&b, 8, &m);
        check_fails("meta.v1.ObjectMeta", &b, -EINVAL,
                    "meta.v1.ObjectMeta.creationTimestamp (field 8): time at byte 2 is outside "
                    "years 0-9999",
                    "Time out of range");

        /* MicroTime: microseconds, the rest truncated. */
        put_int(&m, 1, 1700000000);
        put_int(&m, 2, 123456789);
        put_msg(&b, 2, &m); /* events.v1.Event.eventTime */
        check_as("events.v1.Event", &b,
                 "{\"deprecatedFirstTimestamp\":null,\"deprecatedLastTimestamp\":null,"
                 "\"deprecatedSource\":{},\"eventTime\":\"2023-11-14T22:13:20.123456Z\","
                 "\"metadata\":{\"creationTimestamp\":null},\"regarding\":{}}",
                 "MicroTime: RFC 3339 microseconds; zero non-pointer structs written");

        /* IntOrString. */
        put_int(&m, 1, 0);
        put_int(&m, 2, -3);
        put_msg(&b, 1, &m); /* maxUnavailable */
        put_int(&m, 1, 1);
        put_str(&m, 3, "25%");
        put_msg(&b, 2, &m); /* maxSurge */
        check_as("apps.v1.RollingUpdateDeployment", &b,
                 "{\"maxSurge\":\"25%\",\"maxUnavailable\":-3}", "IntOrString int and string");
        put_int(&m, 1, 2);
        put_msg(&b, 1, &m);
        check_fails("apps.v1.RollingUpdateDeployment", &b, -EINVAL,
                    "apps.v1.RollingUpdateDeployment.maxUnavailable (field 1): IntOrString at "
                    "byte 2 has type 2, expected 0 (int) or 1 (string)",
                    "IntOrString of an unknown type");

        /* map<string, Quantity>, with an entry without value (zero: "0"). */
        put_str(&m, 1, "cpu");
        put_bytes(&m, 2,
                  "\x0a\x04"
                  "100m",
                  6);
        put_msg(&b, 1, &m); /* limits */
        put_str(&m, 1, "memory");
        put_msg(&b, 1, &m);
        check_as("core.v1.ResourceRequirements", &b,
                 "{\"limits\":{\"cpu\":\"100m\",\"memory\":\"0\"}}",
                 "map of quantities; an entry without value is zero");

        /* RawExtension: the embedded JSON value. */
        put_str(&m, 1, "{\"spec\":{\"x\":[1,2]}}");
        put_msg(&b, 2, &m); /* data */
        put_int(&b, 3, 4);  /* revision */
        check_as("apps.v1.ControllerRevision", &b,
                 "{\"data\":{\"spec\":{\"x\":[1,2]}},\"metadata\":{\"creationTimestamp\":null},"
                 "\"revision\":4}",
                 "RawExtension: embedded JSON");
        put_str(&m, 1, "\x0a\x02hi");
        put_msg(&b, 2, &m);
        {
                _cleanup_error_ tm_error *err = NULL;
                int r;
                _cleanup_free_ char *got = decode_as("apps.v1.ControllerRevision", &b, &err, &r);
                ok(r == -EINVAL &&
                           strstr(tm_error_msg(err), "embedded object at byte 4 is not JSON"),
                   "RawExtension that is not JSON refused (%s)", tm_error_msg(err));
                strbuf_reset(&b);
        }
        /* Deep nesting inside the embedded JSON is bounded like any JSON. */
        {
                _cleanup_strbuf_ strbuf deep = STRBUF_INIT;
                for (int i = 0; i < 200; i++)
                        strbuf_putc(&deep, '[');
                for (int i = 0; i < 200; i++)
                        strbuf_putc(&deep, ']');
                put_bytes(&m, 1, deep.data, deep.len);
                put_msg(&b, 2, &m);
                _cleanup_error_ tm_error *err = NULL;
                int r;
                _cleanup_free_ char *got = decode_as("apps.v1.ControllerRevision", &b, &err, &r);
                ok(r == -E2BIG && strstr(tm_error_msg(err), "max_depth"),
                   "deeply nested embedded JSON refused (%s)", tm_error_msg(err));
                strbuf_reset(&b);
        }

        /* FieldsV1 in managedFields. */
        put_str(&m, 1, "{\"f:data\":{}}");
        put_str(&b, 1, "kubectl");
        put_msg(&b, 7, &m);
        check_as("meta.v1.ManagedFieldsEntry", &b,
                 "{\"fieldsV1\":{\"f:data\":{}},\"manager\":\"kubectl\"}",
                 "FieldsV1: embedded JSON");

        /* A named slice (Verbs): a message of repeated items. */
        put_str(&m, 1, "get");
        put_str(&m, 1, "list");
        put_msg(&b, 4, &m);
        put_str(&b, 1, "pods");
        check_as("meta.v1.APIResource", &b,
                 "{\"kind\":\"\",\"name\":\"pods\",\"namespaced\":false,\"singularName\":\"\","
                 "\"verbs\":[\"get\",\"list\"]}",
                 "list wrapper; non-omitempty zero fields written");

        /* Inlined struct: Volume's volumeSource (2) holds emptyDir (2). */
        put_str(&b, 1, "scratch");
        put_bytes(&b, 2, "\x12\x00", 2);
        check_as("core.v1.Volume", &b, "{\"emptyDir\":{},\"name\":\"scratch\"}",
                 "inlined volumeSource fields in the volume");

        /* bytes in map<string, bytes>. */
        put_str(&m, 1, "k");
        put_bytes(&m, 2, "\x00\xff", 2);
        put_msg(&b, 3, &m); /* binaryData */
        check_as("core.v1.ConfigMap", &b,
                 "{\"binaryData\":{\"k\":\"AP8=\"},\"metadata\":{\"creationTimestamp\":null}}",
                 "map of bytes as base64");
}

static void test_duration(void) {
        static const struct {
                int64_t ns;
                const char *want;
        } cases[] = {
                { 0, "0s" },
                { 1, "1ns" },
                { 1500, "1.5\xc2\xb5s" },
                { 2000000, "2ms" },
                { 1000000000, "1s" },
                { 1500000000, "1.5s" },
                { INT64_C(3600000000000), "1h0m0s" },
                { INT64_C(3723000000000), "1h2m3s" },
                { INT64_C(90000000000), "1m30s" },
                { -INT64_C(1500000000), "-1.5s" },
                { INT64_MIN, "-2562047h47m16.854775808s" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char buf[PB_DURATION_MAX];
                is_str(pb_format_duration(cases[i].ns, buf), cases[i].want,
                       "duration %" PRId64 "ns", cases[i].ns);
        }
}

static void test_malformed(void) {
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;

        strbuf_append(&b,
                      "\x0a\x03"
                      "foo\x18\x80\x80",
                      7);
        check_fails("core.v1.ContainerPort", &b, -EINVAL, "truncated varint at byte 6",
                    "truncated varint");
        strbuf_append(&b, "\x18\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 11);
        check_fails("core.v1.ContainerPort", &b, -EINVAL, "varint at byte 1 overflows 64 bits",
                    "varint past 64 bits");
        strbuf_append(&b,
                      "\x0a\x05"
                      "foo",
                      5);
        check_fails("core.v1.ContainerPort", &b, -EINVAL,
                    "length 5 at byte 1 runs past the end of its message (3 bytes left)",
                    "length past the end");
        strbuf_append(&b, "\x0a\xff\xff\xff\xff\x0f", 6);
        check_fails("core.v1.ContainerPort", &b, -EINVAL,
                    "length 4294967295 at byte 1 runs past the end of its message (0 bytes left)",
                    "huge length");
        strbuf_append(&b, "\x08\x05", 2); /* name as a varint */
        check_fails("core.v1.ContainerPort", &b, -EINVAL,
                    "core.v1.ContainerPort.name (field 1): wire type varint at byte 0, expected "
                    "length-delimited",
                    "string field with a varint");
        strbuf_append(&b, "\x1a\x01\x05", 3); /* containerPort as bytes */
        check_fails("core.v1.ContainerPort", &b, -EINVAL,
                    "core.v1.ContainerPort.containerPort (field 3): wire type length-delimited "
                    "at byte 0, expected varint",
                    "int field with bytes");
        strbuf_append(&b, "\x0b\x0c", 2);
        check_fails("core.v1.ContainerPort", &b, -EINVAL,
                    "unsupported wire type 3 (group start) of field 1 at byte 0",
                    "group wire type");
        strbuf_append(&b, "\x0f", 1);
        check_fails("core.v1.ContainerPort", &b, -EINVAL,
                    "unsupported wire type 7 (invalid) of field 1 at byte 0", "wire type 7");
        strbuf_append(&b, "\x02\x00", 2);
        check_fails("core.v1.ContainerPort", &b, -EINVAL, "invalid field number 0 at byte 0",
                    "field number 0");
        strbuf_append(&b, "\x0a\x02\xc3\x28", 4);
        check_fails("core.v1.ContainerPort", &b, -EINVAL,
                    "core.v1.ContainerPort.name (field 1): string at byte 2 is not valid UTF-8 "
                    "or contains NUL",
                    "invalid UTF-8");
        strbuf_append(&b,
                      "\x0a\x02"
                      "a\0",
                      4);
        check_fails("core.v1.ContainerPort", &b, -EINVAL,
                    "core.v1.ContainerPort.name (field 1): string at byte 2 is not valid UTF-8 "
                    "or contains NUL",
                    "NUL in a string");
        strbuf_append(&b,
                      "\xa1\x01"
                      "1234",
                      6); /* unknown field 20, fixed64, truncated */
        check_fails("core.v1.ContainerPort", &b, -EINVAL, "truncated fixed64 value at byte 2",
                    "truncated fixed64 in an unknown field");
        /* A bad length inside a nested message names the byte in the body. */
        strbuf_append(&b,
                      "\x0a\x04\x0a\x05"
                      "ab",
                      6);
        check_fails("core.v1.ConfigMap", &b, -EINVAL,
                    "length 5 at byte 3 runs past the end of its message (2 bytes left)",
                    "bad length in a nested message");
        /* Many empty elements whose zero values make much JSON: bounded. */
        for (int i = 0; i < 40000; i++)
                strbuf_append(&b, "\x42\x00", 2); /* containerStatuses: {} */
        {
                int r;
                _cleanup_error_ tm_error *err = NULL;
                _cleanup_free_ char *got = decode_as("core.v1.PodStatus", &b, &err, &r);
                ok(r == -E2BIG && strstr(tm_error_msg(err), "grows past one value per byte"),
                   "zero-value amplification refused (%s)", tm_error_msg(err));
                strbuf_reset(&b);
        }
        for (int i = 0; i < 200; i++)
                strbuf_append(&b, "\x42\x00", 2);
        {
                int r;
                _cleanup_error_ tm_error *err = NULL;
                _cleanup_free_ char *got = decode_as("core.v1.PodStatus", &b, &err, &r);
                ok(r == 0, "200 empty containerStatuses are within the margin");
                strbuf_reset(&b);
        }
        {
                int r;
                _cleanup_error_ tm_error *err = NULL;
                _cleanup_free_ char *got = decode_as("meta.v1.Table", &b, &err, &r);
                is_int(r, -EOPNOTSUPP, "a type without protobuf form: -EOPNOTSUPP");
        }
}

static void test_envelope(void) {
        _cleanup_strbuf_ strbuf b = STRBUF_INIT, tm = STRBUF_INIT, raw = STRBUF_INIT;
        _cleanup_error_ tm_error *err = NULL;
        json *o = NULL;

        ok(pb_decode_object("{}", 2, &o, &err) == -EINVAL &&
                   streq(tm_error_msg(err),
                         "missing the protobuf magic number \"k8s\\x00\" at byte 0"),
           "JSON is not protobuf: %s", tm_error_msg(err));

        /* A Binding: a core kind decoded with the envelope's typeMeta. */
        put_str(&tm, 1, "v1");
        put_str(&tm, 2, "Binding");
        strbuf_append(&b, "k8s", 4);
        put_msg(&b, 1, &tm);
        {
                _cleanup_strbuf_ strbuf md = STRBUF_INIT, target = STRBUF_INIT;
                put_str(&md, 1, "web-0");
                put_msg(&raw, 1, &md);
                put_str(&target, 1, "Node");
                put_str(&target, 3, "node-1");
                put_msg(&raw, 2, &target);
        }
        put_msg(&b, 2, &raw);
        tm_error_free(TAKE_PTR(err));
        int r = pb_decode_object(b.data, b.len, &o, &err);
        _cleanup_free_ char *s = r == 0 ? json_serialize(o, 0, NULL) : NULL;
        is_str(s,
               "{\"kind\":\"Binding\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"web-0\","
               "\"creationTimestamp\":null},\"target\":{\"kind\":\"Node\",\"name\":\"node-1\"}}",
               "Binding from an envelope");
        json_free(TAKE_PTR(o));

        /* The envelope's typeMeta decides the kind. */
        strbuf_reset(&b);
        strbuf_append(&b, "k8s", 4);
        put_str(&tm, 1, "v1");
        put_str(&tm, 2, "Nothing");
        put_msg(&b, 1, &tm);
        tm_error_free(TAKE_PTR(err));
        r = pb_decode_object(b.data, b.len, &o, &err);
        ok(r == -ENOENT &&
                   streq(tm_error_msg(err), "no kind \"Nothing\" is registered for version \"v1\""),
           "unknown kind: %s", tm_error_msg(err));

        strbuf_reset(&b);
        strbuf_append(&b, "k8s", 4);
        put_str(&tm, 1, "v1");
        put_str(&tm, 2, "ConfigMap");
        put_msg(&b, 1, &tm);
        put_str(&b, 3, "gzip");
        tm_error_free(TAKE_PTR(err));
        r = pb_decode_object(b.data, b.len, &o, &err);
        ok(r == -EOPNOTSUPP && streq(tm_error_msg(err), "unsupported content encoding \"gzip\""),
           "content encoding refused: %s", tm_error_msg(err));

        strbuf_reset(&b);
        strbuf_append(&b, "k8s", 4);
        put_str(&tm, 2, "ConfigMap");
        put_msg(&b, 1, &tm);
        tm_error_free(TAKE_PTR(err));
        r = pb_decode_object(b.data, b.len, &o, &err);
        ok(r == -EINVAL && streq(tm_error_msg(err), "the envelope has no apiVersion"),
           "envelope without apiVersion: %s", tm_error_msg(err));

        /* Every truncation of a real body decodes (at a field boundary) or
         * fails with a message. */
        size_t len = 0;
        _cleanup_free_ char *pb = slurp("pod.pb", &len);
        int failures = 0, silent = 0;
        for (size_t n = 0; pb && n < len; n++) {
                json *x = NULL;
                tm_error_free(TAKE_PTR(err));
                r = pb_decode_object(pb, n, &x, &err);
                if (r < 0) {
                        failures++;
                        if (!err)
                                silent++;
                }
                json_free(x);
        }
        ok(pb && silent == 0 && failures > (int)len / 2,
           "truncations of pod.pb: %d of %zu refused, each with a message", failures, len);

        /* Single-bit flips anywhere: decoded or refused with a message (ASan
         * watches the rest). */
        int decoded = 0;
        silent = 0;
        for (size_t i = 0; pb && i < len; i++) {
                for (int bit = 0; bit < 8; bit++) {
                        pb[i] ^= (char)(1 << bit);
                        json *x = NULL;
                        tm_error_free(TAKE_PTR(err));
                        r = pb_decode_object(pb, len, &x, &err);
                        if (r == 0)
                                decoded++;
                        else if (!err)
                                silent++;
                        json_free(x);
                        pb[i] ^= (char)(1 << bit);
                }
        }
        ok(pb && silent == 0,
           "%zu single-bit flips of pod.pb: %d decode, the rest refused with a message", len * 8,
           decoded);
}

/* Facts the decoder relies on, over every type of the schema. */
static void test_schema_facts(void) {
        size_t with_proto = 0, bad_tags = 0, dups = 0, untagged = 0;
        for (size_t i = 0; i < schema_n_types; i++) {
                const struct schema_type *t = &schema_type_table[i];
                if (!t->proto_message)
                        continue;
                with_proto++;
                for (size_t j = 0; j < t->n_fields; j++) {
                        const struct schema_field *f = &t->fields[j];
                        if (!f->proto_tag) {
                                /* Only the envelope's apiVersion and kind. */
                                if (!t->kind ||
                                    (!streq(f->name, "apiVersion") && !streq(f->name, "kind")))
                                        untagged++;
                                continue;
                        }
                        for (size_t k = j + 1; k < t->n_fields; k++)
                                if (t->fields[k].proto_tag == f->proto_tag &&
                                    t->fields[k].proto_inline == f->proto_inline)
                                        dups++;
                        /* An inline group's number is no plain field's. */
                        for (size_t k = 0; k < t->n_fields; k++)
                                if (f->proto_inline && !t->fields[k].proto_inline &&
                                    t->fields[k].proto_tag == f->proto_inline)
                                        bad_tags++;
                }
        }
        ok(with_proto + 4 == schema_n_types,
           "every type has a protobuf message but meta.v1's four Table types (%zu of %zu)",
           with_proto, schema_n_types);
        is_int(untagged, 0, "every field has a number, but top-level apiVersion and kind");
        is_int(dups, 0, "no number used twice in a message");
        is_int(bad_tags, 0, "inline message numbers are not field numbers");
        const struct schema_field *f =
                schema_field_lookup(schema_type_lookup("meta.v1.ObjectMeta"), "creationTimestamp");
        ok(f && f->proto_tag == 8 && f->omit_empty && !f->pointer,
           "ObjectMeta.creationTimestamp: 8, omitempty, not a pointer");
        f = schema_field_lookup(schema_type_lookup("apps.v1.DeploymentSpec"), "replicas");
        ok(f && f->proto_tag == 1 && f->omit_empty && f->pointer,
           "DeploymentSpec.replicas: 1, omitempty, pointer");
        f = schema_field_lookup(schema_type_lookup("core.v1.Volume"), "hostPath");
        ok(f && f->proto_tag == 1 && f->proto_inline == 2,
           "Volume.hostPath: 1 inside volumeSource 2");
        f = schema_field_lookup(schema_type_lookup("core.v1.PodSpec"), "containers");
        ok(f && f->proto_tag == 2 && !f->omit_empty, "PodSpec.containers: 2, not omitempty");
}

static void test_encode_errors(void) {
        _cleanup_error_ tm_error *err = NULL;
        _cleanup_free_ char *out = NULL;
        size_t n;
        static const struct {
                const char *type, *json;
                int code;
                const char *msg;
        } cases[] = {
                { "core.v1.ContainerPort", "{\"containerPort\":\"80\"}", -EINVAL,
                  "core.v1.ContainerPort.containerPort: expected an integer, got string" },
                { "core.v1.ContainerPort", "{\"containerPort\":4294967296}", -ERANGE,
                  "core.v1.ContainerPort.containerPort: 4294967296 is out of int32 range" },
                { "core.v1.Secret", "{\"data\":{\"a\":\"!!\"}}", -EINVAL,
                  "core.v1.Secret.data: invalid base64" },
                { "core.v1.PodSpec", "{\"containers\":{}}", -EINVAL,
                  "core.v1.PodSpec.containers: expected an array, got object" },
                { "meta.v1.ObjectMeta", "{\"creationTimestamp\":\"yesterday\"}", -EINVAL, NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_json_ json *o = NULL;
                json_parse(cases[i].json, strlen(cases[i].json), NULL, &o, NULL);
                tm_error_free(TAKE_PTR(err));
                int r = pb_encode_message(o, schema_type_lookup(cases[i].type), &out, &n, &err);
                is_int(r, cases[i].code, "encode %s: fails", cases[i].json);
                if (cases[i].msg)
                        is_str(tm_error_msg(err), cases[i].msg, "encode %s: message",
                               cases[i].json);
        }
        _cleanup_json_ json *o = json_new_object();
        json_object_set_string(o, "apiVersion", "v1");
        json_object_set_string(o, "kind", "Nothing");
        tm_error_free(TAKE_PTR(err));
        is_int(pb_encode_object(o, &out, &n, &err), -ENOENT, "encode an unknown kind: -ENOENT");
}

int main(void) {
        test_captures();
        test_scalars();
        test_special_types();
        test_duration();
        test_malformed();
        test_envelope();
        test_schema_facts();
        test_encode_errors();
        return tap_done();
}
