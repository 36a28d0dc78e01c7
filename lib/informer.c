/* SPDX-License-Identifier: Apache-2.0 */
/* Informers (lib/informer.h, doc/informer.md). */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "informer.h"
#include "strbuf.h"
#include "strmap.h"
#include "util.h"

#define DEFAULT_PAGE_SIZE       500
#define DEFAULT_BACKOFF_INIT_MS 200
#define DEFAULT_BACKOFF_MAX_MS  30000
#define MAX_POLL_MS             500
#define MAX_LIST_PAGES          100000

typedef enum state {
        ST_LIST,     /* LIST due at due_ms */
        ST_WATCH,    /* watch to (re)start at due_ms */
        ST_WATCHING, /* a watch runs */
        _ST_MAX,
        _ST_INVALID = -1,
} state;

typedef struct index {
        char *name;
        informer_index_fn fn;
        void *userdata;
        strmap *values; /* index value -> strmap of key -> informer_object* (borrowed) */
} index_t;

struct informer {
        informer_factory *factory;
        char *path;
        char *selectors; /* "&labelSelector=..&fieldSelector=.." or "" */
        informer_options opts;

        informer_handlers *handlers;
        size_t n_handlers;
        index_t *indexes;
        size_t n_indexes;

        pthread_rwlock_t lock; /* guards items, indexes' values, rv, stats */
        strmap *items;         /* key -> informer_object* (one reference) */
        char *rv;
        informer_stats stats;
        atomic_bool synced;

        /* factory thread only */
        state st;
        int64_t due_ms;
        long backoff_ms;
        http_watch *watch;
        int64_t watch_started_ms;
        unsigned long watch_events;
        bool expired; /* a 410 came on the current watch */
        int64_t next_resync_ms;
};

struct informer_factory {
        http_client *client;
        http_watcher *watcher;
        informer_factory_options opts;
        informer **infs;
        size_t n_infs;

        pthread_t thread;
        bool started;
        bool running;
        atomic_bool stopping;
        unsigned seed;

        pthread_mutex_t sync_lock;
        pthread_cond_t sync_cond;
        bool stopped; /* guarded by sync_lock */
};

/* A change to hand to the handlers once the cache is unlocked. */
typedef enum note_type { NOTE_ADD, NOTE_UPDATE, NOTE_DELETE, NOTE_DELETE_UNKNOWN } note_type;
typedef struct note {
        note_type type;
        informer_object *old_obj, *new_obj; /* references */
} note;
typedef struct notes {
        note *v;
        size_t n, cap;
} notes;

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- objects ------------------------------------------------------------ */

informer_object *informer_object_ref(informer_object *o) {
        if (o)
                atomic_fetch_add(&o->refs, 1);
        return o;
}

void informer_object_unref(informer_object *o) {
        if (!o || atomic_fetch_sub(&o->refs, 1) != 1)
                return;
        json_free(o->json);
        free(o->key);
        free(o);
}

void informer_objects_free(informer_object **v, size_t n) {
        for (size_t i = 0; i < n; i++)
                informer_object_unref(v[i]);
        free(v);
}

char *informer_key_of(const json *obj) {
        const char *name = json_get_str(obj, "metadata", "name", NULL);
        if (!name || !*name)
                return NULL;
        const char *ns = json_get_str(obj, "metadata", "namespace", NULL);
        return ns && *ns ? xasprintf("%s/%s", ns, name) : xstrdup(name);
}

/* Takes obj; NULL (obj freed) if it has no name. */
static informer_object *object_new(json *obj) {
        char *key = informer_key_of(obj);
        if (!key) {
                json_free(obj);
                return NULL;
        }
        informer_object *o = xcalloc(1, sizeof *o);
        o->key = key;
        o->json = obj;
        atomic_init(&o->refs, 1);
        return o;
}

static void object_unref_void(void *p) {
        informer_object_unref(p);
}

char **informer_index_pod_node(const json *obj, _unused_ void *userdata) {
        const char *node = json_get_str(obj, "spec", "nodeName", NULL);
        char **v = xcalloc(2, sizeof *v);
        v[0] = xstrdup(node ? node : "");
        return v;
}

char **informer_index_namespace(const json *obj, _unused_ void *userdata) {
        const char *ns = json_get_str(obj, "metadata", "namespace", NULL);
        char **v = xcalloc(2, sizeof *v);
        v[0] = xstrdup(ns ? ns : "");
        return v;
}

/* --- cache (write lock held) -------------------------------------------- */

static void index_insert(index_t *ix, informer_object *o) {
        _cleanup_strv_ char **vals = ix->fn(o->json, ix->userdata);
        for (char **p = vals; p && *p; p++) {
                strmap *set = strmap_get(ix->values, *p);
                if (!set) {
                        set = strmap_new();
                        strmap_put(ix->values, *p, set);
                }
                strmap_put(set, o->key, o);
        }
}

static void index_erase(index_t *ix, informer_object *o) {
        _cleanup_strv_ char **vals = ix->fn(o->json, ix->userdata);
        for (char **p = vals; p && *p; p++) {
                strmap *set = strmap_get(ix->values, *p);
                if (!set)
                        continue;
                if (strmap_get(set, o->key) == o)
                        strmap_remove(set, o->key, NULL);
                if (strmap_size(set) == 0) {
                        strmap_remove(ix->values, *p, NULL);
                        strmap_free(set);
                }
        }
}

/* Store o (takes its reference); returns the replaced object's reference or NULL. */
static informer_object *cache_put(informer *inf, informer_object *o) {
        informer_object *old = strmap_put(inf->items, o->key, o);
        for (size_t i = 0; i < inf->n_indexes; i++) {
                if (old)
                        index_erase(&inf->indexes[i], old);
                index_insert(&inf->indexes[i], o);
        }
        return old;
}

static informer_object *cache_remove(informer *inf, const char *key) {
        informer_object *old = strmap_remove(inf->items, key, NULL);
        if (old)
                for (size_t i = 0; i < inf->n_indexes; i++)
                        index_erase(&inf->indexes[i], old);
        return old;
}

static void set_rv(informer *inf, const char *rv) {
        if (rv && *rv && !streq_ptr(inf->rv, rv)) {
                free(inf->rv);
                inf->rv = xstrdup(rv);
        }
}

/* --- notifications (factory thread, cache unlocked) --------------------- */

static void notes_push(notes *ns, note_type t, informer_object *old_obj, informer_object *new_obj) {
        if (ns->n == ns->cap) {
                ns->cap = ns->cap ? ns->cap * 2 : 16;
                ns->v = xreallocarray(ns->v, ns->cap, sizeof *ns->v);
        }
        ns->v[ns->n++] = (note){ t, old_obj, new_obj };
}

static void notes_deliver(informer *inf, notes *ns) {
        for (size_t i = 0; i < ns->n; i++) {
                note *n = &ns->v[i];
                for (size_t h = 0; h < inf->n_handlers; h++) {
                        informer_handlers *hd = &inf->handlers[h];
                        switch (n->type) {
                        case NOTE_ADD:
                                if (hd->on_add)
                                        hd->on_add(inf, n->new_obj, hd->userdata);
                                break;
                        case NOTE_UPDATE:
                                if (hd->on_update)
                                        hd->on_update(inf, n->old_obj, n->new_obj, hd->userdata);
                                break;
                        case NOTE_DELETE:
                        case NOTE_DELETE_UNKNOWN:
                                if (hd->on_delete)
                                        hd->on_delete(inf, n->old_obj,
                                                      n->type == NOTE_DELETE_UNKNOWN, hd->userdata);
                                break;
                        }
                }
                informer_object_unref(n->old_obj);
                informer_object_unref(n->new_obj);
        }
        free(ns->v);
        *ns = (notes){ 0 };
}

/* --- factory ------------------------------------------------------------ */

int informer_factory_new_with(const char *base_url, const http_client_options *client_opts,
                              const informer_factory_options *opts, informer_factory **ret,
                              tm_error **err) {
        _cleanup_(http_client_freep) http_client *c = NULL;
        int r = http_client_new(base_url, client_opts, &c, err);
        if (r < 0)
                return r;
        _cleanup_(http_watcher_freep) http_watcher *w = NULL;
        r = http_watcher_new(&w, err);
        if (r < 0)
                return r;
        informer_factory *f = xcalloc(1, sizeof *f);
        f->client = TAKE_PTR(c);
        f->watcher = TAKE_PTR(w);
        if (opts)
                f->opts = *opts;
        if (f->opts.backoff_initial_ms <= 0)
                f->opts.backoff_initial_ms = DEFAULT_BACKOFF_INIT_MS;
        if (f->opts.backoff_max_ms <= 0)
                f->opts.backoff_max_ms = DEFAULT_BACKOFF_MAX_MS;
        if (f->opts.backoff_max_ms < f->opts.backoff_initial_ms)
                f->opts.backoff_max_ms = f->opts.backoff_initial_ms;
        f->seed = (unsigned)now_ms() ^ (unsigned)(uintptr_t)f;
        pthread_mutex_init(&f->sync_lock, NULL);
        pthread_cond_init(&f->sync_cond, NULL);
        *ret = f;
        return 0;
}

int informer_factory_new(const char *base_url, const http_client_options *client_opts,
                         informer_factory **ret, tm_error **err) {
        return informer_factory_new_with(base_url, client_opts, NULL, ret, err);
}

http_client *informer_factory_client(informer_factory *f) {
        return f->client;
}

static void informer_free(informer *inf) {
        if (!inf)
                return;
        for (size_t i = 0; i < inf->n_indexes; i++) {
                index_t *ix = &inf->indexes[i];
                strmap_free_full(ix->values, (void (*)(void *))strmap_free);
                free(ix->name);
        }
        free(inf->indexes);
        free(inf->handlers);
        strmap_free_full(inf->items, object_unref_void);
        pthread_rwlock_destroy(&inf->lock);
        free(inf->rv);
        free(inf->path);
        free(inf->selectors);
        free((char *)inf->opts.label_selector);
        free((char *)inf->opts.field_selector);
        free(inf);
}

void informer_factory_free(informer_factory *f) {
        if (!f)
                return;
        informer_factory_stop(f);
        http_watcher_free(f->watcher); /* removes the watches first */
        for (size_t i = 0; i < f->n_infs; i++)
                informer_free(f->infs[i]);
        free(f->infs);
        http_client_free(f->client);
        pthread_mutex_destroy(&f->sync_lock);
        pthread_cond_destroy(&f->sync_cond);
        free(f);
}

static void query_escape(strbuf *b, const char *s) {
        static const char hex[] = "0123456789ABCDEF";
        for (; *s; s++) {
                unsigned char c = (unsigned char)*s;
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == '~')
                        strbuf_putc(b, (char)c);
                else {
                        strbuf_putc(b, '%');
                        strbuf_putc(b, hex[c >> 4]);
                        strbuf_putc(b, hex[c & 15]);
                }
        }
}

int informer_factory_add(informer_factory *f, const char *path, const informer_options *opts,
                         informer **ret, tm_error **err) {
        if (f->started)
                return tm_error_set(err, -EBUSY, "add informer %s: the factory is started",
                                    path ? path : "");
        if (!path || path[0] != '/' || strpbrk(path, "?# "))
                return tm_error_set(err, -EINVAL,
                                    "invalid informer path \"%s\": must start with / and "
                                    "carry no query",
                                    path ? path : "");
        informer *inf = xcalloc(1, sizeof *inf);
        inf->factory = f;
        inf->path = xstrdup(path);
        if (opts)
                inf->opts = *opts;
        inf->opts.label_selector = opts && opts->label_selector && *opts->label_selector
                                           ? xstrdup(opts->label_selector)
                                           : NULL;
        inf->opts.field_selector = opts && opts->field_selector && *opts->field_selector
                                           ? xstrdup(opts->field_selector)
                                           : NULL;
        if (inf->opts.page_size == 0)
                inf->opts.page_size = DEFAULT_PAGE_SIZE;
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        strbuf_puts(&b, "");
        if (inf->opts.label_selector) {
                strbuf_puts(&b, "&labelSelector=");
                query_escape(&b, inf->opts.label_selector);
        }
        if (inf->opts.field_selector) {
                strbuf_puts(&b, "&fieldSelector=");
                query_escape(&b, inf->opts.field_selector);
        }
        inf->selectors = strbuf_take(&b, NULL);
        inf->items = strmap_new();
        pthread_rwlock_init(&inf->lock, NULL);
        atomic_init(&inf->synced, false);
        inf->st = ST_LIST;
        inf->backoff_ms = f->opts.backoff_initial_ms;

        f->infs = xreallocarray(f->infs, f->n_infs + 1, sizeof *f->infs);
        f->infs[f->n_infs++] = inf;
        if (ret)
                *ret = inf;
        return 0;
}

int informer_add_handlers(informer *inf, const informer_handlers *h, tm_error **err) {
        if (inf->factory->started)
                return tm_error_set(err, -EBUSY, "informer %s: handlers must be added before start",
                                    inf->path);
        inf->handlers = xreallocarray(inf->handlers, inf->n_handlers + 1, sizeof *inf->handlers);
        inf->handlers[inf->n_handlers++] = *h;
        return 0;
}

int informer_add_index(informer *inf, const char *name, informer_index_fn fn, void *userdata,
                       tm_error **err) {
        if (inf->factory->started)
                return tm_error_set(err, -EBUSY, "informer %s: indexes must be added before start",
                                    inf->path);
        if (!name || !fn)
                return tm_error_set(err, -EINVAL,
                                    "informer %s: an index needs a name and a function", inf->path);
        for (size_t i = 0; i < inf->n_indexes; i++)
                if (streq(inf->indexes[i].name, name))
                        return tm_error_set(err, -EEXIST, "informer %s: index \"%s\" exists",
                                            inf->path, name);
        inf->indexes = xreallocarray(inf->indexes, inf->n_indexes + 1, sizeof *inf->indexes);
        inf->indexes[inf->n_indexes++] = (index_t){
                .name = xstrdup(name), .fn = fn, .userdata = userdata, .values = strmap_new()
        };
        return 0;
}

bool informer_has_synced(informer *inf) {
        return atomic_load(&inf->synced);
}

const char *informer_path(const informer *inf) {
        return inf->path;
}

/* --- cache reads --------------------------------------------------------- */

informer_object *informer_get(informer *inf, const char *key) {
        pthread_rwlock_rdlock(&inf->lock);
        informer_object *o = informer_object_ref(strmap_get(inf->items, key));
        pthread_rwlock_unlock(&inf->lock);
        return o;
}

size_t informer_len(informer *inf) {
        pthread_rwlock_rdlock(&inf->lock);
        size_t n = strmap_size(inf->items);
        pthread_rwlock_unlock(&inf->lock);
        return n;
}

static void collect(const strmap *m, informer_object ***ret, size_t *ret_n) {
        size_t n = strmap_size(m), i = 0;
        informer_object **v = xcalloc(n ? n : 1, sizeof *v);
        strmap_iter it = STRMAP_ITER_INIT;
        void *val;
        while (i < n && strmap_next(m, &it, NULL, &val))
                v[i++] = informer_object_ref(val);
        *ret = v;
        *ret_n = i;
}

void informer_list(informer *inf, informer_object ***ret, size_t *ret_n) {
        pthread_rwlock_rdlock(&inf->lock);
        collect(inf->items, ret, ret_n);
        pthread_rwlock_unlock(&inf->lock);
}

int informer_by_index(informer *inf, const char *index, const char *value, informer_object ***ret,
                      size_t *ret_n) {
        for (size_t i = 0; i < inf->n_indexes; i++) {
                if (!streq(inf->indexes[i].name, index))
                        continue;
                pthread_rwlock_rdlock(&inf->lock);
                collect(strmap_get(inf->indexes[i].values, value), ret, ret_n);
                pthread_rwlock_unlock(&inf->lock);
                return 0;
        }
        return -ENOENT;
}

char *informer_resource_version(informer *inf) {
        pthread_rwlock_rdlock(&inf->lock);
        char *rv = inf->rv ? xstrdup(inf->rv) : NULL;
        pthread_rwlock_unlock(&inf->lock);
        return rv;
}

informer_stats informer_get_stats(informer *inf) {
        pthread_rwlock_rdlock(&inf->lock);
        informer_stats s = inf->stats;
        pthread_rwlock_unlock(&inf->lock);
        return s;
}

static void stat_add(informer *inf, unsigned long *field) {
        pthread_rwlock_wrlock(&inf->lock);
        (*field)++;
        pthread_rwlock_unlock(&inf->lock);
}

/* --- list, watch, resync (factory thread) ------------------------------- */

static long backoff_next(informer *inf) {
        informer_factory *f = inf->factory;
        long base = inf->backoff_ms;
        /* jitter: up to +100% */
        long d = base + (long)((double)base * ((double)rand_r(&f->seed) / RAND_MAX));
        inf->backoff_ms = base * 2 > f->opts.backoff_max_ms ? f->opts.backoff_max_ms : base * 2;
        return d;
}

static void mark_synced(informer *inf) {
        if (atomic_load(&inf->synced))
                return;
        informer_factory *f = inf->factory;
        pthread_mutex_lock(&f->sync_lock);
        atomic_store(&inf->synced, true);
        pthread_cond_broadcast(&f->sync_cond);
        pthread_mutex_unlock(&f->sync_lock);
}

/* A LIST's objects: by key, and in the order of the answer. */
typedef struct listed {
        strmap *items;           /* key -> informer_object* (one reference) */
        informer_object **order; /* borrowed from items */
        size_t n, cap;
} listed;

static void listed_done(listed *l) {
        strmap_free_full(l->items, object_unref_void);
        free(l->order);
        *l = (listed){ 0 };
}

static void listed_add(listed *l, informer_object *o) {
        informer_object_unref(strmap_put(l->items, o->key, o));
        if (l->n == l->cap) {
                l->cap = l->cap ? l->cap * 2 : 64;
                l->order = xreallocarray(l->order, l->cap, sizeof *l->order);
        }
        l->order[l->n++] = o;
}

/* LIST every page; *ret_rv gets the list's resourceVersion. */
static int list_all(informer *inf, listed *ret, char **ret_rv, tm_error **err) {
        informer_factory *f = inf->factory;
        listed items = { .items = strmap_new() };
        _cleanup_free_ char *cont = NULL, *rv = NULL;
        bool restarted = false;
        for (unsigned page = 0;; page++) {
                if (page >= MAX_LIST_PAGES) {
                        listed_done(&items);
                        return tm_error_set(err, -E2BIG, "list %s: too many pages", inf->path);
                }
                _cleanup_strbuf_ strbuf q = STRBUF_INIT;
                strbuf_printf(&q, "%s?limit=%u%s", inf->path, inf->opts.page_size, inf->selectors);
                if (cont) {
                        strbuf_puts(&q, "&continue=");
                        query_escape(&q, cont);
                }
                _cleanup_json_ json *list = NULL;
                int r = http_get_json(f->client, q.data, &list, err);
                if (r == -EIDRM && cont && !restarted) {
                        /* The continue token expired: list again from the start. */
                        listed_done(&items);
                        items.items = strmap_new();
                        free(TAKE_PTR(cont));
                        restarted = true;
                        page = 0;
                        continue;
                }
                if (r >= 0 && !json_is_array(json_object_get(list, "items")))
                        r = tm_error_set(err, -EBADMSG, "list %s: no items in the answer",
                                         inf->path);
                if (r < 0) {
                        listed_done(&items);
                        return r;
                }
                /* List items carry no kind: give them the list's, as a watch would. */
                const char *kind = json_object_get_string(list, "kind");
                const char *api_version = json_object_get_string(list, "apiVersion");
                _cleanup_free_ char *item_kind = NULL;
                if (kind && endswith(kind, "List"))
                        item_kind = xstrndup(kind, strlen(kind) - 4);
                json *arr = json_object_get(list, "items");
                for (size_t i = 0; i < json_array_len(arr); i++) {
                        json *item = json_copy(json_array_get(arr, i));
                        if (!json_is_object(item)) {
                                json_free(item);
                                continue;
                        }
                        if (item_kind && !json_object_get(item, "kind")) {
                                json_object_set_string(item, "kind", item_kind);
                                if (api_version && !json_object_get(item, "apiVersion"))
                                        json_object_set_string(item, "apiVersion", api_version);
                        }
                        informer_object *o = object_new(item);
                        if (!o)
                                continue;
                        listed_add(&items, o);
                }
                const char *lrv = json_get_str(list, "metadata", "resourceVersion", NULL);
                if (lrv) {
                        free(rv);
                        rv = xstrdup(lrv);
                }
                const char *next = json_get_str(list, "metadata", "continue", NULL);
                free(TAKE_PTR(cont));
                if (!next || !*next)
                        break;
                cont = xstrdup(next);
        }
        *ret = items;
        *ret_rv = TAKE_PTR(rv);
        return 0;
}

static const char *obj_rv(const informer_object *o) {
        return json_get_str(o->json, "metadata", "resourceVersion", NULL);
}

/* Replace the cache with a LIST's items; differences become notes. */
static void replace(informer *inf, listed *l, const char *rv, notes *ns) {
        pthread_rwlock_wrlock(&inf->lock);
        /* Gone since: deletions whose final state is unknown. */
        size_t n_gone = 0;
        char **gone = xcalloc(strmap_size(inf->items) + 1, sizeof *gone);
        strmap_iter it = STRMAP_ITER_INIT;
        const char *key;
        while (strmap_next(inf->items, &it, &key, NULL))
                if (!strmap_contains(l->items, key))
                        gone[n_gone++] = xstrdup(key);
        for (size_t i = 0; i < n_gone; i++) {
                informer_object *old = cache_remove(inf, gone[i]);
                notes_push(ns, NOTE_DELETE_UNKNOWN, old, NULL);
        }
        strv_free(gone);

        for (size_t i = 0; i < l->n; i++) {
                informer_object *o = l->order[i];
                if (strmap_get(l->items, o->key) != o)
                        continue; /* a key listed twice: the last wins */
                informer_object *cur = strmap_get(inf->items, o->key);
                if (cur && streq_ptr(obj_rv(cur), obj_rv(o)))
                        continue; /* unchanged */
                informer_object *old = cache_put(inf, informer_object_ref(o));
                notes_push(ns, old ? NOTE_UPDATE : NOTE_ADD, old, informer_object_ref(o));
        }
        set_rv(inf, rv);
        inf->stats.lists++;
        pthread_rwlock_unlock(&inf->lock);
}

static int watch_event(http_watch *w, const char *type, json **object, void *userdata);
static void watch_end(http_watch *w, int error, const tm_error *err, void *userdata);

static void start_watch(informer *inf) {
        informer_factory *f = inf->factory;
        long timeout_s = inf->opts.watch_timeout_s;
        if (timeout_s <= 0)
                timeout_s = 300 + rand_r(&f->seed) % 300;
        _cleanup_free_ char *path = xasprintf("%s?allowWatchBookmarks=true&timeoutSeconds=%ld%s",
                                              inf->path, timeout_s, inf->selectors);
        _cleanup_free_ char *rv = informer_resource_version(inf);
        _cleanup_error_ tm_error *err = NULL;
        inf->expired = false;
        inf->watch_events = 0;
        inf->watch_started_ms = now_ms();
        int r = http_watcher_add(f->watcher, f->client, path, rv, watch_event, watch_end, inf,
                                 &inf->watch, &err);
        if (r < 0) {
                stat_add(inf, &inf->stats.errors);
                inf->watch = NULL;
                inf->st = ST_WATCH;
                inf->due_ms = now_ms() + backoff_next(inf);
                return;
        }
        stat_add(inf, &inf->stats.watches);
        inf->st = ST_WATCHING;
}

static void do_list(informer *inf) {
        _cleanup_error_ tm_error *err = NULL;
        listed items = { 0 };
        _cleanup_free_ char *rv = NULL;
        int r = list_all(inf, &items, &rv, &err);
        if (r < 0) {
                stat_add(inf, &inf->stats.errors);
                inf->due_ms = now_ms() + backoff_next(inf);
                return;
        }
        notes ns = { 0 };
        replace(inf, &items, rv, &ns);
        listed_done(&items);
        notes_deliver(inf, &ns);
        mark_synced(inf);
        inf->backoff_ms = inf->factory->opts.backoff_initial_ms;
        if (inf->opts.resync_period_ms > 0 && inf->next_resync_ms == 0)
                inf->next_resync_ms = now_ms() + inf->opts.resync_period_ms;
        start_watch(inf);
}

static void do_resync(informer *inf) {
        informer_object **v;
        size_t n;
        informer_list(inf, &v, &n);
        for (size_t i = 0; i < n; i++)
                for (size_t h = 0; h < inf->n_handlers; h++)
                        if (inf->handlers[h].on_update)
                                inf->handlers[h].on_update(inf, v[i], v[i],
                                                           inf->handlers[h].userdata);
        informer_objects_free(v, n);
        inf->next_resync_ms = now_ms() + inf->opts.resync_period_ms;
}

static int watch_event(http_watch *w, const char *type, json **object, void *userdata) {
        informer *inf = userdata;
        if (w != inf->watch)
                return 0;
        if (streq(type, "ERROR")) {
                long code = (long)json_object_get_int(*object, "code", 0);
                if (code == 410)
                        inf->expired = true;
                return -EPROTO; /* ends this watch; watch_end decides */
        }
        const char *rv = json_get_str(*object, "metadata", "resourceVersion", NULL);
        if (streq(type, "BOOKMARK")) {
                pthread_rwlock_wrlock(&inf->lock);
                set_rv(inf, rv);
                pthread_rwlock_unlock(&inf->lock);
                return 0;
        }
        bool del = streq(type, "DELETED");
        if (!del && !streq(type, "ADDED") && !streq(type, "MODIFIED"))
                return 0; /* unknown type: skip */
        informer_object *o = object_new(TAKE_PTR(*object));
        if (!o)
                return 0;
        notes ns = { 0 };
        pthread_rwlock_wrlock(&inf->lock);
        if (del) {
                informer_object *old = cache_remove(inf, o->key);
                informer_object_unref(old);
                /* The event carries the final state. */
                notes_push(&ns, NOTE_DELETE, o, NULL);
        } else {
                informer_object *old = cache_put(inf, o);
                notes_push(&ns, old ? NOTE_UPDATE : NOTE_ADD, old, informer_object_ref(o));
        }
        set_rv(inf, rv);
        inf->stats.events++;
        pthread_rwlock_unlock(&inf->lock);
        inf->watch_events++;
        notes_deliver(inf, &ns);
        return 0;
}

static void watch_end(http_watch *w, int error, _unused_ const tm_error *err, void *userdata) {
        informer *inf = userdata;
        if (w != inf->watch)
                return;
        inf->watch = NULL;
        int64_t now = now_ms();
        if (inf->expired || error == -EIDRM) {
                stat_add(inf, &inf->stats.expired);
                inf->st = ST_LIST; /* relist at once */
                inf->due_ms = now;
                return;
        }
        if (error == 0 && (inf->watch_events > 0 || now - inf->watch_started_ms >= 1000)) {
                inf->backoff_ms = inf->factory->opts.backoff_initial_ms;
                inf->st = ST_WATCH; /* the server ended it: resume at once */
                inf->due_ms = now;
                return;
        }
        stat_add(inf, &inf->stats.errors);
        inf->st = ST_WATCH;
        inf->due_ms = now + backoff_next(inf);
}

static void *factory_thread(void *arg) {
        informer_factory *f = arg;
        while (!atomic_load(&f->stopping)) {
                int64_t now = now_ms();
                int64_t next = now + MAX_POLL_MS;
                for (size_t i = 0; i < f->n_infs && !atomic_load(&f->stopping); i++) {
                        informer *inf = f->infs[i];
                        if (inf->st == ST_LIST && now >= inf->due_ms)
                                do_list(inf);
                        else if (inf->st == ST_WATCH && now >= inf->due_ms)
                                start_watch(inf);
                        if (inf->st != ST_WATCHING && inf->due_ms < next)
                                next = inf->due_ms;
                        if (inf->next_resync_ms > 0 && atomic_load(&inf->synced)) {
                                if (now_ms() >= inf->next_resync_ms)
                                        do_resync(inf);
                                if (inf->next_resync_ms < next)
                                        next = inf->next_resync_ms;
                        }
                        now = now_ms();
                }
                long timeout = next > now ? (long)(next - now) : 0;
                if (timeout > MAX_POLL_MS)
                        timeout = MAX_POLL_MS;
                int r = http_watcher_run_once(f->watcher, (int)timeout, NULL);
                if (r == -ECANCELED)
                        break;
        }
        pthread_mutex_lock(&f->sync_lock);
        f->stopped = true;
        pthread_cond_broadcast(&f->sync_cond);
        pthread_mutex_unlock(&f->sync_lock);
        return NULL;
}

int informer_factory_start(informer_factory *f, tm_error **err) {
        if (f->started)
                return tm_error_set(err, -EALREADY, "informer factory already started");
        f->started = true;
        atomic_store(&f->stopping, false);
        int r = pthread_create(&f->thread, NULL, factory_thread, f);
        if (r != 0)
                return tm_error_set_errno(err, -r, "start informer thread");
        f->running = true;
        return 0;
}

void informer_factory_stop(informer_factory *f) {
        if (!f->running)
                return;
        atomic_store(&f->stopping, true);
        http_watcher_stop(f->watcher);
        pthread_join(f->thread, NULL);
        f->running = false;
        /* End the watches now; the caches stay. */
        for (size_t i = 0; i < f->n_infs; i++)
                if (f->infs[i]->watch) {
                        http_watcher_remove(f->watcher, f->infs[i]->watch);
                        f->infs[i]->watch = NULL;
                }
}

int informer_factory_wait_for_sync(informer_factory *f, long timeout_ms) {
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        if (timeout_ms >= 0) {
                deadline.tv_sec += timeout_ms / 1000;
                deadline.tv_nsec += (timeout_ms % 1000) * 1000000;
                if (deadline.tv_nsec >= 1000000000) {
                        deadline.tv_sec++;
                        deadline.tv_nsec -= 1000000000;
                }
        }
        int r = 0;
        pthread_mutex_lock(&f->sync_lock);
        for (;;) {
                bool all = true;
                for (size_t i = 0; i < f->n_infs; i++)
                        if (!atomic_load(&f->infs[i]->synced))
                                all = false;
                if (all)
                        break;
                if (f->stopped || !f->started) {
                        r = -ECANCELED;
                        break;
                }
                int e = timeout_ms >= 0
                                ? pthread_cond_timedwait(&f->sync_cond, &f->sync_lock, &deadline)
                                : pthread_cond_wait(&f->sync_cond, &f->sync_lock);
                if (e == ETIMEDOUT) {
                        r = -ETIMEDOUT;
                        break;
                }
        }
        pthread_mutex_unlock(&f->sync_lock);
        return r;
}
