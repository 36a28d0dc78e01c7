/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "scheduler/plugins/plugins.h"

const sched_plugin *const sched_plugins[] = {
        &sched_plugin_node_unschedulable,  &sched_plugin_node_name,
        &sched_plugin_taint_toleration,    &sched_plugin_node_affinity,
        &sched_plugin_node_ports,          &sched_plugin_node_resources_fit,
        &sched_plugin_pod_topology_spread, &sched_plugin_inter_pod_affinity,
        &sched_plugin_default_preemption,  &sched_plugin_balanced_allocation,
        &sched_plugin_default_binder,      NULL,
};

/* Filters run in this order, and the first that fails names the reason. */
const sched_plugin *const sched_default_plugins[] = {
        &sched_plugin_node_unschedulable,  &sched_plugin_node_name,
        &sched_plugin_taint_toleration,    &sched_plugin_node_affinity,
        &sched_plugin_node_ports,          &sched_plugin_node_resources_fit,
        &sched_plugin_pod_topology_spread, &sched_plugin_inter_pod_affinity,
        &sched_plugin_default_preemption,  &sched_plugin_balanced_allocation,
        &sched_plugin_default_binder,      NULL,
};
