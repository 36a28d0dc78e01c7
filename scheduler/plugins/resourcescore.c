/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "scheduler/plugins/resourcescore.h"

int sched_score_resources_parse(const json *list, sched_score_resources *ret, tm_error **err) {
        sched_score_resources r = {0};
        if (!list || json_is_null(list)) {
                strcpy(r.names[0], "cpu");
                strcpy(r.names[1], "memory");
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
                r.weights[r.n++] = w;
        }
        *ret = r;
        return 0;
}

static int64_t get(const sched_resources *r, const char *name) {
        if (streq(name, "cpu"))
                return r->milli_cpu;
        if (streq(name, "memory"))
                return r->memory;
        if (streq(name, "ephemeral-storage"))
                return r->ephemeral_storage;
        if (streq(name, "pods"))
                return r->pods;
        return sched_resources_scalar(r, name);
}

void sched_score_resources_collect(const sched_score_resources *res, const sched_pod *pod,
                                   const sched_node *n, bool nonzero, int64_t *requested,
                                   int64_t *allocatable) {
        for (size_t i = 0; i < res->n; i++) {
                const char *name = res->names[i];
                bool nz = nonzero && (streq(name, "cpu") || streq(name, "memory"));
                allocatable[i] = get(&n->allocatable, name);
                requested[i] = nz ? get(&n->nonzero_requested, name) +
                                            get(&pod->nonzero_requests, name)
                                  : get(&n->requested, name) + get(&pod->requests, name);
        }
}
