/* SPDX-License-Identifier: Apache-2.0 */
/* Leader election on a Lease (lib/leaderelection.h). */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "leaderelection.h"
#include "timeutil.h"
#include "util.h"

#define JITTER_FACTOR 1.2

struct leaderelection {
        http_client *client;
        leaderelection_config cfg; /* strings owned */
        char *path;                /* the Lease */
        char *collection;          /* where to create it */

        pthread_t thread;
        bool running;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        bool stopping;         /* guarded by lock */
        char *observed_holder; /* guarded by lock */
        atomic_bool leading;

        /* elector thread only */
        json *observed_spec;
        int64_t observed_ms;
        int64_t last_renew_ms;
        unsigned seed;
};

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int leaderelection_new(http_client *client, const leaderelection_config *cfg, leaderelection **ret,
                       tm_error **err) {
        if (!client || !cfg)
                return tm_error_set(err, -EINVAL, "leader election: no client or configuration");
        if (!cfg->lease_namespace || !*cfg->lease_namespace || !cfg->lease_name ||
            !*cfg->lease_name)
                return tm_error_set(err, -EINVAL,
                                    "leader election: the Lease needs a namespace "
                                    "and a name");
        if (strpbrk(cfg->lease_namespace, "/?#%& ") || strpbrk(cfg->lease_name, "/?#%& "))
                return tm_error_set(err, -EINVAL, "leader election: invalid Lease name %s/%s",
                                    cfg->lease_namespace, cfg->lease_name);
        if (!cfg->identity || !*cfg->identity)
                return tm_error_set(err, -EINVAL, "leader election: identity must not be empty");
        leaderelection_config c = *cfg;
        if (c.lease_duration_ms == 0)
                c.lease_duration_ms = LEADERELECTION_DEFAULT_LEASE_DURATION_MS;
        if (c.renew_deadline_ms == 0)
                c.renew_deadline_ms = LEADERELECTION_DEFAULT_RENEW_DEADLINE_MS;
        if (c.retry_period_ms == 0)
                c.retry_period_ms = LEADERELECTION_DEFAULT_RETRY_PERIOD_MS;
        if (c.lease_duration_ms <= c.renew_deadline_ms)
                return tm_error_set(err, -EINVAL,
                                    "leader election: leaseDuration must be greater than "
                                    "renewDeadline");
        if (c.retry_period_ms <= 0 ||
            (double)c.renew_deadline_ms <= JITTER_FACTOR * (double)c.retry_period_ms)
                return tm_error_set(err, -EINVAL,
                                    "leader election: renewDeadline must be greater than "
                                    "retryPeriod*JitterFactor");
        if (c.lease_duration_ms < 1000)
                return tm_error_set(err, -EINVAL,
                                    "leader election: leaseDuration must be at least 1s");
        leaderelection *le = xcalloc(1, sizeof *le);
        le->client = client;
        c.lease_namespace = xstrdup(cfg->lease_namespace);
        c.lease_name = xstrdup(cfg->lease_name);
        c.identity = xstrdup(cfg->identity);
        le->cfg = c;
        le->collection =
                xasprintf("/apis/coordination.k8s.io/v1/namespaces/%s/leases", c.lease_namespace);
        le->path = xasprintf("%s/%s", le->collection, c.lease_name);
        le->observed_holder = xstrdup("");
        le->seed = (unsigned)now_ms() ^ (unsigned)(uintptr_t)le;
        pthread_mutex_init(&le->lock, NULL);
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&le->cond, &ca);
        pthread_condattr_destroy(&ca);
        atomic_init(&le->leading, false);
        *ret = le;
        return 0;
}

void leaderelection_free(leaderelection *le) {
        if (!le)
                return;
        leaderelection_stop(le);
        json_free(le->observed_spec);
        free(le->observed_holder);
        free(le->path);
        free(le->collection);
        free((char *)le->cfg.lease_namespace);
        free((char *)le->cfg.lease_name);
        free((char *)le->cfg.identity);
        pthread_mutex_destroy(&le->lock);
        pthread_cond_destroy(&le->cond);
        free(le);
}

const char *leaderelection_identity(const leaderelection *le) {
        return le->cfg.identity;
}

char *leaderelection_leader(leaderelection *le) {
        pthread_mutex_lock(&le->lock);
        char *s = xstrdup(le->observed_holder);
        pthread_mutex_unlock(&le->lock);
        return s;
}

bool leaderelection_is_leader(leaderelection *le) {
        if (!atomic_load(&le->leading))
                return false;
        pthread_mutex_lock(&le->lock);
        bool me = streq(le->observed_holder, le->cfg.identity);
        pthread_mutex_unlock(&le->lock);
        return me;
}

/* Remember the record as seen now; tell on_new_leader about a new holder. */
static void observe(leaderelection *le, const json *spec) {
        if (le->observed_spec && json_equal(le->observed_spec, spec))
                return;
        json_free(le->observed_spec);
        le->observed_spec = json_copy(spec);
        le->observed_ms = now_ms();
        const char *holder = json_object_get_string(spec, "holderIdentity");
        if (!holder)
                holder = "";
        pthread_mutex_lock(&le->lock);
        bool changed = !streq(le->observed_holder, holder);
        if (changed) {
                free(le->observed_holder);
                le->observed_holder = xstrdup(holder);
        }
        pthread_mutex_unlock(&le->lock);
        if (changed && le->cfg.on_new_leader)
                le->cfg.on_new_leader(le, holder, le->cfg.userdata);
}

static json *lease_spec(const char *holder, long duration_s, const char *acquire, const char *renew,
                        int64_t transitions) {
        json *spec = json_new_object();
        json_object_set_string(spec, "holderIdentity", holder);
        json_object_set_int(spec, "leaseDurationSeconds", duration_s);
        json_object_set_string(spec, "acquireTime", acquire);
        json_object_set_string(spec, "renewTime", renew);
        json_object_set_int(spec, "leaseTransitions", transitions);
        return spec;
}

/* One round: 0 when we hold the Lease afterwards, < 0 otherwise. */
static int try_acquire_or_renew(leaderelection *le) {
        _cleanup_free_ char *now = time_now_rfc3339_micro();
        long duration_s = (le->cfg.lease_duration_ms + 999) / 1000;
        _cleanup_json_ json *lease = NULL;
        int r = http_get_json(le->client, le->path, &lease, NULL);
        if (r == -ENOENT) {
                _cleanup_json_ json *obj = json_new_object();
                json_object_set_string(obj, "apiVersion", "coordination.k8s.io/v1");
                json_object_set_string(obj, "kind", "Lease");
                json *md = json_object_ensure_object(obj, "metadata");
                json_object_set_string(md, "name", le->cfg.lease_name);
                json_object_set_string(md, "namespace", le->cfg.lease_namespace);
                json_object_set(obj, "spec", lease_spec(le->cfg.identity, duration_s, now, now, 0));
                _cleanup_json_ json *created = NULL;
                r = http_post_json(le->client, le->collection, obj, &created, NULL);
                if (r < 0)
                        return r; /* -EEXIST: another candidate was faster */
                observe(le, json_object_get(created, "spec"));
                return 0;
        }
        if (r < 0)
                return r;
        json *spec = json_object_get(lease, "spec");
        if (!json_is_object(spec)) {
                spec = json_new_object();
                json_object_set(lease, "spec", spec);
        }
        observe(le, spec);
        const char *holder = json_object_get_string(spec, "holderIdentity");
        if (!holder)
                holder = "";
        bool mine = streq(holder, le->cfg.identity);
        int64_t held_s = json_object_get_int(spec, "leaseDurationSeconds", 0);
        if (*holder && !mine && le->observed_ms + held_s * 1000 > now_ms())
                return -EBUSY; /* held by another, not expired */

        int64_t transitions = json_object_get_int(spec, "leaseTransitions", 0);
        const char *acquire = json_object_get_string(spec, "acquireTime");
        json *nspec;
        if (mine && acquire)
                nspec = lease_spec(le->cfg.identity, duration_s, acquire, now, transitions);
        else
                nspec = lease_spec(le->cfg.identity, duration_s, now, now, transitions + 1);
        json_object_set(lease, "spec", nspec); /* metadata.resourceVersion guards the PUT */
        _cleanup_json_ json *updated = NULL;
        r = http_put_json(le->client, le->path, lease, &updated, NULL);
        if (r < 0)
                return r; /* -ESTALE: 409 Conflict, someone wrote in between */
        observe(le, json_object_get(updated, "spec"));
        return 0;
}

static void release(leaderelection *le) {
        _cleanup_json_ json *lease = NULL;
        if (http_get_json(le->client, le->path, &lease, NULL) < 0)
                return;
        json *spec = json_object_get(lease, "spec");
        if (!streq_ptr(json_object_get_string(spec, "holderIdentity"), le->cfg.identity))
                return;
        _cleanup_free_ char *now = time_now_rfc3339_micro();
        json_object_set(
                lease, "spec",
                lease_spec("", 1, now, now, json_object_get_int(spec, "leaseTransitions", 0)));
        _cleanup_json_ json *updated = NULL;
        if (http_put_json(le->client, le->path, lease, &updated, NULL) >= 0)
                observe(le, json_object_get(updated, "spec"));
}

/* Sleep unless stopped; false once stopping. */
static bool sleep_ms(leaderelection *le, long ms) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += ms / 1000;
        ts.tv_nsec += (ms % 1000) * 1000000;
        if (ts.tv_nsec >= 1000000000) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000;
        }
        pthread_mutex_lock(&le->lock);
        while (!le->stopping)
                if (pthread_cond_timedwait(&le->cond, &le->lock, &ts) == ETIMEDOUT)
                        break;
        bool go_on = !le->stopping;
        pthread_mutex_unlock(&le->lock);
        return go_on;
}

static void stop_leading(leaderelection *le) {
        atomic_store(&le->leading, false);
        if (le->cfg.on_stopped_leading)
                le->cfg.on_stopped_leading(le, le->cfg.userdata);
}

static void *elector_thread(void *arg) {
        leaderelection *le = arg;
        long retry = le->cfg.retry_period_ms;
        for (;;) {
                int r = try_acquire_or_renew(le);
                int64_t now = now_ms();
                long wait = retry;
                if (atomic_load(&le->leading)) {
                        if (r >= 0)
                                le->last_renew_ms = now;
                        else if (now - le->last_renew_ms >= le->cfg.renew_deadline_ms)
                                stop_leading(le); /* and try again as a candidate */
                } else if (r >= 0) {
                        le->last_renew_ms = now;
                        atomic_store(&le->leading, true);
                        if (le->cfg.on_started_leading)
                                le->cfg.on_started_leading(le, le->cfg.userdata);
                } else
                        wait = retry + (long)((double)retry * JITTER_FACTOR *
                                              ((double)rand_r(&le->seed) / RAND_MAX));
                if (!sleep_ms(le, wait))
                        break;
        }
        if (atomic_load(&le->leading)) {
                if (!le->cfg.no_release_on_stop)
                        release(le);
                stop_leading(le);
        }
        return NULL;
}

int leaderelection_start(leaderelection *le, tm_error **err) {
        if (le->running)
                return tm_error_set(err, -EALREADY, "leader election already started");
        pthread_mutex_lock(&le->lock);
        le->stopping = false;
        pthread_mutex_unlock(&le->lock);
        int r = pthread_create(&le->thread, NULL, elector_thread, le);
        if (r != 0)
                return tm_error_set_errno(err, -r, "start the leader election thread");
        le->running = true;
        return 0;
}

void leaderelection_stop(leaderelection *le) {
        if (!le->running)
                return;
        pthread_mutex_lock(&le->lock);
        le->stopping = true;
        pthread_cond_broadcast(&le->cond);
        pthread_mutex_unlock(&le->lock);
        pthread_join(le->thread, NULL);
        le->running = false;
}
