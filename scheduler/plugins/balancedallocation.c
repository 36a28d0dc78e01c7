/* SPDX-License-Identifier: Apache-2.0 */
/* NodeResourcesBalancedAllocation: prefer nodes where the fractions of cpu
 * and memory in use, with the pod, are close to each other (100 minus 100
 * times their standard deviation). Best-effort pods skip it. */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "scheduler/plugins/plugins.h"
#include "scheduler/plugins/resourcescore.h"

static int init(const json *args, void **ret_config, tm_error **err) {
        sched_score_resources *res = xcalloc(1, sizeof(*res));
        int r = sched_score_resources_parse(json_object_get(args, "resources"), res, err);
        if (r < 0) {
                free(res);
                return r;
        }
        *ret_config = res;
        return 0;
}

static void free_config(void *config) {
        free(config);
}

static sched_code pre_score(sched_cycle *c, void *config, void **state) {
        (void)state;
        const sched_score_resources *res = config;
        int64_t req[SCHED_MAX_SCORE_RESOURCES], alloc[SCHED_MAX_SCORE_RESOURCES];
        /* the pod's own requests: against a node with nothing on it */
        const sched_node empty = { 0 };
        sched_score_resources_collect(res, c->pod, &empty, false, req, alloc);
        for (size_t i = 0; i < res->n; i++)
                if (req[i] != 0)
                        return SCHED_SUCCESS;
        return SCHED_SKIP;
}

static int64_t score(sched_cycle *c, void *config, void *state, const sched_node *n) {
        (void)state;
        const sched_score_resources *res = config;
        int64_t req[SCHED_MAX_SCORE_RESOURCES], alloc[SCHED_MAX_SCORE_RESOURCES];
        sched_score_resources_collect(res, c->pod, n, false, req, alloc);
        double fractions[SCHED_MAX_SCORE_RESOURCES], total = 0;
        size_t k = 0;
        for (size_t i = 0; i < res->n; i++) {
                if (alloc[i] == 0)
                        continue;
                double f = (double)req[i] / (double)alloc[i];
                if (f > 1)
                        f = 1;
                total += f;
                fractions[k++] = f;
        }
        double sd = 0;
        if (k == 2)
                sd = fabs((fractions[0] - fractions[1]) / 2);
        else if (k > 2) {
                double mean = total / (double)k, sum = 0;
                for (size_t i = 0; i < k; i++)
                        sum += (fractions[i] - mean) * (fractions[i] - mean);
                sd = sqrt(sum / (double)k);
        }
        return (int64_t)((1 - sd) * SCHED_MAX_NODE_SCORE);
}

const sched_plugin sched_plugin_balanced_allocation = {
        .name = "NodeResourcesBalancedAllocation",
        .default_weight = 1,
        .init = init,
        .free_config = free_config,
        .pre_score = pre_score,
        .score = score,
};
