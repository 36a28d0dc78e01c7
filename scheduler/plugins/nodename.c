/* SPDX-License-Identifier: Apache-2.0 */
/* NodeName: a pod naming a node in spec.nodeName fits only there. */
#include "config.h"

#include "scheduler/plugins/plugins.h"

static sched_code filter(sched_cycle *c, void *config, void *state, const sched_node *n,
                         sched_status *st) {
        (void)config;
        (void)state;
        if (!c->pod->node_name || streq(c->pod->node_name, n->name))
                return SCHED_SUCCESS;
        return sched_status_fail(st, SCHED_UNSCHEDULABLE_UNRESOLVABLE, SCHED_REASON_NODE_NAME);
}

const sched_plugin sched_plugin_node_name = {
        .name = "NodeName",
        .filter = filter,
};
