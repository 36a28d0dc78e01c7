/* SPDX-License-Identifier: Apache-2.0 */
/* InterPodAffinity: required affinity, anti-affinity, and existing pods'
 * anti-affinity, by topology key. */
#include "config.h"

#include "../tap.h"
#include "sched_helpers.h"

#define ANTI(tk, app)                                                                            \
        "\"affinity\":{\"podAntiAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":" \
        "[{\"topologyKey\":\"" tk "\",\"labelSelector\":{\"matchLabels\":{\"app\":\"" app        \
        "\"}}}]}}"
#define AFF(tk, app)                                                                         \
        "\"affinity\":{\"podAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":" \
        "[{\"topologyKey\":\"" tk "\",\"labelSelector\":{\"matchLabels\":{\"app\":\"" app    \
        "\"}}}]}}"

static sched_pod *labeled(const char *name, const char *app, const char *ns, const char *spec) {
        char buf[4096];
        snprintf(buf, sizeof(buf),
                 "{\"metadata\":{\"name\":\"%s\",\"namespace\":\"%s\",\"labels\":{\"app\":\"%s\"}},"
                 "\"spec\":{%s%s\"containers\":[{\"name\":\"c\"}]}}",
                 name, ns, app, spec, *spec ? "," : "");
        return mkpod(buf);
}

/* Which nodes pass the filter, as a string like "n1 n3". */
static char *feasible(sched_snapshot *snap, sched_pod *pod, char **ret_reason) {
        sched_profile prof = { 0 };
        sched_cycle c = { .profile = &prof, .snap = snap, .pod = pod };
        void *state = NULL;
        sched_status st = { 0 };
        static char out[256];
        out[0] = '\0';
        sched_code pc = sched_plugin_inter_pod_affinity.pre_filter(&c, NULL, &state, &st);
        for (size_t i = 0; i < snap->n_nodes; i++) {
                if (pc != SCHED_SKIP &&
                    sched_plugin_inter_pod_affinity.filter(&c, NULL, state, snap->nodes[i], &st) !=
                            SCHED_SUCCESS)
                        continue;
                strcat(out, out[0] ? " " : "");
                strcat(out, snap->nodes[i]->name);
        }
        if (ret_reason)
                *ret_reason = st.n_reasons ? xstrdup(st.reasons[0]) : NULL;
        sched_status_done(&st);
        sched_plugin_inter_pod_affinity.free_state(state);
        return out;
}

int main(void) {
        sched_snapshot snap;
        sched_snapshot_init(&snap);
        sched_snapshot_set_node(&snap, mknode_simple("n1", "4", "8Gi", "\"zone\":\"a\"", ""));
        sched_snapshot_set_node(&snap, mknode_simple("n2", "4", "8Gi", "\"zone\":\"a\"", ""));
        sched_snapshot_set_node(&snap, mknode_simple("n3", "4", "8Gi", "\"zone\":\"b\"", ""));
        sched_snapshot_set_node(&snap, mknode_simple("n4", "4", "8Gi", "", ""));

        sched_pod *web1 = labeled("web-1", "web", "default", ANTI("kubernetes.io/hostname", "web"));
        _cleanup_free_ char *reason = NULL;
        is_str(feasible(&snap, web1, NULL), "n1 n2 n3 n4", "first replica anywhere");
        sched_node_add_pod(sched_snapshot_get(&snap, "n1"), web1);
        sched_pod *web2 = labeled("web-2", "web", "default", ANTI("kubernetes.io/hostname", "web"));
        is_str(feasible(&snap, web2, &reason), "n2 n3 n4", "anti-affinity by hostname avoids n1");
        is_str(reason, "node(s) didn't match pod anti-affinity rules", "anti-affinity reason");
        free(TAKE_PTR(reason));

        sched_pod *plain_web = labeled("w", "web", "default", "");
        is_str(feasible(&snap, plain_web, &reason), "n2 n3 n4",
               "existing pod's anti-affinity keeps a matching pod away");
        is_str(reason, "node(s) didn't satisfy existing pods anti-affinity rules",
               "existing anti-affinity reason");
        free(TAKE_PTR(reason));
        sched_pod *other_ns = labeled("w", "web", "prod", "");
        is_str(feasible(&snap, other_ns, NULL), "n1 n2 n3 n4",
               "terms apply to the pod's own namespace by default");

        sched_pod *zonal = labeled("z", "web", "default", ANTI("zone", "web"));
        is_str(feasible(&snap, zonal, NULL), "n3 n4", "anti-affinity by zone avoids zone a");

        sched_pod *cache = labeled("cache", "cache", "default", AFF("zone", "web"));
        is_str(feasible(&snap, cache, &reason), "n1 n2", "affinity by zone: zone a only");
        is_str(reason, "node(s) didn't match pod affinity rules", "affinity reason");
        free(TAKE_PTR(reason));
        sched_pod *lonely = labeled("l", "db", "default", AFF("zone", "db"));
        is_str(feasible(&snap, lonely, NULL), "n1 n2 n3 n4",
               "first pod of a group matching its own affinity goes anywhere");
        sched_pod *orphan = labeled("o", "db", "default", AFF("zone", "nothing"));
        is_str(feasible(&snap, orphan, NULL), "", "affinity to no pod fits nowhere");

        sched_pod *allns =
                labeled("x", "y", "prod",
                        "\"affinity\":{\"podAntiAffinity\":{\"requiredDuringSchedulingIgnored"
                        "DuringExecution\":[{\"topologyKey\":\"kubernetes.io/hostname\","
                        "\"namespaceSelector\":{},\"labelSelector\":{\"matchLabels\":"
                        "{\"app\":\"web\"}}}]}}");
        is_str(feasible(&snap, allns, NULL), "n2 n3 n4",
               "namespaceSelector {} selects every namespace");

        /* Score: preferred affinity to web by zone (10), preferred
         * anti-affinity to web by hostname (5): n1 10-5, n2 10, n3 0, n4 0. */
        sched_pod *pref = labeled(
                "pref", "db", "default",
                "\"affinity\":{\"podAffinity\":{"
                "\"preferredDuringSchedulingIgnoredDuringExecution\":"
                "[{\"weight\":10,\"podAffinityTerm\":{\"topologyKey\":\"zone\",\"labelSelector\":"
                "{\"matchLabels\":{\"app\":\"web\"}}}}]},\"podAntiAffinity\":{\"preferredDuring"
                "SchedulingIgnoredDuringExecution\":[{\"weight\":5,\"podAffinityTerm\":{"
                "\"topologyKey\":"
                "\"kubernetes.io/"
                "hostname\",\"labelSelector\":{\"matchLabels\":{\"app\":\"web\"}}}}]}}");
        const sched_plugin *ipa = &sched_plugin_inter_pod_affinity;
        sched_profile prof = { 0 };
        sched_cycle c = { .profile = &prof, .snap = &snap, .pod = pref };
        void *state = NULL;
        sched_status st = { 0 };
        ipa->pre_filter(&c, NULL, &state, &st);
        is_int(ipa->pre_score(&c, NULL, &state), SCHED_SUCCESS, "preferred terms: PreScore runs");
        int64_t sc[4];
        for (size_t i = 0; i < 4; i++)
                sc[i] = ipa->score(&c, NULL, state, snap.nodes[i]);
        ok(sc[0] == 5 && sc[1] == 10 && sc[2] == 0 && sc[3] == 0,
           "raw scores: affinity by zone minus anti-affinity by host (%lld %lld %lld %lld)",
           (long long)sc[0], (long long)sc[1], (long long)sc[2], (long long)sc[3]);
        ipa->normalize_score(&c, NULL, state, sc, 4);
        ok(sc[0] == 50 && sc[1] == 100 && sc[2] == 0 && sc[3] == 0, "min-max normalized");
        ipa->free_state(state);
        sched_pod *shy = labeled(
                "shy", "web", "default",
                "\"affinity\":{\"podAntiAffinity\":{"
                "\"preferredDuringSchedulingIgnoredDuringExecution\":"
                "[{\"weight\":100,\"podAffinityTerm\":{\"topologyKey\":\"zone\",\"labelSelector\":"
                "{\"matchLabels\":{\"app\":\"db\"}}}}]}}");
        sched_node_add_pod(snap.nodes[2], shy);
        sched_pod *db = labeled("db2", "db", "default", "");
        c.pod = db;
        state = NULL;
        ipa->pre_filter(&c, NULL, &state, &st);
        is_int(ipa->pre_score(&c, NULL, &state), SCHED_SUCCESS,
               "existing pods with terms: PreScore runs");
        ok(ipa->score(&c, NULL, state, snap.nodes[2]) == -100 &&
                   ipa->score(&c, NULL, state, snap.nodes[0]) == 0,
           "an existing pod's preferred anti-affinity counts against its zone");
        ipa->free_state(state);
        sched_status_done(&st);
        sched_node_remove_pod(shy);
        sched_pod_free(shy);
        sched_pod_free(db);
        sched_pod_free(pref);

        sched_node_remove_pod(web1);
        sched_pod *ps[] = { web1, web2, plain_web, other_ns, zonal, cache, lonely, orphan, allns };
        for (size_t i = 0; i < ELEMENTSOF(ps); i++)
                sched_pod_free(ps[i]);
        sched_snapshot_done(&snap);
        return tap_done();
}
