/* SPDX-License-Identifier: Apache-2.0 */
/* The Deployment controller's decisions on hand-made objects. */
#include "config.h"

#include <string.h>

#include "controllers/deployment.h"
#include "tests/tap.h"
#include "util.h"

static json *parse(const char *s) {
        json *v = NULL;
        if (json_parse(s, strlen(s), NULL, &v, NULL) < 0)
                abort();
        return v;
}

static json *deployment(int replicas, const char *strategy) {
        _cleanup_free_ char *s = xasprintf(
                "{\"metadata\":{\"name\":\"web\",\"generation\":2},\"spec\":{\"replicas\":%d,"
                "\"strategy\":%s,\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},"
                "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i:1\"}]}}}}",
                replicas, strategy);
        return parse(s);
}

static json *rs(const char *name, int spec, int replicas, int ready, int available) {
        _cleanup_free_ char *s =
                xasprintf("{\"metadata\":{\"name\":\"%s\"},\"spec\":{\"replicas\":%d},\"status\":{"
                          "\"replicas\":%d,\"readyReplicas\":%d,\"availableReplicas\":%d}}",
                          name, spec, replicas, ready, available);
        return parse(s);
}

static const char *cond(const json *st, const char *type, const char *field) {
        const json *c = json_object_get(st, "conditions");
        for (size_t i = 0; i < json_array_len(c); i++)
                if (streq_ptr(json_object_get_string(json_array_get(c, i), "type"), type))
                        return json_object_get_string(json_array_get(c, i), field);
        return NULL;
}

int main(void) {
        _cleanup_json_ json *d = deployment(
                10, "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":\"25%\","
                    "\"maxUnavailable\":\"25%\"}}");
        const json *tmpl = json_get(d, "spec", "template", NULL);

        _cleanup_free_ char *h1 = deploy_template_hash(tmpl, -1);
        _cleanup_free_ char *h2 = deploy_template_hash(tmpl, -1);
        _cleanup_free_ char *h3 = deploy_template_hash(tmpl, 1);
        is_str(h1, h2, "the hash is stable");
        ok(!streq(h1, h3), "the collision count changes it");
        ok(strspn(h1, "bcdfghjklmnpqrstvwxz2456789") == strlen(h1) && strlen(h1) >= 1 &&
                   strlen(h1) <= 10,
           "the hash uses the safe alphabet (%s)", h1);
        _cleanup_json_ json *undo =
                parse("{\"metadata\":{\"creationTimestamp\":null,\"labels\":{\"app\":\"web\","
                      "\"pod-template-hash\":\"x\"}},\"spec\":{\"containers\":[{\"name\":\"c\","
                      "\"image\":\"i:1\",\"resources\":{}}]}}");
        ok(deploy_template_equal(undo, tmpl), "equal ignoring the hash label, nulls and {}");
        json_object_remove(json_get(undo, "metadata", "labels", NULL), "pod-template-hash");
        _cleanup_free_ char *h4 = deploy_template_hash(undo, -1);
        _cleanup_json_ json *other =
                parse("{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{"
                      "\"name\":\"c\",\"image\":\"i:2\"}]}}");
        ok(!deploy_template_equal(other, tmpl), "another image differs");

        int64_t surge, unavail;
        ok(deploy_resolve_fenceposts(d, &surge, &unavail) >= 0, "fenceposts resolve");
        is_int(surge, 3, "25%% of 10 surge rounds up");
        is_int(unavail, 2, "25%% of 10 unavailable rounds down");
        _cleanup_json_ json *zero =
                deployment(3, "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":0,"
                              "\"maxUnavailable\":\"10%\"}}");
        deploy_resolve_fenceposts(zero, &surge, &unavail);
        is_int(unavail, 1, "both 0: maxUnavailable becomes 1");
        _cleanup_json_ json *rec = deployment(3, "{\"type\":\"Recreate\"}");
        deploy_resolve_fenceposts(rec, &surge, &unavail);
        ok(surge == 0 && unavail == 0, "Recreate: no fenceposts");
        _cleanup_json_ json *bad = deployment(
                3, "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":\"x%\"}}");
        ok(deploy_resolve_fenceposts(bad, &surge, &unavail) < 0, "a bad percentage fails");

        is_int(deploy_new_rs_replicas(d, 0, 10), 3, "a new RS starts at maxSurge");
        is_int(deploy_new_rs_replicas(d, 3, 13), 3, "no more while at replicas + surge");
        is_int(deploy_new_rs_replicas(d, 8, 11), 10, "never beyond replicas");
        is_int(deploy_new_rs_replicas(rec, 0, 0), 3, "Recreate: all at once");

        _cleanup_json_ json *withrev = parse(
                "{\"metadata\":{\"annotations\":{\"deployment.kubernetes.io/revision\":\"7\"}}}");
        is_int(deploy_revision(withrev), 7, "revision annotation read");
        is_int(deploy_revision(d), 0, "no annotation: 0");

        tm_time now = { .sec = 1767225600 };
        _cleanup_json_ json *nrs = rs("web-new", 5, 5, 4, 4);
        _cleanup_json_ json *ors = rs("web-old", 6, 6, 6, 6);
        const json *olds[] = { ors };
        _cleanup_json_ json *st = deploy_compute_status(d, nrs, olds, 1, "ReplicaSetUpdated", now);
        is_int(json_object_get_int(st, "replicas", -1), 11, "status.replicas sums");
        is_int(json_object_get_int(st, "updatedReplicas", -1), 5, "updatedReplicas: the new RS");
        is_int(json_object_get_int(st, "availableReplicas", -1), 10, "availableReplicas sums");
        ok(!json_object_get(st, "unavailableReplicas"), "none unavailable: left out");
        is_int(json_object_get_int(st, "observedGeneration", -1), 2, "observedGeneration");
        is_str(cond(st, "Available", "reason"), "MinimumReplicasAvailable", "Available");
        is_str(cond(st, "Progressing", "reason"), "ReplicaSetUpdated", "Progressing");
        is_str(cond(st, "Progressing", "message"), "ReplicaSet \"web-new\" is progressing.",
               "Progressing message");
        ok(!deploy_complete(d, st), "not complete with old replicas");

        _cleanup_json_ json *done_rs = rs("web-new", 10, 10, 10, 10);
        _cleanup_json_ json *empty_old = rs("web-old", 0, 0, 0, 0);
        const json *olds2[] = { empty_old };
        _cleanup_json_ json *st2 = deploy_compute_status(d, done_rs, olds2, 1, NULL, now);
        ok(deploy_complete(d, st2), "complete");
        is_str(cond(st2, "Progressing", "reason"), "NewReplicaSetAvailable",
               "Progressing: NewReplicaSetAvailable");

        /* Past the deadline without progress. */
        _cleanup_json_ json *late = json_copy(d);
        json_object_set(late, "status", json_copy(st));
        json_object_set_int(json_object_get(late, "spec"), "progressDeadlineSeconds", 60);
        _cleanup_json_ json *slow = rs("web-new", 5, 5, 0, 0);
        tm_time later = { .sec = now.sec + 61 };
        _cleanup_json_ json *st3 = deploy_compute_status(late, slow, olds, 1, NULL, later);
        is_str(cond(st3, "Progressing", "reason"), "ProgressDeadlineExceeded",
               "ProgressDeadlineExceeded after the deadline");
        is_str(cond(st3, "Progressing", "status"), "False", "Progressing False");
        is_str(cond(st3, "Available", "reason"), "MinimumReplicasUnavailable",
               "Available False below the minimum");
        is_int(json_object_get_int(st3, "unavailableReplicas", -1), 4, "unavailableReplicas");
        tm_time sooner = { .sec = now.sec + 30 };
        _cleanup_json_ json *st4 = deploy_compute_status(late, slow, olds, 1, NULL, sooner);
        is_str(cond(st4, "Progressing", "reason"), "ReplicaSetUpdated", "not before it");
        is_str(h4, h1, "an undone template hashes the same");
        return tap_done();
}
