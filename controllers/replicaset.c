/* SPDX-License-Identifier: Apache-2.0 */
/* The ReplicaSet controller: keeps spec.replicas active pods matching the
 * selector, adopting orphans and releasing pods that stopped matching, and
 * writes the status. Expectations (the creations and deletions asked for
 * and not yet seen through the pod informer) keep a slow watch from making
 * it act twice. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "controllers/controller.h"
#include "controllers/replicaset.h"
#include "log.h"
#include "selector.h"
#include "util.h"

#define RS_BURST          500 /* creations or deletions per sync */
#define RS_EXPECT_TIMEOUT 300 /* s: expectations not met by then are dropped */

typedef struct rs_state {
        cm_ctx *ctx;
        informer *rss, *pods;
        cm_workers workers;
        cm_expectations *expect; /* creations and deletions not yet seen */
} rs_state;

/* --- event handlers ------------------------------------------------------- */

/* The key of the ReplicaSet controlling a pod, or NULL. */
static char *owner_rs_key(const json *pod) {
        const json *ref = cm_controller_ref(pod);
        const char *api = json_object_get_string(ref, "apiVersion");
        if (!ref || !streq_ptr(json_object_get_string(ref, "kind"), "ReplicaSet") || !api ||
            !startswith(api, "apps/"))
                return NULL;
        const char *ns = json_get_str(pod, "metadata", "namespace", NULL);
        const char *name = json_object_get_string(ref, "name");
        return ns && name ? xasprintf("%s/%s", ns, name) : NULL;
}

/* Enqueue the ReplicaSets whose selector matches an orphan pod. */
static void enqueue_matching(rs_state *s, const json *pod) {
        const char *ns = json_get_str(pod, "metadata", "namespace", NULL);
        if (!ns)
                return;
        informer_object **v;
        size_t n;
        if (informer_by_index(s->rss, "namespace", ns, &v, &n) < 0)
                return;
        const json *labels = json_get(pod, "metadata", "labels", NULL);
        for (size_t i = 0; i < n; i++) {
                _cleanup_label_selector_ label_selector *sel = NULL;
                if (label_selector_from_json(json_get(v[i]->json, "spec", "selector", NULL), &sel,
                                             NULL) < 0 ||
                    label_selector_is_empty(sel))
                        continue;
                if (label_selector_matches_json(sel, labels))
                        workqueue_add(s->workers.queue, v[i]->key);
        }
        informer_objects_free(v, n);
}

static void pod_add(informer *inf _unused_, informer_object *o, void *userdata) {
        rs_state *s = userdata;
        _cleanup_free_ char *key = owner_rs_key(o->json);
        if (key) {
                if (cm_being_deleted(o->json))
                        cm_deletion_observed(s->expect, key, o->key);
                else
                        cm_creation_observed(s->expect, key);
                workqueue_add(s->workers.queue, key);
        } else if (!cm_being_deleted(o->json))
                enqueue_matching(s, o->json);
}

static void pod_update(informer *inf _unused_, informer_object *old, informer_object *o,
                       void *userdata) {
        rs_state *s = userdata;
        if (old == o)
                return; /* resync */
        _cleanup_free_ char *key = owner_rs_key(o->json);
        _cleanup_free_ char *old_key = owner_rs_key(old->json);
        if (key && cm_being_deleted(o->json) && !cm_being_deleted(old->json))
                cm_deletion_observed(s->expect, key, o->key);
        if (old_key && !streq_ptr(old_key, key))
                workqueue_add(s->workers.queue, old_key);
        if (key)
                workqueue_add(s->workers.queue, key);
        else if (!cm_being_deleted(o->json))
                enqueue_matching(s, o->json);
}

static void pod_delete(informer *inf _unused_, informer_object *o, bool unknown _unused_,
                       void *userdata) {
        rs_state *s = userdata;
        _cleanup_free_ char *key = owner_rs_key(o->json);
        if (key) {
                cm_deletion_observed(s->expect, key, o->key);
                workqueue_add(s->workers.queue, key);
        }
}

static void rs_add(informer *inf _unused_, informer_object *o, void *userdata) {
        rs_state *s = userdata;
        workqueue_add(s->workers.queue, o->key);
}

static void rs_update(informer *inf _unused_, informer_object *old _unused_, informer_object *o,
                      void *userdata) {
        rs_state *s = userdata;
        workqueue_add(s->workers.queue, o->key);
}

static void rs_delete(informer *inf _unused_, informer_object *o, bool unknown _unused_,
                      void *userdata) {
        rs_state *s = userdata;
        cm_expectations_drop(s->expect, o->key);
}

/* --- sync ----------------------------------------------------------------- */

static char *pod_path(const char *ns, const char *name) {
        return xasprintf("/api/v1/namespaces/%s/pods/%s", ns, name);
}

/* Adopt (add our controller reference) or release (remove it). */
static int set_pod_owner(rs_state *s, const json *rs, const json *pod, bool adopt) {
        const char *uid = json_get_str(rs, "metadata", "uid", NULL);
        _cleanup_json_ json *refs = json_new_array();
        const json *cur = json_get(pod, "metadata", "ownerReferences", NULL);
        for (size_t i = 0; i < json_array_len(cur); i++)
                if (!streq_ptr(json_object_get_string(json_array_get(cur, i), "uid"), uid))
                        json_array_append(refs, json_copy(json_array_get(cur, i)));
        if (adopt)
                json_array_append(refs, rs_controller_ref(rs, "apps/v1", "ReplicaSet"));
        _cleanup_free_ char *path = pod_path(json_get_str(pod, "metadata", "namespace", NULL),
                                             json_get_str(pod, "metadata", "name", NULL));
        _cleanup_error_ tm_error *err = NULL;
        int r = cm_patch_metadata_list(s->ctx->client, path, pod, "ownerReferences", refs, &err);
        if (r < 0 && r != -ENOENT)
                return log_warning_errno(r, "replicaset: %s %s: %s", adopt ? "adopt" : "release",
                                         path, tm_error_msg(err));
        return 0;
}

/* Upstream re-reads the ReplicaSet before adopting: never adopt for a
 * ReplicaSet that is being deleted or was replaced. */
static bool can_adopt(rs_state *s, const json *rs) {
        _cleanup_free_ char *path = xasprintf("/apis/apps/v1/namespaces/%s/replicasets/%s",
                                              json_get_str(rs, "metadata", "namespace", NULL),
                                              json_get_str(rs, "metadata", "name", NULL));
        _cleanup_json_ json *live = NULL;
        if (http_get_json(s->ctx->client, path, &live, NULL) < 0)
                return false;
        return !cm_being_deleted(live) && streq_ptr(json_get_str(live, "metadata", "uid", NULL),
                                                    json_get_str(rs, "metadata", "uid", NULL));
}

static int manage_replicas(rs_state *s, const char *key, const json *rs, const json **active,
                           size_t n) {
        http_client *c = s->ctx->client;
        int64_t want = json_object_get_int(json_object_get(rs, "spec"), "replicas", 1);
        const char *ns = json_get_str(rs, "metadata", "namespace", NULL);
        int64_t diff = (int64_t)n - want;
        if (diff < 0) {
                size_t total = (size_t)(-diff) > RS_BURST ? RS_BURST : (size_t)(-diff);
                cm_expect_creations(s->expect, key, (long)total);
                _cleanup_free_ char *path = xasprintf("/api/v1/namespaces/%s/pods", ns);
                _cleanup_json_ json *pod = rs_pod_from_template(rs, "apps/v1", "ReplicaSet");
                size_t done = 0;
                while (done < total) {
                        size_t batch = rs_slow_start_batch(done, total), ok = 0;
                        for (size_t i = 0; i < batch; i++) {
                                _cleanup_error_ tm_error *err = NULL;
                                int r = http_post_json(c, path, pod, NULL, &err);
                                if (r < 0) {
                                        log_warning("replicaset %s: create pod: %s", key,
                                                    tm_error_msg(err));
                                        cm_creation_observed(s->expect, key);
                                } else
                                        ok++;
                        }
                        done += batch;
                        if (ok < batch) {
                                /* The rest is not sent: not expected either. */
                                for (size_t i = done; i < total; i++)
                                        cm_creation_observed(s->expect, key);
                                return -EAGAIN;
                        }
                }
                log_info("replicaset %s: created %zu pods", key, total);
        } else if (diff > 0) {
                size_t k = diff > RS_BURST ? RS_BURST : (size_t)diff;
                rs_sort_pods_for_deletion(active, n);
                for (size_t i = 0; i < k; i++) {
                        _cleanup_free_ char *pkey = informer_key_of(active[i]);
                        cm_expect_deletion(s->expect, key, pkey);
                }
                int ret = 0;
                for (size_t i = 0; i < k; i++) {
                        const char *name = json_get_str(active[i], "metadata", "name", NULL);
                        _cleanup_free_ char *path = pod_path(ns, name);
                        _cleanup_error_ tm_error *err = NULL;
                        int r = cm_delete(c, path, NULL,
                                          json_get_str(active[i], "metadata", "uid", NULL), &err);
                        if (r < 0) {
                                _cleanup_free_ char *pkey = informer_key_of(active[i]);
                                cm_deletion_observed(s->expect, key, pkey);
                                if (r != -ENOENT) {
                                        log_warning("replicaset %s: delete pod %s: %s", key, name,
                                                    tm_error_msg(err));
                                        ret = r;
                                }
                        }
                }
                log_info("replicaset %s: deleted %zu pods", key, k);
                return ret;
        }
        return 0;
}

static int update_status(rs_state *s, const json *rs, const json **active, size_t n,
                         int64_t *ret_requeue_ms) {
        tm_time now = time_now();
        _cleanup_json_ json *st = rs_compute_status(rs, (const json *const *)active, n, now);
        int64_t min_ready = json_object_get_int(json_object_get(rs, "spec"), "minReadySeconds", 0);
        /* Ready pods not yet available: look again when they will be. */
        if (min_ready > 0 && json_object_get_int(st, "readyReplicas", 0) >
                                     json_object_get_int(st, "availableReplicas", 0))
                *ret_requeue_ms = min_ready * 1000;
        const json *old = json_object_get(rs, "status");
        if (json_equal(st, old) ||
            (!old && json_object_len(st) == 1 && json_object_get_int(st, "replicas", 0) == 0))
                return 0;
        _cleanup_json_ json *obj = json_copy(rs);
        json_object_set(obj, "status", TAKE_PTR(st));
        _cleanup_free_ char *path = xasprintf("/apis/apps/v1/namespaces/%s/replicasets/%s/status",
                                              json_get_str(rs, "metadata", "namespace", NULL),
                                              json_get_str(rs, "metadata", "name", NULL));
        _cleanup_error_ tm_error *err = NULL;
        int r = http_put_json(s->ctx->client, path, obj, NULL, &err);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return log_debug("replicaset: status %s: %s", path, tm_error_msg(err)), r;
        return 0;
}

static int rs_sync(void *state, const char *key) {
        rs_state *s = state;
        _cleanup_(informer_object_unrefp) informer_object *o = informer_get(s->rss, key);
        if (!o) {
                cm_expectations_drop(s->expect, key);
                return 0;
        }
        const json *rs = o->json;
        bool satisfied = cm_expectations_satisfied(s->expect, key);
        const char *ns = json_get_str(rs, "metadata", "namespace", NULL);
        const char *uid = json_get_str(rs, "metadata", "uid", NULL);
        _cleanup_label_selector_ label_selector *sel = NULL;
        if (label_selector_from_json(json_get(rs, "spec", "selector", NULL), &sel, NULL) < 0 ||
            label_selector_is_empty(sel))
                return 0; /* validation keeps these out; nothing to do */

        informer_object **pods = NULL;
        size_t npods = 0;
        if (informer_by_index(s->pods, "namespace", ns ? ns : "", &pods, &npods) < 0)
                npods = 0;
        const json **active = xcalloc(npods + 1, sizeof *active);
        size_t n = 0;
        bool deleting = cm_being_deleted(rs), adopt_checked = false, adoptable = false;
        int ret = 0;
        for (size_t i = 0; i < npods; i++) {
                const json *pod = pods[i]->json;
                const json *ref = cm_controller_ref(pod);
                bool matches =
                        label_selector_matches_json(sel, json_get(pod, "metadata", "labels", NULL));
                if (ref) {
                        if (!streq_ptr(json_object_get_string(ref, "uid"), uid))
                                continue;
                        if (!matches && !deleting && !cm_being_deleted(pod)) {
                                if (set_pod_owner(s, rs, pod, false) < 0)
                                        ret = -EAGAIN;
                                continue;
                        }
                } else {
                        if (!matches || deleting || cm_being_deleted(pod) || !rs_pod_is_active(pod))
                                continue;
                        if (!adopt_checked) {
                                adoptable = can_adopt(s, rs);
                                adopt_checked = true;
                        }
                        if (!adoptable || set_pod_owner(s, rs, pod, true) < 0)
                                continue;
                }
                if (rs_pod_is_active(pod))
                        active[n++] = pod;
        }

        if (satisfied && !deleting) {
                int r = manage_replicas(s, key, rs, active, n);
                if (r < 0)
                        ret = r;
        }
        int64_t requeue = 0;
        int r = update_status(s, rs, active, n, &requeue);
        if (r < 0 && ret == 0)
                ret = r;
        free(active);
        informer_objects_free(pods, npods);
        if (ret < 0)
                return ret;
        return requeue > 0 ? (int)requeue : 0;
}

static int rs_setup(cm_ctx *ctx, void **ret_state, tm_error **err) {
        rs_state *s = xcalloc(1, sizeof *s);
        s->ctx = ctx;
        s->expect = cm_expectations_new(RS_EXPECT_TIMEOUT);
        cm_workers_init(&s->workers, "replicaset", rs_sync, s);
        int r = cm_informer(ctx, "/apis/apps/v1/replicasets", &s->rss, err);
        if (r >= 0)
                r = cm_informer(ctx, "/api/v1/pods", &s->pods, err);
        if (r >= 0)
                r = informer_add_handlers(s->rss,
                                          &(informer_handlers){ .on_add = rs_add,
                                                                .on_update = rs_update,
                                                                .on_delete = rs_delete,
                                                                .userdata = s },
                                          err);
        if (r >= 0)
                r = informer_add_handlers(s->pods,
                                          &(informer_handlers){ .on_add = pod_add,
                                                                .on_update = pod_update,
                                                                .on_delete = pod_delete,
                                                                .userdata = s },
                                          err);
        if (r < 0) {
                cm_workers_done(&s->workers);
                cm_expectations_free(s->expect);
                free(s);
                return tm_error_wrap(err, r, "replicaset");
        }
        *ret_state = s;
        return 0;
}

static int rs_start(void *state, tm_error **err) {
        rs_state *s = state;
        return cm_workers_start(&s->workers, 4, err);
}

static void rs_stop(void *state) {
        rs_state *s = state;
        if (!s)
                return;
        cm_workers_done(&s->workers);
        cm_expectations_free(s->expect);
        free(s);
}

const controller controller_replicaset = {
        .name = "replicaset",
        .setup = rs_setup,
        .start = rs_start,
        .stop = rs_stop,
};
