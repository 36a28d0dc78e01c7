/* SPDX-License-Identifier: Apache-2.0 */
/* InterPodAffinity (Filter): the pod's required affinity terms need a
 * matching pod in the node's topology domain, its required anti-affinity
 * terms need none, and no pod already placed may have a required
 * anti-affinity term matching the pod in the node's domain.
 *
 * Terms select namespaces by `namespaces`, or the pod's own namespace when
 * neither that nor `namespaceSelector` is given; an empty namespaceSelector
 * ({}) selects every namespace. A non-empty namespaceSelector needs the
 * Namespace objects, which the snapshot lacks: it selects only the listed
 * namespaces. Preferred terms (Score) are not done yet. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "scheduler/plugins/plugins.h"
#include "selector.h"

typedef struct term {
        const char *topology_key;
        label_selector *selector;
        const json *namespaces;
        bool all_namespaces;
        const char *own_namespace;
} term;

typedef struct term_list {
        term *v;
        size_t n;
} term_list;

static void term_list_done(term_list *l) {
        for (size_t i = 0; i < l->n; i++)
                label_selector_free(l->v[i].selector);
        free(l->v);
        *l = (term_list){ 0 };
}

static void parse_terms(const json *arr, const char *ns, term_list *ret) {
        for (size_t i = 0; i < json_array_len(arr); i++) {
                const json *t = json_array_get(arr, i);
                const char *tk = json_object_get_string(t, "topologyKey");
                label_selector *sel = NULL;
                if (!tk ||
                    label_selector_from_json(json_object_get(t, "labelSelector"), &sel, NULL) < 0)
                        sel = label_selector_new_nothing();
                const json *nss = json_object_get(t, "namespaceSelector");
                ret->v = xreallocarray(ret->v, ret->n + 1, sizeof(*ret->v));
                ret->v[ret->n++] = (term){
                        .topology_key = tk ? tk : "",
                        .selector = sel,
                        .namespaces = json_object_get(t, "namespaces"),
                        .all_namespaces = json_is_object(nss) && json_object_len(nss) == 0,
                        .own_namespace = (!json_array_len(json_object_get(t, "namespaces")) &&
                                          (!nss || json_is_null(nss)))
                                                 ? ns
                                                 : NULL,
                };
        }
}

static bool term_matches(const term *t, const sched_pod *p) {
        bool ns_ok = t->all_namespaces || streq_ptr(t->own_namespace, p->namespace);
        for (size_t i = 0; !ns_ok && i < json_array_len(t->namespaces); i++)
                ns_ok = streq_ptr(json_string(json_array_get(t->namespaces, i)), p->namespace);
        return ns_ok && label_selector_matches_json(t->selector,
                                                    json_get(p->obj, "metadata", "labels", NULL));
}

/* A multiset of "topologyKey=value" strings. */
typedef struct counts {
        char **keys;
        long *vals;
        size_t n;
} counts;

static long *counts_slot(counts *c, const char *key, const char *value, bool create) {
        _cleanup_free_ char *k = xasprintf("%s=%s", key, value);
        for (size_t i = 0; i < c->n; i++)
                if (streq(c->keys[i], k))
                        return &c->vals[i];
        if (!create)
                return NULL;
        c->keys = xreallocarray(c->keys, c->n + 1, sizeof(*c->keys));
        c->vals = xreallocarray(c->vals, c->n + 1, sizeof(*c->vals));
        c->keys[c->n] = TAKE_PTR(k);
        c->vals[c->n] = 0;
        return &c->vals[c->n++];
}

static void counts_done(counts *c) {
        for (size_t i = 0; i < c->n; i++)
                free(c->keys[i]);
        free(c->keys);
        free(c->vals);
}

typedef struct ipa_state {
        term_list affinity, anti_affinity;
        counts affinity_counts, anti_counts, existing_anti_counts;
} ipa_state;

static void free_state(void *s) {
        ipa_state *st = s;
        term_list_done(&st->affinity);
        term_list_done(&st->anti_affinity);
        counts_done(&st->affinity_counts);
        counts_done(&st->anti_counts);
        counts_done(&st->existing_anti_counts);
        free(st);
}

static const json *required(const sched_pod *p, const char *kind) {
        return json_get(p->obj, "spec", "affinity", kind,
                        "requiredDuringSchedulingIgnoredDuringExecution", NULL);
}

static bool matches_all(const term_list *l, const sched_pod *p) {
        if (l->n == 0)
                return false;
        for (size_t i = 0; i < l->n; i++)
                if (!term_matches(&l->v[i], p))
                        return false;
        return true;
}

static sched_code pre_filter(sched_cycle *c, void *config, void **state, sched_status *st) {
        (void)config;
        (void)st;
        ipa_state *s = xcalloc(1, sizeof(*s));
        *state = s;
        const sched_pod *pod = c->pod;
        parse_terms(required(pod, "podAffinity"), pod->namespace, &s->affinity);
        parse_terms(required(pod, "podAntiAffinity"), pod->namespace, &s->anti_affinity);
        bool any_existing_anti = false;
        bool own_terms = s->affinity.n > 0 || s->anti_affinity.n > 0;
        if (!own_terms && c->snap->n_pods_required_anti == 0)
                return SCHED_SKIP;
        for (size_t i = 0; i < c->snap->n_nodes; i++) {
                const sched_node *n = c->snap->nodes[i];
                if (!own_terms && n->n_pods_required_anti == 0)
                        continue;
                for (size_t k = 0; k < n->n_pods; k++) {
                        const sched_pod *other = n->pods[k];
                        if (other->required_anti_affinity) {
                                const json *other_anti = required(other, "podAntiAffinity");
                                any_existing_anti = true;
                                term_list tl = { 0 };
                                parse_terms(other_anti, other->namespace, &tl);
                                for (size_t t = 0; t < tl.n; t++) {
                                        const char *v = sched_node_label(n, tl.v[t].topology_key);
                                        if (v && term_matches(&tl.v[t], pod))
                                                (*counts_slot(&s->existing_anti_counts,
                                                              tl.v[t].topology_key, v, true))++;
                                }
                                term_list_done(&tl);
                        }
                        if (matches_all(&s->affinity, other))
                                for (size_t t = 0; t < s->affinity.n; t++) {
                                        const char *tk = s->affinity.v[t].topology_key;
                                        const char *v = sched_node_label(n, tk);
                                        if (v)
                                                (*counts_slot(&s->affinity_counts, tk, v, true))++;
                                }
                        for (size_t t = 0; t < s->anti_affinity.n; t++) {
                                const char *tk = s->anti_affinity.v[t].topology_key;
                                const char *v = sched_node_label(n, tk);
                                if (v && term_matches(&s->anti_affinity.v[t], other))
                                        (*counts_slot(&s->anti_counts, tk, v, true))++;
                        }
                }
        }
        if (s->affinity.n == 0 && s->anti_affinity.n == 0 && !any_existing_anti)
                return SCHED_SKIP;
        return SCHED_SUCCESS;
}

static bool satisfies_affinity(const ipa_state *s, const sched_pod *pod, const sched_node *n) {
        if (s->affinity.n == 0)
                return true;
        bool all = true;
        for (size_t t = 0; t < s->affinity.n && all; t++) {
                const char *tk = s->affinity.v[t].topology_key;
                const char *v = sched_node_label(n, tk);
                long *cnt = v ? counts_slot((counts *)&s->affinity_counts, tk, v, false) : NULL;
                all = cnt && *cnt > 0;
        }
        if (all)
                return true;
        /* The first pod of a group that selects itself may go anywhere. */
        return s->affinity_counts.n == 0 && matches_all(&s->affinity, pod);
}

static sched_code filter(sched_cycle *c, void *config, void *state, const sched_node *n,
                         sched_status *st) {
        (void)config;
        const ipa_state *s = state;
        if (!satisfies_affinity(s, c->pod, n))
                return sched_status_fail(st, SCHED_UNSCHEDULABLE_UNRESOLVABLE,
                                         SCHED_REASON_AFFINITY);
        for (size_t t = 0; t < s->anti_affinity.n; t++) {
                const char *tk = s->anti_affinity.v[t].topology_key;
                const char *v = sched_node_label(n, tk);
                long *cnt = v ? counts_slot((counts *)&s->anti_counts, tk, v, false) : NULL;
                if (cnt && *cnt > 0)
                        return sched_status_fail(st, SCHED_UNSCHEDULABLE,
                                                 SCHED_REASON_ANTI_AFFINITY);
        }
        for (size_t i = 0; i < json_object_len(n->labels); i++) {
                const char *v = json_string(json_object_value_at(n->labels, i));
                long *cnt = v ? counts_slot((counts *)&s->existing_anti_counts,
                                            json_object_key_at(n->labels, i), v, false)
                              : NULL;
                if (cnt && *cnt > 0)
                        return sched_status_fail(st, SCHED_UNSCHEDULABLE,
                                                 SCHED_REASON_EXISTING_ANTI);
        }
        return SCHED_SUCCESS;
}

const sched_plugin sched_plugin_inter_pod_affinity = {
        .name = "InterPodAffinity",
        .default_weight = 2,
        .free_state = free_state,
        .pre_filter = pre_filter,
        .filter = filter,
};
