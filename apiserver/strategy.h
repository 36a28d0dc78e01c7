/* SPDX-License-Identifier: Apache-2.0 */
/* Per-kind rules on the way into the store (upstream's "strategies"):
 * defaults from the schema, what create and update may change, validation
 * into Status causes, and how deletion proceeds. */
#ifndef TIMONIER_APISERVER_STRATEGY_H
#define TIMONIER_APISERVER_STRATEGY_H

#include <stdbool.h>
#include <stdint.h>

#include "api/schema.h"
#include "json.h"

/* Apply the schema's defaults to obj (recursively, to what is present). */
void strategy_apply_defaults(const struct schema_type *t, json *obj);

/* Before create: defaults, status reset, generation 1 where tracked, the
 * kind's own preparation (pod phase Pending, namespace finalizers). */
void strategy_prepare_for_create(const struct schema_resource *res, json *obj);

/* Before update: `sub` is NULL for the main resource, "status" for
 * status. Keeps what the request may not change (uid, creation time,
 * status on the main resource, spec and metadata on status) and bumps
 * metadata.generation when the spec changed. */
void strategy_prepare_for_update(const struct schema_resource *res, const char *sub, json *obj,
                                 const json *old);

/* Validation; `old` is NULL on create. Returns a JSON array of causes
 * ({reason, message, field}), empty when valid. */
json *strategy_validate(const struct schema_resource *res, const json *obj, const json *old);

/* Type check against the schema, for decoding: returns a malloc'd message
 * for the first value of the wrong type (NULL if none), fills *ret_unknown
 * (if non-NULL) with a JSON array of unknown field paths, and removes the
 * unknown fields (upstream's typed decoding drops them). */
char *strategy_check_types(const struct schema_resource *res, json *obj, json **ret_unknown);

/* The grace period of a deletion: `requested` (< 0 for none) against the
 * kind's rules. 0 deletes at once. */
int64_t strategy_grace_period(const struct schema_resource *res, const json *obj,
                              int64_t requested);

/* Deletion hook: may mark obj (namespace phase Terminating). Returns true
 * if the object must stay until something finalizes it. */
bool strategy_on_delete(const struct schema_resource *res, json *obj);

/* A pod was bound to a node: its PodScheduled condition. */
void strategy_on_binding(json *pod);

#endif
