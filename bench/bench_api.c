/* SPDX-License-Identifier: Apache-2.0 */
/* bench_api: timonier-apiserver beside a raw etcd 3.4 on the same machine,
 * in the same run.
 *
 *   create/get/list/update throughput and p50/p99 at 1, 10, 100 clients
 *     (etcd: put / range one key / range a prefix / put, through its v3
 *     JSON gateway, so both are driven over HTTP/1.1 by the same client);
 *   watch fan-out: 1,000 watchers, delivery latency p50/p99;
 *   memory: server RSS with 10,000 and 100,000 pods stored.
 *
 * Usage: bench_api [--seconds N] [--pods N] [--watchers N] [--skip-etcd]
 * Both servers listen on 127.0.0.1 only and are stopped at the end. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base64.h"
#include "httpclient.h"
#include "tests/integration/server_helper.h"

static double seconds_per_phase = 3;

static double now_s(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

/* ---- load generator ------------------------------------------------------------ */

typedef enum op { OP_CREATE, OP_GET, OP_LIST, OP_UPDATE, _OP_MAX } op;
static const char *const op_names[_OP_MAX] = { "create", "get", "list", "update" };

typedef struct target {
        const char *name;
        char url[128];
        /* one request of `op` by client `t`, iteration `i`; 0 on success */
        int (*request)(struct target *tg, http_client *c, op o, int t, long i);
} target;

typedef struct run {
        target *tg;
        op o;
        int t;
        double until;
        double *lat;
        size_t n, cap;
        size_t errors;
} run;

static void *client_thread(void *arg) {
        run *r = arg;
        http_client_options o = { .timeout_ms = 30000, .max_attempts = 1 };
        _cleanup_(http_client_freep) http_client *c = NULL;
        if (http_client_new(r->tg->url, &o, &c, NULL) < 0)
                return NULL;
        for (long i = 0; now_s() < r->until; i++) {
                double t0 = now_s();
                int q = r->tg->request(r->tg, c, r->o, r->t, i);
                double dt = now_s() - t0;
                if (q < 0) {
                        r->errors++;
                        continue;
                }
                if (r->n == r->cap)
                        r->lat = xreallocarray(r->lat, r->cap = r->cap ? r->cap * 2 : 4096,
                                               sizeof(double));
                r->lat[r->n++] = dt;
        }
        return NULL;
}

typedef struct result {
        double rate, p50, p99;
        size_t errors;
} result;

static result measure(target *tg, op o, int clients) {
        run *runs = xcalloc((size_t)clients, sizeof *runs);
        pthread_t *th = xcalloc((size_t)clients, sizeof *th);
        double t0 = now_s();
        for (int t = 0; t < clients; t++) {
                runs[t] = (run){ .tg = tg, .o = o, .t = t, .until = t0 + seconds_per_phase };
                pthread_create(&th[t], NULL, client_thread, &runs[t]);
        }
        size_t total = 0, errors = 0;
        for (int t = 0; t < clients; t++) {
                pthread_join(th[t], NULL);
                total += runs[t].n;
                errors += runs[t].errors;
        }
        double elapsed = now_s() - t0;
        double *all = xcalloc(total ? total : 1, sizeof *all);
        size_t k = 0;
        for (int t = 0; t < clients; t++) {
                memcpy(all + k, runs[t].lat, runs[t].n * sizeof *all);
                k += runs[t].n;
                free(runs[t].lat);
        }
        qsort(all, total, sizeof *all, cmp_double);
        result res = { .rate = (double)total / elapsed, .errors = errors };
        if (total) {
                res.p50 = all[total / 2] * 1000;
                res.p99 = all[(size_t)((double)total * 0.99)] * 1000;
        }
        free(all);
        free(runs);
        free(th);
        return res;
}

/* ---- timonier -------------------------------------------------------------------- */

static int phase; /* names differ from one load level to the next */

static json *configmap(int t, long i, const char *value) {
        json *cm = json_new_object();
        json_object_set_string(cm, "apiVersion", "v1");
        json_object_set_string(cm, "kind", "ConfigMap");
        char name[64];
        snprintf(name, sizeof name, "b%d-%d-%ld", phase, t, i);
        json_object_set_string(json_object_ensure_object(cm, "metadata"), "name", name);
        /* ~1 KiB of data, like the etcd values */
        char big[1024];
        memset(big, 'x', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        json *data = json_object_ensure_object(cm, "data");
        json_object_set_string(data, "v", value);
        json_object_set_string(data, "pad", big);
        return cm;
}

static int timonier_request(target *tg, http_client *c, op o, int t, long i) {
        char path[160];
        _cleanup_json_ json *res = NULL;
        switch (o) {
        case OP_CREATE: {
                _cleanup_json_ json *cm = configmap(t, i, "0");
                return http_post_json(c, "/api/v1/namespaces/bench/configmaps", cm, &res, NULL);
        }
        case OP_GET:
                snprintf(path, sizeof path, "/api/v1/namespaces/bench/configmaps/b%d-%d-%ld", phase,
                         t, i % 16);
                return http_get_json(c, path, &res, NULL);
        case OP_LIST:
                return http_get_json(c, "/api/v1/namespaces/listing/configmaps", &res, NULL);
        case OP_UPDATE: {
                char v[32];
                snprintf(v, sizeof v, "%ld", i); /* a real change each time */
                _cleanup_json_ json *cm = configmap(t, i % 16, v);
                snprintf(path, sizeof path, "/api/v1/namespaces/bench/configmaps/b%d-%d-%ld", phase,
                         t, i % 16);
                return http_put_json(c, path, cm, &res, NULL); /* unconditional */
        }
        default:
                return -EINVAL;
        }
}

/* ---- etcd (v3 JSON gateway) ----------------------------------------------------------- */

static int etcd_request(target *tg, http_client *c, op o, int t, long i) {
        char key[128];
        _cleanup_json_ json *body = json_new_object();
        _cleanup_json_ json *res = NULL;
        if (o == OP_LIST) {
                _cleanup_free_ char *k = base64_encode("/listing/", 9, false);
                _cleanup_free_ char *e = base64_encode("/listing0", 9, false);
                json_object_set_string(body, "key", k);
                json_object_set_string(body, "range_end", e);
                return http_post_json(c, "/v3/kv/range", body, &res, NULL);
        }
        snprintf(key, sizeof key, "/bench/b%d-%d-%ld", phase, t, o == OP_CREATE ? i : i % 16);
        _cleanup_free_ char *k = base64_encode(key, strlen(key), false);
        json_object_set_string(body, "key", k);
        if (o == OP_GET)
                return http_post_json(c, "/v3/kv/range", body, &res, NULL);
        char val[1100];
        memset(val, 'x', sizeof val);
        snprintf(val, 32, "%ld", i);
        _cleanup_free_ char *v = base64_encode(val, sizeof val, false);
        json_object_set_string(body, "value", v);
        return http_post_json(c, "/v3/kv/put", body, &res, NULL);
}

static pid_t start_etcd(const char *dir, int port, char *url, size_t n) {
        char client[64], peer[64], cluster[96];
        snprintf(client, sizeof client, "http://127.0.0.1:%d", port);
        snprintf(peer, sizeof peer, "http://127.0.0.1:%d", port + 1);
        snprintf(cluster, sizeof cluster, "bench=%s", peer);
        char *argv[] = { "etcd",      "--name",
                         "bench",     "--data-dir",
                         (char *)dir, "--listen-client-urls",
                         client,      "--advertise-client-urls",
                         client,      "--listen-peer-urls",
                         peer,        "--initial-advertise-peer-urls",
                         peer,        "--initial-cluster",
                         cluster,     "--log-level",
                         "error",     NULL };
        pid_t pid;
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
        int r = posix_spawnp(&pid, "etcd", &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        if (r != 0)
                return -1;
        snprintf(url, n, "%s", client);
        http_client_options o = { .max_attempts = 1, .timeout_ms = 1000 };
        _cleanup_(http_client_freep) http_client *c = NULL;
        http_client_new(url, &o, &c, NULL);
        for (int i = 0; i < 100; i++) {
                http_response resp = HTTP_RESPONSE_INIT;
                int q = http_request(c, "GET", "/health", NULL, &resp, NULL);
                http_response_done(&resp);
                if (q >= 0)
                        return pid;
                usleep(100000);
        }
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return -1;
}

/* ---- memory, watch fan-out ------------------------------------------------------------ */

static long rss_kib(pid_t pid) {
        char path[64], line[256];
        snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        while (f && fgets(line, sizeof line, f))
                if (strncmp(line, "VmRSS:", 6) == 0)
                        return atol(line + 6);
        return -1;
}

typedef struct pod_loader {
        char *url;
        int t, threads;
        long from, to;
        atomic_long *done;
} pod_loader;

static void *load_pods(void *arg) {
        pod_loader *p = arg;
        http_client_options o = { .timeout_ms = 30000 };
        _cleanup_(http_client_freep) http_client *c = NULL;
        http_client_new(p->url, &o, &c, NULL);
        for (long i = p->from + p->t; i < p->to; i += p->threads) {
                _cleanup_json_ json *pod = NULL;
                char text[512];
                snprintf(text, sizeof text,
                         "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p-%ld\","
                         "\"labels\":{\"app\":\"bench\",\"n\":\"%ld\"}},\"spec\":{\"containers\":"
                         "[{\"name\":\"c\",\"image\":\"busybox:1.36\",\"resources\":{\"requests\":"
                         "{\"cpu\":\"10m\",\"memory\":\"16Mi\"}}}]}}",
                         i, i % 100);
                json_parse(text, strlen(text), NULL, &pod, NULL);
                _cleanup_json_ json *res = NULL;
                if (http_post_json(c, "/api/v1/namespaces/bench/pods", pod, &res, NULL) >= 0)
                        atomic_fetch_add(p->done, 1);
        }
        return NULL;
}

static void fill_pods(const char *url, long from, long to) {
        enum { T = 16 };
        pthread_t th[T];
        pod_loader p[T];
        atomic_long done = 0;
        for (int t = 0; t < T; t++) {
                p[t] = (pod_loader){ .url = (char *)url,
                                     .t = t,
                                     .threads = T,
                                     .from = from,
                                     .to = to,
                                     .done = &done };
                pthread_create(&th[t], NULL, load_pods, &p[t]);
        }
        for (int t = 0; t < T; t++)
                pthread_join(th[t], NULL);
}

typedef struct fanout {
        double *lat;
        size_t n, cap;
        double sent_at;
        const char *want_rv;
} fanout;

static int fan_event(http_watch *w, const char *type, json **obj, void *ud) {
        fanout *f = ud;
        if (!streq(type, "MODIFIED") && !streq(type, "ADDED"))
                return 0;
        if (f->n == f->cap)
                f->lat = xreallocarray(f->lat, f->cap = f->cap ? f->cap * 2 : 4096, sizeof(double));
        f->lat[f->n++] = (now_s() - f->sent_at) * 1000;
        return 0;
}

static void fan_end(http_watch *w, int error, const tm_error *err, void *ud) {}

static void watch_fanout(const char *url, int watchers) {
        http_client_options o = { .timeout_ms = -1 };
        _cleanup_(http_client_freep) http_client *c = NULL;
        http_client_new(url, &o, &c, NULL);
        _cleanup_json_ json *cm = configmap(0, 0, "0");
        json_object_set_string(json_get(cm, "metadata", NULL), "name", "fan");
        _cleanup_json_ json *res = NULL;
        http_post_json(c, "/api/v1/namespaces/fan/configmaps", cm, &res, NULL);
        const char *rv = json_get_str(res, "metadata", "resourceVersion", NULL);
        _cleanup_free_ char *start = xstrdup(rv ? rv : "0");

        _cleanup_(http_watcher_freep) http_watcher *hw = NULL;
        http_watcher_new(&hw, NULL);
        fanout f = { 0 };
        for (int i = 0; i < watchers; i++)
                http_watcher_add(
                        hw, c,
                        "/api/v1/namespaces/fan/configmaps?fieldSelector=metadata.name%3Dfan",
                        start, fan_event, fan_end, &f, NULL, NULL);
        /* let every stream connect */
        for (int i = 0; i < 40; i++)
                http_watcher_run_once(hw, 50, NULL);
        http_client_options o2 = { .timeout_ms = 5000 };
        _cleanup_(http_client_freep) http_client *w = NULL;
        http_client_new(url, &o2, &w, NULL);
        const int rounds = 20;
        for (int r = 0; r < rounds; r++) {
                char v[16];
                snprintf(v, sizeof v, "%d", r + 1);
                _cleanup_json_ json *u = configmap(0, 0, v);
                json_object_set_string(json_get(u, "metadata", NULL), "name", "fan");
                _cleanup_json_ json *ur = NULL;
                size_t before = f.n;
                f.sent_at = now_s();
                http_put_json(w, "/api/v1/namespaces/fan/configmaps/fan", u, &ur, NULL);
                double until = now_s() + 5;
                while (f.n < before + (size_t)watchers && now_s() < until)
                        http_watcher_run_once(hw, 10, NULL);
        }
        qsort(f.lat, f.n, sizeof *f.lat, cmp_double);
        printf("\nwatch fan-out: %d watchers, %d updates: %zu of %d deliveries\n", watchers, rounds,
               f.n, watchers * rounds);
        if (f.n)
                printf("  delivery latency (write sent -> event received): p50 %.1f ms, p99 %.1f "
                       "ms (goal p99 < 50 ms at 100 clients is for requests; no upstream figure)\n",
                       f.lat[f.n / 2], f.lat[(size_t)((double)f.n * 0.99)]);
        free(f.lat);
}

static void create_ns(http_client *c, const char *name) {
        _cleanup_json_ json *ns = json_new_object();
        json_object_set_string(ns, "apiVersion", "v1");
        json_object_set_string(ns, "kind", "Namespace");
        json_object_set_string(json_object_ensure_object(ns, "metadata"), "name", name);
        _cleanup_json_ json *res = NULL;
        http_post_json(c, "/api/v1/namespaces", ns, &res, NULL);
}

int main(int argc, char **argv) {
        long pods = 100000;
        int watchers = 1000;
        bool skip_etcd = false;
        for (int i = 1; i < argc; i++) {
                if (streq(argv[i], "--seconds") && i + 1 < argc)
                        seconds_per_phase = atof(argv[++i]);
                else if (streq(argv[i], "--pods") && i + 1 < argc)
                        pods = atol(argv[++i]);
                else if (streq(argv[i], "--watchers") && i + 1 < argc)
                        watchers = atoi(argv[++i]);
                else if (streq(argv[i], "--skip-etcd"))
                        skip_etcd = true;
                else {
                        fprintf(stderr, "usage: bench_api [--seconds N] [--pods N] [--watchers N] "
                                        "[--skip-etcd]\n");
                        return 2;
                }
        }
        signal(SIGPIPE, SIG_IGN);
        /* 1,000 watch streams need more descriptors than the usual 1,024;
         * the server inherits the limit. */
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
                rl.rlim_cur = rl.rlim_max;
                setrlimit(RLIMIT_NOFILE, &rl);
        }

        /* TMPDIR picks the file system both stores live on (e.g. /dev/shm
         * to take fsync out of the picture). */
        const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
        _cleanup_free_ char *tdir = xasprintf("%s/timonier-bench.XXXXXX", tmp);
        _cleanup_free_ char *edir = xasprintf("%s/etcd-bench.XXXXXX", tmp);
        if (!mkdtemp(tdir) || !mkdtemp(edir))
                return 1;
        target tim = { .name = "timonier", .request = timonier_request };
        pid_t tpid = test_server_start(tdir, tim.url, sizeof tim.url);
        if (tpid < 0) {
                fprintf(stderr, "bench_api: cannot start timonier-apiserver (set top_builddir)\n");
                return 1;
        }
        target etcd = { .name = "etcd", .request = etcd_request };
        pid_t epid = -1;
        if (!skip_etcd) {
                epid = start_etcd(edir, 23790 + (int)(getpid() % 1000) * 2, etcd.url,
                                  sizeof etcd.url);
                if (epid < 0) {
                        fprintf(stderr, "bench_api: cannot start etcd (install the Debian package "
                                        "etcd-server)\n");
                        skip_etcd = true;
                }
        }

        http_client_options o = { .timeout_ms = 30000 };
        _cleanup_(http_client_freep) http_client *c = NULL;
        http_client_new(tim.url, &o, &c, NULL);
        create_ns(c, "bench");
        create_ns(c, "listing");
        create_ns(c, "fan");
        /* 100 objects to list, on both sides */
        for (long i = 0; i < 100; i++) {
                _cleanup_json_ json *cm = configmap(999, i, "l");
                _cleanup_json_ json *res = NULL;
                http_post_json(c, "/api/v1/namespaces/listing/configmaps", cm, &res, NULL);
                if (!skip_etcd) {
                        http_client_options eo = { .timeout_ms = 30000 };
                        _cleanup_(http_client_freep) http_client *ec = NULL;
                        http_client_new(etcd.url, &eo, &ec, NULL);
                        char key[64];
                        snprintf(key, sizeof key, "/listing/%ld", i);
                        _cleanup_free_ char *k = base64_encode(key, strlen(key), false);
                        char val[1100];
                        memset(val, 'x', sizeof val);
                        _cleanup_free_ char *v = base64_encode(val, sizeof val, false);
                        _cleanup_json_ json *b = json_new_object();
                        json_object_set_string(b, "key", k);
                        json_object_set_string(b, "value", v);
                        _cleanup_json_ json *er = NULL;
                        http_post_json(ec, "/v3/kv/put", b, &er, NULL);
                }
        }

        printf("bench_api: %.0f s per phase; timonier-apiserver (SQLite, synchronous=FULL) vs etcd "
               "3.4 "
               "(bbolt, fsync per batch) via its v3 JSON gateway; both over HTTP/1.1 on "
               "loopback\n\n",
               seconds_per_phase);
        printf("%-7s %7s | %10s %8s %8s | %10s %8s %8s | %7s\n", "op", "clients", "timonier/s",
               "p50 ms", "p99 ms", "etcd/s", "p50 ms", "p99 ms", "ratio");
        static const int levels[] = { 1, 10, 100 };
        for (int oi = 0; oi < _OP_MAX; oi++)
                for (size_t li = 0; li < ELEMENTSOF(levels); li++) {
                        phase = (int)li; /* get/update use what create made at this level */
                        result a = measure(&tim, (op)oi, levels[li]);
                        result b = { 0 };
                        if (!skip_etcd)
                                b = measure(&etcd, (op)oi, levels[li]);
                        printf("%-7s %7d | %10.0f %8.2f %8.2f | %10.0f %8.2f %8.2f | %6.2fx%s\n",
                               op_names[oi], levels[li], a.rate, a.p50, a.p99, b.rate, b.p50, b.p99,
                               b.rate > 0 ? a.rate / b.rate : 0.0,
                               a.errors || b.errors ? "  (errors!)" : "");
                        fflush(stdout);
                }
        printf("goals: creates >= 0.5x etcd's put rate; p99 < 50 ms at 100 clients\n");

        if (!skip_etcd) {
                kill(epid, SIGTERM);
                waitpid(epid, NULL, 0);
        }

        watch_fanout(tim.url, watchers);

        printf("\nmemory (timonier-apiserver RSS):\n  empty-ish: %ld MiB\n", rss_kib(tpid) / 1024);
        long stored = 0;
        static const long marks[] = { 10000, 100000 };
        for (size_t i = 0; i < ELEMENTSOF(marks) && marks[i] <= pods; i++) {
                double t0 = now_s();
                fill_pods(tim.url, stored, marks[i]);
                double dt = now_s() - t0;
                stored = marks[i];
                printf("  %6ld pods stored: %ld MiB RSS (loaded %ld pods at %.0f/s with 16 "
                       "clients)\n",
                       stored, rss_kib(tpid) / 1024, marks[i] - (i ? marks[i - 1] : 0),
                       (double)(marks[i] - (i ? marks[i - 1] : 0)) / dt);
                fflush(stdout);
        }
        printf("goal: RSS with 100,000 pods under 1 GB\n");
        test_server_stop(tpid);
        test_rmdir(tdir);
        test_rmdir(edir);
        return 0;
}
