/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite backend of the store (doc/storage.md).
 *
 * One writer thread owns the only writing connection. Callers enqueue write
 * requests and sleep; the writer takes every queued request, applies them in
 * one transaction (one fsync) and wakes each caller with its own result —
 * group commit. Readers use a pool of other connections: WAL lets them read
 * a consistent snapshot while the writer commits. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <time.h>

#include "apiserver/storage/store.h"

#define SCHEMA_VERSION    1
/* Most requests committed in one transaction: bounds the latency a batch
 * adds to the requests at its end. */
#define MAX_BATCH         1024
/* Events handed to a watcher per store_watch_next() call. */
#define WATCH_CHUNK       256
/* Reader connections kept open when idle. */
#define POOL_MAX          32
/* Samples of (time, revision) used to find the revision at the edge of the
 * history window. */
#define SAMPLES_MAX       1024
/* A PASSIVE checkpoint every this many WAL frames (SQLite's own default). */
#define CHECKPOINT_FRAMES 1000
#define BUSY_TIMEOUT_MS   5000

static const char schema_sql[] =
        "CREATE TABLE IF NOT EXISTS kv ("
        "  key TEXT PRIMARY KEY,"
        "  value BLOB NOT NULL,"
        "  create_rev INTEGER NOT NULL,"
        "  mod_rev INTEGER NOT NULL"
        ") WITHOUT ROWID;"
        /* type: 0 created, 1 modified, 2 deleted. value is NULL for a
         * delete, prev NULL for a create; prev of a modify lets a list be
         * served at a past revision (paging) and watchers see old values. */
        "CREATE TABLE IF NOT EXISTS events ("
        "  rev INTEGER PRIMARY KEY,"
        "  key TEXT NOT NULL,"
        "  type INTEGER NOT NULL,"
        "  value BLOB,"
        "  create_rev INTEGER NOT NULL,"
        "  prev BLOB,"
        "  prev_rev INTEGER NOT NULL"
        ");"
        /* One row: the revision counter lives here rather than being derived
         * from max(rev), so that it survives compaction and the deletion of
         * the newest key. */
        "CREATE TABLE IF NOT EXISTS meta ("
        "  id INTEGER PRIMARY KEY CHECK (id = 0),"
        "  schema INTEGER NOT NULL,"
        "  revision INTEGER NOT NULL,"
        "  compacted INTEGER NOT NULL"
        ");"
        "INSERT OR IGNORE INTO meta VALUES (0, 1, 0, 0);";

typedef enum sql_id {
        SQL_BEGIN,
        SQL_BEGIN_IMMEDIATE,
        SQL_COMMIT,
        SQL_ROLLBACK,
        SQL_META,
        SQL_GET,
        SQL_COUNT,
        SQL_LIST_LATEST,
        SQL_LIST_AT,
        SQL_EVENTS,
        SQL_KV_INSERT,
        SQL_KV_UPDATE,
        SQL_KV_DELETE,
        SQL_EVENT_INSERT,
        SQL_SET_REVISION,
        SQL_COMPACT_EVENTS,
        SQL_SET_COMPACTED,
        _SQL_MAX,
        _SQL_INVALID = -1,
} sql_id;

static const char *const sql_text[_SQL_MAX] = {
        [SQL_BEGIN] = "BEGIN",
        [SQL_BEGIN_IMMEDIATE] = "BEGIN IMMEDIATE",
        [SQL_COMMIT] = "COMMIT",
        [SQL_ROLLBACK] = "ROLLBACK",
        [SQL_META] = "SELECT schema, revision, compacted FROM meta",
        [SQL_GET] = "SELECT value, create_rev, mod_rev FROM kv WHERE key = ?1",
        [SQL_COUNT] = "SELECT count(*) FROM kv WHERE key >= ?1 AND key < ?2",
        [SQL_LIST_LATEST] = "SELECT key, value, create_rev, mod_rev FROM kv"
                            " WHERE key >= ?1 AND key < ?2 ORDER BY key LIMIT ?4",
        /* The keys as they were at revision ?3: the live rows unchanged
         * since, plus, for each key changed since, the value before its
         * first change after ?3 (unless that change created it). */
        [SQL_LIST_AT] = "SELECT key, value, create_rev, mod_rev FROM kv"
                        " WHERE key >= ?1 AND key < ?2 AND mod_rev <= ?3"
                        " UNION ALL"
                        " SELECT e.key, e.prev, e.create_rev, e.prev_rev"
                        " FROM (SELECT min(rev) AS r FROM events"
                        "        WHERE rev > ?3 AND key >= ?1 AND key < ?2 GROUP BY key) AS f"
                        " JOIN events AS e ON e.rev = f.r WHERE e.type != 0"
                        " ORDER BY 1 LIMIT ?4",
        [SQL_EVENTS] = "SELECT rev, key, type, value, create_rev, prev, prev_rev FROM events"
                       " WHERE rev > ?1 AND rev <= ?2 AND key >= ?3 AND key < ?4"
                       " ORDER BY rev LIMIT ?5",
        [SQL_KV_INSERT] =
                "INSERT INTO kv (key, value, create_rev, mod_rev) VALUES (?1, ?2, ?3, ?3)",
        [SQL_KV_UPDATE] = "UPDATE kv SET value = ?2, mod_rev = ?3 WHERE key = ?1",
        [SQL_KV_DELETE] = "DELETE FROM kv WHERE key = ?1",
        [SQL_EVENT_INSERT] =
                "INSERT INTO events (rev, key, type, value, create_rev, prev, prev_rev)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        [SQL_SET_REVISION] = "UPDATE meta SET revision = ?1",
        [SQL_COMPACT_EVENTS] = "DELETE FROM events WHERE rev <= ?1",
        [SQL_SET_COMPACTED] = "UPDATE meta SET compacted = ?1",
};

typedef struct conn {
        sqlite3 *db;
        sqlite3_stmt *stmt[_SQL_MAX];
        struct conn *next;
} conn;

typedef enum wop {
        WOP_CREATE,
        WOP_UPDATE,
        WOP_DELETE,
        WOP_COMPACT,
        WOP_MAINTAIN,
        _WOP_MAX,
        _WOP_INVALID = -1,
} wop;

/* A request to the writer; it lives on the caller's stack while the caller
 * waits. */
typedef struct wreq {
        wop op;
        const char *key;
        const void *value;
        size_t len;
        int64_t expected; /* WOP_UPDATE/DELETE; the target of WOP_COMPACT */
        /* results */
        int r;
        int64_t rev;    /* new revision; the current one on -ESTALE */
        store_kv *prev; /* WOP_DELETE */
        char *errmsg;   /* for backend errors */
        bool done;
        pthread_cond_t cond;
        struct wreq *next;
} wreq;

typedef struct sqlite_store sqlite_store;

typedef struct sqlite_watch {
        store_watch base;
        sqlite_store *s;
        char *lo, *hi; /* the key range of the prefix */
        int64_t next_rev;
        int efd;
        bool expired;
        struct sqlite_watch *prev_w, *next_w;
} sqlite_watch;

struct sqlite_store {
        store base;
        char *path;
        store_sqlite_options opts;
        /* flock()ed: the revision counter is kept in memory by the one
         * writer, so a second process must not write. Closed only after
         * SQLite's connections: closing any descriptor of the file drops
         * the process's POSIX locks, SQLite's included. */
        int lock_fd;
        int64_t wal_limit_frames, checkpoint_frames;

        pthread_mutex_t lock; /* the queue */
        pthread_cond_t work;
        wreq *head, *tail;
        bool stopping;
        pthread_t writer;
        bool writer_started;
        /* PASSIVE checkpoints run on their own connection and thread, so
         * that copying the WAL into the database does not stall writes. */
        pthread_cond_t ckpt_cond;
        bool ckpt_wanted, ckpt_pending;
        uint64_t ckpt_runs, ckpt_runs_seen;
        pthread_t checkpointer;
        bool checkpointer_started;
        conn *ckpt;

        pthread_mutex_t pool_lock;
        conn *pool;
        size_t pool_n;

        pthread_mutex_t watch_lock;
        sqlite_watch *watches;

        /* published with __atomic */
        int64_t revision, compacted;
        uint64_t requests, transactions, max_batch, compactions, checkpoints, wal_truncates;

        /* the writer thread's own */
        conn *w;
        int64_t wal_frames, last_passive_frames;
        int64_t last_compact_ms;
        size_t n_samples;
        int64_t sample_ms[SAMPLES_MAX], sample_rev[SAMPLES_MAX];
};

/* ---- small helpers ---------------------------------------------------------- */

static int sqlite_errno(int rc) {
        switch (rc & 0xff) {
        case SQLITE_FULL:
                return -ENOSPC;
        case SQLITE_NOMEM:
                return -ENOMEM;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return -EBUSY;
        case SQLITE_PERM:
        case SQLITE_READONLY:
                return -EACCES;
        default:
                return -EIO;
        }
}

static int db_error(conn *c, int rc, tm_error **err, const char *what) {
        return tm_error_set(err, sqlite_errno(rc), "%s: %s", what, sqlite3_errmsg(c->db));
}

static int64_t now_monotonic_ms(void *userdata _unused_) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t store_now(sqlite_store *s) {
        return s->opts.clock_ms(s->opts.clock_userdata);
}

static int64_t aload(const int64_t *p) {
        return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void astore(int64_t *p, int64_t v) {
        __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static void acount(uint64_t *p, uint64_t n) {
        __atomic_add_fetch(p, n, __ATOMIC_RELAXED);
}

/* [lo, hi) holds exactly the keys starting with `prefix`: keys are bytes
 * 0x21..0x7e, so bumping the last byte of the prefix cannot overflow, and
 * 0x7f is above every key. */
static char *prefix_end(const char *prefix) {
        size_t n = strlen(prefix);
        if (n == 0)
                return xstrdup("\x7f");
        char *hi = xstrdup(prefix);
        hi[n - 1]++;
        return hi;
}

static void *blob_dup(const void *p, size_t n) {
        char *d = xmalloc(n + 1);
        if (n > 0)
                memcpy(d, p, n);
        d[n] = 0;
        return d;
}

static void *column_blob_dup(sqlite3_stmt *st, int col, size_t *ret_len) {
        const void *p = sqlite3_column_blob(st, col);
        size_t n = (size_t)sqlite3_column_bytes(st, col);
        *ret_len = n;
        return blob_dup(p, n);
}

static int bind_blob(sqlite3_stmt *st, int i, const void *p, size_t n) {
        /* A NULL pointer would bind SQL NULL, not an empty value. */
        return sqlite3_bind_blob64(st, i, p ? p : "", n, SQLITE_STATIC);
}

/* ---- connections ---------------------------------------------------------- */

static sqlite3_stmt *conn_stmt(conn *c, sql_id id) {
        if (!c->stmt[id]) {
                int rc = sqlite3_prepare_v3(c->db, sql_text[id], -1, SQLITE_PREPARE_PERSISTENT,
                                            &c->stmt[id], NULL);
                if (rc != SQLITE_OK)
                        return NULL;
        }
        return c->stmt[id];
}

static void conn_free(conn *c) {
        if (!c)
                return;
        for (size_t i = 0; i < _SQL_MAX; i++)
                sqlite3_finalize(c->stmt[i]);
        sqlite3_close(c->db);
        free(c);
}

/* Run a statement that returns no rows. */
static int conn_exec(conn *c, sql_id id) {
        sqlite3_stmt *st = conn_stmt(c, id);
        if (!st)
                return sqlite3_errcode(c->db) ?: SQLITE_ERROR;
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int conn_open(sqlite_store *s, bool writer, conn **ret, tm_error **err) {
        conn *c = xcalloc(1, sizeof(*c));
        int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (writer ? SQLITE_OPEN_CREATE : 0);
        int rc = sqlite3_open_v2(s->path, &c->db, flags, NULL);
        if (rc != SQLITE_OK) {
                int r = tm_error_set(err, sqlite_errno(rc), "open %s: %s", s->path,
                                     c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
                conn_free(c);
                return r;
        }
        sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
        if (!writer) {
                rc = sqlite3_exec(c->db, "PRAGMA query_only = ON", NULL, NULL, NULL);
                if (rc != SQLITE_OK) {
                        int r = db_error(c, rc, err, "configure reader");
                        conn_free(c);
                        return r;
                }
        }
        *ret = c;
        return 0;
}

static int reader_get(sqlite_store *s, conn **ret, tm_error **err) {
        pthread_mutex_lock(&s->pool_lock);
        conn *c = s->pool;
        if (c) {
                s->pool = c->next;
                s->pool_n--;
        }
        pthread_mutex_unlock(&s->pool_lock);
        if (c) {
                *ret = c;
                return 0;
        }
        return conn_open(s, false, ret, err);
}

static void reader_put(sqlite_store *s, conn *c) {
        /* Never hand back a connection inside a transaction. */
        if (!sqlite3_get_autocommit(c->db))
                sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        pthread_mutex_lock(&s->pool_lock);
        if (s->pool_n < POOL_MAX) {
                c->next = s->pool;
                s->pool = c;
                s->pool_n++;
                c = NULL;
        }
        pthread_mutex_unlock(&s->pool_lock);
        conn_free(c);
}

typedef struct meta {
        int64_t schema, revision, compacted;
} meta;

static int read_meta(conn *c, meta *ret) {
        sqlite3_stmt *st = conn_stmt(c, SQL_META);
        if (!st)
                return sqlite3_errcode(c->db) ?: SQLITE_ERROR;
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                ret->schema = sqlite3_column_int64(st, 0);
                ret->revision = sqlite3_column_int64(st, 1);
                ret->compacted = sqlite3_column_int64(st, 2);
                rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
                rc = SQLITE_CORRUPT;
        }
        sqlite3_reset(st);
        return rc;
}

/* ---- the writer ----------------------------------------------------------- */

static void wake_watchers(sqlite_store *s) {
        pthread_mutex_lock(&s->watch_lock);
        for (sqlite_watch *w = s->watches; w; w = w->next_w)
                (void)eventfd_write(w->efd, 1);
        pthread_mutex_unlock(&s->watch_lock);
}

static int wal_hook(void *userdata, sqlite3 *db _unused_, const char *name _unused_, int frames) {
        sqlite_store *s = userdata;
        s->wal_frames = frames;
        return SQLITE_OK;
}

static void checkpoint(sqlite_store *s, bool truncate) {
        int rc = sqlite3_wal_checkpoint_v2(
                s->w->db, NULL, truncate ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE,
                NULL, NULL);
        acount(&s->checkpoints, 1);
        if (truncate && rc == SQLITE_OK) {
                s->wal_frames = 0;
                acount(&s->wal_truncates, 1);
        }
        s->last_passive_frames = s->wal_frames;
}

/* The bound on the WAL. SQLite restarts the WAL from its start at the
 * first write after a checkpoint that copied every frame, which a
 * checkpoint running beside constant writes never does. So: once the WAL
 * holds checkpoint_frames, the checkpointer thread copies them (the bulk of
 * the work and the database fsync) concurrently with writes; when it is
 * done, the writer itself copies the few frames written meanwhile, and the
 * next commit starts the WAL over. A TRUNCATE checkpoint (which waits for
 * readers and holds up writes) caps the WAL if that cannot keep up. */
static void checkpoint_if_needed(sqlite_store *s) {
        if (s->wal_frames < s->last_passive_frames)
                s->last_passive_frames = 0;
        if (s->wal_frames >= s->wal_limit_frames) {
                checkpoint(s, true);
                return;
        }
        if (s->wal_frames < s->last_passive_frames + s->checkpoint_frames)
                return;
        pthread_mutex_lock(&s->lock);
        bool done = s->ckpt_pending && s->ckpt_runs != s->ckpt_runs_seen;
        if (!s->ckpt_pending) {
                s->ckpt_pending = true;
                s->ckpt_runs_seen = s->ckpt_runs;
                s->ckpt_wanted = true;
                pthread_cond_signal(&s->ckpt_cond);
        }
        pthread_mutex_unlock(&s->lock);
        if (done) {
                checkpoint(s, false);
                pthread_mutex_lock(&s->lock);
                s->ckpt_pending = false;
                pthread_mutex_unlock(&s->lock);
        }
}

static void *checkpointer_main(void *userdata) {
        sqlite_store *s = userdata;
        pthread_mutex_lock(&s->lock);
        for (;;) {
                while (!s->ckpt_wanted && !s->stopping)
                        pthread_cond_wait(&s->ckpt_cond, &s->lock);
                if (s->stopping)
                        break;
                s->ckpt_wanted = false;
                pthread_mutex_unlock(&s->lock);
                (void)sqlite3_wal_checkpoint_v2(s->ckpt->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
                                                NULL);
                acount(&s->checkpoints, 1);
                pthread_mutex_lock(&s->lock);
                s->ckpt_runs++;
        }
        pthread_mutex_unlock(&s->lock);
        return NULL;
}

static void record_sample(sqlite_store *s, int64_t rev) {
        int64_t now = store_now(s);
        int64_t step = s->opts.history_ms / 256;
        if (s->n_samples > 0 && now - s->sample_ms[s->n_samples - 1] < step)
                return;
        if (s->n_samples == SAMPLES_MAX) {
                /* Thin out rather than lose the old edge. */
                size_t j = 0;
                for (size_t i = 0; i < SAMPLES_MAX; i += 2, j++) {
                        s->sample_ms[j] = s->sample_ms[i];
                        s->sample_rev[j] = s->sample_rev[i];
                }
                s->n_samples = j;
        }
        s->sample_ms[s->n_samples] = now;
        s->sample_rev[s->n_samples] = rev;
        s->n_samples++;
}

static void fail_request(wreq *q, int r, const char *msg) {
        q->r = r;
        free(q->errmsg);
        q->errmsg = msg ? xstrdup(msg) : NULL;
        store_kv_free(q->prev);
        q->prev = NULL;
}

/* Apply one data request inside the batch transaction as revision `rev`.
 * Returns 0, a refusal (-EEXIST, -ENOENT, -ESTALE: nothing written), or a
 * SQLite result code > 0 on a backend failure. */
static int apply_request(sqlite_store *s, wreq *q, int64_t rev) {
        conn *c = s->w;
        sqlite3_stmt *g = conn_stmt(c, SQL_GET);
        if (!g)
                return SQLITE_ERROR;
        sqlite3_bind_text(g, 1, q->key, -1, SQLITE_STATIC);
        int rc = sqlite3_step(g);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
                sqlite3_reset(g);
                return rc;
        }
        bool exists = rc == SQLITE_ROW;
        int64_t create_rev = 0, mod_rev = 0;
        _cleanup_free_ void *old = NULL;
        size_t old_len = 0;
        if (exists) {
                create_rev = sqlite3_column_int64(g, 1);
                mod_rev = sqlite3_column_int64(g, 2);
                if (q->op != WOP_CREATE)
                        old = column_blob_dup(g, 0, &old_len);
        }
        sqlite3_reset(g);

        if (q->op == WOP_CREATE && exists)
                return -EEXIST;
        if (q->op != WOP_CREATE && !exists)
                return -ENOENT;
        if (q->op != WOP_CREATE && q->expected != 0 && q->expected != mod_rev) {
                q->rev = mod_rev;
                return -ESTALE;
        }

        sqlite3_stmt *kv;
        store_event_type type;
        switch (q->op) {
        case WOP_CREATE:
                kv = conn_stmt(c, SQL_KV_INSERT);
                type = STORE_EVENT_CREATED;
                create_rev = rev;
                break;
        case WOP_UPDATE:
                kv = conn_stmt(c, SQL_KV_UPDATE);
                type = STORE_EVENT_MODIFIED;
                break;
        case WOP_DELETE:
                kv = conn_stmt(c, SQL_KV_DELETE);
                type = STORE_EVENT_DELETED;
                break;
        default:
                return SQLITE_MISUSE;
        }
        sqlite3_stmt *ev = conn_stmt(c, SQL_EVENT_INSERT);
        if (!kv || !ev)
                return SQLITE_ERROR;

        sqlite3_bind_text(kv, 1, q->key, -1, SQLITE_STATIC);
        if (q->op != WOP_DELETE) {
                bind_blob(kv, 2, q->value, q->len);
                sqlite3_bind_int64(kv, 3, rev);
        }
        rc = sqlite3_step(kv);
        sqlite3_clear_bindings(kv);
        sqlite3_reset(kv);
        if (rc != SQLITE_DONE)
                return rc;

        sqlite3_bind_int64(ev, 1, rev);
        sqlite3_bind_text(ev, 2, q->key, -1, SQLITE_STATIC);
        sqlite3_bind_int(ev, 3, type);
        if (q->op != WOP_DELETE)
                bind_blob(ev, 4, q->value, q->len);
        else
                sqlite3_bind_null(ev, 4);
        sqlite3_bind_int64(ev, 5, create_rev);
        if (exists)
                bind_blob(ev, 6, old, old_len);
        else
                sqlite3_bind_null(ev, 6);
        sqlite3_bind_int64(ev, 7, mod_rev);
        rc = sqlite3_step(ev);
        sqlite3_clear_bindings(ev);
        sqlite3_reset(ev);
        if (rc != SQLITE_DONE)
                return rc;

        if (q->op == WOP_DELETE) {
                store_kv *p = xcalloc(1, sizeof(*p));
                p->key = xstrdup(q->key);
                p->value = TAKE_PTR(old);
                p->value_len = old_len;
                p->create_revision = create_rev;
                p->mod_revision = mod_rev;
                q->prev = p;
        }
        return 0;
}

static void run_batch(sqlite_store *s, wreq *batch) {
        conn *c = s->w;
        int64_t base = aload(&s->revision), rev = base;
        uint64_t n = 0;
        int rc = conn_exec(c, SQL_BEGIN_IMMEDIATE);
        wreq *q = batch;
        if (rc == SQLITE_OK) {
                for (; q; q = q->next) {
                        int r = apply_request(s, q, rev + 1);
                        n++;
                        if (r > 0) {
                                rc = r;
                                break;
                        }
                        q->r = r;
                        if (r == 0)
                                q->rev = ++rev;
                }
        }
        if (rc == SQLITE_OK && rev != base) {
                sqlite3_stmt *st = conn_stmt(c, SQL_SET_REVISION);
                if (!st) {
                        rc = SQLITE_ERROR;
                } else {
                        sqlite3_bind_int64(st, 1, rev);
                        rc = sqlite3_step(st);
                        sqlite3_reset(st);
                        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
                }
        }
        /* The acknowledgement below happens only after COMMIT returned,
         * which with synchronous=FULL means after the WAL is fsync'd. */
        if (rc == SQLITE_OK)
                rc = conn_exec(c, SQL_COMMIT);
        if (rc != SQLITE_OK) {
                _cleanup_free_ char *msg =
                        xasprintf("write transaction: %s", sqlite3_errmsg(c->db));
                if (!sqlite3_get_autocommit(c->db))
                        conn_exec(c, SQL_ROLLBACK);
                for (q = batch; q; q = q->next)
                        fail_request(q, sqlite_errno(rc), msg);
                return;
        }
        acount(&s->requests, n);
        if (rev != base) {
                acount(&s->transactions, 1);
                uint64_t m = __atomic_load_n(&s->max_batch, __ATOMIC_RELAXED);
                if (n > m)
                        __atomic_store_n(&s->max_batch, n, __ATOMIC_RELAXED);
                astore(&s->revision, rev);
                record_sample(s, rev);
        }
}

static int compact_to(sqlite_store *s, int64_t target, char **ret_msg) {
        conn *c = s->w;
        if (target > aload(&s->revision)) {
                *ret_msg = xasprintf("cannot compact to revision %" PRId64
                                     ", newer than the current revision %" PRId64,
                                     target, aload(&s->revision));
                return -ERANGE;
        }
        if (target <= aload(&s->compacted))
                return 0;
        int rc = conn_exec(c, SQL_BEGIN_IMMEDIATE);
        sqlite3_stmt *del = conn_stmt(c, SQL_COMPACT_EVENTS),
                     *set = conn_stmt(c, SQL_SET_COMPACTED);
        if (rc == SQLITE_OK && (!del || !set))
                rc = SQLITE_ERROR;
        if (rc == SQLITE_OK) {
                sqlite3_bind_int64(del, 1, target);
                rc = sqlite3_step(del);
                sqlite3_reset(del);
                rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
        }
        if (rc == SQLITE_OK) {
                sqlite3_bind_int64(set, 1, target);
                rc = sqlite3_step(set);
                sqlite3_reset(set);
                rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
        }
        if (rc == SQLITE_OK)
                rc = conn_exec(c, SQL_COMMIT);
        if (rc != SQLITE_OK) {
                *ret_msg = xasprintf("compact: %s", sqlite3_errmsg(c->db));
                if (!sqlite3_get_autocommit(c->db))
                        conn_exec(c, SQL_ROLLBACK);
                return sqlite_errno(rc);
        }
        astore(&s->compacted, target);
        acount(&s->compactions, 1);
        return 0;
}

static int64_t pragma_int(sqlite_store *s, const char *sql) {
        sqlite3_stmt *st = NULL;
        int64_t v = -1;
        if (sqlite3_prepare_v2(s->w->db, sql, -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
                v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        return v;
}

/* Compact the events older than the history window. */
static int compact_by_time(sqlite_store *s, char **ret_msg) {
        int64_t now = store_now(s), cutoff = now - s->opts.history_ms, target = 0;
        size_t i = 0;
        while (i < s->n_samples && s->sample_ms[i] <= cutoff)
                target = s->sample_rev[i++];
        memmove(s->sample_ms, s->sample_ms + i, (s->n_samples - i) * sizeof(int64_t));
        memmove(s->sample_rev, s->sample_rev + i, (s->n_samples - i) * sizeof(int64_t));
        s->n_samples -= i;
        s->last_compact_ms = now;
        if (target == 0)
                return 0;
        int r = compact_to(s, target, ret_msg);
        if (r < 0)
                return r;
        /* Free pages are reused by later writes anyway; give them back to
         * the file system only when they are a large share of the file. */
        int64_t free_pages = pragma_int(s, "PRAGMA freelist_count");
        int64_t pages = pragma_int(s, "PRAGMA page_count");
        if (free_pages > 256 && free_pages * 4 > pages)
                (void)sqlite3_exec(s->w->db, "PRAGMA incremental_vacuum", NULL, NULL, NULL);
        return 0;
}

static void periodic(sqlite_store *s, bool idle) {
        if (s->opts.manual_maintenance)
                return;
        int64_t interval = s->opts.history_ms / 4;
        if (interval < 1000)
                interval = 1000;
        if (store_now(s) - s->last_compact_ms >= interval) {
                _cleanup_free_ char *msg = NULL;
                (void)compact_by_time(s, &msg);
        }
        if (idle && s->wal_frames > 0)
                checkpoint(s, true);
}

static void run_admin(sqlite_store *s, wreq *q) {
        _cleanup_free_ char *msg = NULL;
        int r;
        if (q->op == WOP_COMPACT) {
                r = compact_to(s, q->expected, &msg);
        } else {
                r = compact_by_time(s, &msg);
                checkpoint(s, true);
        }
        q->r = r;
        q->errmsg = TAKE_PTR(msg);
}

static bool is_data_op(wop op) {
        return op == WOP_CREATE || op == WOP_UPDATE || op == WOP_DELETE;
}

static void *writer_main(void *userdata) {
        sqlite_store *s = userdata;
        pthread_mutex_lock(&s->lock);
        for (;;) {
                if (!s->head) {
                        if (s->stopping)
                                break;
                        if (s->opts.manual_maintenance) {
                                pthread_cond_wait(&s->work, &s->lock);
                        } else {
                                struct timespec ts;
                                clock_gettime(CLOCK_MONOTONIC, &ts);
                                ts.tv_sec += 1;
                                int r = pthread_cond_timedwait(&s->work, &s->lock, &ts);
                                if (r == ETIMEDOUT && !s->head && !s->stopping) {
                                        pthread_mutex_unlock(&s->lock);
                                        periodic(s, true);
                                        pthread_mutex_lock(&s->lock);
                                }
                        }
                        continue;
                }

                /* Take every queued data request (up to MAX_BATCH), or one
                 * maintenance request. */
                wreq *batch = s->head, *last = batch;
                size_t n = 1;
                if (is_data_op(batch->op))
                        while (last->next && is_data_op(last->next->op) && n < MAX_BATCH) {
                                last = last->next;
                                n++;
                        }
                s->head = last->next;
                if (!s->head)
                        s->tail = NULL;
                last->next = NULL;
                pthread_mutex_unlock(&s->lock);

                if (is_data_op(batch->op))
                        run_batch(s, batch);
                else
                        run_admin(s, batch);

                pthread_mutex_lock(&s->lock);
                for (wreq *q = batch, *next; q; q = next) {
                        next = q->next;
                        q->done = true;
                        pthread_cond_signal(&q->cond);
                }
                pthread_mutex_unlock(&s->lock);

                /* After the callers are answered: tell watchers, then keep
                 * the WAL and the history bounded. */
                wake_watchers(s);
                checkpoint_if_needed(s);
                periodic(s, false);
                pthread_mutex_lock(&s->lock);
        }
        pthread_mutex_unlock(&s->lock);
        return NULL;
}

/* Queue a request and wait for its result. */
static int submit(sqlite_store *s, wreq *q) {
        q->next = NULL;
        q->done = false;
        q->r = 0;
        pthread_cond_init(&q->cond, NULL);
        pthread_mutex_lock(&s->lock);
        if (s->stopping) {
                pthread_mutex_unlock(&s->lock);
                pthread_cond_destroy(&q->cond);
                q->r = -ESHUTDOWN;
                return q->r;
        }
        if (s->tail)
                s->tail->next = q;
        else
                s->head = q;
        s->tail = q;
        pthread_cond_signal(&s->work);
        while (!q->done)
                pthread_cond_wait(&q->cond, &s->lock);
        pthread_mutex_unlock(&s->lock);
        pthread_cond_destroy(&q->cond);
        return q->r;
}

static int write_result(wreq *q, int64_t *ret_rev, tm_error **err) {
        _cleanup_free_ char *msg = TAKE_PTR(q->errmsg);
        switch (q->r) {
        case 0:
                if (ret_rev)
                        *ret_rev = q->rev;
                return 0;
        case -EEXIST:
                return tm_error_set(err, q->r, "key %s already exists", q->key);
        case -ENOENT:
                return tm_error_set(err, q->r, "key %s not found", q->key);
        case -ESTALE:
                return tm_error_set(err, q->r,
                                    "key %s has revision %" PRId64 ", not the expected %" PRId64,
                                    q->key, q->rev, q->expected);
        case -ESHUTDOWN:
                return tm_error_set(err, q->r, "store is closing");
        default:
                return tm_error_set(err, q->r, "%s", msg ?: "store write failed");
        }
}

#define STORE(p) ((sqlite_store *)(p))

static int sq_create(store *st, const char *key, const void *value, size_t len, int64_t *ret_rev,
                     tm_error **err) {
        wreq q = { .op = WOP_CREATE, .key = key, .value = value, .len = len };
        submit(STORE(st), &q);
        return write_result(&q, ret_rev, err);
}

static int sq_update(store *st, const char *key, const void *value, size_t len, int64_t expected,
                     int64_t *ret_rev, tm_error **err) {
        wreq q = { .op = WOP_UPDATE, .key = key, .value = value, .len = len, .expected = expected };
        submit(STORE(st), &q);
        return write_result(&q, ret_rev, err);
}

static int sq_delete(store *st, const char *key, int64_t expected, int64_t *ret_rev,
                     store_kv **ret_prev, tm_error **err) {
        wreq q = { .op = WOP_DELETE, .key = key, .expected = expected };
        submit(STORE(st), &q);
        _cleanup_(store_kv_freep) store_kv *prev = TAKE_PTR(q.prev);
        int r = write_result(&q, ret_rev, err);
        if (r < 0)
                return r;
        if (ret_prev)
                *ret_prev = TAKE_PTR(prev);
        return 0;
}

static int sq_compact(store *st, int64_t revision, tm_error **err) {
        wreq q = { .op = WOP_COMPACT, .expected = revision };
        submit(STORE(st), &q);
        return write_result(&q, NULL, err);
}

int store_sqlite_maintain(store *st, tm_error **err) {
        wreq q = { .op = WOP_MAINTAIN };
        submit(STORE(st), &q);
        return write_result(&q, NULL, err);
}

/* ---- reads -------------------------------------------------------------- */

static int sq_get(store *st, const char *key, store_kv **ret, tm_error **err) {
        sqlite_store *s = STORE(st);
        conn *c;
        int r = reader_get(s, &c, err);
        if (r < 0)
                return r;
        sqlite3_stmt *g = conn_stmt(c, SQL_GET);
        if (!g) {
                r = db_error(c, sqlite3_errcode(c->db), err, "get");
                reader_put(s, c);
                return r;
        }
        sqlite3_bind_text(g, 1, key, -1, SQLITE_STATIC);
        int rc = sqlite3_step(g);
        if (rc == SQLITE_ROW) {
                store_kv *kv = xcalloc(1, sizeof(*kv));
                kv->key = xstrdup(key);
                kv->value = column_blob_dup(g, 0, &kv->value_len);
                kv->create_revision = sqlite3_column_int64(g, 1);
                kv->mod_revision = sqlite3_column_int64(g, 2);
                *ret = kv;
                r = 0;
        } else if (rc == SQLITE_DONE) {
                r = tm_error_set(err, -ENOENT, "key %s not found", key);
        } else {
                r = db_error(c, rc, err, "get");
        }
        sqlite3_reset(g);
        reader_put(s, c);
        return r;
}

static int sq_count(store *st, const char *prefix, int64_t *ret, tm_error **err) {
        sqlite_store *s = STORE(st);
        _cleanup_free_ char *hi = prefix_end(prefix);
        conn *c;
        int r = reader_get(s, &c, err);
        if (r < 0)
                return r;
        sqlite3_stmt *q = conn_stmt(c, SQL_COUNT);
        if (!q) {
                r = db_error(c, sqlite3_errcode(c->db), err, "count");
                reader_put(s, c);
                return r;
        }
        sqlite3_bind_text(q, 1, prefix, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, hi, -1, SQLITE_STATIC);
        int rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
                *ret = sqlite3_column_int64(q, 0);
                r = 0;
        } else {
                r = db_error(c, rc, err, "count");
        }
        sqlite3_reset(q);
        reader_put(s, c);
        return r;
}

static int list_in_txn(conn *c, const store_list_opts *o, store_list_result **ret, tm_error **err) {
        meta m;
        int rc = read_meta(c, &m);
        if (rc != SQLITE_OK)
                return db_error(c, rc, err, "list");
        int64_t at = o->revision ?: m.revision;
        if (at > m.revision)
                return tm_error_set(err, -ERANGE,
                                    "revision %" PRId64
                                    " is newer than the current revision %" PRId64,
                                    at, m.revision);
        if (at < m.compacted)
                return tm_error_set(err, -EIDRM,
                                    "revision %" PRId64 " is compacted (compacted revision %" PRId64
                                    ")",
                                    at, m.compacted);

        _cleanup_free_ char *lo =
                o->after_key ? xasprintf("%s\x01", o->after_key) : xstrdup(o->prefix);
        _cleanup_free_ char *hi = prefix_end(o->prefix);
        sqlite3_stmt *q = conn_stmt(c, at == m.revision ? SQL_LIST_LATEST : SQL_LIST_AT);
        if (!q)
                return db_error(c, sqlite3_errcode(c->db), err, "list");
        int64_t limit = o->limit > 0 && o->limit < INT64_MAX ? (int64_t)o->limit + 1 : -1;
        sqlite3_bind_text(q, 1, lo, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, hi, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 3, at);
        sqlite3_bind_int64(q, 4, limit);

        store_list_result *l = xcalloc(1, sizeof(*l));
        size_t cap = 0;
        l->revision = at;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
                if (o->limit > 0 && l->n_items == o->limit) {
                        l->more = true;
                        continue;
                }
                if (l->n_items == cap) {
                        cap = cap ? cap * 2 : 16;
                        l->items = xreallocarray(l->items, cap, sizeof(*l->items));
                }
                store_kv *kv = &l->items[l->n_items++];
                kv->key = xstrdup((const char *)sqlite3_column_text(q, 0));
                kv->value = column_blob_dup(q, 1, &kv->value_len);
                kv->create_revision = sqlite3_column_int64(q, 2);
                kv->mod_revision = sqlite3_column_int64(q, 3);
        }
        sqlite3_reset(q);
        if (rc != SQLITE_DONE) {
                store_list_result_free(l);
                return db_error(c, rc, err, "list");
        }
        *ret = l;
        return 0;
}

static int sq_list(store *st, const store_list_opts *o, store_list_result **ret, tm_error **err) {
        sqlite_store *s = STORE(st);
        conn *c;
        int r = reader_get(s, &c, err);
        if (r < 0)
                return r;
        /* One read transaction: the revision and the rows come from the
         * same snapshot. */
        int rc = conn_exec(c, SQL_BEGIN);
        if (rc != SQLITE_OK)
                r = db_error(c, rc, err, "list");
        else
                r = list_in_txn(c, o, ret, err);
        if (rc == SQLITE_OK)
                conn_exec(c, SQL_COMMIT);
        reader_put(s, c);
        return r;
}

static int64_t sq_current_revision(store *st) {
        return aload(&STORE(st)->revision);
}

static void sq_stats(store *st, store_stats *ret) {
        sqlite_store *s = STORE(st);
        ret->revision = aload(&s->revision);
        ret->compacted = aload(&s->compacted);
        ret->requests = __atomic_load_n(&s->requests, __ATOMIC_RELAXED);
        ret->transactions = __atomic_load_n(&s->transactions, __ATOMIC_RELAXED);
        ret->max_batch = __atomic_load_n(&s->max_batch, __ATOMIC_RELAXED);
        ret->compactions = __atomic_load_n(&s->compactions, __ATOMIC_RELAXED);
        ret->checkpoints = __atomic_load_n(&s->checkpoints, __ATOMIC_RELAXED);
        ret->wal_truncates = __atomic_load_n(&s->wal_truncates, __ATOMIC_RELAXED);
}

/* ---- watches ------------------------------------------------------------ */

#define WATCH(p) ((sqlite_watch *)(p))

/* Read the next events after w->next_rev from the log, in one snapshot. */
static int watch_read(sqlite_watch *w, conn *c, store_events **ret, tm_error **err) {
        meta m;
        int rc = read_meta(c, &m);
        if (rc != SQLITE_OK)
                return db_error(c, rc, err, "watch");
        if (w->next_rev < m.compacted) {
                w->expired = true;
                return tm_error_set(err, -EIDRM,
                                    "watch from revision %" PRId64
                                    ": history compacted up to revision %" PRId64,
                                    w->next_rev, m.compacted);
        }
        if (m.revision <= w->next_rev)
                return 0;
        sqlite3_stmt *q = conn_stmt(c, SQL_EVENTS);
        if (!q)
                return db_error(c, sqlite3_errcode(c->db), err, "watch");
        sqlite3_bind_int64(q, 1, w->next_rev);
        sqlite3_bind_int64(q, 2, m.revision);
        sqlite3_bind_text(q, 3, w->lo, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, w->hi, -1, SQLITE_STATIC);
        sqlite3_bind_int(q, 5, WATCH_CHUNK);

        _cleanup_(store_events_freep) store_events *evs =
                xcalloc(1, sizeof(*evs) + WATCH_CHUNK * sizeof(store_event));
        while ((rc = sqlite3_step(q)) == SQLITE_ROW && evs->n < WATCH_CHUNK) {
                store_event *e = &evs->ev[evs->n++];
                int type = sqlite3_column_int(q, 2);
                e->type = type >= 0 && type < _STORE_EVENT_TYPE_MAX ? (store_event_type)type
                                                                    : _STORE_EVENT_TYPE_INVALID;
                e->mod_revision = sqlite3_column_int64(q, 0);
                e->key = xstrdup((const char *)sqlite3_column_text(q, 1));
                if (sqlite3_column_type(q, 3) != SQLITE_NULL)
                        e->value = column_blob_dup(q, 3, &e->value_len);
                e->create_revision = sqlite3_column_int64(q, 4);
                if (sqlite3_column_type(q, 5) != SQLITE_NULL)
                        e->prev_value = column_blob_dup(q, 5, &e->prev_value_len);
                e->prev_mod_revision = sqlite3_column_int64(q, 6);
        }
        sqlite3_reset(q);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW)
                return db_error(c, rc, err, "watch");
        /* A full chunk may have more after it; otherwise everything up to
         * the snapshot's revision has been seen. */
        w->next_rev = evs->n == WATCH_CHUNK ? evs->ev[evs->n - 1].mod_revision : m.revision;
        if (evs->n == 0)
                return 0;
        int n = (int)evs->n;
        *ret = TAKE_PTR(evs);
        return n;
}

static int watch_poll_once(sqlite_watch *w, store_events **ret, tm_error **err) {
        conn *c;
        int r = reader_get(w->s, &c, err);
        if (r < 0)
                return r;
        int rc = conn_exec(c, SQL_BEGIN);
        if (rc != SQLITE_OK)
                r = db_error(c, rc, err, "watch");
        else
                r = watch_read(w, c, ret, err);
        if (rc == SQLITE_OK)
                conn_exec(c, SQL_COMMIT);
        reader_put(w->s, c);
        return r;
}

static int sq_watch_next(store_watch *ww, int timeout_ms, store_events **ret, tm_error **err) {
        sqlite_watch *w = WATCH(ww);
        if (w->expired)
                return tm_error_set(err, -EIDRM, "watch expired: history compacted");
        int64_t deadline = timeout_ms > 0 ? now_monotonic_ms(NULL) + timeout_ms : 0;
        for (;;) {
                eventfd_t v;
                /* Drain before reading so that a commit after the read
                 * leaves the fd readable. */
                (void)eventfd_read(w->efd, &v);
                store_events *evs = NULL;
                int r = watch_poll_once(w, &evs, err);
                if (r != 0) {
                        if (r > 0)
                                *ret = evs;
                        return r;
                }
                int wait = -1;
                if (timeout_ms == 0)
                        return 0;
                if (timeout_ms > 0) {
                        int64_t left = deadline - now_monotonic_ms(NULL);
                        if (left <= 0)
                                return 0;
                        wait = (int)left;
                }
                struct pollfd p = { .fd = w->efd, .events = POLLIN };
                r = poll(&p, 1, wait);
                if (r < 0 && errno != EINTR)
                        return tm_error_set_errno(err, -errno, "watch: poll");
        }
}

static int sq_watch_fd(store_watch *ww) {
        return WATCH(ww)->efd;
}

static void sq_watch_free(store_watch *ww) {
        sqlite_watch *w = WATCH(ww);
        sqlite_store *s = w->s;
        pthread_mutex_lock(&s->watch_lock);
        if (w->prev_w)
                w->prev_w->next_w = w->next_w;
        else
                s->watches = w->next_w;
        if (w->next_w)
                w->next_w->prev_w = w->prev_w;
        pthread_mutex_unlock(&s->watch_lock);
        close(w->efd);
        free(w->lo);
        free(w->hi);
        free(w);
}

static const store_watch_ops sqlite_watch_ops = {
        .next = sq_watch_next,
        .fd = sq_watch_fd,
        .free = sq_watch_free,
};

static int sq_watch(store *st, const char *prefix, int64_t from, store_watch **ret,
                    tm_error **err) {
        sqlite_store *s = STORE(st);
        int64_t compacted = aload(&s->compacted);
        if (from > 0 && from < compacted)
                return tm_error_set(err, -EIDRM,
                                    "watch from revision %" PRId64
                                    ": history compacted up to revision %" PRId64,
                                    from, compacted);
        int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (efd < 0)
                return tm_error_set_errno(err, -errno, "watch: eventfd");
        sqlite_watch *w = xcalloc(1, sizeof(*w));
        w->base.ops = &sqlite_watch_ops;
        w->s = s;
        w->efd = efd;
        w->lo = xstrdup(prefix);
        w->hi = prefix_end(prefix);
        w->next_rev = from ?: aload(&s->revision);
        pthread_mutex_lock(&s->watch_lock);
        w->next_w = s->watches;
        if (s->watches)
                s->watches->prev_w = w;
        s->watches = w;
        pthread_mutex_unlock(&s->watch_lock);
        *ret = &w->base;
        return 0;
}

/* ---- open and close --------------------------------------------------------- */

static void sq_close(store *st) {
        sqlite_store *s = STORE(st);
        if (s->writer_started) {
                pthread_mutex_lock(&s->lock);
                s->stopping = true;
                pthread_cond_signal(&s->work);
                pthread_mutex_unlock(&s->lock);
                pthread_join(s->writer, NULL);
        }
        if (s->checkpointer_started) {
                pthread_mutex_lock(&s->lock);
                s->stopping = true;
                pthread_cond_signal(&s->ckpt_cond);
                pthread_mutex_unlock(&s->lock);
                pthread_join(s->checkpointer, NULL);
        }
        conn_free(s->ckpt);
        while (s->pool) {
                conn *c = s->pool;
                s->pool = c->next;
                conn_free(c);
        }
        /* The last connection to close checkpoints and removes the WAL. */
        conn_free(s->w);
        if (s->lock_fd >= 0)
                close(s->lock_fd);
        pthread_mutex_destroy(&s->lock);
        pthread_cond_destroy(&s->work);
        pthread_cond_destroy(&s->ckpt_cond);
        pthread_mutex_destroy(&s->pool_lock);
        pthread_mutex_destroy(&s->watch_lock);
        free(s->path);
        free(s);
}

static const store_ops sqlite_store_ops = {
        .name = "sqlite",
        .get = sq_get,
        .list = sq_list,
        .count = sq_count,
        .create = sq_create,
        .update = sq_update,
        .delete = sq_delete,
        .watch = sq_watch,
        .compact = sq_compact,
        .current_revision = sq_current_revision,
        .stats = sq_stats,
        .close = sq_close,
};

static int pragma_exec(conn *c, const char *sql, tm_error **err) {
        int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
        if (rc != SQLITE_OK)
                return tm_error_set(err, sqlite_errno(rc), "%s: %s", sql, sqlite3_errmsg(c->db));
        return 0;
}

static int setup_writer(sqlite_store *s, tm_error **err) {
        conn *c = s->w;
        int r;
        /* Must precede the first table of a new database; a no-op later. */
        r = pragma_exec(c, "PRAGMA auto_vacuum = INCREMENTAL", err);
        if (r < 0)
                return r;
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(c->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK ||
            sqlite3_step(st) != SQLITE_ROW ||
            strcmp((const char *)sqlite3_column_text(st, 0), "wal") != 0) {
                sqlite3_finalize(st);
                return tm_error_set(err, -EIO, "%s: cannot switch to WAL mode: %s", s->path,
                                    sqlite3_errmsg(c->db));
        }
        sqlite3_finalize(st);
        /* FULL, never NORMAL: in WAL mode NORMAL does not fsync the WAL at
         * each commit, so a power loss can roll back transactions that were
         * already acknowledged to clients. FULL syncs before COMMIT returns,
         * and group commit shares that fsync between concurrent writers. */
        r = pragma_exec(c, "PRAGMA synchronous = FULL", err);
        if (r < 0)
                return r;
        _cleanup_free_ char *limit =
                xasprintf("PRAGMA journal_size_limit = %" PRId64, s->opts.wal_limit_bytes);
        r = pragma_exec(c, limit, err);
        if (r < 0)
                return r;
        r = pragma_exec(c, schema_sql, err);
        if (r < 0)
                return tm_error_wrap(err, r, "create schema in %s", s->path);

        meta m;
        int rc = read_meta(c, &m);
        if (rc != SQLITE_OK)
                return db_error(c, rc, err, "read store metadata");
        if (m.schema != SCHEMA_VERSION)
                return tm_error_set(err, -EPROTO, "%s: unknown schema version %" PRId64, s->path,
                                    m.schema);
        s->revision = m.revision;
        s->compacted = m.compacted;
        int64_t page_size = pragma_int(s, "PRAGMA page_size");
        if (page_size <= 0)
                page_size = 4096;
        s->wal_limit_frames = s->opts.wal_limit_bytes / page_size;
        if (s->wal_limit_frames < 64)
                s->wal_limit_frames = 64;
        s->checkpoint_frames = CHECKPOINT_FRAMES;
        if (s->checkpoint_frames > s->wal_limit_frames / 2)
                s->checkpoint_frames = s->wal_limit_frames / 2;
        /* Replaces SQLite's automatic checkpoint: checkpoint_if_needed()
         * does it, with a hard bound. */
        sqlite3_wal_hook(c->db, wal_hook, s);
        return 0;
}

int store_sqlite_open(const char *path, const store_sqlite_options *opts, store **ret,
                      tm_error **err) {
        if (!path || !*path)
                return tm_error_set(err, -EINVAL, "no store path");
        if (!sqlite3_threadsafe())
                return tm_error_set(err, -ENOTSUP, "SQLite was built without thread support");

        sqlite_store *s = xcalloc(1, sizeof(*s));
        s->base.ops = &sqlite_store_ops;
        s->path = xstrdup(path);
        s->lock_fd = -1;
        if (opts)
                s->opts = *opts;
        if (s->opts.history_ms <= 0)
                s->opts.history_ms = 150 * 1000;
        if (!s->opts.clock_ms)
                s->opts.clock_ms = now_monotonic_ms;
        if (s->opts.wal_limit_bytes <= 0)
                s->opts.wal_limit_bytes = 64 * 1024 * 1024;
        pthread_mutex_init(&s->lock, NULL);
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&s->work, &ca);
        pthread_condattr_destroy(&ca);
        pthread_cond_init(&s->ckpt_cond, NULL);
        pthread_mutex_init(&s->pool_lock, NULL);
        pthread_mutex_init(&s->watch_lock, NULL);
        s->last_compact_ms = store_now(s);

        /* Created here, 0600: the store holds Secrets. */
        int r = 0;
        {
                s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
                if (s->lock_fd < 0)
                        r = tm_error_set_errno(err, -errno, "open %s", path);
                else if (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0)
                        r = errno == EWOULDBLOCK
                                    ? tm_error_set(err, -EBUSY, "%s is in use by another process",
                                                   path)
                                    : tm_error_set_errno(err, -errno, "lock %s", path);
        }
        if (r >= 0)
                r = conn_open(s, true, &s->w, err);
        if (r >= 0)
                r = setup_writer(s, err);
        if (r >= 0)
                r = conn_open(s, true, &s->ckpt, err);
        if (r >= 0) {
                r = -pthread_create(&s->checkpointer, NULL, checkpointer_main, s);
                if (r < 0)
                        tm_error_set_errno(err, r, "start the store checkpointer");
                else
                        s->checkpointer_started = true;
        }
        if (r >= 0) {
                r = -pthread_create(&s->writer, NULL, writer_main, s);
                if (r < 0)
                        tm_error_set_errno(err, r, "start the store writer");
                else
                        s->writer_started = true;
        }
        if (r < 0) {
                sq_close(&s->base);
                return r;
        }
        *ret = &s->base;
        return 0;
}
