/* SPDX-License-Identifier: Apache-2.0 */
/* The store interface on its SQLite backend: CRUD and every error code,
 * revisions, paging at a revision, watches, compaction, concurrent writers
 * and group commit. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apiserver/storage/store.h"
#include "tests/tap.h"

static char tmpdir[] = "/tmp/store_test.XXXXXX";
static char dbpath[256];

static void remove_db(void) {
        char p[300];
        unlink(dbpath);
        snprintf(p, sizeof(p), "%s-wal", dbpath);
        unlink(p);
        snprintf(p, sizeof(p), "%s-shm", dbpath);
        unlink(p);
}

static store *open_store(void) {
        _cleanup_error_ tm_error *err = NULL;
        store_sqlite_options o = { .manual_maintenance = true };
        store *s = NULL;
        int r = store_sqlite_open(dbpath, &o, &s, &err);
        if (r < 0) {
                printf("Bail out! open %s: %s\n", dbpath, tm_error_msg(err));
                exit(1);
        }
        return s;
}

static int create_s(store *s, const char *key, const char *v, int64_t *rev) {
        return store_create(s, key, v, strlen(v), rev, NULL);
}

static int update_s(store *s, const char *key, const char *v, int64_t expected, int64_t *rev) {
        return store_update(s, key, v, strlen(v), expected, rev, NULL);
}

static void test_crud(void) {
        _cleanup_(store_closep) store *s = open_store();
        _cleanup_error_ tm_error *err = NULL;
        int64_t rev = -1, rev2 = -1;

        is_int(store_current_revision(s), 0, "a new store is at revision 0");
        is_int(create_s(s, "/registry/pods/default/web-0", "v1", &rev), 0, "create");
        is_int(rev, 1, "the first write gets revision 1");
        is_int(store_create(s, "/registry/pods/default/web-0", "x", 1, NULL, &err), -EEXIST,
               "create of an existing key: -EEXIST");
        is_str(tm_error_msg(err), "key /registry/pods/default/web-0 already exists",
               "the message names the key");

        _cleanup_(store_kv_freep) store_kv *kv = NULL;
        is_int(store_get(s, "/registry/pods/default/web-0", &kv, NULL), 0, "get");
        is_str(kv ? kv->value : NULL, "v1", "get returns the value");
        is_int(kv ? kv->mod_revision : -1, 1, "mod_revision");
        is_int(kv ? kv->create_revision : -1, 1, "create_revision");
        store_kv *none = NULL;
        is_int(store_get(s, "/registry/pods/default/nope", &none, NULL), -ENOENT,
               "get of a missing key: -ENOENT");
        ok(none == NULL, "ret untouched on failure");

        is_int(update_s(s, "/registry/pods/default/web-0", "v2", 1, &rev), 0,
               "guarded update with the right revision");
        is_int(rev, 2, "update gets the next revision");
        is_int(update_s(s, "/registry/pods/default/web-0", "v3", 1, &rev2), -ESTALE,
               "guarded update with an old revision: -ESTALE");
        is_int(rev2, -1, "ret_rev untouched on conflict");
        is_int(update_s(s, "/registry/pods/default/nope", "v", 0, NULL), -ENOENT,
               "update of a missing key: -ENOENT");
        is_int(update_s(s, "/registry/pods/default/web-0", "v3", 0, &rev), 0,
               "unconditional update");
        is_int(rev, 3, "revision 3");
        store_kv_free(kv);
        kv = NULL;
        store_get(s, "/registry/pods/default/web-0", &kv, NULL);
        is_int(kv ? kv->create_revision : -1, 1, "create_revision survives updates");
        is_int(kv ? kv->mod_revision : -1, 3, "mod_revision follows updates");

        is_int(store_delete(s, "/registry/pods/default/web-0", 2, NULL, NULL, NULL), -ESTALE,
               "guarded delete with an old revision: -ESTALE");
        is_int(store_delete(s, "/registry/pods/default/nope", 0, NULL, NULL, NULL), -ENOENT,
               "delete of a missing key: -ENOENT");
        _cleanup_(store_kv_freep) store_kv *prev = NULL;
        is_int(store_delete(s, "/registry/pods/default/web-0", 3, &rev, &prev, NULL), 0,
               "guarded delete");
        is_int(rev, 4, "delete gets a revision");
        is_str(prev ? prev->value : NULL, "v3", "delete returns the deleted value");
        is_int(prev ? prev->mod_revision : -1, 3, "and its mod_revision");
        is_int(store_get(s, "/registry/pods/default/web-0", &none, NULL), -ENOENT,
               "gone after delete");
        is_int(create_s(s, "/registry/pods/default/web-0", "again", &rev), 0,
               "a deleted key can be created again");
        is_int(rev, 5, "revision 5");

        /* Empty values are values. */
        is_int(store_create(s, "/registry/empty", NULL, 0, NULL, NULL), 0, "create empty value");
        store_kv_free(kv);
        kv = NULL;
        is_int(store_get(s, "/registry/empty", &kv, NULL), 0, "get empty value");
        is_int(kv ? (int64_t)kv->value_len : -1, 0, "empty value has length 0");

        /* Bad arguments change nothing. */
        int64_t before = store_current_revision(s);
        is_int(create_s(s, "", "v", NULL), -EINVAL, "empty key: -EINVAL");
        is_int(create_s(s, "/a b", "v", NULL), -EINVAL, "space in key: -EINVAL");
        is_int(create_s(s, "/a\xc3\xa9", "v", NULL), -EINVAL, "non-ASCII key: -EINVAL");
        is_int(store_get(s, NULL, &none, NULL), -EINVAL, "NULL key: -EINVAL");
        _cleanup_free_ char *longkey = xmalloc(STORE_KEY_MAX + 2);
        memset(longkey, 'k', STORE_KEY_MAX + 1);
        longkey[STORE_KEY_MAX + 1] = 0;
        is_int(create_s(s, longkey, "v", NULL), -EINVAL, "key over STORE_KEY_MAX: -EINVAL");
        longkey[STORE_KEY_MAX] = 0;
        is_int(create_s(s, longkey, "v", NULL), 0, "key of STORE_KEY_MAX bytes is fine");
        before++;
        static char dummy;
        is_int(store_create(s, "/big", &dummy, (size_t)STORE_VALUE_MAX + 1, NULL, NULL), -E2BIG,
               "value over STORE_VALUE_MAX: -E2BIG");
        is_int(update_s(s, "/registry/empty", "v", -1, NULL), -EINVAL,
               "negative expected revision: -EINVAL");
        is_int(store_delete(s, "/registry/empty", -5, NULL, NULL, NULL), -EINVAL,
               "negative expected revision on delete: -EINVAL");
        is_int(store_current_revision(s), before, "refused requests took no revision");

        int64_t n = -1;
        is_int(store_count(s, "/registry/", &n, NULL), 0, "count");
        is_int(n, 2, "count under /registry/");
        is_int(store_count(s, "", &n, NULL), 0, "count everything");
        is_int(n, 3, "three keys in all");
        is_int(store_count(s, "bad prefix", &n, NULL), -EINVAL, "count of a bad prefix: -EINVAL");
}

static void test_single_writer(void) {
        _cleanup_(store_closep) store *s = open_store();
        _cleanup_error_ tm_error *err = NULL;
        store *s2 = NULL;
        is_int(store_sqlite_open(dbpath, NULL, &s2, &err), -EBUSY,
               "a second open of the same database: -EBUSY");
        ok(err && strstr(err->msg, "in use"), "message: %s", tm_error_msg(err));
        store_close(s2);
}

static void test_restart(void) {
        int64_t rev, top;
        {
                _cleanup_(store_closep) store *s = open_store();
                create_s(s, "/r/z-last", "z", &top);
                store_delete(s, "/r/z-last", 0, &top, NULL, NULL);
                is_int(store_compact(s, top, NULL), 0, "compact to the newest revision");
        }
        _cleanup_(store_closep) store *s = open_store();
        is_int(store_current_revision(s), top,
               "the revision survives a restart after deleting the newest key and compacting");
        store_stats st;
        store_get_stats(s, &st);
        is_int(st.compacted, top, "the compacted revision survives a restart");
        is_int(create_s(s, "/r/after", "a", &rev), 0, "write after restart");
        is_int(rev, top + 1, "the revision continues where it stopped");
}

static void check_keys(store_list_result *l, const char *const *want, size_t n, const char *what) {
        bool same = l && l->n_items == n;
        for (size_t i = 0; same && i < n; i++)
                same = streq(l->items[i].key, want[i]);
        ok(same, "%s: %zu keys as expected", what, n);
}

static void test_list(void) {
        _cleanup_(store_closep) store *s = open_store();
        char key[64], val[64];
        for (int i = 0; i < 10; i++) {
                snprintf(key, sizeof(key), "/registry/pods/ns/p%d", i);
                snprintf(val, sizeof(val), "old%d", i);
                create_s(s, key, val, NULL);
        }
        create_s(s, "/registry/pods/nt/x", "other namespace", NULL);
        create_s(s, "/registry/podsecurity/x", "other resource", NULL);

        store_list_opts o = { .prefix = "/registry/pods/ns/", .limit = 4 };
        _cleanup_(store_list_result_freep) store_list_result *l1 = NULL, *l2 = NULL, *l3 = NULL,
                                                             *now = NULL;
        is_int(store_list(s, &o, &l1, NULL), 0, "list page 1");
        const char *p1[] = { "/registry/pods/ns/p0", "/registry/pods/ns/p1", "/registry/pods/ns/p2",
                             "/registry/pods/ns/p3" };
        check_keys(l1, p1, 4, "page 1");
        ok(l1 && l1->more, "page 1 says more");
        int64_t at = l1 ? l1->revision : 0;
        is_int(at, store_current_revision(s), "page 1 is at the current revision");

        /* Writes between the pages must not show in the next ones. */
        update_s(s, "/registry/pods/ns/p5", "new5", 0, NULL);
        store_delete(s, "/registry/pods/ns/p6", 0, NULL, NULL, NULL);
        create_s(s, "/registry/pods/ns/p3a", "new", NULL);
        update_s(s, "/registry/pods/ns/p5", "newer5", 0, NULL);
        store_delete(s, "/registry/pods/ns/p7", 0, NULL, NULL, NULL);
        create_s(s, "/registry/pods/ns/p7", "recreated", NULL);

        o.revision = at;
        o.after_key = "/registry/pods/ns/p3";
        is_int(store_list(s, &o, &l2, NULL), 0, "list page 2 at the first page's revision");
        const char *p2[] = { "/registry/pods/ns/p4", "/registry/pods/ns/p5", "/registry/pods/ns/p6",
                             "/registry/pods/ns/p7" };
        check_keys(l2, p2, 4, "page 2 (as of the old revision)");
        is_str(l2 && l2->n_items == 4 ? l2->items[1].value : NULL, "old5",
               "page 2 has the value as of the old revision");
        is_str(l2 && l2->n_items == 4 ? l2->items[2].value : NULL, "old6",
               "a key deleted since is still listed");
        is_str(l2 && l2->n_items == 4 ? l2->items[3].value : NULL, "old7",
               "a key deleted and recreated since has its old value");
        is_int(l2 && l2->n_items == 4 ? l2->items[3].mod_revision : -1, 8,
               "and its old mod_revision");
        is_int(l2 ? l2->revision : -1, at, "page 2 is at the first page's revision");
        ok(l2 && l2->more, "page 2 says more");
        o.after_key = "/registry/pods/ns/p7";
        is_int(store_list(s, &o, &l3, NULL), 0, "list page 3");
        const char *p3[] = { "/registry/pods/ns/p8", "/registry/pods/ns/p9" };
        check_keys(l3, p3, 2, "page 3");
        ok(l3 && !l3->more, "the last page says no more");

        store_list_opts latest = { .prefix = "/registry/pods/ns/" };
        is_int(store_list(s, &latest, &now, NULL), 0, "list latest without limit");
        const char *cur[] = { "/registry/pods/ns/p0",  "/registry/pods/ns/p1",
                              "/registry/pods/ns/p2",  "/registry/pods/ns/p3",
                              "/registry/pods/ns/p3a", "/registry/pods/ns/p4",
                              "/registry/pods/ns/p5",  "/registry/pods/ns/p7",
                              "/registry/pods/ns/p8",  "/registry/pods/ns/p9" };
        check_keys(now, cur, 10, "latest list");
        is_str(now && now->n_items == 10 ? now->items[6].value : NULL, "newer5",
               "latest list has the latest value");
        ok(now && !now->more, "no more without a limit");
        is_int(now ? now->revision : -1, store_current_revision(s), "at the current revision");

        _cleanup_error_ tm_error *err = NULL;
        store_list_result *bad = NULL;
        store_list_opts future = { .prefix = "/registry/", .revision = 1000 };
        is_int(store_list(s, &future, &bad, NULL), -ERANGE, "list at a future revision: -ERANGE");
        store_list_opts wrong = { .prefix = "/registry/pods/ns/", .after_key = "/other" };
        is_int(store_list(s, &wrong, &bad, NULL), -EINVAL,
               "continue key outside the prefix: -EINVAL");
        is_int(store_compact(s, at + 1, NULL), 0, "compact past the first page's revision");
        o.after_key = "/registry/pods/ns/p3";
        is_int(store_list(s, &o, &bad, &err), -EIDRM, "continue at a compacted revision: -EIDRM");
        ok(err && strstr(err->msg, "compacted revision"),
           "the message names the compacted revision");
        ok(bad == NULL, "nothing returned");
        o.revision = at + 1;
        is_int(store_list(s, &o, &bad, NULL), 0, "a list at the compacted revision itself works");
        store_list_result_free(bad);
}

static void test_watch(void) {
        _cleanup_(store_closep) store *s = open_store();
        create_s(s, "/w/before", "b", NULL);
        int64_t r0 = store_current_revision(s), r;
        create_s(s, "/w/a", "a1", NULL);
        create_s(s, "/x/other", "o", NULL);
        update_s(s, "/w/a", "a2", 0, NULL);
        create_s(s, "/w/b", "b1", NULL);
        store_delete(s, "/w/a", 0, &r, NULL, NULL);

        _cleanup_(store_watch_freep) store_watch *w = NULL;
        is_int(store_watch_start(s, "/w/", r0, &w, NULL), 0, "watch from an old revision");
        _cleanup_(store_events_freep) store_events *e = NULL;
        is_int(store_watch_next(w, 1000, &e, NULL), 4, "4 events under the prefix");
        if (e && e->n == 4) {
                is_int(e->ev[0].type, STORE_EVENT_CREATED, "1: created");
                is_str(e->ev[0].key, "/w/a", "1: key");
                is_str(e->ev[0].value, "a1", "1: value");
                is_int(e->ev[0].mod_revision, r0 + 1, "1: revision");
                is_int(e->ev[1].type, STORE_EVENT_MODIFIED, "2: modified");
                is_str(e->ev[1].value, "a2", "2: new value");
                is_str(e->ev[1].prev_value, "a1", "2: previous value");
                is_int(e->ev[1].prev_mod_revision, r0 + 1, "2: previous revision");
                is_int(e->ev[1].mod_revision, r0 + 3, "2: revision skips the other prefix");
                is_int(e->ev[2].type, STORE_EVENT_CREATED, "3: created");
                is_str(e->ev[2].key, "/w/b", "3: key");
                is_int(e->ev[3].type, STORE_EVENT_DELETED, "4: deleted");
                ok(e->ev[3].value == NULL, "4: no new value");
                is_str(e->ev[3].prev_value, "a2", "4: the deleted value");
                is_int(e->ev[3].mod_revision, r, "4: the delete's revision");
                is_int(e->ev[3].create_revision, r0 + 1, "4: create_revision of the deleted");
        } else {
                for (int i = 0; i < 16; i++)
                        ok(false, "events missing");
        }
        store_events_free(e);
        e = NULL;
        is_int(store_watch_next(w, 0, &e, NULL), 0, "nothing more: 0 without waiting");
        is_int(store_watch_next(w, 50, &e, NULL), 0, "nothing more: 0 after a timeout");

        struct pollfd p = { .fd = store_watch_fd(w), .events = POLLIN };
        create_s(s, "/w/c", "c1", &r);
        ok(poll(&p, 1, 2000) == 1, "the watch fd turns readable after a write");
        is_int(store_watch_next(w, 0, &e, NULL), 1, "one new event");
        is_int(e ? e->ev[0].mod_revision : -1, r, "the new event's revision");
        store_events_free(e);
        e = NULL;

        _cleanup_(store_watch_freep) store_watch *w2 = NULL;
        is_int(store_watch_start(s, "/w/", r - 1, &w2, NULL), 0, "watch from the revision before");
        is_int(store_watch_next(w2, 0, &e, NULL), 1, "gets exactly the events after it");
        store_events_free(e);
        e = NULL;

        _cleanup_(store_watch_freep) store_watch *wnow = NULL;
        is_int(store_watch_start(s, "", 0, &wnow, NULL), 0, "watch from now");
        is_int(store_watch_next(wnow, 0, &e, NULL), 0, "no old events from now");
        store_delete(s, "/w/c", 0, &r, NULL, NULL);
        is_int(store_watch_next(wnow, 1000, &e, NULL), 1, "sees the next write");
        is_int(e ? e->ev[0].type : -1, STORE_EVENT_DELETED, "a delete");
        store_events_free(e);
        e = NULL;

        /* Compaction. */
        _cleanup_error_ tm_error *err = NULL;
        is_int(store_compact(s, r + 5, NULL), -ERANGE, "compact to a future revision: -ERANGE");
        is_int(store_compact(s, r - 1, NULL), 0, "compact");
        store_watch *bad = NULL;
        is_int(store_watch_start(s, "/w/", r - 2, &bad, &err), -EIDRM,
               "watch from before the compacted revision: -EIDRM");
        ok(err && strstr(err->msg, "compacted up to revision"), "message names the revision: %s",
           tm_error_msg(err));
        is_int(store_watch_next(w2, 0, &e, NULL), 1, "a watcher ahead of compaction continues");
        store_events_free(e);
        e = NULL;
        _cleanup_(store_watch_freep) store_watch *w3 = NULL;
        is_int(store_watch_start(s, "/w/", r - 1, &w3, NULL), 0,
               "watch from the compacted revision itself works");
        is_int(store_watch_next(w3, 0, &e, NULL), 1, "and gets the delete");
        store_events_free(e);
        e = NULL;
        /* A watcher left behind by compaction gets -EIDRM. */
        _cleanup_(store_watch_freep) store_watch *slow = NULL;
        store_watch_start(s, "/", r - 1, &slow, NULL);
        create_s(s, "/w/d", "d", NULL);
        create_s(s, "/w/e", "e", &r);
        store_compact(s, r, NULL);
        is_int(store_watch_next(slow, 0, &e, NULL), -EIDRM, "a watcher behind compaction: -EIDRM");
        is_int(store_watch_next(slow, 0, &e, NULL), -EIDRM, "and stays expired");
        store_stats st;
        store_get_stats(s, &st);
        is_int(st.compacted, r, "stats report the compacted revision");
}

/* Many events: a watch returns them in chunks without gaps. */
static void test_watch_many(void) {
        _cleanup_(store_closep) store *s = open_store();
        create_s(s, "/m/before", "b", NULL);
        int64_t r0 = store_current_revision(s);
        char key[32];
        for (int i = 0; i < 700; i++) {
                snprintf(key, sizeof(key), "/m/%04d", i);
                create_s(s, key, "v", NULL);
        }
        _cleanup_(store_watch_freep) store_watch *w = NULL;
        store_watch_start(s, "/m/", r0, &w, NULL);
        int64_t expect = r0 + 1;
        int total = 0, r;
        bool inorder = true;
        store_events *e = NULL;
        while ((r = store_watch_next(w, 0, &e, NULL)) > 0) {
                for (size_t i = 0; i < e->n; i++)
                        inorder &= e->ev[i].mod_revision == expect++;
                total += r;
                store_events_free(e);
                e = NULL;
        }
        is_int(total, 700, "700 events over several chunks");
        ok(inorder, "in revision order without gaps");
}

#define THREADS        16
#define OPS_PER_THREAD 250

typedef struct worker {
        store *s;
        int id;
        int64_t revs[OPS_PER_THREAD];
        int failures;
        char last[64];
} worker;

static void *worker_main(void *arg) {
        worker *w = arg;
        char key[64], val[64];
        int64_t rev = 0;
        /* Each thread: its own key (create, then updates guarded by its own
         * last revision) and one-off keys. */
        snprintf(key, sizeof(key), "/c/t%02d/main", w->id);
        for (int i = 0; i < OPS_PER_THREAD; i++) {
                int r;
                snprintf(val, sizeof(val), "t%d-op%d", w->id, i);
                if (i == 0)
                        r = create_s(w->s, key, val, &rev);
                else if (i % 2)
                        r = update_s(w->s, key, val, rev, &rev);
                else {
                        char k2[64];
                        snprintf(k2, sizeof(k2), "/c/t%02d/k%d", w->id, i);
                        r = create_s(w->s, k2, val, &w->revs[i]);
                        if (r == 0) {
                                store_kv *kv = NULL;
                                if (store_get(w->s, k2, &kv, NULL) < 0 || !streq(kv->value, val))
                                        w->failures++;
                                store_kv_free(kv);
                        }
                        if (r < 0)
                                w->failures++;
                        continue;
                }
                if (r < 0)
                        w->failures++;
                w->revs[i] = rev;
                strcpy(w->last, val);
        }
        return NULL;
}

static int cmp_i64(const void *a, const void *b) {
        int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
        return x < y ? -1 : x > y;
}

static void test_concurrent(void) {
        _cleanup_(store_closep) store *s = open_store();
        store_stats st0, st;
        store_get_stats(s, &st0);
        int64_t r0 = store_current_revision(s);
        worker *w = xcalloc(THREADS, sizeof(*w));
        pthread_t t[THREADS];
        for (int i = 0; i < THREADS; i++) {
                w[i].s = s;
                w[i].id = i;
                pthread_create(&t[i], NULL, worker_main, &w[i]);
        }
        for (int i = 0; i < THREADS; i++)
                pthread_join(t[i], NULL);
        int failures = 0;
        int64_t *all = xcalloc(THREADS * OPS_PER_THREAD, sizeof(int64_t));
        size_t n = 0;
        bool per_thread_increasing = true;
        for (int i = 0; i < THREADS; i++) {
                failures += w[i].failures;
                for (int j = 0; j < OPS_PER_THREAD; j++) {
                        all[n++] = w[i].revs[j];
                        if (j > 0 && w[i].revs[j] <= w[i].revs[j - 1])
                                per_thread_increasing = false;
                }
        }
        is_int(failures, 0, "%d threads x %d writes: all acknowledged", THREADS, OPS_PER_THREAD);
        ok(per_thread_increasing, "each thread sees its revisions increase");
        qsort(all, n, sizeof(*all), cmp_i64);
        bool contiguous = true;
        for (size_t i = 0; i < n; i++)
                contiguous &= all[i] == r0 + 1 + (int64_t)i;
        ok(contiguous, "the %zu revisions are unique and contiguous", n);
        is_int(store_current_revision(s), r0 + (int64_t)n, "current revision counts every write");
        bool present = true;
        for (int i = 0; i < THREADS; i++) {
                char key[64];
                snprintf(key, sizeof(key), "/c/t%02d/main", i);
                store_kv *kv = NULL;
                present &= store_get(s, key, &kv, NULL) == 0 && streq(kv->value, w[i].last) &&
                           kv->mod_revision == w[i].revs[OPS_PER_THREAD - 1];
                store_kv_free(kv);
        }
        ok(present, "every key has its last acknowledged value and revision");
        int64_t count = 0;
        store_count(s, "/c/", &count, NULL);
        is_int(count, THREADS * (OPS_PER_THREAD / 2), "every created key is there");

        store_get_stats(s, &st);
        uint64_t reqs = st.requests - st0.requests, txs = st.transactions - st0.transactions;
        diag("group commit: %" PRIu64 " requests in %" PRIu64 " transactions (max batch %" PRIu64
             ")",
             reqs, txs, st.max_batch);
        is_int(reqs, (int64_t)n, "stats count every write request");
        ok(txs < reqs, "group commit: fewer transactions than requests");
        ok(st.max_batch > 1, "some transaction held several requests");
        free(all);
        free(w);
}

/* 16 threads race to update one key with the same expected revision: one
 * wins, the others get -ESTALE, and no one else's result is harmed. */
typedef struct racer {
        store *s;
        int64_t expected;
        int r;
        pthread_barrier_t *bar;
} racer;

static void *racer_main(void *arg) {
        racer *x = arg;
        pthread_barrier_wait(x->bar);
        x->r = update_s(x->s, "/race", "mine", x->expected, NULL);
        return NULL;
}

static void test_conflicts_in_batch(void) {
        _cleanup_(store_closep) store *s = open_store();
        int64_t rev;
        create_s(s, "/race", "start", &rev);
        pthread_barrier_t bar;
        pthread_barrier_init(&bar, NULL, THREADS);
        racer x[THREADS];
        pthread_t t[THREADS];
        for (int i = 0; i < THREADS; i++) {
                x[i] = (racer){ .s = s, .expected = rev, .bar = &bar };
                pthread_create(&t[i], NULL, racer_main, &x[i]);
        }
        int wins = 0, stale = 0;
        for (int i = 0; i < THREADS; i++) {
                pthread_join(t[i], NULL);
                wins += x[i].r == 0;
                stale += x[i].r == -ESTALE;
        }
        pthread_barrier_destroy(&bar);
        is_int(wins, 1, "one guarded update wins the race");
        is_int(stale, THREADS - 1, "the others get -ESTALE");
        is_int(store_current_revision(s), rev + 1, "only the winner took a revision");
}

int main(void) {
        if (!mkdtemp(tmpdir)) {
                printf("Bail out! mkdtemp\n");
                return 1;
        }
        snprintf(dbpath, sizeof(dbpath), "%s/store.db", tmpdir);

        test_crud();
        test_single_writer();
        test_restart();
        remove_db();
        test_list();
        remove_db();
        test_watch();
        remove_db();
        test_watch_many();
        remove_db();
        test_concurrent();
        test_conflicts_in_batch();
        remove_db();
        rmdir(tmpdir);
        return tap_done();
}
