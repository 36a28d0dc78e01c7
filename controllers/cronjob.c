/* SPDX-License-Identifier: Apache-2.0 */
/* The CronJob controller: at each scheduled time (UTC) creates a Job named
 * <cronjob>-<scheduled time in minutes since the epoch> from jobTemplate,
 * with concurrencyPolicy Allow/Forbid/Replace, suspend,
 * startingDeadlineSeconds and the history limits, and keeps status.active
 * and lastScheduleTime. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "controllers/controller.h"
#include "controllers/cronjob.h"
#include "controllers/job.h"
#include "controllers/replicaset.h"
#include "log.h"
#include "util.h"

typedef struct cj_state {
        cm_ctx *ctx;
        informer *cronjobs, *jobs;
        cm_workers workers;
} cj_state;

static char *owner_cj_key(const json *job) {
        const json *ref = cm_controller_ref(job);
        const char *api = json_object_get_string(ref, "apiVersion");
        if (!ref || !streq_ptr(json_object_get_string(ref, "kind"), "CronJob") || !api ||
            !startswith(api, "batch/"))
                return NULL;
        const char *ns = json_get_str(job, "metadata", "namespace", NULL);
        const char *name = json_object_get_string(ref, "name");
        return ns && name ? xasprintf("%s/%s", ns, name) : NULL;
}

static void job_changed(informer *inf _unused_, informer_object *o, void *userdata) {
        cj_state *s = userdata;
        _cleanup_free_ char *key = owner_cj_key(o->json);
        if (key)
                workqueue_add(s->workers.queue, key);
}

static void job_update(informer *inf, informer_object *old _unused_, informer_object *o,
                       void *userdata) {
        job_changed(inf, o, userdata);
}

static void job_delete(informer *inf, informer_object *o, bool unknown _unused_, void *userdata) {
        job_changed(inf, o, userdata);
}

static void cj_add(informer *inf _unused_, informer_object *o, void *userdata) {
        cj_state *s = userdata;
        workqueue_add(s->workers.queue, o->key);
}

static void cj_update(informer *inf, informer_object *old _unused_, informer_object *o,
                      void *userdata) {
        cj_add(inf, o, userdata);
}

static bool job_finished(const json *job, bool *ret_failed) {
        const json *st = json_object_get(job, "status");
        *ret_failed = job_condition(st, "Failed") != NULL;
        return *ret_failed || job_condition(st, "Complete");
}

static int64_t time_of(const char *s) {
        tm_time t;
        return s && time_parse_rfc3339(s, &t, NULL) >= 0 ? t.sec : -1;
}

static int64_t job_time(const json *job) {
        int64_t t = time_of(json_get_str(job, "status", "startTime", NULL));
        return t >= 0 ? t : time_of(json_get_str(job, "metadata", "creationTimestamp", NULL));
}

static int cmp_job_time(const void *pa, const void *pb) {
        int64_t a = job_time(*(const json *const *)pa), b = job_time(*(const json *const *)pb);
        return a < b ? -1 : a > b;
}

static int delete_job(cj_state *s, const char *key, const json *job) {
        _cleanup_free_ char *path = xasprintf("/apis/batch/v1/namespaces/%s/jobs/%s",
                                              json_get_str(job, "metadata", "namespace", NULL),
                                              json_get_str(job, "metadata", "name", NULL));
        _cleanup_error_ tm_error *err = NULL;
        int r = cm_delete(s->ctx->client, path, "Background",
                          json_get_str(job, "metadata", "uid", NULL), &err);
        if (r < 0 && r != -ENOENT)
                return log_warning_errno(r, "cronjob %s: delete %s: %s", key, path,
                                         tm_error_msg(err));
        return 0;
}

/* Delete the oldest finished Jobs beyond `limit`. */
static int trim_history(cj_state *s, const char *key, const json **v, size_t n, int64_t limit) {
        if ((int64_t)n <= limit)
                return 0;
        qsort(v, n, sizeof *v, cmp_job_time);
        int ret = 0;
        for (size_t i = 0; (int64_t)i < (int64_t)n - limit; i++)
                if (delete_job(s, key, v[i]) < 0)
                        ret = -EAGAIN;
        return ret;
}

static json *job_ref(const json *job) {
        json *ref = json_new_object();
        json_object_set_string(ref, "apiVersion", "batch/v1");
        json_object_set_string(ref, "kind", "Job");
        static const char *const f[] = { "name", "namespace", "uid", "resourceVersion" };
        for (size_t i = 0; i < ELEMENTSOF(f); i++) {
                const char *v = json_get_str(job, "metadata", f[i], NULL);
                if (v)
                        json_object_set_string(ref, f[i], v);
        }
        return ref;
}

static int create_job(cj_state *s, const char *key, const json *cj, int64_t t) {
        const json *tmpl = json_get(cj, "spec", "jobTemplate", NULL);
        const char *ns = json_get_str(cj, "metadata", "namespace", NULL);
        json *job = json_new_object();
        _cleanup_json_ json *job_owned = job;
        json_object_set_string(job, "apiVersion", "batch/v1");
        json_object_set_string(job, "kind", "Job");
        json *md = json_object_ensure_object(job, "metadata");
        _cleanup_free_ char *name =
                xasprintf("%s-%" PRId64, json_get_str(cj, "metadata", "name", NULL) ?: "", t / 60);
        json_object_set_string(md, "name", name);
        json_object_set_string(md, "namespace", ns);
        const json *tmd = json_object_get(tmpl, "metadata");
        if (json_object_get(tmd, "labels"))
                json_object_set(md, "labels", json_copy(json_object_get(tmd, "labels")));
        json *ann = json_object_get(tmd, "annotations")
                            ? json_copy(json_object_get(tmd, "annotations"))
                            : json_new_object();
        char buf[TIME_RFC3339_MAX];
        json_object_set_string(ann, "batch.kubernetes.io/cronjob-scheduled-timestamp",
                               time_format_rfc3339((tm_time){ .sec = t }, buf));
        json_object_set(md, "annotations", ann);
        json *refs = json_new_array();
        json_array_append(refs, rs_controller_ref(cj, "batch/v1", "CronJob"));
        json_object_set(md, "ownerReferences", refs);
        const json *spec = json_object_get(tmpl, "spec");
        json_object_set(job, "spec", spec ? json_copy(spec) : json_new_object());
        _cleanup_free_ char *path = xasprintf("/apis/batch/v1/namespaces/%s/jobs", ns);
        _cleanup_error_ tm_error *err = NULL;
        int r = http_post_json(s->ctx->client, path, job, NULL, &err);
        if (r == -EEXIST)
                return 0; /* made before, the informer had not seen it */
        if (r < 0)
                return log_warning_errno(r, "cronjob %s: create job %s: %s", key, name,
                                         tm_error_msg(err));
        log_info("cronjob %s: created job %s", key, name);
        return 1;
}

static int cj_sync(void *state, const char *key) {
        cj_state *s = state;
        _cleanup_(informer_object_unrefp) informer_object *o = informer_get(s->cronjobs, key);
        if (!o || cm_being_deleted(o->json))
                return 0;
        const json *cj = o->json;
        const json *spec = json_object_get(cj, "spec");
        const char *ns = json_get_str(cj, "metadata", "namespace", NULL);
        const char *uid = json_get_str(cj, "metadata", "uid", NULL);
        const char *cj_name = json_get_str(cj, "metadata", "name", NULL) ?: "";
        informer_object **all = NULL;
        size_t nall = 0;
        if (informer_by_index(s->jobs, "namespace", ns ? ns : "", &all, &nall) < 0)
                nall = 0;
        const json **active = xcalloc(nall + 1, sizeof *active);
        const json **ok = xcalloc(nall + 1, sizeof *ok);
        const json **ko = xcalloc(nall + 1, sizeof *ko);
        size_t nactive = 0, nok = 0, nko = 0;
        int64_t last_success = -1;
        for (size_t i = 0; i < nall; i++) {
                const json *job = all[i]->json;
                if (!streq_ptr(json_object_get_string(cm_controller_ref(job), "uid"), uid))
                        continue;
                bool failed;
                if (!job_finished(job, &failed))
                        active[nactive++] = job;
                else if (failed)
                        ko[nko++] = job;
                else {
                        ok[nok++] = job;
                        int64_t ct = time_of(json_get_str(job, "status", "completionTime", NULL));
                        if (ct > last_success)
                                last_success = ct;
                }
        }
        int ret = 0;
        int64_t now = time_now().sec;
        const json *old = json_object_get(cj, "status");
        json *st = old ? json_copy(old) : json_new_object();
        _cleanup_json_ json *st_owned = st;
        int64_t last_sched = time_of(json_object_get_string(st, "lastScheduleTime"));
        int64_t next_ms = 0;

        if (trim_history(s, key, ok, nok,
                         json_object_get_int(spec, "successfulJobsHistoryLimit", 3)) < 0 ||
            trim_history(s, key, ko, nko, json_object_get_int(spec, "failedJobsHistoryLimit", 1)) <
                    0)
                ret = -EAGAIN;

        cron_schedule sched;
        _cleanup_error_ tm_error *perr = NULL;
        bool suspend = json_object_get_bool(spec, "suspend", false);
        if (cron_parse(json_object_get_string(spec, "schedule"), &sched, &perr) < 0) {
                log_warning("cronjob %s: %s", key, tm_error_msg(perr));
        } else if (!suspend) {
                /* Missed times are looked for since the last one (or the
                 * creation), and no further back than startingDeadlineSeconds. */
                int64_t earliest =
                        last_sched >= 0
                                ? last_sched
                                : time_of(json_get_str(cj, "metadata", "creationTimestamp", NULL));
                const json *sds = json_object_get(spec, "startingDeadlineSeconds");
                if (json_is_int(sds) && now - json_int(sds) > earliest)
                        earliest = now - json_int(sds);
                if (earliest < 0)
                        earliest = now;
                int missed = 0;
                int64_t t = cron_last_in(&sched, earliest, now, &missed);
                if (missed >= 100)
                        log_warning("cronjob %s: too many missed start times, starting the latest",
                                    key);
                const char *policy = json_object_get_string(spec, "concurrencyPolicy") ?: "Allow";
                if (t >= 0) {
                        _cleanup_free_ char *name = xasprintf("%s-%" PRId64, cj_name, t / 60);
                        bool exists = false;
                        for (size_t i = 0; i < nactive + nok + nko; i++) {
                                const json *j = i < nactive         ? active[i]
                                                : i < nactive + nok ? ok[i - nactive]
                                                                    : ko[i - nactive - nok];
                                if (streq_ptr(json_get_str(j, "metadata", "name", NULL), name))
                                        exists = true;
                        }
                        if (exists) {
                                /* Already made; only the status may lag. */
                        } else if (streq(policy, "Forbid") && nactive > 0) {
                                log_debug("cronjob %s: %s skipped, Forbid", key, name);
                                t = -1;
                        } else {
                                if (streq(policy, "Replace")) {
                                        for (size_t i = 0; i < nactive; i++)
                                                if (delete_job(s, key, active[i]) < 0)
                                                        ret = -EAGAIN;
                                        nactive = 0;
                                }
                                int r = create_job(s, key, cj, t);
                                if (r < 0)
                                        ret = r, t = -1;
                        }
                        if (t >= 0) {
                                char buf[TIME_RFC3339_MAX];
                                json_object_set_string(
                                        st, "lastScheduleTime",
                                        time_format_rfc3339((tm_time){ .sec = t }, buf));
                        }
                }
                int64_t next = cron_next(&sched, now);
                if (next > 0)
                        next_ms = (next - now) * 1000 + 100;
        }
        /* status.active: the unfinished Jobs seen (a new one arrives
         * with its informer event). */
        json *refs = json_new_array();
        for (size_t i = 0; i < nactive; i++)
                json_array_append(refs, job_ref(active[i]));
        if (json_array_len(refs))
                json_object_set(st, "active", refs);
        else {
                json_free(refs);
                json_object_remove(st, "active");
        }
        if (last_success >= 0) {
                char buf[TIME_RFC3339_MAX];
                json_object_set_string(st, "lastSuccessfulTime",
                                       time_format_rfc3339((tm_time){ .sec = last_success }, buf));
        }
        if (!json_equal(st, old) && !(json_object_len(st) == 0 && !old)) {
                _cleanup_json_ json *obj = json_copy(cj);
                json_object_set(obj, "status", json_copy(st));
                _cleanup_free_ char *path =
                        xasprintf("/apis/batch/v1/namespaces/%s/cronjobs/%s/status", ns, cj_name);
                _cleanup_error_ tm_error *err = NULL;
                int r = http_put_json(s->ctx->client, path, obj, NULL, &err);
                if (r < 0 && r != -ENOENT) {
                        log_debug("cronjob %s: status: %s", key, tm_error_msg(err));
                        ret = r;
                }
        }
        informer_objects_free(all, nall);
        free(active), free(ok), free(ko);
        if (ret < 0)
                return ret;
        return next_ms > 0 ? (int)(next_ms > 3600000 ? 3600000 : next_ms) : 0;
}

static int cj_setup(cm_ctx *ctx, void **ret_state, tm_error **err) {
        cj_state *s = xcalloc(1, sizeof *s);
        s->ctx = ctx;
        cm_workers_init(&s->workers, "cronjob", cj_sync, s);
        int r = cm_informer(ctx, "/apis/batch/v1/cronjobs", &s->cronjobs, err);
        if (r >= 0)
                r = cm_informer(ctx, "/apis/batch/v1/jobs", &s->jobs, err);
        if (r >= 0)
                r = informer_add_handlers(s->cronjobs,
                                          &(informer_handlers){ .on_add = cj_add,
                                                                .on_update = cj_update,
                                                                .userdata = s },
                                          err);
        if (r >= 0)
                r = informer_add_handlers(s->jobs,
                                          &(informer_handlers){ .on_add = job_changed,
                                                                .on_update = job_update,
                                                                .on_delete = job_delete,
                                                                .userdata = s },
                                          err);
        if (r < 0) {
                cm_workers_done(&s->workers);
                free(s);
                return tm_error_wrap(err, r, "cronjob");
        }
        *ret_state = s;
        return 0;
}

static int cj_start(void *state, tm_error **err) {
        cj_state *s = state;
        return cm_workers_start(&s->workers, 2, err);
}

static void cj_stop(void *state) {
        cj_state *s = state;
        if (!s)
                return;
        cm_workers_done(&s->workers);
        free(s);
}

const controller controller_cronjob = {
        .name = "cronjob",
        .setup = cj_setup,
        .start = cj_start,
        .stop = cj_stop,
};
