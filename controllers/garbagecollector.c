/* SPDX-License-Identifier: Apache-2.0 */
/* The garbage collector: an informer on every listable, watchable,
 * deletable resource, indexed by the UIDs of their owners.
 *
 * - A dependent whose owners are all gone (not in the cache and confirmed
 *   by a GET: 404 or another UID) is deleted; owners that are gone among
 *   others that remain are dropped from its ownerReferences.
 * - An owner marked for deletion with the foregroundDeletion finalizer has
 *   its dependents deleted; the finalizer goes once none is left.
 * - An owner marked for deletion with the orphan finalizer has its
 *   reference removed from every dependent, then the finalizer removed.
 *
 * Work keys are "<resource index> <cache key>". */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "controllers/controller.h"
#include "log.h"
#include "util.h"

typedef struct gc_state {
        cm_ctx *ctx;
        cm_resource *res;
        size_t n;
        informer **inf; /* per resource, NULL where not watched */
        cm_workers workers;
} gc_state;

static char **index_owner_uids(const json *obj, void *userdata _unused_) {
        const json *refs = json_get(obj, "metadata", "ownerReferences", NULL);
        size_t n = json_array_len(refs);
        if (n == 0)
                return NULL;
        char **v = xcalloc(n + 1, sizeof *v);
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                const char *uid = json_object_get_string(json_array_get(refs, i), "uid");
                if (uid)
                        v[k++] = xstrdup(uid);
        }
        return v;
}

static void enqueue(gc_state *s, size_t idx, const char *key) {
        _cleanup_free_ char *k = xasprintf("%zu %s", idx, key);
        workqueue_add(s->workers.queue, k);
}

static size_t index_of(gc_state *s, informer *inf) {
        for (size_t i = 0; i < s->n; i++)
                if (s->inf[i] == inf)
                        return i;
        return SIZE_MAX;
}

/* The resource index of an ownerReference's kind, or SIZE_MAX. */
static size_t owner_index(gc_state *s, const json *ref) {
        const cm_resource *r =
                cm_resource_for_kind(s->res, s->n, json_object_get_string(ref, "apiVersion"),
                                     json_object_get_string(ref, "kind"));
        return r ? (size_t)(r - s->res) : SIZE_MAX;
}

static char *owner_key(gc_state *s, size_t oi, const char *dep_ns, const json *ref) {
        const char *name = json_object_get_string(ref, "name");
        if (!name)
                return NULL;
        if (s->res[oi].namespaced)
                return dep_ns ? xasprintf("%s/%s", dep_ns, name) : NULL;
        return xstrdup(name);
}

static void look_at(gc_state *s, size_t idx, const informer_object *o) {
        const json *md = json_object_get(o->json, "metadata");
        if (json_array_len(json_object_get(md, "ownerReferences")) > 0 ||
            (json_object_get(md, "deletionTimestamp") &&
             (cm_has_finalizer(o->json, "orphan") ||
              cm_has_finalizer(o->json, "foregroundDeletion"))))
                enqueue(s, idx, o->key);
}

static void on_add(informer *inf, informer_object *o, void *userdata) {
        gc_state *s = userdata;
        look_at(s, index_of(s, inf), o);
}

static void on_update(informer *inf, informer_object *old _unused_, informer_object *o,
                      void *userdata) {
        gc_state *s = userdata;
        look_at(s, index_of(s, inf), o);
}

static void on_delete(informer *inf _unused_, informer_object *o, bool unknown _unused_,
                      void *userdata) {
        gc_state *s = userdata;
        /* Its dependents may be orphans now... */
        const char *uid = json_get_str(o->json, "metadata", "uid", NULL);
        for (size_t i = 0; uid && i < s->n; i++) {
                if (!s->inf[i])
                        continue;
                informer_object **v;
                size_t n;
                if (informer_by_index(s->inf[i], "owner", uid, &v, &n) < 0)
                        continue;
                for (size_t j = 0; j < n; j++)
                        enqueue(s, i, v[j]->key);
                informer_objects_free(v, n);
        }
        /* ...and its owners may wait for it (foreground deletion). */
        const json *refs = json_get(o->json, "metadata", "ownerReferences", NULL);
        const char *ns = json_get_str(o->json, "metadata", "namespace", NULL);
        for (size_t i = 0; i < json_array_len(refs); i++) {
                size_t oi = owner_index(s, json_array_get(refs, i));
                if (oi == SIZE_MAX || !s->inf[oi])
                        continue;
                _cleanup_free_ char *k = owner_key(s, oi, ns, json_array_get(refs, i));
                if (k)
                        enqueue(s, oi, k);
        }
}

/* Every dependent of `uid` in the caches, as references. */
static void dependents_of(gc_state *s, const char *uid, informer_object ***ret, size_t **ret_idx,
                          size_t *ret_n) {
        informer_object **all = NULL;
        size_t *idx = NULL, total = 0;
        for (size_t i = 0; i < s->n; i++) {
                if (!s->inf[i])
                        continue;
                informer_object **v;
                size_t n;
                if (informer_by_index(s->inf[i], "owner", uid, &v, &n) < 0)
                        continue;
                all = xreallocarray(all, total + n + 1, sizeof *all);
                idx = xreallocarray(idx, total + n + 1, sizeof *idx);
                for (size_t j = 0; j < n; j++) {
                        all[total] = v[j];
                        idx[total++] = i;
                }
                free(v);
        }
        *ret = all;
        *ret_idx = idx;
        *ret_n = total;
}

static char *object_path(gc_state *s, size_t idx, const json *obj) {
        return cm_resource_path(&s->res[idx], json_get_str(obj, "metadata", "namespace", NULL),
                                json_get_str(obj, "metadata", "name", NULL));
}

/* The ownerReferences of obj without the one of `uid`. */
static json *refs_without(const json *obj, const char *uid) {
        json *keep = json_new_array();
        const json *refs = json_get(obj, "metadata", "ownerReferences", NULL);
        for (size_t i = 0; i < json_array_len(refs); i++)
                if (!streq_ptr(json_object_get_string(json_array_get(refs, i), "uid"), uid))
                        json_array_append(keep, json_copy(json_array_get(refs, i)));
        return keep;
}

static int remove_finalizer(gc_state *s, size_t idx, const json *obj, const char *f) {
        _cleanup_json_ json *keep = json_new_array();
        const json *fin = json_get(obj, "metadata", "finalizers", NULL);
        for (size_t i = 0; i < json_array_len(fin); i++)
                if (!streq_ptr(json_string(json_array_get(fin, i)), f))
                        json_array_append(keep, json_copy(json_array_get(fin, i)));
        _cleanup_free_ char *path = object_path(s, idx, obj);
        _cleanup_error_ tm_error *err = NULL;
        int r = cm_patch_metadata_list(s->ctx->client, path, obj, "finalizers", keep, &err);
        if (r < 0 && r != -ENOENT)
                return log_warning_errno(r, "garbage collector: %s: %s", path, tm_error_msg(err));
        log_info("garbage collector: %s: removed finalizer %s", path, f);
        return 0;
}

/* An owner being deleted with the orphan or foregroundDeletion finalizer. */
static int process_owner(gc_state *s, size_t idx, const json *obj) {
        const char *uid = json_get_str(obj, "metadata", "uid", NULL);
        informer_object **deps;
        size_t *didx, n;
        dependents_of(s, uid, &deps, &didx, &n);
        int ret = 0;
        bool orphan = cm_has_finalizer(obj, "orphan");
        size_t waiting = 0;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *path = object_path(s, didx[i], deps[i]->json);
                _cleanup_error_ tm_error *err = NULL;
                int r;
                if (orphan) {
                        _cleanup_json_ json *keep = refs_without(deps[i]->json, uid);
                        r = cm_patch_metadata_list(s->ctx->client, path, deps[i]->json,
                                                   "ownerReferences", keep, &err);
                } else {
                        waiting++;
                        if (cm_being_deleted(deps[i]->json))
                                continue;
                        /* A dependent with dependents of its own is deleted in
                         * the foreground too, so the chain waits. */
                        informer_object **dd;
                        size_t *ddi, dn;
                        dependents_of(s, json_get_str(deps[i]->json, "metadata", "uid", NULL), &dd,
                                      &ddi, &dn);
                        informer_objects_free(dd, dn);
                        free(ddi);
                        r = cm_delete(s->ctx->client, path, dn ? "Foreground" : "Background",
                                      json_get_str(deps[i]->json, "metadata", "uid", NULL), &err);
                }
                if (r < 0 && r != -ENOENT) {
                        log_warning("garbage collector: %s: %s", path, tm_error_msg(err));
                        ret = r;
                }
        }
        informer_objects_free(deps, n);
        free(didx);
        if (ret < 0)
                return ret;
        if (orphan)
                return remove_finalizer(s, idx, obj, "orphan");
        if (waiting > 0)
                return 1000; /* the dependents' deletions requeue us sooner */
        return remove_finalizer(s, idx, obj, "foregroundDeletion");
}

/* Does the owner still exist (1), is it gone (0)? Unknown kinds count as
 * existing: never delete on a guess. */
static int owner_exists(gc_state *s, const json *dep, const json *ref) {
        size_t oi = owner_index(s, ref);
        if (oi == SIZE_MAX)
                return 1;
        const char *uid = json_object_get_string(ref, "uid");
        const char *ns = json_get_str(dep, "metadata", "namespace", NULL);
        _cleanup_free_ char *key = owner_key(s, oi, ns, ref);
        if (!key)
                return 0;
        if (s->inf[oi]) {
                _cleanup_(informer_object_unrefp) informer_object *o =
                        informer_get(s->inf[oi], key);
                if (o && streq_ptr(json_get_str(o->json, "metadata", "uid", NULL), uid))
                        return 1;
        }
        /* Not in the cache (or another UID): the cache may lag; ask. */
        _cleanup_free_ char *path =
                cm_resource_path(&s->res[oi], ns, json_object_get_string(ref, "name"));
        _cleanup_json_ json *live = NULL;
        _cleanup_error_ tm_error *err = NULL;
        int r = http_get_json(s->ctx->client, path, &live, &err);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        return streq_ptr(json_get_str(live, "metadata", "uid", NULL), uid) ? 1 : 0;
}

static int process_dependent(gc_state *s, size_t idx, const json *obj) {
        const json *refs = json_get(obj, "metadata", "ownerReferences", NULL);
        size_t n = json_array_len(refs), gone = 0;
        _cleanup_json_ json *keep = json_new_array();
        for (size_t i = 0; i < n; i++) {
                const json *ref = json_array_get(refs, i);
                int r = owner_exists(s, obj, ref);
                if (r < 0)
                        return r;
                if (r == 0)
                        gone++;
                else
                        json_array_append(keep, json_copy(ref));
        }
        if (gone == 0)
                return 0;
        _cleanup_free_ char *path = object_path(s, idx, obj);
        _cleanup_error_ tm_error *err = NULL;
        int r;
        if (gone == n) {
                log_info("garbage collector: deleting %s: its owners are gone", path);
                r = cm_delete(s->ctx->client, path, "Background",
                              json_get_str(obj, "metadata", "uid", NULL), &err);
        } else
                r = cm_patch_metadata_list(s->ctx->client, path, obj, "ownerReferences", keep,
                                           &err);
        if (r < 0 && r != -ENOENT && r != -ESTALE)
                return log_warning_errno(r, "garbage collector: %s: %s", path, tm_error_msg(err));
        return r == -ESTALE ? r : 0;
}

static int gc_sync(void *state, const char *key) {
        gc_state *s = state;
        char *end;
        unsigned long idx = strtoul(key, &end, 10);
        if (*end != ' ' || idx >= s->n || !s->inf[idx])
                return 0;
        _cleanup_(informer_object_unrefp) informer_object *o = informer_get(s->inf[idx], end + 1);
        if (!o)
                return 0;
        if (cm_being_deleted(o->json)) {
                if (cm_has_finalizer(o->json, "orphan") ||
                    cm_has_finalizer(o->json, "foregroundDeletion"))
                        return process_owner(s, idx, o->json);
                return 0;
        }
        return process_dependent(s, idx, o->json);
}

static int gc_setup(cm_ctx *ctx, void **ret_state, tm_error **err) {
        gc_state *s = xcalloc(1, sizeof *s);
        s->ctx = ctx;
        cm_workers_init(&s->workers, "garbage-collector", gc_sync, s);
        int r = cm_discover(ctx->client, &s->res, &s->n, err);
        if (r < 0)
                goto fail;
        s->inf = xcalloc(s->n ? s->n : 1, sizeof *s->inf);
        for (size_t i = 0; i < s->n; i++) {
                const cm_resource *rs = &s->res[i];
                /* Events never own anything, and are many. */
                if (!rs->can_list || !rs->can_watch || !rs->can_delete ||
                    streq(rs->plural, "events"))
                        continue;
                _cleanup_free_ char *path = cm_resource_path(rs, NULL, NULL);
                r = cm_informer(ctx, path, &s->inf[i], err);
                if (r < 0)
                        goto fail;
                r = informer_add_index(s->inf[i], "owner", index_owner_uids, NULL, err);
                if (r < 0)
                        goto fail;
                r = informer_add_handlers(s->inf[i],
                                          &(informer_handlers){ .on_add = on_add,
                                                                .on_update = on_update,
                                                                .on_delete = on_delete,
                                                                .userdata = s },
                                          err);
                if (r < 0)
                        goto fail;
        }
        *ret_state = s;
        return 0;
fail:
        cm_workers_done(&s->workers);
        cm_resources_free(s->res, s->n);
        free(s->inf);
        free(s);
        return tm_error_wrap(err, r, "garbage collector");
}

static int gc_start(void *state, tm_error **err) {
        gc_state *s = state;
        return cm_workers_start(&s->workers, 4, err);
}

static void gc_stop(void *state) {
        gc_state *s = state;
        if (!s)
                return;
        cm_workers_done(&s->workers);
        cm_resources_free(s->res, s->n);
        free(s->inf);
        free(s);
}

const controller controller_garbage_collector = {
        .name = "garbagecollector",
        .setup = gc_setup,
        .start = gc_start,
        .stop = gc_stop,
};
