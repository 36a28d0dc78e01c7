/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <stdio.h>

#include "status.h"
#include "strbuf.h"

static json *status_base(const char *status) {
        json *s = json_new_object();
        json_object_set_string(s, "kind", "Status");
        json_object_set_string(s, "apiVersion", "v1");
        json_object_set(s, "metadata", json_new_object());
        json_object_set_string(s, "status", status);
        return s;
}

json *status_success(void) {
        json *s = status_base("Success");
        json_object_set_int(s, "code", 200);
        return s;
}

json *status_failure(int code, const char *reason, const char *message, json *details_take) {
        json *s = status_base("Failure");
        json_object_set_string(s, "message", message);
        if (reason && *reason)
                json_object_set_string(s, "reason", reason);
        if (details_take)
                json_object_set(s, "details", details_take);
        json_object_set_int(s, "code", code);
        return s;
}

char *status_qualified_resource(const char *group, const char *resource) {
        if (group && *group)
                return xasprintf("%s.%s", resource, group);
        return xstrdup(resource);
}

static json *details_for(const char *group, const char *kind, const char *name) {
        json *d = json_new_object();
        if (name)
                json_object_set_string(d, "name", name);
        if (group && *group)
                json_object_set_string(d, "group", group);
        json_object_set_string(d, "kind", kind);
        return d;
}

json *status_not_found(const char *group, const char *resource, const char *name) {
        _cleanup_free_ char *qr = status_qualified_resource(group, resource);
        _cleanup_free_ char *msg =
                name ? xasprintf("%s \"%s\" not found", qr, name) : xasprintf("%s not found", qr);
        return status_failure(404, "NotFound", msg, details_for(group, resource, name));
}

json *status_already_exists(const char *group, const char *resource, const char *name) {
        _cleanup_free_ char *qr = status_qualified_resource(group, resource);
        _cleanup_free_ char *msg = xasprintf("%s \"%s\" already exists", qr, name);
        return status_failure(409, "AlreadyExists", msg, details_for(group, resource, name));
}

json *status_conflict(const char *group, const char *resource, const char *name, const char *why) {
        _cleanup_free_ char *qr = status_qualified_resource(group, resource);
        _cleanup_free_ char *msg =
                xasprintf("Operation cannot be fulfilled on %s \"%s\": %s", qr, name,
                          why ? why
                              : "the object has been modified; please apply your changes "
                                "to the latest version and try again");
        return status_failure(409, "Conflict", msg, details_for(group, resource, name));
}

json *status_bad_request(const char *message) {
        return status_failure(400, "BadRequest", message, NULL);
}

json *status_method_not_allowed(const char *group, const char *resource, const char *action) {
        _cleanup_free_ char *qr = status_qualified_resource(group, resource);
        _cleanup_free_ char *msg =
                xasprintf("%s is not supported on resources of kind \"%s\"", action, qr);
        return status_failure(405, "MethodNotAllowed", msg, details_for(group, resource, NULL));
}

json *status_unsupported_media_type(const char *content_type) {
        _cleanup_free_ char *msg =
                xasprintf("the body of the request was in an unknown format - accepted media "
                          "types include: application/json, application/yaml, "
                          "application/json-patch+json, application/merge-patch+json, "
                          "application/strategic-merge-patch+json");
        (void)content_type;
        return status_failure(415, "UnsupportedMediaType", msg, NULL);
}

json *status_not_acceptable(const char *accept) {
        _cleanup_free_ char *msg = xasprintf(
                "only the following media types are accepted: application/json, application/yaml");
        (void)accept;
        return status_failure(406, "NotAcceptable", msg, NULL);
}

json *status_too_many_requests(void) {
        json *d = json_new_object();
        json_object_set_int(d, "retryAfterSeconds", 1);
        return status_failure(429, "TooManyRequests", "Too many requests, please try again later.",
                              d);
}

json *status_entity_too_large(size_t limit) {
        _cleanup_free_ char *msg = xasprintf("Request entity too large: limit is %zu", limit);
        /* upstream: NewRequestEntityTooLargeError("limit is N") */
        return status_failure(413, "RequestEntityTooLarge", msg, NULL);
}

json *status_expired(const char *message) {
        return status_failure(410, "Expired", message, NULL);
}

json *status_internal_error(const char *message) {
        _cleanup_free_ char *msg =
                xasprintf("Internal error occurred: %s", message ? message : "unknown");
        json *d = json_new_object();
        json *causes = json_new_array();
        json *c = json_new_object();
        json_object_set_string(c, "message", message ? message : "unknown");
        json_array_append(causes, c);
        json_object_set(d, "causes", causes);
        return status_failure(500, "InternalError", msg, d);
}

json *status_forbidden(const char *message) {
        return status_failure(403, "Forbidden", message, NULL);
}

void status_add_cause(json *causes, const char *reason, const char *field, const char *message) {
        json *c = json_new_object();
        json_object_set_string(c, "reason", reason);
        json_object_set_string(c, "message", message);
        json_object_set_string(c, "field", field);
        json_array_append(causes, c);
}

json *status_invalid(const char *group, const char *kind, const char *name, json *causes_take) {
        _cleanup_strbuf_ strbuf m = STRBUF_INIT;
        _cleanup_free_ char *qk = status_qualified_resource(group, kind);
        size_t n = json_array_len(causes_take);
        strbuf_printf(&m, "%s \"%s\" is invalid: ", qk, name ? name : "");
        if (n != 1)
                strbuf_putc(&m, '[');
        for (size_t i = 0; i < n; i++) {
                const json *c = json_array_get(causes_take, i);
                if (i)
                        strbuf_puts(&m, ", ");
                const char *f = json_object_get_string(c, "field");
                if (f && *f)
                        strbuf_printf(&m, "%s: ", f);
                strbuf_puts(&m, json_object_get_string(c, "message") ?: "");
        }
        if (n != 1)
                strbuf_putc(&m, ']');
        json *d = details_for(group, kind, name);
        json_object_set(d, "causes", causes_take);
        return status_failure(422, "Invalid", m.data, d);
}

int status_code(const json *status) {
        return (int)json_object_get_int(status, "code", 500);
}
