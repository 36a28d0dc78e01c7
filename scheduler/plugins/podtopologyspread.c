/* SPDX-License-Identifier: Apache-2.0 */
/* PodTopologySpread (Filter): for each constraint with whenUnsatisfiable
 * DoNotSchedule, placing the pod on a node must not make the number of
 * matching pods in the node's domain exceed the smallest domain's by more
 * than maxSkew. Domains are the values of topologyKey on the eligible nodes:
 * those carrying every constraint's key and, with nodeAffinityPolicy Honor
 * (the default), matching the pod's node selector and affinity; with
 * nodeTaintsPolicy Honor, also tolerated. Fewer domains than minDomains
 * count the smallest as 0.
 *
 * Not done yet: ScheduleAnyway scoring, matchLabelKeys, the cluster-level
 * default constraints. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "scheduler/plugins/plugins.h"
#include "selector.h"
#include "strmap.h"

typedef struct constraint {
        const char *key;
        int64_t max_skew, min_domains;
        label_selector *selector;
        bool honor_affinity, honor_taints;
        bool self_match;
        strmap *counts; /* domain value -> count + 1 (as a pointer) */
        long min;
} constraint;

typedef struct spread_state {
        constraint *v;
        size_t n;
} spread_state;

static void free_state(void *p) {
        spread_state *s = p;
        for (size_t i = 0; i < s->n; i++) {
                label_selector_free(s->v[i].selector);
                strmap_free(s->v[i].counts);
        }
        free(s->v);
        free(s);
}

static long count_of(const constraint *c, const char *value) {
        intptr_t v = (intptr_t)strmap_get(c->counts, value);
        return v ? (long)(v - 1) : 0;
}

static bool node_eligible(const spread_state *s, const sched_pod *pod, const sched_node *n,
                          const constraint *c) {
        for (size_t i = 0; i < s->n; i++)
                if (!sched_node_label(n, s->v[i].key))
                        return false;
        if (c->honor_affinity && !sched_pod_matches_node_affinity(pod, n))
                return false;
        if (c->honor_taints)
                for (size_t i = 0; i < n->n_taints; i++) {
                        const sched_taint *t = &n->taints[i];
                        if ((streq(t->effect, "NoSchedule") || streq(t->effect, "NoExecute")) &&
                            !sched_pod_tolerates(pod, t))
                                return false;
                }
        return true;
}

static sched_code pre_filter(sched_cycle *c, void *config, void **state, sched_status *st) {
        (void)config;
        (void)st;
        const sched_pod *pod = c->pod;
        const json *tscs = json_get(pod->obj, "spec", "topologySpreadConstraints", NULL);
        spread_state *s = xcalloc(1, sizeof(*s));
        *state = s;
        for (size_t i = 0; i < json_array_len(tscs); i++) {
                const json *t = json_array_get(tscs, i);
                if (!streq_ptr(json_object_get_string(t, "whenUnsatisfiable"), "DoNotSchedule"))
                        continue;
                const char *key = json_object_get_string(t, "topologyKey");
                if (!key)
                        continue;
                label_selector *sel = NULL;
                if (label_selector_from_json(json_object_get(t, "labelSelector"), &sel, NULL) < 0)
                        sel = label_selector_new_nothing();
                s->v = xreallocarray(s->v, s->n + 1, sizeof(*s->v));
                constraint *k = &s->v[s->n++];
                *k = (constraint){
                        .key = key,
                        .max_skew = json_object_get_int(t, "maxSkew", 1),
                        .min_domains = json_object_get_int(t, "minDomains", 1),
                        .selector = sel,
                        .honor_affinity = !streq_ptr(
                                json_object_get_string(t, "nodeAffinityPolicy"), "Ignore"),
                        .honor_taints =
                                streq_ptr(json_object_get_string(t, "nodeTaintsPolicy"), "Honor"),
                        .counts = strmap_new(),
                };
                k->self_match = label_selector_matches_json(
                        sel, json_get(pod->obj, "metadata", "labels", NULL));
        }
        if (s->n == 0)
                return SCHED_SKIP;
        for (size_t i = 0; i < c->snap->n_nodes; i++) {
                const sched_node *n = c->snap->nodes[i];
                for (size_t k = 0; k < s->n; k++) {
                        constraint *ct = &s->v[k];
                        if (!node_eligible(s, pod, n, ct))
                                continue;
                        long matching = 0;
                        for (size_t j = 0; j < n->n_pods; j++) {
                                const sched_pod *o = n->pods[j];
                                if (streq(o->namespace, pod->namespace) &&
                                    !json_get(o->obj, "metadata", "deletionTimestamp", NULL) &&
                                    label_selector_matches_json(
                                            ct->selector,
                                            json_get(o->obj, "metadata", "labels", NULL)))
                                        matching++;
                        }
                        const char *v = sched_node_label(n, ct->key);
                        strmap_put(ct->counts, v,
                                   (void *)(intptr_t)(count_of(ct, v) + matching + 1));
                }
        }
        for (size_t k = 0; k < s->n; k++) {
                constraint *ct = &s->v[k];
                long min = -1;
                strmap_iter it = STRMAP_ITER_INIT;
                const char *key;
                void *val;
                while (strmap_next(ct->counts, &it, &key, &val))
                        if (min < 0 || (long)((intptr_t)val - 1) < min)
                                min = (long)((intptr_t)val - 1);
                if (min < 0)
                        min = INT32_MAX; /* no domain: nothing to compare with */
                if ((int64_t)strmap_size(ct->counts) < ct->min_domains)
                        min = 0;
                ct->min = min;
        }
        return SCHED_SUCCESS;
}

static sched_code filter(sched_cycle *c, void *config, void *state, const sched_node *n,
                         sched_status *st) {
        (void)c;
        (void)config;
        const spread_state *s = state;
        for (size_t k = 0; k < s->n; k++) {
                const constraint *ct = &s->v[k];
                const char *v = sched_node_label(n, ct->key);
                if (!v)
                        return sched_status_fail(st, SCHED_UNSCHEDULABLE_UNRESOLVABLE,
                                                 SCHED_REASON_SPREAD_LABEL);
                long skew = count_of(ct, v) + (ct->self_match ? 1 : 0) - ct->min;
                if (skew > ct->max_skew)
                        return sched_status_fail(st, SCHED_UNSCHEDULABLE, SCHED_REASON_SPREAD);
        }
        return SCHED_SUCCESS;
}

const sched_plugin sched_plugin_pod_topology_spread = {
        .name = "PodTopologySpread",
        .default_weight = 2,
        .free_state = free_state,
        .pre_filter = pre_filter,
        .filter = filter,
};
