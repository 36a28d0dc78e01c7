/* SPDX-License-Identifier: Apache-2.0 */
/* Job decisions, kept apart from the API plumbing so they can be unit
 * tested: from a Job and the pods it controls, the new status and what to
 * do (doc/controllers.md). */
#ifndef TIMONIER_CONTROLLERS_JOB_H
#define TIMONIER_CONTROLLERS_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "timeutil.h"

#define JOB_TRACKING_FINALIZER "batch.kubernetes.io/job-tracking"

typedef struct job_plan {
        json *status;            /* the new status */
        int64_t create;          /* pods to create */
        const json **unfinalize; /* finished pods whose finalizer goes, once status is written */
        size_t n_unfinalize;
        const json **del; /* active pods to delete */
        size_t n_del;
        int64_t requeue_ms; /* > 0: look again then (activeDeadlineSeconds) */
} job_plan;

/* `pods` are the pods whose controller ownerReference is the Job. */
void job_plan_compute(const json *job, const json *const *pods, size_t n, tm_time now,
                      job_plan *ret);
void job_plan_done(job_plan *p);
/* A pod for the Job: template, labels, controller reference, finalizer. */
json *job_pod_from_template(const json *job);
/* The condition of `type` whose status is True, or NULL. */
const json *job_condition(const json *status, const char *type);

#endif
