/* SPDX-License-Identifier: Apache-2.0 */
/* What NodeResourcesFit's scoring and NodeResourcesBalancedAllocation
 * share: a list of weighted resources, and the node's requested/allocatable
 * for each with the incoming pod added. */
#ifndef TIMONIER_SCHED_RESOURCESCORE_H
#define TIMONIER_SCHED_RESOURCESCORE_H

#include "scheduler/framework.h"

#define SCHED_MAX_SCORE_RESOURCES 8

typedef struct sched_score_resources {
        char names[SCHED_MAX_SCORE_RESOURCES][64];
        int64_t weights[SCHED_MAX_SCORE_RESOURCES];
        int kinds[SCHED_MAX_SCORE_RESOURCES]; /* resolved once: cpu, memory, ... */
        size_t n;
} sched_score_resources;

/* From args.resources ([{name, weight}]), or cpu:1 memory:1 when absent. */
int sched_score_resources_parse(const json *list, sched_score_resources *ret, tm_error **err);

/* requested[i]/allocatable[i] per resource; nonzero: count missing cpu and
 * memory requests as upstream's defaults (NodeResourcesFit), else the
 * actual requests (BalancedAllocation). */
void sched_score_resources_collect(const sched_score_resources *res, const sched_pod *pod,
                                   const sched_node *n, bool nonzero, int64_t *requested,
                                   int64_t *allocatable);

#endif
