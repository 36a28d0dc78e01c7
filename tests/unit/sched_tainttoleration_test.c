/* SPDX-License-Identifier: Apache-2.0 */
/* TaintToleration and NodeUnschedulable. */
#include "config.h"

#include "../tap.h"
#include "sched_helpers.h"

static sched_code filt(const sched_plugin *pl, sched_pod *pod, sched_node *n, sched_status *st) {
        sched_profile prof = { 0 };
        sched_cycle c = { .profile = &prof, .pod = pod };
        return pl->filter(&c, NULL, NULL, n, st);
}

int main(void) {
        _cleanup_(sched_node_freep) sched_node *gpu = mknode_simple(
                "gpu", "4", "8Gi", "",
                "{\"key\":\"nvidia.com/gpu\",\"value\":\"true\",\"effect\":\"NoSchedule\"},"
                "{\"key\":\"spot\",\"value\":\"yes\",\"effect\":\"PreferNoSchedule\"}");
        _cleanup_(sched_node_freep) sched_node *exec =
                mknode_simple("ex", "4", "8Gi", "",
                              "{\"key\":\"dedicated\",\"value\":\"db\",\"effect\":\"NoExecute\"}");
        _cleanup_(sched_node_freep) sched_node *plain = mknode_simple("plain", "4", "8Gi", "", "");
        _cleanup_(sched_pod_freep) sched_pod *none = mkpod_simple("none", "", "", "");
        _cleanup_(sched_pod_freep) sched_pod *eq = mkpod_simple(
                "eq", "", "",
                "\"tolerations\":[{\"key\":\"nvidia.com/gpu\",\"operator\":\"Equal\",\"value\":"
                "\"true\",\"effect\":\"NoSchedule\"}]");
        _cleanup_(sched_pod_freep) sched_pod *wrongval = mkpod_simple(
                "wv", "", "", "\"tolerations\":[{\"key\":\"nvidia.com/gpu\",\"value\":\"false\"}]");
        _cleanup_(sched_pod_freep) sched_pod *exists = mkpod_simple(
                "ex", "", "",
                "\"tolerations\":[{\"key\":\"nvidia.com/gpu\",\"operator\":\"Exists\"}]");
        _cleanup_(sched_pod_freep) sched_pod *all =
                mkpod_simple("all", "", "", "\"tolerations\":[{\"operator\":\"Exists\"}]");
        _cleanup_(sched_pod_freep) sched_pod *noexec_only =
                mkpod_simple("ne", "", "",
                             "\"tolerations\":[{\"key\":\"nvidia.com/gpu\",\"operator\":\"Exists\","
                             "\"effect\":\"NoExecute\"}]");
        const sched_plugin *tt = &sched_plugin_taint_toleration;
        sched_status st = { 0 };
        is_int(filt(tt, none, gpu, &st), SCHED_UNSCHEDULABLE_UNRESOLVABLE,
               "untolerated NoSchedule");
        is_str(st.reasons[0], "node(s) had untolerated taint {nvidia.com/gpu: true}",
               "reason names the taint");
        sched_status_done(&st);
        is_int(filt(tt, none, exec, &st), SCHED_UNSCHEDULABLE_UNRESOLVABLE,
               "untolerated NoExecute");
        is_str(st.reasons[0], "node(s) had untolerated taint {dedicated: db}", "NoExecute reason");
        sched_status_done(&st);
        is_int(filt(tt, none, plain, &st), SCHED_SUCCESS, "no taints");
        is_int(filt(tt, eq, gpu, &st), SCHED_SUCCESS, "Equal toleration with value");
        is_int(filt(tt, wrongval, gpu, &st), SCHED_UNSCHEDULABLE_UNRESOLVABLE, "other value");
        sched_status_done(&st);
        is_int(filt(tt, exists, gpu, &st), SCHED_SUCCESS, "Exists toleration");
        is_int(filt(tt, all, exec, &st), SCHED_SUCCESS, "empty key Exists tolerates all");
        is_int(filt(tt, noexec_only, gpu, &st), SCHED_UNSCHEDULABLE_UNRESOLVABLE,
               "a toleration for another effect does not count");
        sched_status_done(&st);

        /* Score: PreferNoSchedule taints counted, then reversed. */
        sched_snapshot snap;
        sched_snapshot_init(&snap);
        is_int(raw_score(tt, NULL, &snap, exists, gpu), 1, "one untolerated PreferNoSchedule");
        _cleanup_(sched_pod_freep) sched_pod *spot = mkpod_simple(
                "spot", "", "",
                "\"tolerations\":[{\"key\":\"spot\",\"operator\":\"Exists\",\"effect\":"
                "\"PreferNoSchedule\"},{\"key\":\"nvidia.com/gpu\",\"operator\":\"Exists\"}]");
        is_int(raw_score(tt, NULL, &snap, spot, gpu), 0, "tolerated PreferNoSchedule");
        int64_t s[] = { 1, 0 };
        tt->normalize_score(NULL, NULL, NULL, s, 2);
        ok(s[0] == 0 && s[1] == 100, "reverse-normalized: fewer taints score higher");

        /* NodeUnschedulable */
        _cleanup_(sched_node_freep) sched_node *cordoned =
                mknode("{\"metadata\":{\"name\":\"c\"},\"spec\":{\"unschedulable\":true},"
                       "\"status\":{\"allocatable\":{\"pods\":\"10\"}}}");
        const sched_plugin *nu = &sched_plugin_node_unschedulable;
        is_int(filt(nu, none, cordoned, &st), SCHED_UNSCHEDULABLE_UNRESOLVABLE, "cordoned node");
        is_str(st.reasons[0], "node(s) were unschedulable", "unschedulable reason");
        sched_status_done(&st);
        is_int(filt(nu, none, plain, &st), SCHED_SUCCESS, "schedulable node");
        _cleanup_(sched_pod_freep) sched_pod *tol = mkpod_simple(
                "tol", "", "",
                "\"tolerations\":[{\"key\":\"node.kubernetes.io/unschedulable\",\"operator\":"
                "\"Exists\",\"effect\":\"NoSchedule\"}]");
        is_int(filt(nu, tol, cordoned, &st), SCHED_SUCCESS,
               "toleration of the unschedulable taint");
        sched_snapshot_done(&snap);
        return tap_done();
}
