/* SPDX-License-Identifier: Apache-2.0 */
/* Shared plumbing of the controllers (controller.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "controllers/controller.h"
#include "log.h"
#include "util.h"

const controller *const cm_controllers[] = {
        &controller_namespace,
        &controller_garbage_collector,
        &controller_replicaset,
        &controller_deployment,
        &controller_serviceaccount,
        &controller_job,
        &controller_cronjob,
        &controller_daemonset,
        &controller_disruption,
        &controller_ttl_after_finished,
        NULL,
};

int cm_informer(cm_ctx *ctx, const char *path, informer **ret, tm_error **err) {
        informer *inf = strmap_get(ctx->informers, path);
        if (!inf) {
                int r = informer_factory_add(ctx->factory, path, &(informer_options){ 0 }, &inf,
                                             err);
                if (r < 0)
                        return r;
                r = informer_add_index(inf, "namespace", informer_index_namespace, NULL, err);
                if (r < 0)
                        return r;
                strmap_put(ctx->informers, path, inf);
        }
        *ret = inf;
        return 0;
}

/* --- workers ------------------------------------------------------------ */

static void *worker_main(void *p) {
        cm_workers *w = p;
        char *key;
        while (workqueue_get(w->queue, &key) >= 0) {
                int r = w->sync(w->state, key);
                if (r < 0) {
                        log_debug("%s: %s: retrying (%s)", w->name, key, strerror(-r));
                        workqueue_add_rate_limited(w->queue, key);
                } else {
                        workqueue_forget(w->queue, key);
                        if (r > 0)
                                workqueue_add_after(w->queue, key, r);
                }
                workqueue_done(w->queue, key);
                free(key);
        }
        return NULL;
}

void cm_workers_init(cm_workers *w, const char *name, cm_sync_fn sync, void *state) {
        /* Controllers retry quickly: the API server is local. */
        workqueue_options o = { .base_delay_ms = 10, .max_delay_ms = 30000, .qps = -1 };
        *w = (cm_workers){ .queue = workqueue_new(&o), .sync = sync, .state = state, .name = name };
}

int cm_workers_start(cm_workers *w, size_t n, tm_error **err) {
        w->threads = xcalloc(n, sizeof *w->threads);
        for (size_t i = 0; i < n; i++) {
                int r = pthread_create(&w->threads[i], NULL, worker_main, w);
                if (r != 0)
                        return tm_error_set_errno(err, -r, "start %s worker", w->name);
                w->n++;
        }
        return 0;
}

void cm_workers_done(cm_workers *w) {
        if (!w->queue)
                return;
        workqueue_shutdown(w->queue);
        for (size_t i = 0; i < w->n; i++)
                pthread_join(w->threads[i], NULL);
        free(w->threads);
        workqueue_free(w->queue);
        *w = (cm_workers){ 0 };
}

/* --- discovery ---------------------------------------------------------- */

static int add_group_version(http_client *c, const char *prefix, const char *gv, cm_resource **v,
                             size_t *n, tm_error **err) {
        _cleanup_json_ json *list = NULL;
        int r = http_get_json(c, prefix, &list, err);
        if (r < 0)
                return tm_error_wrap(err, r, "discover %s", prefix);
        const json *res = json_object_get(list, "resources");
        const char *slash = strchr(gv, '/');
        for (size_t i = 0; i < json_array_len(res); i++) {
                const json *e = json_array_get(res, i);
                const char *name = json_object_get_string(e, "name");
                const char *kind = json_object_get_string(e, "kind");
                if (!name || !kind || strchr(name, '/'))
                        continue;
                const json *verbs = json_object_get(e, "verbs");
                *v = xreallocarray(*v, *n + 1, sizeof **v);
                (*v)[(*n)++] = (cm_resource){
                        .prefix = xstrdup(prefix),
                        .group_version = xstrdup(gv),
                        .group = slash ? xstrndup(gv, slash - gv) : xstrdup(""),
                        .plural = xstrdup(name),
                        .kind = xstrdup(kind),
                        .namespaced = json_object_get_bool(e, "namespaced", false),
                        .can_list = cm_strv_json_contains(verbs, "list"),
                        .can_watch = cm_strv_json_contains(verbs, "watch"),
                        .can_delete = cm_strv_json_contains(verbs, "delete"),
                        .can_deletecollection = cm_strv_json_contains(verbs, "deletecollection"),
                };
        }
        return 0;
}

int cm_discover(http_client *c, cm_resource **ret, size_t *ret_n, tm_error **err) {
        cm_resource *v = NULL;
        size_t n = 0;
        int r = add_group_version(c, "/api/v1", "v1", &v, &n, err);
        _cleanup_json_ json *groups = NULL;
        if (r >= 0)
                r = http_get_json(c, "/apis", &groups, err);
        const json *gl = json_object_get(groups, "groups");
        for (size_t i = 0; r >= 0 && i < json_array_len(gl); i++) {
                const char *gv = json_get_str(json_array_get(gl, i), "preferredVersion",
                                              "groupVersion", NULL);
                if (!gv)
                        continue;
                _cleanup_free_ char *prefix = xasprintf("/apis/%s", gv);
                r = add_group_version(c, prefix, gv, &v, &n, err);
        }
        if (r < 0) {
                cm_resources_free(v, n);
                return r;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

void cm_resources_free(cm_resource *v, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(v[i].prefix);
                free(v[i].group_version);
                free(v[i].group);
                free(v[i].plural);
                free(v[i].kind);
        }
        free(v);
}

const cm_resource *cm_resource_for_kind(const cm_resource *v, size_t n, const char *api_version,
                                        const char *kind) {
        if (!api_version || !kind)
                return NULL;
        for (size_t i = 0; i < n; i++)
                if (streq(v[i].group_version, api_version) && streq(v[i].kind, kind))
                        return &v[i];
        const char *slash = strchr(api_version, '/');
        size_t glen = slash ? (size_t)(slash - api_version) : 0;
        for (size_t i = 0; i < n; i++)
                if (strlen(v[i].group) == glen && strncmp(v[i].group, api_version, glen) == 0 &&
                    streq(v[i].kind, kind))
                        return &v[i];
        return NULL;
}

/* --- objects ------------------------------------------------------------ */

char *cm_resource_path(const cm_resource *res, const char *ns, const char *name) {
        _cleanup_free_ char *nspart =
                res->namespaced && ns ? xasprintf("/namespaces/%s", ns) : xstrdup("");
        if (name)
                return xasprintf("%s%s/%s/%s", res->prefix, nspart, res->plural, name);
        return xasprintf("%s%s/%s", res->prefix, nspart, res->plural);
}

bool cm_strv_json_contains(const json *array, const char *s) {
        for (size_t i = 0; i < json_array_len(array); i++)
                if (streq_ptr(json_string(json_array_get(array, i)), s))
                        return true;
        return false;
}

const json *cm_controller_ref(const json *obj) {
        const json *refs = json_get(obj, "metadata", "ownerReferences", NULL);
        for (size_t i = 0; i < json_array_len(refs); i++) {
                const json *ref = json_array_get(refs, i);
                if (json_object_get_bool(ref, "controller", false))
                        return ref;
        }
        return NULL;
}

bool cm_has_finalizer(const json *obj, const char *f) {
        return cm_strv_json_contains(json_get(obj, "metadata", "finalizers", NULL), f);
}

bool cm_being_deleted(const json *obj) {
        return json_get(obj, "metadata", "deletionTimestamp", NULL) != NULL;
}

int cm_patch_metadata_list(http_client *c, const char *path, const json *obj, const char *field,
                           const json *list, tm_error **err) {
        _cleanup_json_ json *patch = json_new_object();
        json *md = json_object_ensure_object(patch, "metadata");
        json_object_set(md, field,
                        list && json_array_len(list) ? json_copy(list) : json_new_null());
        const char *rv = json_get_str(obj, "metadata", "resourceVersion", NULL);
        if (rv)
                json_object_set_string(md, "resourceVersion", rv);
        size_t len;
        _cleanup_free_ char *body = json_serialize(patch, 0, &len);
        return http_patch(c, path, "application/merge-patch+json", body, len, NULL, err);
}

int cm_delete(http_client *c, const char *path, const char *propagation, const char *uid,
              tm_error **err) {
        _cleanup_json_ json *opts = json_new_object();
        json_object_set_string(opts, "kind", "DeleteOptions");
        json_object_set_string(opts, "apiVersion", "v1");
        if (propagation)
                json_object_set_string(opts, "propagationPolicy", propagation);
        if (uid)
                json_object_set_string(json_object_ensure_object(opts, "preconditions"), "uid",
                                       uid);
        return http_delete(c, path, opts, NULL, err);
}

/* --- expectations --------------------------------------------------------- */

typedef struct cm_expectation {
        long adds;
        strmap *dels; /* pod keys asked to be deleted, not yet seen going */
        time_t at;
} cm_expectation;

struct cm_expectations {
        pthread_mutex_t lock;
        strmap *by_key;
        long timeout_s;
};

static void expectation_free(void *p) {
        cm_expectation *e = p;
        if (e)
                strmap_free(e->dels);
        free(e);
}

cm_expectations *cm_expectations_new(long timeout_s) {
        cm_expectations *x = xcalloc(1, sizeof *x);
        pthread_mutex_init(&x->lock, NULL);
        x->by_key = strmap_new();
        x->timeout_s = timeout_s;
        return x;
}

void cm_expectations_free(cm_expectations *x) {
        if (!x)
                return;
        strmap_free_full(x->by_key, expectation_free);
        pthread_mutex_destroy(&x->lock);
        free(x);
}

static cm_expectation *expectation_get_locked(cm_expectations *x, const char *key) {
        cm_expectation *e = strmap_get(x->by_key, key);
        if (!e) {
                e = xcalloc(1, sizeof *e);
                e->dels = strmap_new();
                e->at = time(NULL);
                strmap_put(x->by_key, key, e);
        }
        return e;
}

bool cm_expectations_satisfied(cm_expectations *x, const char *key) {
        pthread_mutex_lock(&x->lock);
        cm_expectation *e = strmap_get(x->by_key, key);
        bool ok = !e || (e->adds <= 0 && strmap_size(e->dels) == 0) ||
                  time(NULL) - e->at > x->timeout_s;
        pthread_mutex_unlock(&x->lock);
        return ok;
}

void cm_expect_creations(cm_expectations *x, const char *key, long n) {
        pthread_mutex_lock(&x->lock);
        cm_expectation *e = expectation_get_locked(x, key);
        e->adds = n;
        e->at = time(NULL);
        pthread_mutex_unlock(&x->lock);
}

void cm_expectations_add(cm_expectations *x, const char *key, long delta) {
        pthread_mutex_lock(&x->lock);
        cm_expectation *e = expectation_get_locked(x, key);
        e->adds += delta;
        if (delta > 0)
                e->at = time(NULL);
        pthread_mutex_unlock(&x->lock);
}

void cm_creation_observed(cm_expectations *x, const char *key) {
        pthread_mutex_lock(&x->lock);
        cm_expectation *e = strmap_get(x->by_key, key);
        if (e)
                e->adds--;
        pthread_mutex_unlock(&x->lock);
}

void cm_expect_deletion(cm_expectations *x, const char *key, const char *pod_key) {
        pthread_mutex_lock(&x->lock);
        cm_expectation *e = expectation_get_locked(x, key);
        strmap_put(e->dels, pod_key, NULL);
        e->at = time(NULL);
        pthread_mutex_unlock(&x->lock);
}

void cm_deletion_observed(cm_expectations *x, const char *key, const char *pod_key) {
        pthread_mutex_lock(&x->lock);
        cm_expectation *e = strmap_get(x->by_key, key);
        if (e)
                strmap_remove(e->dels, pod_key, NULL);
        pthread_mutex_unlock(&x->lock);
}

void cm_expectations_drop(cm_expectations *x, const char *key) {
        pthread_mutex_lock(&x->lock);
        expectation_free(strmap_remove(x->by_key, key, NULL));
        pthread_mutex_unlock(&x->lock);
}
