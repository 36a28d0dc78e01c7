/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz the three patch types (apiserver/patch.h). The input is a document
 * and a patch separated by a line "====" (without one, the whole input is
 * the patch, applied to a fixed Pod). Each parsed patch is applied as a
 * JSON patch, a merge patch and a strategic merge patch (with the schema of
 * the document's kind, and without), directly and through patch_apply().
 * Beyond not crashing: the document must come back untouched, and every
 * result must serialize to JSON that reads back to an equal tree. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/schema.h"
#include "apiserver/patch.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char default_doc[] =
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
        "\"labels\":{\"app\":\"web\"},\"finalizers\":[\"a\",\"b\"]},\"spec\":{\"replicas\":2,"
        "\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":1}},"
        "\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx\","
        "\"env\":[{\"name\":\"A\",\"value\":\"1\"}],\"ports\":[{\"containerPort\":80}]},"
        "{\"name\":\"log\",\"image\":\"fluent\"}]}}}}";

static void check_result(const json *out) {
        size_t len;
        char *s = json_serialize(out, 0, &len);
        const json_limits lim = { .max_size = 0, .max_depth = PATCH_MAX_DEPTH, .max_string = 0 };
        json *back = NULL;
        if (json_parse(s, len, &lim, &back, NULL) < 0 || !json_equal(back, out))
                abort();
        json_free(back);
        free(s);
}

static void run(int which, const json *doc, const json *patch, const struct schema_type *t) {
        json *out = NULL;
        tm_error *err = NULL;
        int r;
        switch (which) {
        case 0:
                r = patch_json(doc, patch, &out, &err);
                break;
        case 1:
                r = patch_merge(doc, patch, &out, &err);
                break;
        case 2:
                r = patch_strategic(doc, patch, t, &out, &err);
                break;
        default:
                r = patch_apply((enum patch_type)(which - 3), doc, patch, t, &out, &err);
                break;
        }
        if (r >= 0) {
                if (!out || err)
                        abort();
                check_result(out);
        } else {
                if (out || !err || !err->msg || err->code != r)
                        abort();
                (void)patch_error_http_status(r);
        }
        json_free(out);
        tm_error_free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *in = (const char *)data;
        const char *doc_text = default_doc, *patch_text = in;
        size_t doc_len = strlen(default_doc), patch_len = size;
        const uint8_t *sep = memmem(data, size, "\n====\n", 6);
        if (sep) {
                doc_text = in;
                doc_len = (size_t)(sep - data);
                patch_text = (const char *)sep + 6;
                patch_len = size - doc_len - 6;
        }
        json *doc = NULL, *patch = NULL;
        if (json_parse(doc_text, doc_len, NULL, &doc, NULL) < 0)
                return 0;
        if (json_parse(patch_text, patch_len, NULL, &patch, NULL) < 0) {
                json_free(doc);
                return 0;
        }
        char *before = json_serialize(doc, 0, NULL);

        const char *api_version = json_object_get_string(doc, "apiVersion");
        const char *kind = json_object_get_string(doc, "kind");
        const struct schema_type *t = NULL;
        if (api_version && kind) {
                const char *slash = strchr(api_version, '/');
                char *group =
                        slash ? strndup(api_version, (size_t)(slash - api_version)) : strdup("");
                if (group)
                        t = schema_type_by_gvk(group, slash ? slash + 1 : api_version, kind);
                free(group);
        }
        if (!t)
                t = schema_type_by_gvk("", "v1", "Pod");

        for (int which = 0; which < 3 + _PATCH_TYPE_MAX; which++)
                run(which, doc, patch, t);
        run(2, doc, patch, NULL);

        char *after = json_serialize(doc, 0, NULL);
        if (strcmp(before, after) != 0)
                abort();
        free(before);
        free(after);
        json_free(doc);
        json_free(patch);
        return 0;
}
