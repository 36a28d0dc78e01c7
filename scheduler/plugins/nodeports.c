/* SPDX-License-Identifier: Apache-2.0 */
/* NodePorts: a hostPort (with its protocol and host IP) may be used once per
 * node; 0.0.0.0 or no IP conflicts with every address. */
#include "config.h"

#include "scheduler/plugins/plugins.h"

static sched_code pre_filter(sched_cycle *c, void *config, void **state, sched_status *st) {
        (void)config;
        (void)state;
        (void)st;
        return c->pod->n_host_ports == 0 ? SCHED_SKIP : SCHED_SUCCESS;
}

static bool wildcard(const char *ip) {
        return !*ip || streq(ip, "0.0.0.0") || streq(ip, "::");
}

static bool conflicts(const sched_host_port *a, const sched_host_port *b) {
        if (a->port != b->port || !streq(a->protocol, b->protocol))
                return false;
        return wildcard(a->ip) || wildcard(b->ip) || streq(a->ip, b->ip);
}

static sched_code filter(sched_cycle *c, void *config, void *state, const sched_node *n,
                         sched_status *st) {
        (void)config;
        (void)state;
        const sched_pod *pod = c->pod;
        for (size_t i = 0; i < n->n_pods; i++) {
                const sched_pod *other = n->pods[i];
                for (size_t a = 0; a < pod->n_host_ports; a++)
                        for (size_t b = 0; b < other->n_host_ports; b++)
                                if (conflicts(&pod->host_ports[a], &other->host_ports[b]))
                                        return sched_status_fail(st, SCHED_UNSCHEDULABLE,
                                                                 SCHED_REASON_NODE_PORTS);
        }
        return SCHED_SUCCESS;
}

const sched_plugin sched_plugin_node_ports = {
        .name = "NodePorts",
        .pre_filter = pre_filter,
        .filter = filter,
};
