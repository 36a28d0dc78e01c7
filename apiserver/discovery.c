/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <string.h>

#include "api/schema.h"
#include "discovery.h"

static json *strv_to_json(const char *const *v) {
        json *a = json_new_array();
        for (; v && *v; v++)
                json_array_append(a, json_new_string(*v));
        return a;
}

static json *group_version_for_discovery(const char *group, const char *version) {
        json *gv = json_new_object();
        _cleanup_free_ char *s = xasprintf("%s/%s", group, version);
        json_object_set_string(gv, "groupVersion", s);
        json_object_set_string(gv, "version", version);
        return gv;
}

json *discovery_api_versions(const char *server_address) {
        json *v = json_new_object();
        json_object_set_string(v, "kind", "APIVersions");
        json *versions = json_new_array();
        json_array_append(versions, json_new_string("v1"));
        json_object_set(v, "versions", versions);
        json *addrs = json_new_array();
        json *a = json_new_object();
        json_object_set_string(a, "clientCIDR", "0.0.0.0/0");
        json_object_set_string(a, "serverAddress", server_address);
        json_array_append(addrs, a);
        json_object_set(v, "serverAddressByClientCIDRs", addrs);
        return v;
}

/* One APIGroup object for a named (non-core) group; NULL if unknown. */
static json *api_group(const char *group) {
        size_t n;
        const struct schema_group_version *gvs = schema_group_versions(&n);
        json *versions = NULL;
        json *preferred = NULL;
        for (size_t i = 0; i < n; i++) {
                if (!gvs[i].served || !streq(gvs[i].group, group))
                        continue;
                if (!versions)
                        versions = json_new_array();
                json_array_append(versions, group_version_for_discovery(group, gvs[i].version));
                if (gvs[i].preferred || !preferred) {
                        json_free(preferred);
                        preferred = group_version_for_discovery(group, gvs[i].version);
                }
        }
        if (!versions)
                return NULL;
        json *g = json_new_object();
        json_object_set_string(g, "name", group);
        json_object_set(g, "versions", versions);
        json_object_set(g, "preferredVersion", preferred);
        return g;
}

json *discovery_api_group(const char *group) {
        if (!*group)
                return NULL;
        json *g = api_group(group);
        if (!g)
                return NULL;
        /* kind and apiVersion come first, as upstream serializes them. */
        json *doc = json_new_object();
        json_object_set_string(doc, "kind", "APIGroup");
        json_object_set_string(doc, "apiVersion", "v1");
        for (size_t i = 0; i < json_object_len(g); i++)
                json_object_set(doc, json_object_key_at(g, i),
                                json_copy(json_object_value_at(g, i)));
        json_free(g);
        return doc;
}

json *discovery_api_group_list(void) {
        size_t n;
        const struct schema_group_version *gvs = schema_group_versions(&n);
        json *list = json_new_object();
        json_object_set_string(list, "kind", "APIGroupList");
        json_object_set_string(list, "apiVersion", "v1");
        json *groups = json_new_array();
        for (size_t i = 0; i < n; i++) {
                const char *g = gvs[i].group;
                if (!gvs[i].served || !*g)
                        continue;
                bool seen = false;
                for (size_t j = 0; j < i; j++)
                        if (gvs[j].served && streq(gvs[j].group, g))
                                seen = true;
                if (!seen)
                        json_array_append(groups, api_group(g));
        }
        json_object_set(list, "groups", groups);
        return list;
}

static json *resource_entry(const struct schema_resource *r) {
        json *e = json_new_object();
        json_object_set_string(e, "name", r->plural);
        json_object_set_string(e, "singularName", r->singular ? r->singular : "");
        json_object_set_bool(e, "namespaced", r->namespaced);
        json_object_set_string(e, "kind", r->kind);
        json_object_set(e, "verbs", strv_to_json(r->verbs));
        if (r->short_names)
                json_object_set(e, "shortNames", strv_to_json(r->short_names));
        if (r->categories)
                json_object_set(e, "categories", strv_to_json(r->categories));
        return e;
}

static json *subresource_entry(const struct schema_resource *r,
                               const struct schema_subresource *s) {
        json *e = json_new_object();
        _cleanup_free_ char *name = xasprintf("%s/%s", r->plural, s->name);
        json_object_set_string(e, "name", name);
        json_object_set_string(e, "singularName", "");
        json_object_set_bool(e, "namespaced", r->namespaced);
        if (s->group && (!streq(s->group, r->group) || !streq(s->version, r->version))) {
                json_object_set_string(e, "group", s->group);
                json_object_set_string(e, "version", s->version);
        }
        json_object_set_string(e, "kind", s->kind ? s->kind : r->kind);
        json_object_set(e, "verbs", strv_to_json(s->verbs));
        return e;
}

json *discovery_resource_list(const char *group, const char *version) {
        const struct schema_group_version *gv = schema_group_version_lookup(group, version);
        if (!gv || !gv->served)
                return NULL;
        json *list = json_new_object();
        json_object_set_string(list, "kind", "APIResourceList");
        json_object_set_string(list, "apiVersion", "v1");
        _cleanup_free_ char *gvs = *group ? xasprintf("%s/%s", group, version) : xstrdup(version);
        json_object_set_string(list, "groupVersion", gvs);
        json *resources = json_new_array();
        for (size_t i = 0; i < gv->n_resources; i++) {
                const struct schema_resource *r = &gv->resources[i];
                json_array_append(resources, resource_entry(r));
                for (size_t k = 0; k < r->n_subresources; k++)
                        json_array_append(resources, subresource_entry(r, &r->subresources[k]));
        }
        json_object_set(list, "resources", resources);
        return list;
}
