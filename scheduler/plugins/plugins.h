/* SPDX-License-Identifier: Apache-2.0 */
/* The plug-ins, each a const vtable in its own file, with upstream's names,
 * behaviour and failure reasons. */
#ifndef TIMONIER_SCHED_PLUGINS_H
#define TIMONIER_SCHED_PLUGINS_H

#include "scheduler/framework.h"

extern const sched_plugin sched_plugin_node_unschedulable;
extern const sched_plugin sched_plugin_node_name;
extern const sched_plugin sched_plugin_taint_toleration;
extern const sched_plugin sched_plugin_node_affinity;
extern const sched_plugin sched_plugin_node_ports;
extern const sched_plugin sched_plugin_node_resources_fit;
extern const sched_plugin sched_plugin_inter_pod_affinity;
extern const sched_plugin sched_plugin_pod_topology_spread;
extern const sched_plugin sched_plugin_default_preemption;
extern const sched_plugin sched_plugin_balanced_allocation;
extern const sched_plugin sched_plugin_default_binder;

/* Every plug-in, NULL-terminated. */
extern const sched_plugin *const sched_plugins[];
/* The default profile, in upstream's order. */
extern const sched_plugin *const sched_default_plugins[];

/* Upstream's ToleratesTaint for one toleration object. */
bool sched_toleration_tolerates(const json *toleration, const sched_taint *t);
/* Does any of the pod's tolerations tolerate t? */
bool sched_pod_tolerates(const sched_pod *p, const sched_taint *t);

/* A NodeSelectorTerm against a node (matchExpressions and matchFields ANDed;
 * a term with neither matches nothing). */
bool sched_node_selector_term_matches(const json *term, const sched_node *n);
/* spec.nodeSelector and the required node affinity terms against a node. */
bool sched_pod_matches_node_affinity(const sched_pod *pod, const sched_node *n);

#define SCHED_REASON_UNSCHEDULABLE "node(s) were unschedulable"
#define SCHED_REASON_NODE_NAME     "node(s) didn't match the requested node name"
#define SCHED_REASON_NODE_PORTS    "node(s) didn't have free ports for the requested pod ports"
#define SCHED_REASON_NODE_AFFINITY "node(s) didn't match Pod's node affinity/selector"
#define SCHED_REASON_TOO_MANY_PODS "Too many pods"
#define SCHED_REASON_AFFINITY      "node(s) didn't match pod affinity rules"
#define SCHED_REASON_ANTI_AFFINITY "node(s) didn't match pod anti-affinity rules"
#define SCHED_REASON_EXISTING_ANTI "node(s) didn't satisfy existing pods anti-affinity rules"
#define SCHED_REASON_SPREAD        "node(s) didn't match pod topology spread constraints"
#define SCHED_REASON_SPREAD_LABEL \
        "node(s) didn't match pod topology spread constraints (missing required label)"
#define SCHED_REASON_NOT_HELPFUL "Preemption is not helpful for scheduling"
#define SCHED_REASON_NO_VICTIMS  "No preemption victims found for incoming pod"

#endif
