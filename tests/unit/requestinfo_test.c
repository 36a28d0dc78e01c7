/* SPDX-License-Identifier: Apache-2.0 */
/* Request-info resolution, on the cases kube-apiserver's resolver handles. */
#include "config.h"

#include <errno.h>

#include "requestinfo.h"
#include "tests/tap.h"

static const struct {
        const char *method, *path;
        bool watch;
        bool is_resource;
        const char *verb, *group, *version, *ns, *resource, *name, *sub;
} cases[] = {
        { "GET", "/api/v1/namespaces/default/pods/web-0", false, true, "get", "", "v1", "default",
          "pods", "web-0", NULL },
        { "GET", "/api/v1/namespaces/default/pods", false, true, "list", "", "v1", "default",
          "pods", NULL, NULL },
        { "GET", "/api/v1/pods", false, true, "list", "", "v1", NULL, "pods", NULL, NULL },
        { "GET", "/api/v1/pods", true, true, "watch", "", "v1", NULL, "pods", NULL, NULL },
        { "GET", "/api/v1/watch/namespaces/default/pods", false, true, "watch", "", "v1", "default",
          "pods", NULL, NULL },
        { "GET", "/api/v1/namespaces/default/pods/web-0/log", false, true, "get", "", "v1",
          "default", "pods", "web-0", "log" },
        { "PUT", "/api/v1/namespaces/default/pods/web-0/status", false, true, "update", "", "v1",
          "default", "pods", "web-0", "status" },
        { "POST", "/api/v1/namespaces/default/pods/web-0/binding", false, true, "create", "", "v1",
          "default", "pods", "web-0", "binding" },
        { "POST", "/api/v1/namespaces/default/pods", false, true, "create", "", "v1", "default",
          "pods", NULL, NULL },
        { "PATCH", "/apis/apps/v1/namespaces/ns1/deployments/web", false, true, "patch", "apps",
          "v1", "ns1", "deployments", "web", NULL },
        { "GET", "/apis/apps/v1/namespaces/ns1/deployments/web/scale", false, true, "get", "apps",
          "v1", "ns1", "deployments", "web", "scale" },
        { "DELETE", "/apis/apps/v1/namespaces/ns1/deployments/web", false, true, "delete", "apps",
          "v1", "ns1", "deployments", "web", NULL },
        { "DELETE", "/apis/apps/v1/namespaces/ns1/deployments", false, true, "deletecollection",
          "apps", "v1", "ns1", "deployments", NULL, NULL },
        { "GET", "/api/v1/namespaces", false, true, "list", "", "v1", NULL, "namespaces", NULL,
          NULL },
        { "GET", "/api/v1/namespaces/kube-system", false, true, "get", "", "v1", "kube-system",
          "namespaces", "kube-system", NULL },
        { "PUT", "/api/v1/namespaces/kube-system/finalize", false, true, "update", "", "v1",
          "kube-system", "namespaces", "kube-system", "finalize" },
        { "PUT", "/api/v1/namespaces/kube-system/status", false, true, "update", "", "v1",
          "kube-system", "namespaces", "kube-system", "status" },
        { "GET", "/api/v1/nodes/n1", false, true, "get", "", "v1", NULL, "nodes", "n1", NULL },
        { "GET", "//api//v1//nodes//", false, true, "list", "", "v1", NULL, "nodes", NULL, NULL },
        { "GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles/admin", false, true, "get",
          "rbac.authorization.k8s.io", "v1", NULL, "clusterroles", "admin", NULL },
        { "GET", "/api", false, false, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
        { "GET", "/api/v1", false, false, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
        { "GET", "/apis/apps", false, false, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
        { "GET", "/apis/apps/v1", false, false, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
        { "GET", "/version", false, false, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
        { "GET", "/healthz", false, false, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
};

int main(void) {
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(request_info_freep) request_info *ri = NULL;
                int r = request_info_parse(cases[i].method, cases[i].path, cases[i].watch, &ri);
                if (!ok(r == 0, "%s %s parses", cases[i].method, cases[i].path))
                        continue;
                is_int(ri->is_resource, cases[i].is_resource, "%s: is_resource", cases[i].path);
                if (!cases[i].is_resource)
                        continue;
                is_str(request_verb_to_string(ri->verb), cases[i].verb, "%s %s: verb",
                       cases[i].method, cases[i].path);
                is_str(ri->group, cases[i].group, "%s: group", cases[i].path);
                is_str(ri->version, cases[i].version, "%s: version", cases[i].path);
                is_str(ri->namespace_, cases[i].ns, "%s: namespace", cases[i].path);
                is_str(ri->resource, cases[i].resource, "%s: resource", cases[i].path);
                is_str(ri->name, cases[i].name, "%s: name", cases[i].path);
                is_str(ri->subresource, cases[i].sub, "%s: subresource", cases[i].path);
        }
        request_info *ri = NULL;
        is_int(request_info_parse("BREW", "/api/v1/pods", false, &ri), -EINVAL,
               "unknown method rejected");
        ok(ri == NULL, "nothing returned on failure");
        return tap_done();
}
