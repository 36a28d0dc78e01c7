/* SPDX-License-Identifier: Apache-2.0 */
/* The DaemonSet controller's decisions on hand-made objects. */
#include "config.h"

#include <string.h>

#include "controllers/daemonset.h"
#include "tests/tap.h"
#include "util.h"

static json *parse(const char *s) {
        json *v = NULL;
        if (json_parse(s, strlen(s), NULL, &v, NULL) < 0)
                abort();
        return v;
}

static json *node(const char *name, const char *labels, const char *taints) {
        _cleanup_free_ char *s = xasprintf(
                "{\"metadata\":{\"name\":\"%s\",\"labels\":{%s}},\"spec\":{\"taints\":[%s]}}", name,
                labels, taints);
        return parse(s);
}

static json *ds(const char *tmpl_spec) {
        _cleanup_free_ char *s = xasprintf(
                "{\"metadata\":{\"name\":\"agent\",\"namespace\":\"default\",\"uid\":\"u1\"},"
                "\"spec\":{\"template\":{\"metadata\":{\"labels\":{\"app\":\"agent\"}},"
                "\"spec\":{%s\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}}}",
                tmpl_spec);
        return parse(s);
}

int main(void) {
        _cleanup_json_ json *plain = ds("");
        _cleanup_json_ json *n1 = node("n1", "\"disk\":\"ssd\"", "");
        _cleanup_json_ json *tainted =
                node("n2", "\"disk\":\"ssd\"",
                     "{\"key\":\"gpu\",\"value\":\"yes\",\"effect\":\"NoSchedule\"}");
        _cleanup_json_ json *prefer =
                node("n3", "", "{\"key\":\"gpu\",\"effect\":\"PreferNoSchedule\"}");
        _cleanup_json_ json *notready = node(
                "n4", "", "{\"key\":\"node.kubernetes.io/not-ready\",\"effect\":\"NoExecute\"}");
        _cleanup_json_ json *unsched =
                node("n5", "",
                     "{\"key\":\"node.kubernetes.io/unschedulable\",\"effect\":\"NoSchedule\"}");
        _cleanup_json_ json *netun = node(
                "n6", "",
                "{\"key\":\"node.kubernetes.io/network-unavailable\",\"effect\":\"NoSchedule\"}");

        ok(ds_node_should_run(plain, n1), "an untainted node runs a pod");
        ok(!ds_node_should_run(plain, tainted), "a NoSchedule taint keeps it off");
        ok(ds_node_should_run(plain, prefer), "PreferNoSchedule does not");
        ok(ds_node_should_run(plain, notready), "not-ready is tolerated by default");
        ok(ds_node_should_run(plain, unsched), "unschedulable is tolerated by default");
        ok(!ds_node_should_run(plain, netun), "network-unavailable is not, without hostNetwork");
        _cleanup_json_ json *hostnet = ds("\"hostNetwork\":true,");
        ok(ds_node_should_run(hostnet, netun), "but is with hostNetwork");

        _cleanup_json_ json *tol = ds("\"tolerations\":[{\"key\":\"gpu\",\"operator\":\"Equal\","
                                      "\"value\":\"yes\",\"effect\":\"NoSchedule\"}],");
        ok(ds_node_should_run(tol, tainted), "a matching toleration lets it on");
        _cleanup_json_ json *tol2 = ds("\"tolerations\":[{\"key\":\"gpu\",\"operator\":\"Equal\","
                                       "\"value\":\"no\"}],");
        ok(!ds_node_should_run(tol2, tainted), "a toleration with another value does not");

        _cleanup_json_ json *sel = ds("\"nodeSelector\":{\"disk\":\"ssd\"},");
        ok(ds_node_should_run(sel, n1), "nodeSelector matches");
        ok(!ds_node_should_run(sel, prefer),
           "nodeSelector does not match a node without the label");

        _cleanup_json_ json *aff =
                ds("\"affinity\":{\"nodeAffinity\":{"
                   "\"requiredDuringSchedulingIgnoredDuringExecution\":"
                   "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"disk\",\"operator\":"
                   "\"NotIn\",\"values\":[\"ssd\"]}]},{\"matchFields\":[{\"key\":\"metadata.name\","
                   "\"operator\":\"In\",\"values\":[\"n1\"]}]}]}}},");
        ok(ds_node_should_run(aff, prefer), "required affinity: first term (NotIn, no label)");
        ok(ds_node_should_run(aff, n1), "required affinity: second term (matchFields)");
        _cleanup_json_ json *n7 = node("n7", "\"disk\":\"ssd\"", "");
        ok(!ds_node_should_run(aff, n7), "required affinity: neither term");
        _cleanup_json_ json *empty_term = parse("{}");
        ok(!ds_node_selector_term_matches(empty_term, n1), "an empty term matches nothing");
        _cleanup_json_ json *gt = parse("{\"matchExpressions\":[{\"key\":\"cores\",\"operator\":"
                                        "\"Gt\",\"values\":[\"4\"]}]}");
        _cleanup_json_ json *big = node("big", "\"cores\":\"8\"", "");
        ok(ds_node_selector_term_matches(gt, big), "Gt compares integers");
        ok(!ds_node_selector_term_matches(gt, n1), "Gt on a missing label fails");

        _cleanup_json_ json *pod = ds_pod_for_node(aff, "n1", "abc");
        is_str(json_get_str(pod, "metadata", "labels", DS_HASH_LABEL, NULL), "abc",
               "the pod has the hash label");
        is_str(json_get_str(pod, "metadata", "labels", "app", NULL), "agent",
               "and the template's labels");
        is_str(json_get_str(pod, "metadata", "generateName", NULL), "agent-", "generateName");
        const json *ref = json_array_get(json_get(pod, "metadata", "ownerReferences", NULL), 0);
        is_str(json_object_get_string(ref, "kind"), "DaemonSet", "owned by the DaemonSet");
        ok(json_object_get_bool(ref, "controller", false), "as controller");
        is_str(ds_pod_node(pod), "n1", "the pod's node comes from its affinity");
        const json *terms = json_get(pod, "spec", "affinity", "nodeAffinity",
                                     "requiredDuringSchedulingIgnoredDuringExecution",
                                     "nodeSelectorTerms", NULL);
        is_int(json_array_len(terms), 1, "one required term replaces the template's");
        ok(!json_object_get(json_array_get(terms, 0), "matchExpressions"), "with only matchFields");
        is_int(json_array_len(json_get(pod, "spec", "tolerations", NULL)), 6,
               "the six default tolerations");
        _cleanup_json_ json *hpod = ds_pod_for_node(hostnet, "n6", "abc");
        is_int(json_array_len(json_get(hpod, "spec", "tolerations", NULL)), 7,
               "seven with hostNetwork");
        _cleanup_json_ json *bound = parse("{\"spec\":{\"nodeName\":\"nX\"}}");
        is_str(ds_pod_node(bound), "nX", "spec.nodeName wins");

        ok(ds_max_unavailable(plain, 10) == 1, "maxUnavailable defaults to 1");
        _cleanup_json_ json *pct = parse(
                "{\"spec\":{\"updateStrategy\":{\"rollingUpdate\":{\"maxUnavailable\":\"25%\"}}}}");
        is_int(ds_max_unavailable(pct, 10), 3, "25%% of 10 rounds up to 3");
        is_int(ds_max_unavailable(pct, 0), 1, "at least 1");
        return tap_done();
}
