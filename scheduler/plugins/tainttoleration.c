/* SPDX-License-Identifier: Apache-2.0 */
/* TaintToleration: NoSchedule and NoExecute taints must be tolerated
 * (Filter); each untolerated PreferNoSchedule taint lowers the score. */
#include "config.h"

#include "scheduler/plugins/plugins.h"

bool sched_toleration_tolerates(const json *tol, const sched_taint *t) {
        const char *effect = json_object_get_string(tol, "effect");
        const char *key = json_object_get_string(tol, "key");
        const char *op = json_object_get_string(tol, "operator");
        if (effect && *effect && !streq(effect, t->effect))
                return false;
        if (key && *key && !streq(key, t->key))
                return false;
        if (!op || !*op || streq(op, "Equal")) {
                const char *value = json_object_get_string(tol, "value");
                return streq(value ? value : "", t->value);
        }
        return streq(op, "Exists");
}

bool sched_pod_tolerates(const sched_pod *p, const sched_taint *t) {
        const json *tols = json_get(p->obj, "spec", "tolerations", NULL);
        for (size_t i = 0; i < json_array_len(tols); i++)
                if (sched_toleration_tolerates(json_array_get(tols, i), t))
                        return true;
        return false;
}

static sched_code filter(sched_cycle *c, void *config, void *state, const sched_node *n,
                         sched_status *st) {
        (void)config;
        (void)state;
        for (size_t i = 0; i < n->n_taints; i++) {
                const sched_taint *t = &n->taints[i];
                if (!streq(t->effect, "NoSchedule") && !streq(t->effect, "NoExecute"))
                        continue;
                if (!sched_pod_tolerates(c->pod, t))
                        return sched_status_fail(st, SCHED_UNSCHEDULABLE_UNRESOLVABLE,
                                                 "node(s) had untolerated taint {%s: %s}", t->key,
                                                 t->value);
        }
        return SCHED_SUCCESS;
}

/* Only tolerations with an empty effect or PreferNoSchedule count here. */
static int64_t score(sched_cycle *c, void *config, void *state, const sched_node *n) {
        (void)config;
        (void)state;
        const json *tols = json_get(c->pod->obj, "spec", "tolerations", NULL);
        int64_t count = 0;
        for (size_t i = 0; i < n->n_taints; i++) {
                const sched_taint *t = &n->taints[i];
                if (!streq(t->effect, "PreferNoSchedule"))
                        continue;
                bool tolerated = false;
                for (size_t k = 0; k < json_array_len(tols) && !tolerated; k++) {
                        const json *tol = json_array_get(tols, k);
                        const char *e = json_object_get_string(tol, "effect");
                        if (e && *e && !streq(e, "PreferNoSchedule"))
                                continue;
                        tolerated = sched_toleration_tolerates(tol, t);
                }
                if (!tolerated)
                        count++;
        }
        return count;
}

static void normalize(sched_cycle *c, void *config, void *state, int64_t *scores, size_t n) {
        (void)c;
        (void)config;
        (void)state;
        sched_default_normalize_score(SCHED_MAX_NODE_SCORE, true, scores, n);
}

const sched_plugin sched_plugin_taint_toleration = {
        .name = "TaintToleration",
        .default_weight = 3,
        .filter = filter,
        .score = score,
        .normalize_score = normalize,
};
