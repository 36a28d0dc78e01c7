/* SPDX-License-Identifier: Apache-2.0 */
/* The controller manager's plumbing (doc/controllers.md): a context shared
 * by every controller (one informer factory, one client), controllers as
 * const vtables, worker pools over a work queue, discovery, and small
 * helpers on API objects. */
#ifndef TIMONIER_CONTROLLERS_CONTROLLER_H
#define TIMONIER_CONTROLLERS_CONTROLLER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "httpclient.h"
#include "informer.h"
#include "json.h"
#include "strmap.h"
#include "tmerror.h"
#include "workqueue.h"

typedef struct cm_ctx {
        informer_factory *factory;
        http_client *client; /* the factory's */
        strmap *informers;   /* path -> informer*, shared between controllers */
} cm_ctx;

/* The informer of `path`, added to the factory the first time (before the
 * factory starts only). */
int cm_informer(cm_ctx *ctx, const char *path, informer **ret, tm_error **err);

typedef struct controller {
        const char *name;
        /* Before the informers start: add informers, handlers, queues. */
        int (*setup)(cm_ctx *ctx, void **ret_state, tm_error **err);
        /* Once the informers have synced: start the workers. */
        int (*start)(void *state, tm_error **err);
        /* Stop the workers and free the state (NULL-safe). */
        void (*stop)(void *state);
} controller;

extern const controller controller_namespace;
extern const controller controller_garbage_collector;
extern const controller controller_replicaset;
extern const controller controller_deployment;
extern const controller controller_serviceaccount;
extern const controller controller_job;
extern const controller controller_cronjob;
extern const controller controller_daemonset;
extern const controller controller_disruption;
extern const controller controller_ttl_after_finished;
/* Every controller, NULL-terminated, in start order. */
extern const controller *const cm_controllers[];

/* --- expectations ------------------------------------------------------- */

/* What a controller asked for and has not seen in its informers yet (pods
 * created, pods deleted), per controller key, so that a sync does not act
 * twice on a cache that lags behind its own writes. Expectations older than
 * the timeout are given up. Thread-safe. */
typedef struct cm_expectations cm_expectations;

cm_expectations *cm_expectations_new(long timeout_s);
void cm_expectations_free(cm_expectations *x);
/* Nothing pending (or it timed out): the cache may be trusted for `key`. */
bool cm_expectations_satisfied(cm_expectations *x, const char *key);
/* Expect exactly `n` creations (before a batch of creates). */
void cm_expect_creations(cm_expectations *x, const char *key, long n);
/* Expect `delta` more creations (negative: a create that failed or was
 * seen); a positive delta restarts the timeout. */
void cm_expectations_add(cm_expectations *x, const char *key, long delta);
/* A creation was seen (no-op without expectations for `key`). */
void cm_creation_observed(cm_expectations *x, const char *key);
void cm_expect_deletion(cm_expectations *x, const char *key, const char *pod_key);
void cm_deletion_observed(cm_expectations *x, const char *key, const char *pod_key);
/* Forget `key` (its object is gone). */
void cm_expectations_drop(cm_expectations *x, const char *key);

/* --- workers ------------------------------------------------------------ */

/* Returns < 0 to have the key retried with backoff; a positive value is a
 * delay in ms after which the key is looked at again. */
typedef int (*cm_sync_fn)(void *state, const char *key);

typedef struct cm_workers {
        workqueue *queue;
        cm_sync_fn sync;
        void *state;
        const char *name;
        size_t n;
        pthread_t *threads;
} cm_workers;

void cm_workers_init(cm_workers *w, const char *name, cm_sync_fn sync, void *state);
int cm_workers_start(cm_workers *w, size_t n, tm_error **err);
/* Shut the queue down, join the threads, free the queue. */
void cm_workers_done(cm_workers *w);

/* --- discovery ---------------------------------------------------------- */

typedef struct cm_resource {
        char *prefix;        /* "/api/v1", "/apis/apps/v1" */
        char *group_version; /* "v1", "apps/v1" */
        char *group;         /* "" for the core group */
        char *plural;
        char *kind;
        bool namespaced;
        bool can_list, can_watch, can_delete, can_deletecollection;
} cm_resource;

/* The resources of /api/v1 and of the preferred version of every group in
 * /apis (subresources left out). */
int cm_discover(http_client *c, cm_resource **ret, size_t *ret_n, tm_error **err);
void cm_resources_free(cm_resource *v, size_t n);
/* The resource of apiVersion+kind: exact version first, else the same group. */
const cm_resource *cm_resource_for_kind(const cm_resource *v, size_t n, const char *api_version,
                                        const char *kind);

/* --- objects ------------------------------------------------------------ */

/* "/api/v1/namespaces/NS/pods" or ".../pods/NAME" (name may be NULL). */
char *cm_resource_path(const cm_resource *res, const char *ns, const char *name);
bool cm_strv_json_contains(const json *array, const char *s);
/* The ownerReference with controller: true, or NULL. */
const json *cm_controller_ref(const json *obj);
/* True when a finalizer is on the object. */
bool cm_has_finalizer(const json *obj, const char *f);
bool cm_being_deleted(const json *obj);
/* Merge-patch metadata.<field> (a list) to `list` (NULL removes it), guarded
 * by the object's resourceVersion. */
int cm_patch_metadata_list(http_client *c, const char *path, const json *obj, const char *field,
                           const json *list, tm_error **err);
/* DELETE with a propagationPolicy (may be NULL) and a UID precondition
 * (may be NULL). -ENOENT is success for callers that only want it gone. */
int cm_delete(http_client *c, const char *path, const char *propagation, const char *uid,
              tm_error **err);

#endif
