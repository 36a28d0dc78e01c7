/* SPDX-License-Identifier: Apache-2.0 */
/* The Deployment controller's decisions, as pure functions on API objects
 * (unit-tested in tests/unit/deployment_test.c). */
#ifndef TIMONIER_CONTROLLERS_DEPLOYMENT_H
#define TIMONIER_CONTROLLERS_DEPLOYMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "timeutil.h"

#define DEPLOY_REVISION_ANNOTATION     "deployment.kubernetes.io/revision"
#define DEPLOY_DESIRED_ANNOTATION      "deployment.kubernetes.io/desired-replicas"
#define DEPLOY_MAX_REPLICAS_ANNOTATION "deployment.kubernetes.io/max-replicas"
#define DEPLOY_HASH_LABEL              "pod-template-hash"

/* The pod-template-hash of a template (with a collision count, may be
 * negative for none): FNV-1a 32 of its canonical JSON, written in the
 * alphabet upstream's SafeEncodeString uses. The value is ours: it differs
 * from upstream's, which hashes Go's in-memory struct. */
char *deploy_template_hash(const json *tmpl, int64_t collision_count);

/* Do a ReplicaSet's template and a Deployment's match, ignoring the
 * pod-template-hash label? */
bool deploy_template_equal(const json *rs_template, const json *d_template);

/* maxSurge and maxUnavailable resolved against spec.replicas (surge rounds
 * up, unavailable down; both 0 makes unavailable 1). Recreate: 0, 0. */
int deploy_resolve_fenceposts(const json *d, int64_t *ret_surge, int64_t *ret_unavailable);

/* RollingUpdate: the replicas the new ReplicaSet should have, given the
 * sum of all ReplicaSets' spec.replicas. */
int64_t deploy_new_rs_replicas(const json *d, int64_t new_replicas, int64_t all_replicas);

/* The revision of an object (its annotation), 0 if none. */
int64_t deploy_revision(const json *obj);

/* The Deployment's status from its ReplicaSets' (new_rs may be NULL),
 * with Available and Progressing conditions. `event`: what this sync did,
 * for the Progressing condition: "NewReplicaSetCreated", "ReplicaSetUpdated"
 * or NULL. */
json *deploy_compute_status(const json *d, const json *new_rs, const json *const *old_rss,
                            size_t n_old, const char *event, tm_time now);

/* True when the status says the rollout is complete. */
bool deploy_complete(const json *d, const json *status);

#endif
