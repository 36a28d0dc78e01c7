/* SPDX-License-Identifier: Apache-2.0 */
/* NodeAffinity: nodeSelector, required terms with every operator and
 * matchFields, preferred weights. */
#include "config.h"

#include "../tap.h"
#include "sched_helpers.h"

static sched_node *zone_a, *zone_b, *bare;

static sched_code filt(sched_pod *pod, sched_node *n) {
        sched_profile prof = { 0 };
        sched_cycle c = { .profile = &prof, .pod = pod };
        sched_status st = { 0 };
        sched_code code = sched_plugin_node_affinity.filter(&c, NULL, NULL, n, &st);
        if (code != SCHED_SUCCESS && !streq(st.reasons[0], SCHED_REASON_NODE_AFFINITY))
                code = _SCHED_CODE_INVALID;
        sched_status_done(&st);
        return code;
}

/* Does a pod with one required term {expr} fit node n? */
static bool req_fits(const char *expr, sched_node *n) {
        char spec[2048];
        snprintf(spec, sizeof(spec),
                 "\"affinity\":{\"nodeAffinity\":{"
                 "\"requiredDuringSchedulingIgnoredDuringExecution\":"
                 "{\"nodeSelectorTerms\":[{%s}]}}}",
                 expr);
        sched_pod *p = mkpod_simple("p", "", "", spec);
        bool fits = filt(p, n) == SCHED_SUCCESS;
        sched_pod_free(p);
        return fits;
}

#define EXPR(k, op, vals) \
        "\"matchExpressions\":[{\"key\":\"" k "\",\"operator\":\"" op "\"" vals "}]"

int main(void) {
        zone_a = mknode_simple(
                "a", "4", "8Gi",
                "\"topology.kubernetes.io/zone\":\"z-a\",\"disktype\":\"ssd\",\"gen\":\"5\"", "");
        zone_b = mknode_simple("b", "4", "8Gi",
                               "\"topology.kubernetes.io/zone\":\"z-b\",\"gen\":\"3\"", "");
        bare = mknode_simple("c", "4", "8Gi", "", "");

        sched_pod *ssd = mkpod_simple("ssd", "", "", "\"nodeSelector\":{\"disktype\":\"ssd\"}");
        is_int(filt(ssd, zone_a), SCHED_SUCCESS, "nodeSelector matches");
        is_int(filt(ssd, zone_b), SCHED_UNSCHEDULABLE_UNRESOLVABLE,
               "nodeSelector mismatch: unresolvable with upstream's reason");
        sched_pod_free(ssd);

        ok(req_fits(EXPR("topology.kubernetes.io/zone", "In", ",\"values\":[\"z-a\",\"z-c\"]"),
                    zone_a),
           "In matches");
        ok(!req_fits(EXPR("topology.kubernetes.io/zone", "In", ",\"values\":[\"z-a\"]"), zone_b),
           "In does not match another value");
        ok(!req_fits(EXPR("topology.kubernetes.io/zone", "In", ",\"values\":[\"z-a\"]"), bare),
           "In does not match an absent label");
        ok(req_fits(EXPR("topology.kubernetes.io/zone", "NotIn", ",\"values\":[\"z-a\"]"), zone_b),
           "NotIn matches another value");
        ok(req_fits(EXPR("topology.kubernetes.io/zone", "NotIn", ",\"values\":[\"z-a\"]"), bare),
           "NotIn matches an absent label");
        ok(!req_fits(EXPR("topology.kubernetes.io/zone", "NotIn", ",\"values\":[\"z-a\"]"), zone_a),
           "NotIn excludes the value");
        ok(req_fits(EXPR("disktype", "Exists", ""), zone_a), "Exists");
        ok(!req_fits(EXPR("disktype", "Exists", ""), zone_b), "Exists on absent label");
        ok(req_fits(EXPR("disktype", "DoesNotExist", ""), zone_b), "DoesNotExist");
        ok(!req_fits(EXPR("disktype", "DoesNotExist", ""), zone_a),
           "DoesNotExist on present label");
        ok(req_fits(EXPR("gen", "Gt", ",\"values\":[\"4\"]"), zone_a), "Gt 5 > 4");
        ok(!req_fits(EXPR("gen", "Gt", ",\"values\":[\"4\"]"), zone_b), "Gt 3 > 4 fails");
        ok(req_fits(EXPR("gen", "Lt", ",\"values\":[\"4\"]"), zone_b), "Lt 3 < 4");
        ok(!req_fits(EXPR("gen", "Lt", ",\"values\":[\"4\"]"), bare), "Lt on absent label");
        ok(!req_fits(EXPR("gen", "Gt", ",\"values\":[\"x\"]"), zone_a), "Gt with a non-integer");
        ok(req_fits("\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"In\",\"values\":["
                    "\"b\"]}]",
                    zone_b),
           "matchFields metadata.name In");
        ok(!req_fits("\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"In\",\"values\":["
                     "\"b\"]}]",
                     zone_a),
           "matchFields other node");
        ok(req_fits("\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"NotIn\",\"values\":"
                    "[\"b\"]}]",
                    zone_a),
           "matchFields NotIn");
        ok(!req_fits("", zone_a), "an empty term matches nothing");
        ok(!req_fits(EXPR("gen", "Gt", ",\"values\":[\"4\"]") "," EXPR("disktype", "DoesNotExist",
                                                                       ""),
                     zone_a),
           "expressions of a term are ANDed");

        /* Terms are ORed. */
        sched_pod *either = mkpod_simple(
                "e", "", "",
                "\"affinity\":{\"nodeAffinity\":{"
                "\"requiredDuringSchedulingIgnoredDuringExecution\":"
                "{\"nodeSelectorTerms\":[{" EXPR(
                        "disktype", "In",
                        ",\"values\":[\"ssd\"]") "},{" EXPR("gen", "Lt",
                                                            ",\"values\":[\"4\"]") "}]}}}");
        ok(filt(either, zone_a) == SCHED_SUCCESS && filt(either, zone_b) == SCHED_SUCCESS &&
                   filt(either, bare) != SCHED_SUCCESS,
           "terms are ORed");
        sched_pod_free(either);

        /* Preferred weights */
        sched_snapshot snap;
        sched_snapshot_init(&snap);
        sched_pod *pref = mkpod_simple(
                "pref", "", "",
                "\"affinity\":{\"nodeAffinity\":{"
                "\"preferredDuringSchedulingIgnoredDuringExecution\":["
                "{\"weight\":80,\"preference\":{" EXPR(
                        "topology.kubernetes.io/zone", "In",
                        ",\"values\":[\"z-b\"]") "}},"
                                                 "{\"weight\":20,\"preference\":{" EXPR(
                                                         "gen", "Exists", "") "}}]}}");
        const sched_plugin *na = &sched_plugin_node_affinity;
        is_int(raw_score(na, NULL, &snap, pref, zone_a), 20, "one preferred term matches");
        is_int(raw_score(na, NULL, &snap, pref, zone_b), 100, "both preferred terms match");
        is_int(raw_score(na, NULL, &snap, pref, bare), 0, "none match");
        sched_snapshot_set_node(&snap, zone_a);
        sched_snapshot_set_node(&snap, zone_b);
        sched_snapshot_set_node(&snap, bare);
        sched_profile *prof = mkprofile("NodeAffinity", "NodeResourcesFit", NULL);
        sched_result r = run_one(prof, &snap, pref);
        is_str(r.node_name, "b", "the preferred zone wins");
        sched_result_done(&r);
        sched_profile_free(prof);
        sched_pod_free(pref);
        sched_snapshot_done(&snap);
        return tap_done();
}
