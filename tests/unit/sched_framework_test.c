/* SPDX-License-Identifier: Apache-2.0 */
/* The framework: pod requests, the cycle, normalization, the
 * FailedScheduling summary. */
#include "config.h"

#include "../tap.h"
#include "sched_helpers.h"

static void test_pod_requests(void) {
        _cleanup_(sched_pod_freep) sched_pod *p =
                mkpod("{\"metadata\":{\"name\":\"w\",\"namespace\":\"default\"},\"spec\":{"
                      "\"initContainers\":["
                      "{\"name\":\"side\",\"restartPolicy\":\"Always\",\"resources\":{\"requests\":"
                      "{\"cpu\":\"100m\",\"memory\":\"64Mi\"}}},"
                      "{\"name\":\"init\",\"resources\":{\"requests\":{\"cpu\":\"2\",\"memory\":"
                      "\"32Mi\"}}}],"
                      "\"containers\":["
                      "{\"name\":\"a\",\"resources\":{\"requests\":{\"cpu\":\"500m\",\"memory\":"
                      "\"1Gi\"}}},"
                      "{\"name\":\"b\",\"resources\":{\"requests\":{\"cpu\":\"250m\"}}}],"
                      "\"overhead\":{\"cpu\":\"10m\",\"memory\":\"1Mi\"}}}");
        /* containers 750m + sidecar 100m = 850m; init 2 + sidecar 100m = 2100m wins */
        is_int(p->requests.milli_cpu, 2100 + 10, "cpu: max(init + sidecars, sum) + overhead");
        /* memory: 1Gi + 64Mi vs 32Mi + 64Mi */
        is_int(p->requests.memory, (1024 + 64 + 1) * 1024 * 1024LL,
               "memory: sum with sidecar + overhead");
        /* b has no memory request: 200Mi for scoring */
        is_int(p->nonzero_requests.memory, (1024 + 64 + 200 + 1) * 1024 * 1024LL,
               "non-zero memory counts the default for a missing request");
        _cleanup_(sched_pod_freep) sched_pod *be = mkpod_simple("be", "", "", "");
        is_int(be->requests.milli_cpu, 0, "best-effort pod requests no cpu");
        is_int(be->nonzero_requests.milli_cpu, 100, "non-zero cpu default 100m");
        is_int(be->nonzero_requests.memory, 200 * 1024 * 1024LL, "non-zero memory default 200Mi");
        _cleanup_(sched_pod_freep) sched_pod *gpu =
                mkpod_simple("gpu", "1", "", "\"priority\":1000,\"preemptionPolicy\":\"Never\"");
        is_int(gpu->priority, 1000, "spec.priority read");
        ok(gpu->preemption_never, "preemptionPolicy Never read");
        ok(gpu->creation_ns == 1767225600LL * 1000000000LL, "creationTimestamp parsed");
}

static void test_normalize(void) {
        int64_t s[] = { 0, 5, 10 };
        sched_default_normalize_score(100, false, s, 3);
        ok(s[0] == 0 && s[1] == 50 && s[2] == 100, "normalize scales by the maximum");
        int64_t r[] = { 0, 1, 4 };
        sched_default_normalize_score(100, true, r, 3);
        ok(r[0] == 100 && r[1] == 75 && r[2] == 0, "reverse normalize");
        int64_t z[] = { 0, 0 };
        sched_default_normalize_score(100, true, z, 2);
        ok(z[0] == 100 && z[1] == 100, "all zero reversed gives the maximum");
}

static void test_feasible_count(void) {
        is_int(sched_num_feasible_nodes_to_find(0, 50), 50, "under 100 nodes: all");
        is_int(sched_num_feasible_nodes_to_find(0, 1000), 420, "1000 nodes: 42%%");
        is_int(sched_num_feasible_nodes_to_find(0, 5000), 500, "5000 nodes: 10%%");
        is_int(sched_num_feasible_nodes_to_find(0, 100000), 5000, "100000 nodes: at least 5%%");
        is_int(sched_num_feasible_nodes_to_find(0, 150), 100, "never under 100");
        is_int(sched_num_feasible_nodes_to_find(100, 5000), 5000, "percentage 100: all");
        is_int(sched_num_feasible_nodes_to_find(30, 5000), 1500, "configured 30%%");
}

static void test_fit_error(void) {
        sched_snapshot snap;
        sched_snapshot_init(&snap);
        sched_snapshot_set_node(&snap,
                                mknode_simple("cp", "8", "16Gi",
                                              "\"node-role.kubernetes.io/control-plane\":\"\"",
                                              "{\"key\":\"node-role.kubernetes.io/control-plane\","
                                              "\"effect\":\"NoSchedule\"}"));
        sched_snapshot_set_node(&snap, mknode_simple("w1", "2", "8Gi", "", ""));
        sched_snapshot_set_node(&snap, mknode_simple("w2", "2", "8Gi", "", ""));
        _cleanup_(sched_profile_freep) sched_profile *prof = NULL;
        ok(sched_profile_new_default("default-scheduler", NULL, &prof, NULL) == 0,
           "default profile builds");
        _cleanup_(sched_pod_freep) sched_pod *big = mkpod_simple("big", "3", "1Gi", "");
        sched_result r = run_one(prof, &snap, big);
        is_int(r.code, SCHED_UNSCHEDULABLE, "3 cpu fits nowhere");
        is_str(r.message,
               "0/3 nodes are available: 1 node(s) had untolerated taint "
               "{node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 "
               "nodes are available: 3 Preemption is not helpful for scheduling.",
               "FailedScheduling message as upstream");
        sched_result_done(&r);

        /* 1.5 cpu fits w1/w2 until they fill; low-priority pods then make
         * preemption "No preemption victims" when the pod has equal priority. */
        _cleanup_(sched_pod_freep) sched_pod *a = mkpod_simple("a", "1500m", "1Gi", "");
        r = run_one(prof, &snap, a);
        is_int(r.code, SCHED_SUCCESS, "1.5 cpu pod scheduled");
        ok(r.node_name && (streq(r.node_name, "w1") || streq(r.node_name, "w2")),
           "on a worker, not the tainted node");
        sched_node_add_pod(sched_snapshot_get(&snap, r.node_name), a);
        char *first = xstrdup(r.node_name);
        sched_result_done(&r);
        _cleanup_(sched_pod_freep) sched_pod *b = mkpod_simple("b", "1500m", "1Gi", "");
        r = run_one(prof, &snap, b);
        ok(r.code == SCHED_SUCCESS && !streq(r.node_name, first), "second pod on the other worker");
        sched_node_add_pod(sched_snapshot_get(&snap, r.node_name), b);
        sched_result_done(&r);
        free(first);
        _cleanup_(sched_pod_freep) sched_pod *c = mkpod_simple("c", "1", "", "");
        r = run_one(prof, &snap, c);
        is_str(r.message,
               "0/3 nodes are available: 1 node(s) had untolerated taint "
               "{node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 "
               "nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption "
               "victims found for incoming pod.",
               "resolvable shortage: no victims at equal priority");
        sched_result_done(&r);
        _cleanup_(sched_pod_freep) sched_pod *never =
                mkpod_simple("n", "1", "", "\"priority\":10,\"preemptionPolicy\":\"Never\"");
        r = run_one(prof, &snap, never);
        ok(r.message &&
                   strstr(r.message, "preemption: not eligible due to preemptionPolicy=Never."),
           "preemptionPolicy Never named");
        sched_result_done(&r);
        _cleanup_(sched_pod_freep) sched_pod *hi = mkpod_simple("hi", "1", "", "\"priority\":10");
        r = run_one(prof, &snap, hi);
        ok(r.code == SCHED_UNSCHEDULABLE && strstr(r.message, "would fit after evicting"),
           "higher priority: a preemption candidate is found");
        sched_result_done(&r);

        sched_snapshot empty;
        sched_snapshot_init(&empty);
        r = run_one(prof, &empty, c);
        is_str(r.message, "no nodes available to schedule pods", "no nodes at all");
        sched_result_done(&r);
        sched_snapshot_done(&empty);
        /* pods must leave before the snapshot frees their nodes */
        sched_node_remove_pod(a);
        sched_node_remove_pod(b);
        sched_snapshot_done(&snap);
}

static void test_sorting_and_counts(void) {
        sched_status st[12] = { 0 };
        for (int i = 0; i < 10; i++)
                sched_status_fail(&st[i], SCHED_UNSCHEDULABLE, "Insufficient memory");
        sched_status_fail(&st[10], SCHED_UNSCHEDULABLE, "Insufficient cpu");
        sched_status_fail(&st[10], SCHED_UNSCHEDULABLE, "Insufficient memory");
        sched_status_fail(&st[11], SCHED_UNSCHEDULABLE_UNRESOLVABLE, "node(s) were unschedulable");
        char *m = sched_fit_error_message(12, st, 12, NULL, NULL);
        is_str(m,
               "0/12 nodes are available: 1 Insufficient cpu, 1 node(s) were unschedulable, "
               "11 Insufficient memory.",
               "reasons counted and sorted as strings (\"11\" after \"1 \")");
        free(m);
        m = sched_fit_error_message(12, st, 12, "pod has unbound PersistentVolumeClaims", NULL);
        is_str(m, "0/12 nodes are available: pod has unbound PersistentVolumeClaims.",
               "a PreFilter message replaces the node reasons");
        free(m);
        for (int i = 0; i < 12; i++)
                sched_status_done(&st[i]);
}

static int bind_calls;
static int fake_bind(const sched_pod *pod, const char *node, void *userdata, tm_error **err) {
        (void)pod;
        (void)userdata;
        bind_calls++;
        if (streq(node, "bad"))
                return tm_error_set(err, -EIO, "connection refused");
        return 0;
}

static void test_bind(void) {
        sched_snapshot snap;
        sched_snapshot_init(&snap);
        sched_snapshot_set_node(&snap, mknode_simple("bad", "4", "8Gi", "", ""));
        sched_profile *prof = mkprofile("NodeResourcesFit", "DefaultBinder", NULL);
        prof->bind = fake_bind;
        _cleanup_(sched_pod_freep) sched_pod *p = mkpod_simple("p", "1", "1Gi", "");
        sched_result r = run_one(prof, &snap, p);
        is_int(bind_calls, 1, "Bind plug-in called the binder");
        is_int(r.code, SCHED_ERROR, "a failed binding is an error");
        is_str(r.message, "binding rejected: connection refused", "binding error message");
        sched_result_done(&r);
        sched_snapshot_set_node(&snap, mknode_simple("bad", "4", "8Gi", "", ""));
        sched_snapshot_remove_node(&snap, "bad");
        ok(sched_snapshot_get(&snap, "bad") == NULL && snap.n_nodes == 0, "node removed");
        sched_profile_free(prof);
        sched_snapshot_done(&snap);
}

static void test_snapshot_table(void) {
        sched_snapshot snap;
        sched_snapshot_init(&snap);
        char name[32];
        for (int i = 0; i < 300; i++) {
                snprintf(name, sizeof(name), "n%d", i);
                sched_snapshot_set_node(&snap, mknode_simple(name, "1", "1Gi", "", ""));
        }
        sched_snapshot_remove_node(&snap, "n7");
        bool all = true;
        for (int i = 0; i < 300; i++) {
                snprintf(name, sizeof(name), "n%d", i);
                sched_node *n = sched_snapshot_get(&snap, name);
                all = all && (i == 7 ? n == NULL : n && streq(n->name, name));
        }
        ok(all && snap.n_nodes == 299, "300 nodes by name, one removed");
        sched_snapshot_done(&snap);
}

int main(void) {
        test_pod_requests();
        test_normalize();
        test_feasible_count();
        test_fit_error();
        test_sorting_and_counts();
        test_bind();
        test_snapshot_table();
        return tap_done();
}
