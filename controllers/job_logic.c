/* SPDX-License-Identifier: Apache-2.0 */
/* Job decisions (job.h). Finished pods are counted the way upstream does:
 * their UID goes to status.uncountedTerminatedPods first, their finalizer
 * is removed once that status is written, and a UID moves to
 * succeeded/failed only when its pod has lost the finalizer (or is gone),
 * so a pod is never counted twice whatever the informer lags. */
#include "config.h"

#include <string.h>

#include "controllers/controller.h"
#include "controllers/job.h"
#include "controllers/replicaset.h"
#include "util.h"

const json *job_condition(const json *status, const char *type) {
        const json *conds = json_object_get(status, "conditions");
        for (size_t i = 0; i < json_array_len(conds); i++) {
                const json *c = json_array_get(conds, i);
                if (streq_ptr(json_object_get_string(c, "type"), type) &&
                    streq_ptr(json_object_get_string(c, "status"), "True"))
                        return c;
        }
        return NULL;
}

/* Set condition `type` (replacing one of the same type); keeps the
 * transition time when the status does not change. */
static void set_condition(json *status, const char *type, const char *st, const char *reason,
                          const char *message, const char *now) {
        json *conds = json_object_get(status, "conditions");
        if (!conds) {
                conds = json_new_array();
                json_object_set(status, "conditions", conds);
        }
        json *c = NULL;
        for (size_t i = 0; i < json_array_len(conds); i++)
                if (streq_ptr(json_object_get_string(json_array_get(conds, i), "type"), type))
                        c = json_array_get(conds, i);
        if (c && streq_ptr(json_object_get_string(c, "status"), st))
                return;
        if (!c) {
                c = json_new_object();
                json_array_append(conds, c);
        }
        json_object_set_string(c, "type", type);
        json_object_set_string(c, "status", st);
        json_object_set_string(c, "lastProbeTime", now);
        json_object_set_string(c, "lastTransitionTime", now);
        json_object_set_string(c, "reason", reason);
        json_object_set_string(c, "message", message);
}

static const json *pod_by_uid(const json *const *pods, size_t n, const char *uid) {
        for (size_t i = 0; i < n; i++)
                if (streq_ptr(json_get_str(pods[i], "metadata", "uid", NULL), uid))
                        return pods[i];
        return NULL;
}

/* Keep the UIDs of `list` whose pod still has the finalizer; returns how
 * many were dropped (now counted). */
static int64_t settle_uncounted(json *list, const json *const *pods, size_t n) {
        int64_t counted = 0;
        for (size_t i = json_array_len(list); i-- > 0;) {
                const json *pod = pod_by_uid(pods, n, json_string(json_array_get(list, i)));
                if (!pod || !cm_has_finalizer(pod, JOB_TRACKING_FINALIZER)) {
                        json_array_remove(list, i);
                        counted++;
                }
        }
        return counted;
}

void job_plan_compute(const json *job, const json *const *pods, size_t n, tm_time now,
                      job_plan *ret) {
        const json *spec = json_object_get(job, "spec");
        const json *old = json_object_get(job, "status");
        int64_t parallelism = json_object_get_int(spec, "parallelism", 1);
        const json *jcompl = json_object_get(spec, "completions");
        bool has_completions = json_is_int(jcompl);
        int64_t completions = has_completions ? json_int(jcompl) : 0;
        int64_t backoff = json_object_get_int(spec, "backoffLimit", 6);
        int64_t ads = json_object_get_int(spec, "activeDeadlineSeconds", 0);
        bool suspend = json_object_get_bool(spec, "suspend", false);
        char nowbuf[TIME_RFC3339_MAX];
        const char *nows = time_format_rfc3339(now, nowbuf);

        *ret = (job_plan){ 0 };
        json *st = old ? json_copy(old) : json_new_object();
        ret->status = st;
        ret->unfinalize = xcalloc(n + 1, sizeof *ret->unfinalize);
        ret->del = xcalloc(n + 1, sizeof *ret->del);
        bool finished = job_condition(st, "Complete") || job_condition(st, "Failed");

        json *unc = json_object_ensure_object(st, "uncountedTerminatedPods");
        json *unc_s = json_object_get(unc, "succeeded"), *unc_f = json_object_get(unc, "failed");
        if (!unc_s)
                json_object_set(unc, "succeeded", unc_s = json_new_array());
        if (!unc_f)
                json_object_set(unc, "failed", unc_f = json_new_array());
        int64_t succeeded =
                json_object_get_int(st, "succeeded", 0) + settle_uncounted(unc_s, pods, n);
        int64_t failed = json_object_get_int(st, "failed", 0) + settle_uncounted(unc_f, pods, n);

        const json **active = xcalloc(n + 1, sizeof *active);
        size_t nactive = 0;
        int64_t ready = 0;
        for (size_t i = 0; i < n; i++) {
                const json *pod = pods[i];
                const char *phase = json_get_str(pod, "status", "phase", NULL);
                const char *uid = json_get_str(pod, "metadata", "uid", NULL);
                bool ok = streq_ptr(phase, "Succeeded"), ko = streq_ptr(phase, "Failed");
                if (!ok && !ko && !cm_being_deleted(pod)) {
                        active[nactive++] = pod;
                        if (rs_pod_is_ready(pod))
                                ready++;
                        continue;
                }
                if (!cm_has_finalizer(pod, JOB_TRACKING_FINALIZER))
                        continue;
                /* Pods deleted before they finished are not counted. */
                json *list = ok ? unc_s : ko ? unc_f : NULL;
                if (list && !finished && uid && !cm_strv_json_contains(list, uid))
                        json_array_append(list, json_new_string(uid));
                ret->unfinalize[ret->n_unfinalize++] = pod;
        }
        int64_t total_s = succeeded + (int64_t)json_array_len(unc_s);
        int64_t total_f = failed + (int64_t)json_array_len(unc_f);

        const char *start = json_object_get_string(st, "startTime");
        tm_time start_t = { 0 };
        bool has_start = start && time_parse_rfc3339(start, &start_t, NULL) >= 0;
        if (!finished && !job_condition(st, "SuccessCriteriaMet") &&
            !job_condition(st, "FailureTarget")) {
                if (total_f > backoff)
                        set_condition(st, "FailureTarget", "True", "BackoffLimitExceeded",
                                      "Job has reached the specified backoff limit", nows);
                else if (ads > 0 && has_start && !suspend && now.sec >= start_t.sec + ads)
                        set_condition(st, "FailureTarget", "True", "DeadlineExceeded",
                                      "Job was active longer than specified deadline", nows);
                else if (has_completions ? total_s >= completions : total_s > 0 && nactive == 0)
                        set_condition(st, "SuccessCriteriaMet", "True", "CompletionsReached",
                                      "Reached expected number of succeeded pods", nows);
        }
        const json *target = job_condition(st, "FailureTarget");
        bool success = job_condition(st, "SuccessCriteriaMet") != NULL;
        if (finished) {
                for (size_t i = 0; i < nactive; i++)
                        ret->del[ret->n_del++] = active[i];
        } else if (target || success) {
                for (size_t i = 0; i < nactive; i++)
                        ret->del[ret->n_del++] = active[i];
                /* Final once every pod has stopped and is counted. */
                if (nactive == 0 && json_array_len(unc_s) == 0 && json_array_len(unc_f) == 0) {
                        const json *c = target ? target : job_condition(st, "SuccessCriteriaMet");
                        _cleanup_free_ char *reason =
                                xstrdup(json_object_get_string(c, "reason") ?: "");
                        _cleanup_free_ char *msg =
                                xstrdup(json_object_get_string(c, "message") ?: "");
                        set_condition(st, target ? "Failed" : "Complete", "True", reason, msg,
                                      nows);
                        if (!target)
                                json_object_set_string(st, "completionTime", nows);
                }
        } else if (suspend) {
                for (size_t i = 0; i < nactive; i++)
                        ret->del[ret->n_del++] = active[i];
                set_condition(st, "Suspended", "True", "JobSuspended", "Job suspended", nows);
                json_object_remove(st, "startTime");
        } else {
                if (job_condition(st, "Suspended"))
                        set_condition(st, "Suspended", "False", "JobResumed", "Job resumed", nows);
                if (!has_start) {
                        json_object_set_string(st, "startTime", nows);
                        start_t = now;
                }
                int64_t want = parallelism;
                if (has_completions && completions - total_s < want)
                        want = completions - total_s;
                if (!has_completions && total_s > 0)
                        want = 0;
                if (want < 0)
                        want = 0;
                if ((int64_t)nactive < want)
                        ret->create = want - (int64_t)nactive;
                /* Too many (parallelism lowered): the newest go first. */
                for (size_t i = nactive; (int64_t)i > want; i--)
                        ret->del[ret->n_del++] = active[i - 1];
                if (ads > 0) {
                        int64_t left = start_t.sec + ads - now.sec;
                        ret->requeue_ms = (left > 0 ? left : 1) * 1000;
                }
        }
        json_object_remove(st, "active");
        json_object_remove(st, "succeeded");
        json_object_remove(st, "failed");
        /* Zero counts left out, as upstream's omitempty does; ready is a pointer. */
        if (nactive)
                json_object_set_int(st, "active", (int64_t)nactive);
        if (succeeded)
                json_object_set_int(st, "succeeded", succeeded);
        if (failed)
                json_object_set_int(st, "failed", failed);
        json_object_set_int(st, "ready", ready);
        if (json_array_len(unc_s) == 0)
                json_object_remove(unc, "succeeded");
        if (json_array_len(unc_f) == 0)
                json_object_remove(unc, "failed");
        free(active);
}

void job_plan_done(job_plan *p) {
        json_free(p->status);
        free(p->unfinalize);
        free(p->del);
        *p = (job_plan){ 0 };
}

json *job_pod_from_template(const json *job) {
        json *pod = rs_pod_from_template(job, "batch/v1", "Job");
        json *md = json_object_ensure_object(pod, "metadata");
        json *labels = json_object_ensure_object(md, "labels");
        const char *name = json_get_str(job, "metadata", "name", NULL) ?: "";
        const char *uid = json_get_str(job, "metadata", "uid", NULL) ?: "";
        json_object_set_string(labels, "batch.kubernetes.io/job-name", name);
        json_object_set_string(labels, "job-name", name);
        json_object_set_string(labels, "batch.kubernetes.io/controller-uid", uid);
        json_object_set_string(labels, "controller-uid", uid);
        json *fin = json_object_get(md, "finalizers");
        if (!fin) {
                fin = json_new_array();
                json_object_set(md, "finalizers", fin);
        }
        if (!cm_strv_json_contains(fin, JOB_TRACKING_FINALIZER))
                json_array_append(fin, json_new_string(JOB_TRACKING_FINALIZER));
        return pod;
}
