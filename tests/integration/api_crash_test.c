/* SPDX-License-Identifier: Apache-2.0 */
/* No acknowledged write is lost: timonier-apiserver is killed with SIGKILL
 * while 16 clients create and update ConfigMaps; after a restart on the
 * same data directory every write that got a 2xx must be there (or a later
 * write of the same object), and resourceVersions must not go back. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "httpclient.h"
#include "tests/integration/server_helper.h"
#include "tests/tap.h"

#define THREADS  16
#define MAX_ACKS 100000

typedef struct ack {
        char name[64];
        int value; /* the value written: per name, increasing */
        int64_t rv;
} ack;

static pthread_mutex_t acks_lock = PTHREAD_MUTEX_INITIALIZER;
static ack *acks;
static size_t n_acks;
static atomic_bool stop;
static char base_url[128];

static void record(const char *name, int value, int64_t rv) {
        pthread_mutex_lock(&acks_lock);
        if (n_acks < MAX_ACKS) {
                snprintf(acks[n_acks].name, sizeof acks[n_acks].name, "%s", name);
                acks[n_acks].value = value;
                acks[n_acks].rv = rv;
                n_acks++;
        }
        pthread_mutex_unlock(&acks_lock);
}

static json *configmap(const char *name, int value, const char *rv) {
        json *cm = json_new_object();
        json_object_set_string(cm, "apiVersion", "v1");
        json_object_set_string(cm, "kind", "ConfigMap");
        json *md = json_object_ensure_object(cm, "metadata");
        json_object_set_string(md, "name", name);
        if (rv)
                json_object_set_string(md, "resourceVersion", rv);
        char v[32];
        snprintf(v, sizeof v, "%d", value);
        json_object_set_string(json_object_ensure_object(cm, "data"), "v", v);
        return cm;
}

static int64_t rv_of(const json *obj) {
        const char *s = json_get_str(obj, "metadata", "resourceVersion", NULL);
        return s ? strtoll(s, NULL, 10) : -1;
}

static void *writer(void *arg) {
        int t = (int)(intptr_t)arg;
        http_client_options o = { .max_attempts = 1, .timeout_ms = 5000 };
        _cleanup_(http_client_freep) http_client *c = NULL;
        if (http_client_new(base_url, &o, &c, NULL) < 0)
                return NULL;
        for (int i = 0; !atomic_load(&stop); i++) {
                char name[64];
                snprintf(name, sizeof name, "c-%d-%d", t, i);
                _cleanup_json_ json *body = configmap(name, 0, NULL);
                _cleanup_json_ json *created = NULL;
                if (http_post_json(c, "/api/v1/namespaces/default/configmaps", body, &created,
                                   NULL) < 0)
                        break; /* the server is gone */
                record(name, 0, rv_of(created));
                /* update it a few times, each with the resourceVersion read */
                const char *rv = json_get_str(created, "metadata", "resourceVersion", NULL);
                _cleanup_free_ char *cur_rv = rv ? xstrdup(rv) : NULL;
                for (int u = 1; u <= 2 && !atomic_load(&stop); u++) {
                        _cleanup_json_ json *upd = configmap(name, u, cur_rv);
                        _cleanup_json_ json *res = NULL;
                        char path[160];
                        snprintf(path, sizeof path, "/api/v1/namespaces/default/configmaps/%s",
                                 name);
                        if (http_put_json(c, path, upd, &res, NULL) < 0)
                                return NULL;
                        record(name, u, rv_of(res));
                        free(cur_rv);
                        rv = json_get_str(res, "metadata", "resourceVersion", NULL);
                        cur_rv = rv ? xstrdup(rv) : NULL;
                }
        }
        return NULL;
}

int main(void) {
        char dir[] = "/tmp/timonier-crash.XXXXXX";
        if (!mkdtemp(dir)) {
                printf("Bail out! mkdtemp failed\n");
                return 1;
        }
        acks = xcalloc(MAX_ACKS, sizeof *acks);

        pid_t pid = test_server_start(dir, base_url, sizeof base_url);
        if (!ok(pid > 0, "the server starts on %s", base_url)) {
                printf("Bail out! cannot start the server\n");
                return 1;
        }
        pthread_t th[THREADS];
        for (int t = 0; t < THREADS; t++)
                pthread_create(&th[t], NULL, writer, (void *)(intptr_t)t);
        usleep(1500 * 1000);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        atomic_store(&stop, true);
        for (int t = 0; t < THREADS; t++)
                pthread_join(th[t], NULL);
        ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "the server was killed mid-write");
        ok(n_acks >= 100, "hundreds of writes were acknowledged before the kill (%zu)", n_acks);

        pid = test_server_start(dir, base_url, sizeof base_url);
        ok(pid > 0, "the server restarts on the same data directory");

        http_client_options o = { .timeout_ms = 5000 };
        _cleanup_(http_client_freep) http_client *c = NULL;
        http_client_new(base_url, &o, &c, NULL);
        size_t lost = 0, wrong = 0, went_back = 0;
        int64_t max_rv = 0;
        for (size_t i = 0; i < n_acks; i++) {
                char path[160];
                snprintf(path, sizeof path, "/api/v1/namespaces/default/configmaps/%s",
                         acks[i].name);
                _cleanup_json_ json *got = NULL;
                if (http_get_json(c, path, &got, NULL) < 0) {
                        if (lost++ < 5)
                                diag("lost: %s (value %d, rv %" PRId64 ")", acks[i].name,
                                     acks[i].value, acks[i].rv);
                        continue;
                }
                const char *v = json_get_str(got, "data", "v", NULL);
                if (!v || atoi(v) < acks[i].value)
                        wrong++;
                if (rv_of(got) < acks[i].rv)
                        went_back++;
                if (acks[i].rv > max_rv)
                        max_rv = acks[i].rv;
        }
        is_int(lost, 0, "every acknowledged create is there after the crash");
        is_int(wrong, 0, "every acknowledged update is there (or a later one)");
        is_int(went_back, 0, "no resourceVersion went back");

        _cleanup_json_ json *body = configmap("after-restart", 0, NULL);
        _cleanup_json_ json *created = NULL;
        int r = http_post_json(c, "/api/v1/namespaces/default/configmaps", body, &created, NULL);
        ok(r >= 0 && rv_of(created) > max_rv,
           "a new write gets a resourceVersion above every acknowledged one (%" PRId64 " > %" PRId64
           ")",
           rv_of(created), max_rv);

        test_server_stop(pid);
        test_rmdir(dir);
        free(acks);
        return tap_done();
}
