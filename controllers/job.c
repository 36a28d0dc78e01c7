/* SPDX-License-Identifier: Apache-2.0 */
/* The Job controller (NonIndexed): runs pods from the template until
 * spec.completions succeeded, never more than spec.parallelism at once,
 * counting finished pods through the job-tracking finalizer (job_logic.c),
 * and fails the Job past backoffLimit or activeDeadlineSeconds. Pods are
 * found by their controller ownerReference. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "controllers/controller.h"
#include "controllers/job.h"
#include "log.h"
#include "util.h"

#define JOB_BURST          500 /* creations per sync */
#define JOB_EXPECT_TIMEOUT 300 /* s: creations not seen by then are forgotten */

typedef struct job_state {
        cm_ctx *ctx;
        informer *jobs, *pods;
        cm_workers workers;
        cm_expectations *expect; /* creations and deletions not yet seen */
} job_state;

/* --- event handlers ------------------------------------------------------- */

static char *owner_job_key(const json *pod) {
        const json *ref = cm_controller_ref(pod);
        const char *api = json_object_get_string(ref, "apiVersion");
        if (!ref || !streq_ptr(json_object_get_string(ref, "kind"), "Job") || !api ||
            !startswith(api, "batch/"))
                return NULL;
        const char *ns = json_get_str(pod, "metadata", "namespace", NULL);
        const char *name = json_object_get_string(ref, "name");
        return ns && name ? xasprintf("%s/%s", ns, name) : NULL;
}

static void pod_add(informer *inf _unused_, informer_object *o, void *userdata) {
        job_state *s = userdata;
        _cleanup_free_ char *key = owner_job_key(o->json);
        if (key) {
                cm_creation_observed(s->expect, key);
                workqueue_add(s->workers.queue, key);
        }
}

static void pod_update(informer *inf _unused_, informer_object *old _unused_, informer_object *o,
                       void *userdata) {
        job_state *s = userdata;
        _cleanup_free_ char *key = owner_job_key(o->json);
        if (key)
                workqueue_add(s->workers.queue, key);
}

static void pod_delete(informer *inf _unused_, informer_object *o, bool unknown _unused_,
                       void *userdata) {
        pod_update(inf, o, o, userdata);
}

static void job_add(informer *inf _unused_, informer_object *o, void *userdata) {
        job_state *s = userdata;
        workqueue_add(s->workers.queue, o->key);
}

static void job_update(informer *inf _unused_, informer_object *old _unused_, informer_object *o,
                       void *userdata) {
        job_add(inf, o, userdata);
}

static void job_delete(informer *inf _unused_, informer_object *o, bool unknown _unused_,
                       void *userdata) {
        job_state *s = userdata;
        cm_expectations_drop(s->expect, o->key);
}

/* --- sync ----------------------------------------------------------------- */

static char *pod_path(const json *pod) {
        return xasprintf("/api/v1/namespaces/%s/pods/%s",
                         json_get_str(pod, "metadata", "namespace", NULL),
                         json_get_str(pod, "metadata", "name", NULL));
}

static int remove_finalizer(job_state *s, const char *key, const json *pod) {
        _cleanup_json_ json *fin = json_new_array();
        const json *cur = json_get(pod, "metadata", "finalizers", NULL);
        for (size_t i = 0; i < json_array_len(cur); i++)
                if (!streq_ptr(json_string(json_array_get(cur, i)), JOB_TRACKING_FINALIZER))
                        json_array_append(fin, json_copy(json_array_get(cur, i)));
        _cleanup_free_ char *path = pod_path(pod);
        _cleanup_error_ tm_error *err = NULL;
        int r = cm_patch_metadata_list(s->ctx->client, path, pod, "finalizers",
                                       json_array_len(fin) ? fin : NULL, &err);
        if (r < 0 && r != -ENOENT)
                return log_warning_errno(r, "job %s: finalizer of %s: %s", key, path,
                                         tm_error_msg(err));
        return 0;
}

static int create_pods(job_state *s, const char *key, const json *job, int64_t n) {
        if (n > JOB_BURST)
                n = JOB_BURST;
        cm_expect_creations(s->expect, key, (long)n);
        _cleanup_free_ char *path = xasprintf("/api/v1/namespaces/%s/pods",
                                              json_get_str(job, "metadata", "namespace", NULL));
        _cleanup_json_ json *pod = job_pod_from_template(job);
        for (int64_t i = 0; i < n; i++) {
                _cleanup_error_ tm_error *err = NULL;
                int r = http_post_json(s->ctx->client, path, pod, NULL, &err);
                if (r < 0) {
                        log_warning("job %s: create pod: %s", key, tm_error_msg(err));
                        /* Neither this one nor the rest will be seen. */
                        for (int64_t j = i; j < n; j++)
                                cm_creation_observed(s->expect, key);
                        return r;
                }
        }
        log_info("job %s: created %" PRId64 " pods", key, n);
        return 0;
}

static int job_sync(void *state, const char *key) {
        job_state *s = state;
        _cleanup_(informer_object_unrefp) informer_object *o = informer_get(s->jobs, key);
        if (!o) {
                cm_expectations_drop(s->expect, key);
                return 0;
        }
        const json *job = o->json;
        const char *ns = json_get_str(job, "metadata", "namespace", NULL);
        const char *uid = json_get_str(job, "metadata", "uid", NULL);
        informer_object **all = NULL;
        size_t nall = 0;
        if (informer_by_index(s->pods, "namespace", ns ? ns : "", &all, &nall) < 0)
                nall = 0;
        const json **pods = xcalloc(nall + 1, sizeof *pods);
        size_t n = 0;
        for (size_t i = 0; i < nall; i++)
                if (streq_ptr(json_object_get_string(cm_controller_ref(all[i]->json), "uid"), uid))
                        pods[n++] = all[i]->json;

        job_plan plan;
        job_plan_compute(job, (const json *const *)pods, n, time_now(), &plan);
        int ret = 0;
        const json *old = json_object_get(job, "status");
        bool status_ok = true;
        if (!json_equal(plan.status, old)) {
                _cleanup_json_ json *obj = json_copy(job);
                json_object_set(obj, "status", json_copy(plan.status));
                _cleanup_free_ char *path =
                        xasprintf("/apis/batch/v1/namespaces/%s/jobs/%s/status", ns,
                                  json_get_str(job, "metadata", "name", NULL));
                _cleanup_error_ tm_error *err = NULL;
                int r = http_put_json(s->ctx->client, path, obj, NULL, &err);
                if (r < 0) {
                        /* A conflict: the informer is behind, try again. */
                        status_ok = false;
                        if (r != -ENOENT) {
                                log_debug("job %s: status: %s", key, tm_error_msg(err));
                                ret = r;
                        }
                }
        }
        if (status_ok) {
                /* Only once their UIDs are in the written status. */
                for (size_t i = 0; i < plan.n_unfinalize; i++)
                        if (remove_finalizer(s, key, plan.unfinalize[i]) < 0)
                                ret = -EAGAIN;
                for (size_t i = 0; i < plan.n_del; i++) {
                        _cleanup_free_ char *path = pod_path(plan.del[i]);
                        _cleanup_error_ tm_error *err = NULL;
                        int r = cm_delete(s->ctx->client, path, NULL,
                                          json_get_str(plan.del[i], "metadata", "uid", NULL), &err);
                        if (r < 0 && r != -ENOENT) {
                                log_warning("job %s: delete %s: %s", key, path, tm_error_msg(err));
                                ret = r;
                        }
                }
                if (plan.create > 0 && !cm_being_deleted(job) &&
                    cm_expectations_satisfied(s->expect, key)) {
                        int r = create_pods(s, key, job, plan.create);
                        if (r < 0)
                                ret = r;
                }
        }
        int64_t requeue = plan.requeue_ms;
        job_plan_done(&plan);
        free(pods);
        informer_objects_free(all, nall);
        if (ret < 0)
                return ret;
        return requeue > 0 ? (int)(requeue > 3600000 ? 3600000 : requeue) : 0;
}

static int job_setup(cm_ctx *ctx, void **ret_state, tm_error **err) {
        job_state *s = xcalloc(1, sizeof *s);
        s->ctx = ctx;
        s->expect = cm_expectations_new(JOB_EXPECT_TIMEOUT);
        cm_workers_init(&s->workers, "job", job_sync, s);
        int r = cm_informer(ctx, "/apis/batch/v1/jobs", &s->jobs, err);
        if (r >= 0)
                r = cm_informer(ctx, "/api/v1/pods", &s->pods, err);
        if (r >= 0)
                r = informer_add_handlers(s->jobs,
                                          &(informer_handlers){ .on_add = job_add,
                                                                .on_update = job_update,
                                                                .on_delete = job_delete,
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
                return tm_error_wrap(err, r, "job");
        }
        *ret_state = s;
        return 0;
}

static int job_start(void *state, tm_error **err) {
        job_state *s = state;
        return cm_workers_start(&s->workers, 4, err);
}

static void job_stop(void *state) {
        job_state *s = state;
        if (!s)
                return;
        cm_workers_done(&s->workers);
        cm_expectations_free(s->expect);
        free(s);
}

const controller controller_job = {
        .name = "job",
        .setup = job_setup,
        .start = job_start,
        .stop = job_stop,
};
