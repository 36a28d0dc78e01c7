/* SPDX-License-Identifier: Apache-2.0 */
/* What a request is about, from its method, path and query: the
 * (group, version, namespace, resource, name, subresource) and the verb, as
 * kube-apiserver's request-info resolution does. */
#ifndef TIMONIER_APISERVER_REQUESTINFO_H
#define TIMONIER_APISERVER_REQUESTINFO_H

#include <stdbool.h>

#include "cleanup.h"

typedef enum request_verb {
        VERB_GET,
        VERB_LIST,
        VERB_WATCH,
        VERB_CREATE,
        VERB_UPDATE,
        VERB_PATCH,
        VERB_DELETE,
        VERB_DELETECOLLECTION,
        _VERB_MAX,
        _VERB_INVALID = -1,
} request_verb;

typedef struct request_info {
        bool is_resource; /* false: /version, /healthz, discovery... */
        request_verb verb;
        char *path;        /* decoded path, without the query */
        char *api_prefix;  /* "api" or "apis" (resource requests only) */
        char *group;       /* "" for the core group */
        char *version;     /* "v1" */
        char *namespace_;  /* NULL when not namespaced in the path */
        char *resource;    /* "pods" */
        char *name;        /* NULL for collections */
        char *subresource; /* "status", "log"... or NULL */
        char **parts;      /* the path segments after the version */
} request_info;

/* method: "GET", "POST"...; path: the URL path (percent-decoded by the
 * caller); watch: the query said watch=true|1. A path that is not under
 * /api or /apis gives is_resource = false and only path set. Returns -EINVAL
 * for a method that maps to no verb. */
int request_info_parse(const char *method, const char *path, bool watch, request_info **ret);
void request_info_free(request_info *ri);
DEFINE_CLEANUP_FUNC(request_info, request_info_free)

const char *request_verb_to_string(request_verb v);

#endif
