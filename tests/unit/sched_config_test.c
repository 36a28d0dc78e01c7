/* SPDX-License-Identifier: Apache-2.0 */
/* The configuration file: profiles, plug-ins enabled and disabled per
 * extension point, weights, pluginConfig, percentageOfNodesToScore. */
#include "config.h"

#include "../tap.h"
#include "scheduler/configfile.h"
#include "sched_helpers.h"

static const sched_profile_entry *entry(const sched_profile *p, const char *name) {
        for (size_t i = 0; i < p->n_entries; i++)
                if (streq(p->entries[i].plugin->name, name))
                        return &p->entries[i];
        return NULL;
}

static int parse(const char *text, sched_profile ***v, size_t *n, char **ret_msg) {
        tm_error *err = NULL;
        int r = sched_config_parse(text, text ? strlen(text) : 0, v, n, &err);
        if (ret_msg)
                *ret_msg = err ? xstrdup(err->msg) : NULL;
        tm_error_free(err);
        return r;
}

int main(void) {
        sched_profile **v = NULL;
        size_t n = 0;
        ok(parse(NULL, &v, &n, NULL) == 0 && n == 1, "no file: one profile");
        is_str(v[0]->scheduler_name, "default-scheduler", "named default-scheduler");
        is_int(entry(v[0], "TaintToleration")->weight, 3, "default weight of TaintToleration");
        is_int(entry(v[0], "NodeAffinity")->weight, 2, "default weight of NodeAffinity");
        sched_profiles_free(v, n);

        const char *two = "apiVersion: kubescheduler.config.k8s.io/v1\n"
                          "kind: KubeSchedulerConfiguration\n"
                          "percentageOfNodesToScore: 30\n"
                          "profiles:\n"
                          "- schedulerName: default-scheduler\n"
                          "- schedulerName: bin-packer\n"
                          "  percentageOfNodesToScore: 100\n"
                          "  plugins:\n"
                          "    score:\n"
                          "      disabled:\n"
                          "      - name: NodeResourcesBalancedAllocation\n"
                          "      enabled:\n"
                          "      - name: NodeResourcesFit\n"
                          "        weight: 5\n"
                          "  pluginConfig:\n"
                          "  - name: NodeResourcesFit\n"
                          "    args:\n"
                          "      scoringStrategy:\n"
                          "        type: MostAllocated\n";
        char *msg = NULL;
        ok(parse(two, &v, &n, &msg) == 0 && n == 2, "two profiles");
        is_int(v[0]->percentage_of_nodes_to_score, 30, "top-level percentage inherited");
        is_int(v[1]->percentage_of_nodes_to_score, 100, "profile percentage");
        is_str(v[1]->scheduler_name, "bin-packer", "second profile's name");
        ok(entry(v[1], "NodeResourcesBalancedAllocation")->disabled & SCHED_POINT_SCORE,
           "score disabled for BalancedAllocation");
        ok(!(entry(v[1], "NodeResourcesFit")->disabled & SCHED_POINT_FILTER),
           "NodeResourcesFit still filters");
        is_int(entry(v[1], "NodeResourcesFit")->weight, 5, "score weight set");

        /* bin-packer packs: MostAllocated onto the busier node */
        sched_snapshot snap;
        sched_snapshot_init(&snap);
        sched_node *n1 = mknode_simple("n1", "4", "8Gi", "", "");
        sched_snapshot_set_node(&snap, n1);
        sched_snapshot_set_node(&snap, mknode_simple("n2", "4", "8Gi", "", ""));
        sched_pod *placed = mkpod_simple("x", "2", "4Gi", "");
        sched_node_add_pod(n1, placed);
        sched_pod *p = mkpod_simple("p", "1", "2Gi", "");
        sched_result r = run_one(v[1], &snap, p);
        is_str(r.node_name, "n1", "the bin-packer profile packs");
        sched_result_done(&r);
        r = run_one(v[0], &snap, p);
        is_str(r.node_name, "n2", "the default profile spreads");
        sched_result_done(&r);
        sched_profiles_free(v, n);

        const char *star = "profiles:\n"
                           "- plugins:\n"
                           "    filter:\n"
                           "      disabled:\n"
                           "      - name: '*'\n"
                           "      enabled:\n"
                           "      - name: NodeName\n";
        ok(parse(star, &v, &n, NULL) == 0, "disable every filter but one");
        ok(entry(v[0], "NodeResourcesFit")->disabled & SCHED_POINT_FILTER, "fit filter off");
        ok(!(entry(v[0], "NodeName")->disabled & SCHED_POINT_FILTER), "NodeName re-enabled");
        sched_pod *huge = mkpod_simple("h", "64", "", "");
        r = run_one(v[0], &snap, huge);
        is_int(r.code, SCHED_SUCCESS, "without the fit filter a 64-cpu pod is placed");
        sched_result_done(&r);
        sched_profiles_free(v, n);

        ok(parse("profiles:\n- schedulerName: a\n- schedulerName: a\n", &v, &n, &msg) == -EINVAL,
           "duplicate profile names rejected");
        is_str(msg, "profiles[1].schedulerName: Duplicate value: \"a\"", "duplicate message");
        free(msg);
        ok(parse("profiles:\n- plugins:\n    score:\n      enabled:\n      - name: Nope\n", &v, &n,
                 &msg) == -ENOENT,
           "unknown plug-in rejected");
        is_str(msg, "profiles[0].plugins.score.enabled[0]: unknown plug-in \"Nope\"",
               "unknown plug-in message");
        free(msg);
        ok(parse("percentageOfNodesToScore: 101\n", &v, &n, &msg) == -EINVAL,
           "percentage out of range");
        free(msg);
        ok(parse("apiVersion: v1\nkind: Pod\n", &v, &n, &msg) == -EINVAL, "wrong kind rejected");
        free(msg);
        ok(parse("profiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args:\n"
                 "      scoringStrategy: {type: Random}\n",
                 &v, &n, &msg) == -EINVAL,
           "bad plug-in args rejected");
        ok(msg && strstr(msg, "Unsupported value"), "args message");
        free(msg);

        sched_pod_free(p);
        sched_pod_free(huge);
        sched_pod_free(placed);
        sched_snapshot_done(&snap);
        return tap_done();
}
