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
 * namespaces.
 *
 * Score: per topology domain, the weights of the pod's preferred affinity
 * terms matching pods there (minus those of its preferred anti-affinity
 * terms), plus, from the pods there, their preferred affinity terms (and
 * required ones at weight 1) matching this pod, minus their preferred
 * anti-affinity terms; a node sums the domains it belongs to, and the
 * sums are scaled between the lowest (0) and the highest (100). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "scheduler/plugins/plugins.h"
#include "selector.h"

typedef struct term {
        int64_t weight; /* preferred terms */
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

static void parse_one(const json *t, const char *ns, int64_t weight, term_list *ret) {
        const char *tk = json_object_get_string(t, "topologyKey");
        label_selector *sel = NULL;
        if (!tk || label_selector_from_json(json_object_get(t, "labelSelector"), &sel, NULL) < 0)
                sel = label_selector_new_nothing();
        const json *nss = json_object_get(t, "namespaceSelector");
        ret->v = xreallocarray(ret->v, ret->n + 1, sizeof(*ret->v));
        ret->v[ret->n++] = (term){
                .weight = weight,
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

static void parse_terms(const json *arr, const char *ns, term_list *ret) {
        for (size_t i = 0; i < json_array_len(arr); i++)
                parse_one(json_array_get(arr, i), ns, 0, ret);
}

/* [{weight, podAffinityTerm}] */
static void parse_weighted(const json *arr, const char *ns, term_list *ret) {
        for (size_t i = 0; i < json_array_len(arr); i++) {
                const json *w = json_array_get(arr, i);
                parse_one(json_object_get(w, "podAffinityTerm"), ns,
                          json_object_get_int(w, "weight", 0), ret);
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

typedef struct score_state {
        counts domains; /* "key=value" -> score */
} score_state;

/* The Score state rides in the PreFilter state (one slot per plug-in). */
typedef struct ipa_both {
        ipa_state filter;
        score_state *score;
} ipa_both;

static void free_score_state_ptr(void *s);

static void free_state(void *s) {
        ipa_state *st = s;
        free_score_state_ptr(s);
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
        ipa_both *both = xcalloc(1, sizeof(*both));
        ipa_state *s = &both->filter;
        *state = both;
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

/* ---- Score ---------------------------------------------------------------- */

static const json *preferred(const sched_pod *p, const char *kind) {
        return json_get(p->obj, "spec", "affinity", kind,
                        "preferredDuringSchedulingIgnoredDuringExecution", NULL);
}

static void add_terms(counts *c, const term_list *l, const sched_pod *match, const sched_node *n,
                      int sign) {
        for (size_t t = 0; t < l->n; t++) {
                const char *v = sched_node_label(n, l->v[t].topology_key);
                if (v && l->v[t].weight != 0 && term_matches(&l->v[t], match))
                        *counts_slot(c, l->v[t].topology_key, v, true) += sign * l->v[t].weight;
        }
}

static void free_score_state(score_state *s) {
        if (!s)
                return;
        counts_done(&s->domains);
        free(s);
}

static sched_code pre_score(sched_cycle *c, void *config, void **state) {
        (void)config;
        ipa_state *fs = *state;
        if (!fs) /* PreFilter disabled: nothing to hang the state on */
                return SCHED_SKIP;
        const sched_pod *pod = c->pod;
        term_list aff = { 0 }, anti = { 0 };
        parse_weighted(preferred(pod, "podAffinity"), pod->namespace, &aff);
        parse_weighted(preferred(pod, "podAntiAffinity"), pod->namespace, &anti);
        bool own = aff.n > 0 || anti.n > 0;
        if (!own && c->snap->n_pods_affinity == 0) {
                term_list_done(&aff);
                term_list_done(&anti);
                return SCHED_SKIP;
        }
        score_state *ss = xcalloc(1, sizeof(*ss));
        for (size_t i = 0; i < c->snap->n_nodes; i++) {
                const sched_node *n = c->snap->nodes[i];
                if (!own && n->n_pods_affinity == 0)
                        continue;
                for (size_t k = 0; k < n->n_pods; k++) {
                        const sched_pod *other = n->pods[k];
                        add_terms(&ss->domains, &aff, other, n, 1);
                        add_terms(&ss->domains, &anti, other, n, -1);
                        if (!other->pod_affinity)
                                continue;
                        term_list oreq = { 0 }, opref = { 0 }, oanti = { 0 };
                        parse_terms(required(other, "podAffinity"), other->namespace, &oreq);
                        for (size_t t = 0; t < oreq.n; t++)
                                oreq.v[t].weight = 1; /* hardPodAffinityWeight */
                        parse_weighted(preferred(other, "podAffinity"), other->namespace, &opref);
                        parse_weighted(preferred(other, "podAntiAffinity"), other->namespace,
                                       &oanti);
                        add_terms(&ss->domains, &oreq, pod, n, 1);
                        add_terms(&ss->domains, &opref, pod, n, 1);
                        add_terms(&ss->domains, &oanti, pod, n, -1);
                        term_list_done(&oreq);
                        term_list_done(&opref);
                        term_list_done(&oanti);
                }
        }
        term_list_done(&aff);
        term_list_done(&anti);
        ((ipa_both *)fs)->score = ss;
        return SCHED_SUCCESS;
}

static int64_t score(sched_cycle *c, void *config, void *state, const sched_node *n) {
        (void)c;
        (void)config;
        const score_state *ss = ((ipa_both *)state)->score;
        int64_t total = 0;
        for (size_t i = 0; i < ss->domains.n; i++) {
                const char *kv = ss->domains.keys[i];
                const char *eq = strchr(kv, '=');
                _cleanup_free_ char *key = xstrndup(kv, (size_t)(eq - kv));
                if (streq_ptr(sched_node_label(n, key), eq + 1))
                        total += ss->domains.vals[i];
        }
        return total;
}

static void normalize(sched_cycle *c, void *config, void *state, int64_t *scores, size_t n) {
        (void)c;
        (void)config;
        (void)state;
        if (n == 0)
                return;
        int64_t min = scores[0], max = scores[0];
        for (size_t i = 1; i < n; i++) {
                if (scores[i] < min)
                        min = scores[i];
                if (scores[i] > max)
                        max = scores[i];
        }
        for (size_t i = 0; i < n; i++)
                scores[i] = max > min ? (int64_t)((double)SCHED_MAX_NODE_SCORE *
                                                  (double)(scores[i] - min) / (double)(max - min))
                                      : 0;
}

const sched_plugin sched_plugin_inter_pod_affinity = {
        .name = "InterPodAffinity",
        .default_weight = 2,
        .free_state = free_state,
        .pre_filter = pre_filter,
        .filter = filter,
        .pre_score = pre_score,
        .score = score,
        .normalize_score = normalize,
};

static void free_score_state_ptr(void *s) {
        free_score_state(((ipa_both *)s)->score);
}
