/* SPDX-License-Identifier: Apache-2.0 */
/* meta/v1 Status objects, shaped exactly as kube-apiserver's, so that
 * kubectl and client libraries print the same lines they print against
 * Kubernetes. */
#ifndef TIMONIER_APISERVER_STATUS_H
#define TIMONIER_APISERVER_STATUS_H

#include "json.h"

/* {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
 *  "message":..,"reason":..,"details":..,"code":..}. details may be NULL. */
json *status_failure(int code, const char *reason, const char *message, json *details_take);
json *status_success(void);

/* "pods" / "deployments.apps": how upstream names a group resource. */
char *status_qualified_resource(const char *group, const char *resource);

json *status_not_found(const char *group, const char *resource, const char *name);
json *status_already_exists(const char *group, const char *resource, const char *name);
json *status_conflict(const char *group, const char *resource, const char *name, const char *why);
json *status_bad_request(const char *message);
json *status_method_not_allowed(const char *group, const char *resource, const char *action);
json *status_unsupported_media_type(const char *content_type);
json *status_not_acceptable(const char *accept);
json *status_too_many_requests(void);
json *status_entity_too_large(size_t limit);
json *status_expired(const char *message);
json *status_internal_error(const char *message);
json *status_forbidden(const char *message);

/* 422 Invalid: `Kind "name" is invalid: [f: msg, f: msg]` with
 * details.causes. `causes` is a JSON array of {reason, message, field}. */
json *status_invalid(const char *group, const char *kind, const char *name, json *causes_take);
/* One cause, with the message upstream's field.Error prints:
 * `Required value`, `Invalid value: "x": <detail>`, ... */
void status_add_cause(json *causes, const char *reason, const char *field, const char *message);

int status_code(const json *status);

#endif
