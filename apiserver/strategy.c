/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "objmeta.h"
#include "status.h"
#include "strategy.h"
#include "strbuf.h"

/* ---- defaults ------------------------------------------------------------------ */

static void defaults_value(const struct schema_value *v, json *val);

static void computed_default(const char *rule, json *obj, const struct schema_field *f) {
        if (streq(rule, "image-pull-policy")) {
                /* Always for :latest or no tag, else IfNotPresent; a digest
                 * pins the image. */
                const char *image = json_object_get_string(obj, "image");
                if (!image)
                        return;
                const char *slash = strrchr(image, '/');
                const char *last = slash ? slash + 1 : image;
                const char *colon = strchr(last, ':');
                bool latest = !strchr(image, '@') && (!colon || streq(colon + 1, "latest"));
                json_object_set_string(obj, f->name, latest ? "Always" : "IfNotPresent");
        } else if (streq(rule, "service-target-port")) {
                json *port = json_object_get(obj, "port");
                if (json_is_int(port))
                        json_object_set(obj, f->name, json_new_int(json_int(port)));
        } else if (streq(rule, "toleration-operator")) {
                json_object_set_string(obj, f->name, "Equal");
        }
        /* Other rules need cluster state (service account, priority class)
         * and belong to admission plug-ins. */
}

static void defaults_object(const struct schema_type *t, json *obj) {
        if (!t || !json_is_object(obj))
                return;
        for (size_t i = 0; i < t->n_fields; i++) {
                const struct schema_field *f = &t->fields[i];
                json *val = json_object_get(obj, f->name);
                if (!val) {
                        if (f->default_json) {
                                json *d = NULL;
                                if (json_parse(f->default_json, strlen(f->default_json), NULL, &d,
                                               NULL) >= 0)
                                        json_object_set(obj, f->name, d);
                        } else if (f->computed_default)
                                computed_default(f->computed_default, obj, f);
                        continue;
                }
                defaults_value(&f->value, val);
        }
}

static void defaults_value(const struct schema_value *v, json *val) {
        switch (v->type) {
        case SCHEMA_REF:
                defaults_object(v->ref, val);
                break;
        case SCHEMA_ARRAY:
                if (v->elem && json_is_array(val))
                        for (size_t i = 0; i < json_array_len(val); i++)
                                defaults_value(v->elem, json_array_get(val, i));
                break;
        case SCHEMA_MAP:
                if (v->elem && json_is_object(val))
                        for (size_t i = 0; i < json_object_len(val); i++)
                                defaults_value(v->elem, json_object_value_at(val, i));
                break;
        default:
                break;
        }
}

void strategy_apply_defaults(const struct schema_type *t, json *obj) {
        defaults_object(t, obj);
}

/* ---- per-kind preparation --------------------------------------------------------- */

static bool has_subresource(const struct schema_resource *res, const char *name) {
        return schema_subresource_lookup(res, name) != NULL;
}

/* Kinds whose metadata.generation counts spec changes. */
static bool tracks_generation(const struct schema_resource *res) {
        static const char *const plurals[] = {
                "deployments",
                "replicasets",
                "daemonsets",
                "statefulsets",
                "jobs",
                "cronjobs",
                "horizontalpodautoscalers",
                "poddisruptionbudgets",
                "replicationcontrollers",
                "networkpolicies",
                "ingresses",
                "priorityclasses",
                "storageclasses",
                "csidrivers",
                "volumeattachments",
                "runtimeclasses",
                "ingressclasses",
                NULL,
        };
        return schema_strv_contains(plurals, res->plural);
}

static const char *pod_qos_class(const json *pod) {
        /* BestEffort: no requests or limits; Guaranteed: every container has
         * cpu and memory limits equal to its requests; else Burstable. */
        const json *cs = json_get(pod, "spec", "containers", NULL);
        bool any = false, guaranteed = true;
        for (size_t i = 0; i < json_array_len(cs); i++) {
                const json *res = json_object_get(json_array_get(cs, i), "resources");
                const json *lim = json_object_get(res, "limits");
                const json *req = json_object_get(res, "requests");
                if (json_object_len(lim) || json_object_len(req))
                        any = true;
                static const char *const rs[] = { "cpu", "memory" };
                for (size_t k = 0; k < 2; k++) {
                        const char *l = json_object_get_string(lim, rs[k]);
                        const char *q = json_object_get_string(req, rs[k]);
                        if (!l || (q && !streq(q, l)))
                                guaranteed = false;
                }
        }
        if (!any)
                return "BestEffort";
        return guaranteed ? "Guaranteed" : "Burstable";
}

/* Defaults that create a parent object, which the schema walk (defaults
 * only for members of objects present) does not: upstream's
 * SetDefaults_Deployment/DaemonSet/StatefulSet. */
static json *ensure_strategy(json *obj, const char *field, const char *dflt_type) {
        json *spec = json_object_ensure_object(obj, "spec");
        json *st = json_object_get(spec, field);
        if (!json_is_object(st))
                st = json_object_ensure_object(spec, field);
        if (!json_object_get_string(st, "type"))
                json_object_set_string(st, "type", dflt_type);
        return st;
}

static void workload_defaults(const struct schema_resource *res, json *obj) {
        if (!streq(res->group, "apps"))
                return;
        if (streq(res->plural, "deployments")) {
                json *st = ensure_strategy(obj, "strategy", "RollingUpdate");
                if (streq_ptr(json_object_get_string(st, "type"), "RollingUpdate")) {
                        json *ru = json_object_ensure_object(st, "rollingUpdate");
                        if (!json_object_get(ru, "maxUnavailable"))
                                json_object_set_string(ru, "maxUnavailable", "25%");
                        if (!json_object_get(ru, "maxSurge"))
                                json_object_set_string(ru, "maxSurge", "25%");
                }
        } else if (streq(res->plural, "daemonsets")) {
                json *st = ensure_strategy(obj, "updateStrategy", "RollingUpdate");
                if (streq_ptr(json_object_get_string(st, "type"), "RollingUpdate")) {
                        json *ru = json_object_ensure_object(st, "rollingUpdate");
                        if (!json_object_get(ru, "maxUnavailable"))
                                json_object_set_int(ru, "maxUnavailable", 1);
                        if (!json_object_get(ru, "maxSurge"))
                                json_object_set_int(ru, "maxSurge", 0);
                }
        } else if (streq(res->plural, "statefulsets")) {
                json *st = ensure_strategy(obj, "updateStrategy", "RollingUpdate");
                if (streq_ptr(json_object_get_string(st, "type"), "RollingUpdate")) {
                        json *ru = json_object_ensure_object(st, "rollingUpdate");
                        if (!json_object_get(ru, "partition"))
                                json_object_set_int(ru, "partition", 0);
                }
                json *spec = json_object_get(obj, "spec");
                if (!json_object_get(spec, "podManagementPolicy"))
                        json_object_set_string(spec, "podManagementPolicy", "OrderedReady");
                if (!json_object_get(spec, "persistentVolumeClaimRetentionPolicy")) {
                        json *p = json_object_ensure_object(spec,
                                                            "persistentVolumeClaimRetentionPolicy");
                        json_object_set_string(p, "whenDeleted", "Retain");
                        json_object_set_string(p, "whenScaled", "Retain");
                }
        }
}

void strategy_prepare_for_create(const struct schema_resource *res, json *obj) {
        json *md = json_object_ensure_object(obj, "metadata");
        if (has_subresource(res, "status"))
                json_object_remove(obj, "status");
        workload_defaults(res, obj);
        strategy_apply_defaults(res->type, obj);
        if (tracks_generation(res))
                json_object_set_int(md, "generation", 1);
        else
                json_object_remove(md, "generation");

        if (!*res->group && streq(res->plural, "pods")) {
                json *st = json_new_object();
                json_object_set_string(st, "phase", "Pending");
                json_object_set_string(st, "qosClass", pod_qos_class(obj));
                json_object_set(obj, "status", st);
        } else if (!*res->group && streq(res->plural, "namespaces")) {
                json *spec = json_object_ensure_object(obj, "spec");
                json *fin = json_new_array();
                json_array_append(fin, json_new_string("kubernetes"));
                json_object_set(spec, "finalizers", fin);
                json *st = json_new_object();
                json_object_set_string(st, "phase", "Active");
                json_object_set(obj, "status", st);
                /* upstream labels every namespace with its name */
                const char *name = json_object_get_string(md, "name");
                if (name) {
                        json *labels = json_object_ensure_object(md, "labels");
                        json_object_set_string(labels, "kubernetes.io/metadata.name", name);
                }
        }
}

static void copy_member(json *dst, const json *src, const char *key) {
        const json *v = json_object_get(src, key);
        if (v)
                json_object_set(dst, key, json_copy(v));
        else
                json_object_remove(dst, key);
}

void strategy_prepare_for_update(const struct schema_resource *res, const char *sub, json *obj,
                                 const json *old) {
        const json *omd = json_object_get(old, "metadata");
        if (sub && streq(sub, "status")) {
                /* Only the status changes; metadata and spec stay. */
                json *status = json_object_take(obj, "status");
                json_object_set(obj, "metadata", json_copy(omd));
                for (size_t i = 0; i < json_object_len(old); i++) {
                        const char *k = json_object_key_at(old, i);
                        if (!streq(k, "status") && !streq(k, "metadata"))
                                json_object_set(obj, k, json_copy(json_object_value_at(old, i)));
                }
                if (status)
                        json_object_set(obj, "status", status);
                else
                        json_object_remove(obj, "status");
                return;
        }
        json *md = json_object_ensure_object(obj, "metadata");
        copy_member(md, omd, "uid");
        copy_member(md, omd, "creationTimestamp");
        copy_member(md, omd, "deletionTimestamp");
        copy_member(md, omd, "deletionGracePeriodSeconds");
        copy_member(md, omd, "generation");
        if (has_subresource(res, "status"))
                copy_member(obj, old, "status");
        workload_defaults(res, obj);
        strategy_apply_defaults(res->type, obj);
        if (!*res->group && streq(res->plural, "namespaces")) {
                copy_member(obj, old, "spec"); /* spec.finalizers: only through /finalize */
                json *labels = json_object_ensure_object(md, "labels");
                const char *name = json_object_get_string(md, "name");
                if (name)
                        json_object_set_string(labels, "kubernetes.io/metadata.name", name);
        }
        if (tracks_generation(res) &&
            !json_equal(json_object_get(obj, "spec"), json_object_get(old, "spec")))
                json_object_set_int(md, "generation",
                                    json_object_get_int(omd, "generation", 0) + 1);
}

/* ---- validation ---------------------------------------------------------------- */

static void add_invalid(json *causes, const char *field, const char *value, const char *detail) {
        _cleanup_free_ char *m = xasprintf("Invalid value: \"%s\": %s", value, detail);
        status_add_cause(causes, "FieldValueInvalid", field, m);
}

#define DNS1123_SUBDOMAIN_MSG                                                                     \
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' " \
        "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "     \
        "regex used for validation is "                                                           \
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define DNS1123_LABEL_MSG                                                                        \
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', " \
        "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', " \
        "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"

/* Kinds whose names are DNS-1123 labels rather than subdomains. */
static bool name_is_label(const struct schema_resource *res) {
        static const char *const plurals[] = { "namespaces", "services", NULL };
        return !*res->group && schema_strv_contains(plurals, res->plural);
}

static void validate_required(const struct schema_type *t, const json *obj, const char *path,
                              json *causes, int depth);

static void validate_value(const struct schema_value *v, const json *val, const char *path,
                           json *causes, int depth) {
        if (depth > 40)
                return;
        switch (v->type) {
        case SCHEMA_REF:
                if (json_is_object(val))
                        validate_required(v->ref, val, path, causes, depth + 1);
                break;
        case SCHEMA_ARRAY:
                if (v->elem && json_is_array(val))
                        for (size_t i = 0; i < json_array_len(val); i++) {
                                _cleanup_free_ char *p = xasprintf("%s[%zu]", path, i);
                                validate_value(v->elem, json_array_get(val, i), p, causes,
                                               depth + 1);
                        }
                break;
        case SCHEMA_MAP:
                if (v->elem && json_is_object(val))
                        for (size_t i = 0; i < json_object_len(val); i++) {
                                _cleanup_free_ char *p =
                                        xasprintf("%s[%s]", path, json_object_key_at(val, i));
                                validate_value(v->elem, json_object_value_at(val, i), p, causes,
                                               depth + 1);
                        }
                break;
        default:
                break;
        }
}

static void validate_required(const struct schema_type *t, const json *obj, const char *path,
                              json *causes, int depth) {
        for (size_t i = 0; i < t->n_fields; i++) {
                const struct schema_field *f = &t->fields[i];
                _cleanup_free_ char *p =
                        *path ? xasprintf("%s.%s", path, f->name) : xstrdup(f->name);
                const json *val = json_object_get(obj, f->name);
                if (!val || json_is_null(val)) {
                        if (f->required)
                                status_add_cause(causes, "FieldValueRequired", p, "Required value");
                        continue;
                }
                if (f->required && json_is_string(val) && !*json_string(val) &&
                    f->value.type == SCHEMA_STRING) {
                        status_add_cause(causes, "FieldValueRequired", p, "Required value");
                        continue;
                }
                if (f->enum_values && json_is_string(val) &&
                    !schema_strv_contains(f->enum_values, json_string(val))) {
                        _cleanup_strbuf_ strbuf m = STRBUF_INIT;
                        strbuf_printf(&m, "Unsupported value: \"%s\": supported values: ",
                                      json_string(val));
                        for (const char *const *e = f->enum_values; *e; e++)
                                strbuf_printf(&m, "%s\"%s\"", e == f->enum_values ? "" : ", ", *e);
                        status_add_cause(causes, "FieldValueNotSupported", p, m.data);
                        continue;
                }
                validate_value(&f->value, val, p, causes, depth);
        }
}

static void add_immutable(json *causes, const char *field, const json *value) {
        _cleanup_free_ char *v = value ? json_serialize(value, 0, NULL) : xstrdup("null");
        _cleanup_free_ char *m = xasprintf("Invalid value: %s: field is immutable", v);
        status_add_cause(causes, "FieldValueInvalid", field, m);
}

/* A copy of a pod spec without what an update may change. */
static json *pod_spec_mutable_blanked(const json *spec) {
        json *c = json_copy(spec);
        static const char *const lists[] = { "containers", "initContainers" };
        for (size_t k = 0; k < ELEMENTSOF(lists); k++) {
                json *cs = json_object_get(c, lists[k]);
                for (size_t i = 0; i < json_array_len(cs); i++)
                        json_object_remove(json_array_get(cs, i), "image");
        }
        json_object_remove(c, "activeDeadlineSeconds");
        json_object_remove(c, "tolerations");
        json_object_remove(c, "schedulingGates");
        json_object_remove(c, "terminationGracePeriodSeconds");
        return c;
}

/* What an update may not change, per kind (upstream's ValidateXUpdate). */
static void validate_update(const struct schema_resource *res, const json *obj, const json *old,
                            json *causes) {
        const json *ns = json_object_get(obj, "spec"), *os = json_object_get(old, "spec");
        if (!*res->group && streq(res->plural, "pods")) {
                _cleanup_json_ json *a = pod_spec_mutable_blanked(ns);
                _cleanup_json_ json *b = pod_spec_mutable_blanked(os);
                if (!json_equal(a, b))
                        status_add_cause(
                                causes, "FieldValueForbidden", "spec",
                                "Forbidden: pod updates may not change fields other than "
                                "`spec.containers[*].image`,`spec.initContainers[*].image`,"
                                "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions "
                                "to existing tolerations),`spec.terminationGracePeriodSeconds` "
                                "(allow it to be set to 1 if it was previously negative)");
                return;
        }
        static const char *const selector_immutable[] = { "deployments", "replicasets",
                                                          "daemonsets", "statefulsets", NULL };
        if (streq(res->group, "apps") && schema_strv_contains(selector_immutable, res->plural) &&
            !json_equal(json_object_get(ns, "selector"), json_object_get(os, "selector")))
                add_immutable(causes, "spec.selector", json_object_get(ns, "selector"));
        if (streq(res->group, "batch") && streq(res->plural, "jobs")) {
                if (!json_equal(json_object_get(ns, "selector"), json_object_get(os, "selector")))
                        add_immutable(causes, "spec.selector", json_object_get(ns, "selector"));
                if (!json_equal(json_object_get(ns, "completions"),
                                json_object_get(os, "completions")))
                        add_immutable(causes, "spec.completions",
                                      json_object_get(ns, "completions"));
        }
        if (!*res->group && streq(res->plural, "services")) {
                const char *oip = json_object_get_string(os, "clusterIP");
                const char *nip = json_object_get_string(ns, "clusterIP");
                if (oip && *oip && nip && !streq(oip, nip))
                        add_immutable(causes, "spec.clusterIP", json_object_get(ns, "clusterIP"));
        }
        if (!*res->group && (streq(res->plural, "configmaps") || streq(res->plural, "secrets")) &&
            json_object_get_bool(old, "immutable", false)) {
                if (!json_equal(json_object_get(obj, "data"), json_object_get(old, "data")))
                        status_add_cause(causes, "FieldValueForbidden", "data",
                                         "Forbidden: field is immutable when `immutable` is set");
                if (!json_object_get_bool(obj, "immutable", false))
                        status_add_cause(causes, "FieldValueForbidden", "immutable",
                                         "Forbidden: field is immutable when `immutable` is set");
        }
}

json *strategy_validate(const struct schema_resource *res, const json *obj, const json *old) {
        json *causes = json_new_array();
        const json *md = json_object_get(obj, "metadata");
        const char *name = json_object_get_string(md, "name");
        if (!name || !*name) {
                status_add_cause(causes, "FieldValueRequired", "metadata.name",
                                 "Required value: name or generateName is required");
        } else if (name_is_label(res) ? !objmeta_is_dns1123_label(name)
                                      : !objmeta_is_dns1123_subdomain(name)) {
                add_invalid(causes, "metadata.name", name,
                            name_is_label(res) ? DNS1123_LABEL_MSG : DNS1123_SUBDOMAIN_MSG);
        }
        /* Required fields of what users write; status is the controllers'
         * and kubelet's, which upstream does not check that way (a
         * condition's message may be empty). */
        if (res->type)
                for (size_t i = 0; i < res->type->n_fields; i++) {
                        const struct schema_field *f = &res->type->fields[i];
                        const json *val = json_object_get(obj, f->name);
                        if (streq(f->name, "status"))
                                continue;
                        if (!val || json_is_null(val)) {
                                if (f->required)
                                        status_add_cause(causes, "FieldValueRequired", f->name,
                                                         "Required value");
                                continue;
                        }
                        validate_value(&f->value, val, f->name, causes, 0);
                }
        if (old)
                validate_update(res, obj, old, causes);
        if (old) {
                const char *ouid = json_get_str(old, "metadata", "uid", NULL);
                const char *nuid = json_object_get_string(md, "uid");
                if (nuid && ouid && !streq(nuid, ouid))
                        add_invalid(causes, "metadata.uid", nuid, "field is immutable");
        }
        return causes;
}

/* ---- type checks (decoding) ------------------------------------------------------ */

static const char *json_kind_for_message(const json *v) {
        switch (json_get_type(v)) {
        case JSON_STRING:
                return "string";
        case JSON_INT:
        case JSON_DOUBLE:
                return "number";
        case JSON_BOOL:
                return "bool";
        case JSON_ARRAY:
                return "array";
        case JSON_OBJECT:
                return "object";
        default:
                return "null";
        }
}

static bool value_type_ok(const struct schema_value *v, const json *val) {
        if (json_is_null(val))
                return true; /* null means absent */
        switch (v->type) {
        case SCHEMA_STRING:
        case SCHEMA_DATE_TIME:
        case SCHEMA_MICRO_TIME:
        case SCHEMA_BYTE:
                return json_is_string(val);
        case SCHEMA_QUANTITY:
                return json_is_string(val) || json_is_number(val);
        case SCHEMA_INT_OR_STRING:
                return json_is_string(val) || json_is_int(val);
        case SCHEMA_INT32:
        case SCHEMA_INT64:
                return json_is_int(val);
        case SCHEMA_NUMBER:
                return json_is_number(val);
        case SCHEMA_BOOLEAN:
                return json_is_bool(val);
        case SCHEMA_REF:
                return json_is_object(val) || (v->ref && v->ref->n_fields == 0);
        case SCHEMA_ARRAY:
                return json_is_array(val);
        case SCHEMA_MAP:
                return json_is_object(val);
        default:
                return true;
        }
}

typedef struct type_check {
        char *first_error;
        json *unknown;
        bool prune; /* remove unknown fields, as upstream's decoding drops them */
} type_check;

static void check_value(const struct schema_value *v, const json *val, const char *path,
                        type_check *c, int depth);

static void check_object(const struct schema_type *t, const json *obj, const char *path,
                         type_check *c, int depth) {
        if (!t || t->n_fields == 0)
                return; /* free-form object */
        for (size_t i = json_object_len(obj); i-- > 0;) {
                const char *k = json_object_key_at(obj, i);
                _cleanup_free_ char *p = *path ? xasprintf("%s.%s", path, k) : xstrdup(k);
                const struct schema_field *f = schema_field_lookup(t, k);
                if (!f) {
                        if (depth == 0 && (streq(k, "apiVersion") || streq(k, "kind")))
                                continue;
                        if (c->unknown)
                                json_array_insert(c->unknown, 0, json_new_string(p));
                        if (c->prune)
                                json_object_remove((json *)obj, k);
                        continue;
                }
                check_value(&f->value, json_object_value_at(obj, i), p, c, depth + 1);
        }
}

static void check_value(const struct schema_value *v, const json *val, const char *path,
                        type_check *c, int depth) {
        if (depth > 60 || (c->first_error && !c->unknown))
                return;
        if (!value_type_ok(v, val)) {
                if (!c->first_error)
                        c->first_error = xasprintf("json: cannot unmarshal %s into Go struct field "
                                                   "%s of type %s",
                                                   json_kind_for_message(val), path,
                                                   schema_value_type_to_string(v->type));
                return;
        }
        switch (v->type) {
        case SCHEMA_REF:
                if (json_is_object(val))
                        check_object(v->ref, val, path, c, depth);
                break;
        case SCHEMA_ARRAY:
                if (v->elem)
                        for (size_t i = 0; i < json_array_len(val); i++) {
                                _cleanup_free_ char *p = xasprintf("%s[%zu]", path, i);
                                check_value(v->elem, json_array_get(val, i), p, c, depth + 1);
                        }
                break;
        case SCHEMA_MAP:
                if (v->elem)
                        for (size_t i = 0; i < json_object_len(val); i++) {
                                _cleanup_free_ char *p =
                                        xasprintf("%s[%s]", path, json_object_key_at(val, i));
                                check_value(v->elem, json_object_value_at(val, i), p, c, depth + 1);
                        }
                break;
        default:
                break;
        }
}

char *strategy_check_types(const struct schema_resource *res, json *obj, json **ret_unknown) {
        type_check c = { .unknown = ret_unknown ? json_new_array() : NULL, .prune = true };
        check_object(res->type, obj, "", &c, 0);
        if (ret_unknown)
                *ret_unknown = c.unknown;
        return c.first_error;
}

/* ---- deletion ------------------------------------------------------------------ */

int64_t strategy_grace_period(const struct schema_resource *res, const json *obj,
                              int64_t requested) {
        if (*res->group || !streq(res->plural, "pods"))
                return 0;
        /* An unbound pod, or one that has finished, goes at once. */
        const char *node = json_get_str(obj, "spec", "nodeName", NULL);
        const char *phase = json_get_str(obj, "status", "phase", NULL);
        if (!node || !*node || streq_ptr(phase, "Succeeded") || streq_ptr(phase, "Failed"))
                return 0;
        if (requested >= 0)
                return requested;
        return json_object_get_int(json_object_get(obj, "spec"), "terminationGracePeriodSeconds",
                                   30);
}

bool strategy_on_delete(const struct schema_resource *res, json *obj) {
        if (*res->group || !streq(res->plural, "namespaces"))
                return false;
        json *fin = json_get(obj, "spec", "finalizers", NULL);
        if (json_array_len(fin) == 0)
                return false;
        json_object_set_string(json_object_ensure_object(obj, "status"), "phase", "Terminating");
        return true;
}

void strategy_on_binding(json *pod) {
        json *st = json_object_ensure_object(pod, "status");
        json *conds = json_object_get(st, "conditions");
        if (!json_is_array(conds)) {
                conds = json_new_array();
                json_object_set(st, "conditions", conds);
        }
        char ts[32];
        objmeta_format_time(time(NULL), ts);
        json *c = json_new_object();
        json_object_set_string(c, "type", "PodScheduled");
        json_object_set_string(c, "status", "True");
        json_object_set(c, "lastProbeTime", json_new_null());
        json_object_set_string(c, "lastTransitionTime", ts);
        for (size_t i = 0; i < json_array_len(conds); i++)
                if (streq_ptr(json_object_get_string(json_array_get(conds, i), "type"),
                              "PodScheduled")) {
                        json_array_set(conds, i, c);
                        return;
                }
        json_array_append(conds, c);
}
