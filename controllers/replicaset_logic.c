/* SPDX-License-Identifier: Apache-2.0 */
/* ReplicaSet decisions (replicaset.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "controllers/replicaset.h"
#include "util.h"

bool rs_pod_is_active(const json *pod) {
        const char *phase = json_get_str(pod, "status", "phase", NULL);
        if (streq_ptr(phase, "Succeeded") || streq_ptr(phase, "Failed"))
                return false;
        return json_get(pod, "metadata", "deletionTimestamp", NULL) == NULL;
}

static const json *ready_condition(const json *pod) {
        const json *conds = json_get(pod, "status", "conditions", NULL);
        for (size_t i = 0; i < json_array_len(conds); i++) {
                const json *c = json_array_get(conds, i);
                if (streq_ptr(json_object_get_string(c, "type"), "Ready"))
                        return c;
        }
        return NULL;
}

bool rs_pod_is_ready(const json *pod) {
        return streq_ptr(json_object_get_string(ready_condition(pod), "status"), "True");
}

/* When the pod became ready; 0 if unknown. */
static int64_t ready_since(const json *pod) {
        const char *t = json_object_get_string(ready_condition(pod), "lastTransitionTime");
        tm_time tt;
        if (!t || time_parse_rfc3339(t, &tt, NULL) < 0)
                return 0;
        return tt.sec;
}

bool rs_pod_is_available(const json *pod, int64_t min_ready_seconds, tm_time now) {
        if (!rs_pod_is_ready(pod))
                return false;
        if (min_ready_seconds <= 0)
                return true;
        int64_t since = ready_since(pod);
        return since > 0 && since + min_ready_seconds <= now.sec;
}

static int phase_rank(const json *pod) {
        const char *p = json_get_str(pod, "status", "phase", NULL);
        if (streq_ptr(p, "Pending") || !p)
                return 0;
        if (streq_ptr(p, "Unknown"))
                return 1;
        if (streq_ptr(p, "Running"))
                return 2;
        return 3;
}

static int64_t deletion_cost(const json *pod) {
        const char *c = json_get_str(pod, "metadata", "annotations",
                                     "controller.kubernetes.io/pod-deletion-cost", NULL);
        return c ? strtoll(c, NULL, 10) : 0;
}

static int64_t restarts(const json *pod) {
        const json *cs = json_get(pod, "status", "containerStatuses", NULL);
        int64_t n = 0;
        for (size_t i = 0; i < json_array_len(cs); i++)
                n += json_object_get_int(json_array_get(cs, i), "restartCount", 0);
        return n;
}

static int64_t created(const json *pod) {
        const char *t = json_get_str(pod, "metadata", "creationTimestamp", NULL);
        tm_time tt;
        if (!t || time_parse_rfc3339(t, &tt, NULL) < 0)
                return 0;
        return tt.sec;
}

/* < 0 when a is to be deleted before b. */
static int cmp_for_deletion(const void *pa, const void *pb) {
        const json *a = *(const json *const *)pa, *b = *(const json *const *)pb;
        const char *na = json_get_str(a, "spec", "nodeName", NULL);
        const char *nb = json_get_str(b, "spec", "nodeName", NULL);
        bool sa = na && *na, sb = nb && *nb;
        if (sa != sb)
                return sa ? 1 : -1;
        int pa_ = phase_rank(a), pb_ = phase_rank(b);
        if (pa_ != pb_)
                return pa_ < pb_ ? -1 : 1;
        bool ra = rs_pod_is_ready(a), rb = rs_pod_is_ready(b);
        if (ra != rb)
                return ra ? 1 : -1;
        int64_t ca = deletion_cost(a), cb = deletion_cost(b);
        if (ca != cb)
                return ca < cb ? -1 : 1;
        if (ra && rb) {
                int64_t ta = ready_since(a), tb = ready_since(b);
                if (ta != tb)
                        return ta > tb ? -1 : 1; /* ready more recently first */
        }
        int64_t xa = restarts(a), xb = restarts(b);
        if (xa != xb)
                return xa > xb ? -1 : 1;
        int64_t ta = created(a), tb = created(b);
        if (ta != tb)
                return ta > tb ? -1 : 1;
        return strcmp(json_get_str(a, "metadata", "name", NULL) ?: "",
                      json_get_str(b, "metadata", "name", NULL) ?: "");
}

void rs_sort_pods_for_deletion(const json **pods, size_t n) {
        if (n > 1)
                qsort(pods, n, sizeof *pods, cmp_for_deletion);
}

json *rs_controller_ref(const json *owner, const char *api_version, const char *kind) {
        json *ref = json_new_object();
        json_object_set_string(ref, "apiVersion", api_version);
        json_object_set_string(ref, "kind", kind);
        json_object_set_string(ref, "name", json_get_str(owner, "metadata", "name", NULL) ?: "");
        json_object_set_string(ref, "uid", json_get_str(owner, "metadata", "uid", NULL) ?: "");
        json_object_set_bool(ref, "controller", true);
        json_object_set_bool(ref, "blockOwnerDeletion", true);
        return ref;
}

json *rs_pod_from_template(const json *owner, const char *api_version, const char *kind) {
        const json *tmpl = json_get(owner, "spec", "template", NULL);
        const json *tmd = json_object_get(tmpl, "metadata");
        json *pod = json_new_object();
        json_object_set_string(pod, "apiVersion", "v1");
        json_object_set_string(pod, "kind", "Pod");
        json *md = json_object_ensure_object(pod, "metadata");
        _cleanup_free_ char *gen =
                xasprintf("%s-", json_get_str(owner, "metadata", "name", NULL) ?: "");
        json_object_set_string(md, "generateName", gen);
        const char *ns = json_get_str(owner, "metadata", "namespace", NULL);
        if (ns)
                json_object_set_string(md, "namespace", ns);
        static const char *const copied[] = { "labels", "annotations", "finalizers" };
        for (size_t i = 0; i < ELEMENTSOF(copied); i++) {
                const json *v = json_object_get(tmd, copied[i]);
                if (v)
                        json_object_set(md, copied[i], json_copy(v));
        }
        json *refs = json_new_array();
        json_array_append(refs, rs_controller_ref(owner, api_version, kind));
        json_object_set(md, "ownerReferences", refs);
        const json *spec = json_object_get(tmpl, "spec");
        json_object_set(pod, "spec", spec ? json_copy(spec) : json_new_object());
        return pod;
}

static bool labels_contain(const json *labels, const json *want) {
        for (size_t i = 0; i < json_object_len(want); i++)
                if (!streq_ptr(json_object_get_string(labels, json_object_key_at(want, i)),
                               json_string(json_object_value_at(want, i))))
                        return false;
        return true;
}

json *rs_compute_status(const json *rs, const json *const *pods, size_t n, tm_time now) {
        const json *tlabels = json_get(rs, "spec", "template", "metadata", "labels", NULL);
        int64_t min_ready = json_object_get_int(json_object_get(rs, "spec"), "minReadySeconds", 0);
        int64_t labeled = 0, ready = 0, available = 0;
        for (size_t i = 0; i < n; i++) {
                if (labels_contain(json_get(pods[i], "metadata", "labels", NULL), tlabels))
                        labeled++;
                if (rs_pod_is_ready(pods[i]))
                        ready++;
                if (rs_pod_is_available(pods[i], min_ready, now))
                        available++;
        }
        json *st = json_new_object();
        json_object_set_int(st, "replicas", (int64_t)n);
        /* Zeros left out, as upstream's omitempty does. */
        if (labeled)
                json_object_set_int(st, "fullyLabeledReplicas", labeled);
        if (ready)
                json_object_set_int(st, "readyReplicas", ready);
        if (available)
                json_object_set_int(st, "availableReplicas", available);
        int64_t gen = json_object_get_int(json_object_get(rs, "metadata"), "generation", 0);
        if (gen)
                json_object_set_int(st, "observedGeneration", gen);
        const json *conds = json_get(rs, "status", "conditions", NULL);
        if (json_array_len(conds) > 0)
                json_object_set(st, "conditions", json_copy(conds));
        return st;
}

size_t rs_slow_start_batch(size_t done, size_t total) {
        size_t batch = 1;
        for (size_t sent = 0; sent < done && batch < total; sent += batch)
                batch *= 2;
        return batch < total - done ? batch : total - done;
}
