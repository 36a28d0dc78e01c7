/* SPDX-License-Identifier: Apache-2.0 */
/* Watch guarantees under concurrent writes and watcher restarts, the
 * properties etcd's robustness tests check: every watcher sees the events
 * in revision order (ordered), each once (unique), each with the content
 * that write stored (atomic), resumes from its last revision after a
 * restart (resumable), and misses none (complete). Plus 410 for a
 * resourceVersion older than the history. */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "httpclient.h"
#include "tests/integration/server_helper.h"
#include "tests/tap.h"

#define WRITERS    8
#define WATCHERS   20
#define MAX_WRITES 200000

static char url[128];
static atomic_bool stop_writers;

/* ground truth: value written at each acknowledged revision */
static pthread_mutex_t truth_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t *truth_rev;
static char (*truth_val)[32];
static size_t n_truth;

static void *writer(void *arg) {
        int t = (int)(intptr_t)arg;
        http_client_options o = { .timeout_ms = 5000 };
        _cleanup_(http_client_freep) http_client *c = NULL;
        if (http_client_new(url, &o, &c, NULL) < 0)
                return NULL;
        for (int i = 0; !atomic_load(&stop_writers); i++) {
                char name[32], val[32], path[128];
                snprintf(name, sizeof name, "w-%d-%d", t, i % 10);
                snprintf(val, sizeof val, "%d-%d", t, i);
                _cleanup_json_ json *cm = json_new_object();
                json_object_set_string(cm, "apiVersion", "v1");
                json_object_set_string(cm, "kind", "ConfigMap");
                json_object_set_string(json_object_ensure_object(cm, "metadata"), "name", name);
                json_object_set_string(json_object_ensure_object(cm, "data"), "v", val);
                _cleanup_json_ json *res = NULL;
                int r;
                if (i < 10)
                        r = http_post_json(c, "/api/v1/namespaces/default/configmaps", cm, &res,
                                           NULL);
                else {
                        snprintf(path, sizeof path, "/api/v1/namespaces/default/configmaps/%s",
                                 name);
                        r = http_put_json(c, path, cm, &res, NULL); /* unconditional */
                }
                if (r < 0)
                        continue;
                const char *rv = json_get_str(res, "metadata", "resourceVersion", NULL);
                pthread_mutex_lock(&truth_lock);
                if (rv && n_truth < MAX_WRITES) {
                        truth_rev[n_truth] = strtoll(rv, NULL, 10);
                        snprintf(truth_val[n_truth], sizeof truth_val[n_truth], "%s", val);
                        n_truth++;
                }
                pthread_mutex_unlock(&truth_lock);
        }
        return NULL;
}

typedef struct follower {
        http_watcher *hw;
        http_client *c;
        int64_t last; /* last revision seen */
        size_t n_seen;
        int64_t *seen; /* revisions in arrival order */
        char (*vals)[32];
        unsigned restarts;
        unsigned disorder, errors;
        unsigned countdown; /* events until the next restart */
} follower;

static int on_event(http_watch *w, const char *type, json **obj, void *ud);
static void on_end(http_watch *w, int error, const tm_error *err, void *ud);

static int follow(follower *f) {
        char rv[32];
        snprintf(rv, sizeof rv, "%" PRId64, f->last);
        return http_watcher_add(f->hw, f->c, "/api/v1/namespaces/default/configmaps", rv, on_event,
                                on_end, f, NULL, NULL);
}

static int on_event(http_watch *w, const char *type, json **obj, void *ud) {
        follower *f = ud;
        if (streq(type, "ERROR") || streq(type, "BOOKMARK")) {
                f->errors += streq(type, "ERROR");
                return 0;
        }
        const char *rvs = json_get_str(*obj, "metadata", "resourceVersion", NULL);
        int64_t rv = rvs ? strtoll(rvs, NULL, 10) : -1;
        if (rv <= f->last)
                f->disorder++;
        f->last = rv;
        if (f->n_seen < MAX_WRITES) {
                f->seen[f->n_seen] = rv;
                snprintf(f->vals[f->n_seen], sizeof f->vals[0], "%s",
                         json_get_str(*obj, "data", "v", NULL) ?: "");
                f->n_seen++;
        }
        if (f->countdown && --f->countdown == 0) {
                /* restart: drop this stream, resume from the last revision */
                http_watcher_remove(f->hw, w);
                f->restarts++;
                f->countdown = 50 + (unsigned)(rand() % 200);
                follow(f);
        }
        return 0;
}

static void on_end(http_watch *w, int error, const tm_error *err, void *ud) {
        follower *f = ud;
        if (!atomic_load(&stop_writers) || error)
                f->restarts++;
        follow(f); /* the server ended the stream (timeout): resume */
}

static int cmp_i64(const void *a, const void *b) {
        int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
        return (x > y) - (x < y);
}

int main(void) {
        char dir[] = "/tmp/timonier-watch.XXXXXX";
        if (!mkdtemp(dir))
                return 1;
        pid_t pid = test_server_start(dir, url, sizeof url);
        if (!ok(pid > 0, "the server starts")) {
                printf("Bail out! cannot start the server\n");
                return 1;
        }
        truth_rev = xcalloc(MAX_WRITES, sizeof *truth_rev);
        truth_val = xcalloc(MAX_WRITES, sizeof *truth_val);

        http_client_options o = { .timeout_ms = -1 };
        _cleanup_(http_client_freep) http_client *c = NULL;
        http_client_new(url, &o, &c, NULL);
        _cleanup_json_ json *list = NULL;
        http_get_json(c, "/api/v1/namespaces/default/configmaps", &list, NULL);
        int64_t start =
                strtoll(json_get_str(list, "metadata", "resourceVersion", NULL) ?: "0", NULL, 10);

        _cleanup_(http_watcher_freep) http_watcher *hw = NULL;
        http_watcher_new(&hw, NULL);
        follower f[WATCHERS];
        for (int i = 0; i < WATCHERS; i++) {
                f[i] = (follower){ .hw = hw,
                                   .c = c,
                                   .last = start,
                                   .seen = xcalloc(MAX_WRITES, sizeof(int64_t)),
                                   .vals = xcalloc(MAX_WRITES, 32),
                                   .countdown = i % 2 ? 30 + (unsigned)i * 7 : 0 };
                follow(&f[i]);
        }

        pthread_t th[WRITERS];
        for (int t = 0; t < WRITERS; t++)
                pthread_create(&th[t], NULL, writer, (void *)(intptr_t)t);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (;;) {
                http_watcher_run_once(hw, 50, NULL);
                clock_gettime(CLOCK_MONOTONIC, &t1);
                if (t1.tv_sec - t0.tv_sec >= 3)
                        break;
        }
        atomic_store(&stop_writers, true);
        for (int t = 0; t < WRITERS; t++)
                pthread_join(th[t], NULL);
        int64_t max_rev = 0;
        for (size_t i = 0; i < n_truth; i++)
                if (truth_rev[i] > max_rev)
                        max_rev = truth_rev[i];
        /* drain until every follower reached the last write (30 s at most:
         * a loaded machine delays streams, which is not a loss) */
        for (int k = 0; k < 600; k++) {
                bool all = true;
                for (int i = 0; i < WATCHERS; i++)
                        all = all && f[i].last >= max_rev;
                if (all)
                        break;
                http_watcher_run_once(hw, 50, NULL);
        }

        for (int i = 0; i < WATCHERS; i++)
                if (f[i].last < max_rev)
                        diag("watcher %d lags: last %" PRId64 " < %" PRId64
                             ", %zu events, %u restarts, "
                             "%zu watches open",
                             i, f[i].last, max_rev, f[i].n_seen, f[i].restarts,
                             http_watcher_count(hw));
        ok(n_truth >= 500, "writers got hundreds of writes acknowledged (%zu)", n_truth);
        /* ground truth in revision order */
        int64_t *sorted = xcalloc(n_truth ? n_truth : 1, sizeof *sorted);
        memcpy(sorted, truth_rev, n_truth * sizeof *sorted);
        qsort(sorted, n_truth, sizeof *sorted, cmp_i64);

        unsigned restarts = 0;
        size_t bad_order = 0, missing = 0, extra = 0, wrong = 0;
        for (int i = 0; i < WATCHERS; i++) {
                restarts += f[i].restarts;
                bad_order += f[i].disorder;
                /* every acknowledged revision exactly once, nothing else */
                size_t a = 0, b = 0;
                while (a < n_truth || b < f[i].n_seen) {
                        if (b >= f[i].n_seen || (a < n_truth && sorted[a] < f[i].seen[b])) {
                                if (missing++ < 10)
                                        diag("watcher %d (%u restarts, last %" PRId64
                                             ") missed revision %" PRId64,
                                             i, f[i].restarts, f[i].last, sorted[a]);
                                a++;
                        } else if (a >= n_truth || f[i].seen[b] < sorted[a])
                                extra++, b++;
                        else
                                a++, b++;
                }
                /* content: the value each write stored */
                for (size_t k = 0; k < f[i].n_seen; k++)
                        for (size_t t = 0; t < n_truth; t++)
                                if (truth_rev[t] == f[i].seen[k]) {
                                        if (!streq(truth_val[t], f[i].vals[k]))
                                                wrong++;
                                        break;
                                }
        }
        ok(restarts >= 10, "watchers were restarted mid-stream and resumed (%u restarts)",
           restarts);
        is_int(bad_order, 0, "ordered and unique: revisions strictly increase on every watcher");
        is_int(missing, 0, "complete: no watcher missed an acknowledged write");
        is_int(extra, 0, "no watcher saw an event that was not written");
        is_int(wrong, 0, "atomic: every event carries the content of its write");

        /* A resourceVersion older than the history: 200, then one ERROR
         * event with a 410 Expired Status (a server keeping 1 s). */
        char dir2[] = "/tmp/timonier-watch2.XXXXXX";
        char url2[128];
        pid_t pid2 = mkdtemp(dir2) ? test_server_start_with(dir2, "--history-seconds=1", url2,
                                                            sizeof url2)
                                   : -1;
        ok(pid2 > 0, "a server with a 1 s history starts");
        _cleanup_(http_client_freep) http_client *c2 = NULL;
        http_client_new(url2, &o, &c2, NULL);
        for (int i = 0; i < 30; i++) {
                _cleanup_json_ json *cm = json_new_object();
                json_object_set_string(cm, "apiVersion", "v1");
                json_object_set_string(cm, "kind", "ConfigMap");
                char name[32];
                snprintf(name, sizeof name, "old-%d", i);
                json_object_set_string(json_object_ensure_object(cm, "metadata"), "name", name);
                _cleanup_json_ json *res = NULL;
                http_post_json(c2, "/api/v1/namespaces/default/configmaps", cm, &res, NULL);
                usleep(100000); /* 3 s of writes: the early ones leave the history */
        }
        http_response resp = HTTP_RESPONSE_INIT;
        http_request(
                c2, "GET",
                "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=2&timeoutSeconds=1",
                NULL, &resp, NULL);
        is_int(resp.code, 200, "a watch from a compacted revision is answered 200 ...");
        ok(resp.body && strstr(resp.body, "\"type\":\"ERROR\"") &&
                   strstr(resp.body, "\"reason\":\"Expired\"") &&
                   strstr(resp.body, "\"code\":410") &&
                   strstr(resp.body, "too old resource version: 2"),
           "... with one ERROR event carrying a 410 Expired Status");
        if (resp.body)
                diag("%.300s", resp.body);
        http_response_done(&resp);
        test_server_stop(pid2);
        test_rmdir(dir2);

        for (int i = 0; i < WATCHERS; i++) {
                free(f[i].seen);
                free(f[i].vals);
        }
        free(sorted);
        free(truth_rev);
        free(truth_val);
        http_watcher_free(TAKE_PTR(hw));
        test_server_stop(pid);
        test_rmdir(dir);
        return tap_done();
}
