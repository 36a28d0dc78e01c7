/* SPDX-License-Identifier: Apache-2.0 */
/* Informers against the real timonier-apiserver: initial sync, handlers in
 * order with the right old/new objects, selectors, indexes, resync, resumed
 * watches, and a relist after 410 Expired that delivers what changed while
 * the informer was not looking. */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "httpclient.h"
#include "informer.h"
#include "strbuf.h"
#include "tests/integration/server_helper.h"
#include "tests/tap.h"

static char url[128];
static http_client *api;

/* --- an event log the handlers append to ------------------------------- */

typedef struct evlog {
        pthread_mutex_t lock;
        char **lines;
        size_t n;
        atomic_int updates_same; /* resync: old == new */
        /* pause: block the informer thread in the handler of this key */
        const char *pause_key;
        atomic_bool paused, release;
} evlog;

static void evlog_init(evlog *l) {
        memset(l, 0, sizeof *l);
        pthread_mutex_init(&l->lock, NULL);
}

static void evlog_done(evlog *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->lines[i]);
        free(l->lines);
        pthread_mutex_destroy(&l->lock);
}

static void evlog_push(evlog *l, char *s) {
        pthread_mutex_lock(&l->lock);
        l->lines = xreallocarray(l->lines, l->n + 1, sizeof *l->lines);
        l->lines[l->n++] = s;
        pthread_mutex_unlock(&l->lock);
}

static const char *data_v(const informer_object *o) {
        const char *v = json_get_str(o->json, "data", "v", NULL);
        return v ? v : "-";
}

static void on_add(_unused_ informer *inf, informer_object *o, void *ud) {
        evlog *l = ud;
        evlog_push(l, xasprintf("add %s %s", o->key, data_v(o)));
}

static void on_update(_unused_ informer *inf, informer_object *old_obj, informer_object *new_obj,
                      void *ud) {
        evlog *l = ud;
        if (old_obj == new_obj) {
                atomic_fetch_add(&l->updates_same, 1);
                return;
        }
        evlog_push(l, xasprintf("update %s %s>%s", new_obj->key, data_v(old_obj), data_v(new_obj)));
        if (l->pause_key && streq(new_obj->key, l->pause_key)) {
                atomic_store(&l->paused, true);
                while (!atomic_load(&l->release))
                        usleep(10000);
        }
}

static void on_delete(_unused_ informer *inf, informer_object *o, bool unknown, void *ud) {
        evlog *l = ud;
        evlog_push(l, xasprintf("delete %s %s%s", o->key, data_v(o), unknown ? " unknown" : ""));
}

static bool evlog_wait(evlog *l, size_t n, int ms) {
        for (int i = 0; i < ms / 10; i++) {
                pthread_mutex_lock(&l->lock);
                size_t have = l->n;
                pthread_mutex_unlock(&l->lock);
                if (have >= n)
                        return true;
                usleep(10000);
        }
        return false;
}

/* Lines [from, n) joined with "; ". */
static char *evlog_since(evlog *l, size_t from) {
        strbuf b = STRBUF_INIT;
        pthread_mutex_lock(&l->lock);
        for (size_t i = from; i < l->n; i++)
                strbuf_printf(&b, "%s%s", i > from ? "; " : "", l->lines[i]);
        pthread_mutex_unlock(&l->lock);
        return strbuf_take(&b, NULL);
}

#define HANDLERS(l)                                    \
        (&(informer_handlers){ .on_add = on_add,       \
                               .on_update = on_update, \
                               .on_delete = on_delete, \
                               .userdata = (l) })

/* --- API writes ----------------------------------------------------------- */

static int cm_put(const char *ns, const char *name, const char *v, const char *app) {
        _cleanup_json_ json *cm = json_new_object();
        json_object_set_string(cm, "apiVersion", "v1");
        json_object_set_string(cm, "kind", "ConfigMap");
        json *md = json_object_ensure_object(cm, "metadata");
        json_object_set_string(md, "name", name);
        if (app)
                json_object_set_string(json_object_ensure_object(md, "labels"), "app", app);
        json_object_set_string(json_object_ensure_object(cm, "data"), "v", v);
        _cleanup_free_ char *path = xasprintf("/api/v1/namespaces/%s/configmaps/%s", ns, name);
        int r = http_put_json(api, path, cm, NULL, NULL);
        if (r == -ENOENT) {
                _cleanup_free_ char *coll = xasprintf("/api/v1/namespaces/%s/configmaps", ns);
                r = http_post_json(api, coll, cm, NULL, NULL);
        }
        return r;
}

static int cm_delete(const char *ns, const char *name) {
        _cleanup_free_ char *path = xasprintf("/api/v1/namespaces/%s/configmaps/%s", ns, name);
        return http_delete(api, path, NULL, NULL, NULL);
}

static int ns_create(const char *name) {
        _cleanup_json_ json *o = json_new_object();
        json_object_set_string(o, "apiVersion", "v1");
        json_object_set_string(o, "kind", "Namespace");
        json_object_set_string(json_object_ensure_object(o, "metadata"), "name", name);
        return http_post_json(api, "/api/v1/namespaces", o, NULL, NULL);
}

static int pod_create(const char *ns, const char *name, const char *node) {
        _cleanup_json_ json *o = json_new_object();
        json_object_set_string(o, "apiVersion", "v1");
        json_object_set_string(o, "kind", "Pod");
        json_object_set_string(json_object_ensure_object(o, "metadata"), "name", name);
        json *spec = json_object_ensure_object(o, "spec");
        if (node)
                json_object_set_string(spec, "nodeName", node);
        json *c = json_new_object();
        json_object_set_string(c, "name", "c");
        json_object_set_string(c, "image", "busybox");
        json *cs = json_new_array();
        json_array_append(cs, c);
        json_object_set(spec, "containers", cs);
        _cleanup_free_ char *coll = xasprintf("/api/v1/namespaces/%s/pods", ns);
        return http_post_json(api, coll, o, NULL, NULL);
}

static int pod_delete(const char *ns, const char *name) {
        _cleanup_free_ char *path =
                xasprintf("/api/v1/namespaces/%s/pods/%s?gracePeriodSeconds=0", ns, name);
        return http_delete(api, path, NULL, NULL, NULL);
}

static size_t count_index(informer *inf, const char *index, const char *value) {
        informer_object **v;
        size_t n;
        if (informer_by_index(inf, index, value, &v, &n) < 0)
                return (size_t)-1;
        informer_objects_free(v, n);
        return n;
}

static bool wait_len(informer *inf, size_t n, int ms) {
        for (int i = 0; i < ms / 10; i++) {
                if (informer_len(inf) == n)
                        return true;
                usleep(10000);
        }
        return false;
}

static void wait_index(informer *inf, const char *index, const char *value, size_t n, int ms) {
        for (int i = 0; i < ms / 10 && count_index(inf, index, value) != n; i++)
                usleep(10000);
}

/* --- scenarios ------------------------------------------------------------ */

/* Initial sync, then add/update/delete in order with old and new; selectors;
 * an index; three informers on one factory thread. */
static void test_basics(void) {
        ok(ns_create("inf-a") >= 0, "create namespace inf-a");
        ok(cm_put("inf-a", "cm-0", "zero", "web") >= 0 &&
                   cm_put("inf-a", "cm-1", "one", "db") >= 0 &&
                   cm_put("inf-a", "cm-2", "two", "web") >= 0,
           "create 3 configmaps before the informers start");
        ok(pod_create("inf-a", "p1", "n1") >= 0 && pod_create("inf-a", "p2", "n1") >= 0 &&
                   pod_create("inf-a", "p3", "n2") >= 0 && pod_create("inf-a", "p4", NULL) >= 0,
           "create 4 pods");

        evlog all, web, named;
        evlog_init(&all);
        evlog_init(&web);
        evlog_init(&named);
        _cleanup_(informer_factory_freep) informer_factory *f = NULL;
        _cleanup_error_ tm_error *err = NULL;
        ok(informer_factory_new(url, NULL, &f, &err) >= 0, "factory: %s", tm_error_msg(err));
        informer *cms = NULL, *webs = NULL, *one = NULL, *pods = NULL;
        ok(informer_factory_add(f, "/api/v1/namespaces/inf-a/configmaps", NULL, &cms, &err) >= 0,
           "informer on inf-a configmaps");
        ok(informer_factory_add(f, "/api/v1/configmaps",
                                &(informer_options){ .label_selector = "app=web", .page_size = 1 },
                                &webs, &err) >= 0,
           "informer on configmaps app=web, pages of 1");
        ok(informer_factory_add(f, "/api/v1/namespaces/inf-a/configmaps",
                                &(informer_options){ .field_selector = "metadata.name=cm-1" }, &one,
                                &err) >= 0,
           "informer on configmap cm-1 by field selector");
        ok(informer_factory_add(f, "/api/v1/pods", NULL, &pods, &err) >= 0, "informer on pods");
        is_int(informer_factory_add(f, "/api/v1/pods?x=1", NULL, NULL, NULL), -EINVAL,
               "a path with a query is refused");
        ok(informer_add_handlers(cms, HANDLERS(&all), &err) >= 0 &&
                   informer_add_handlers(webs, HANDLERS(&web), &err) >= 0 &&
                   informer_add_handlers(one, HANDLERS(&named), &err) >= 0,
           "handlers");
        ok(informer_add_index(pods, "node", informer_index_pod_node, NULL, &err) >= 0,
           "index pods by node");
        is_int(informer_add_index(pods, "node", informer_index_pod_node, NULL, NULL), -EEXIST,
               "an index name is unique");
        ok(!informer_has_synced(cms), "not synced before start");
        ok(informer_factory_start(f, &err) >= 0, "start: %s", tm_error_msg(err));
        is_int(informer_add_handlers(cms, HANDLERS(&all), NULL), -EBUSY, "no handlers after start");
        is_int(informer_factory_wait_for_sync(f, 10000), 0, "all four informers sync");
        ok(informer_has_synced(cms) && informer_has_synced(pods), "has_synced");

        _cleanup_free_ char *s0 = evlog_since(&all, 0);
        /* The list order is the store's (by key). */
        is_str(s0, "add inf-a/cm-0 zero; add inf-a/cm-1 one; add inf-a/cm-2 two",
               "initial list delivered as adds");
        is_int(informer_len(cms), 3, "3 objects cached");
        _cleanup_(informer_object_unrefp) informer_object *o = informer_get(cms, "inf-a/cm-1");
        ok(o && streq_ptr(json_get_str(o->json, "data", "v", NULL), "one"), "get by key");
        is_str(o ? json_object_get_string(o->json, "kind") : NULL, "ConfigMap",
               "list items get their kind");
        is_str(o ? json_object_get_string(o->json, "apiVersion") : NULL, "v1",
               "list items get their apiVersion");
        ok(informer_get(cms, "inf-a/nope") == NULL, "get of a missing key");
        _cleanup_free_ char *s1 = evlog_since(&web, 0);
        ok(strstr(s1, "add inf-a/cm-0 zero") && strstr(s1, "add inf-a/cm-2 two") &&
                   !strstr(s1, "cm-1"),
           "label selector over two pages: %s", s1);
        _cleanup_free_ char *s2 = evlog_since(&named, 0);
        is_str(s2, "add inf-a/cm-1 one", "field selector");

        /* Changes through the watch. */
        ok(cm_put("inf-a", "cm-1", "uno", "db") >= 0, "update cm-1");
        ok(cm_delete("inf-a", "cm-2") >= 0, "delete cm-2");
        ok(cm_put("inf-a", "cm-3", "three", "web") >= 0, "create cm-3");
        ok(cm_put("inf-a", "cm-0", "nul", "db") >= 0, "update cm-0 out of app=web");
        ok(evlog_wait(&all, 7, 5000), "4 watch events");
        _cleanup_free_ char *s3 = evlog_since(&all, 3);
        is_str(s3,
               "update inf-a/cm-1 one>uno; delete inf-a/cm-2 two; add inf-a/cm-3 three; "
               "update inf-a/cm-0 zero>nul",
               "watch events in order with old and new");
        _cleanup_(informer_object_unrefp) informer_object *o2 = informer_get(cms, "inf-a/cm-1");
        ok(o2 && streq_ptr(json_get_str(o2->json, "data", "v", NULL), "uno"),
           "the cache has the update");
        ok(o && streq_ptr(json_get_str(o->json, "data", "v", NULL), "one"),
           "an object handed out earlier is unchanged");
        ok(informer_get(cms, "inf-a/cm-2") == NULL, "the deleted object left the cache");
        ok(evlog_wait(&web, 5, 5000), "app=web: events");
        _cleanup_free_ char *s4 = evlog_since(&web, 2);
        /* Leaving the selector is a DELETED event from the server. */
        is_str(s4, "delete inf-a/cm-2 two; add inf-a/cm-3 three; delete inf-a/cm-0 nul",
               "label selector: only matching changes");
        ok(evlog_wait(&named, 2, 5000), "field selector: event");
        _cleanup_free_ char *s5 = evlog_since(&named, 0);
        is_str(s5, "add inf-a/cm-1 one; update inf-a/cm-1 one>uno", "field selector: updates");

        /* Index lookups follow the cache. */
        is_int(count_index(pods, "node", "n1"), 2, "2 pods on n1");
        is_int(count_index(pods, "node", "n2"), 1, "1 pod on n2");
        is_int(count_index(pods, "node", ""), 1, "1 unbound pod");
        is_int(count_index(pods, "node", "n3"), 0, "no pod on n3");
        is_int(count_index(pods, "nodes", "n1"), -1, "unknown index");
        ok(pod_delete("inf-a", "p1") >= 0, "delete pod p1");
        ok(pod_create("inf-a", "p5", "n2") >= 0, "create pod p5 on n2");
        wait_index(pods, "node", "n2", 2, 5000);
        wait_index(pods, "node", "n1", 1, 5000);
        is_int(count_index(pods, "node", "n1"), 1, "1 pod on n1 after the delete");
        is_int(count_index(pods, "node", "n2"), 2, "2 pods on n2 after the create");
        informer_object **v;
        size_t n;
        informer_list(pods, &v, &n);
        is_int(n, 4, "list all: 4 pods");
        informer_objects_free(v, n);

        informer_stats st = informer_get_stats(cms);
        is_int(st.lists, 1, "one LIST");
        is_int(st.expired, 0, "no 410");
        informer_factory_stop(f);
        ok(wait_len(cms, 3, 10), "the cache stays readable after stop");
        evlog_done(&all);
        evlog_done(&web);
        evlog_done(&named);
}

/* Resync, and watches the server ends are resumed without a relist. */
static void test_resync_and_rewatch(void) {
        ok(ns_create("inf-b") >= 0, "create namespace inf-b");
        ok(cm_put("inf-b", "a", "1", NULL) >= 0 && cm_put("inf-b", "b", "1", NULL) >= 0,
           "two configmaps");
        evlog l;
        evlog_init(&l);
        _cleanup_(informer_factory_freep) informer_factory *f = NULL;
        informer *inf = NULL;
        ok(informer_factory_new(url, NULL, &f, NULL) >= 0 &&
                   informer_factory_add(
                           f, "/api/v1/namespaces/inf-b/configmaps",
                           &(informer_options){ .resync_period_ms = 300, .watch_timeout_s = 1 },
                           &inf, NULL) >= 0 &&
                   informer_add_handlers(inf, HANDLERS(&l), NULL) >= 0 &&
                   informer_factory_start(f, NULL) >= 0,
           "informer with resync 300 ms and 1 s watches");
        is_int(informer_factory_wait_for_sync(f, 10000), 0, "synced");
        usleep(1000000);
        int same = atomic_load(&l.updates_same);
        ok(same >= 4 && same <= 10, "resync: %d update(obj, obj) calls in 1 s for 2 objects", same);
        usleep(1500000); /* at least one watch ended by the server */
        ok(cm_put("inf-b", "a", "2", NULL) >= 0 && cm_delete("inf-b", "b") >= 0, "changes");
        ok(evlog_wait(&l, 4, 5000), "events after a resumed watch");
        _cleanup_free_ char *s = evlog_since(&l, 2);
        is_str(s, "update inf-b/a 1>2; delete inf-b/b 1", "resumed watch: no loss, no replay");
        informer_stats st = informer_get_stats(inf);
        ok(st.watches >= 2, "%lu watches started", st.watches);
        is_int(st.lists, 1, "no relist");
        informer_factory_stop(f);
        evlog_done(&l);
}

/* On a server keeping 1 s of history: block the informer thread in a
 * handler, change things, let the history pass; the resumed watch gets 410
 * and the relist delivers the differences. */
static void test_relist_after_expired(void) {
        ok(ns_create("inf-c") >= 0, "create namespace inf-c");
        ok(cm_put("inf-c", "gone", "1", NULL) >= 0 && cm_put("inf-c", "kept", "1", NULL) >= 0 &&
                   cm_put("inf-c", "changed", "1", NULL) >= 0 &&
                   cm_put("inf-c", "pause", "1", NULL) >= 0,
           "four configmaps");
        evlog l;
        evlog_init(&l);
        l.pause_key = "inf-c/pause";
        _cleanup_(informer_factory_freep) informer_factory *f = NULL;
        informer *inf = NULL;
        ok(informer_factory_new(url, NULL, &f, NULL) >= 0 &&
                   informer_factory_add(f, "/api/v1/namespaces/inf-c/configmaps",
                                        &(informer_options){ .watch_timeout_s = 1 }, &inf,
                                        NULL) >= 0 &&
                   informer_add_handlers(inf, HANDLERS(&l), NULL) >= 0 &&
                   informer_factory_start(f, NULL) >= 0,
           "informer with 1 s watches");
        is_int(informer_factory_wait_for_sync(f, 10000), 0, "synced");
        ok(cm_put("inf-c", "pause", "2", NULL) >= 0, "update the pause configmap");
        for (int i = 0; i < 500 && !atomic_load(&l.paused); i++)
                usleep(10000);
        ok(atomic_load(&l.paused), "the informer thread is blocked in a handler");
        usleep(1500000); /* the server ends that watch meanwhile */
        ok(cm_delete("inf-c", "gone") >= 0, "delete while not watching");
        ok(cm_put("inf-c", "changed", "2", NULL) >= 0, "update while not watching");
        ok(cm_put("inf-c", "new", "1", NULL) >= 0, "create while not watching");
        usleep(1200000);
        /* The history keeps at least 16 events: push the old ones out. */
        int fill = 0;
        for (int i = 0; i < 40; i++) {
                char name[32];
                snprintf(name, sizeof name, "fill-%d", i);
                if (cm_put("default", name, "x", NULL) >= 0)
                        fill++;
        }
        is_int(fill, 40, "40 writes elsewhere move the history on");
        atomic_store(&l.release, true);
        ok(evlog_wait(&l, 4 + 1 + 3, 10000), "the relist delivered 3 changes");
        _cleanup_free_ char *s = evlog_since(&l, 5);
        is_str(s, "delete inf-c/gone 1 unknown; update inf-c/changed 1>2; add inf-c/new 1",
               "relist differences: delete (final state unknown), update, add");
        informer_stats st = informer_get_stats(inf);
        ok(st.expired >= 1, "%lu 410 seen", st.expired);
        is_int(st.lists, 2, "one relist");
        is_int(informer_len(inf), 4, "cache: kept, changed, new, pause");
        _cleanup_(informer_object_unrefp) informer_object *o = informer_get(inf, "inf-c/changed");
        ok(o && streq_ptr(json_get_str(o->json, "data", "v", NULL), "2"), "cache has the update");
        /* And the informer goes on watching. */
        ok(cm_put("inf-c", "kept", "2", NULL) >= 0, "update after the relist");
        ok(evlog_wait(&l, 9, 5000), "watched again after the relist");
        _cleanup_free_ char *s2 = evlog_since(&l, 8);
        is_str(s2, "update inf-c/kept 1>2", "event after the relist");
        informer_factory_stop(f);
        evlog_done(&l);
}

/* A server that goes away: wait_for_sync times out, then the informer
 * syncs once a server answers (backoff). */
static void test_no_server(void) {
        _cleanup_(informer_factory_freep) informer_factory *f = NULL;
        informer *inf = NULL;
        http_client_options o = { .max_attempts = 1, .connect_timeout_ms = 500 };
        ok(informer_factory_new_with(
                   "http://127.0.0.1:1", &o,
                   &(informer_factory_options){ .backoff_initial_ms = 20, .backoff_max_ms = 50 },
                   &f, NULL) >= 0 &&
                   informer_factory_add(f, "/api/v1/pods", NULL, &inf, NULL) >= 0 &&
                   informer_factory_start(f, NULL) >= 0,
           "informer on a closed port");
        is_int(informer_factory_wait_for_sync(f, 500), -ETIMEDOUT, "wait_for_sync times out");
        informer_stats st = informer_get_stats(inf);
        ok(st.errors >= 3, "%lu failed LISTs retried with backoff", st.errors);
        informer_factory_stop(f);
        is_int(informer_factory_wait_for_sync(f, 500), -ECANCELED, "stopped: wait gives up");
}

int main(void) {
        (void)test_server_start;
        char dir[] = "/tmp/timonier-informer-XXXXXX";
        if (!mkdtemp(dir)) {
                perror("mkdtemp");
                return 1;
        }
        pid_t pid = test_server_start_with(dir, "--history-seconds=1", url, sizeof url);
        if (pid < 0) {
                tap_skip("timonier-apiserver did not start");
                test_rmdir(dir);
                return tap_done();
        }
        http_client_options o = { .timeout_ms = 5000 };
        if (http_client_new(url, &o, &api, NULL) < 0) {
                test_server_stop(pid);
                test_rmdir(dir);
                return 1;
        }
        test_basics();
        test_resync_and_rewatch();
        test_relist_after_expired();
        test_no_server();
        http_client_free(api);
        test_server_stop(pid);
        test_rmdir(dir);
        return tap_done();
}
