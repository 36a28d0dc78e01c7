/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "requestinfo.h"
#include "util.h"

static const char *const verb_names[_VERB_MAX] = {
        [VERB_GET] = "get",       [VERB_LIST] = "list",
        [VERB_WATCH] = "watch",   [VERB_CREATE] = "create",
        [VERB_UPDATE] = "update", [VERB_PATCH] = "patch",
        [VERB_DELETE] = "delete", [VERB_DELETECOLLECTION] = "deletecollection",
};

const char *request_verb_to_string(request_verb v) {
        if (v < 0 || v >= _VERB_MAX)
                return "unknown";
        return verb_names[v];
}

/* Split "/a/b//c/" into {"a","b","c"}: empty segments are dropped, as the
 * upstream splitter trims slashes. */
static char **split_path(const char *path, size_t *ret_n) {
        size_t cap = 8, n = 0;
        char **v = xmalloc(cap * sizeof *v);
        const char *p = path;
        while (*p) {
                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                const char *e = strchrnul(p, '/');
                if (n + 2 > cap)
                        v = xreallocarray(v, cap *= 2, sizeof *v);
                v[n++] = xstrndup(p, (size_t)(e - p));
                p = e;
        }
        v[n] = NULL;
        *ret_n = n;
        return v;
}

int request_info_parse(const char *method, const char *path, bool watch, request_info **ret) {
        request_info *ri = xcalloc(1, sizeof *ri);
        ri->path = xstrdup(path);
        ri->verb = _VERB_INVALID;

        size_t n;
        _cleanup_strv_ char **seg = split_path(path, &n);
        size_t i = 0;

        if (n >= 1 && (streq(seg[0], "api") || streq(seg[0], "apis"))) {
                bool legacy = streq(seg[0], "api");
                i = 1;
                /* /api and /apis, /api/v1, /apis/<group>[/<version>] are discovery. */
                if ((legacy && n >= 3) || (!legacy && n >= 4)) {
                        ri->is_resource = true;
                        ri->api_prefix = xstrdup(seg[0]);
                        ri->group = xstrdup(legacy ? "" : seg[i++]);
                        ri->version = xstrdup(seg[i++]);
                }
        }
        if (!ri->is_resource) {
                *ret = ri;
                return 0;
        }

        /* Deprecated /watch/ path prefix: the same as ?watch=true. */
        if (i < n && streq(seg[i], "watch")) {
                watch = true;
                i++;
        }

        /* parts: what follows the version, namespace segment removed. */
        char **rest = seg + i;
        size_t m = n - i;
        if (m >= 2 && streq(rest[0], "namespaces")) {
                /* /namespaces/<ns>/<resource>..., except the namespace's own
                 * subresources (/namespaces/<ns>/status, /finalize), where
                 * the resource is namespaces and <ns> its name. */
                ri->namespace_ = xstrdup(rest[1]);
                if (m >= 3 && !streq(rest[2], "status") && !streq(rest[2], "finalize")) {
                        rest += 2;
                        m -= 2;
                }
        }
        if (m == 0) {
                ri->is_resource = false;
                *ret = ri;
                return 0;
        }
        ri->parts = xcalloc(m + 1, sizeof *ri->parts);
        for (size_t k = 0; k < m; k++)
                ri->parts[k] = xstrdup(rest[k]);
        ri->resource = xstrdup(rest[0]);
        if (m >= 2)
                ri->name = xstrdup(rest[1]);
        if (m >= 3)
                ri->subresource = xstrdup(rest[2]);

        bool collection = ri->name == NULL;
        if (streq(method, "GET") || streq(method, "HEAD"))
                ri->verb = watch ? VERB_WATCH : collection ? VERB_LIST : VERB_GET;
        else if (streq(method, "POST"))
                ri->verb = VERB_CREATE;
        else if (streq(method, "PUT"))
                ri->verb = VERB_UPDATE;
        else if (streq(method, "PATCH"))
                ri->verb = VERB_PATCH;
        else if (streq(method, "DELETE"))
                ri->verb = collection ? VERB_DELETECOLLECTION : VERB_DELETE;
        else {
                request_info_free(ri);
                return -EINVAL;
        }
        *ret = ri;
        return 0;
}

void request_info_free(request_info *ri) {
        if (!ri)
                return;
        free(ri->path);
        free(ri->api_prefix);
        free(ri->group);
        free(ri->version);
        free(ri->namespace_);
        free(ri->resource);
        free(ri->name);
        free(ri->subresource);
        strv_free(ri->parts);
        free(ri);
}
