/* SPDX-License-Identifier: Apache-2.0 */
/* Routing: non-resource paths (/version, health, discovery, OpenAPI,
 * metrics) and resource requests. */
#include "config.h"

#include <microhttpd.h>
#include <string.h>

#include "apiserver.h"
#include "registry.h"
#include "requestinfo.h"
#include "discovery.h"
#include "metrics.h"
#include "openapi.h"
#include "status.h"

static int serve_version(api_request *r) {
        _cleanup_json_ json *v = json_new_object();
        json_object_set_string(v, "major", KUBE_VERSION_MAJOR);
        json_object_set_string(v, "minor", KUBE_VERSION_MINOR);
        json_object_set_string(v, "gitVersion", KUBE_GIT_VERSION);
        json_object_set_string(v, "gitCommit", "");
        json_object_set_string(v, "gitTreeState", "clean");
        json_object_set_string(v, "buildDate", "1970-01-01T00:00:00Z");
        json_object_set_string(v, "goVersion", "none (C, " PACKAGE_STRING ")");
        json_object_set_string(v, "compiler", "gcc");
        json_object_set_string(v, "platform", "linux/amd64");
        return api_respond_json(r, 200, v);
}

static int serve_text(api_request *r, unsigned code, const char *text) {
        return api_respond_bytes(r, code, "text/plain; charset=utf-8", xstrdup(text), strlen(text));
}

static int serve_health(api_request *r, const char *what) {
        /* ?verbose lists the checks, as upstream does. */
        if (api_request_has_query(r, "verbose")) {
                _cleanup_free_ char *t = xasprintf("[+]ping ok\n%s check passed\n", what);
                return serve_text(r, 200, t);
        }
        return serve_text(r, 200, "ok");
}

/* Legacy discovery: /api, /apis, /api/v1, /apis/<group>[/<version>]. */
static int serve_discovery(api_request *r, const char *path) {
        _cleanup_strv_ char **seg = NULL;
        size_t n = 0;
        {
                _cleanup_free_ char *copy = xstrdup(path);
                char *save = NULL;
                for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
                        seg = xreallocarray(seg, n + 2, sizeof *seg);
                        seg[n++] = xstrdup(t);
                        seg[n] = NULL;
                }
        }
        _cleanup_json_ json *doc = NULL;
        if (n == 1 && streq(seg[0], "api")) {
                char addr[64];
                snprintf(addr, sizeof addr, "%s:%u", r->srv->cfg.bind_address, r->srv->port);
                doc = discovery_api_versions(addr);
        } else if (n == 2 && streq(seg[0], "api"))
                doc = discovery_resource_list("", seg[1]);
        else if (n == 1 && streq(seg[0], "apis"))
                doc = discovery_api_group_list();
        else if (n == 2 && streq(seg[0], "apis"))
                doc = discovery_api_group(seg[1]);
        else if (n == 3 && streq(seg[0], "apis"))
                doc = discovery_resource_list(seg[1], seg[2]);
        if (!doc)
                return serve_text(r, 404, "404 page not found\n");
        return api_respond_json(r, 200, doc);
}

int apiserver_route(api_request *r) {
        const char *w = api_request_query(r, "watch");
        bool watch = w && (streq(w, "1") || streq(w, "true"));
        _cleanup_(request_info_freep) request_info *ri = NULL;
        if (request_info_parse(r->method, r->url, watch, &ri) < 0)
                return api_respond_status(r, status_method_not_allowed("", "", r->method));

        if (ri->is_resource) {
                r->m_verb = xstrdup(request_verb_to_string(ri->verb));
                r->m_group = xstrdup(ri->group);
                r->m_resource = xstrdup(ri->resource);
                r->m_subresource = ri->subresource ? xstrdup(ri->subresource) : NULL;
        }
        if (!ri->is_resource) {
                const char *p = r->url;
                if (!streq(r->method, "GET") && !streq(r->method, "HEAD"))
                        return serve_text(r, 405, "405: Method Not Allowed");
                if (streq(p, "/version") || streq(p, "/version/"))
                        return serve_version(r);
                if (streq(p, "/healthz") || startswith(p, "/healthz/"))
                        return serve_health(r, "healthz");
                if (streq(p, "/livez") || startswith(p, "/livez/"))
                        return serve_health(r, "livez");
                if (streq(p, "/readyz") || startswith(p, "/readyz/"))
                        return serve_health(r, "readyz");
                if (streq(p, "/metrics")) {
                        size_t len;
                        char *text = metrics_render(r->srv, &len);
                        return api_respond_bytes(r, 200, "text/plain; version=0.0.4; charset=utf-8",
                                                 text, len);
                }
                if (streq(p, "/openapi") || startswith(p, "/openapi/"))
                        return openapi_serve(r, p);
                return serve_discovery(r, p);
        }
        return registry_handle(r, ri);
}
