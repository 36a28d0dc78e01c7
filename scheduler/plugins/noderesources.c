/* SPDX-License-Identifier: Apache-2.0 */
/* NodeResourcesFit: the pod's requests must fit in what the node has left
 * (Filter), and nodes are scored LeastAllocated (spreading, the default) or
 * MostAllocated (bin-packing), per weighted resource. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "scheduler/plugins/plugins.h"
#include "scheduler/plugins/resourcescore.h"

typedef struct fit_config {
        bool most_allocated;
        sched_score_resources resources;
} fit_config;

static int init(const json *args, void **ret_config, tm_error **err) {
        fit_config *cfg = xcalloc(1, sizeof(*cfg));
        const json *strategy = json_object_get(args, "scoringStrategy");
        const char *type = json_object_get_string(strategy, "type");
        if (type && streq(type, "MostAllocated"))
                cfg->most_allocated = true;
        else if (type && !streq(type, "LeastAllocated")) {
                free(cfg);
                return tm_error_set(err, -EINVAL,
                                    "scoringStrategy.type: Unsupported value: \"%s\": supported "
                                    "values: \"LeastAllocated\", \"MostAllocated\"",
                                    type);
        }
        int r = sched_score_resources_parse(json_object_get(strategy, "resources"), &cfg->resources,
                                            err);
        if (r < 0) {
                free(cfg);
                return tm_error_wrap(err, r, "scoringStrategy");
        }
        *ret_config = cfg;
        return 0;
}

static void free_config(void *config) {
        free(config);
}

static void insufficient(sched_status *st, bool *unresolvable, const char *name, int64_t want,
                         int64_t used, int64_t alloc) {
        if (want <= 0 || want <= alloc - used)
                return;
        sched_status_fail(st, SCHED_UNSCHEDULABLE, "Insufficient %s", name);
        if (want > alloc)
                *unresolvable = true;
}

static sched_code filter(sched_cycle *c, void *config, void *state, const sched_node *n,
                         sched_status *st) {
        (void)config;
        (void)state;
        const sched_resources *want = &c->pod->requests;
        bool unresolvable = false;
        if ((int64_t)n->n_pods + 1 > n->allocatable.pods)
                sched_status_fail(st, SCHED_UNSCHEDULABLE, SCHED_REASON_TOO_MANY_PODS);
        insufficient(st, &unresolvable, "cpu", want->milli_cpu, n->requested.milli_cpu,
                     n->allocatable.milli_cpu);
        insufficient(st, &unresolvable, "memory", want->memory, n->requested.memory,
                     n->allocatable.memory);
        insufficient(st, &unresolvable, "ephemeral-storage", want->ephemeral_storage,
                     n->requested.ephemeral_storage, n->allocatable.ephemeral_storage);
        for (size_t i = 0; i < want->n_scalar; i++) {
                const char *name = want->scalar[i].name;
                insufficient(st, &unresolvable, name, want->scalar[i].value,
                             sched_resources_scalar(&n->requested, name),
                             sched_resources_scalar(&n->allocatable, name));
        }
        if (st->n_reasons == 0)
                return SCHED_SUCCESS;
        st->code = unresolvable ? SCHED_UNSCHEDULABLE_UNRESOLVABLE : SCHED_UNSCHEDULABLE;
        return st->code;
}

static int64_t least_requested(int64_t requested, int64_t capacity) {
        if (capacity == 0 || requested > capacity)
                return 0;
        return (capacity - requested) * SCHED_MAX_NODE_SCORE / capacity;
}

static int64_t most_requested(int64_t requested, int64_t capacity) {
        if (capacity == 0)
                return 0;
        if (requested > capacity)
                requested = capacity;
        return requested * SCHED_MAX_NODE_SCORE / capacity;
}

static int64_t score(sched_cycle *c, void *config, void *state, const sched_node *n) {
        (void)state;
        const fit_config *cfg = config;
        int64_t req[SCHED_MAX_SCORE_RESOURCES], alloc[SCHED_MAX_SCORE_RESOURCES];
        sched_score_resources_collect(&cfg->resources, c->pod, n, true, req, alloc);
        int64_t total = 0, weights = 0;
        for (size_t i = 0; i < cfg->resources.n; i++) {
                if (alloc[i] == 0)
                        continue;
                int64_t s = cfg->most_allocated ? most_requested(req[i], alloc[i])
                                                : least_requested(req[i], alloc[i]);
                total += s * cfg->resources.weights[i];
                weights += cfg->resources.weights[i];
        }
        return weights ? total / weights : 0;
}

const sched_plugin sched_plugin_node_resources_fit = {
        .name = "NodeResourcesFit",
        .default_weight = 1,
        .init = init,
        .free_config = free_config,
        .filter = filter,
        .score = score,
};
