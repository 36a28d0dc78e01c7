/* SPDX-License-Identifier: Apache-2.0 */
/* The Deployment controller: one ReplicaSet per pod template (named
 * <deployment>-<pod-template-hash>), rolled out by RollingUpdate (maxSurge,
 * maxUnavailable) or Recreate, with revisions in the
 * deployment.kubernetes.io/revision annotation, revisionHistoryLimit, pause
 * and the Available and Progressing conditions (progressDeadlineSeconds). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "controllers/controller.h"
#include "controllers/deployment.h"
#include "controllers/replicaset.h"
#include "log.h"
#include "selector.h"
#include "util.h"

typedef struct deploy_state {
        cm_ctx *ctx;
        informer *ds, *rss;
        cm_workers workers;
} deploy_state;

/* --- event handlers ------------------------------------------------------- */

static void d_add(informer *inf _unused_, informer_object *o, void *userdata) {
        deploy_state *s = userdata;
        workqueue_add(s->workers.queue, o->key);
}

static void d_update(informer *inf _unused_, informer_object *old _unused_, informer_object *o,
                     void *userdata) {
        deploy_state *s = userdata;
        workqueue_add(s->workers.queue, o->key);
}

static void rs_event(deploy_state *s, const json *rs) {
        const json *ref = cm_controller_ref(rs);
        const char *ns = json_get_str(rs, "metadata", "namespace", NULL);
        if (!ns)
                return;
        if (ref) {
                if (streq_ptr(json_object_get_string(ref, "kind"), "Deployment")) {
                        _cleanup_free_ char *key =
                                xasprintf("%s/%s", ns, json_object_get_string(ref, "name") ?: "");
                        workqueue_add(s->workers.queue, key);
                }
                return;
        }
        /* An orphan: the Deployments that would adopt it. */
        informer_object **v;
        size_t n;
        if (informer_by_index(s->ds, "namespace", ns, &v, &n) < 0)
                return;
        for (size_t i = 0; i < n; i++) {
                _cleanup_label_selector_ label_selector *sel = NULL;
                if (label_selector_from_json(json_get(v[i]->json, "spec", "selector", NULL), &sel,
                                             NULL) >= 0 &&
                    !label_selector_is_empty(sel) &&
                    label_selector_matches_json(sel, json_get(rs, "metadata", "labels", NULL)))
                        workqueue_add(s->workers.queue, v[i]->key);
        }
        informer_objects_free(v, n);
}

static void rs_add(informer *inf _unused_, informer_object *o, void *userdata) {
        rs_event(userdata, o->json);
}

static void rs_update(informer *inf _unused_, informer_object *old, informer_object *o,
                      void *userdata) {
        rs_event(userdata, o->json);
        if (old != o && !json_equal(cm_controller_ref(old->json), cm_controller_ref(o->json)))
                rs_event(userdata, old->json);
}

static void rs_delete(informer *inf _unused_, informer_object *o, bool unknown _unused_,
                      void *userdata) {
        rs_event(userdata, o->json);
}

/* --- helpers -------------------------------------------------------------- */

static int64_t replicas_of(const json *o) {
        return json_object_get_int(json_object_get(o, "spec"), "replicas", 1);
}

static int64_t status_of(const json *o, const char *f) {
        return json_object_get_int(json_object_get(o, "status"), f, 0);
}

static char *rs_path(const json *d, const char *name) {
        return xasprintf("/apis/apps/v1/namespaces/%s/replicasets%s%s",
                         json_get_str(d, "metadata", "namespace", NULL), name ? "/" : "",
                         name ? name : "");
}

static int cmp_created(const void *a, const void *b) {
        const json *x = *(json *const *)a, *y = *(json *const *)b;
        int c = strcmp(json_get_str(x, "metadata", "creationTimestamp", NULL) ?: "",
                       json_get_str(y, "metadata", "creationTimestamp", NULL) ?: "");
        if (c)
                return c;
        return strcmp(json_get_str(x, "metadata", "name", NULL) ?: "",
                      json_get_str(y, "metadata", "name", NULL) ?: "");
}

/* Scale a ReplicaSet (and record the Deployment's size on it); *rs (a copy
 * we own) is updated to what was written. */
static int scale_rs(deploy_state *s, const json *d, json *rs, int64_t replicas) {
        int64_t surge = 0, unavail = 0;
        deploy_resolve_fenceposts(d, &surge, &unavail);
        _cleanup_json_ json *patch = json_new_object();
        json *ann = json_object_ensure_object(json_object_ensure_object(patch, "metadata"),
                                              "annotations");
        _cleanup_free_ char *want = xasprintf("%" PRId64, replicas_of(d));
        _cleanup_free_ char *max = xasprintf("%" PRId64, replicas_of(d) + surge);
        json_object_set_string(ann, DEPLOY_DESIRED_ANNOTATION, want);
        json_object_set_string(ann, DEPLOY_MAX_REPLICAS_ANNOTATION, max);
        json_object_set_int(json_object_ensure_object(patch, "spec"), "replicas", replicas);
        size_t len;
        _cleanup_free_ char *body = json_serialize(patch, 0, &len);
        _cleanup_free_ char *path = rs_path(d, json_get_str(rs, "metadata", "name", NULL));
        _cleanup_error_ tm_error *err = NULL;
        int r = http_patch(s->ctx->client, path, "application/merge-patch+json", body, len, NULL,
                           &err);
        if (r < 0)
                return log_warning_errno(r, "deployment: scale %s: %s", path, tm_error_msg(err));
        log_info("deployment: scaled %s from %" PRId64 " to %" PRId64, path, replicas_of(rs),
                 replicas);
        json_object_set_int(json_object_ensure_object(rs, "spec"), "replicas", replicas);
        return 1;
}

/* Annotations a Deployment passes to its ReplicaSets (upstream skips
 * these). */
static bool annotation_copied(const char *k) {
        return !streq(k, "kubectl.kubernetes.io/last-applied-configuration") &&
               !streq(k, DEPLOY_REVISION_ANNOTATION) &&
               !streq(k, "deployment.kubernetes.io/revision-history") &&
               !streq(k, DEPLOY_DESIRED_ANNOTATION) && !streq(k, DEPLOY_MAX_REPLICAS_ANNOTATION);
}

/* Create the new ReplicaSet; *ret the created object. -EAGAIN after a hash
 * collision (collisionCount raised). */
static int create_rs(deploy_state *s, const json *d, int64_t replicas, int64_t revision,
                     json **ret) {
        const json *tmpl = json_get(d, "spec", "template", NULL);
        int64_t cc = json_object_get_int(json_object_get(d, "status"), "collisionCount", -1);
        _cleanup_free_ char *hash = deploy_template_hash(tmpl, cc);
        const char *dname = json_get_str(d, "metadata", "name", NULL);
        _cleanup_free_ char *name = xasprintf("%s-%s", dname, hash);
        int64_t surge = 0, unavail = 0;
        deploy_resolve_fenceposts(d, &surge, &unavail);

        _cleanup_json_ json *rs = json_new_object();
        json_object_set_string(rs, "apiVersion", "apps/v1");
        json_object_set_string(rs, "kind", "ReplicaSet");
        json *md = json_object_ensure_object(rs, "metadata");
        json_object_set_string(md, "name", name);
        json_object_set_string(md, "namespace", json_get_str(d, "metadata", "namespace", NULL));
        json *labels = json_copy(json_get(tmpl, "metadata", "labels", NULL));
        if (!json_is_object(labels)) {
                json_free(labels);
                labels = json_new_object();
        }
        json_object_set_string(labels, DEPLOY_HASH_LABEL, hash);
        json_object_set(md, "labels", json_copy(labels));
        json *ann = json_object_ensure_object(md, "annotations");
        const json *dann = json_get(d, "metadata", "annotations", NULL);
        for (size_t i = 0; i < json_object_len(dann); i++)
                if (annotation_copied(json_object_key_at(dann, i)))
                        json_object_set(ann, json_object_key_at(dann, i),
                                        json_copy(json_object_value_at(dann, i)));
        _cleanup_free_ char *rev = xasprintf("%" PRId64, revision);
        _cleanup_free_ char *want = xasprintf("%" PRId64, replicas_of(d));
        _cleanup_free_ char *max = xasprintf("%" PRId64, replicas_of(d) + surge);
        json_object_set_string(ann, DEPLOY_REVISION_ANNOTATION, rev);
        json_object_set_string(ann, DEPLOY_DESIRED_ANNOTATION, want);
        json_object_set_string(ann, DEPLOY_MAX_REPLICAS_ANNOTATION, max);
        json *refs = json_new_array();
        json_array_append(refs, rs_controller_ref(d, "apps/v1", "Deployment"));
        json_object_set(md, "ownerReferences", refs);
        json *spec = json_object_ensure_object(rs, "spec");
        json_object_set_int(spec, "replicas", replicas);
        int64_t mrs = json_object_get_int(json_object_get(d, "spec"), "minReadySeconds", 0);
        if (mrs)
                json_object_set_int(spec, "minReadySeconds", mrs);
        json *sel = json_copy(json_get(d, "spec", "selector", NULL));
        json_object_set_string(json_object_ensure_object(sel, "matchLabels"), DEPLOY_HASH_LABEL,
                               hash);
        json_object_set(spec, "selector", sel);
        json *t = json_copy(tmpl);
        json_object_set(json_object_ensure_object(t, "metadata"), "labels", labels);
        json_object_set(spec, "template", t);

        _cleanup_free_ char *path = rs_path(d, NULL);
        _cleanup_error_ tm_error *err = NULL;
        json *created = NULL;
        int r = http_post_json(s->ctx->client, path, rs, &created, &err);
        if (r == -EEXIST) {
                /* Ours already (a stale cache)? Else a hash collision. */
                _cleanup_free_ char *p = rs_path(d, name);
                _cleanup_json_ json *cur = NULL;
                if (http_get_json(s->ctx->client, p, &cur, NULL) >= 0 &&
                    streq_ptr(json_object_get_string(cm_controller_ref(cur), "uid"),
                              json_get_str(d, "metadata", "uid", NULL)) &&
                    deploy_template_equal(json_get(cur, "spec", "template", NULL), tmpl))
                        return -EAGAIN;
                _cleanup_json_ json *dd = json_copy(d);
                json_object_set_int(json_object_ensure_object(dd, "status"), "collisionCount",
                                    cc < 0 ? 1 : cc + 1);
                _cleanup_free_ char *sp =
                        xasprintf("/apis/apps/v1/namespaces/%s/deployments/%s/status",
                                  json_get_str(d, "metadata", "namespace", NULL), dname);
                http_put_json(s->ctx->client, sp, dd, NULL, NULL);
                return -EAGAIN;
        }
        if (r < 0)
                return log_warning_errno(r, "deployment: create %s: %s", name, tm_error_msg(err));
        log_info("deployment %s: created ReplicaSet %s (revision %" PRId64 ")", dname, name,
                 revision);
        *ret = created;
        return 0;
}

static int set_annotation(deploy_state *s, const char *path, const char *key, const char *value) {
        _cleanup_json_ json *patch = json_new_object();
        json *ann = json_object_ensure_object(json_object_ensure_object(patch, "metadata"),
                                              "annotations");
        json_object_set_string(ann, key, value);
        size_t len;
        _cleanup_free_ char *body = json_serialize(patch, 0, &len);
        _cleanup_error_ tm_error *err = NULL;
        int r = http_patch(s->ctx->client, path, "application/merge-patch+json", body, len, NULL,
                           &err);
        if (r < 0 && r != -ENOENT)
                return log_warning_errno(r, "deployment: annotate %s: %s", path, tm_error_msg(err));
        return 0;
}

/* RollingUpdate's scale-down of old ReplicaSets (upstream's
 * reconcileOldReplicaSets): unhealthy replicas first, then as many as
 * availability allows, oldest ReplicaSet first. Returns > 0 if it scaled. */
static int scale_down_old(deploy_state *s, const json *d, json *new_rs, json **olds, size_t n) {
        int64_t surge, unavail;
        if (deploy_resolve_fenceposts(d, &surge, &unavail) < 0)
                return 0;
        int64_t old_total = 0, all = new_rs ? replicas_of(new_rs) : 0;
        for (size_t i = 0; i < n; i++)
                old_total += replicas_of(olds[i]);
        all += old_total;
        if (old_total == 0)
                return 0;
        int64_t min_available = replicas_of(d) - unavail;
        int64_t new_unavailable =
                new_rs ? replicas_of(new_rs) - status_of(new_rs, "availableReplicas") : 0;
        int64_t max_down = all - min_available - new_unavailable;
        if (max_down <= 0)
                return 0;
        int scaled = 0, r;
        int64_t done = 0;
        for (size_t i = 0; i < n && done < max_down; i++) {
                int64_t rep = replicas_of(olds[i]);
                int64_t unhealthy = rep - status_of(olds[i], "availableReplicas");
                if (rep == 0 || unhealthy <= 0)
                        continue;
                int64_t k = unhealthy < max_down - done ? unhealthy : max_down - done;
                if ((r = scale_rs(s, d, olds[i], rep - k)) < 0)
                        return r;
                scaled = 1;
                done += k;
        }
        int64_t available = new_rs ? status_of(new_rs, "availableReplicas") : 0;
        for (size_t i = 0; i < n; i++)
                available += status_of(olds[i], "availableReplicas");
        if (available <= min_available)
                return scaled;
        int64_t total = available - min_available;
        for (size_t i = 0; i < n && total > 0; i++) {
                int64_t rep = replicas_of(olds[i]);
                if (rep == 0)
                        continue;
                int64_t k = rep < total ? rep : total;
                if ((r = scale_rs(s, d, olds[i], rep - k)) < 0)
                        return r;
                scaled = 1;
                total -= k;
        }
        return scaled;
}

/* --- sync ----------------------------------------------------------------- */

static int d_sync(void *state, const char *key) {
        deploy_state *s = state;
        _cleanup_(informer_object_unrefp) informer_object *o = informer_get(s->ds, key);
        if (!o)
                return 0;
        const json *d = o->json;
        if (cm_being_deleted(d))
                return 0;
        const char *ns = json_get_str(d, "metadata", "namespace", NULL);
        const char *uid = json_get_str(d, "metadata", "uid", NULL);
        _cleanup_label_selector_ label_selector *sel = NULL;
        if (label_selector_from_json(json_get(d, "spec", "selector", NULL), &sel, NULL) < 0 ||
            label_selector_is_empty(sel))
                return 0;

        /* Claim: ours that match, adopt matching orphans, release the rest. */
        informer_object **v = NULL;
        size_t nv = 0;
        if (informer_by_index(s->rss, "namespace", ns ? ns : "", &v, &nv) < 0)
                nv = 0;
        json **mine = xcalloc(nv + 1, sizeof *mine);
        size_t n = 0;
        int ret = 0;
        for (size_t i = 0; i < nv; i++) {
                const json *rs = v[i]->json;
                const json *ref = cm_controller_ref(rs);
                bool matches =
                        label_selector_matches_json(sel, json_get(rs, "metadata", "labels", NULL));
                _cleanup_free_ char *path = rs_path(d, json_get_str(rs, "metadata", "name", NULL));
                if (ref && !streq_ptr(json_object_get_string(ref, "uid"), uid))
                        continue;
                if (ref && !matches) {
                        _cleanup_json_ json *keep = json_new_array();
                        const json *refs = json_get(rs, "metadata", "ownerReferences", NULL);
                        for (size_t j = 0; j < json_array_len(refs); j++)
                                if (!streq_ptr(
                                            json_object_get_string(json_array_get(refs, j), "uid"),
                                            uid))
                                        json_array_append(keep, json_copy(json_array_get(refs, j)));
                        cm_patch_metadata_list(s->ctx->client, path, rs, "ownerReferences", keep,
                                               NULL);
                        continue;
                }
                if (!ref) {
                        if (!matches || cm_being_deleted(rs))
                                continue;
                        _cleanup_json_ json *refs =
                                json_copy(json_get(rs, "metadata", "ownerReferences", NULL));
                        if (!json_is_array(refs)) {
                                json_free(refs);
                                refs = json_new_array();
                        }
                        json_array_append(refs, rs_controller_ref(d, "apps/v1", "Deployment"));
                        if (cm_patch_metadata_list(s->ctx->client, path, rs, "ownerReferences",
                                                   refs, NULL) < 0)
                                continue;
                }
                mine[n++] = json_copy(rs);
        }
        informer_objects_free(v, nv);
        qsort(mine, n, sizeof *mine, cmp_created);

        /* The new ReplicaSet: the oldest whose template is the Deployment's. */
        const json *tmpl = json_get(d, "spec", "template", NULL);
        json *new_rs = NULL;
        json **olds = xcalloc(n + 1, sizeof *olds);
        size_t nold = 0;
        int64_t max_old_rev = 0, all = 0;
        for (size_t i = 0; i < n; i++) {
                all += replicas_of(mine[i]);
                if (!new_rs &&
                    deploy_template_equal(json_get(mine[i], "spec", "template", NULL), tmpl))
                        new_rs = mine[i];
                else {
                        olds[nold++] = mine[i];
                        if (deploy_revision(mine[i]) > max_old_rev)
                                max_old_rev = deploy_revision(mine[i]);
                }
        }
        bool paused = json_object_get_bool(json_object_get(d, "spec"), "paused", false);
        bool recreate = streq_ptr(json_get_str(d, "spec", "strategy", "type", NULL), "Recreate");
        int64_t want = replicas_of(d);
        const char *event = NULL;
        json *created = NULL;
        int r;

        /* Recreate: every old pod goes before the new ones come. */
        bool old_pods = false;
        if (recreate && !paused) {
                for (size_t i = 0; i < nold; i++) {
                        if (replicas_of(olds[i]) > 0) {
                                if ((r = scale_rs(s, d, olds[i], 0)) < 0)
                                        ret = r;
                                else
                                        event = "ReplicaSetUpdated";
                        }
                        if (status_of(olds[i], "replicas") > 0 || replicas_of(olds[i]) > 0)
                                old_pods = true;
                }
        }

        if (!new_rs && !paused && !old_pods && ret >= 0) {
                int64_t rep = recreate ? want : deploy_new_rs_replicas(d, 0, all);
                r = create_rs(s, d, rep, max_old_rev + 1, &created);
                if (r < 0)
                        ret = r;
                else {
                        new_rs = created;
                        event = "NewReplicaSetCreated";
                }
        } else if (new_rs && deploy_revision(new_rs) <= max_old_rev) {
                /* An old template came back (rollout undo): it is the newest
                 * revision now. */
                _cleanup_free_ char *rev = xasprintf("%" PRId64, max_old_rev + 1);
                _cleanup_free_ char *p = rs_path(d, json_get_str(new_rs, "metadata", "name", NULL));
                if (set_annotation(s, p, DEPLOY_REVISION_ANNOTATION, rev) >= 0)
                        json_object_set_string(
                                json_object_ensure_object(
                                        json_object_ensure_object(new_rs, "metadata"),
                                        "annotations"),
                                DEPLOY_REVISION_ANNOTATION, rev);
        }
        if (new_rs) {
                /* The Deployment shows the revision of its new ReplicaSet. */
                const char *rev = json_get_str(new_rs, "metadata", "annotations",
                                               DEPLOY_REVISION_ANNOTATION, NULL);
                if (rev && !streq_ptr(json_get_str(d, "metadata", "annotations",
                                                   DEPLOY_REVISION_ANNOTATION, NULL),
                                      rev)) {
                        _cleanup_free_ char *p =
                                xasprintf("/apis/apps/v1/namespaces/%s/deployments/%s", ns,
                                          json_get_str(d, "metadata", "name", NULL));
                        set_annotation(s, p, DEPLOY_REVISION_ANNOTATION, rev);
                }
        }

        if (new_rs && ret >= 0 && !created) {
                int64_t cur = replicas_of(new_rs), target = cur;
                if (paused) {
                        /* Paused: only follow a change of size when no rollout
                         * is under way. */
                        bool olds_active = false;
                        for (size_t i = 0; i < nold; i++)
                                olds_active = olds_active || replicas_of(olds[i]) > 0;
                        if (!olds_active)
                                target = want;
                } else if (recreate) {
                        if (!old_pods)
                                target = want;
                } else if (cur > want)
                        target = want;
                else
                        target = deploy_new_rs_replicas(d, cur, all);
                if (target != cur) {
                        if ((r = scale_rs(s, d, new_rs, target)) < 0)
                                ret = r;
                        else
                                event = "ReplicaSetUpdated";
                }
        }
        if (!paused && !recreate && ret >= 0) {
                r = scale_down_old(s, d, new_rs, olds, nold);
                if (r < 0)
                        ret = r;
                else if (r > 0)
                        event = "ReplicaSetUpdated";
        }

        /* revisionHistoryLimit: old, empty ReplicaSets beyond it go, oldest
         * first. */
        int64_t limit = json_object_get_int(json_object_get(d, "spec"), "revisionHistoryLimit", 10);
        size_t empty = 0;
        for (size_t i = 0; i < nold; i++)
                if (replicas_of(olds[i]) == 0 && status_of(olds[i], "replicas") == 0)
                        empty++;
        for (size_t i = 0; i < nold && (int64_t)empty > limit; i++) {
                if (replicas_of(olds[i]) != 0 || status_of(olds[i], "replicas") != 0)
                        continue;
                _cleanup_free_ char *p =
                        rs_path(d, json_get_str(olds[i], "metadata", "name", NULL));
                if (cm_delete(s->ctx->client, p, NULL,
                              json_get_str(olds[i], "metadata", "uid", NULL), NULL) >= 0)
                        empty--;
        }

        /* Status, from the ReplicaSets' as last seen. */
        const json *old_c[nold + 1];
        for (size_t i = 0; i < nold; i++)
                old_c[i] = olds[i];
        if (!event) {
                /* Pods became available: progress too. */
                const json *ost = json_object_get(d, "status");
                int64_t upd = new_rs ? status_of(new_rs, "replicas") : 0, av = 0;
                for (size_t i = 0; i < nold; i++)
                        av += status_of(olds[i], "availableReplicas");
                av += new_rs ? status_of(new_rs, "availableReplicas") : 0;
                if (upd != json_object_get_int(ost, "updatedReplicas", 0) ||
                    av != json_object_get_int(ost, "availableReplicas", 0))
                        event = "ReplicaSetUpdated";
        }
        _cleanup_json_ json *st = deploy_compute_status(d, new_rs, old_c, nold, event, time_now());
        bool complete = deploy_complete(d, st);
        if (!json_equal(st, json_object_get(d, "status"))) {
                _cleanup_json_ json *dd = json_copy(d);
                json_object_set(dd, "status", TAKE_PTR(st));
                _cleanup_free_ char *p =
                        xasprintf("/apis/apps/v1/namespaces/%s/deployments/%s/status", ns,
                                  json_get_str(d, "metadata", "name", NULL));
                _cleanup_error_ tm_error *err = NULL;
                r = http_put_json(s->ctx->client, p, dd, NULL, &err);
                if (r < 0 && r != -ENOENT && ret >= 0)
                        ret = r;
        }
        for (size_t i = 0; i < n; i++)
                json_free(mine[i]);
        json_free(created);
        free(mine);
        free(olds);
        if (ret < 0)
                return ret;
        /* Not complete: look again for the progress deadline. */
        return complete || paused ? 0 : 5000;
}

static int d_setup(cm_ctx *ctx, void **ret_state, tm_error **err) {
        deploy_state *s = xcalloc(1, sizeof *s);
        s->ctx = ctx;
        cm_workers_init(&s->workers, "deployment", d_sync, s);
        int r = cm_informer(ctx, "/apis/apps/v1/deployments", &s->ds, err);
        if (r >= 0)
                r = cm_informer(ctx, "/apis/apps/v1/replicasets", &s->rss, err);
        if (r >= 0)
                r = informer_add_handlers(s->ds,
                                          &(informer_handlers){ .on_add = d_add,
                                                                .on_update = d_update,
                                                                .userdata = s },
                                          err);
        if (r >= 0)
                r = informer_add_handlers(s->rss,
                                          &(informer_handlers){ .on_add = rs_add,
                                                                .on_update = rs_update,
                                                                .on_delete = rs_delete,
                                                                .userdata = s },
                                          err);
        if (r < 0) {
                cm_workers_done(&s->workers);
                free(s);
                return tm_error_wrap(err, r, "deployment");
        }
        *ret_state = s;
        return 0;
}

static int d_start(void *state, tm_error **err) {
        deploy_state *s = state;
        return cm_workers_start(&s->workers, 4, err);
}

static void d_stop(void *state) {
        deploy_state *s = state;
        if (!s)
                return;
        cm_workers_done(&s->workers);
        free(s);
}

const controller controller_deployment = {
        .name = "deployment",
        .setup = d_setup,
        .start = d_start,
        .stop = d_stop,
};
