/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "scheduler/plugins/resourcescore.h"

enum { KIND_CPU, KIND_MEMORY, KIND_EPHEMERAL, KIND_PODS, KIND_SCALAR };

static int kind_of(const char *name) {
        if (streq(name, "cpu"))
                return KIND_CPU;
        if (streq(name, "memory"))
                return KIND_MEMORY;
        if (streq(name, "ephemeral-storage"))
                return KIND_EPHEMERAL;
        if (streq(name, "pods"))
                return KIND_PODS;
        return KIND_SCALAR;
}

int sched_score_resources_parse(const json *list, sched_score_resources *ret, tm_error **err) {
        sched_score_resources r = { 0 };
        if (!list || json_is_null(list)) {
                strcpy(r.names[0], "cpu");
                strcpy(r.names[1], "memory");
                r.kinds[0] = KIND_CPU;
                r.kinds[1] = KIND_MEMORY;
                r.weights[0] = r.weights[1] = 1;
                r.n = 2;
                *ret = r;
                return 0;
        }
        if (!json_is_array(list))
                return tm_error_set(err, -EINVAL, "resources: not a list");
        if (json_array_len(list) > SCHED_MAX_SCORE_RESOURCES)
                return tm_error_set(err, -E2BIG, "resources: at most %d",
                                    SCHED_MAX_SCORE_RESOURCES);
        for (size_t i = 0; i < json_array_len(list); i++) {
                const json *e = json_array_get(list, i);
                const char *name = json_object_get_string(e, "name");
                int64_t w = json_object_get_int(e, "weight", 1);
                if (!name || !*name || strlen(name) >= sizeof(r.names[0]))
                        return tm_error_set(err, -EINVAL, "resources[%zu].name: invalid", i);
                if (w < 1 || w > 100)
                        return tm_error_set(err, -EINVAL,
                                            "resources[%zu].weight: must be in the range [1, 100]",
                                            i);
                strcpy(r.names[r.n], name);
                r.kinds[r.n] = kind_of(name);
                r.weights[r.n++] = w;
        }
        *ret = r;
        return 0;
}

static int64_t get(const sched_resources *r, int kind, const char *name) {
        switch (kind) {
        case KIND_CPU:
                return r->milli_cpu;
        case KIND_MEMORY:
                return r->memory;
        case KIND_EPHEMERAL:
                return r->ephemeral_storage;
        case KIND_PODS:
                return r->pods;
        default:
                return sched_resources_scalar(r, name);
        }
}

void sched_score_resources_collect(const sched_score_resources *res, const sched_pod *pod,
                                   const sched_node *n, bool nonzero, int64_t *requested,
                                   int64_t *allocatable) {
        for (size_t i = 0; i < res->n; i++) {
                const char *name = res->names[i];
                int k = res->kinds[i];
                bool nz = nonzero && (k == KIND_CPU || k == KIND_MEMORY);
                allocatable[i] = get(&n->allocatable, k, name);
                requested[i] = nz ? get(&n->nonzero_requested, k, name) +
                                               get(&pod->nonzero_requests, k, name)
                                  : get(&n->requested, k, name) + get(&pod->requests, k, name);
        }
}
