/* SPDX-License-Identifier: Apache-2.0 */
/* No acknowledged write is lost: tests/store_crash_helper writes from many
 * threads and prints each write the store acknowledged; we SIGKILL it in
 * the middle, reopen the database and look for every acknowledged write.
 * Several rounds on the same database, killed at different points. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apiserver/storage/store.h"
#include "strbuf.h"
#include "tests/tap.h"

extern char **environ;

#define ROUNDS  4
#define THREADS 32

typedef struct acked {
        char *key;
        int64_t rev;
        char *value;
} acked;

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cmp_i64(const void *a, const void *b) {
        int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
        return x < y ? -1 : x > y;
}

/* Run the helper; kill it once `kill_after` writes are acknowledged. */
static int run_round(const char *helper, const char *db, int round, size_t kill_after, acked **ret,
                     size_t *ret_n, int64_t *ret_start) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
        char rs[16], ts[16];
        snprintf(rs, sizeof(rs), "%d", round);
        snprintf(ts, sizeof(ts), "%d", THREADS);
        char *argv[] = { (char *)helper, (char *)db, rs, ts, NULL };
        pid_t pid;
        int r = posix_spawn(&pid, helper, &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(p[1]);
        if (r != 0) {
                close(p[0]);
                return -r;
        }

        size_t cap = 1024, n = 0;
        acked *a = xcalloc(cap, sizeof(*a));
        char buf[65536];
        size_t have = 0;
        bool killed = false;
        int64_t start = -1, deadline = now_ms() + 60000;
        for (;;) {
                struct pollfd pf = { .fd = p[0], .events = POLLIN };
                if (poll(&pf, 1, 1000) < 0 && errno != EINTR)
                        break;
                if (!killed && now_ms() > deadline) {
                        kill(pid, SIGKILL);
                        killed = true;
                }
                ssize_t k = read(p[0], buf + have, sizeof(buf) - have);
                if (k < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (k <= 0)
                        break;
                have += (size_t)k;
                char *line = buf, *nl;
                while ((nl = memchr(line, '\n', have - (size_t)(line - buf)))) {
                        *nl = 0;
                        char key[256], value[512];
                        int64_t rev;
                        if (sscanf(line, "%255s %" SCNd64 " %511s", key, &rev, value) == 3) {
                                if (streq(key, "/start")) {
                                        start = rev;
                                } else {
                                        if (n == cap)
                                                a = xreallocarray(a, cap *= 2, sizeof(*a));
                                        a[n++] = (acked){ xstrdup(key), rev, xstrdup(value) };
                                }
                        }
                        line = nl + 1;
                }
                have -= (size_t)(line - buf);
                memmove(buf, line, have);
                if (!killed && n >= kill_after) {
                        /* Mid-run: writes are in flight in every thread. */
                        kill(pid, SIGKILL);
                        killed = true;
                }
        }
        close(p[0]);
        int status;
        waitpid(pid, &status, 0);
        *ret = a;
        *ret_n = n;
        *ret_start = start;
        return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? 0 : -ECHILD;
}

int main(int argc _unused_, char **argv) {
        char tmpdir[] = "/tmp/store_crash.XXXXXX";
        if (!mkdtemp(tmpdir)) {
                printf("Bail out! mkdtemp\n");
                return 1;
        }
        char db[256], helper[4096];
        snprintf(db, sizeof(db), "%s/store.db", tmpdir);
        /* The helper is built next to tests/unit/. */
        _cleanup_free_ char *self = xstrdup(argv[0]);
        snprintf(helper, sizeof(helper), "%s/../store_crash_helper", dirname(self));
        if (access(helper, X_OK) < 0) {
                printf("Bail out! %s not found: build it with make check\n", helper);
                return 1;
        }

        int64_t highest = 0;
        const size_t kill_at[ROUNDS] = { 300, 700, 1500, 450 };
        for (int round = 0; round < ROUNDS; round++) {
                acked *a = NULL;
                size_t n = 0;
                int64_t start = -1;
                int r = run_round(helper, db, round, kill_at[round], &a, &n, &start);
                is_int(r, 0, "round %d: helper killed by SIGKILL after %zu acknowledged writes",
                       round, n);
                ok(n >= kill_at[round], "round %d: at least %zu writes acknowledged", round,
                   kill_at[round]);
                ok(start >= highest,
                   "round %d: the store restarted at revision %" PRId64
                   ", not below the highest acknowledged one %" PRId64,
                   round, start, highest);

                _cleanup_error_ tm_error *err = NULL;
                _cleanup_(store_closep) store *s = NULL;
                r = store_sqlite_open(db, NULL, &s, &err);
                is_int(r, 0, "round %d: reopen after the kill %s", round,
                       r < 0 ? tm_error_msg(err) : "");
                if (r < 0)
                        break;
                size_t missing = 0, wrong = 0;
                bool unique = true;
                for (size_t i = 0; i < n; i++) {
                        if (a[i].rev > highest)
                                highest = a[i].rev;
                        store_kv *kv = NULL;
                        if (store_get(s, a[i].key, &kv, NULL) < 0) {
                                if (missing++ < 5)
                                        diag("missing: %s at %" PRId64, a[i].key, a[i].rev);
                                continue;
                        }
                        /* Its content, or a later write of the same key. */
                        if (kv->mod_revision < a[i].rev ||
                            (kv->mod_revision == a[i].rev && !streq(kv->value, a[i].value))) {
                                if (wrong++ < 5)
                                        diag("wrong: %s at %" PRId64 " has revision %" PRId64,
                                             a[i].key, a[i].rev, kv->mod_revision);
                        }
                        store_kv_free(kv);
                }
                int64_t *revs = xcalloc(n + 1, sizeof(int64_t));
                for (size_t i = 0; i < n; i++)
                        revs[i] = a[i].rev;
                qsort(revs, n, sizeof(int64_t), cmp_i64);
                for (size_t i = 1; i < n; i++)
                        unique &= revs[i] != revs[i - 1];
                free(revs);
                is_int(missing, 0, "round %d: every acknowledged key is present", round);
                is_int(wrong, 0, "round %d: with its acknowledged content or a later one", round);
                ok(unique, "round %d: acknowledged revisions are distinct", round);
                ok(store_current_revision(s) >= highest,
                   "round %d: current revision %" PRId64 " >= highest acknowledged %" PRId64, round,
                   store_current_revision(s), highest);
                int64_t rev = 0;
                char key[64];
                snprintf(key, sizeof(key), "/after/%d", round);
                is_int(store_create(s, key, "x", 1, &rev, NULL), 0, "round %d: write after restart",
                       round);
                ok(rev > highest, "round %d: new revision %" PRId64 " > %" PRId64, round, rev,
                   highest);
                highest = rev;
                diag("round %d: %zu acknowledged writes checked, revision now %" PRId64, round, n,
                     rev);
                for (size_t i = 0; i < n; i++) {
                        free(a[i].key);
                        free(a[i].value);
                }
                free(a);
        }

        char p[300];
        unlink(db);
        snprintf(p, sizeof(p), "%s-wal", db);
        unlink(p);
        snprintf(p, sizeof(p), "%s-shm", db);
        unlink(p);
        rmdir(tmpdir);
        return tap_done();
}
