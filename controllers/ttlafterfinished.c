/* SPDX-License-Identifier: Apache-2.0 */
/* The TTL-after-finished controller: deletes (in the background) the Jobs
 * with spec.ttlSecondsAfterFinished once that long has passed since they
 * finished (their Complete or Failed condition). */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "controllers/controller.h"
#include "log.h"
#include "timeutil.h"
#include "util.h"

typedef struct ttl_state {
        cm_ctx *ctx;
        informer *jobs;
        cm_workers workers;
} ttl_state;

/* When the Job finished: the lastTransitionTime of its true Complete or
 * Failed condition (upstream's FinishTime), else status.completionTime.
 * -EAGAIN when it has not finished. */
static int job_finish_time(const json *job, tm_time *ret) {
        const json *conds = json_get(job, "status", "conditions", NULL);
        const char *at = NULL;
        bool finished = false;
        for (size_t i = 0; i < json_array_len(conds); i++) {
                const json *c = json_array_get(conds, i);
                const char *type = json_object_get_string(c, "type");
                if ((streq_ptr(type, "Complete") || streq_ptr(type, "Failed")) &&
                    streq_ptr(json_object_get_string(c, "status"), "True")) {
                        finished = true;
                        at = json_object_get_string(c, "lastTransitionTime");
                        break;
                }
        }
        if (!finished)
                return -EAGAIN;
        if (!at)
                at = json_get_str(job, "status", "completionTime", NULL);
        if (!at || time_parse_rfc3339(at, ret, NULL) < 0)
                return -EINVAL;
        return 0;
}

/* Milliseconds until the Job expires (<= 0: expired); -EAGAIN when it has no
 * TTL or has not finished. */
static int job_time_left(const json *job, int64_t *ret_ms) {
        const json *ttl = json_get(job, "spec", "ttlSecondsAfterFinished", NULL);
        if (!json_is_int(ttl) || cm_being_deleted(job))
                return -EAGAIN;
        tm_time fin;
        int r = job_finish_time(job, &fin);
        if (r < 0)
                return r;
        tm_time now = time_now();
        int64_t ms = (fin.sec + json_int(ttl) - now.sec) * 1000 + (fin.nsec - now.nsec) / 1000000;
        *ret_ms = ms;
        return 0;
}

static void job_changed(ttl_state *s, const informer_object *o) {
        int64_t ms;
        if (job_time_left(o->json, &ms) >= 0)
                workqueue_add(s->workers.queue, o->key);
}

static void job_add(informer *inf _unused_, informer_object *o, void *userdata) {
        job_changed(userdata, o);
}

static void job_update(informer *inf _unused_, informer_object *old _unused_, informer_object *o,
                       void *userdata) {
        job_changed(userdata, o);
}

static int ttl_sync(void *state, const char *key) {
        ttl_state *s = state;
        _cleanup_(informer_object_unrefp) informer_object *o = informer_get(s->jobs, key);
        if (!o)
                return 0;
        int64_t ms;
        if (job_time_left(o->json, &ms) < 0)
                return 0;
        if (ms > 0)
                return ms > INT32_MAX ? INT32_MAX : (int)ms;
        const char *ns = json_get_str(o->json, "metadata", "namespace", NULL);
        const char *name = json_get_str(o->json, "metadata", "name", NULL);
        _cleanup_free_ char *path =
                xasprintf("/apis/batch/v1/namespaces/%s/jobs/%s", ns ?: "", name ?: "");
        /* The cache may be stale: decide on the live object, as upstream. */
        _cleanup_json_ json *live = NULL;
        int r = http_get_json(s->ctx->client, path, &live, NULL);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        if (job_time_left(live, &ms) < 0)
                return 0;
        if (ms > 0)
                return ms > INT32_MAX ? INT32_MAX : (int)ms;
        _cleanup_error_ tm_error *err = NULL;
        r = cm_delete(s->ctx->client, path, "Background",
                      json_get_str(live, "metadata", "uid", NULL), &err);
        if (r < 0 && r != -ENOENT)
                return log_warning_errno(r, "ttl-after-finished: delete %s: %s", key,
                                         tm_error_msg(err));
        if (r >= 0)
                log_info("ttl-after-finished: deleted job %s", key);
        return 0;
}

static int ttl_setup(cm_ctx *ctx, void **ret_state, tm_error **err) {
        ttl_state *s = xcalloc(1, sizeof *s);
        s->ctx = ctx;
        cm_workers_init(&s->workers, "ttl-after-finished", ttl_sync, s);
        int r = cm_informer(ctx, "/apis/batch/v1/jobs", &s->jobs, err);
        if (r >= 0)
                r = informer_add_handlers(s->jobs,
                                          &(informer_handlers){ .on_add = job_add,
                                                                .on_update = job_update,
                                                                .userdata = s },
                                          err);
        if (r < 0) {
                cm_workers_done(&s->workers);
                free(s);
                return tm_error_wrap(err, r, "ttl-after-finished");
        }
        *ret_state = s;
        return 0;
}

static int ttl_start(void *state, tm_error **err) {
        ttl_state *s = state;
        return cm_workers_start(&s->workers, 2, err);
}

static void ttl_stop(void *state) {
        ttl_state *s = state;
        if (!s)
                return;
        cm_workers_done(&s->workers);
        free(s);
}

const controller controller_ttl_after_finished = {
        .name = "ttl-after-finished",
        .setup = ttl_setup,
        .start = ttl_start,
        .stop = ttl_stop,
};
