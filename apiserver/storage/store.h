/* SPDX-License-Identifier: Apache-2.0 */
/* The storage backend interface of the API server (doc/storage.md).
 *
 * A store maps string keys (`/registry/pods/default/web-0`) to byte values
 * and stamps every change with one cluster-wide, monotonic int64 revision:
 * the resourceVersion. The layer above serializes objects and copies the
 * revision a write returns into metadata.resourceVersion.
 *
 * A backend is a const vtable (store_ops) behind `struct store`; callers use
 * only the store_*() functions below, which validate arguments once for every
 * backend. SQLite (sqlite.c) is the embedded default; etcd v3 slots in later.
 *
 * Error codes, the same for every backend:
 *   -EEXIST  create: the key exists
 *   -ENOENT  get/update/delete: no such key
 *   -ESTALE  update/delete: the key's mod_revision is not the expected one
 *            (409 Conflict above)
 *   -EIDRM   the history needed is compacted: a list at an old revision (an
 *            expired continue), or a watch from an old revision (410 Gone,
 *            reason Expired above); the message names the compacted revision
 *   -ERANGE  a revision newer than the current one (list, compact)
 *   -EINVAL  a malformed key or prefix; -E2BIG a value over STORE_VALUE_MAX
 *   -EIO     the backend failed; nothing of the request was applied
 *
 * Every function may be called from any thread; writes from many threads
 * are batched (group commit) by the SQLite backend. */
#ifndef TIMONIER_STORE_H
#define TIMONIER_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cleanup.h"
#include "tmerror.h"

/* Keys are 1..STORE_KEY_MAX bytes of printable ASCII without spaces
 * (0x21..0x7e); etcd's limits for values are 1.5 MiB per request, ours are
 * looser since the API server bounds bodies at 3 MiB. */
#define STORE_KEY_MAX   4096
#define STORE_VALUE_MAX (16u * 1024 * 1024)

typedef struct store store;
typedef struct store_watch store_watch;

typedef struct store_kv {
        char *key;
        void *value; /* value_len bytes, plus a NUL for convenience */
        size_t value_len;
        int64_t create_revision;
        int64_t mod_revision;
} store_kv;

typedef struct store_list_result {
        int64_t revision; /* the list is consistent at this revision */
        bool more;        /* keys remain after the last item (paging) */
        size_t n_items;
        store_kv *items; /* sorted by key */
} store_list_result;

typedef struct store_list_opts {
        const char *prefix;    /* "" lists everything */
        const char *after_key; /* continue: keys strictly after this one; NULL from the start */
        int64_t revision;      /* 0: latest; else consistent at this revision */
        size_t limit;          /* 0: no limit */
} store_list_opts;

typedef enum store_event_type {
        STORE_EVENT_CREATED,  /* PUT of a key that did not exist */
        STORE_EVENT_MODIFIED, /* PUT of an existing key */
        STORE_EVENT_DELETED,
        _STORE_EVENT_TYPE_MAX,
        _STORE_EVENT_TYPE_INVALID = -1,
} store_event_type;

typedef struct store_event {
        store_event_type type;
        char *key;
        int64_t mod_revision;    /* the revision of this event */
        int64_t create_revision; /* of the object created/modified/deleted */
        void *value;             /* new value; NULL for DELETED */
        size_t value_len;
        void *prev_value; /* the value before; NULL for CREATED */
        size_t prev_value_len;
        int64_t prev_mod_revision; /* 0 for CREATED */
} store_event;

typedef struct store_events {
        size_t n;
        store_event ev[];
} store_events;

typedef struct store_stats {
        int64_t revision;       /* current revision */
        int64_t compacted;      /* events up to this revision are gone */
        uint64_t requests;      /* write requests applied or refused */
        uint64_t transactions;  /* committed write transactions (= fsyncs) */
        uint64_t max_batch;     /* most requests committed in one transaction */
        uint64_t compactions;   /* compactions that removed events */
        uint64_t checkpoints;   /* WAL checkpoints (SQLite) */
        uint64_t wal_truncates; /* of which truncated the WAL to zero */
} store_stats;

/* ---- the vtable a backend fills in ---------------------------------------
 * Arguments reaching a backend are already validated. */
typedef struct store_ops {
        const char *name;
        int (*get)(store *s, const char *key, store_kv **ret, tm_error **err);
        int (*list)(store *s, const store_list_opts *o, store_list_result **ret, tm_error **err);
        int (*count)(store *s, const char *prefix, int64_t *ret, tm_error **err);
        int (*create)(store *s, const char *key, const void *value, size_t len, int64_t *ret_rev,
                      tm_error **err);
        int (*update)(store *s, const char *key, const void *value, size_t len, int64_t expected,
                      int64_t *ret_rev, tm_error **err);
        int (*delete)(store *s, const char *key, int64_t expected, int64_t *ret_rev,
                      store_kv **ret_prev, tm_error **err);
        int (*watch)(store *s, const char *prefix, int64_t from, store_watch **ret, tm_error **err);
        int (*compact)(store *s, int64_t revision, tm_error **err);
        int64_t (*current_revision)(store *s);
        void (*stats)(store *s, store_stats *ret);
        void (*close)(store *s);
} store_ops;

struct store {
        const store_ops *ops;
};

typedef struct store_watch_ops {
        int (*next)(store_watch *w, int timeout_ms, store_events **ret, tm_error **err);
        int (*fd)(store_watch *w);
        void (*free)(store_watch *w);
} store_watch_ops;

struct store_watch {
        const store_watch_ops *ops;
};

/* ---- what callers use ---------------------------------------------------- */

/* The value under `key`, with its revisions. */
int store_get(store *s, const char *key, store_kv **ret, tm_error **err);

/* Keys under o->prefix in key order, at most o->limit of them, after
 * o->after_key, consistent at o->revision (or the latest). To page: pass the
 * returned revision and the last key back; that works while the revision is
 * not compacted, and then fails with -EIDRM (upstream's expired continue). */
int store_list(store *s, const store_list_opts *o, store_list_result **ret, tm_error **err);

/* Every key under `prefix`, consistent at `revision` (0: the latest), read
 * `page` keys at a time (0: all at once), each passed to fn in key order;
 * a negative return from fn stops and is returned. *ret_rev (may be NULL)
 * gets the revision the walk was consistent at. */
int store_list_foreach(store *s, const char *prefix, int64_t revision, size_t page,
                       int (*fn)(const store_kv *kv, void *userdata), void *userdata,
                       int64_t *ret_rev, tm_error **err);

/* The number of keys under `prefix` now. */
int store_count(store *s, const char *prefix, int64_t *ret, tm_error **err);

/* Writes. Each returns the revision of its change in *ret_rev (may be NULL). */
int store_create(store *s, const char *key, const void *value, size_t len, int64_t *ret_rev,
                 tm_error **err);
/* `expected`: the mod_revision the caller read; 0 for an unconditional
 * update. -ENOENT if the key is missing, -ESTALE if it has changed. */
int store_update(store *s, const char *key, const void *value, size_t len, int64_t expected,
                 int64_t *ret_rev, tm_error **err);
/* Likewise guarded; *ret_prev (may be NULL) gets the deleted key/value. */
int store_delete(store *s, const char *key, int64_t expected, int64_t *ret_rev, store_kv **ret_prev,
                 tm_error **err);

/* Watch the keys under `prefix` for the changes with a revision > `from`
 * (0: from now). -EIDRM if `from` is older than the compacted revision.
 *
 * Delivery is a pollable queue: store_watch_next() returns the next events in
 * revision order (at most a few hundred at a time), waiting up to
 * `timeout_ms` (0: do not wait, -1: forever) and returning 0 on timeout;
 * store_watch_fd() is readable when new changes may be there, for an event
 * loop that then calls store_watch_next(w, 0, ...). If the watcher falls
 * behind compaction, next() fails with -EIDRM and the watch is over. One
 * thread at a time uses a watch; free every watch before closing the store. */
int store_watch_start(store *s, const char *prefix, int64_t from, store_watch **ret,
                      tm_error **err);
int store_watch_next(store_watch *w, int timeout_ms, store_events **ret, tm_error **err);
int store_watch_fd(store_watch *w);
void store_watch_free(store_watch *w);

/* Forget the history up to and including `revision`: watches and lists at
 * older revisions then fail with -EIDRM. The live keys are untouched. */
int store_compact(store *s, int64_t revision, tm_error **err);

int64_t store_current_revision(store *s);
void store_get_stats(store *s, store_stats *ret);

/* Wait for pending writes, then free. */
void store_close(store *s);

void store_kv_free(store_kv *kv);
void store_list_result_free(store_list_result *l);
void store_events_free(store_events *e);
const char *store_event_type_to_string(store_event_type t);

/* Validation shared by the backends. */
bool store_key_is_valid(const char *key);
bool store_prefix_is_valid(const char *prefix);

DEFINE_CLEANUP_FUNC(store, store_close)
DEFINE_CLEANUP_FUNC(store_kv, store_kv_free)
DEFINE_CLEANUP_FUNC(store_list_result, store_list_result_free)
DEFINE_CLEANUP_FUNC(store_events, store_events_free)
DEFINE_CLEANUP_FUNC(store_watch, store_watch_free)

/* ---- the SQLite backend ----------------------------------------------------
 * (declared here so that callers need no backend header beyond this one) */
typedef struct store_sqlite_options {
        /* Events newer than this stay in the log (watch resume, paging);
         * 0: 150 s. Upstream's watch cache keeps at least 75 s. */
        int64_t history_ms;
        /* A clock in milliseconds for the history window; NULL: the
         * monotonic clock. Tests inject a simulated one. */
        int64_t (*clock_ms)(void *userdata);
        void *clock_userdata;
        /* No timer-driven maintenance: tests call store_sqlite_maintain(). */
        bool manual_maintenance;
        /* Bound on the WAL file; 0: 64 MiB. */
        int64_t wal_limit_bytes;
} store_sqlite_options;

/* Open or create the database at `path` (opts may be NULL). */
int store_sqlite_open(const char *path, const store_sqlite_options *opts, store **ret,
                      tm_error **err);

/* Run maintenance now, in the writer thread: compact the history older than
 * the window, return free pages to the file system if many, checkpoint and
 * truncate the WAL. */
int store_sqlite_maintain(store *s, tm_error **err);

#endif
