/* SPDX-License-Identifier: Apache-2.0 */
/* Informers: list + watch of one resource path into a local cache, with
 * event handlers, indexes and resync (doc/informer.md).
 *
 *     _cleanup_(informer_factory_freep) informer_factory *f = NULL;
 *     r = informer_factory_new(url, &client_opts, &f, err);
 *     informer *pods;
 *     r = informer_factory_add(f, "/api/v1/pods", &(informer_options){ 0 }, &pods, err);
 *     informer_add_handlers(pods, &(informer_handlers){ .on_add = ..., .userdata = q });
 *     informer_add_index(pods, "node", informer_index_pod_node, NULL);
 *     r = informer_factory_start(f, err);
 *     r = informer_factory_wait_for_sync(f, 30000);
 *
 * All informers of a factory run in the factory's one thread: their watches
 * share one http_watcher, their LISTs are made from that thread, and their
 * handlers are called from it, in event order, after the cache is updated.
 *
 * Objects are refcounted and immutable once in the cache: a cache read
 * hands out references (informer_object_unref() them), a handler borrows
 * its arguments for the duration of the call (ref to keep). Never modify
 * obj->json: copy it (json_copy()) to build an update. */
#ifndef TIMONIER_INFORMER_H
#define TIMONIER_INFORMER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "cleanup.h"
#include "httpclient.h"
#include "json.h"
#include "tmerror.h"

typedef struct informer_factory informer_factory;
typedef struct informer informer;

typedef struct informer_object {
        char *key;        /* "namespace/name", or "name" for a cluster-scoped object */
        json *json;       /* read-only */
        atomic_uint refs; /* private */
} informer_object;

informer_object *informer_object_ref(informer_object *o);
void informer_object_unref(informer_object *o);
DEFINE_CLEANUP_FUNC(informer_object, informer_object_unref)
/* Unref n objects and free the array (as informer_list() returns). */
void informer_objects_free(informer_object **v, size_t n);

/* The cache key of an object: "namespace/name" or "name"; NULL without a
 * metadata.name. */
char *informer_key_of(const json *obj);

/* Called from the factory thread, after the cache changed. For on_delete,
 * final_state_unknown is true when the deletion was found by a relist: obj
 * is then the last state seen, not the final one. A resync calls
 * on_update(obj, obj) with the same object. */
typedef struct informer_handlers {
        void (*on_add)(informer *inf, informer_object *obj, void *userdata);
        void (*on_update)(informer *inf, informer_object *old_obj, informer_object *new_obj,
                          void *userdata);
        void (*on_delete)(informer *inf, informer_object *obj, bool final_state_unknown,
                          void *userdata);
        void *userdata;
} informer_handlers;

/* An index function returns the index values of an object (a malloc'd
 * NULL-terminated strv), or NULL for none. Called with the cache locked:
 * it must not call informer functions. */
typedef char **(*informer_index_fn)(const json *obj, void *userdata);
/* Ready-made: pods by spec.nodeName (unbound pods under ""), objects by
 * namespace. */
char **informer_index_pod_node(const json *obj, void *userdata);
char **informer_index_namespace(const json *obj, void *userdata);

typedef struct informer_options {
        const char *label_selector; /* copied */
        const char *field_selector; /* copied */
        long resync_period_ms;      /* 0: no resync */
        unsigned page_size;         /* LIST limit; default 500 */
        long watch_timeout_s;       /* timeoutSeconds of a watch; default 5..10 min at random */
} informer_options;

typedef struct informer_factory_options {
        long backoff_initial_ms; /* after an error; default 200 ms, doubling, with jitter */
        long backoff_max_ms;     /* default 30 s */
} informer_factory_options;

/* A factory with its own http_client to base_url (client_opts may be NULL). */
int informer_factory_new(const char *base_url, const http_client_options *client_opts,
                         informer_factory **ret, tm_error **err);
int informer_factory_new_with(const char *base_url, const http_client_options *client_opts,
                              const informer_factory_options *opts, informer_factory **ret,
                              tm_error **err);
/* Stops the thread if running, frees every informer (and its cache). */
void informer_factory_free(informer_factory *f);
DEFINE_CLEANUP_FUNC(informer_factory, informer_factory_free)

/* Add an informer of `path` ("/api/v1/pods", "/apis/apps/v1/namespaces/x/deployments").
 * Before start only. The informer belongs to the factory. */
int informer_factory_add(informer_factory *f, const char *path, const informer_options *opts,
                         informer **ret, tm_error **err);
/* Before start only; several handler sets may be added. */
int informer_add_handlers(informer *inf, const informer_handlers *h, tm_error **err);
/* Before start only. */
int informer_add_index(informer *inf, const char *name, informer_index_fn fn, void *userdata,
                       tm_error **err);

int informer_factory_start(informer_factory *f, tm_error **err);
/* Stop the thread and the watches (idempotent); the caches stay readable. */
void informer_factory_stop(informer_factory *f);
/* Wait until every informer has synced: 0, or -ETIMEDOUT, or -ECANCELED
 * when the factory stopped. timeout_ms < 0: no limit. */
int informer_factory_wait_for_sync(informer_factory *f, long timeout_ms);
/* The factory's client, for writes from handlers or workers (thread-safe
 * for requests, not for watches). */
http_client *informer_factory_client(informer_factory *f);

/* True once the first LIST was in the cache and delivered to handlers. */
bool informer_has_synced(informer *inf);
const char *informer_path(const informer *inf);

/* Cache reads, from any thread. */
informer_object *informer_get(informer *inf, const char *key); /* a reference, or NULL */
size_t informer_len(informer *inf);
/* A malloc'd array of references; release with informer_objects_free(). */
void informer_list(informer *inf, informer_object ***ret, size_t *ret_n);
/* Objects whose index `index` has value `value`; -ENOENT for an unknown index. */
int informer_by_index(informer *inf, const char *index, const char *value, informer_object ***ret,
                      size_t *ret_n);
/* The resourceVersion last seen (list, event or bookmark), malloc'd. */
char *informer_resource_version(informer *inf);

typedef struct informer_stats {
        unsigned long lists;   /* complete LISTs (initial + relists) */
        unsigned long watches; /* watch requests started */
        unsigned long expired; /* 410s seen */
        unsigned long errors;  /* failed LISTs and watches */
        unsigned long events;  /* watch events applied */
} informer_stats;
informer_stats informer_get_stats(informer *inf);

#endif
