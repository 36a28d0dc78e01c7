/* SPDX-License-Identifier: Apache-2.0 */
/* The ServiceAccount controller: a "default" ServiceAccount in every active
 * namespace, made again if deleted. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "controllers/controller.h"
#include "log.h"
#include "util.h"

typedef struct sa_state {
        cm_ctx *ctx;
        informer *namespaces, *sas;
        cm_workers workers;
} sa_state;

static void ns_add(informer *inf _unused_, informer_object *o, void *userdata) {
        sa_state *s = userdata;
        workqueue_add(s->workers.queue, o->key);
}

static void ns_update(informer *inf _unused_, informer_object *old _unused_, informer_object *o,
                      void *userdata) {
        ns_add(inf, o, userdata);
}

static void sa_delete(informer *inf _unused_, informer_object *o, bool unknown _unused_,
                      void *userdata) {
        sa_state *s = userdata;
        const char *ns = json_get_str(o->json, "metadata", "namespace", NULL);
        if (ns && streq_ptr(json_get_str(o->json, "metadata", "name", NULL), "default"))
                workqueue_add(s->workers.queue, ns);
}

static int sa_sync(void *state, const char *name) {
        sa_state *s = state;
        _cleanup_(informer_object_unrefp) informer_object *ns = informer_get(s->namespaces, name);
        if (!ns || cm_being_deleted(ns->json) ||
            streq_ptr(json_get_str(ns->json, "status", "phase", NULL), "Terminating"))
                return 0;
        _cleanup_free_ char *key = xasprintf("%s/default", name);
        _cleanup_(informer_object_unrefp) informer_object *sa = informer_get(s->sas, key);
        if (sa)
                return 0;
        _cleanup_json_ json *obj = json_new_object();
        json_object_set_string(obj, "apiVersion", "v1");
        json_object_set_string(obj, "kind", "ServiceAccount");
        json *md = json_object_ensure_object(obj, "metadata");
        json_object_set_string(md, "name", "default");
        json_object_set_string(md, "namespace", name);
        _cleanup_free_ char *path = xasprintf("/api/v1/namespaces/%s/serviceaccounts", name);
        _cleanup_error_ tm_error *err = NULL;
        int r = http_post_json(s->ctx->client, path, obj, NULL, &err);
        /* Already there (the cache lags), or the namespace is going. */
        if (r == -EEXIST || r == -ENOENT || r == -EACCES || r == -EPERM)
                return 0;
        if (r < 0)
                return log_warning_errno(r, "serviceaccount: %s: %s", path, tm_error_msg(err));
        return 0;
}

static int sa_setup(cm_ctx *ctx, void **ret_state, tm_error **err) {
        sa_state *s = xcalloc(1, sizeof *s);
        s->ctx = ctx;
        cm_workers_init(&s->workers, "serviceaccount", sa_sync, s);
        int r = cm_informer(ctx, "/api/v1/namespaces", &s->namespaces, err);
        if (r >= 0)
                r = cm_informer(ctx, "/api/v1/serviceaccounts", &s->sas, err);
        if (r >= 0)
                r = informer_add_handlers(s->namespaces,
                                          &(informer_handlers){ .on_add = ns_add,
                                                                .on_update = ns_update,
                                                                .userdata = s },
                                          err);
        if (r >= 0)
                r = informer_add_handlers(
                        s->sas, &(informer_handlers){ .on_delete = sa_delete, .userdata = s }, err);
        if (r < 0) {
                cm_workers_done(&s->workers);
                free(s);
                return tm_error_wrap(err, r, "serviceaccount");
        }
        *ret_state = s;
        return 0;
}

static int sa_start(void *state, tm_error **err) {
        sa_state *s = state;
        return cm_workers_start(&s->workers, 1, err);
}

static void sa_stop(void *state) {
        sa_state *s = state;
        if (!s)
                return;
        cm_workers_done(&s->workers);
        free(s);
}

const controller controller_serviceaccount = {
        .name = "serviceaccount",
        .setup = sa_setup,
        .start = sa_start,
        .stop = sa_stop,
};
