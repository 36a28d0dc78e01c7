/* SPDX-License-Identifier: Apache-2.0 */
/* The OpenAPI v2 protobuf encoder (read back by a small protobuf reader
 * written here, and against known bytes), the embedded documents and the
 * /openapi/v3 index and hashes. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "openapi.h"
#include "openapi_proto.h"
#include "tests/tap.h"

/* --- a minimal protobuf reader -------------------------------------------- */

typedef struct slice {
        const uint8_t *p;
        size_t n;
} slice;

static bool rd_varint(const uint8_t **p, const uint8_t *end, uint64_t *v) {
        uint64_t r = 0;
        for (int shift = 0; shift < 64 && *p < end; shift += 7) {
                uint8_t b = *(*p)++;
                r |= (uint64_t)(b & 0x7f) << shift;
                if (!(b & 0x80)) {
                        *v = r;
                        return true;
                }
        }
        return false;
}

/* Walk msg; for the idx-th field numbered num, set *out (bytes for wire
 * type 2, the value for varints in *val). Returns false if absent or if
 * the message does not parse. */
static bool pb_get(slice msg, uint32_t num, size_t idx, slice *out, uint64_t *val) {
        const uint8_t *p = msg.p, *end = msg.p + msg.n;
        while (p < end) {
                uint64_t key, v = 0;
                if (!rd_varint(&p, end, &key))
                        return false;
                unsigned wt = key & 7;
                slice s = { NULL, 0 };
                if (wt == 0) {
                        if (!rd_varint(&p, end, &v))
                                return false;
                } else if (wt == 1) {
                        if (end - p < 8)
                                return false;
                        p += 8;
                } else if (wt == 2) {
                        if (!rd_varint(&p, end, &v) || v > (uint64_t)(end - p))
                                return false;
                        s = (slice){ p, v };
                        p += v;
                } else if (wt == 5) {
                        if (end - p < 4)
                                return false;
                        p += 4;
                } else
                        return false;
                if ((key >> 3) == num && idx-- == 0) {
                        if (out)
                                *out = s;
                        if (val)
                                *val = v;
                        return true;
                }
        }
        return false;
}

static bool pb_msg(slice m, uint32_t num, slice *out) {
        return pb_get(m, num, 0, out, NULL);
}

static bool slice_is(slice s, const char *str) {
        return s.n == strlen(str) && memcmp(s.p, str, s.n) == 0;
}

/* The string field num of m, as a NUL-terminated static copy. */
static const char *pb_str(slice m, uint32_t num) {
        static char buf[4][512];
        static int k;
        slice s;
        if (!pb_get(m, num, 0, &s, NULL) || s.n >= sizeof buf[0])
                return NULL;
        char *b = buf[k++ % 4];
        memcpy(b, s.p, s.n);
        b[s.n] = 0;
        return b;
}

/* Among the repeated Named<X> at num, the value (field 2) of the one named
 * name (field 1). */
static bool pb_named(slice m, uint32_t num, const char *name, slice *out) {
        slice e;
        for (size_t i = 0; pb_get(m, num, i, &e, NULL); i++) {
                slice n;
                if (pb_msg(e, 1, &n) && slice_is(n, name))
                        return pb_msg(e, 2, out);
        }
        return false;
}

/* The YAML of the vendor extension name (NamedAny at num: Any.yaml = 2). */
static const char *pb_vendor(slice m, uint32_t num, const char *name) {
        slice any;
        if (!pb_named(m, num, name, &any))
                return NULL;
        return pb_str(any, 2);
}

/* --- tests ---------------------------------------------------------------- */

static slice encode(const char *text, char **keep) {
        _cleanup_json_ json *doc = NULL;
        _cleanup_error_ tm_error *err = NULL;
        slice s = { NULL, 0 };
        if (json_parse(text, strlen(text), NULL, &doc, &err) < 0) {
                diag("parse: %s", tm_error_msg(err));
                return s;
        }
        size_t n = 0;
        if (openapi_v2_to_protobuf(doc, keep, &n, &err) < 0) {
                diag("encode: %s", tm_error_msg(err));
                return s;
        }
        s.p = (const uint8_t *)*keep;
        s.n = n;
        return s;
}

static void test_known_bytes(void) {
        _cleanup_free_ char *buf = NULL;
        slice s =
                encode("{\"swagger\":\"2.0\",\"info\":{\"title\":\"t\",\"version\":\"1\"}}", &buf);
        static const uint8_t want[] = { 0x0a, 0x03, '2', '.',  '0',  0x12, 0x06,
                                        0x0a, 0x01, 't', 0x12, 0x01, '1' };
        ok(s.n == sizeof want && memcmp(s.p, want, sizeof want) == 0,
           "swagger and info encode to the expected bytes");

        _cleanup_free_ char *buf2 = NULL;
        s = encode("{\"definitions\":{\"A\":{\"maxLength\":300,\"minimum\":1.5}}}", &buf2);
        /* 4a (defs) len 0a (NamedSchema) len 0a 01 'A' 12 len 58 ac 02 49 <double 1.5> */
        static const uint8_t want2[] = { 0x4a, 0x13, 0x0a, 0x11, 0x0a, 0x01, 'A',
                                         0x12, 0x0c, 0x58, 0xac, 0x02, 0x49, 0x00,
                                         0x00, 0x00, 0x00, 0x00, 0x00, 0xf8, 0x3f };
        ok(s.n == sizeof want2 && memcmp(s.p, want2, sizeof want2) == 0,
           "map entry, int64 varint and double encode to the expected bytes");
}

static const char small_doc[] =
        "{\"swagger\":\"2.0\",\"paths\":{\"/api/v1/pods/{name}\":{"
        "\"parameters\":[{\"name\":\"name\",\"in\":\"path\",\"required\":true,\"type\":\"string\"}]"
        ","
        "\"patch\":{\"operationId\":\"patchX\",\"consumes\":[\"application/json-patch+json\","
        "\"application/strategic-merge-patch+json\"],"
        "\"parameters\":[{\"in\":\"body\",\"name\":\"body\",\"required\":true,"
        "\"schema\":{\"$ref\":\"#/definitions/P\"}},"
        "{\"name\":\"fieldValidation\",\"in\":\"query\",\"type\":\"string\",\"uniqueItems\":true},"
        "{\"$ref\":\"#/parameters/pretty\"}],"
        "\"responses\":{\"200\":{\"description\":\"OK\",\"schema\":{\"$ref\":\"#/definitions/P\"}},"
        "\"401\":{\"description\":\"Unauthorized\"}},"
        "\"x-kubernetes-group-version-kind\":{\"group\":\"\",\"kind\":\"Pod\",\"version\":\"v1\"}}}"
        "},"
        "\"definitions\":{\"P\":{\"type\":\"object\",\"required\":[\"spec\"],\"properties\":{"
        "\"spec\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"}},"
        "\"list\":{\"type\":\"array\",\"items\":{\"type\":\"integer\",\"format\":\"int32\"},"
        "\"x-kubernetes-patch-merge-key\":\"name\",\"default\":[]},"
        "\"m\":{\"type\":\"object\",\"additionalProperties\":false}},"
        "\"x-kubernetes-group-version-kind\":[{\"group\":\"\",\"kind\":\"Pod\",\"version\":\"v1\"}]"
        "}},"
        "\"securityDefinitions\":{\"BearerToken\":{\"type\":\"apiKey\",\"name\":\"authorization\","
        "\"in\":\"header\"}},\"security\":[{\"BearerToken\":[]}]}";

static void test_small_document(void) {
        _cleanup_free_ char *buf = NULL;
        slice doc = encode(small_doc, &buf);
        ok(doc.n > 0, "small document encodes");

        slice defs, p, spec, list, m, sub;
        uint64_t v = 99;
        ok(pb_msg(doc, 9, &defs) && pb_named(defs, 1, "P", &p), "definitions has P");
        ok(pb_msg(p, 22, &sub) && slice_is((slice){ sub.p + 2, sub.n - 2 }, "object"),
           "P.type is object (TypeItem.value)");
        is_str(pb_str(p, 19), "spec", "P.required");
        is_str(pb_vendor(p, 31, "x-kubernetes-group-version-kind"),
               "[{\"group\":\"\",\"kind\":\"Pod\",\"version\":\"v1\"}]",
               "P's x-kubernetes-group-version-kind is YAML (JSON text) in Any.yaml");
        slice props;
        ok(pb_msg(p, 25, &props) && pb_named(props, 1, "spec", &spec), "P.properties has spec");
        slice add, addschema, t;
        ok(pb_msg(spec, 21, &add) && pb_msg(add, 1, &addschema) && pb_msg(addschema, 22, &t) &&
                   pb_str(t, 1) && streq(pb_str(t, 1), "string"),
           "spec.additionalProperties is a schema of type string");
        ok(pb_named(props, 1, "list", &list), "P.properties has list");
        slice items, item;
        ok(pb_msg(list, 23, &items) && pb_msg(items, 1, &item) && pb_str(item, 2) &&
                   streq(pb_str(item, 2), "int32"),
           "list.items is ItemsItem{schema} with format int32");
        is_str(pb_vendor(list, 31, "x-kubernetes-patch-merge-key"), "\"name\"", "list's merge key");
        slice dflt;
        ok(pb_msg(list, 5, &dflt) && pb_str(dflt, 2) && streq(pb_str(dflt, 2), "[]"),
           "list.default is Any{yaml: []}");
        ok(pb_named(props, 1, "m", &m) && pb_msg(m, 21, &add) && pb_get(add, 2, 0, NULL, &v) &&
                   v == 0,
           "additionalProperties false is sent (oneof boolean = 2)");

        slice paths, item_path, params0, param, nonbody, pathp;
        ok(pb_msg(doc, 8, &paths) && pb_named(paths, 2, "/api/v1/pods/{name}", &item_path),
           "paths has the path (NamedPathItem at field 2)");
        ok(pb_get(item_path, 9, 0, &params0, NULL) && pb_msg(params0, 1, &param) &&
                   pb_msg(param, 2, &nonbody) && pb_msg(nonbody, 4, &pathp),
           "path parameter is ParametersItem.parameter.non_body.path");
        is_str(pb_str(pathp, 4), "name", "path parameter name");
        ok(pb_get(pathp, 1, 0, NULL, &v) && v == 1, "path parameter required");

        slice op, body, schema, q;
        ok(pb_msg(item_path, 8, &op), "PathItem.patch present");
        is_str(pb_str(op, 5), "patchX", "operationId");
        ok(pb_get(op, 7, 1, &sub, NULL) && slice_is(sub, "application/strategic-merge-patch+json"),
           "consumes lists the strategic merge patch type");
        ok(pb_get(op, 8, 0, &params0, NULL) && pb_msg(params0, 1, &param) &&
                   pb_msg(param, 1, &body) && pb_msg(body, 5, &schema),
           "body parameter is Parameter.body_parameter with a schema");
        is_str(pb_str(schema, 1), "#/definitions/P", "body schema $ref");
        ok(pb_get(op, 8, 1, &params0, NULL) && pb_msg(params0, 1, &param) &&
                   pb_msg(param, 2, &nonbody) && pb_msg(nonbody, 3, &q),
           "fieldValidation is a query parameter");
        is_str(pb_str(q, 4), "fieldValidation", "query parameter name");
        ok(pb_get(q, 20, 0, NULL, &v) && v == 1, "query parameter uniqueItems");
        slice ref;
        ok(pb_get(op, 8, 2, &params0, NULL) && pb_msg(params0, 2, &ref),
           "$ref parameter is a JsonReference");
        is_str(pb_str(ref, 1), "#/parameters/pretty", "JsonReference._ref");
        slice responses, r200, resp, si, rs;
        ok(pb_msg(op, 9, &responses) && pb_named(responses, 1, "200", &r200) &&
                   pb_msg(r200, 1, &resp),
           "responses has 200 as ResponseValue.response");
        is_str(pb_str(resp, 1), "OK", "response description");
        ok(pb_msg(resp, 2, &si) && pb_msg(si, 1, &rs) && pb_str(rs, 1) &&
                   streq(pb_str(rs, 1), "#/definitions/P"),
           "response schema is SchemaItem.schema");
        is_str(pb_vendor(op, 13, "x-kubernetes-group-version-kind"),
               "{\"group\":\"\",\"kind\":\"Pod\",\"version\":\"v1\"}", "operation GVK extension");

        slice secdefs, bearer, apikey, sec, req;
        ok(pb_msg(doc, 13, &secdefs) && pb_named(secdefs, 1, "BearerToken", &bearer) &&
                   pb_msg(bearer, 2, &apikey),
           "BearerToken is an ApiKeySecurity");
        is_str(pb_str(apikey, 3), "header", "api key in header");
        ok(pb_msg(doc, 12, &sec) && pb_get(sec, 1, 0, &req, NULL) && pb_msg(req, 1, &sub) &&
                   slice_is(sub, "BearerToken"),
           "security requirement names BearerToken");
}

static void test_errors(void) {
        static const char *bad[] = {
                "{\"swagger\":\"2.0\",\"bogus\":1}",
                "{\"swagger\":2}",
                "{\"definitions\":{\"A\":{\"required\":[1]}}}",
                "{\"paths\":{\"/"
                "x\":{\"get\":{\"parameters\":[{\"name\":\"a\",\"in\":\"cookie\"}]}}}}",
                "[]",
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                _cleanup_json_ json *doc = NULL;
                _cleanup_error_ tm_error *err = NULL;
                char *out = NULL;
                size_t n;
                json_parse(bad[i], strlen(bad[i]), NULL, &doc, NULL);
                int r = openapi_v2_to_protobuf(doc, &out, &n, &err);
                ok(r == -EINVAL && err && out == NULL, "rejected: %s", bad[i]);
        }
        _cleanup_json_ json *doc = NULL;
        _cleanup_error_ tm_error *err = NULL;
        char *out = NULL;
        size_t n;
        json_parse("{\"bogus\":1}", 11, NULL, &doc, NULL);
        openapi_v2_to_protobuf(doc, &out, &n, &err);
        ok(err && strstr(tm_error_msg(err), "\"bogus\""), "the error names the key");
}

static void test_embedded_v2(void) {
        const char *pb;
        size_t n;
        _cleanup_error_ tm_error *err = NULL;
        int r = openapi_v2_protobuf(&pb, &n, &err);
        if (!ok(r == 0, "the embedded v2 document encodes"))
                diag("%s", tm_error_msg(err));
        if (r < 0)
                return;
        ok(n > 100000, "v2 protobuf is %zu bytes", n);
        const char *pb2;
        size_t n2;
        openapi_v2_protobuf(&pb2, &n2, NULL);
        ok(pb2 == pb && n2 == n, "v2 protobuf is computed once");

        slice doc = { (const uint8_t *)pb, n }, defs, pod, props, spec, containers, paths, item, op;
        is_str(pb_str(doc, 1), "2.0", "swagger 2.0");
        ok(pb_msg(doc, 9, &defs) && pb_named(defs, 1, "io.k8s.api.core.v1.Pod", &pod),
           "definitions has io.k8s.api.core.v1.Pod");
        is_str(pb_vendor(pod, 31, "x-kubernetes-group-version-kind"),
               "[{\"group\":\"\",\"kind\":\"Pod\",\"version\":\"v1\"}]", "Pod's GVK");
        ok(pb_named(defs, 1, "io.k8s.api.core.v1.PodSpec", &spec) && pb_msg(spec, 25, &props) &&
                   pb_named(props, 1, "containers", &containers),
           "PodSpec.containers");
        is_str(pb_vendor(containers, 31, "x-kubernetes-patch-merge-key"), "\"name\"",
               "containers merge on name");
        is_str(pb_vendor(containers, 31, "x-kubernetes-patch-strategy"), "\"merge\"",
               "containers patch strategy merge");
        slice dep;
        ok(pb_named(defs, 1, "io.k8s.api.apps.v1.Deployment", &dep), "definitions has Deployment");
        ok(pb_msg(doc, 8, &paths) &&
                   pb_named(paths, 2, "/api/v1/namespaces/{namespace}/pods/{name}", &item) &&
                   pb_msg(item, 8, &op),
           "the pod item path has a patch operation");
        is_str(pb_str(op, 5), "patchCoreV1NamespacedPod", "its operationId");
        bool found = false;
        slice pi, param, nonbody, q;
        for (size_t i = 0; pb_get(op, 8, i, &pi, NULL); i++)
                if (pb_msg(pi, 1, &param) && pb_msg(param, 2, &nonbody) && pb_msg(nonbody, 3, &q) &&
                    pb_str(q, 4) && streq(pb_str(q, 4), "fieldValidation"))
                        found = true;
        ok(found, "the pod patch operation takes fieldValidation (kubectl's query-param check)");
}

static uint64_t fnv(const char *p, size_t n) {
        uint64_t h = 0xcbf29ce484222325ULL;
        for (size_t i = 0; i < n; i++)
                h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
        return h;
}

static void test_v3(void) {
        ok(openapi_v3_nblobs >= 14, "%zu v3 documents embedded", openapi_v3_nblobs);
        _cleanup_json_ json *idx = openapi_v3_index();
        json *paths = json_object_get(idx, "paths");
        is_int(json_object_len(paths), openapi_v3_nblobs, "the index lists every document");
        const char *h = openapi_v3_hash("api/v1");
        ok(h && strlen(h) == 16 && strspn(h, "0123456789ABCDEF") == 16, "api/v1 hash is 16 hex");
        _cleanup_free_ char *want = xasprintf("/openapi/v3/api/v1?hash=%s", h ? h : "");
        is_str(json_get_str(idx, "paths", "api/v1", "serverRelativeURL", NULL), want,
               "index: api/v1 serverRelativeURL carries the hash");
        ok(json_get_str(idx, "paths", "apis/apps/v1", "serverRelativeURL", NULL) != NULL,
           "index lists apis/apps/v1");
        ok(json_get_str(idx, "paths", "apis/rbac.authorization.k8s.io/v1", "serverRelativeURL",
                        NULL) != NULL,
           "index lists apis/rbac.authorization.k8s.io/v1");
        ok(openapi_v3_hash("apis/nope/v1") == NULL, "unknown group-version: no hash");
        const char *ha = openapi_v3_hash("apis/apps/v1");
        ok(ha && h && !streq(ha, h), "documents have different hashes");
        is_str(openapi_v3_hash("api/v1"), h, "the hash is stable");

        size_t good = 0, hashes = 0;
        for (size_t i = 0; i < openapi_v3_nblobs; i++) {
                const openapi_blob *b = &openapi_v3_blobs[i];
                char hex[17];
                snprintf(hex, sizeof hex, "%016llX", (unsigned long long)fnv(b->data, b->len));
                if (streq(hex, openapi_v3_hash(b->name)))
                        hashes++;
                _cleanup_json_ json *d = NULL;
                json_limits lim = { 0, 512, 0 };
                if (json_parse(b->data, b->len, &lim, &d, NULL) < 0)
                        continue;
                if (streq_ptr(json_object_get_string(d, "openapi"), "3.0.0") &&
                    json_object_len(json_object_get(d, "paths")) > 0)
                        good++;
        }
        is_int(hashes, openapi_v3_nblobs, "each hash is the FNV-1a of its document");
        is_int(good, openapi_v3_nblobs, "each v3 document is OpenAPI 3.0.0 JSON with paths");

        _cleanup_json_ json *core = NULL;
        json_limits lim = { 0, 512, 0 };
        for (size_t i = 0; i < openapi_v3_nblobs; i++)
                if (streq(openapi_v3_blobs[i].name, "api/v1"))
                        json_parse(openapi_v3_blobs[i].data, openapi_v3_blobs[i].len, &lim, &core,
                                   NULL);
        json *gvk = json_get(core, "components", "schemas", "io.k8s.api.core.v1.Pod",
                             "x-kubernetes-group-version-kind", NULL);
        ok(json_is_array(gvk) &&
                   streq_ptr(json_object_get_string(json_array_get(gvk, 0), "kind"), "Pod"),
           "v3 components: Pod has its GVK");
        json *patch = json_get(core, "paths", "/api/v1/namespaces/{namespace}/pods/{name}", "patch",
                               NULL);
        is_str(json_object_get_string(patch, "x-kubernetes-action"), "patch",
               "v3 pod patch action");
        ok(json_get(patch, "requestBody", "content", "application/strategic-merge-patch+json",
                    NULL) != NULL,
           "v3 pod patch accepts strategic merge patch");
        ok(json_get(patch, "requestBody", "content", "application/apply-patch+yaml", NULL) != NULL,
           "v3 pod patch accepts apply patch");
        bool fv = false;
        json *params = json_object_get(patch, "parameters");
        for (size_t i = 0; i < json_array_len(params); i++)
                if (streq_ptr(json_object_get_string(json_array_get(params, i), "name"),
                              "fieldValidation"))
                        fv = true;
        ok(fv, "v3 pod patch takes fieldValidation");
}

int main(void) {
        test_known_bytes();
        test_small_document();
        test_errors();
        test_embedded_v2();
        test_v3();
        return tap_done();
}
