/* SPDX-License-Identifier: Apache-2.0 */
/* The DaemonSet controller's decisions, as pure functions on API objects
 * (unit-tested in tests/unit/daemonset_test.c). */
#ifndef TIMONIER_CONTROLLERS_DAEMONSET_H
#define TIMONIER_CONTROLLERS_DAEMONSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"

#define DS_HASH_LABEL "controller-revision-hash"

/* The template's tolerations plus the ones upstream adds to every daemon
 * pod (not-ready, unreachable, the pressures, unschedulable, and
 * network-unavailable for hostNetwork pods), without duplicates. */
json *ds_tolerations(const json *pod_spec);

/* One toleration against one taint (upstream's ToleratesTaint). */
bool ds_toleration_tolerates(const json *toleration, const json *taint);

/* A NodeSelectorTerm against a node: matchExpressions on the labels and
 * matchFields on metadata.name, ANDed; an empty term matches nothing. */
bool ds_node_selector_term_matches(const json *term, const json *node);

/* Should a daemon pod of `ds` run on `node`? nodeSelector, required node
 * affinity, and every NoSchedule/NoExecute taint tolerated. */
bool ds_node_should_run(const json *ds, const json *node);

/* The node a daemon pod is for: spec.nodeName, else the node its
 * matchFields metadata.name affinity term names. NULL if neither. */
const char *ds_pod_node(const json *pod);

/* A daemon pod for `node_name`: the template, a controller ownerReference,
 * the hash label, the default tolerations, and the required node affinity
 * replaced by one matchFields metadata.name term, so that the scheduler
 * binds it there. */
json *ds_pod_for_node(const json *ds, const char *node_name, const char *hash);

/* spec.updateStrategy.rollingUpdate.maxUnavailable against the number of
 * nodes that should run a pod (percent rounds up; at least 1). */
int64_t ds_max_unavailable(const json *ds, int64_t desired);

#endif
