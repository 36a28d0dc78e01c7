/* SPDX-License-Identifier: Apache-2.0 */
/* The generated API schema tables and their lookups (api/schema.h). */
#include "config.h"

#include <string.h>

#include "api/schema.h"
#include "cleanup.h"
#include "util.h"
#include "tests/tap.h"

struct kind_case {
        const char *group, *version, *kind, *plural;
        bool namespaced;
};

static const struct kind_case kinds[] = {
        { "", "v1", "Namespace", "namespaces", false },
        { "", "v1", "Pod", "pods", true },
        { "", "v1", "Node", "nodes", false },
        { "", "v1", "Service", "services", true },
        { "", "v1", "Endpoints", "endpoints", true },
        { "", "v1", "ConfigMap", "configmaps", true },
        { "", "v1", "Secret", "secrets", true },
        { "", "v1", "ServiceAccount", "serviceaccounts", true },
        { "", "v1", "Event", "events", true },
        { "", "v1", "ReplicationController", "replicationcontrollers", true },
        { "", "v1", "LimitRange", "limitranges", true },
        { "", "v1", "ResourceQuota", "resourcequotas", true },
        { "", "v1", "PersistentVolume", "persistentvolumes", false },
        { "", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true },
        { "", "v1", "Binding", "bindings", true },
        { "", "v1", "PodTemplate", "podtemplates", true },
        { "", "v1", "ComponentStatus", "componentstatuses", false },
        { "apps", "v1", "Deployment", "deployments", true },
        { "apps", "v1", "ReplicaSet", "replicasets", true },
        { "apps", "v1", "DaemonSet", "daemonsets", true },
        { "apps", "v1", "StatefulSet", "statefulsets", true },
        { "apps", "v1", "ControllerRevision", "controllerrevisions", true },
        { "batch", "v1", "Job", "jobs", true },
        { "batch", "v1", "CronJob", "cronjobs", true },
        { "autoscaling", "v1", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true },
        { "autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true },
        { "coordination.k8s.io", "v1", "Lease", "leases", true },
        { "discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true },
        { "events.k8s.io", "v1", "Event", "events", true },
        { "policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true },
        { "networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true },
        { "networking.k8s.io", "v1", "Ingress", "ingresses", true },
        { "networking.k8s.io", "v1", "IngressClass", "ingressclasses", false },
        { "rbac.authorization.k8s.io", "v1", "Role", "roles", true },
        { "rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false },
        { "rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true },
        { "rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false },
        { "storage.k8s.io", "v1", "StorageClass", "storageclasses", false },
        { "storage.k8s.io", "v1", "CSIDriver", "csidrivers", false },
        { "storage.k8s.io", "v1", "CSINode", "csinodes", false },
        { "storage.k8s.io", "v1", "VolumeAttachment", "volumeattachments", false },
        { "scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", false },
        { "node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", false },
};

static void test_kinds(void) {
        size_t n_found = 0, n_scope = 0, n_types = 0, n_cols = 0, n_desc = 0;

        for (size_t i = 0; i < ELEMENTSOF(kinds); i++) {
                const struct kind_case *k = &kinds[i];
                const struct schema_resource *r =
                        schema_resource_by_kind(k->group, k->version, k->kind);
                const struct schema_resource *byres =
                        schema_resource_lookup(k->group, k->version, k->plural);

                ok(r && r == byres, "%s/%s %s found by kind and by resource %s", k->group,
                   k->version, k->kind, k->plural);
                if (!r)
                        continue;
                n_found++;
                if (r->namespaced == k->namespaced)
                        n_scope++;
                else
                        diag("%s: wrong scope", k->plural);
                if (r->type && streq_ptr(r->type->kind, k->kind) &&
                    (schema_field_lookup(r->list_type, "items") || streq_ptr(k->kind, "Binding")) &&
                    schema_field_lookup(r->type, "metadata"))
                        n_types++;
                else
                        diag("%s: type or list type missing", k->plural);
                if (r->n_columns > 0 || streq_ptr(k->kind, "Binding"))
                        n_cols++;
                else
                        diag("%s: no printer columns", k->plural);
                if (r->description && r->type->description && r->singular)
                        n_desc++;
                else
                        diag("%s: no description", k->plural);
        }
        is_int(n_found, ELEMENTSOF(kinds), "every covered kind is in the tables");
        is_int(n_scope, ELEMENTSOF(kinds), "every kind has the right scope");
        is_int(n_types, ELEMENTSOF(kinds), "every kind has its type and list type");
        is_int(n_cols, ELEMENTSOF(kinds), "every listable kind has printer columns");
        is_int(n_desc, ELEMENTSOF(kinds), "every kind has a description and singular name");

        ok(schema_resource_lookup("", "v1", "nodes")->namespaced == false,
           "nodes are cluster-scoped");
        ok(!schema_resource_lookup("", "v1", "namespaces")->namespaced,
           "namespaces are cluster-scoped");
        ok(!schema_resource_lookup("", "v1", "persistentvolumes")->namespaced,
           "persistentvolumes are cluster-scoped");
        ok(schema_resource_lookup("", "v1", "persistentvolumeclaims")->namespaced,
           "persistentvolumeclaims are namespaced");
        is_str(schema_resource_lookup("", "v1", "pods")->singular, "pod", "singular of pods");
        is_str(schema_resource_lookup("networking.k8s.io", "v1", "ingresses")->singular, "ingress",
               "singular of ingresses");

        ok(schema_resource_lookup("", "v1", "nosuch") == NULL, "unknown resource is NULL");
        ok(schema_resource_lookup("apps", "v2", "deployments") == NULL, "unknown version is NULL");
        ok(schema_resource_lookup("", "v1", "deployments") == NULL, "deployments are not core");
        ok(schema_resource_by_kind("apps", "v1", "Pod") == NULL, "Pod is not an apps kind");
        ok(schema_resource_lookup(NULL, "v1", "pods") == NULL, "NULL group is NULL");
        ok(schema_resource_by_kind("policy", "v1", "Eviction") == NULL,
           "Eviction is a subresource, not a resource");
}

static void test_short_names(void) {
        static const struct {
                const char *name, *group, *plural;
        } cases[] = {
                { "po", "", "pods" },
                { "deploy", "apps", "deployments" },
                { "svc", "", "services" },
                { "ns", "", "namespaces" },
                { "no", "", "nodes" },
                { "cm", "", "configmaps" },
                { "rs", "apps", "replicasets" },
                { "ds", "apps", "daemonsets" },
                { "sts", "apps", "statefulsets" },
                { "cj", "batch", "cronjobs" },
                { "ev", "", "events" },
                { "ep", "", "endpoints" },
                { "pvc", "", "persistentvolumeclaims" },
                { "pv", "", "persistentvolumes" },
                { "sa", "", "serviceaccounts" },
                { "rc", "", "replicationcontrollers" },
                { "limits", "", "limitranges" },
                { "quota", "", "resourcequotas" },
                { "hpa", "autoscaling", "horizontalpodautoscalers" },
                { "pdb", "policy", "poddisruptionbudgets" },
                { "netpol", "networking.k8s.io", "networkpolicies" },
                { "ing", "networking.k8s.io", "ingresses" },
                { "sc", "storage.k8s.io", "storageclasses" },
                { "pc", "scheduling.k8s.io", "priorityclasses" },
                { "cs", "", "componentstatuses" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const struct schema_resource *r = schema_resource_by_short_name(cases[i].name);
                ok(r && streq_ptr(r->group, cases[i].group) &&
                           streq_ptr(r->plural, cases[i].plural),
                   "short name %s -> %s", cases[i].name, cases[i].plural);
        }
        is_str(schema_resource_by_short_name("hpa")->version, "v2",
               "hpa resolves to the preferred autoscaling/v2");
        is_str(schema_resource_by_short_name("ev")->group, "", "ev resolves to core events");
        ok(schema_resource_by_short_name("pods") == NULL, "a plural is not a short name");
        ok(schema_resource_by_short_name("") == NULL, "empty short name");
        ok(schema_resource_by_short_name("zz") == NULL, "unknown short name");
        is_str(schema_resource_by_name("pods")->plural, "pods", "by name: plural");
        is_str(schema_resource_by_name("Pod")->plural, "pods", "by name: singular, any case");
        is_str(schema_resource_by_name("DEPLOY")->plural, "deployments",
               "by name: short, any case");
        is_str(schema_resource_by_name("events")->group, "", "by name: events prefer core");
        is_str(schema_resource_by_name("horizontalpodautoscaler")->version, "v2",
               "by name: preferred version wins");
        ok(schema_resource_by_name(NULL) == NULL, "by name: NULL");
}

static void test_categories_verbs(void) {
        static const struct {
                const char *group, *version, *plural;
        } all[] = {
                { "", "v1", "pods" },
                { "", "v1", "services" },
                { "", "v1", "replicationcontrollers" },
                { "apps", "v1", "deployments" },
                { "apps", "v1", "replicasets" },
                { "apps", "v1", "statefulsets" },
                { "apps", "v1", "daemonsets" },
                { "batch", "v1", "jobs" },
                { "batch", "v1", "cronjobs" },
                { "autoscaling", "v2", "horizontalpodautoscalers" },
        };
        for (size_t i = 0; i < ELEMENTSOF(all); i++) {
                const struct schema_resource *r =
                        schema_resource_lookup(all[i].group, all[i].version, all[i].plural);
                ok(r && schema_strv_contains(r->categories, "all"), "%s are in category all",
                   all[i].plural);
        }
        ok(!schema_strv_contains(schema_resource_lookup("", "v1", "secrets")->categories, "all"),
           "secrets are not in category all");
        ok(!schema_strv_contains(schema_resource_lookup("", "v1", "configmaps")->categories, "all"),
           "configmaps are not in category all");

        const struct schema_resource *pods = schema_resource_lookup("", "v1", "pods");
        static const char *const pod_verbs[] = { "create", "delete", "deletecollection", "get",
                                                 "list",   "patch",  "update",           "watch" };
        size_t n = 0;
        for (size_t i = 0; i < ELEMENTSOF(pod_verbs); i++)
                n += schema_strv_contains(pods->verbs, pod_verbs[i]);
        is_int(n, ELEMENTSOF(pod_verbs), "pods have all eight verbs");
        ok(!schema_strv_contains(schema_resource_lookup("", "v1", "namespaces")->verbs,
                                 "deletecollection"),
           "namespaces have no deletecollection");
        const struct schema_resource *b = schema_resource_lookup("", "v1", "bindings");
        ok(schema_strv_contains(b->verbs, "create") && !schema_strv_contains(b->verbs, "get"),
           "bindings are create-only");
        const struct schema_resource *cs = schema_resource_lookup("", "v1", "componentstatuses");
        ok(schema_strv_contains(cs->verbs, "list") && !schema_strv_contains(cs->verbs, "create"),
           "componentstatuses are read-only");
}

static void test_subresources(void) {
        const struct schema_resource *pods = schema_resource_lookup("", "v1", "pods");
        const struct schema_subresource *s;

        static const char *const pod_subs[] = { "status",      "log",   "binding",
                                                "eviction",    "exec",  "attach",
                                                "portforward", "proxy", "ephemeralcontainers" };
        for (size_t i = 0; i < ELEMENTSOF(pod_subs); i++)
                ok(schema_subresource_lookup(pods, pod_subs[i]) != NULL, "pods/%s", pod_subs[i]);
        s = schema_subresource_lookup(pods, "status");
        ok(s && schema_strv_contains(s->verbs, "patch") &&
                   schema_strv_contains(s->verbs, "update") &&
                   schema_strv_contains(s->verbs, "get"),
           "pods/status verbs get, patch, update");
        s = schema_subresource_lookup(pods, "eviction");
        ok(s && streq_ptr(s->group, "policy") && streq_ptr(s->kind, "Eviction") &&
                   schema_strv_contains(s->verbs, "create"),
           "pods/eviction speaks policy/v1 Eviction");
        s = schema_subresource_lookup(pods, "binding");
        ok(s && streq_ptr(s->kind, "Binding"), "pods/binding speaks Binding");
        s = schema_subresource_lookup(pods, "exec");
        ok(s && schema_strv_contains(s->verbs, "create") && schema_strv_contains(s->verbs, "get"),
           "pods/exec verbs create, get");
        s = schema_subresource_lookup(pods, "log");
        ok(s && schema_strv_contains(s->verbs, "get") && !schema_strv_contains(s->verbs, "create"),
           "pods/log is get-only");
        ok(schema_subresource_lookup(pods, "scale") == NULL, "pods have no scale");

        static const struct {
                const char *group, *plural;
        } scalable[] = {
                { "apps", "deployments" },
                { "apps", "replicasets" },
                { "apps", "statefulsets" },
                { "", "replicationcontrollers" },
        };
        for (size_t i = 0; i < ELEMENTSOF(scalable); i++) {
                const struct schema_resource *r =
                        schema_resource_lookup(scalable[i].group, "v1", scalable[i].plural);
                s = schema_subresource_lookup(r, "scale");
                ok(s && streq_ptr(s->group, "autoscaling") && streq_ptr(s->version, "v1") &&
                           streq_ptr(s->kind, "Scale"),
                   "%s/scale speaks autoscaling/v1 Scale", scalable[i].plural);
                ok(schema_subresource_lookup(r, "status") != NULL, "%s/status", scalable[i].plural);
        }
        ok(schema_subresource_lookup(schema_resource_lookup("apps", "v1", "daemonsets"), "scale") ==
                   NULL,
           "daemonsets have no scale");
        ok(schema_subresource_lookup(schema_resource_lookup("", "v1", "services"), "proxy") != NULL,
           "services/proxy");
        ok(schema_subresource_lookup(schema_resource_lookup("", "v1", "nodes"), "proxy") != NULL,
           "nodes/proxy");
        ok(schema_subresource_lookup(schema_resource_lookup("", "v1", "namespaces"), "finalize") !=
                   NULL,
           "namespaces/finalize");
        ok(schema_subresource_lookup(schema_resource_lookup("batch", "v1", "jobs"), "status") !=
                   NULL,
           "jobs/status");
        ok(schema_subresource_lookup(schema_resource_lookup("", "v1", "configmaps"), "status") ==
                   NULL,
           "configmaps have no status");
        ok(schema_type_by_gvk("autoscaling", "v1", "Scale") != NULL, "Scale type is defined");
        ok(schema_type_by_gvk("policy", "v1", "Eviction") != NULL, "Eviction type is defined");
}

static const struct schema_field *fp(const char *type, const char *path) {
        return schema_field_path(schema_type_lookup(type), path);
}

static void test_merge_keys(void) {
        static const struct {
                const char *type, *field, *key;
        } cases[] = {
                { "core.v1.PodSpec", "containers", "name" },
                { "core.v1.PodSpec", "initContainers", "name" },
                { "core.v1.PodSpec", "volumes", "name" },
                { "core.v1.PodSpec", "tolerations", NULL },
                { "core.v1.Container", "ports", "containerPort" },
                { "core.v1.Container", "env", "name" },
                { "core.v1.Container", "volumeMounts", "mountPath" },
                { "core.v1.ServiceSpec", "ports", "port" },
                { "meta.v1.ObjectMeta", "ownerReferences", "uid" },
                { "core.v1.PodStatus", "conditions", "type" },
                { "core.v1.NodeStatus", "addresses", "type" },
                { "core.v1.NodeStatus", "conditions", "type" },
                { "apps.v1.DeploymentStatus", "conditions", "type" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const struct schema_field *f = fp(cases[i].type, cases[i].field);
                if (!cases[i].key) {
                        ok(f && !f->patch_merge_key && !(f->patch_strategy & SCHEMA_PATCH_MERGE),
                           "%s.%s is replaced, not merged", cases[i].type, cases[i].field);
                        continue;
                }
                ok(f && (f->patch_strategy & SCHEMA_PATCH_MERGE) &&
                           streq_ptr(f->patch_merge_key, cases[i].key),
                   "%s.%s merges on %s", cases[i].type, cases[i].field, cases[i].key);
        }
        const struct schema_field *f = fp("meta.v1.ObjectMeta", "finalizers");
        ok(f && (f->patch_strategy & SCHEMA_PATCH_MERGE) && !f->patch_merge_key &&
                   f->list_type == SCHEMA_LIST_SET,
           "ObjectMeta.finalizers: merge of a set, no key");
        f = fp("core.v1.PodSpec", "volumes");
        ok(f && (f->patch_strategy & SCHEMA_PATCH_RETAIN_KEYS), "PodSpec.volumes retains keys");
        f = fp("apps.v1.DeploymentSpec", "strategy");
        ok(f && (f->patch_strategy & SCHEMA_PATCH_RETAIN_KEYS),
           "DeploymentSpec.strategy retainKeys");
}

static void test_list_types(void) {
        const struct schema_field *f = fp("core.v1.ServiceSpec", "ports");
        ok(f && f->list_type == SCHEMA_LIST_MAP, "ServiceSpec.ports is a list-map");
        ok(f && f->list_map_keys && streq_ptr(f->list_map_keys[0], "port") && f->list_map_keys[1] &&
                   streq_ptr(f->list_map_keys[1], "protocol") && !f->list_map_keys[2],
           "ServiceSpec.ports keys are port and protocol");
        f = fp("core.v1.PodSpec", "containers");
        ok(f && f->list_type == SCHEMA_LIST_MAP && schema_strv_contains(f->list_map_keys, "name"),
           "PodSpec.containers is a list-map on name");
        f = fp("core.v1.Container", "ports");
        ok(f && f->list_type == SCHEMA_LIST_MAP &&
                   schema_strv_contains(f->list_map_keys, "containerPort") &&
                   schema_strv_contains(f->list_map_keys, "protocol"),
           "Container.ports keys are containerPort and protocol");
        f = fp("core.v1.Container", "args");
        ok(f && f->list_type == SCHEMA_LIST_ATOMIC, "Container.args is atomic");
        f = fp("core.v1.Container", "command");
        ok(f && f->value.type == SCHEMA_ARRAY && f->value.elem->type == SCHEMA_STRING,
           "Container.command is an array of strings");
        f = fp("meta.v1.LabelSelector", "matchLabels");
        ok(f && f->value.type == SCHEMA_MAP && f->value.elem->type == SCHEMA_STRING,
           "LabelSelector.matchLabels is a map of strings");
        ok(schema_type_lookup("meta.v1.LabelSelector")->map_type == SCHEMA_MAP_ATOMIC,
           "LabelSelector is an atomic map");
        f = fp("core.v1.PodSpec", "nodeSelector");
        ok(f && f->value.type == SCHEMA_MAP && f->map_type == SCHEMA_MAP_ATOMIC,
           "PodSpec.nodeSelector is an atomic map");
}

static void test_field_types(void) {
        const struct schema_field *f;

        f = fp("core.v1.Container", "resources.limits");
        ok(f && f->value.type == SCHEMA_MAP && f->value.elem->type == SCHEMA_QUANTITY,
           "Container.resources.limits is a map of quantity");
        f = fp("core.v1.ServicePort", "targetPort");
        ok(f && f->value.type == SCHEMA_INT_OR_STRING, "ServicePort.targetPort is int-or-string");
        f = fp("apps.v1.RollingUpdateDeployment", "maxSurge");
        ok(f && f->value.type == SCHEMA_INT_OR_STRING, "maxSurge is int-or-string");
        f = fp("core.v1.ServicePort", "port");
        ok(f && f->value.type == SCHEMA_INT32 && f->required,
           "ServicePort.port is a required int32");
        f = fp("core.v1.PodSpec", "activeDeadlineSeconds");
        ok(f && f->value.type == SCHEMA_INT64, "activeDeadlineSeconds is int64");
        f = fp("meta.v1.ObjectMeta", "creationTimestamp");
        ok(f && f->value.type == SCHEMA_DATE_TIME, "creationTimestamp is date-time");
        f = fp("events.v1.Event", "eventTime");
        ok(f && f->value.type == SCHEMA_MICRO_TIME, "events.k8s.io eventTime is micro-time");
        f = fp("core.v1.Secret", "data");
        ok(f && f->value.type == SCHEMA_MAP && f->value.elem->type == SCHEMA_BYTE,
           "Secret.data is a map of bytes");
        f = fp("core.v1.PodSpec", "hostNetwork");
        ok(f && f->value.type == SCHEMA_BOOLEAN, "hostNetwork is boolean");
        f = fp("apps.v1.ControllerRevision", "data");
        ok(f && f->value.type == SCHEMA_OBJECT, "ControllerRevision.data is any object");
        f = fp("meta.v1.ObjectMeta", "managedFields.fieldsV1");
        ok(f && f->value.type == SCHEMA_OBJECT, "managedFields.fieldsV1 is any object");
        f = fp("core.v1.Pod", "spec");
        ok(f && f->value.type == SCHEMA_REF &&
                   f->value.ref == schema_type_lookup("core.v1.PodSpec"),
           "Pod.spec refers to PodSpec");
        ok(schema_field_target(fp("core.v1.PodSpec", "containers")) ==
                   schema_type_lookup("core.v1.Container"),
           "PodSpec.containers leads to Container");
        f = fp("apps.v1.Deployment",
               "spec.template.spec.containers.env.valueFrom.fieldRef.fieldPath");
        ok(f && f->value.type == SCHEMA_STRING && f->required,
           "deep path through template, containers, env");
        ok(fp("core.v1.Pod", "spec.nosuch") == NULL, "unknown field in a path is NULL");
        ok(fp("core.v1.Pod", "spec.nodeName.x") == NULL, "a path cannot descend into a string");
        ok(fp("core.v1.Pod", "spec..nodeName") == NULL, "empty path segment is NULL");
        ok(fp("core.v1.Pod", "") == NULL, "empty path is NULL");
        ok(schema_field_lookup(NULL, "x") == NULL, "field of NULL type is NULL");
        is_str(schema_value_type_to_string(SCHEMA_INT_OR_STRING), "int-or-string", "type name");
        is_int(schema_value_type_from_string("quantity"), SCHEMA_QUANTITY, "type from name");
        is_int(schema_value_type_from_string("bogus"), _SCHEMA_VALUE_TYPE_INVALID,
               "unknown type name");
        ok(schema_value_type_to_string(_SCHEMA_VALUE_TYPE_MAX) == NULL, "out of range type");
}

static void test_required_enums_defaults(void) {
        const struct schema_field *f;
        const struct schema_type *om = schema_type_lookup("meta.v1.ObjectMeta");
        size_t required = 0;

        ok(fp("core.v1.Container", "name")->required, "Container.name is required");
        ok(!fp("core.v1.Container", "image")->required, "Container.image is optional");
        ok(fp("core.v1.PodSpec", "containers")->required, "PodSpec.containers is required");
        ok(fp("apps.v1.DeploymentSpec", "selector")->required,
           "DeploymentSpec.selector is required");
        ok(fp("apps.v1.DeploymentSpec", "template")->required,
           "DeploymentSpec.template is required");
        ok(fp("meta.v1.OwnerReference", "uid")->required, "OwnerReference.uid is required");
        ok(fp("core.v1.EnvVar", "name")->required, "EnvVar.name is required");
        ok(fp("batch.v1.CronJobSpec", "schedule")->required, "CronJobSpec.schedule is required");
        for (size_t i = 0; om && i < om->n_fields; i++)
                required += om->fields[i].required;
        is_int(required, 0, "ObjectMeta has no required field");

        f = fp("core.v1.PodSpec", "restartPolicy");
        ok(f && schema_strv_contains(f->enum_values, "OnFailure") &&
                   schema_strv_contains(f->enum_values, "Never"),
           "restartPolicy enum");
        is_str(f ? f->default_json : NULL, "\"Always\"", "restartPolicy defaults to Always");
        is_str(fp("core.v1.PodSpec", "dnsPolicy")->default_json, "\"ClusterFirst\"",
               "dnsPolicy defaults to ClusterFirst");
        is_str(fp("core.v1.PodSpec", "terminationGracePeriodSeconds")->default_json, "30",
               "terminationGracePeriodSeconds defaults to 30");
        is_str(fp("core.v1.PodSpec", "schedulerName")->default_json, "\"default-scheduler\"",
               "schedulerName default");
        is_str(fp("core.v1.Container", "terminationMessagePath")->default_json,
               "\"/dev/termination-log\"", "terminationMessagePath default");
        is_str(fp("core.v1.Container", "terminationMessagePolicy")->default_json, "\"File\"",
               "terminationMessagePolicy default");
        f = fp("core.v1.Container", "imagePullPolicy");
        ok(f && !f->default_json && streq_ptr(f->computed_default, "image-pull-policy"),
           "imagePullPolicy has a computed default");
        ok(f && schema_strv_contains(f->enum_values, "IfNotPresent"), "imagePullPolicy enum");
        is_str(fp("apps.v1.DeploymentStrategy", "type")->default_json, "\"RollingUpdate\"",
               "deployment strategy defaults to RollingUpdate");
        is_str(fp("apps.v1.RollingUpdateDeployment", "maxSurge")->default_json, "\"25%\"",
               "maxSurge defaults to 25%%");
        is_str(fp("apps.v1.RollingUpdateDeployment", "maxUnavailable")->default_json, "\"25%\"",
               "maxUnavailable defaults to 25%%");
        is_str(fp("apps.v1.DeploymentSpec", "revisionHistoryLimit")->default_json, "10",
               "revisionHistoryLimit defaults to 10");
        is_str(fp("apps.v1.DeploymentSpec", "progressDeadlineSeconds")->default_json, "600",
               "progressDeadlineSeconds defaults to 600");
        is_str(fp("apps.v1.DeploymentSpec", "replicas")->default_json, "1", "replicas default 1");
        is_str(fp("core.v1.ServiceSpec", "type")->default_json, "\"ClusterIP\"",
               "service type defaults to ClusterIP");
        is_str(fp("core.v1.ServiceSpec", "sessionAffinity")->default_json, "\"None\"",
               "sessionAffinity defaults to None");
        is_str(fp("core.v1.ServicePort", "protocol")->default_json, "\"TCP\"",
               "service port protocol defaults to TCP");
        is_str(fp("core.v1.ContainerPort", "protocol")->default_json, "\"TCP\"",
               "container port protocol defaults to TCP");
        is_str(fp("batch.v1.JobSpec", "backoffLimit")->default_json, "6", "backoffLimit default 6");
        is_str(fp("core.v1.PodSpec", "securityContext")->default_json, "{}",
               "an object default is JSON");
        is_str(fp("storage.v1.CSIDriverSpec", "volumeLifecycleModes")->default_json,
               "[\"Persistent\"]", "an array default is JSON");
        f = fp("core.v1.ServiceSpec", "type");
        ok(f && schema_strv_contains(f->enum_values, "LoadBalancer") &&
                   schema_strv_contains(f->enum_values, "ExternalName") &&
                   !schema_strv_contains(f->enum_values, "Bogus"),
           "service type enum");
        ok(schema_strv_contains(fp("core.v1.PodStatus", "phase")->enum_values, "Succeeded"),
           "pod phase enum");
        ok(schema_strv_contains(fp("meta.v1.WatchEvent", "type")->enum_values, "BOOKMARK"),
           "watch event type enum");
        ok(fp("core.v1.PodSpec", "containers")->description != NULL,
           "important fields have descriptions");
}

static bool col_is(const struct schema_resource *r, size_t i, const char *name, int priority) {
        return r && i < r->n_columns && streq_ptr(r->columns[i].name, name) &&
               r->columns[i].priority == priority;
}

static void test_columns(void) {
        const struct schema_resource *r = schema_resource_lookup("", "v1", "pods");
        static const char *const pod_cols[] = { "Name", "Ready", "Status", "Restarts", "Age" };
        static const char *const pod_wide[] = { "IP", "Node", "Nominated Node", "Readiness Gates" };
        size_t n = 0;

        for (size_t i = 0; i < ELEMENTSOF(pod_cols); i++)
                n += col_is(r, i, pod_cols[i], 0);
        for (size_t i = 0; i < ELEMENTSOF(pod_wide); i++)
                n += col_is(r, ELEMENTSOF(pod_cols) + i, pod_wide[i], 1);
        is_int(n, 9, "pod columns in order, wide ones at priority 1");
        is_int(r->n_columns, 9, "pods have nine columns");
        ok(streq_ptr(r->columns[0].format, "name") &&
                   streq_ptr(r->columns[0].json_path, ".metadata.name"),
           "pod Name column is the name column");
        is_str(schema_column_lookup(r, "Ready")->computed, "pod-ready", "pod Ready is computed");
        is_str(schema_column_lookup(r, "Restarts")->computed, "pod-restarts",
               "pod Restarts is computed");
        is_str(schema_column_lookup(r, "Node")->json_path, ".spec.nodeName", "pod Node JSONPath");

        r = schema_resource_lookup("apps", "v1", "deployments");
        ok(col_is(r, 0, "Name", 0) && col_is(r, 1, "Ready", 0) && col_is(r, 2, "Up-to-date", 0) &&
                   col_is(r, 3, "Available", 0) && col_is(r, 4, "Age", 0) &&
                   col_is(r, 5, "Containers", 1) && col_is(r, 6, "Images", 1) &&
                   col_is(r, 7, "Selector", 1),
           "deployment columns");
        is_str(schema_column_lookup(r, "Up-to-date")->type, "integer", "Up-to-date is an integer");

        static const struct {
                const char *group, *version, *plural, *col;
        } cols[] = {
                { "", "v1", "services", "Cluster-IP" },
                { "", "v1", "services", "Port(s)" },
                { "", "v1", "nodes", "Roles" },
                { "", "v1", "nodes", "Version" },
                { "", "v1", "namespaces", "Status" },
                { "", "v1", "secrets", "Type" },
                { "", "v1", "configmaps", "Data" },
                { "", "v1", "events", "Last Seen" },
                { "", "v1", "events", "Object" },
                { "", "v1", "persistentvolumes", "Reclaim Policy" },
                { "", "v1", "persistentvolumeclaims", "Volume" },
                { "", "v1", "resourcequotas", "Request" },
                { "apps", "v1", "daemonsets", "Node Selector" },
                { "apps", "v1", "statefulsets", "Ready" },
                { "apps", "v1", "replicasets", "Desired" },
                { "batch", "v1", "jobs", "Completions" },
                { "batch", "v1", "jobs", "Duration" },
                { "batch", "v1", "cronjobs", "Schedule" },
                { "batch", "v1", "cronjobs", "Last Schedule" },
                { "autoscaling", "v2", "horizontalpodautoscalers", "Targets" },
                { "policy", "v1", "poddisruptionbudgets", "Allowed Disruptions" },
                { "networking.k8s.io", "v1", "ingresses", "Hosts" },
                { "networking.k8s.io", "v1", "networkpolicies", "Pod-Selector" },
                { "rbac.authorization.k8s.io", "v1", "rolebindings", "Role" },
                { "rbac.authorization.k8s.io", "v1", "clusterroles", "Created At" },
                { "storage.k8s.io", "v1", "storageclasses", "Provisioner" },
                { "coordination.k8s.io", "v1", "leases", "Holder" },
                { "discovery.k8s.io", "v1", "endpointslices", "AddressType" },
                { "scheduling.k8s.io", "v1", "priorityclasses", "Global-Default" },
                { "node.k8s.io", "v1", "runtimeclasses", "Handler" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cols); i++) {
                const struct schema_resource *res =
                        schema_resource_lookup(cols[i].group, cols[i].version, cols[i].plural);
                const struct schema_printer_column *c = schema_column_lookup(res, cols[i].col);
                ok(c && (c->json_path != NULL) != (c->computed != NULL) && c->description,
                   "%s has column %s", cols[i].plural, cols[i].col);
        }
        ok(schema_column_lookup(r, "Nope") == NULL, "unknown column is NULL");
}

static void test_field_selectors(void) {
        const struct schema_resource *pods = schema_resource_lookup("", "v1", "pods");
        static const char *const pod_sel[] = {
                "metadata.name",      "metadata.namespace",
                "spec.nodeName",      "spec.restartPolicy",
                "spec.schedulerName", "spec.serviceAccountName",
                "spec.hostNetwork",   "status.phase",
                "status.podIP",       "status.nominatedNodeName",
        };
        size_t n = 0;
        for (size_t i = 0; i < ELEMENTSOF(pod_sel); i++)
                n += schema_strv_contains(pods->field_selectors, pod_sel[i]);
        is_int(n, ELEMENTSOF(pod_sel), "pods support their field selectors");
        ok(!schema_strv_contains(pods->field_selectors, "spec.containers"),
           "pods do not select on containers");

        const struct schema_resource *ev = schema_resource_lookup("", "v1", "events");
        static const char *const ev_sel[] = {
                "involvedObject.kind",
                "involvedObject.namespace",
                "involvedObject.name",
                "involvedObject.uid",
                "involvedObject.apiVersion",
                "involvedObject.resourceVersion",
                "involvedObject.fieldPath",
                "reason",
                "reportingComponent",
                "source",
                "type",
        };
        n = 0;
        for (size_t i = 0; i < ELEMENTSOF(ev_sel); i++)
                n += schema_strv_contains(ev->field_selectors, ev_sel[i]);
        is_int(n, ELEMENTSOF(ev_sel), "events support their field selectors");
        ok(schema_strv_contains(schema_resource_lookup("", "v1", "secrets")->field_selectors,
                                "type"),
           "secrets select on type");
        ok(schema_strv_contains(schema_resource_lookup("", "v1", "nodes")->field_selectors,
                                "spec.unschedulable"),
           "nodes select on spec.unschedulable");
        ok(!schema_strv_contains(schema_resource_lookup("", "v1", "nodes")->field_selectors,
                                 "metadata.namespace"),
           "cluster-scoped nodes do not select on namespace");
        ok(schema_strv_contains(schema_resource_lookup("", "v1", "namespaces")->field_selectors,
                                "status.phase"),
           "namespaces select on status.phase");
        ok(schema_strv_contains(
                   schema_resource_lookup("apps", "v1", "replicasets")->field_selectors,
                   "status.replicas"),
           "replicasets select on status.replicas");
        ok(schema_strv_contains(schema_resource_lookup("batch", "v1", "jobs")->field_selectors,
                                "status.successful"),
           "jobs select on status.successful");
}

static void test_meta_and_tables(void) {
        size_t n_gv = 0, n_resources = 0, sorted = 1;
        const struct schema_group_version *gvs = schema_group_versions(&n_gv);

        ok(n_gv >= 15, "fifteen group-versions or more (%zu)", n_gv);
        is_str(gvs[0].group, "", "core group comes first");
        for (size_t i = 0; i < n_gv; i++)
                n_resources += gvs[i].n_resources;
        is_int(n_resources, ELEMENTSOF(kinds), "resource count matches the covered kinds");
        ok(schema_n_types > 300, "hundreds of types (%zu)", schema_n_types);
        for (size_t i = 1; i < schema_n_types; i++)
                if (strcmp(schema_type_table[i - 1].name, schema_type_table[i].name) >= 0)
                        sorted = 0;
        ok(sorted, "types are sorted by name");
        size_t fields_sorted = 1;
        for (size_t i = 0; i < schema_n_types; i++) {
                const struct schema_type *t = &schema_type_table[i];
                for (size_t j = 1; j < t->n_fields; j++)
                        if (strcmp(t->fields[j - 1].name, t->fields[j].name) >= 0)
                                fields_sorted = 0;
        }
        ok(fields_sorted, "fields are sorted by name in every type");

        const struct schema_group_version *meta = schema_group_version_lookup("meta.k8s.io", "v1");
        ok(meta && !meta->served && meta->n_resources == 0, "meta.k8s.io serves no resources");
        ok(!schema_group_version_lookup("autoscaling", "v1")->preferred &&
                   schema_group_version_lookup("autoscaling", "v2")->preferred,
           "autoscaling/v2 is preferred");

        static const char *const meta_types[] = {
                "meta.v1.ObjectMeta",      "meta.v1.ListMeta",      "meta.v1.Status",
                "meta.v1.Table",           "meta.v1.DeleteOptions", "meta.v1.WatchEvent",
                "meta.v1.APIResourceList", "meta.v1.APIGroupList",  "meta.v1.PartialObjectMetadata",
        };
        for (size_t i = 0; i < ELEMENTSOF(meta_types); i++)
                ok(schema_type_lookup(meta_types[i]) != NULL, "%s is defined", meta_types[i]);
        ok(schema_type_by_gvk("", "v1", "Status") == schema_type_lookup("meta.v1.Status"),
           "Status by GVK");
        ok(schema_type_by_gvk("meta.k8s.io", "v1", "Table") == schema_type_lookup("meta.v1.Table"),
           "Table by GVK");
        const struct schema_field *f = fp("meta.v1.Table", "columnDefinitions.priority");
        ok(f && f->value.type == SCHEMA_INT32 && f->required, "TableColumnDefinition.priority");
        f = fp("meta.v1.APIResourceList", "resources.shortNames");
        ok(f && f->value.type == SCHEMA_ARRAY, "APIResource.shortNames");
        ok(schema_type_lookup("core.v1.Nope") == NULL, "unknown type is NULL");
        ok(schema_type_lookup(NULL) == NULL, "NULL type name");
        ok(schema_type_by_gvk("events.k8s.io", "v1", "Event") !=
                   schema_type_by_gvk("", "v1", "Event"),
           "the two Event kinds are distinct types");
        ok(schema_type_by_gvk("autoscaling", "v1", "HorizontalPodAutoscaler") !=
                   schema_type_by_gvk("autoscaling", "v2", "HorizontalPodAutoscaler"),
           "the two HPA versions are distinct types");
        ok(fp("autoscaling.v2.HorizontalPodAutoscalerSpec", "metrics") != NULL &&
                   fp("autoscaling.v1.HorizontalPodAutoscalerSpec", "metrics") == NULL,
           "HPA v2 has metrics, v1 does not");

        /* Every reference resolves and every element value is present. */
        size_t bad = 0, total = 0;
        for (size_t i = 0; i < schema_n_types; i++) {
                const struct schema_type *t = &schema_type_table[i];
                for (size_t j = 0; j < t->n_fields; j++) {
                        const struct schema_value *v = &t->fields[j].value;
                        total++;
                        for (; v; v = v->elem) {
                                if (v->type == SCHEMA_REF && !v->ref)
                                        bad++;
                                if ((v->type == SCHEMA_ARRAY || v->type == SCHEMA_MAP) && !v->elem)
                                        bad++;
                                if (v->type < 0 || v->type >= _SCHEMA_VALUE_TYPE_MAX)
                                        bad++;
                        }
                        if (t->fields[j].list_type == SCHEMA_LIST_MAP &&
                            !t->fields[j].list_map_keys)
                                bad++;
                }
        }
        is_int(bad, 0, "all %zu fields are well formed", total);
        ok(total > 1500, "over 1500 fields (%zu)", total);
}

int main(void) {
        test_kinds();
        test_short_names();
        test_categories_verbs();
        test_subresources();
        test_merge_keys();
        test_list_types();
        test_field_types();
        test_required_enums_defaults();
        test_columns();
        test_field_selectors();
        test_meta_and_tables();
        return tap_done();
}
