/* SPDX-License-Identifier: Apache-2.0 */
/* NodeResourcesFit (Filter, LeastAllocated and MostAllocated scoring) and
 * NodeResourcesBalancedAllocation. */
#include "config.h"

#include "../tap.h"
#include "sched_helpers.h"

static sched_code filter_on(sched_snapshot *snap, sched_pod *pod, sched_node *n, sched_status *st) {
        sched_profile prof = { 0 };
        sched_cycle c = { .profile = &prof, .snap = snap, .pod = pod };
        return sched_plugin_node_resources_fit.filter(&c, NULL, NULL, n, st);
}

static void test_filter(void) {
        sched_snapshot snap;
        sched_snapshot_init(&snap);
        sched_node *n =
                mknode("{\"metadata\":{\"name\":\"n1\"},\"status\":{\"allocatable\":{\"cpu\":\"2\","
                       "\"memory\":\"4Gi\",\"pods\":\"2\",\"ephemeral-storage\":\"10Gi\","
                       "\"nvidia.com/gpu\":\"1\"}}}");
        sched_snapshot_set_node(&snap, n);
        _cleanup_(sched_pod_freep) sched_pod *a = mkpod_simple("a", "1500m", "3Gi", "");
        sched_status st = { 0 };
        is_int(filter_on(&snap, a, n, &st), SCHED_SUCCESS,
               "1.5 cpu / 3Gi fits an empty 2/4Gi node");
        sched_status_done(&st);
        sched_node_add_pod(n, a);
        is_int(n->requested.milli_cpu, 1500, "node requested cpu summed");
        is_int(n->requested.memory, 3LL << 30, "node requested memory summed");

        _cleanup_(sched_pod_freep) sched_pod *b = mkpod_simple("b", "1", "2Gi", "");
        is_int(filter_on(&snap, b, n, &st), SCHED_UNSCHEDULABLE, "1 cpu / 2Gi no longer fits");
        is_int(st.n_reasons, 2, "two reasons");
        is_str(st.reasons[0], "Insufficient cpu", "cpu reason");
        is_str(st.reasons[1], "Insufficient memory", "memory reason");
        sched_status_done(&st);

        _cleanup_(sched_pod_freep) sched_pod *huge = mkpod_simple("h", "3", "", "");
        is_int(filter_on(&snap, huge, n, &st), SCHED_UNSCHEDULABLE_UNRESOLVABLE,
               "more than allocatable: unresolvable");
        sched_status_done(&st);

        _cleanup_(sched_pod_freep) sched_pod *be = mkpod_simple("be", "", "", "");
        is_int(filter_on(&snap, be, n, &st), SCHED_SUCCESS, "best-effort pod fits by pod count");
        sched_status_done(&st);
        sched_node_add_pod(n, be);
        _cleanup_(sched_pod_freep) sched_pod *be2 = mkpod_simple("be2", "", "", "");
        is_int(filter_on(&snap, be2, n, &st), SCHED_UNSCHEDULABLE, "third pod on a pods=2 node");
        is_str(st.n_reasons ? st.reasons[0] : NULL, "Too many pods", "Too many pods");
        sched_status_done(&st);
        sched_node_remove_pod(be);

        _cleanup_(sched_pod_freep) sched_pod *gpu = mkpod(
                "{\"metadata\":{\"name\":\"g\",\"namespace\":\"default\"},\"spec\":{\"containers\":"
                "[{\"name\":\"c\",\"resources\":{\"requests\":{\"nvidia.com/gpu\":\"2\","
                "\"ephemeral-storage\":\"20Gi\"}}}]}}");
        filter_on(&snap, gpu, n, &st);
        ok(st.n_reasons == 2 && streq(st.reasons[0], "Insufficient ephemeral-storage") &&
                   streq(st.reasons[1], "Insufficient nvidia.com/gpu"),
           "ephemeral-storage and extended resource reasons");
        sched_status_done(&st);
        sched_node_remove_pod(a);
        is_int(n->requested.milli_cpu, 0, "removing the pod subtracts");
        sched_snapshot_done(&snap);
}

static void test_scores(void) {
        sched_snapshot snap;
        sched_snapshot_init(&snap);
        sched_node *n1 = mknode_simple("n1", "4", "8Gi", "", "");
        sched_node *n2 = mknode_simple("n2", "4", "8Gi", "", "");
        sched_snapshot_set_node(&snap, n1);
        sched_snapshot_set_node(&snap, n2);
        _cleanup_(sched_pod_freep) sched_pod *placed = mkpod_simple("x", "2", "4Gi", "");
        sched_node_add_pod(n1, placed);
        _cleanup_(sched_pod_freep) sched_pod *p = mkpod_simple("p", "1", "2Gi", "");

        void *least = NULL, *most = NULL;
        sched_plugin_node_resources_fit.init(NULL, &least, NULL);
        json *args = parse_or_die("{\"scoringStrategy\":{\"type\":\"MostAllocated\"}}");
        ok(sched_plugin_node_resources_fit.init(args, &most, NULL) == 0, "MostAllocated args");
        /* n1: cpu (4-3)/4 = 25, memory (8-6)/8 = 25 -> 25; n2: 75 */
        is_int(raw_score(&sched_plugin_node_resources_fit, least, &snap, p, n1), 25,
               "LeastAllocated on the busy node");
        is_int(raw_score(&sched_plugin_node_resources_fit, least, &snap, p, n2), 75,
               "LeastAllocated on the empty node");
        is_int(raw_score(&sched_plugin_node_resources_fit, most, &snap, p, n1), 75,
               "MostAllocated on the busy node");
        is_int(raw_score(&sched_plugin_node_resources_fit, most, &snap, p, n2), 25,
               "MostAllocated on the empty node");
        _cleanup_(sched_pod_freep) sched_pod *be = mkpod_simple("be", "", "", "");
        /* 100m of 4000 and 200Mi of 8Gi: (3900*100/4000=97, (8192-200)*100/8192=97) */
        is_int(raw_score(&sched_plugin_node_resources_fit, least, &snap, be, n2), 97,
               "best-effort pod scored with the non-zero defaults");
        json *bad = parse_or_die("{\"scoringStrategy\":{\"type\":\"Random\"}}");
        void *cfg = NULL;
        tm_error *err = NULL;
        ok(sched_plugin_node_resources_fit.init(bad, &cfg, &err) == -EINVAL,
           "unknown strategy rejected");
        ok(err && strstr(err->msg, "Unsupported value: \"Random\""), "message names it");
        tm_error_free(err);
        json_free(bad);
        json *w = parse_or_die(
                "{\"scoringStrategy\":{\"type\":\"LeastAllocated\",\"resources\":"
                "[{\"name\":\"cpu\",\"weight\":3},{\"name\":\"memory\",\"weight\":1}]}}");
        void *weighted = NULL;
        sched_plugin_node_resources_fit.init(w, &weighted, NULL);
        _cleanup_(sched_pod_freep) sched_pod *cpu_heavy = mkpod_simple("ch", "3", "1Gi", "");
        /* n2: cpu (4-3)/4=25 x3, memory (8-1)/8 = 87 x1 -> (75+87)/4 = 40 */
        is_int(raw_score(&sched_plugin_node_resources_fit, weighted, &snap, cpu_heavy, n2), 40,
               "resource weights");

        /* Balanced: n2 with p: cpu 1/4, memory 2/8: equal -> 100 */
        void *bal = NULL;
        sched_plugin_balanced_allocation.init(NULL, &bal, NULL);
        is_int(raw_score(&sched_plugin_balanced_allocation, bal, &snap, p, n2), 100,
               "balanced fractions score 100");
        /* cpu 3/4 = .75, memory 1/8 = .125: sd .3125 -> 68 */
        is_int(raw_score(&sched_plugin_balanced_allocation, bal, &snap, cpu_heavy, n2), 68,
               "unbalanced fractions lower the score");
        sched_profile prof = { 0 };
        sched_cycle c = { .profile = &prof, .snap = &snap, .pod = be };
        void *state = NULL;
        is_int(sched_plugin_balanced_allocation.pre_score(&c, bal, &state), SCHED_SKIP,
               "best-effort pod skips BalancedAllocation");

        /* The framework spreads: the pod goes to the emptier node. */
        sched_profile *prof2 =
                mkprofile("NodeResourcesFit", "NodeResourcesBalancedAllocation", NULL);
        sched_result r = run_one(prof2, &snap, p);
        is_str(r.node_name, "n2", "LeastAllocated spreads to the empty node");
        sched_result_done(&r);
        sched_profile_free(prof2);
        sched_profile *pack = calloc(1, sizeof(*pack));
        pack->seed = 1;
        pack->scheduler_name = strdup("x");
        sched_profile_add(pack, "NodeResourcesFit", 0, args, NULL);
        r = run_one(pack, &snap, p);
        is_str(r.node_name, "n1", "MostAllocated packs onto the busy node");
        sched_result_done(&r);
        sched_profile_free(pack);

        json_free(args);
        json_free(w);
        free(least);
        free(most);
        free(weighted);
        free(bal);
        sched_node_remove_pod(placed);
        sched_snapshot_done(&snap);
}

int main(void) {
        test_filter();
        test_scores();
        return tap_done();
}
