/* SPDX-License-Identifier: Apache-2.0 */
/* DefaultPreemption (PostFilter): when no node fits, would evicting
 * lower-priority pods help? Nodes failing for a reason preemption cannot
 * change are "not helpful"; on the others, the dry run removes every pod of
 * lower priority and filters again.
 *
 * Not yet done: choosing the fewest victims, PodDisruptionBudgets, evicting
 * them and nominating the node. A node where the dry run succeeds is named
 * in the message, and the pod stays unschedulable. */
#include "config.h"

#include <stdlib.h>

#include "scheduler/plugins/plugins.h"
#include "strbuf.h"

static sched_code post_filter(sched_cycle *c, void *config, sched_status *st) {
        (void)config;
        if (c->pod->preemption_never)
                return sched_status_fail(st, SCHED_UNSCHEDULABLE,
                                         "preemption: not eligible due to "
                                         "preemptionPolicy=Never.");
        sched_status *per_node = xcalloc(c->n_node_status, sizeof(*per_node));
        const char *candidate = NULL;
        for (size_t i = 0; i < c->n_node_status && i < c->snap->n_nodes; i++) {
                const sched_status *ns = &c->node_status[i];
                sched_node *n = c->snap->nodes[i];
                if (ns->code == SCHED_SUCCESS)
                        continue;
                if (ns->code != SCHED_UNSCHEDULABLE) {
                        sched_status_fail(&per_node[i], ns->code, SCHED_REASON_NOT_HELPFUL);
                        continue;
                }
                sched_pod **victims = xcalloc(n->n_pods + 1, sizeof(*victims));
                size_t n_victims = 0;
                for (size_t k = 0; k < n->n_pods;)
                        if (n->pods[k]->priority < c->pod->priority) {
                                victims[n_victims++] = n->pods[k];
                                sched_node_remove_pod(n->pods[k]);
                        } else
                                k++;
                bool fits = n_victims > 0 && sched_cycle_fits(c, n);
                for (size_t k = 0; k < n_victims; k++)
                        sched_node_add_pod(n, victims[k]);
                free(victims);
                if (fits) {
                        if (!candidate)
                                candidate = n->name;
                } else
                        sched_status_fail(&per_node[i], SCHED_UNSCHEDULABLE,
                                          SCHED_REASON_NO_VICTIMS);
        }
        char *msg;
        if (candidate)
                msg = xasprintf("node %s would fit after evicting lower-priority pods, but "
                                "eviction is not implemented",
                                candidate);
        else
                msg = sched_fit_error_message(c->n_all_nodes, per_node, c->n_node_status, NULL,
                                              NULL);
        for (size_t i = 0; i < c->n_node_status; i++)
                sched_status_done(&per_node[i]);
        free(per_node);
        /* The trailing period comes back from the FitError format. */
        size_t len = strlen(msg);
        if (len && msg[len - 1] == '.')
                msg[len - 1] = '\0';
        sched_status_fail(st, SCHED_UNSCHEDULABLE, "preemption: %s", msg);
        free(msg);
        return SCHED_UNSCHEDULABLE;
}

const sched_plugin sched_plugin_default_preemption = {
        .name = "DefaultPreemption",
        .post_filter = post_filter,
};
