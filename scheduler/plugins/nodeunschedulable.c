/* SPDX-License-Identifier: Apache-2.0 */
/* NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods
 * tolerating node.kubernetes.io/unschedulable:NoSchedule. */
#include "config.h"

#include "scheduler/plugins/plugins.h"

static sched_code filter(sched_cycle *c, void *config, void *state, const sched_node *n,
                         sched_status *st) {
        (void)config;
        (void)state;
        if (!n->unschedulable)
                return SCHED_SUCCESS;
        const sched_taint t = { .key = "node.kubernetes.io/unschedulable",
                                .value = "",
                                .effect = "NoSchedule" };
        if (sched_pod_tolerates(c->pod, &t))
                return SCHED_SUCCESS;
        return sched_status_fail(st, SCHED_UNSCHEDULABLE_UNRESOLVABLE, SCHED_REASON_UNSCHEDULABLE);
}

const sched_plugin sched_plugin_node_unschedulable = {
        .name = "NodeUnschedulable",
        .filter = filter,
};
