/* SPDX-License-Identifier: Apache-2.0 */
/* The namespace controller: a namespace marked for deletion gets everything
 * in it deleted, then its "kubernetes" finalizer removed through /finalize
 * (the API server then deletes it). While content remains, the
 * NamespaceContentRemaining condition says what. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "controllers/controller.h"
#include "log.h"
#include "strbuf.h"
#include "timeutil.h"
#include "util.h"

typedef struct ns_state {
        cm_ctx *ctx;
        informer *namespaces;
        cm_workers workers;
} ns_state;

static void ns_enqueue(ns_state *s, const json *ns) {
        if (cm_being_deleted(ns) &&
            cm_strv_json_contains(json_get(ns, "spec", "finalizers", NULL), "kubernetes"))
                workqueue_add(s->workers.queue, json_get_str(ns, "metadata", "name", NULL));
}

static void on_add(informer *inf _unused_, informer_object *o, void *userdata) {
        ns_enqueue(userdata, o->json);
}

static void on_update(informer *inf _unused_, informer_object *old _unused_, informer_object *o,
                      void *userdata) {
        ns_enqueue(userdata, o->json);
}

/* Set (or clear, with message NULL) the NamespaceContentRemaining
 * condition; best effort. */
static void set_content_condition(http_client *c, const json *ns, const char *message) {
        _cleanup_json_ json *obj = json_copy(ns);
        json *st = json_object_ensure_object(obj, "status");
        json *conds = json_object_get(st, "conditions");
        if (!json_is_array(conds)) {
                conds = json_new_array();
                json_object_set(st, "conditions", conds);
        }
        json *cond = NULL;
        for (size_t i = 0; i < json_array_len(conds); i++)
                if (streq_ptr(json_object_get_string(json_array_get(conds, i), "type"),
                              "NamespaceContentRemaining"))
                        cond = json_array_get(conds, i);
        const char *status = message ? "True" : "False";
        const char *reason = message ? "SomeResourcesRemain" : "ContentRemoved";
        const char *msg = message ? message : "All content successfully removed";
        if (cond && streq_ptr(json_object_get_string(cond, "status"), status) &&
            streq_ptr(json_object_get_string(cond, "message"), msg))
                return;
        if (!cond) {
                cond = json_new_object();
                json_array_append(conds, cond);
        }
        _cleanup_free_ char *now = time_now_rfc3339();
        json_object_set_string(cond, "type", "NamespaceContentRemaining");
        json_object_set_string(cond, "status", status);
        json_object_set_string(cond, "lastTransitionTime", now);
        json_object_set_string(cond, "reason", reason);
        json_object_set_string(cond, "message", msg);
        _cleanup_free_ char *path = xasprintf("/api/v1/namespaces/%s/status",
                                              json_get_str(ns, "metadata", "name", NULL));
        _cleanup_error_ tm_error *err = NULL;
        if (http_put_json(c, path, obj, NULL, &err) < 0)
                log_debug("namespace: status: %s", tm_error_msg(err));
}

static int ns_sync(void *state, const char *name) {
        ns_state *s = state;
        http_client *c = s->ctx->client;
        _cleanup_free_ char *path = xasprintf("/api/v1/namespaces/%s", name);
        _cleanup_json_ json *ns = NULL;
        _cleanup_error_ tm_error *err = NULL;
        int r = http_get_json(c, path, &ns, &err);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return log_warning_errno(r, "namespace %s: %s", name, tm_error_msg(err));
        const json *fin = json_get(ns, "spec", "finalizers", NULL);
        if (!cm_being_deleted(ns) || !cm_strv_json_contains(fin, "kubernetes"))
                return 0;

        /* Discovered each time: resources come and go (CRDs). */
        cm_resource *res = NULL;
        size_t n = 0;
        r = cm_discover(c, &res, &n, &err);
        if (r < 0)
                return log_warning_errno(r, "namespace %s: %s", name, tm_error_msg(err));
        _cleanup_strbuf_ strbuf remaining = STRBUF_INIT;
        bool failed = false;
        for (size_t i = 0; i < n; i++) {
                const cm_resource *rs = &res[i];
                if (!rs->namespaced || !rs->can_delete || !rs->can_list)
                        continue;
                _cleanup_free_ char *coll = cm_resource_path(rs, name, NULL);
                if (rs->can_deletecollection) {
                        r = cm_delete(c, coll, "Background", NULL, &err);
                        if (r < 0 && r != -ENOENT) {
                                log_warning("namespace %s: delete %s: %s", name, rs->plural,
                                            tm_error_msg(err));
                                failed = true;
                        }
                }
                _cleanup_json_ json *list = NULL;
                r = http_get_json(c, coll, &list, &err);
                if (r < 0) {
                        failed = true;
                        continue;
                }
                const json *items = json_object_get(list, "items");
                size_t left = json_array_len(items);
                for (size_t j = 0; j < json_array_len(items); j++) {
                        const json *it = json_array_get(items, j);
                        if (rs->can_deletecollection || cm_being_deleted(it))
                                continue;
                        _cleanup_free_ char *p = cm_resource_path(
                                rs, name, json_get_str(it, "metadata", "name", NULL));
                        if (cm_delete(c, p, "Background", NULL, NULL) == -ENOENT)
                                left--;
                }
                if (left > 0)
                        strbuf_printf(&remaining, "%s%s.%s has %zu resource instances",
                                      remaining.len ? ", " : "", rs->plural,
                                      *rs->group ? rs->group : "", left);
        }
        cm_resources_free(res, n);
        if (failed)
                return -EAGAIN;
        if (remaining.len) {
                /* Pods in their grace period, finalizers: look again soon. */
                set_content_condition(c, ns, remaining.data);
                return 1000;
        }

        _cleanup_json_ json *body = json_new_object();
        json_object_set_string(body, "apiVersion", "v1");
        json_object_set_string(body, "kind", "Namespace");
        json *md = json_object_ensure_object(body, "metadata");
        json_object_set_string(md, "name", name);
        json_object_set_string(md, "resourceVersion",
                               json_get_str(ns, "metadata", "resourceVersion", NULL));
        json *keep = json_new_array();
        for (size_t i = 0; i < json_array_len(fin); i++)
                if (!streq_ptr(json_string(json_array_get(fin, i)), "kubernetes"))
                        json_array_append(keep, json_copy(json_array_get(fin, i)));
        json_object_set(json_object_ensure_object(body, "spec"), "finalizers", keep);
        _cleanup_free_ char *fpath = xasprintf("/api/v1/namespaces/%s/finalize", name);
        r = http_put_json(c, fpath, body, NULL, &err);
        if (r < 0 && r != -ENOENT)
                return log_warning_errno(r, "namespace %s: finalize: %s", name, tm_error_msg(err));
        log_info("namespace %s: content removed, finalized", name);
        return 0;
}

static int ns_setup(cm_ctx *ctx, void **ret_state, tm_error **err) {
        ns_state *s = xcalloc(1, sizeof *s);
        s->ctx = ctx;
        cm_workers_init(&s->workers, "namespace", ns_sync, s);
        int r = cm_informer(ctx, "/api/v1/namespaces", &s->namespaces, err);
        if (r >= 0)
                r = informer_add_handlers(s->namespaces,
                                          &(informer_handlers){ .on_add = on_add,
                                                                .on_update = on_update,
                                                                .userdata = s },
                                          err);
        if (r < 0) {
                cm_workers_done(&s->workers);
                free(s);
                return r;
        }
        *ret_state = s;
        return 0;
}

static int ns_start(void *state, tm_error **err) {
        ns_state *s = state;
        return cm_workers_start(&s->workers, 2, err);
}

static void ns_stop(void *state) {
        ns_state *s = state;
        if (!s)
                return;
        cm_workers_done(&s->workers);
        free(s);
}

const controller controller_namespace = {
        .name = "namespace",
        .setup = ns_setup,
        .start = ns_start,
        .stop = ns_stop,
};
