/* SPDX-License-Identifier: Apache-2.0 */
/* The Job controller's decisions (job_logic.c) on hand-made objects. */
#include "config.h"

#include <string.h>

#include "controllers/job.h"
#include "tests/tap.h"
#include "util.h"

static json *parse(const char *s) {
        json *v = NULL;
        if (json_parse(s, strlen(s), NULL, &v, NULL) < 0)
                abort();
        return v;
}

/* A pod of the Job: uid, phase, with the tracking finalizer or not. */
static json *pod(const char *uid, const char *phase, bool fin) {
        _cleanup_free_ char *s = xasprintf(
                "{\"metadata\":{\"name\":\"p-%s\",\"namespace\":\"default\",\"uid\":\"%s\"%s},"
                "\"status\":{\"phase\":\"%s\"}}",
                uid, uid, fin ? ",\"finalizers\":[\"" JOB_TRACKING_FINALIZER "\"]" : "", phase);
        return parse(s);
}

static json *job(const char *spec, const char *status) {
        _cleanup_free_ char *s =
                xasprintf("{\"metadata\":{\"name\":\"j\",\"namespace\":\"default\",\"uid\":\"J\"},"
                          "\"spec\":%s,\"status\":%s}",
                          spec, status);
        return parse(s);
}

static int64_t st_int(const job_plan *p, const char *k) {
        return json_object_get_int(p->status, k, 0);
}

static size_t uncounted(const job_plan *p, const char *which) {
        return json_array_len(json_get(p->status, "uncountedTerminatedPods", which, NULL));
}

static const char *reason(const job_plan *p, const char *type) {
        return json_object_get_string(job_condition(p->status, type), "reason");
}

int main(void) {
        tm_time now = { .sec = 1767225600 }; /* 2026-01-01T00:00:00Z */
        const char *spec52 = "{\"completions\":5,\"parallelism\":2}";
        job_plan p;

        /* A new Job starts `parallelism` pods. */
        _cleanup_json_ json *j1 = job(spec52, "{}");
        job_plan_compute(j1, NULL, 0, now, &p);
        is_int(p.create, 2, "a new Job creates parallelism pods");
        is_str(json_object_get_string(p.status, "startTime"), "2026-01-01T00:00:00Z",
               "startTime is set");
        is_int(st_int(&p, "ready"), 0, "status.ready is 0");
        ok(!json_object_get(p.status, "active"), "active 0 is left out");
        job_plan_done(&p);

        /* Two running, one finished with the finalizer: counted via uncounted. */
        json *a = pod("a", "Running", true), *b = pod("b", "Pending", true),
             *c = pod("c", "Succeeded", true);
        const json *v1[] = { a, b, c };
        job_plan_compute(j1, v1, 3, now, &p);
        is_int(p.create, 0, "2 active: nothing to create");
        is_int(st_int(&p, "active"), 2, "status.active 2");
        is_int(uncounted(&p, "succeeded"), 1, "the succeeded pod goes to uncountedTerminatedPods");
        is_int(st_int(&p, "succeeded"), 0, "and is not counted yet");
        is_int(p.n_unfinalize, 1, "its finalizer is to be removed");
        ok(p.n_unfinalize == 1 && p.unfinalize[0] == c, "the right pod's");
        job_plan_done(&p);

        /* Informer lag: the UID is already uncounted, the pod still has its finalizer. */
        _cleanup_json_ json *j2 =
                job(spec52, "{\"uncountedTerminatedPods\":{\"succeeded\":[\"c\"]}}");
        job_plan_compute(j2, v1, 3, now, &p);
        is_int(uncounted(&p, "succeeded"), 1, "a UID is never added twice");
        is_int(st_int(&p, "succeeded"), 0, "nor counted while its pod keeps the finalizer");
        job_plan_done(&p);

        /* Finalizer gone: counted once, and the uncounted list empties. */
        json *c2 = pod("c", "Succeeded", false);
        const json *v2[] = { a, b, c2 };
        job_plan_compute(j2, v2, 3, now, &p);
        is_int(st_int(&p, "succeeded"), 1, "counted once its finalizer is gone");
        is_int(uncounted(&p, "succeeded"), 0, "and no longer uncounted");
        is_int(p.n_unfinalize, 0, "no finalizer left to remove");
        is_int(p.create, 0, "completions 5 - 1 done, 2 running: nothing to create");
        job_plan_done(&p);
        _cleanup_json_ json *j3 = job(spec52, "{\"succeeded\":1}");
        job_plan_compute(j3, v2, 3, now, &p);
        is_int(st_int(&p, "succeeded"), 1, "a pod without finalizer is not counted again");
        job_plan_done(&p);

        /* Parallelism capped by what is left to do. */
        _cleanup_json_ json *j4 = job(spec52, "{\"succeeded\":4}");
        job_plan_compute(j4, NULL, 0, now, &p);
        is_int(p.create, 1, "one completion left: one pod");
        job_plan_done(&p);

        /* Success: SuccessCriteriaMet first, Complete once everything stopped. */
        _cleanup_json_ json *j5 = job(spec52, "{\"succeeded\":5}");
        const json *v3[] = { a };
        job_plan_compute(j5, v3, 1, now, &p);
        is_str(reason(&p, "SuccessCriteriaMet"), "CompletionsReached", "SuccessCriteriaMet");
        ok(!job_condition(p.status, "Complete"), "not Complete while a pod runs");
        is_int(p.n_del, 1, "the remaining pod is deleted");
        _cleanup_json_ json *j6 = job(spec52, "{}");
        json_object_set(j6, "status", json_copy(p.status));
        job_plan_done(&p);
        job_plan_compute(j6, NULL, 0, now, &p);
        is_str(reason(&p, "Complete"), "CompletionsReached", "then Complete");
        is_str(json_object_get_string(p.status, "completionTime"), "2026-01-01T00:00:00Z",
               "completionTime is set");
        is_int(p.create, 0, "a complete Job creates nothing");
        job_plan_done(&p);

        /* Failures past backoffLimit. */
        _cleanup_json_ json *j7 = job("{\"completions\":1,\"backoffLimit\":1}", "{\"failed\":1}");
        json *f = pod("f", "Failed", true);
        const json *v4[] = { f, a };
        job_plan_compute(j7, v4, 2, now, &p);
        is_str(reason(&p, "FailureTarget"), "BackoffLimitExceeded",
               "2 failures > backoffLimit 1: FailureTarget");
        is_int(p.n_del, 1, "the active pod is deleted");
        is_int(p.create, 0, "no new pod");
        ok(!job_condition(p.status, "Failed"), "not Failed until the pods are counted");
        job_plan_done(&p);
        _cleanup_json_ json *j8 = job("{\"completions\":1,\"backoffLimit\":1}",
                                      "{\"failed\":2,\"conditions\":[{\"type\":\"FailureTarget\","
                                      "\"status\":\"True\",\"reason\":\"BackoffLimitExceeded\","
                                      "\"message\":\"m\"}]}");
        job_plan_compute(j8, NULL, 0, now, &p);
        is_str(reason(&p, "Failed"), "BackoffLimitExceeded", "then Failed BackoffLimitExceeded");
        ok(!json_object_get(p.status, "completionTime"), "a failed Job has no completionTime");
        job_plan_done(&p);
        _cleanup_json_ json *j9 = job("{\"completions\":1}", "{\"failed\":6}");
        job_plan_compute(j9, NULL, 0, now, &p);
        ok(!job_condition(p.status, "FailureTarget"), "backoffLimit defaults to 6");
        is_int(p.create, 1, "and the Job goes on");
        job_plan_done(&p);

        /* activeDeadlineSeconds. */
        _cleanup_json_ json *j10 =
                job("{\"activeDeadlineSeconds\":10}", "{\"startTime\":\"2025-12-31T23:59:55Z\"}");
        job_plan_compute(j10, v3, 1, now, &p);
        ok(!job_condition(p.status, "FailureTarget"), "5 s of 10: still running");
        is_int(p.requeue_ms, 5000, "looked at again when the deadline passes");
        job_plan_done(&p);
        job_plan_compute(j10, v3, 1, (tm_time){ .sec = now.sec + 5 }, &p);
        is_str(reason(&p, "FailureTarget"), "DeadlineExceeded",
               "deadline passed: DeadlineExceeded");
        is_int(p.n_del, 1, "its pod is deleted");
        job_plan_done(&p);

        /* suspend. */
        _cleanup_json_ json *j11 = job("{\"suspend\":true,\"parallelism\":2}",
                                       "{\"startTime\":\"2025-12-31T23:59:55Z\"}");
        job_plan_compute(j11, v3, 1, now, &p);
        is_int(p.n_del, 1, "a suspended Job's pods are deleted");
        is_int(p.create, 0, "and none created");
        is_str(reason(&p, "Suspended"), "JobSuspended", "Suspended condition");
        ok(!json_object_get(p.status, "startTime"), "startTime is cleared");
        job_plan_done(&p);

        /* No completions: done once one pod succeeded and none runs. */
        _cleanup_json_ json *j12 = job("{\"parallelism\":2}", "{\"succeeded\":1}");
        job_plan_compute(j12, v3, 1, now, &p);
        is_int(p.create, 0, "work queue: no new pod after a success");
        ok(!job_condition(p.status, "SuccessCriteriaMet"), "not met while a pod runs");
        job_plan_done(&p);
        job_plan_compute(j12, NULL, 0, now, &p);
        ok(job_condition(p.status, "SuccessCriteriaMet") != NULL, "met once none runs");
        job_plan_done(&p);

        /* The pod template. */
        _cleanup_json_ json *j13 =
                parse("{\"metadata\":{\"name\":\"j\",\"namespace\":\"default\",\"uid\":\"J\"},"
                      "\"spec\":{\"template\":{\"metadata\":{\"labels\":{\"x\":\"y\"}},"
                      "\"spec\":{\"restartPolicy\":\"Never\"}}}}");
        _cleanup_json_ json *tp = job_pod_from_template(j13);
        const json *fins = json_get(tp, "metadata", "finalizers", NULL);
        is_str(json_string(json_array_get(fins, 0)), JOB_TRACKING_FINALIZER,
               "pods carry the tracking finalizer");
        is_str(json_get_str(tp, "metadata", "labels", "batch.kubernetes.io/job-name", NULL), "j",
               "the job-name label");
        is_str(json_get_str(tp, "metadata", "labels", "x", NULL), "y", "the template's labels");
        is_str(json_get_str(tp, "metadata", "generateName", NULL), "j-", "generateName j-");
        const json *ref = json_array_get(json_get(tp, "metadata", "ownerReferences", NULL), 0);
        is_str(json_object_get_string(ref, "kind"), "Job", "a Job ownerReference");
        ok(json_object_get_bool(ref, "controller", false), "with controller: true");

        json_free(a);
        json_free(b);
        json_free(c);
        json_free(c2);
        json_free(f);
        return tap_done();
}
