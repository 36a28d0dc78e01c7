/* SPDX-License-Identifier: Apache-2.0 */
/* DaemonSet decisions (daemonset.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "controllers/controller.h"
#include "controllers/daemonset.h"
#include "controllers/replicaset.h"
#include "intstr.h"
#include "util.h"

static json *toleration(const char *key, const char *effect) {
        json *t = json_new_object();
        json_object_set_string(t, "key", key);
        json_object_set_string(t, "operator", "Exists");
        json_object_set_string(t, "effect", effect);
        return t;
}

static bool has_toleration(const json *list, const json *t) {
        for (size_t i = 0; i < json_array_len(list); i++)
                if (json_equal(json_array_get(list, i), t))
                        return true;
        return false;
}

json *ds_tolerations(const json *pod_spec) {
        static const struct {
                const char *key, *effect;
        } defaults[] = {
                { "node.kubernetes.io/not-ready", "NoExecute" },
                { "node.kubernetes.io/unreachable", "NoExecute" },
                { "node.kubernetes.io/disk-pressure", "NoSchedule" },
                { "node.kubernetes.io/memory-pressure", "NoSchedule" },
                { "node.kubernetes.io/pid-pressure", "NoSchedule" },
                { "node.kubernetes.io/unschedulable", "NoSchedule" },
        };
        const json *cur = json_object_get(pod_spec, "tolerations");
        json *out = json_is_array(cur) ? json_copy(cur) : json_new_array();
        for (size_t i = 0; i < ELEMENTSOF(defaults); i++) {
                json *t = toleration(defaults[i].key, defaults[i].effect);
                if (has_toleration(out, t))
                        json_free(t);
                else
                        json_array_append(out, t);
        }
        if (json_object_get_bool(pod_spec, "hostNetwork", false)) {
                json *t = toleration("node.kubernetes.io/network-unavailable", "NoSchedule");
                if (has_toleration(out, t))
                        json_free(t);
                else
                        json_array_append(out, t);
        }
        return out;
}

bool ds_toleration_tolerates(const json *tol, const json *taint) {
        const char *effect = json_object_get_string(tol, "effect");
        if (effect && *effect && !streq_ptr(effect, json_object_get_string(taint, "effect")))
                return false;
        const char *key = json_object_get_string(tol, "key");
        const char *op = json_object_get_string(tol, "operator");
        if (key && *key && !streq_ptr(key, json_object_get_string(taint, "key")))
                return false;
        if (streq_ptr(op, "Exists"))
                return true;
        if (!op || !*op || streq(op, "Equal")) {
                /* An empty key with Equal is invalid; upstream matches nothing. */
                if (!key || !*key)
                        return false;
                return streq(json_object_get_string(tol, "value") ?: "",
                             json_object_get_string(taint, "value") ?: "");
        }
        return false;
}

static bool parse_int(const char *s, int64_t *ret) {
        if (!s || !*s)
                return false;
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno || *end)
                return false;
        *ret = v;
        return true;
}

/* One NodeSelectorRequirement against a value (NULL: absent). */
static bool requirement_matches(const json *req, const char *value) {
        const char *op = json_object_get_string(req, "operator");
        const json *values = json_object_get(req, "values");
        if (streq_ptr(op, "Exists"))
                return value != NULL;
        if (streq_ptr(op, "DoesNotExist"))
                return value == NULL;
        if (streq_ptr(op, "In"))
                return value && cm_strv_json_contains(values, value);
        if (streq_ptr(op, "NotIn"))
                return !value || !cm_strv_json_contains(values, value);
        if (streq_ptr(op, "Gt") || streq_ptr(op, "Lt")) {
                int64_t have, want;
                if (json_array_len(values) != 1 || !parse_int(value, &have) ||
                    !parse_int(json_string(json_array_get(values, 0)), &want))
                        return false;
                return streq(op, "Gt") ? have > want : have < want;
        }
        return false;
}

bool ds_node_selector_term_matches(const json *term, const json *node) {
        const json *exprs = json_object_get(term, "matchExpressions");
        const json *fields = json_object_get(term, "matchFields");
        if (json_array_len(exprs) == 0 && json_array_len(fields) == 0)
                return false;
        const json *labels = json_get(node, "metadata", "labels", NULL);
        for (size_t i = 0; i < json_array_len(exprs); i++) {
                const json *r = json_array_get(exprs, i);
                const char *key = json_object_get_string(r, "key");
                if (!requirement_matches(r, key ? json_object_get_string(labels, key) : NULL))
                        return false;
        }
        for (size_t i = 0; i < json_array_len(fields); i++) {
                const json *r = json_array_get(fields, i);
                if (!streq_ptr(json_object_get_string(r, "key"), "metadata.name") ||
                    !requirement_matches(r, json_get_str(node, "metadata", "name", NULL)))
                        return false;
        }
        return true;
}

bool ds_node_should_run(const json *ds, const json *node) {
        const json *spec = json_get(ds, "spec", "template", "spec", NULL);
        const json *labels = json_get(node, "metadata", "labels", NULL);
        const json *sel = json_object_get(spec, "nodeSelector");
        for (size_t i = 0; i < json_object_len(sel); i++)
                if (!streq_ptr(json_object_get_string(labels, json_object_key_at(sel, i)),
                               json_string(json_object_value_at(sel, i))))
                        return false;
        const json *terms = json_get(spec, "affinity", "nodeAffinity",
                                     "requiredDuringSchedulingIgnoredDuringExecution",
                                     "nodeSelectorTerms", NULL);
        if (terms) {
                bool any = false;
                for (size_t i = 0; i < json_array_len(terms) && !any; i++)
                        any = ds_node_selector_term_matches(json_array_get(terms, i), node);
                if (!any)
                        return false;
        }
        _cleanup_json_ json *tols = ds_tolerations(spec);
        const json *taints = json_get(node, "spec", "taints", NULL);
        for (size_t i = 0; i < json_array_len(taints); i++) {
                const json *t = json_array_get(taints, i);
                const char *effect = json_object_get_string(t, "effect");
                if (!streq_ptr(effect, "NoSchedule") && !streq_ptr(effect, "NoExecute"))
                        continue;
                bool tolerated = false;
                for (size_t j = 0; j < json_array_len(tols) && !tolerated; j++)
                        tolerated = ds_toleration_tolerates(json_array_get(tols, j), t);
                if (!tolerated)
                        return false;
        }
        return true;
}

const char *ds_pod_node(const json *pod) {
        const char *n = json_get_str(pod, "spec", "nodeName", NULL);
        if (n && *n)
                return n;
        const json *terms = json_get(pod, "spec", "affinity", "nodeAffinity",
                                     "requiredDuringSchedulingIgnoredDuringExecution",
                                     "nodeSelectorTerms", NULL);
        for (size_t i = 0; i < json_array_len(terms); i++) {
                const json *fields = json_object_get(json_array_get(terms, i), "matchFields");
                for (size_t j = 0; j < json_array_len(fields); j++) {
                        const json *r = json_array_get(fields, j);
                        const json *v = json_object_get(r, "values");
                        if (streq_ptr(json_object_get_string(r, "key"), "metadata.name") &&
                            streq_ptr(json_object_get_string(r, "operator"), "In") &&
                            json_array_len(v) == 1)
                                return json_string(json_array_get(v, 0));
                }
        }
        return NULL;
}

static json *name_requirement(const char *node_name) {
        json *r = json_new_object();
        json_object_set_string(r, "key", "metadata.name");
        json_object_set_string(r, "operator", "In");
        json *v = json_new_array();
        json_array_append(v, json_new_string(node_name));
        json_object_set(r, "values", v);
        return r;
}

json *ds_pod_for_node(const json *ds, const char *node_name, const char *hash) {
        json *pod = rs_pod_from_template(ds, "apps/v1", "DaemonSet");
        json *md = json_object_get(pod, "metadata");
        json *labels = json_object_ensure_object(md, "labels");
        json_object_set_string(labels, DS_HASH_LABEL, hash);
        json *spec = json_object_get(pod, "spec");
        json_object_set(spec, "tolerations", ds_tolerations(spec));
        /* As upstream's ReplaceDaemonSetPodNodeNameNodeAffinity: the
         * required terms become one matchFields term on the node's name (the
         * controller already checked the template's terms). */
        json *na = json_object_ensure_object(json_object_ensure_object(spec, "affinity"),
                                             "nodeAffinity");
        json *req = json_object_ensure_object(na, "requiredDuringSchedulingIgnoredDuringExecution");
        json *term = json_new_object();
        json *fields = json_new_array();
        json_array_append(fields, name_requirement(node_name));
        json_object_set(term, "matchFields", fields);
        json *terms = json_new_array();
        json_array_append(terms, term);
        json_object_set(req, "nodeSelectorTerms", terms);
        return pod;
}

int64_t ds_max_unavailable(const json *ds, int64_t desired) {
        const json *v =
                json_get(ds, "spec", "updateStrategy", "rollingUpdate", "maxUnavailable", NULL);
        if (!v)
                return 1;
        _cleanup_intstr_ intstr is = INTSTR_INIT;
        int64_t n;
        if (intstr_from_json(v, &is, NULL) < 0 ||
            intstr_get_scaled_value(&is, desired, true, &n, NULL) < 0)
                return 1;
        return n < 1 ? 1 : n;
}
