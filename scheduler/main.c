/* SPDX-License-Identifier: Apache-2.0 */
/* timonier-scheduler: binds pods without a node to the best node.
 *
 * Threads: the informer factory's thread applies pod and node events to the
 * snapshot and the queue; the main thread pops pods and runs the framework
 * (both under one mutex: a cycle is pure computation); binder threads do the
 * API writes (pods/binding, PodScheduled condition, events) so that the next
 * cycle does not wait for them. A pod is assumed on its node as soon as it
 * is chosen, so the next decision counts it; a failed binding takes the
 * assumption back and retries the pod after a back-off. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "httpclient.h"
#include "informer.h"
#include "leaderelection.h"
#include "scheduler/health.h"
#include "kubeconfig.h"
#include "log.h"
#include "scheduler/configfile.h"
#include "scheduler/framework.h"
#include "scheduler/queue.h"
#include "strbuf.h"
#include "strmap.h"
#include "timeutil.h"
#include "util.h"
#include "yaml.h"

#define MAX_CONFIG_SIZE (1 << 20) /* the --config file */

typedef enum job_kind {
        JOB_BIND,
        JOB_FAILED,
} job_kind;

typedef struct job {
        job_kind kind;
        char *key, *namespace, *name, *uid, *node, *message, *component;
        bool patch_status;
        struct job *next;
} job;

typedef struct sched {
        pthread_mutex_t mu;
        pthread_cond_t wake;
        sched_snapshot snap;
        sched_queue *queue;
        strmap *pending; /* key -> sched_pod: ours, without a node */
        strmap *placed;  /* key -> sched_pod: bound or assumed */
        strmap *orphans; /* node name -> orphan_list: placed pods of unknown nodes */
        informer *priority_class_informer; /* its cache is read under mu */
        sched_profile **profiles;
        size_t n_profiles;
        http_client *client;
        /* binder jobs */
        pthread_mutex_t job_mu;
        pthread_cond_t job_cond;
        job *jobs_head, *jobs_tail;
        bool stopping;
        /* counters */
        unsigned long scheduled, unschedulable, errors, bind_failures;
        /* attempts by result (scheduled, unschedulable, error), and their
         * durations in upstream's buckets: 1 ms doubling, 15 of them */
        unsigned long attempts[3];
        unsigned long duration_buckets[3][15];
        double duration_sum[3];
} sched;

static const char *const attempt_results[3] = { "scheduled", "unschedulable", "error" };

static void record_attempt(sched *s, int result, double seconds) {
        s->attempts[result]++;
        s->duration_sum[result] += seconds;
        double le = 0.001;
        for (int b = 0; b < 15; b++, le *= 2)
                if (seconds <= le)
                        s->duration_buckets[result][b]++;
}

/* Prometheus text, in upstream's metric names. */
static char *render_metrics(void *userdata) {
        sched *s = userdata;
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        pthread_mutex_lock(&s->mu);
        strbuf_puts(&b, "# HELP scheduler_schedule_attempts_total Number of attempts to schedule "
                        "pods, by the result.\n"
                        "# TYPE scheduler_schedule_attempts_total counter\n");
        for (int r = 0; r < 3; r++)
                strbuf_printf(&b, "scheduler_schedule_attempts_total{result=\"%s\"} %lu\n",
                              attempt_results[r], s->attempts[r]);
        strbuf_puts(&b, "# HELP scheduler_scheduling_attempt_duration_seconds Scheduling attempt "
                        "latency in seconds (scheduling algorithm + binding hand-off)\n"
                        "# TYPE scheduler_scheduling_attempt_duration_seconds histogram\n");
        for (int r = 0; r < 3; r++) {
                double le = 0.001;
                for (int k = 0; k < 15; k++, le *= 2)
                        strbuf_printf(&b,
                                      "scheduler_scheduling_attempt_duration_seconds_bucket{result="
                                      "\"%s\",le=\"%g\"} %lu\n",
                                      attempt_results[r], le, s->duration_buckets[r][k]);
                strbuf_printf(
                        &b,
                        "scheduler_scheduling_attempt_duration_seconds_bucket{result=\"%s\","
                        "le=\"+Inf\"} %lu\n"
                        "scheduler_scheduling_attempt_duration_seconds_sum{result=\"%s\"} %g\n"
                        "scheduler_scheduling_attempt_duration_seconds_count{result=\"%s\"} "
                        "%lu\n",
                        attempt_results[r], s->attempts[r], attempt_results[r], s->duration_sum[r],
                        attempt_results[r], s->attempts[r]);
        }
        strbuf_printf(&b,
                      "# HELP scheduler_pending_pods Number of pending pods, by the queue type.\n"
                      "# TYPE scheduler_pending_pods gauge\n"
                      "scheduler_pending_pods{queue=\"active\"} %zu\n"
                      "scheduler_pending_pods{queue=\"backoff\"} %zu\n"
                      "scheduler_pending_pods{queue=\"unschedulable\"} %zu\n",
                      sched_queue_active_len(s->queue), sched_queue_backoff_len(s->queue),
                      sched_queue_unschedulable_len(s->queue));
        size_t assumed = 0;
        strmap_iter it = STRMAP_ITER_INIT;
        const char *key;
        void *v;
        while (strmap_next(s->placed, &it, &key, &v))
                assumed += ((sched_pod *)v)->assumed;
        strbuf_printf(&b,
                      "# HELP scheduler_cache_size Number of nodes, pods, and assumed (bound) "
                      "pods in the scheduler cache.\n"
                      "# TYPE scheduler_cache_size gauge\n"
                      "scheduler_cache_size{type=\"nodes\"} %zu\n"
                      "scheduler_cache_size{type=\"pods\"} %zu\n"
                      "scheduler_cache_size{type=\"assumed_pods\"} %zu\n"
                      "# HELP scheduler_binding_failures_total Bindings the API server refused.\n"
                      "# TYPE scheduler_binding_failures_total counter\n"
                      "scheduler_binding_failures_total %lu\n",
                      s->snap.n_nodes, strmap_size(s->placed), assumed, s->bind_failures);
        pthread_mutex_unlock(&s->mu);
        return strbuf_take(&b, NULL);
}

static atomic_bool stop_requested;
/* Leader election: schedule only while leading; a lost lease ends the
 * process (as kube-scheduler does), so that no two schedulers bind at once. */
static atomic_bool leading = true, lease_lost;

static void on_started_leading(leaderelection *le, void *userdata) {
        (void)userdata;
        log_notice("leading as %s", leaderelection_identity(le));
        atomic_store(&leading, true);
}

static void on_stopped_leading(leaderelection *le, void *userdata) {
        (void)le;
        (void)userdata;
        atomic_store(&leading, false);
        if (!atomic_load(&stop_requested)) {
                log_error("lost the lease: stopping");
                atomic_store(&lease_lost, true);
                atomic_store(&stop_requested, true);
        }
}

/* "15s", "500ms", "2m" or plain seconds, into milliseconds; -1 if bad. */
static long parse_duration_ms(const char *s) {
        char *end;
        double v = strtod(s, &end);
        if (end == s || v < 0)
                return -1;
        double ms = streq(end, "ms")           ? v
                    : streq(end, "s") || !*end ? v * 1000
                    : streq(end, "m")          ? v * 60000
                                               : -1;
        return ms < 0 || ms > 86400000 ? -1 : (long)ms;
}

static void on_signal(int sig) {
        (void)sig;
        atomic_store(&stop_requested, true);
}

static int64_t now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void job_free(job *j) {
        free(j->key);
        free(j->namespace);
        free(j->name);
        free(j->uid);
        free(j->node);
        free(j->message);
        free(j->component);
        free(j);
}

static void push_job(sched *s, job *j) {
        pthread_mutex_lock(&s->job_mu);
        if (s->jobs_tail)
                s->jobs_tail->next = j;
        else
                s->jobs_head = j;
        s->jobs_tail = j;
        pthread_cond_signal(&s->job_cond);
        pthread_mutex_unlock(&s->job_mu);
}

static job *new_job(job_kind kind, const sched_pod *p, const char *key) {
        job *j = xcalloc(1, sizeof(*j));
        j->kind = kind;
        j->key = xstrdup(key);
        j->namespace = xstrdup(p->namespace);
        j->name = xstrdup(p->name);
        j->uid = xstrdup(p->uid);
        j->component = xstrdup(p->scheduler_name);
        return j;
}

static sched_profile *find_profile(const sched *s, const char *scheduler_name) {
        for (size_t i = 0; i < s->n_profiles; i++)
                if (streq(s->profiles[i]->scheduler_name, scheduler_name))
                        return s->profiles[i];
        return NULL;
}

static void free_pod_value(void *v) {
        sched_pod_free(v);
}

/* ---- cache updates (factory thread, s->mu held) ---------------------- */

/* Pods bound to a node the cache does not know (listed before their node,
 * or their node deleted), by node name, attached when the node comes. */
typedef struct orphan_list {
        sched_pod **v;
        size_t n;
} orphan_list;

static void orphan_add(sched *s, sched_pod *p, const char *node_name) {
        orphan_list *l = strmap_get(s->orphans, node_name);
        if (!l) {
                l = xcalloc(1, sizeof(*l));
                strmap_put(s->orphans, node_name, l);
        }
        l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
        l->v[l->n++] = p;
        p->orphan = true;
}

static void orphan_remove(sched *s, sched_pod *p) {
        if (!p->orphan)
                return;
        p->orphan = false;
        strmap_iter it = STRMAP_ITER_INIT;
        const char *key;
        void *v;
        while (strmap_next(s->orphans, &it, &key, &v)) {
                orphan_list *l = v;
                for (size_t i = 0; i < l->n; i++)
                        if (l->v[i] == p) {
                                l->v[i] = l->v[--l->n];
                                return;
                        }
        }
}

static void orphan_list_free(void *v) {
        orphan_list *l = v;
        free(l->v);
        free(l);
}

static bool pod_is_terminal(const json *obj) {
        const char *phase = json_get_str(obj, "status", "phase", NULL);
        return phase && (streq(phase, "Succeeded") || streq(phase, "Failed"));
}

static void place_pod(sched *s, const char *key, sched_pod *p) {
        sched_pod *old = strmap_put(s->placed, key, p);
        if (old) {
                orphan_remove(s, old);
                sched_pod_free(old);
        }
        sched_node *n = sched_snapshot_get(&s->snap, p->node_name);
        if (n)
                sched_node_add_pod(n, p);
        else
                orphan_add(s, p, p->node_name);
}

static void forget_pod(sched *s, const char *key) {
        bool found;
        sched_pod *p = strmap_remove(s->pending, key, &found);
        if (found) {
                sched_queue_delete(s->queue, key);
                sched_pod_free(p);
        }
        p = strmap_remove(s->placed, key, &found);
        if (found) {
                orphan_remove(s, p);
                sched_pod_free(p);
                /* room freed: parked pods may fit now */
                sched_queue_move_all(s->queue, now_ns());
        }
}

static void resolve_priority(sched *s, sched_pod *p);

static void pod_changed(sched *s, informer_object *o) {
        const json *obj = o->json;
        if (pod_is_terminal(obj)) {
                forget_pod(s, o->key);
                return;
        }
        _cleanup_error_ tm_error *err = NULL;
        sched_pod *p = NULL;
        if (sched_pod_new(json_copy(obj), &p, &err) < 0) {
                log_warning("ignoring pod %s: %s", o->key, tm_error_msg(err));
                return;
        }
        if (p->node_name) {
                bool found;
                sched_pod *was = strmap_remove(s->pending, o->key, &found);
                if (found) {
                        sched_queue_delete(s->queue, o->key);
                        sched_pod_free(was);
                }
                place_pod(s, o->key, p);
                return;
        }
        resolve_priority(s, p);
        sched_pod *assumed = strmap_get(s->placed, o->key);
        if (assumed || !find_profile(s, p->scheduler_name) ||
            json_get(obj, "metadata", "deletionTimestamp", NULL)) {
                /* a binding in flight, another scheduler's pod, or going away */
                sched_pod_free(p);
                return;
        }
        sched_pod *old = strmap_put(s->pending, o->key, p);
        /* Our own status writes must not retry a parked pod (upstream's
         * isPodUpdated ignores status and metadata bookkeeping too). */
        bool same = old &&
                    json_equal(json_object_get(old->obj, "spec"), json_object_get(obj, "spec")) &&
                    json_equal(json_get(old->obj, "metadata", "labels", NULL),
                               json_get(obj, "metadata", "labels", NULL)) &&
                    json_equal(json_get(old->obj, "metadata", "annotations", NULL),
                               json_get(obj, "metadata", "annotations", NULL));
        sched_pod_free(old);
        if (same)
                return;
        sched_queue_add(s->queue, o->key, p->priority, p->creation_ns, now_ns());
        pthread_cond_signal(&s->wake);
}

/* Without spec.priority (no Priority admission filled it in), the
 * PriorityClass named by spec.priorityClassName, else the globalDefault
 * one, gives the priority and the preemption policy, as that admission
 * would. */
static void resolve_priority(sched *s, sched_pod *p) {
        const json *spec = json_object_get(p->obj, "spec");
        if (json_object_get(spec, "priority"))
                return;
        const char *cls = json_object_get_string(spec, "priorityClassName");
        informer_object *pc = NULL;
        if (cls && s->priority_class_informer)
                pc = informer_get(s->priority_class_informer, cls);
        if (!pc && s->priority_class_informer) {
                informer_object **all = NULL;
                size_t n = 0;
                informer_list(s->priority_class_informer, &all, &n);
                for (size_t i = 0; i < n && !pc; i++)
                        if (json_object_get_bool(all[i]->json, "globalDefault", false))
                                pc = informer_object_ref(all[i]);
                informer_objects_free(all, n);
        }
        if (!pc)
                return;
        p->priority = (int32_t)json_object_get_int(pc->json, "value", 0);
        if (!json_object_get(spec, "preemptionPolicy"))
                p->preemption_never =
                        streq_ptr(json_object_get_string(pc->json, "preemptionPolicy"), "Never");
        informer_object_unref(pc);
}

static void attach_orphans(sched *s, sched_node *n) {
        orphan_list *l = strmap_remove(s->orphans, n->name, NULL);
        if (!l)
                return;
        for (size_t i = 0; i < l->n; i++) {
                l->v[i]->orphan = false;
                sched_node_add_pod(n, l->v[i]);
        }
        orphan_list_free(l);
}

static void on_pod_add(informer *inf, informer_object *o, void *userdata) {
        (void)inf;
        sched *s = userdata;
        pthread_mutex_lock(&s->mu);
        pod_changed(s, o);
        pthread_mutex_unlock(&s->mu);
}

static void on_pod_update(informer *inf, informer_object *old, informer_object *o, void *userdata) {
        (void)old;
        on_pod_add(inf, o, userdata);
}

static void on_pod_delete(informer *inf, informer_object *o, bool unknown, void *userdata) {
        (void)inf;
        (void)unknown;
        sched *s = userdata;
        pthread_mutex_lock(&s->mu);
        forget_pod(s, o->key);
        pthread_cond_signal(&s->wake);
        pthread_mutex_unlock(&s->mu);
}

static void on_node_add(informer *inf, informer_object *o, void *userdata) {
        (void)inf;
        sched *s = userdata;
        _cleanup_error_ tm_error *err = NULL;
        sched_node *n = NULL;
        if (sched_node_new(json_copy(o->json), &n, &err) < 0) {
                log_warning("ignoring node %s: %s", o->key, tm_error_msg(err));
                return;
        }
        pthread_mutex_lock(&s->mu);
        sched_snapshot_set_node(&s->snap, n);
        attach_orphans(s, n);
        sched_queue_move_all(s->queue, now_ns());
        pthread_cond_signal(&s->wake);
        pthread_mutex_unlock(&s->mu);
}

static void on_node_update(informer *inf, informer_object *old, informer_object *o,
                           void *userdata) {
        (void)old;
        on_node_add(inf, o, userdata);
}

static void on_node_delete(informer *inf, informer_object *o, bool unknown, void *userdata) {
        (void)inf;
        (void)unknown;
        sched *s = userdata;
        pthread_mutex_lock(&s->mu);
        sched_node *n = sched_snapshot_get(&s->snap, o->key);
        if (n) {
                for (size_t i = 0; i < n->n_pods; i++)
                        orphan_add(s, n->pods[i], o->key);
                sched_snapshot_remove_node(&s->snap, o->key);
        }
        pthread_mutex_unlock(&s->mu);
}

/* ---- binding (called by the framework, s->mu held) -------------------- */

static int assume_and_bind(const sched_pod *cpod, const char *node_name, void *userdata,
                           tm_error **err) {
        sched *s = userdata;
        _cleanup_free_ char *key = xasprintf("%s/%s", cpod->namespace, cpod->name);
        bool found;
        sched_pod *p = strmap_remove(s->pending, key, &found);
        if (!found || p != cpod)
                return tm_error_set(err, -ESTALE, "pod %s changed during its cycle", key);
        sched_node *n = sched_snapshot_get(&s->snap, node_name);
        p->assumed = true;
        sched_node_add_pod(n, p);
        sched_pod_free(strmap_put(s->placed, key, p));
        job *j = new_job(JOB_BIND, p, key);
        j->node = xstrdup(node_name);
        push_job(s, j);
        return 0;
}

/* ---- binder threads ------------------------------------------------------- */

static int do_bind(sched *s, const job *j, tm_error **err) {
        _cleanup_json_ json *b = json_new_object();
        json_object_set_string(b, "apiVersion", "v1");
        json_object_set_string(b, "kind", "Binding");
        json *md = json_object_ensure_object(b, "metadata");
        json_object_set_string(md, "name", j->name);
        json_object_set_string(md, "namespace", j->namespace);
        json *target = json_object_ensure_object(b, "target");
        json_object_set_string(target, "apiVersion", "v1");
        json_object_set_string(target, "kind", "Node");
        json_object_set_string(target, "name", j->node);
        _cleanup_free_ char *path =
                xasprintf("/api/v1/namespaces/%s/pods/%s/binding", j->namespace, j->name);
        int r = http_post_json(s->client, path, b, NULL, err);
        return r < 0 ? r : 0;
}

static void bind_done(sched *s, const job *j, int r, const tm_error *err) {
        pthread_mutex_lock(&s->mu);
        if (r >= 0) {
                s->scheduled++;
                sched_queue_done(s->queue, j->key);
                pthread_mutex_unlock(&s->mu);
                return;
        }
        s->bind_failures++;
        log_warning("binding %s to %s: %s", j->key, j->node, tm_error_msg(err));
        sched_pod *p = strmap_get(s->placed, j->key);
        if (p && p->assumed) {
                /* take the assumption back */
                strmap_remove(s->placed, j->key, NULL);
                orphan_remove(s, p);
                sched_node_remove_pod(p);
                p->assumed = false;
                if (r == -ENOENT) {
                        sched_pod_free(p);
                        sched_queue_delete(s->queue, j->key);
                } else {
                        sched_pod_free(strmap_put(s->pending, j->key, p));
                        sched_queue_failed(s->queue, j->key, false, now_ns());
                }
        }
        pthread_cond_signal(&s->wake);
        pthread_mutex_unlock(&s->mu);
}

static int record_failure(sched *s, const job *j, tm_error **err) {
        _cleanup_free_ char *now = time_now_rfc3339();
        int r;
        if (j->patch_status) {
                _cleanup_json_ json *patch = json_new_object();
                json *conds = json_new_array();
                json *c = json_new_object();
                json_object_set_string(c, "type", "PodScheduled");
                json_object_set_string(c, "status", "False");
                json_object_set(c, "lastProbeTime", json_new_null());
                json_object_set_string(c, "lastTransitionTime", now);
                json_object_set_string(c, "reason", "Unschedulable");
                json_object_set_string(c, "message", j->message);
                json_array_append(conds, c);
                json_object_set(json_object_ensure_object(patch, "status"), "conditions", conds);
                _cleanup_free_ char *body = json_serialize(patch, 0, NULL);
                _cleanup_free_ char *path =
                        xasprintf("/api/v1/namespaces/%s/pods/%s/status", j->namespace, j->name);
                r = http_patch(s->client, path, "application/strategic-merge-patch+json", body,
                               strlen(body), NULL, err);
                if (r < 0)
                        return tm_error_wrap(err, r, "set PodScheduled condition");
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        _cleanup_json_ json *ev = json_new_object();
        json_object_set_string(ev, "apiVersion", "v1");
        json_object_set_string(ev, "kind", "Event");
        json *md = json_object_ensure_object(ev, "metadata");
        _cleanup_free_ char *name = xasprintf("%s.%llx", j->name,
                                              (unsigned long long)ts.tv_sec * 1000000000ULL +
                                                      (unsigned long long)ts.tv_nsec);
        json_object_set_string(md, "name", name);
        json_object_set_string(md, "namespace", j->namespace);
        json *io = json_object_ensure_object(ev, "involvedObject");
        json_object_set_string(io, "apiVersion", "v1");
        json_object_set_string(io, "kind", "Pod");
        json_object_set_string(io, "namespace", j->namespace);
        json_object_set_string(io, "name", j->name);
        if (*j->uid)
                json_object_set_string(io, "uid", j->uid);
        json_object_set_string(ev, "reason", "FailedScheduling");
        json_object_set_string(ev, "message", j->message);
        json_object_set_string(ev, "type", "Warning");
        json_object_set_string(json_object_ensure_object(ev, "source"), "component", j->component);
        json_object_set_string(ev, "reportingComponent", j->component);
        json_object_set_string(ev, "firstTimestamp", now);
        json_object_set_string(ev, "lastTimestamp", now);
        json_object_set_int(ev, "count", 1);
        _cleanup_free_ char *path = xasprintf("/api/v1/namespaces/%s/events", j->namespace);
        r = http_post_json(s->client, path, ev, NULL, err);
        if (r < 0)
                return tm_error_wrap(err, r, "create event");
        return 0;
}

static void *binder_main(void *arg) {
        sched *s = arg;
        for (;;) {
                pthread_mutex_lock(&s->job_mu);
                while (!s->jobs_head && !s->stopping)
                        pthread_cond_wait(&s->job_cond, &s->job_mu);
                job *j = s->jobs_head;
                if (!j) {
                        pthread_mutex_unlock(&s->job_mu);
                        return NULL;
                }
                s->jobs_head = j->next;
                if (!s->jobs_head)
                        s->jobs_tail = NULL;
                pthread_mutex_unlock(&s->job_mu);
                _cleanup_error_ tm_error *err = NULL;
                if (j->kind == JOB_BIND) {
                        int r = do_bind(s, j, &err);
                        bind_done(s, j, r, err);
                } else if (record_failure(s, j, &err) < 0)
                        log_warning("pod %s: %s", j->key, tm_error_msg(err));
                job_free(j);
        }
}

/* ---- the scheduling loop --------------------------------------------------- */

/* Is the pod's PodScheduled condition already False with this message? */
static bool condition_is(const sched_pod *p, const char *message) {
        const json *conds = json_get(p->obj, "status", "conditions", NULL);
        for (size_t i = 0; i < json_array_len(conds); i++) {
                const json *c = json_array_get(conds, i);
                if (streq_ptr(json_object_get_string(c, "type"), "PodScheduled"))
                        return streq_ptr(json_object_get_string(c, "status"), "False") &&
                               streq_ptr(json_object_get_string(c, "message"), message);
        }
        return false;
}

static void schedule_loop(sched *s) {
        pthread_mutex_lock(&s->mu);
        int64_t last_flush = now_ns();
        while (!atomic_load(&stop_requested)) {
                int64_t now = now_ns();
                if (now - last_flush > 30000000000LL) {
                        sched_queue_flush_unschedulable(s->queue, now);
                        last_flush = now;
                }
                const char *qkey = atomic_load(&leading) ? sched_queue_pop(s->queue, now) : NULL;
                if (!qkey) {
                        int64_t wait = 200000000LL; /* to notice signals */
                        int64_t next = sched_queue_next_backoff(s->queue);
                        if (next >= 0 && next - now < wait)
                                wait = next - now > 0 ? next - now : 0;
                        struct timespec ts;
                        clock_gettime(CLOCK_REALTIME, &ts);
                        int64_t t = ts.tv_nsec + wait;
                        ts.tv_sec += t / 1000000000LL;
                        ts.tv_nsec = t % 1000000000LL;
                        pthread_cond_timedwait(&s->wake, &s->mu, &ts);
                        continue;
                }
                _cleanup_free_ char *key = xstrdup(qkey);
                sched_pod *p = strmap_get(s->pending, key);
                if (!p) {
                        sched_queue_delete(s->queue, key);
                        continue;
                }
                sched_profile *prof = find_profile(s, p->scheduler_name);
                if (!prof) {
                        sched_queue_delete(s->queue, key);
                        continue;
                }
                sched_result res = { 0 };
                int64_t t0 = now_ns();
                sched_schedule_one(prof, &s->snap, p, &res);
                record_attempt(s,
                               res.code == SCHED_SUCCESS ? 0
                               : res.code == SCHED_ERROR ? 2
                                                         : 1,
                               (double)(now_ns() - t0) / 1e9);
                if (res.code == SCHED_SUCCESS) {
                        log_debug("%s: assumed on %s (%zu nodes evaluated, %zu feasible)", key,
                                  res.node_name, res.n_evaluated, res.n_feasible);
                } else {
                        bool unsched = res.code != SCHED_ERROR;
                        if (unsched)
                                s->unschedulable++;
                        else
                                s->errors++;
                        log_info("%s: %s", key, res.message);
                        job *j = new_job(JOB_FAILED, p, key);
                        j->message = xstrdup(res.message);
                        j->patch_status = !condition_is(p, res.message);
                        push_job(s, j);
                        sched_queue_failed(s->queue, key, unsched, now_ns());
                }
                sched_result_done(&res);
                /* let the informer and binder threads in between cycles */
                pthread_mutex_unlock(&s->mu);
                sched_yield();
                pthread_mutex_lock(&s->mu);
        }
        pthread_mutex_unlock(&s->mu);
}

/* ---- options ------------------------------------------------------------- */

static int read_small_file(const char *path, char **ret, size_t *ret_len, tm_error **err) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return tm_error_set_errno(err, -errno, "open %s", path);
        _cleanup_free_ char *buf = xmalloc(MAX_CONFIG_SIZE + 1);
        size_t n = fread(buf, 1, MAX_CONFIG_SIZE + 1, f);
        if (n > MAX_CONFIG_SIZE)
                return tm_error_set(err, -E2BIG, "%s: larger than %d bytes", path, MAX_CONFIG_SIZE);
        buf[n] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_len = n;
        return 0;
}

static void usage(FILE *f) {
        fprintf(f,
                "Usage: timonier-scheduler [OPTIONS]\n"
                "Bind pods without a node to the best feasible node.\n\n"
                "  --kubeconfig FILE                 read the API server URL from FILE\n"
                "  --config FILE                     a KubeSchedulerConfiguration (profiles)\n"
                "  --master URL                      the API server URL (overrides --kubeconfig)\n"
                "  --scheduler-name NAME             pods' spec.schedulerName to serve\n"
                "                                    (default default-scheduler)\n"
                "  --scoring-strategy NAME           LeastAllocated (default) or MostAllocated\n"
                "  --percentage-of-nodes-to-score N  0 (adaptive, default) to 100\n"
                "  --parallelism N                   binder threads (default 16)\n"
                "  --leader-elect                    take a Lease before scheduling\n"
                "  --leader-elect-resource-namespace NS    (default kube-system)\n"
                "  --leader-elect-resource-name NAME       (default kube-scheduler)\n"
                "  --leader-elect-lease-duration D   (default 15s)\n"
                "  --leader-elect-renew-deadline D   (default 10s)\n"
                "  --leader-elect-retry-period D     (default 2s)\n"
                "  --bind-address ADDR               for /healthz and /metrics (default "
                "127.0.0.1)\n"
                "  --port N                          their plain-HTTP port (default 10251; 0: "
                "off)\n"
                "  --log-level LEVEL                 error, warning, notice, info, debug\n"
                "  --version, --help\n");
}

int main(int argc, char **argv) {
        enum {
                OPT_KUBECONFIG = 256,
                OPT_MASTER,
                OPT_CONFIG,
                OPT_NAME,
                OPT_STRATEGY,
                OPT_PCT,
                OPT_PARALLELISM,
                OPT_LOGLEVEL,
                OPT_LE,
                OPT_BIND,
                OPT_PORT,
                OPT_LE_NS,
                OPT_LE_NAME,
                OPT_LE_LEASE,
                OPT_LE_RENEW,
                OPT_LE_RETRY,
                OPT_VERSION,
                OPT_HELP,
        };
        static const struct option opts[] = {
                { "kubeconfig", required_argument, NULL, OPT_KUBECONFIG },
                { "master", required_argument, NULL, OPT_MASTER },
                { "config", required_argument, NULL, OPT_CONFIG },
                { "leader-elect", no_argument, NULL, OPT_LE },
                { "bind-address", required_argument, NULL, OPT_BIND },
                { "port", required_argument, NULL, OPT_PORT },
                { "leader-elect-resource-namespace", required_argument, NULL, OPT_LE_NS },
                { "leader-elect-resource-name", required_argument, NULL, OPT_LE_NAME },
                { "leader-elect-lease-duration", required_argument, NULL, OPT_LE_LEASE },
                { "leader-elect-renew-deadline", required_argument, NULL, OPT_LE_RENEW },
                { "leader-elect-retry-period", required_argument, NULL, OPT_LE_RETRY },
                { "scheduler-name", required_argument, NULL, OPT_NAME },
                { "scoring-strategy", required_argument, NULL, OPT_STRATEGY },
                { "percentage-of-nodes-to-score", required_argument, NULL, OPT_PCT },
                { "parallelism", required_argument, NULL, OPT_PARALLELISM },
                { "log-level", required_argument, NULL, OPT_LOGLEVEL },
                { "version", no_argument, NULL, OPT_VERSION },
                { "help", no_argument, NULL, OPT_HELP },
                {},
        };
        const char *kubeconfig = NULL, *master = NULL, *name = NULL, *config = NULL;
        const char *strategy = NULL;
        long pct = -1, parallelism = 16;
        bool leader_elect = false;
        const char *bind_address = "127.0.0.1";
        long port = 10251;
        leaderelection_config le_cfg = {
                .lease_namespace = "kube-system",
                .lease_name = "kube-scheduler",
                .on_started_leading = on_started_leading,
                .on_stopped_leading = on_stopped_leading,
        };
        log_set_ident("timonier-scheduler");
        for (int c; (c = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
                char *end;
                switch (c) {
                case OPT_KUBECONFIG:
                        kubeconfig = optarg;
                        break;
                case OPT_MASTER:
                        master = optarg;
                        break;
                case OPT_CONFIG:
                        config = optarg;
                        break;
                case OPT_LE:
                        leader_elect = true;
                        break;
                case OPT_BIND:
                        bind_address = optarg;
                        break;
                case OPT_PORT:
                        port = strtol(optarg, &end, 10);
                        if (*end || port < 0 || port > 65535) {
                                log_error("--port: expected 0..65535");
                                return 2;
                        }
                        break;
                case OPT_LE_NS:
                        le_cfg.lease_namespace = optarg;
                        break;
                case OPT_LE_NAME:
                        le_cfg.lease_name = optarg;
                        break;
                case OPT_LE_LEASE:
                case OPT_LE_RENEW:
                case OPT_LE_RETRY: {
                        long ms = parse_duration_ms(optarg);
                        if (ms <= 0) {
                                log_error("%s: expected a duration such as 15s", argv[optind - 1]);
                                return 2;
                        }
                        if (c == OPT_LE_LEASE)
                                le_cfg.lease_duration_ms = ms;
                        else if (c == OPT_LE_RENEW)
                                le_cfg.renew_deadline_ms = ms;
                        else
                                le_cfg.retry_period_ms = ms;
                        break;
                }
                case OPT_NAME:
                        name = optarg;
                        break;
                case OPT_STRATEGY:
                        strategy = optarg;
                        break;
                case OPT_PCT:
                        pct = strtol(optarg, &end, 10);
                        if (*end || pct < 0 || pct > 100) {
                                log_error("--percentage-of-nodes-to-score: expected 0..100");
                                return 2;
                        }
                        break;
                case OPT_PARALLELISM:
                        parallelism = strtol(optarg, &end, 10);
                        if (*end || parallelism < 1 || parallelism > 256) {
                                log_error("--parallelism: expected 1..256");
                                return 2;
                        }
                        break;
                case OPT_LOGLEVEL: {
                        int l = log_level_from_string(optarg);
                        if (l < 0) {
                                log_error("--log-level: unknown level \"%s\"", optarg);
                                return 2;
                        }
                        log_set_level(l);
                        break;
                }
                case OPT_VERSION:
                        printf("timonier-scheduler %s\n", PACKAGE_VERSION);
                        return 0;
                case OPT_HELP:
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (optind < argc) {
                usage(stderr);
                return 2;
        }
        _cleanup_error_ tm_error *err = NULL;
        _cleanup_free_ char *url = NULL;
        if (master)
                url = xstrdup(master);
        else if (kubeconfig) {
                if (kubeconfig_read(kubeconfig, &url, NULL, &err) < 0) {
                        log_error("%s", tm_error_msg(err));
                        return 1;
                }
        } else {
                log_error("--kubeconfig or --master is required");
                return 2;
        }

        sched s = { 0 };
        pthread_mutex_init(&s.mu, NULL);
        pthread_cond_init(&s.wake, NULL);
        pthread_mutex_init(&s.job_mu, NULL);
        pthread_cond_init(&s.job_cond, NULL);
        sched_snapshot_init(&s.snap);
        s.queue = sched_queue_new();
        s.pending = strmap_new();
        s.placed = strmap_new();
        s.orphans = strmap_new();
        if (config && (name || strategy)) {
                log_error("--scheduler-name and --scoring-strategy are set in --config's profiles");
                return 2;
        }
        int r;
        if (config) {
                _cleanup_free_ char *text = NULL;
                size_t len = 0;
                r = read_small_file(config, &text, &len, &err);
                if (r >= 0)
                        r = sched_config_parse(text, len, &s.profiles, &s.n_profiles, &err);
                if (r < 0) {
                        log_error("--config %s: %s", config, tm_error_msg(err));
                        return 2;
                }
        } else {
                _cleanup_free_ char *args_text =
                        xasprintf("[{\"name\":\"NodeResourcesFit\",\"args\":{\"scoringStrategy\":"
                                  "{\"type\":\"%s\"}}}]",
                                  strategy ? strategy : "LeastAllocated");
                _cleanup_json_ json *args = NULL;
                s.profiles = xcalloc(1, sizeof(*s.profiles));
                s.n_profiles = 1;
                r = json_parse(args_text, strlen(args_text), NULL, &args, &err);
                if (r >= 0)
                        r = sched_profile_new_default(name ? name : "default-scheduler", args,
                                                      &s.profiles[0], &err);
                if (r < 0) {
                        log_error("profile: %s", tm_error_msg(err));
                        return 2;
                }
        }
        for (size_t i = 0; i < s.n_profiles; i++) {
                sched_profile *prof = s.profiles[i];
                if (pct >= 0)
                        prof->percentage_of_nodes_to_score = (int)pct;
                prof->bind = assume_and_bind;
                prof->bind_userdata = &s;
                prof->seed = (unsigned)time(NULL) + (unsigned)i;
        }

        http_client_options copts = { .user_agent = "timonier-scheduler" };
        _cleanup_(http_client_freep) http_client *client = NULL;
        _cleanup_(informer_factory_freep) informer_factory *f = NULL;
        informer *pods, *nodes;
        if (http_client_new(url, &copts, &client, &err) < 0 ||
            informer_factory_new(url, &copts, &f, &err) < 0 ||
            informer_factory_add(f, "/api/v1/pods", &(informer_options){ 0 }, &pods, &err) < 0 ||
            informer_factory_add(f, "/api/v1/nodes", &(informer_options){ 0 }, &nodes, &err) < 0 ||
            informer_factory_add(f, "/apis/scheduling.k8s.io/v1/priorityclasses",
                                 &(informer_options){ 0 }, &s.priority_class_informer, &err) < 0 ||
            informer_add_handlers(pods,
                                  &(informer_handlers){ .on_add = on_pod_add,
                                                        .on_update = on_pod_update,
                                                        .on_delete = on_pod_delete,
                                                        .userdata = &s },
                                  &err) < 0 ||
            informer_add_handlers(nodes,
                                  &(informer_handlers){ .on_add = on_node_add,
                                                        .on_update = on_node_update,
                                                        .on_delete = on_node_delete,
                                                        .userdata = &s },
                                  &err) < 0) {
                log_error("%s", tm_error_msg(err));
                return 1;
        }
        s.client = client;

        struct sigaction sa = { .sa_handler = on_signal };
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);

        pthread_t *binders = xcalloc((size_t)parallelism, sizeof(*binders));
        for (long i = 0; i < parallelism; i++)
                pthread_create(&binders[i], NULL, binder_main, &s);
        if (informer_factory_start(f, &err) < 0) {
                log_error("%s", tm_error_msg(err));
                return 1;
        }
        while (!atomic_load(&stop_requested) && informer_factory_wait_for_sync(f, 200) < 0)
                ;
        for (size_t i = 0; i < s.n_profiles; i++)
                log_info("serving %s at %s", s.profiles[i]->scheduler_name, url);
        sched_health *health = NULL;
        if (port > 0 && sched_health_start(bind_address, (uint16_t)port, render_metrics, &s,
                                           &health, &err) < 0) {
                log_error("%s", tm_error_msg(err));
                return 1;
        }
        _cleanup_(leaderelection_freep) leaderelection *le = NULL;
        if (leader_elect) {
                char host[256] = "";
                gethostname(host, sizeof(host) - 1);
                _cleanup_free_ char *identity =
                        xasprintf("%s_%d_%lx", host, (int)getpid(), (unsigned long)now_ns());
                le_cfg.identity = identity;
                atomic_store(&leading, false);
                if (leaderelection_new(client, &le_cfg, &le, &err) < 0 ||
                    leaderelection_start(le, &err) < 0) {
                        log_error("leader election: %s", tm_error_msg(err));
                        return 1;
                }
                log_info("waiting for the lease %s/%s as %s", le_cfg.lease_namespace,
                         le_cfg.lease_name, identity);
        }
        schedule_loop(&s);
        if (le)
                leaderelection_stop(le); /* releases the lease */

        sched_health_stop(health);
        informer_factory_stop(f);
        pthread_mutex_lock(&s.job_mu);
        s.stopping = true;
        pthread_cond_broadcast(&s.job_cond);
        pthread_mutex_unlock(&s.job_mu);
        for (long i = 0; i < parallelism; i++)
                pthread_join(binders[i], NULL);
        free(binders);
        log_info("stopping: %lu pods bound, %lu unschedulable attempts, %lu errors, %lu "
                 "binding failures",
                 s.scheduled, s.unschedulable, s.errors, s.bind_failures);
        strmap_free_full(s.pending, free_pod_value);
        strmap_free_full(s.orphans, orphan_list_free);
        strmap_free_full(s.placed, free_pod_value);
        sched_snapshot_done(&s.snap);
        sched_queue_free(s.queue);
        sched_profiles_free(s.profiles, s.n_profiles);
        return atomic_load(&lease_lost) ? 1 : 0;
}
