/* SPDX-License-Identifier: Apache-2.0 */
/* PodTopologySpread: maxSkew over zones, missing labels, minDomains,
 * nodeAffinityPolicy. */
#include "config.h"

#include "../tap.h"
#include "sched_helpers.h"

static sched_pod *web(const char *name, const char *spread) {
        char buf[4096];
        snprintf(buf, sizeof(buf),
                 "{\"metadata\":{\"name\":\"%s\",\"namespace\":\"default\",\"labels\":{\"app\":"
                 "\"web\"}},"
                 "\"spec\":{%s%s\"containers\":[{\"name\":\"c\"}]}}",
                 name, spread, *spread ? "," : "");
        return mkpod(buf);
}

#define ZONE_SPREAD(extra)                                                        \
        "\"topologySpreadConstraints\":[{\"maxSkew\":1,\"topologyKey\":\"zone\"," \
        "\"whenUnsatisfiable\":"                                                  \
        "\"DoNotSchedule\",\"labelSelector\":{\"matchLabels\":{\"app\":\"web\"}}" extra "}]"

static char *feasible(sched_snapshot *snap, sched_pod *pod, char **ret_reason) {
        sched_profile prof = { 0 };
        sched_cycle c = { .profile = &prof, .snap = snap, .pod = pod };
        void *state = NULL;
        sched_status st = { 0 };
        static char out[256];
        out[0] = '\0';
        const sched_plugin *pl = &sched_plugin_pod_topology_spread;
        sched_code pc = pl->pre_filter(&c, NULL, &state, &st);
        for (size_t i = 0; i < snap->n_nodes; i++) {
                if (pc != SCHED_SKIP &&
                    pl->filter(&c, NULL, state, snap->nodes[i], &st) != SCHED_SUCCESS)
                        continue;
                strcat(out, out[0] ? " " : "");
                strcat(out, snap->nodes[i]->name);
        }
        if (ret_reason)
                *ret_reason = st.n_reasons ? xstrdup(st.reasons[0]) : NULL;
        sched_status_done(&st);
        pl->free_state(state);
        return out;
}

int main(void) {
        sched_snapshot snap;
        sched_snapshot_init(&snap);
        sched_snapshot_set_node(&snap, mknode_simple("a1", "4", "8Gi", "\"zone\":\"a\"", ""));
        sched_snapshot_set_node(&snap, mknode_simple("a2", "4", "8Gi", "\"zone\":\"a\"", ""));
        sched_snapshot_set_node(
                &snap, mknode_simple("b1", "4", "8Gi", "\"zone\":\"b\",\"ssd\":\"1\"", ""));
        sched_snapshot_set_node(&snap, mknode_simple("x", "4", "8Gi", "", ""));

        sched_pod *p1 = web("w1", ZONE_SPREAD(""));
        _cleanup_free_ char *reason = NULL;
        is_str(feasible(&snap, p1, &reason), "a1 a2 b1", "empty domains: any zoned node");
        is_str(reason,
               "node(s) didn't match pod topology spread constraints (missing required label)",
               "a node without the key: its reason");
        free(TAKE_PTR(reason));
        sched_node_add_pod(snap.nodes[0], p1);
        sched_pod *p2 = web("w2", ZONE_SPREAD(""));
        is_str(feasible(&snap, p2, &reason), "b1", "one pod in zone a: the next goes to b");
        is_str(reason, "node(s) didn't match pod topology spread constraints", "skew reason");
        free(TAKE_PTR(reason));
        sched_node_add_pod(snap.nodes[2], p2);
        sched_pod *p3 = web("w3", ZONE_SPREAD(""));
        is_str(feasible(&snap, p3, NULL), "a1 a2 b1", "balanced: anywhere");
        sched_node_add_pod(snap.nodes[2], p3); /* a: 1, b: 2 */
        sched_pod *p4 = web("w4", ZONE_SPREAD(",\"minDomains\":3"));
        is_str(feasible(&snap, p4, NULL), "", "minDomains 3 with 2 zones: min counts as 0");
        sched_pod *ssd = web("s", "\"nodeSelector\":{\"ssd\":\"1\"}," ZONE_SPREAD(""));
        is_str(feasible(&snap, ssd, NULL), "a1 a2 b1",
               "nodeAffinityPolicy Honor: only zone b is a domain, its 2 are the minimum");
        sched_pod *ign = web("i", "\"nodeSelector\":{\"ssd\":\"1\"}," ZONE_SPREAD(
                                          ",\"nodeAffinityPolicy\":\"Ignore\""));
        is_str(feasible(&snap, ign, NULL), "a1 a2",
               "nodeAffinityPolicy Ignore: zone a's 1 is the minimum");
        sched_pod *other = mkpod_simple("o", "", "", ZONE_SPREAD(""));
        sched_node_add_pod(snap.nodes[0], other);
        sched_pod *p5 = web("w5", ZONE_SPREAD(""));
        is_str(feasible(&snap, p5, NULL), "a1 a2", "pods not matching the selector do not count");
        sched_pod *any =
                web("any", "\"topologySpreadConstraints\":[{\"maxSkew\":1,\"topologyKey\":\"zone\","
                           "\"whenUnsatisfiable\":\"ScheduleAnyway\",\"labelSelector\":{}}]");
        is_str(feasible(&snap, any, NULL), "a1 a2 b1 x", "ScheduleAnyway does not filter");

        sched_pod *ps[] = { p1, p2, p3, p4, p5, ssd, ign, other, any };
        for (size_t i = 0; i < ELEMENTSOF(ps); i++)
                sched_pod_free(ps[i]);
        sched_snapshot_done(&snap);
        return tap_done();
}
