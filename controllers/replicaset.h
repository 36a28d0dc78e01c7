/* SPDX-License-Identifier: Apache-2.0 */
/* The ReplicaSet controller's decisions, as pure functions on API objects
 * (unit-tested in tests/unit/replicaset_test.c). */
#ifndef TIMONIER_CONTROLLERS_REPLICASET_H
#define TIMONIER_CONTROLLERS_REPLICASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "timeutil.h"

/* Not finished (Succeeded/Failed) and not marked for deletion. */
bool rs_pod_is_active(const json *pod);
bool rs_pod_is_ready(const json *pod);
/* Ready for at least min_ready_seconds at `now`. */
bool rs_pod_is_available(const json *pod, int64_t min_ready_seconds, tm_time now);

/* Sort pods so that the ones to delete first come first: unscheduled before
 * scheduled, Pending before Unknown before Running, not ready before ready,
 * lower controller.kubernetes.io/pod-deletion-cost first, ready for less
 * time first, more restarts first, newer first (upstream's ActivePods). */
void rs_sort_pods_for_deletion(const json **pods, size_t n);

/* The ownerReference a controller puts on what it owns. */
json *rs_controller_ref(const json *owner, const char *api_version, const char *kind);

/* A new pod from the template of `owner` (a ReplicaSet): generateName
 * "<name>-", the template's labels, annotations and spec, a controller
 * ownerReference. */
json *rs_pod_from_template(const json *owner, const char *api_version, const char *kind);

/* The status for the given active owned pods. Keeps the old conditions. */
json *rs_compute_status(const json *rs, const json *const *pods, size_t n, tm_time now);

/* Creations in slow-start batches: 1, 2, 4, ... so that a failing template
 * does not send many failing requests. The batch sizes for `total`. */
size_t rs_slow_start_batch(size_t done, size_t total);

#endif
