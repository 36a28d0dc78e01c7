/* SPDX-License-Identifier: Apache-2.0 */
/* bench_scheduler: timonier-scheduler at scale, in the manner of upstream's
 * scheduler_perf, beside a floor measured in the same run.
 *
 *   N nodes (default 5,000) are created as API objects; then M pods
 *   (default 10,000, each requesting 100m / 128Mi) are created by 8 client
 *   threads, and the time from each pod's creation to its binding (seen on a
 *   watch) is recorded:
 *     floor:     a loop binds each new pod to the next node through
 *                pods/binding (8 binder threads), no filtering or scoring;
 *     scheduler: timonier-scheduler does it.
 *   Printed: pods/s, latency p50/p99, the CPU seconds of each process, and
 *   the anchor: kube-scheduler ~300 pods/s (430 peak) at 5,000 nodes.
 *
 * Usage: bench_scheduler [--nodes N] [--pods M]   (top_builddir in the
 * environment, or run from the build directory) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "httpclient.h"
#include "tests/integration/server_helper.h"

#define THREADS 8

static long n_nodes = 5000, n_pods = 10000;
static char url[256];

static double now_s(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

static double cpu_seconds(pid_t pid) {
        char path[64], buf[2048];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return 0;
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = '\0';
        char *p = strrchr(buf, ')');
        unsigned long ut = 0, st = 0;
        if (!p ||
            sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
                return 0;
        return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static http_client *new_client(void) {
        http_client_options o = { .timeout_ms = 30000 };
        http_client *c = NULL;
        if (http_client_new(url, &o, &c, NULL) < 0)
                abort();
        return c;
}

/* ---- nodes ------------------------------------------------------------------ */

static atomic_long next_node;

static void *create_nodes(void *arg) {
        (void)arg;
        _cleanup_(http_client_freep) http_client *c = new_client();
        for (long i; (i = atomic_fetch_add(&next_node, 1)) < n_nodes;) {
                char body[1024];
                snprintf(body, sizeof(body),
                         "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"node-%"
                         "ld\","
                         "\"labels\":{\"kubernetes.io/hostname\":\"node-%ld\","
                         "\"topology.kubernetes.io/zone\":\"zone-%ld\"}},"
                         "\"status\":{\"capacity\":{\"cpu\":\"32\",\"memory\":\"128Gi\",\"pods\":"
                         "\"110\"},"
                         "\"allocatable\":{\"cpu\":\"32\",\"memory\":\"128Gi\",\"pods\":\"110\"}}}",
                         i, i, i % 3);
                http_body b = { .data = body, .len = strlen(body) };
                _cleanup_error_ tm_error *err = NULL;
                if (http_request(c, "POST", "/api/v1/nodes", &b, NULL, &err) < 0) {
                        fprintf(stderr, "create node-%ld: %s\n", i, tm_error_msg(err));
                        exit(1);
                }
                /* status is not taken on create: set it as a kubelet would */
                static const char status[] =
                        "{\"status\":{\"capacity\":{\"cpu\":\"32\",\"memory\":\"128Gi\",\"pods\":"
                        "\"110\"},\"allocatable\":{\"cpu\":\"32\",\"memory\":\"128Gi\",\"pods\":"
                        "\"110\"}}}";
                char path[128];
                snprintf(path, sizeof(path), "/api/v1/nodes/node-%ld/status", i);
                if (http_patch(c, path, "application/merge-patch+json", status, strlen(status),
                               NULL, &err) < 0) {
                        fprintf(stderr, "node-%ld status: %s\n", i, tm_error_msg(err));
                        exit(1);
                }
        }
        return NULL;
}

/* ---- one run ------------------------------------------------------------------- */

typedef struct run {
        const char *ns;
        bool floor; /* bind them ourselves */
        double *created, *bound;
        atomic_long next_pod, n_bound;
        /* floor: pods to bind */
        pthread_mutex_t mu;
        pthread_cond_t cond;
        long *todo;
        size_t n_todo, head;
        bool done;
        atomic_long next_target;
} run;

static long pod_index(const json *obj) {
        const char *name = json_get_str(obj, "metadata", "name", NULL);
        if (!name || strncmp(name, "p-", 2) != 0)
                return -1;
        long i = strtol(name + 2, NULL, 10);
        return i >= 0 && i < n_pods ? i : -1;
}

static int on_event(http_watch *w, const char *type, json **object, void *userdata) {
        (void)w;
        run *r = userdata;
        long i = pod_index(*object);
        if (i < 0 || streq(type, "DELETED"))
                return 0;
        const char *node = json_get_str(*object, "spec", "nodeName", NULL);
        if (node && *node) {
                if (r->bound[i] == 0) {
                        r->bound[i] = now_s();
                        atomic_fetch_add(&r->n_bound, 1);
                }
        } else if (r->floor && streq(type, "ADDED")) {
                pthread_mutex_lock(&r->mu);
                r->todo[r->n_todo++] = i;
                pthread_cond_signal(&r->cond);
                pthread_mutex_unlock(&r->mu);
        }
        return 0;
}

static void on_end(http_watch *w, int error, const tm_error *err, void *userdata) {
        (void)w;
        (void)userdata;
        if (error)
                fprintf(stderr, "watch ended: %s\n", tm_error_msg(err));
}

static void *create_pods(void *arg) {
        run *r = arg;
        _cleanup_(http_client_freep) http_client *c = new_client();
        _cleanup_free_ char *path = xasprintf("/api/v1/namespaces/%s/pods", r->ns);
        for (long i; (i = atomic_fetch_add(&r->next_pod, 1)) < n_pods;) {
                char body[1024];
                snprintf(
                        body, sizeof(body),
                        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p-%ld\"},"
                        "\"spec\":{\"schedulerName\":\"%s\",\"containers\":[{\"name\":\"c\","
                        "\"image\":\"pause\",\"resources\":{\"requests\":{\"cpu\":\"100m\","
                        "\"memory\":\"128Mi\"}}}]}}",
                        i, r->floor ? "bench-floor" : "default-scheduler");
                http_body b = { .data = body, .len = strlen(body) };
                r->created[i] = now_s();
                _cleanup_error_ tm_error *err = NULL;
                if (http_request(c, "POST", path, &b, NULL, &err) < 0) {
                        fprintf(stderr, "create pod p-%ld: %s\n", i, tm_error_msg(err));
                        exit(1);
                }
        }
        return NULL;
}

static void *floor_binder(void *arg) {
        run *r = arg;
        _cleanup_(http_client_freep) http_client *c = new_client();
        for (;;) {
                pthread_mutex_lock(&r->mu);
                while (r->head == r->n_todo && !r->done)
                        pthread_cond_wait(&r->cond, &r->mu);
                if (r->head == r->n_todo) {
                        pthread_mutex_unlock(&r->mu);
                        return NULL;
                }
                long i = r->todo[r->head++];
                pthread_mutex_unlock(&r->mu);
                long node = atomic_fetch_add(&r->next_target, 1) % n_nodes;
                char body[512], path[256];
                snprintf(body, sizeof(body),
                         "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"p-%"
                         "ld\"},"
                         "\"target\":{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"name\":\"node-%"
                         "ld\"}}",
                         i, node);
                snprintf(path, sizeof(path), "/api/v1/namespaces/%s/pods/p-%ld/binding", r->ns, i);
                http_body b = { .data = body, .len = strlen(body) };
                _cleanup_error_ tm_error *err = NULL;
                if (http_request(c, "POST", path, &b, NULL, &err) < 0)
                        fprintf(stderr, "bind p-%ld: %s\n", i, tm_error_msg(err));
        }
}

static void report(const char *what, run *r, double t0, double t1, double cpu_api,
                   double cpu_sched) {
        double *lat = xcalloc((size_t)n_pods, sizeof(double));
        double last = 0, last_created = 0;
        for (long i = 0; i < n_pods; i++) {
                lat[i] = r->bound[i] - r->created[i];
                if (r->bound[i] > last)
                        last = r->bound[i];
                if (r->created[i] > last_created)
                        last_created = r->created[i];
        }
        qsort(lat, (size_t)n_pods, sizeof(double), cmp_double);
        printf("  %-10s %8.0f pods/s  p50 %7.1f ms  p99 %7.1f ms  (pods created at %.0f/s; CPU "
               "s: apiserver %.1f",
               what, (double)n_pods / (last - t0), lat[n_pods / 2] * 1e3,
               lat[(size_t)((double)n_pods * 0.99)] * 1e3, (double)n_pods / (last_created - t0),
               cpu_api);
        if (cpu_sched >= 0)
                printf(", scheduler %.1f", cpu_sched);
        printf(")\n");
        (void)t1;
        free(lat);
}

static int one_run(run *r, pid_t api, pid_t sched_pid) {
        r->created = xcalloc((size_t)n_pods, sizeof(double));
        r->bound = xcalloc((size_t)n_pods, sizeof(double));
        r->todo = xcalloc((size_t)n_pods, sizeof(long));
        pthread_mutex_init(&r->mu, NULL);
        pthread_cond_init(&r->cond, NULL);
        _cleanup_(http_client_freep) http_client *c = new_client();
        char body[256];
        snprintf(body, sizeof(body),
                 "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"%s\"}}",
                 r->ns);
        http_body b = { .data = body, .len = strlen(body) };
        _cleanup_error_ tm_error *err = NULL;
        if (http_request(c, "POST", "/api/v1/namespaces", &b, NULL, &err) < 0) {
                fprintf(stderr, "namespace: %s\n", tm_error_msg(err));
                return -1;
        }
        _cleanup_(http_watcher_freep) http_watcher *w = NULL;
        _cleanup_free_ char *wpath = xasprintf("/api/v1/namespaces/%s/pods", r->ns);
        http_client_options wo = { .timeout_ms = -1 };
        _cleanup_(http_client_freep) http_client *wc = NULL;
        if (http_client_new(url, &wo, &wc, &err) < 0 || http_watcher_new(&w, &err) < 0 ||
            http_watcher_add(w, wc, wpath, NULL, on_event, on_end, r, NULL, &err) < 0) {
                fprintf(stderr, "watch: %s\n", tm_error_msg(err));
                return -1;
        }
        http_watcher_run_once(w, 100, NULL);
        if (!r->floor) {
                /* wait until the scheduler has synced and binds a first pod */
                static const char warm[] =
                        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"warm\"},"
                        "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"pause\"}]}}";
                http_body wb = { .data = warm, .len = strlen(warm) };
                _cleanup_free_ char *ppath = xasprintf("/api/v1/namespaces/%s/pods", r->ns);
                _cleanup_free_ char *wpod = xasprintf("/api/v1/namespaces/%s/pods/warm", r->ns);
                if (http_request(c, "POST", ppath, &wb, NULL, &err) < 0) {
                        fprintf(stderr, "warm-up pod: %s\n", tm_error_msg(err));
                        return -1;
                }
                bool bound = false;
                for (int i = 0; i < 1200 && !bound; i++) {
                        _cleanup_json_ json *pod = NULL;
                        if (http_get_json(c, wpod, &pod, NULL) >= 0 &&
                            json_get_str(pod, "spec", "nodeName", NULL))
                                bound = true;
                        else
                                usleep(50000);
                }
                if (!bound) {
                        fprintf(stderr, "the scheduler did not bind a warm-up pod in 60 s\n");
                        return -1;
                }
        }
        pthread_t creators[THREADS], binders[THREADS];
        double cpu_api0 = cpu_seconds(api), cpu_s0 = sched_pid > 0 ? cpu_seconds(sched_pid) : 0;
        double t0 = now_s();
        for (int i = 0; i < THREADS; i++) {
                pthread_create(&creators[i], NULL, create_pods, r);
                if (r->floor)
                        pthread_create(&binders[i], NULL, floor_binder, r);
        }
        double deadline = t0 + 60 + (double)n_pods / 50;
        while (atomic_load(&r->n_bound) < n_pods && now_s() < deadline)
                http_watcher_run_once(w, 100, NULL);
        double t1 = now_s();
        for (int i = 0; i < THREADS; i++)
                pthread_join(creators[i], NULL);
        pthread_mutex_lock(&r->mu);
        r->done = true;
        pthread_cond_broadcast(&r->cond);
        pthread_mutex_unlock(&r->mu);
        if (r->floor)
                for (int i = 0; i < THREADS; i++)
                        pthread_join(binders[i], NULL);
        if (atomic_load(&r->n_bound) < n_pods) {
                fprintf(stderr, "%s: only %ld of %ld pods bound in time\n", r->ns,
                        atomic_load(&r->n_bound), n_pods);
                return -1;
        }
        report(r->floor ? "floor" : "scheduler", r, t0, t1, cpu_seconds(api) - cpu_api0,
               sched_pid > 0 ? cpu_seconds(sched_pid) - cpu_s0 : -1);
        free(r->created);
        free(r->bound);
        free(r->todo);
        return 0;
}

int main(int argc, char **argv) {
        for (int i = 1; i < argc; i++) {
                if (streq(argv[i], "--nodes") && i + 1 < argc)
                        n_nodes = atol(argv[++i]);
                else if (streq(argv[i], "--pods") && i + 1 < argc)
                        n_pods = atol(argv[++i]);
                else {
                        fprintf(stderr, "usage: bench_scheduler [--nodes N] [--pods M]\n");
                        return 2;
                }
        }
        if (n_nodes < 1 || n_pods < 1 || n_pods > 10000000)
                return 2;
        signal(SIGPIPE, SIG_IGN);
        setvbuf(stdout, NULL, _IOLBF, 0);
        char dir[] = "/tmp/timonier-bench-sched.XXXXXX";
        if (!mkdtemp(dir))
                return 1;
        pid_t api = test_server_start_with(dir, "--max-requests-inflight=2000", url, sizeof(url));
        if (api < 0)
                api = test_server_start(dir, url, sizeof(url));
        if (api < 0) {
                fprintf(stderr,
                        "bench_scheduler: cannot start timonier-apiserver (set top_builddir)\n");
                test_rmdir(dir);
                return 1;
        }
        double t = now_s();
        pthread_t th[THREADS];
        for (int i = 0; i < THREADS; i++)
                pthread_create(&th[i], NULL, create_nodes, NULL);
        for (int i = 0; i < THREADS; i++)
                pthread_join(th[i], NULL);
        printf("bench_scheduler: %ld nodes (created in %.1f s), %ld pods per run, %d client "
               "threads\n",
               n_nodes, now_s() - t, n_pods, THREADS);

        int rc = 0;
        run floor = { .ns = "bench-floor", .floor = true };
        if (one_run(&floor, api, -1) < 0)
                rc = 1;

        const char *top = getenv("top_builddir");
        _cleanup_free_ char *bin = xasprintf("%s/scheduler/timonier-scheduler", top ? top : ".");
        char *sargv[] = { bin,
                          "--master",
                          url,
                          "--port",
                          "0",
                          "--log-level",
                          getenv("BENCH_SCHEDULER_LOG") ? "debug" : "warning",
                          NULL };
        pid_t sp;
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        const char *slog = getenv("BENCH_SCHEDULER_LOG"); /* for debugging */
        posix_spawn_file_actions_addopen(&fa, 2, slog ? slog : "/dev/null",
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int sr = posix_spawn(&sp, bin, &fa, NULL, sargv, environ);
        posix_spawn_file_actions_destroy(&fa);
        if (sr != 0) {
                fprintf(stderr, "bench_scheduler: cannot start %s\n", bin);
                rc = 1;
        } else {
                run sched = { .ns = "bench-sched" };
                if (one_run(&sched, api, sp) < 0)
                        rc = 1;
                kill(sp, SIGTERM);
                waitpid(sp, NULL, 0);
        }
        printf("  anchor     kube-scheduler ~300 pods/s (430 peak) at 5,000-30,000 nodes "
               "(upstream scheduler_perf)\n");
        test_server_stop(api);
        test_rmdir(dir);
        return rc;
}
