/* SPDX-License-Identifier: Apache-2.0 */
/* The DaemonSet controller: one pod per node that should run one
 * (nodeSelector, required node affinity, taints against the template's and
 * the default daemon tolerations), created with a node affinity on the
 * node's name for the scheduler to bind; pods on nodes that should not run
 * one, or that are gone, are deleted. RollingUpdate replaces pods of an old
 * template while at most maxUnavailable nodes lack an available pod;
 * OnDelete only creates new pods where old ones were deleted.
 * Expectations keep a slow pod watch from making it act twice. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "controllers/controller.h"
#include "controllers/daemonset.h"
#include "controllers/deployment.h"
#include "controllers/replicaset.h"
#include "log.h"
#include "util.h"

#define DS_EXPECT_TIMEOUT 300 /* s: expectations not met by then are dropped */

typedef struct ds_state {
        cm_ctx *ctx;
        informer *dss, *pods, *nodes;
        cm_workers workers;
        cm_expectations *expect; /* creations and deletions not yet seen */
} ds_state;

/* --- event handlers ------------------------------------------------------- */

static char *owner_ds_key(const json *pod) {
        const json *ref = cm_controller_ref(pod);
        const char *api = json_object_get_string(ref, "apiVersion");
        if (!ref || !streq_ptr(json_object_get_string(ref, "kind"), "DaemonSet") || !api ||
            !startswith(api, "apps/"))
                return NULL;
        const char *ns = json_get_str(pod, "metadata", "namespace", NULL);
        const char *name = json_object_get_string(ref, "name");
        return ns && name ? xasprintf("%s/%s", ns, name) : NULL;
}

static void pod_add(informer *inf _unused_, informer_object *o, void *userdata) {
        ds_state *s = userdata;
        _cleanup_free_ char *key = owner_ds_key(o->json);
        if (!key)
                return;
        if (cm_being_deleted(o->json))
                cm_deletion_observed(s->expect, key, o->key);
        else
                cm_expectations_add(s->expect, key, -1);
        workqueue_add(s->workers.queue, key);
}

static void pod_update(informer *inf _unused_, informer_object *old, informer_object *o,
                       void *userdata) {
        ds_state *s = userdata;
        if (old == o)
                return;
        _cleanup_free_ char *key = owner_ds_key(o->json);
        _cleanup_free_ char *old_key = owner_ds_key(old->json);
        if (key && cm_being_deleted(o->json) && !cm_being_deleted(old->json))
                cm_deletion_observed(s->expect, key, o->key);
        if (old_key && !streq_ptr(old_key, key))
                workqueue_add(s->workers.queue, old_key);
        if (key)
                workqueue_add(s->workers.queue, key);
}

static void pod_delete(informer *inf _unused_, informer_object *o, bool unknown _unused_,
                       void *userdata) {
        ds_state *s = userdata;
        _cleanup_free_ char *key = owner_ds_key(o->json);
        if (key) {
                cm_deletion_observed(s->expect, key, o->key);
                workqueue_add(s->workers.queue, key);
        }
}

static void enqueue_all(ds_state *s) {
        informer_object **v;
        size_t n;
        informer_list(s->dss, &v, &n);
        for (size_t i = 0; i < n; i++)
                workqueue_add(s->workers.queue, v[i]->key);
        informer_objects_free(v, n);
}

static void node_add(informer *inf _unused_, informer_object *o _unused_, void *userdata) {
        enqueue_all(userdata);
}

static void node_update(informer *inf _unused_, informer_object *old, informer_object *o,
                        void *userdata) {
        /* Only what ds_node_should_run looks at. */
        if (old == o || (json_equal(json_get(old->json, "metadata", "labels", NULL),
                                    json_get(o->json, "metadata", "labels", NULL)) &&
                         json_equal(json_get(old->json, "spec", "taints", NULL),
                                    json_get(o->json, "spec", "taints", NULL))))
                return;
        enqueue_all(userdata);
}

static void node_delete(informer *inf _unused_, informer_object *o _unused_, bool unknown _unused_,
                        void *userdata) {
        enqueue_all(userdata);
}

static void ds_add(informer *inf _unused_, informer_object *o, void *userdata) {
        ds_state *s = userdata;
        workqueue_add(s->workers.queue, o->key);
}

static void ds_update(informer *inf _unused_, informer_object *old _unused_, informer_object *o,
                      void *userdata) {
        ds_state *s = userdata;
        workqueue_add(s->workers.queue, o->key);
}

static void ds_delete(informer *inf _unused_, informer_object *o, bool unknown _unused_,
                      void *userdata) {
        cm_expectations_drop(((ds_state *)userdata)->expect, o->key);
}

/* --- sync ----------------------------------------------------------------- */

/* The pods of one node. */
typedef struct node_pods {
        const json **v;
        size_t n;
} node_pods;

static int delete_pod(ds_state *s, const char *key, const json *pod) {
        const char *ns = json_get_str(pod, "metadata", "namespace", NULL);
        const char *name = json_get_str(pod, "metadata", "name", NULL);
        _cleanup_free_ char *pkey = informer_key_of(pod);
        _cleanup_free_ char *path = xasprintf("/api/v1/namespaces/%s/pods/%s", ns, name);
        cm_expect_deletion(s->expect, key, pkey);
        _cleanup_error_ tm_error *err = NULL;
        int r = cm_delete(s->ctx->client, path, NULL, json_get_str(pod, "metadata", "uid", NULL),
                          &err);
        if (r < 0) {
                cm_deletion_observed(s->expect, key, pkey);
                if (r != -ENOENT)
                        return log_warning_errno(r, "daemonset %s: delete pod %s: %s", key, name,
                                                 tm_error_msg(err));
        }
        return 0;
}

static int create_pod(ds_state *s, const char *key, const json *ds, const char *node,
                      const char *hash) {
        _cleanup_json_ json *pod = ds_pod_for_node(ds, node, hash);
        _cleanup_free_ char *path = xasprintf("/api/v1/namespaces/%s/pods",
                                              json_get_str(ds, "metadata", "namespace", NULL));
        cm_expectations_add(s->expect, key, 1);
        _cleanup_error_ tm_error *err = NULL;
        int r = http_post_json(s->ctx->client, path, pod, NULL, &err);
        if (r < 0) {
                cm_expectations_add(s->expect, key, -1);
                return log_warning_errno(r, "daemonset %s: create pod for %s: %s", key, node,
                                         tm_error_msg(err));
        }
        return 0;
}

static bool pod_has_hash(const json *pod, const char *hash) {
        return streq_ptr(json_get_str(pod, "metadata", "labels", DS_HASH_LABEL, NULL), hash);
}

static int update_status(ds_state *s, const json *ds, json *st) {
        const json *old = json_object_get(ds, "status");
        const json *keep[] = { json_object_get(old, "collisionCount"),
                               json_object_get(old, "conditions") };
        if (keep[0])
                json_object_set(st, "collisionCount", json_copy(keep[0]));
        if (keep[1])
                json_object_set(st, "conditions", json_copy(keep[1]));
        if (json_equal(st, old))
                return 0;
        _cleanup_json_ json *obj = json_copy(ds);
        json_object_set(obj, "status", json_copy(st));
        _cleanup_free_ char *path = xasprintf("/apis/apps/v1/namespaces/%s/daemonsets/%s/status",
                                              json_get_str(ds, "metadata", "namespace", NULL),
                                              json_get_str(ds, "metadata", "name", NULL));
        _cleanup_error_ tm_error *err = NULL;
        int r = http_put_json(s->ctx->client, path, obj, NULL, &err);
        if (r < 0 && r != -ENOENT)
                return log_debug("daemonset: status %s: %s", path, tm_error_msg(err)), r;
        return 0;
}

static void set_nonzero(json *st, const char *field, int64_t v) {
        if (v)
                json_object_set_int(st, field, v);
}

static int ds_sync(void *state, const char *key) {
        ds_state *s = state;
        _cleanup_(informer_object_unrefp) informer_object *o = informer_get(s->dss, key);
        if (!o) {
                cm_expectations_drop(s->expect, key);
                return 0;
        }
        const json *ds = o->json;
        if (cm_being_deleted(ds))
                return 0;
        bool satisfied = cm_expectations_satisfied(s->expect, key);
        const char *ns = json_get_str(ds, "metadata", "namespace", NULL);
        const char *uid = json_get_str(ds, "metadata", "uid", NULL);
        int64_t cc = json_object_get_int(json_object_get(ds, "status"), "collisionCount", -1);
        _cleanup_free_ char *hash =
                deploy_template_hash(json_get(ds, "spec", "template", NULL), cc);
        const char *strategy = json_get_str(ds, "spec", "updateStrategy", "type", NULL);
        bool rolling = !strategy || streq(strategy, "RollingUpdate");
        int64_t min_ready = json_object_get_int(json_object_get(ds, "spec"), "minReadySeconds", 0);
        tm_time now = time_now();

        informer_object **nodes = NULL, **pods = NULL;
        size_t nnodes = 0, npods = 0;
        informer_list(s->nodes, &nodes, &nnodes);
        if (informer_by_index(s->pods, "namespace", ns ? ns : "", &pods, &npods) < 0)
                npods = 0;
        node_pods *per = xcalloc(nnodes + 1, sizeof *per);
        for (size_t i = 0; i < nnodes; i++)
                per[i].v = xcalloc(npods + 1, sizeof *per[i].v);
        int ret = 0;
        /* Owned pods to their node; pods for no known node and failed pods go. */
        for (size_t i = 0; i < npods; i++) {
                const json *pod = pods[i]->json;
                if (!streq_ptr(json_object_get_string(cm_controller_ref(pod), "uid"), uid) ||
                    cm_being_deleted(pod))
                        continue;
                const char *node = ds_pod_node(pod);
                size_t j = 0;
                while (node && j < nnodes &&
                       !streq_ptr(json_get_str(nodes[j]->json, "metadata", "name", NULL), node))
                        j++;
                bool failed = streq_ptr(json_get_str(pod, "status", "phase", NULL), "Failed");
                if (!node || j == nnodes || failed) {
                        if (satisfied && delete_pod(s, key, pod) < 0)
                                ret = -EAGAIN;
                        continue;
                }
                if (streq_ptr(json_get_str(pod, "status", "phase", NULL), "Succeeded"))
                        continue;
                per[j].v[per[j].n++] = pod;
        }

        int64_t desired = 0, current = 0, mis = 0, ready = 0, updated = 0, available = 0;
        int64_t unavailable = 0;
        bool *should = xcalloc(nnodes + 1, sizeof *should);
        for (size_t j = 0; j < nnodes; j++) {
                should[j] = ds_node_should_run(ds, nodes[j]->json);
                node_pods *np = &per[j];
                if (!should[j]) {
                        if (np->n)
                                mis++;
                        for (size_t k = 0; satisfied && k < np->n; k++)
                                if (delete_pod(s, key, np->v[k]) < 0)
                                        ret = -EAGAIN;
                        continue;
                }
                desired++;
                if (np->n == 0) {
                        unavailable++;
                        if (satisfied &&
                            create_pod(s, key, ds,
                                       json_get_str(nodes[j]->json, "metadata", "name", NULL),
                                       hash) < 0)
                                ret = -EAGAIN;
                        continue;
                }
                /* Keep one: the current template's, the ready one, the oldest. */
                size_t keep = 0;
                for (size_t k = 1; k < np->n; k++) {
                        const json *a = np->v[k], *b = np->v[keep];
                        if (pod_has_hash(a, hash) != pod_has_hash(b, hash)) {
                                if (pod_has_hash(a, hash))
                                        keep = k;
                        } else if (rs_pod_is_ready(a) && !rs_pod_is_ready(b))
                                keep = k;
                }
                for (size_t k = 0; satisfied && k < np->n; k++)
                        if (k != keep && delete_pod(s, key, np->v[k]) < 0)
                                ret = -EAGAIN;
                const json *pod = np->v[keep];
                np->v[0] = pod;
                np->n = 1;
                current++;
                if (rs_pod_is_ready(pod))
                        ready++;
                if (pod_has_hash(pod, hash))
                        updated++;
                if (rs_pod_is_available(pod, min_ready, now))
                        available++;
                else
                        unavailable++;
        }

        /* RollingUpdate: old pods that are not available go at once; the
         * available ones while fewer than maxUnavailable nodes lack one. */
        if (rolling && satisfied) {
                int64_t max_unavailable = ds_max_unavailable(ds, desired);
                for (int pass = 0; pass < 2; pass++)
                        for (size_t j = 0; j < nnodes; j++) {
                                if (!should[j] || per[j].n != 1 || pod_has_hash(per[j].v[0], hash))
                                        continue;
                                bool avail = rs_pod_is_available(per[j].v[0], min_ready, now);
                                if (pass == 0 && avail)
                                        continue;
                                if (pass == 1 && (!avail || unavailable >= max_unavailable))
                                        continue;
                                if (delete_pod(s, key, per[j].v[0]) < 0)
                                        ret = -EAGAIN;
                                else if (pass == 1)
                                        unavailable++;
                                per[j].n = 0;
                        }
        }

        _cleanup_json_ json *st = json_new_object();
        json_object_set_int(st, "currentNumberScheduled", current);
        json_object_set_int(st, "numberMisscheduled", mis);
        json_object_set_int(st, "desiredNumberScheduled", desired);
        json_object_set_int(st, "numberReady", ready);
        set_nonzero(st, "observedGeneration",
                    json_object_get_int(json_object_get(ds, "metadata"), "generation", 0));
        set_nonzero(st, "updatedNumberScheduled", updated);
        set_nonzero(st, "numberAvailable", available);
        set_nonzero(st, "numberUnavailable", desired - available);
        int r = update_status(s, ds, st);
        if (r < 0 && ret == 0)
                ret = r;

        for (size_t i = 0; i < nnodes; i++)
                free(per[i].v);
        free(per);
        free(should);
        informer_objects_free(nodes, nnodes);
        informer_objects_free(pods, npods);
        if (ret < 0)
                return ret;
        /* Ready pods not yet available: look again when they will be. */
        return min_ready > 0 && ready > available ? (int)(min_ready * 1000) : 0;
}

static int ds_setup(cm_ctx *ctx, void **ret_state, tm_error **err) {
        ds_state *s = xcalloc(1, sizeof *s);
        s->ctx = ctx;
        s->expect = cm_expectations_new(DS_EXPECT_TIMEOUT);
        cm_workers_init(&s->workers, "daemonset", ds_sync, s);
        int r = cm_informer(ctx, "/apis/apps/v1/daemonsets", &s->dss, err);
        if (r >= 0)
                r = cm_informer(ctx, "/api/v1/pods", &s->pods, err);
        if (r >= 0)
                r = cm_informer(ctx, "/api/v1/nodes", &s->nodes, err);
        if (r >= 0)
                r = informer_add_handlers(s->dss,
                                          &(informer_handlers){ .on_add = ds_add,
                                                                .on_update = ds_update,
                                                                .on_delete = ds_delete,
                                                                .userdata = s },
                                          err);
        if (r >= 0)
                r = informer_add_handlers(s->pods,
                                          &(informer_handlers){ .on_add = pod_add,
                                                                .on_update = pod_update,
                                                                .on_delete = pod_delete,
                                                                .userdata = s },
                                          err);
        if (r >= 0)
                r = informer_add_handlers(s->nodes,
                                          &(informer_handlers){ .on_add = node_add,
                                                                .on_update = node_update,
                                                                .on_delete = node_delete,
                                                                .userdata = s },
                                          err);
        if (r < 0) {
                cm_workers_done(&s->workers);
                cm_expectations_free(s->expect);
                free(s);
                return tm_error_wrap(err, r, "daemonset");
        }
        *ret_state = s;
        return 0;
}

static int ds_start(void *state, tm_error **err) {
        ds_state *s = state;
        return cm_workers_start(&s->workers, 2, err);
}

static void ds_stop(void *state) {
        ds_state *s = state;
        if (!s)
                return;
        cm_workers_done(&s->workers);
        cm_expectations_free(s->expect);
        free(s);
}

const controller controller_daemonset = {
        .name = "daemonset",
        .setup = ds_setup,
        .start = ds_start,
        .stop = ds_stop,
};
