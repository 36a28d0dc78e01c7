/* SPDX-License-Identifier: Apache-2.0 */
/* NodeName: spec.nodeName restricts the pod to that node. */
#include "config.h"

#include "../tap.h"
#include "sched_helpers.h"

int main(void) {
        sched_snapshot snap;
        sched_snapshot_init(&snap);
        sched_snapshot_set_node(&snap, mknode_simple("n1", "4", "8Gi", "", ""));
        sched_snapshot_set_node(&snap, mknode_simple("n2", "4", "8Gi", "", ""));
        sched_pod *pinned = mkpod_simple("p", "", "", "\"nodeName\":\"n2\"");
        sched_pod *free_pod = mkpod_simple("f", "", "", "");
        is_str(pinned->node_name, "n2", "spec.nodeName read");
        ok(free_pod->node_name == NULL, "no nodeName");
        sched_profile prof = { 0 };
        sched_cycle c = { .profile = &prof, .pod = pinned };
        sched_status st = { 0 };
        is_int(sched_plugin_node_name.filter(&c, NULL, NULL, snap.nodes[0], &st),
               SCHED_UNSCHEDULABLE_UNRESOLVABLE, "other node rejected");
        is_str(st.reasons[0], "node(s) didn't match the requested node name", "reason");
        sched_status_done(&st);
        is_int(sched_plugin_node_name.filter(&c, NULL, NULL, snap.nodes[1], &st), SCHED_SUCCESS,
               "named node accepted");
        c.pod = free_pod;
        is_int(sched_plugin_node_name.filter(&c, NULL, NULL, snap.nodes[0], &st), SCHED_SUCCESS,
               "no nodeName: any node");
        sched_profile *p = mkprofile("NodeName", "NodeResourcesFit", NULL);
        sched_result r = run_one(p, &snap, pinned);
        is_str(r.node_name, "n2", "scheduled to the named node");
        sched_result_done(&r);
        sched_pod *gone = mkpod_simple("g", "", "", "\"nodeName\":\"n9\"");
        r = run_one(p, &snap, gone);
        is_str(r.message,
               "0/2 nodes are available: 2 node(s) didn't match the requested node name.",
               "a missing node: summary");
        sched_result_done(&r);
        sched_profile_free(p);
        sched_pod_free(gone);
        sched_pod_free(pinned);
        sched_pod_free(free_pod);
        sched_snapshot_done(&snap);
        return tap_done();
}
