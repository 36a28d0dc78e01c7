/* SPDX-License-Identifier: Apache-2.0 */
/* The ReplicaSet controller's decisions on hand-made objects. */
#include "config.h"

#include <string.h>

#include "controllers/replicaset.h"
#include "tests/tap.h"
#include "util.h"

static json *parse(const char *s) {
        json *v = NULL;
        if (json_parse(s, strlen(s), NULL, &v, NULL) < 0)
                abort();
        return v;
}

/* A pod named `name`: node ("" for none), phase, ready since (NULL: not
 * ready), restarts, created. */
static json *pod(const char *name, const char *node, const char *phase, const char *ready_at,
                 int restarts, const char *created) {
        _cleanup_free_ char *s = xasprintf(
                "{\"metadata\":{\"name\":\"%s\",\"creationTimestamp\":\"%s\",\"labels\":{\"app\":"
                "\"web\"}},\"spec\":{\"nodeName\":\"%s\"},\"status\":{\"phase\":\"%s\","
                "\"conditions\":[{\"type\":\"Ready\",\"status\":\"%s\",\"lastTransitionTime\":"
                "\"%s\"}],\"containerStatuses\":[{\"restartCount\":%d}]}}",
                name, created, node, phase, ready_at ? "True" : "False",
                ready_at ? ready_at : "2026-01-01T00:00:00Z", restarts);
        return parse(s);
}

static const char *name_of(const json *p) {
        return json_get_str(p, "metadata", "name", NULL);
}

int main(void) {
        tm_time now = { .sec = 1767225600 + 3600 }; /* 2026-01-01T01:00:00Z */
        json *p[] = {
                pod("running-old", "n1", "Running", "2026-01-01T00:10:00Z", 0,
                    "2026-01-01T00:00:00Z"),
                pod("running-new", "n1", "Running", "2026-01-01T00:50:00Z", 0,
                    "2026-01-01T00:00:00Z"),
                pod("unscheduled", "", "Pending", NULL, 0, "2026-01-01T00:00:00Z"),
                pod("pending", "n1", "Pending", NULL, 0, "2026-01-01T00:00:00Z"),
                pod("notready", "n1", "Running", NULL, 0, "2026-01-01T00:00:00Z"),
                pod("unknown", "n1", "Unknown", NULL, 0, "2026-01-01T00:00:00Z"),
                pod("restarts", "n1", "Running", "2026-01-01T00:10:00Z", 5, "2026-01-01T00:00:00Z"),
                pod("younger", "n1", "Running", "2026-01-01T00:10:00Z", 0, "2026-01-01T00:05:00Z"),
        };
        const json *v[ELEMENTSOF(p)];
        for (size_t i = 0; i < ELEMENTSOF(p); i++)
                v[i] = p[i];
        rs_sort_pods_for_deletion(v, ELEMENTSOF(v));
        const char *want[] = { "unscheduled", "pending",  "unknown", "notready",
                               "running-new", "restarts", "younger", "running-old" };
        for (size_t i = 0; i < ELEMENTSOF(want); i++)
                is_str(name_of(v[i]), want[i], "deletion order %zu", i);

        ok(rs_pod_is_ready(p[0]), "a pod with Ready=True is ready");
        ok(!rs_pod_is_ready(p[4]), "Ready=False is not");
        ok(rs_pod_is_available(p[0], 0, now), "ready is available without minReadySeconds");
        ok(rs_pod_is_available(p[1], 600, now), "ready 10 min: available for minReadySeconds 600");
        ok(!rs_pod_is_available(p[1], 601, now), "not for 601");
        ok(rs_pod_is_active(p[0]), "a running pod is active");
        _cleanup_json_ json *done = parse("{\"status\":{\"phase\":\"Succeeded\"}}");
        ok(!rs_pod_is_active(done), "a succeeded pod is not");
        _cleanup_json_ json *dying =
                parse("{\"metadata\":{\"deletionTimestamp\":\"2026-01-01T00:00:00Z\"}}");
        ok(!rs_pod_is_active(dying), "a pod being deleted is not");

        _cleanup_json_ json *rs = parse(
                "{\"metadata\":{\"name\":\"web\",\"namespace\":\"ns\",\"uid\":\"u-1\","
                "\"generation\":4},\"spec\":{\"replicas\":3,\"minReadySeconds\":1200,"
                "\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":{\"metadata\":{"
                "\"labels\":{\"app\":\"web\",\"tier\":\"fe\"},\"annotations\":{\"a\":\"b\"}},"
                "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}}}");
        _cleanup_json_ json *np = rs_pod_from_template(rs, "apps/v1", "ReplicaSet");
        is_str(json_get_str(np, "metadata", "generateName", NULL), "web-", "generateName");
        is_str(json_get_str(np, "metadata", "namespace", NULL), "ns", "namespace");
        is_str(json_get_str(np, "metadata", "labels", "tier", NULL), "fe", "template labels");
        is_str(json_get_str(np, "metadata", "annotations", "a", NULL), "b", "template annotations");
        const json *ref = json_array_get(json_get(np, "metadata", "ownerReferences", NULL), 0);
        is_str(json_object_get_string(ref, "uid"), "u-1", "ownerReference uid");
        is_str(json_object_get_string(ref, "kind"), "ReplicaSet", "ownerReference kind");
        ok(json_object_get_bool(ref, "controller", false) &&
                   json_object_get_bool(ref, "blockOwnerDeletion", false),
           "controller and blockOwnerDeletion");
        is_str(json_get_str(json_array_get(json_get(np, "spec", "containers", NULL), 0), "image",
                            NULL),
               "i", "template spec");

        /* p[0] ready 50 min, p[1] ready 10 min, p[4] not ready; none has tier=fe */
        const json *sp[] = { p[0], p[1], p[4] };
        _cleanup_json_ json *st = rs_compute_status(rs, sp, 3, now);
        is_int(json_object_get_int(st, "replicas", -1), 3, "status.replicas");
        is_int(json_object_get_int(st, "readyReplicas", -1), 2, "status.readyReplicas");
        is_int(json_object_get_int(st, "availableReplicas", -1), 1,
               "status.availableReplicas honours minReadySeconds");
        ok(!json_object_get(st, "fullyLabeledReplicas"), "fullyLabeledReplicas 0 is left out");
        is_int(json_object_get_int(st, "observedGeneration", -1), 4, "observedGeneration");

        is_int(rs_slow_start_batch(0, 10), 1, "slow start: 1");
        is_int(rs_slow_start_batch(1, 10), 2, "then 2");
        is_int(rs_slow_start_batch(3, 10), 4, "then 4");
        is_int(rs_slow_start_batch(7, 10), 3, "then what is left");
        for (size_t i = 0; i < ELEMENTSOF(p); i++)
                json_free(p[i]);
        return tap_done();
}
