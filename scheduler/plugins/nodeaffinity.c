/* SPDX-License-Identifier: Apache-2.0 */
/* NodeAffinity: spec.nodeSelector and the required node affinity terms must
 * match the node (Filter); matching preferred terms add their weights
 * (Score, normalized to 0..100). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "scheduler/plugins/plugins.h"

static bool parse_int64(const char *s, int64_t *ret) {
        if (!s || !*s)
                return false;
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno || *end)
                return false;
        *ret = v;
        return true;
}

static bool value_in(const json *values, const char *v) {
        for (size_t i = 0; i < json_array_len(values); i++)
                if (streq_ptr(json_string(json_array_get(values, i)), v))
                        return true;
        return false;
}

/* One NodeSelectorRequirement against a value (NULL: absent). */
static bool requirement_matches(const json *req, const char *value) {
        const char *op = json_object_get_string(req, "operator");
        const json *values = json_object_get(req, "values");
        if (!op)
                return false;
        if (streq(op, "In"))
                return value && value_in(values, value);
        if (streq(op, "NotIn"))
                return !value || !value_in(values, value);
        if (streq(op, "Exists"))
                return value != NULL;
        if (streq(op, "DoesNotExist"))
                return value == NULL;
        if (streq(op, "Gt") || streq(op, "Lt")) {
                int64_t have, want;
                if (json_array_len(values) != 1 || !parse_int64(value, &have) ||
                    !parse_int64(json_string(json_array_get(values, 0)), &want))
                        return false;
                return streq(op, "Gt") ? have > want : have < want;
        }
        return false;
}

bool sched_node_selector_term_matches(const json *term, const sched_node *n) {
        const json *exprs = json_object_get(term, "matchExpressions");
        const json *fields = json_object_get(term, "matchFields");
        if (json_array_len(exprs) == 0 && json_array_len(fields) == 0)
                return false;
        for (size_t i = 0; i < json_array_len(exprs); i++) {
                const json *req = json_array_get(exprs, i);
                const char *key = json_object_get_string(req, "key");
                if (!key || !requirement_matches(req, sched_node_label(n, key)))
                        return false;
        }
        for (size_t i = 0; i < json_array_len(fields); i++) {
                const json *req = json_array_get(fields, i);
                const char *key = json_object_get_string(req, "key");
                /* metadata.name is the only field selectable */
                if (!key || !streq(key, "metadata.name") || !requirement_matches(req, n->name))
                        return false;
        }
        return true;
}

static const json *required_terms(const sched_pod *p) {
        return json_get(p->obj, "spec", "affinity", "nodeAffinity",
                        "requiredDuringSchedulingIgnoredDuringExecution", NULL);
}

static const json *preferred_terms(const sched_pod *p) {
        const json *a = json_get(p->obj, "spec", "affinity", "nodeAffinity", NULL);
        return json_object_get(a, "preferredDuringSchedulingIgnoredDuringExecution");
}

static sched_code pre_filter(sched_cycle *c, void *config, void **state, sched_status *st) {
        (void)config;
        (void)state;
        (void)st;
        const json *sel = json_get(c->pod->obj, "spec", "nodeSelector", NULL);
        if (json_object_len(sel) == 0 && !required_terms(c->pod))
                return SCHED_SKIP;
        return SCHED_SUCCESS;
}

bool sched_pod_matches_node_affinity(const sched_pod *pod, const sched_node *n) {
        const json *sel = json_get(pod->obj, "spec", "nodeSelector", NULL);
        for (size_t i = 0; i < json_object_len(sel); i++) {
                const char *want = json_string(json_object_value_at(sel, i));
                const char *have = sched_node_label(n, json_object_key_at(sel, i));
                if (!have || !streq_ptr(want, have))
                        return false;
        }
        const json *req = required_terms(pod);
        if (!req)
                return true;
        const json *terms = json_object_get(req, "nodeSelectorTerms");
        for (size_t i = 0; i < json_array_len(terms); i++)
                if (sched_node_selector_term_matches(json_array_get(terms, i), n))
                        return true;
        return false;
}

static sched_code filter(sched_cycle *c, void *config, void *state, const sched_node *n,
                         sched_status *st) {
        (void)config;
        (void)state;
        if (sched_pod_matches_node_affinity(c->pod, n))
                return SCHED_SUCCESS;
        return sched_status_fail(st, SCHED_UNSCHEDULABLE_UNRESOLVABLE, SCHED_REASON_NODE_AFFINITY);
}

static sched_code pre_score(sched_cycle *c, void *config, void **state) {
        (void)config;
        (void)state;
        return json_array_len(preferred_terms(c->pod)) ? SCHED_SUCCESS : SCHED_SKIP;
}

static int64_t score(sched_cycle *c, void *config, void *state, const sched_node *n) {
        (void)config;
        (void)state;
        const json *pref = preferred_terms(c->pod);
        int64_t total = 0;
        for (size_t i = 0; i < json_array_len(pref); i++) {
                const json *t = json_array_get(pref, i);
                int64_t w = json_object_get_int(t, "weight", 0);
                if (w != 0 && sched_node_selector_term_matches(json_object_get(t, "preference"), n))
                        total += w;
        }
        return total;
}

static void normalize(sched_cycle *c, void *config, void *state, int64_t *scores, size_t n) {
        (void)c;
        (void)config;
        (void)state;
        sched_default_normalize_score(SCHED_MAX_NODE_SCORE, false, scores, n);
}

const sched_plugin sched_plugin_node_affinity = {
        .name = "NodeAffinity",
        .default_weight = 2,
        .pre_filter = pre_filter,
        .filter = filter,
        .pre_score = pre_score,
        .score = score,
        .normalize_score = normalize,
};
