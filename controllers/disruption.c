/* SPDX-License-Identifier: Apache-2.0 */
/* The disruption controller: keeps the status of every PodDisruptionBudget
 * (policy/v1) from the pods its selector matches, so that the API server's
 * pods/eviction can tell whether a disruption is allowed. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "controllers/controller.h"
#include "controllers/replicaset.h"
#include "intstr.h"
#include "log.h"
#include "selector.h"
#include "strmap.h"
#include "timeutil.h"
#include "util.h"

#define PDB_RESYNC_MS 30000 /* owners' scale is not watched: look again now and then */

typedef struct pdb_state {
        cm_ctx *ctx;
        informer *pdbs, *pods;
        cm_workers workers;
} pdb_state;

/* --- event handlers ------------------------------------------------------- */

/* Enqueue the budgets of the pod's namespace whose selector matches it. */
static void enqueue_for_pod(pdb_state *s, const json *pod) {
        const char *ns = json_get_str(pod, "metadata", "namespace", NULL);
        if (!ns)
                return;
        informer_object **v;
        size_t n;
        if (informer_by_index(s->pdbs, "namespace", ns, &v, &n) < 0)
                return;
        const json *labels = json_get(pod, "metadata", "labels", NULL);
        for (size_t i = 0; i < n; i++) {
                _cleanup_label_selector_ label_selector *sel = NULL;
                if (label_selector_from_json(json_get(v[i]->json, "spec", "selector", NULL), &sel,
                                             NULL) < 0)
                        continue;
                if (!label_selector_matches_nothing(sel) &&
                    label_selector_matches_json(sel, labels))
                        workqueue_add(s->workers.queue, v[i]->key);
        }
        informer_objects_free(v, n);
}

static void pod_add(informer *inf _unused_, informer_object *o, void *userdata) {
        enqueue_for_pod(userdata, o->json);
}

static void pod_update(informer *inf _unused_, informer_object *old, informer_object *o,
                       void *userdata) {
        if (old == o)
                return; /* resync */
        enqueue_for_pod(userdata, o->json);
        if (!json_equal(json_get(old->json, "metadata", "labels", NULL),
                        json_get(o->json, "metadata", "labels", NULL)))
                enqueue_for_pod(userdata, old->json);
}

static void pod_delete(informer *inf _unused_, informer_object *o, bool unknown _unused_,
                       void *userdata) {
        enqueue_for_pod(userdata, o->json);
}

static void pdb_add(informer *inf _unused_, informer_object *o, void *userdata) {
        pdb_state *s = userdata;
        workqueue_add(s->workers.queue, o->key);
}

static void pdb_update(informer *inf _unused_, informer_object *old _unused_, informer_object *o,
                       void *userdata) {
        pdb_state *s = userdata;
        workqueue_add(s->workers.queue, o->key);
}

/* --- counting ------------------------------------------------------------- */

/* GET an owner of a pod and check it is the one referenced. */
static int get_owner(pdb_state *s, const char *prefix, const char *plural, const char *ns,
                     const json *ref, json **ret) {
        _cleanup_free_ char *path = xasprintf("%s/namespaces/%s/%s/%s", prefix, ns, plural,
                                              json_object_get_string(ref, "name"));
        json *obj = NULL;
        int r = http_get_json(s->ctx->client, path, &obj, NULL);
        if (r < 0)
                return r;
        if (!streq_ptr(json_get_str(obj, "metadata", "uid", NULL),
                       json_object_get_string(ref, "uid"))) {
                json_free(obj);
                return -ENOENT;
        }
        *ret = obj;
        return 0;
}

static int64_t spec_replicas(const json *obj) {
        return json_object_get_int(json_object_get(obj, "spec"), "replicas", 1);
}

/* The scale of the controller of a pod (a ReplicaSet's Deployment when it has
 * one), and that controller's uid so each counts once. */
static int controller_scale(pdb_state *s, const char *ns, const json *ref, char **ret_uid,
                            int64_t *ret_scale) {
        const char *kind = json_object_get_string(ref, "kind");
        const char *api = json_object_get_string(ref, "apiVersion");
        _cleanup_json_ json *obj = NULL;
        int r = -ENOENT;
        if (streq_ptr(kind, "ReplicaSet") && api && startswith(api, "apps/")) {
                r = get_owner(s, "/apis/apps/v1", "replicasets", ns, ref, &obj);
                const json *dref = r >= 0 ? cm_controller_ref(obj) : NULL;
                if (dref && streq_ptr(json_object_get_string(dref, "kind"), "Deployment")) {
                        _cleanup_json_ json *d = NULL;
                        if (get_owner(s, "/apis/apps/v1", "deployments", ns, dref, &d) >= 0) {
                                json_free(obj);
                                obj = TAKE_PTR(d);
                        }
                }
        } else if (streq_ptr(kind, "StatefulSet") && api && startswith(api, "apps/"))
                r = get_owner(s, "/apis/apps/v1", "statefulsets", ns, ref, &obj);
        else if (streq_ptr(kind, "Deployment") && api && startswith(api, "apps/"))
                r = get_owner(s, "/apis/apps/v1", "deployments", ns, ref, &obj);
        else if (streq_ptr(kind, "ReplicationController") && streq_ptr(api, "v1"))
                r = get_owner(s, "/api/v1", "replicationcontrollers", ns, ref, &obj);
        if (r < 0)
                return r;
        *ret_uid = xstrdup(json_get_str(obj, "metadata", "uid", NULL) ?: "");
        *ret_scale = spec_replicas(obj);
        return 0;
}

/* Upstream's getExpectedScale: the sum of the scales of the pods'
 * controllers; pods without a controller are left out. */
static int expected_scale(pdb_state *s, const char *ns, const json **pods, size_t n, int64_t *ret,
                          tm_error **err) {
        _cleanup_(strmap_freep) strmap *seen = strmap_new();
        int64_t total = 0;
        for (size_t i = 0; i < n; i++) {
                const json *ref = cm_controller_ref(pods[i]);
                if (!ref)
                        continue;
                _cleanup_free_ char *uid = NULL;
                int64_t scale;
                int r = controller_scale(s, ns, ref, &uid, &scale);
                if (r < 0)
                        return tm_error_set(err, r, "found no controllers for pod \"%s\"",
                                            json_get_str(pods[i], "metadata", "name", NULL));
                if (strmap_contains(seen, uid))
                        continue;
                strmap_put(seen, uid, NULL);
                total += scale;
        }
        *ret = total;
        return 0;
}

static json *find_condition(json *conds, const char *type) {
        for (size_t i = 0; i < json_array_len(conds); i++)
                if (streq_ptr(json_object_get_string(json_array_get(conds, i), "type"), type))
                        return json_array_get(conds, i);
        return NULL;
}

/* The DisruptionAllowed condition; lastTransitionTime changes with the status. */
static void set_condition(json *st, int64_t gen, bool allowed, const char *reason,
                          const char *message) {
        json *conds = json_object_get(st, "conditions");
        if (!conds) {
                conds = json_new_array();
                json_object_set(st, "conditions", conds);
        }
        const char *status = allowed ? "True" : "False";
        json *c = find_condition(conds, "DisruptionAllowed");
        bool transition = !c || !streq_ptr(json_object_get_string(c, "status"), status);
        if (!c) {
                c = json_new_object();
                json_array_append(conds, c);
        }
        json_object_set_string(c, "type", "DisruptionAllowed");
        json_object_set_string(c, "status", status);
        json_object_set_int(c, "observedGeneration", gen);
        if (transition || !json_object_get(c, "lastTransitionTime")) {
                _cleanup_free_ char *now = time_now_rfc3339();
                json_object_set_string(c, "lastTransitionTime", now);
        }
        json_object_set_string(c, "reason", reason);
        json_object_set_string(c, "message", message);
}

/* The new status, or on failure upstream's fail-safe one (no disruption). */
static json *compute_status(pdb_state *s, const json *pdb, const json **pods, size_t n) {
        const char *ns = json_get_str(pdb, "metadata", "namespace", NULL);
        const json *spec = json_object_get(pdb, "spec");
        int64_t gen = json_object_get_int(json_object_get(pdb, "metadata"), "generation", 0);
        const json *old = json_object_get(pdb, "status");
        json *st = old ? json_copy(old) : json_new_object();
        _cleanup_error_ tm_error *err = NULL;
        int64_t expected = 0, desired = 0;
        int r = 0;
        const json *jmax = json_object_get(spec, "maxUnavailable");
        const json *jmin = json_object_get(spec, "minAvailable");
        _cleanup_intstr_ intstr v = INTSTR_INIT;
        if (jmax && !json_is_null(jmax)) {
                int64_t max;
                r = intstr_from_json(jmax, &v, &err);
                if (r >= 0)
                        r = expected_scale(s, ns, pods, n, &expected, &err);
                if (r >= 0)
                        r = intstr_get_scaled_value(&v, expected, true, &max, &err);
                desired = expected - (r >= 0 ? max : 0);
                if (desired < 0)
                        desired = 0;
        } else if (jmin && json_is_int(jmin)) {
                desired = json_int(jmin);
                expected = (int64_t)n;
        } else if (jmin && !json_is_null(jmin)) {
                r = intstr_from_json(jmin, &v, &err);
                if (r >= 0)
                        r = expected_scale(s, ns, pods, n, &expected, &err);
                if (r >= 0)
                        r = intstr_get_scaled_value(&v, expected, true, &desired, &err);
        }
        int64_t healthy = 0;
        for (size_t i = 0; i < n; i++)
                if (!cm_being_deleted(pods[i]) && rs_pod_is_ready(pods[i]))
                        healthy++;
        json_object_set_int(st, "observedGeneration", gen);
        if (r < 0) {
                log_warning("disruption %s/%s: %s", ns, json_get_str(pdb, "metadata", "name", NULL),
                            tm_error_msg(err));
                json_object_set_int(st, "disruptionsAllowed", 0);
                set_condition(st, gen, false, "SyncFailed", tm_error_msg(err));
                return st;
        }
        int64_t allowed = healthy - desired > 0 ? healthy - desired : 0;
        json_object_set_int(st, "currentHealthy", healthy);
        json_object_set_int(st, "desiredHealthy", desired);
        json_object_set_int(st, "expectedPods", expected);
        json_object_set_int(st, "disruptionsAllowed", allowed);
        /* Upstream leaves the message empty; our API server requires one. */
        set_condition(st, gen, allowed > 0, allowed > 0 ? "SufficientPods" : "InsufficientPods",
                      allowed > 0 ? "enough healthy pods for a disruption"
                                  : "not enough healthy pods for a disruption");
        return st;
}

static int pdb_sync(void *state, const char *key) {
        pdb_state *s = state;
        _cleanup_(informer_object_unrefp) informer_object *o = informer_get(s->pdbs, key);
        if (!o || cm_being_deleted(o->json))
                return 0;
        const json *pdb = o->json;
        const char *ns = json_get_str(pdb, "metadata", "namespace", NULL);
        _cleanup_label_selector_ label_selector *sel = NULL;
        if (label_selector_from_json(json_get(pdb, "spec", "selector", NULL), &sel, NULL) < 0)
                return 0;
        informer_object **pods = NULL;
        size_t npods = 0;
        if (informer_by_index(s->pods, "namespace", ns ? ns : "", &pods, &npods) < 0)
                npods = 0;
        const json **match = xcalloc(npods + 1, sizeof *match);
        size_t n = 0;
        bool none = label_selector_matches_nothing(sel);
        for (size_t i = 0; i < npods && !none; i++)
                if (label_selector_matches_json(
                            sel, json_get(pods[i]->json, "metadata", "labels", NULL)))
                        match[n++] = pods[i]->json;
        _cleanup_json_ json *st = compute_status(s, pdb, match, n);
        free(match);
        informer_objects_free(pods, npods);
        if (json_equal(st, json_object_get(pdb, "status")))
                return PDB_RESYNC_MS;
        _cleanup_json_ json *obj = json_copy(pdb);
        json_object_set(obj, "status", TAKE_PTR(st));
        _cleanup_free_ char *path =
                xasprintf("/apis/policy/v1/namespaces/%s/poddisruptionbudgets/%s/status", ns,
                          json_get_str(pdb, "metadata", "name", NULL));
        _cleanup_error_ tm_error *err = NULL;
        int r = http_put_json(s->ctx->client, path, obj, NULL, &err);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return log_debug("disruption: status %s: %s", path, tm_error_msg(err)), r;
        return PDB_RESYNC_MS;
}

static int pdb_setup(cm_ctx *ctx, void **ret_state, tm_error **err) {
        pdb_state *s = xcalloc(1, sizeof *s);
        s->ctx = ctx;
        cm_workers_init(&s->workers, "disruption", pdb_sync, s);
        int r = cm_informer(ctx, "/apis/policy/v1/poddisruptionbudgets", &s->pdbs, err);
        if (r >= 0)
                r = cm_informer(ctx, "/api/v1/pods", &s->pods, err);
        if (r >= 0)
                r = informer_add_handlers(s->pdbs,
                                          &(informer_handlers){ .on_add = pdb_add,
                                                                .on_update = pdb_update,
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
                free(s);
                return tm_error_wrap(err, r, "disruption");
        }
        *ret_state = s;
        return 0;
}

static int pdb_start(void *state, tm_error **err) {
        pdb_state *s = state;
        return cm_workers_start(&s->workers, 2, err);
}

static void pdb_stop(void *state) {
        pdb_state *s = state;
        if (!s)
                return;
        cm_workers_done(&s->workers);
        free(s);
}

const controller controller_disruption = {
        .name = "disruption",
        .setup = pdb_setup,
        .start = pdb_start,
        .stop = pdb_stop,
};
