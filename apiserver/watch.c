/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "objmeta.h"
#include "selector.h"
#include "status.h"
#include "storage/store.h"
#include "strbuf.h"
#include "strmap.h"
#include "table.h"
#include "watch.h"

/* ---- cached events ---------------------------------------------------------------- */

/* One change, serialized once for all watchers. The ring keeps only the
 * text: parsed trees exist just while watchers with selectors need them
 * (memory: a tree is several times the size of its text). */
typedef struct cached_event {
        store_event_type type;
        int64_t rev;
        int64_t at_ms; /* when the cache saw it (history window) */
        char *key;
        char *obj_text; /* new state (deleted: the last state), resourceVersion = rev */
        size_t obj_len;
        char *prev_text; /* previous state as stored (no resourceVersion); NULL if created */
        size_t prev_len;
        int64_t prev_rev;
        json *obj, *prev; /* parsed on demand, dropped after delivery */
        bool parsed;
} cached_event;

static void event_drop_parsed(cached_event *e) {
        json_free(e->obj);
        json_free(e->prev);
        e->obj = e->prev = NULL;
        e->parsed = false;
}

static void cached_event_free(cached_event *e) {
        if (!e)
                return;
        event_drop_parsed(e);
        free(e->key);
        free(e->obj_text);
        free(e->prev_text);
        free(e);
}

static void event_parse(cached_event *e);

/* ---- watchers ----------------------------------------------------------------------- */

typedef struct watcher {
        pthread_mutex_t lock;
        int refs; /* the cache's list and the HTTP response */
        struct MHD_Connection *conn;
        struct watch_cache *cache;
        char *prefix; /* key prefix: the namespace, or the resource */
        label_selector *labels;
        field_selector *fields;
        char *name;       /* metadata.name=... narrows to one key */
        int64_t next_rev; /* events with rev < next_rev were sent already */
        bool bookmarks;
        int64_t deadline_ms;
        int64_t last_bookmark_ms;
        strbuf out;
        size_t out_off;
        pthread_cond_t wake; /* data queued or done */
        int fd;              /* the client's socket, to notice it leave */
        bool done;           /* no more events: end the stream once out is drained */
        bool closed;         /* the response is gone */
        bool registered;
        /* kubectl get -w: each event's object as a one-row Table */
        bool table;
        struct table_options table_opts;
        struct table_watch table_state;
        const struct schema_resource *res;
        struct watcher *next; /* in the cache's list */
} watcher;

/* An object as the cache holds it: its serialization (resourceVersion
 * included). */
typedef struct state_entry {
        char *text;
        size_t len;
        int64_t rev;
} state_entry;

static void state_entry_free(void *p) {
        state_entry *e = p;
        if (e)
                free(e->text);
        free(e);
}

typedef struct watch_cache {
        watch_hub *hub;
        const struct schema_resource *res;
        char *prefix;
        store_watch *sw;
        pthread_t thread;
        bool thread_started;
        pthread_mutex_t lock;
        /* history: a ring of events in revision order */
        cached_event **ring;
        size_t ring_cap, ring_start, ring_len;
        int64_t complete_from; /* every event with rev > complete_from is known */
        int64_t last_rev;      /* the last revision the cache has seen */
        strmap *state;         /* key -> state_entry: every object at last_rev */
        watcher *watchers;
        unsigned n_watchers;
        bool stopping;
        struct watch_cache *next;
} watch_cache;

struct watch_hub {
        apiserver *srv;
        int64_t history_ms;
        pthread_mutex_t lock;
        watch_cache *caches;
        bool stopping;
};

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void watcher_unref(watcher *w) {
        pthread_mutex_lock(&w->lock);
        int refs = --w->refs;
        pthread_mutex_unlock(&w->lock);
        if (refs > 0)
                return;
        label_selector_free(w->labels);
        field_selector_free(w->fields);
        free(w->prefix);
        free(w->name);
        strbuf_done(&w->out);
        pthread_cond_destroy(&w->wake);
        pthread_mutex_destroy(&w->lock);
        free(w);
}

/* Queue bytes for the client and wake its connection thread. Call with
 * w->lock. */
static void watcher_push_locked(watcher *w, const char *data, size_t len) {
        if (w->closed || w->done)
                return;
        strbuf_append(&w->out, data, len);
        pthread_cond_signal(&w->wake);
}

static void watcher_finish_locked(watcher *w) {
        w->done = true;
        pthread_cond_signal(&w->wake);
}

static void push_event_line(watcher *w, const char *type, const char *obj, size_t len) {
        _cleanup_free_ char *converted = NULL;
        if (w->table) {
                /* One conversion per watcher and event: tables are per
                 * client (headers on the first event only). */
                _cleanup_json_ json *o = NULL, *t = NULL;
                if (json_parse(obj, len, NULL, &o, NULL) < 0 ||
                    table_watch_convert(&w->table_state, w->res, o, &w->table_opts, &t, NULL) < 0)
                        return;
                converted = json_serialize(t, 0, &len);
                obj = converted;
        }
        strbuf line = STRBUF_INIT;
        strbuf_printf(&line, "{\"type\":\"%s\",\"object\":", type);
        strbuf_append(&line, obj, len);
        strbuf_puts(&line, "}\n");
        watcher_push_locked(w, line.data, line.len);
        strbuf_done(&line);
}

static void push_status_error(watcher *w, json *status_take) {
        _cleanup_json_ json *st = status_take;
        size_t len;
        _cleanup_free_ char *s = json_serialize(st, 0, &len);
        push_event_line(w, "ERROR", s, len);
}

static void push_bookmark(watcher *w, const struct schema_resource *res, int64_t rev,
                          bool initial_end) {
        _cleanup_json_ json *o = json_new_object();
        json_object_set_string(o, "kind", res->kind);
        _cleanup_free_ char *av =
                *res->group ? xasprintf("%s/%s", res->group, res->version) : xstrdup(res->version);
        json_object_set_string(o, "apiVersion", av);
        json *md = json_object_ensure_object(o, "metadata");
        char rv[32];
        snprintf(rv, sizeof rv, "%" PRId64, rev);
        json_object_set_string(md, "resourceVersion", rv);
        if (initial_end) {
                json *ann = json_object_ensure_object(md, "annotations");
                json_object_set_string(ann, "k8s.io/initial-events-end", "true");
        }
        json_object_set(md, "creationTimestamp", json_new_null());
        size_t len;
        _cleanup_free_ char *s = json_serialize(o, 0, &len);
        push_event_line(w, "BOOKMARK", s, len);
}

/* ---- matching ------------------------------------------------------------------------ */

static bool watcher_matches(const watcher *w, const char *key, const json *obj) {
        if (!startswith(key, w->prefix))
                return false;
        if (w->name && !streq(key + strlen(w->prefix), w->name))
                return false;
        if ((w->labels || w->fields) && !obj)
                return false;
        if (w->labels &&
            !label_selector_matches_json(w->labels, json_get(obj, "metadata", "labels", NULL)))
                return false;
        if (w->fields) {
                objmeta_field_ctx c = { .obj = obj };
                if (!field_selector_matches(w->fields, objmeta_field_lookup, &c))
                        return false;
        }
        return true;
}

/* Deliver one event to one watcher, turning selector transitions into
 * ADDED/DELETED as upstream does. Call with w->lock. */
static void deliver_locked(watcher *w, cached_event *e) {
        if (e->rev < w->next_rev || w->done || w->closed)
                return;
        w->next_rev = e->rev + 1;
        if (w->labels || w->fields)
                event_parse(e);
        bool now = e->type != STORE_EVENT_DELETED && watcher_matches(w, e->key, e->obj);
        bool before = e->type == STORE_EVENT_DELETED
                              ? watcher_matches(w, e->key, e->obj)
                              : e->prev_text && watcher_matches(w, e->key, e->prev);
        const char *type = NULL;
        if (e->type == STORE_EVENT_DELETED)
                type = before ? "DELETED" : NULL;
        else if (now && before)
                type = "MODIFIED";
        else if (now)
                type = "ADDED";
        else if (before)
                type = "DELETED";
        if (type)
                push_event_line(w, type, e->obj_text, e->obj_len);
}

/* ---- the cache's dispatcher ------------------------------------------------------ */

static void set_rv(json *obj, int64_t rev) {
        char buf[32];
        snprintf(buf, sizeof buf, "%" PRId64, rev);
        json_object_set_string(json_object_ensure_object(obj, "metadata"), "resourceVersion", buf);
}

static cached_event *cache_event_from_store(const store_event *se) {
        cached_event *e = xcalloc(1, sizeof *e);
        e->type = se->type;
        e->rev = se->mod_revision;
        e->at_ms = now_ms();
        e->key = xstrdup(se->key);
        const void *val = se->type == STORE_EVENT_DELETED ? se->prev_value : se->value;
        size_t len = se->type == STORE_EVENT_DELETED ? se->prev_value_len : se->value_len;
        _cleanup_json_ json *obj = NULL;
        if (!val || json_parse(val, len, NULL, &obj, NULL) < 0) {
                cached_event_free(e);
                return NULL;
        }
        set_rv(obj, e->rev);
        e->obj_text = json_serialize(obj, 0, &e->obj_len);
        if (se->type == STORE_EVENT_MODIFIED && se->prev_value) {
                e->prev_text = xmalloc(se->prev_value_len + 1);
                memcpy(e->prev_text, se->prev_value, se->prev_value_len);
                e->prev_text[se->prev_value_len] = '\0';
                e->prev_len = se->prev_value_len;
                e->prev_rev = se->prev_mod_revision;
        }
        return e;
}

static void event_parse(cached_event *e) {
        if (e->parsed)
                return;
        e->parsed = true;
        if (json_parse(e->obj_text, e->obj_len, NULL, &e->obj, NULL) < 0)
                e->obj = NULL;
        if (e->prev_text && json_parse(e->prev_text, e->prev_len, NULL, &e->prev, NULL) >= 0)
                set_rv(e->prev, e->prev_rev);
}

static void state_apply_locked(watch_cache *c, const cached_event *e) {
        if (e->type == STORE_EVENT_DELETED) {
                state_entry_free(strmap_remove(c->state, e->key, NULL));
                return;
        }
        state_entry *s = xmalloc(sizeof *s);
        s->text = xmalloc(e->obj_len + 1);
        memcpy(s->text, e->obj_text, e->obj_len);
        s->text[e->obj_len] = '\0';
        s->len = e->obj_len;
        s->rev = e->rev;
        state_entry_free(strmap_put(c->state, e->key, s));
}

static void ring_push_locked(watch_cache *c, cached_event *e) {
        state_apply_locked(c, e);
        int64_t horizon = now_ms() - c->hub->history_ms;
        /* Drop events older than the window (always keep a few). */
        while (c->ring_len > 16 && c->ring[c->ring_start]->at_ms < horizon) {
                cached_event *old = c->ring[c->ring_start];
                c->complete_from = old->rev;
                cached_event_free(old);
                c->ring_start = (c->ring_start + 1) % c->ring_cap;
                c->ring_len--;
        }
        if (c->ring_len == c->ring_cap) {
                size_t ncap = c->ring_cap ? c->ring_cap * 2 : 1024;
                cached_event **nr = xcalloc(ncap, sizeof *nr);
                for (size_t i = 0; i < c->ring_len; i++)
                        nr[i] = c->ring[(c->ring_start + i) % c->ring_cap];
                free(c->ring);
                c->ring = nr;
                c->ring_cap = ncap;
                c->ring_start = 0;
        }
        c->ring[(c->ring_start + c->ring_len) % c->ring_cap] = e;
        c->ring_len++;
}

static void unlink_watcher_locked(watch_cache *c, watcher *w) {
        for (watcher **p = &c->watchers; *p; p = &(*p)->next)
                if (*p == w) {
                        *p = w->next;
                        c->n_watchers--;
                        return;
                }
}

static void tick_locked(watch_cache *c) {
        int64_t now = now_ms();
        for (watcher *w = c->watchers, *next; w; w = next) {
                next = w->next;
                pthread_mutex_lock(&w->lock);
                bool gone = w->closed;
                if (!gone && !w->done && w->deadline_ms && now >= w->deadline_ms)
                        watcher_finish_locked(w);
                else if (!gone && !w->done && w->bookmarks && now - w->last_bookmark_ms >= 30000) {
                        w->last_bookmark_ms = now;
                        push_bookmark(w, c->res, w->next_rev > 0 ? w->next_rev - 1 : c->last_rev,
                                      false);
                }
                pthread_mutex_unlock(&w->lock);
                if (gone) {
                        unlink_watcher_locked(c, w);
                        w->registered = false;
                        watcher_unref(w);
                }
        }
}

static void *dispatcher(void *arg) {
        watch_cache *c = arg;
        int64_t last_tick = now_ms();
        for (;;) {
                pthread_mutex_lock(&c->lock);
                bool stop = c->stopping;
                pthread_mutex_unlock(&c->lock);
                if (stop)
                        break;
                store_events *evs = NULL;
                _cleanup_error_ tm_error *err = NULL;
                int q = store_watch_next(c->sw, 1000, &evs, &err);
                pthread_mutex_lock(&c->lock);
                if (q < 0) {
                        /* The store dropped us (compaction overtook the cache):
                         * end every watch; clients relist and watch again. */
                        log_warning("watch cache %s: %s", c->prefix, tm_error_msg(err));
                        for (watcher *w = c->watchers; w; w = w->next) {
                                pthread_mutex_lock(&w->lock);
                                push_status_error(w, status_expired(tm_error_msg(err)));
                                watcher_finish_locked(w);
                                pthread_mutex_unlock(&w->lock);
                        }
                        c->stopping = true;
                        pthread_mutex_unlock(&c->lock);
                        break;
                }
                for (size_t i = 0; evs && i < evs->n; i++) {
                        cached_event *e = cache_event_from_store(&evs->ev[i]);
                        c->last_rev = evs->ev[i].mod_revision;
                        if (!e)
                                continue;
                        for (watcher *w = c->watchers; w; w = w->next) {
                                pthread_mutex_lock(&w->lock);
                                deliver_locked(w, e);
                                pthread_mutex_unlock(&w->lock);
                        }
                        event_drop_parsed(e);
                        ring_push_locked(c, e);
                }
                if (now_ms() - last_tick >= 1000) {
                        tick_locked(c);
                        last_tick = now_ms();
                }
                pthread_mutex_unlock(&c->lock);
                store_events_free(evs);
        }
        return NULL;
}

/* Ask the dispatcher to stop and end every watch, without waiting. */
static void cache_stop(watch_cache *c) {
        pthread_mutex_lock(&c->lock);
        c->stopping = true;
        for (watcher *w = c->watchers; w; w = w->next) {
                pthread_mutex_lock(&w->lock);
                watcher_finish_locked(w);
                pthread_mutex_unlock(&w->lock);
        }
        pthread_mutex_unlock(&c->lock);
}

static void cache_free(watch_cache *c) {
        if (!c)
                return;
        cache_stop(c);
        if (c->thread_started)
                pthread_join(c->thread, NULL);
        while (c->watchers) {
                watcher *w = c->watchers;
                c->watchers = w->next;
                w->registered = false;
                watcher_unref(w);
        }
        for (size_t i = 0; i < c->ring_len; i++)
                cached_event_free(c->ring[(c->ring_start + i) % c->ring_cap]);
        free(c->ring);
        strmap_free_full(c->state, state_entry_free);
        store_watch_free(c->sw);
        free(c->prefix);
        pthread_mutex_destroy(&c->lock);
        free(c);
}

static char *resource_prefix(const struct schema_resource *res) {
        return *res->group ? xasprintf("/registry/%s.%s/", res->plural, res->group)
                           : xasprintf("/registry/%s/", res->plural);
}

static int state_load(const store_kv *kv, void *userdata) {
        watch_cache *c = userdata;
        _cleanup_json_ json *obj = NULL;
        if (json_parse(kv->value, kv->value_len, NULL, &obj, NULL) < 0)
                return 0; /* not an object: nothing a client could use */
        set_rv(obj, kv->mod_revision);
        state_entry *se = xmalloc(sizeof *se);
        se->text = json_serialize(obj, 0, &se->len);
        se->rev = kv->mod_revision;
        state_entry_free(strmap_put(c->state, kv->key, se));
        return 0;
}

/* The cache of a resource, created on first use. It starts from the oldest
 * history the store still has, so that a client that listed a moment ago
 * can watch from that list's resourceVersion. */
static int hub_get_cache(watch_hub *h, const struct schema_resource *res, watch_cache **ret,
                         tm_error **err) {
        pthread_mutex_lock(&h->lock);
        for (watch_cache *c = h->caches; c; c = c->next)
                if (c->res == res && !c->stopping) {
                        *ret = c;
                        pthread_mutex_unlock(&h->lock);
                        return 0;
                }
        store *st = h->srv->store;
        store_stats stats;
        store_get_stats(st, &stats);
        watch_cache *c = xcalloc(1, sizeof *c);
        c->hub = h;
        c->res = res;
        c->prefix = resource_prefix(res);
        pthread_mutex_init(&c->lock, NULL);
        /* The store reads 0 as "from now"; with nothing compacted, revision
         * 1 (the first write, made by the server's own bootstrap) is the
         * oldest a client can hold, so events after it are all we need. */
        int64_t from = stats.compacted > 0 ? stats.compacted : 1;
        int q = store_watch_start(st, c->prefix, from, &c->sw, err);
        if (q == -EIDRM) {
                /* Compacted meanwhile: start from now. */
                from = store_current_revision(st);
                q = store_watch_start(st, c->prefix, from, &c->sw, err);
        }
        if (q < 0) {
                pthread_mutex_unlock(&h->lock);
                cache_free(c);
                return q;
        }
        c->complete_from = from;
        c->last_rev = from;
        /* The state at `from`, then the history after it. */
        c->state = strmap_new();
        q = store_list_foreach(st, c->prefix, from, 1000, state_load, c, NULL, err);
        if (q < 0) {
                pthread_mutex_unlock(&h->lock);
                cache_free(c);
                return q;
        }
        /* Replay the store's history synchronously, so the cache knows
         * everything up to now before serving anyone. */
        for (;;) {
                int64_t cur = store_current_revision(st);
                store_events *evs = NULL;
                q = store_watch_next(c->sw, 0, &evs, err);
                if (q < 0) {
                        pthread_mutex_unlock(&h->lock);
                        cache_free(c);
                        return q;
                }
                if (!evs || evs->n == 0) {
                        /* Drained: nothing under the prefix up to `cur` is
                         * missing. */
                        if (cur > c->last_rev)
                                c->last_rev = cur;
                        store_events_free(evs);
                        break;
                }
                for (size_t i = 0; i < evs->n; i++) {
                        cached_event *e = cache_event_from_store(&evs->ev[i]);
                        c->last_rev = evs->ev[i].mod_revision;
                        if (e)
                                ring_push_locked(c, e);
                }
                store_events_free(evs);
        }
        if (pthread_create(&c->thread, NULL, dispatcher, c) != 0) {
                pthread_mutex_unlock(&h->lock);
                cache_free(c);
                return tm_error_set(err, -EAGAIN, "cannot start a watch dispatcher");
        }
        c->thread_started = true;
        c->next = h->caches;
        h->caches = c;
        pthread_mutex_unlock(&h->lock);
        *ret = c;
        return 0;
}

int watch_hub_new(apiserver *srv, int64_t history_ms, watch_hub **ret) {
        watch_hub *h = xcalloc(1, sizeof *h);
        h->srv = srv;
        h->history_ms = history_ms > 0 ? history_ms : 120000;
        pthread_mutex_init(&h->lock, NULL);
        *ret = h;
        return 0;
}

void watch_hub_free(watch_hub *h) {
        if (!h)
                return;
        pthread_mutex_lock(&h->lock);
        h->stopping = true;
        watch_cache *c = h->caches;
        h->caches = NULL;
        pthread_mutex_unlock(&h->lock);
        /* Stop them all first, so that their dispatchers wind down
         * together (each notices within its 1 s poll) rather than in turn. */
        for (watch_cache *k = c; k; k = k->next)
                cache_stop(k);
        while (c) {
                watch_cache *next = c->next;
                cache_free(c);
                c = next;
        }
        pthread_mutex_destroy(&h->lock);
        free(h);
}

unsigned watch_hub_watchers(watch_hub *h) {
        unsigned n = 0;
        pthread_mutex_lock(&h->lock);
        for (watch_cache *c = h->caches; c; c = c->next) {
                pthread_mutex_lock(&c->lock);
                n += c->n_watchers;
                pthread_mutex_unlock(&c->lock);
        }
        pthread_mutex_unlock(&h->lock);
        return n;
}

/* ---- the HTTP side ------------------------------------------------------------------ */

/* The peer hung up (or the socket failed). */
static bool peer_gone(int fd) {
        struct pollfd p = { .fd = fd, .events = POLLRDHUP };
        return fd >= 0 && poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

/* Runs in the connection's own thread (one thread per connection): block
 * until there is something to send, the watch ends, or the client left. */
static ssize_t watch_reader(void *cls, uint64_t pos, char *buf, size_t max) {
        watcher *w = cls;
        pthread_mutex_lock(&w->lock);
        while (w->out.len == w->out_off && !w->done) {
                /* timeoutSeconds is kept here, to the millisecond: the
                 * dispatcher's tick only sees it within a second or two. */
                int64_t left = w->deadline_ms ? w->deadline_ms - now_ms() : 1000;
                if (left <= 0) {
                        w->done = true;
                        break;
                }
                if (left > 1000)
                        left = 1000;
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                ts.tv_sec += left / 1000;
                ts.tv_nsec += (left % 1000) * 1000000;
                if (ts.tv_nsec >= 1000000000) {
                        ts.tv_sec++;
                        ts.tv_nsec -= 1000000000;
                }
                pthread_cond_timedwait(&w->wake, &w->lock, &ts);
                if (w->out.len == w->out_off && !w->done && peer_gone(w->fd)) {
                        w->done = true;
                        pthread_mutex_unlock(&w->lock);
                        return MHD_CONTENT_READER_END_WITH_ERROR;
                }
        }
        size_t avail = w->out.len - w->out_off;
        if (avail > 0) {
                size_t n = avail < max ? avail : max;
                memcpy(buf, w->out.data + w->out_off, n);
                w->out_off += n;
                if (w->out_off == w->out.len) {
                        strbuf_reset(&w->out);
                        w->out_off = 0;
                }
                pthread_mutex_unlock(&w->lock);
                return (ssize_t)n;
        }
        pthread_mutex_unlock(&w->lock);
        return MHD_CONTENT_READER_END_OF_STREAM;
}

static void watch_reader_free(void *cls) {
        watcher *w = cls;
        pthread_mutex_lock(&w->lock);
        w->closed = true;
        pthread_mutex_unlock(&w->lock);
        watcher_unref(w); /* the response's reference; the cache drops its own at the next tick */
}

static int parse_rv(const char *s, int64_t *ret) {
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno || *end || v < 0)
                return -EINVAL;
        *ret = v;
        return 0;
}

static int start_stream(api_request *r, watcher *w) {
        struct MHD_Response *resp = MHD_create_response_from_callback(
                MHD_SIZE_UNKNOWN, 32 * 1024, watch_reader, w, watch_reader_free);
        if (!resp)
                return MHD_NO;
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache, private");
        r->started = true;
        int ret = MHD_queue_response(r->conn, 200, resp);
        MHD_destroy_response(resp);
        return ret;
}

typedef struct initial_ctx {
        watcher *w;
        const struct schema_resource *res;
        strbuf init;
} initial_ctx;

/* One object of the initial state as an ADDED event. */
static int initial_event(const store_kv *kv, void *userdata) {
        initial_ctx *ic = userdata;
        watcher *w = ic->w;
        _cleanup_json_ json *obj = NULL;
        if (json_parse(kv->value, kv->value_len, NULL, &obj, NULL) < 0)
                return 0;
        set_rv(obj, kv->mod_revision);
        if (!watcher_matches(w, kv->key, obj))
                return 0;
        size_t len;
        _cleanup_free_ char *s = NULL;
        if (w->table) {
                _cleanup_json_ json *t = NULL;
                if (table_watch_convert(&w->table_state, ic->res, obj, &w->table_opts, &t, NULL) <
                    0)
                        return 0;
                s = json_serialize(t, 0, &len);
        } else
                s = json_serialize(obj, 0, &len);
        strbuf_puts(&ic->init, "{\"type\":\"ADDED\",\"object\":");
        strbuf_append(&ic->init, s, len);
        strbuf_puts(&ic->init, "}\n");
        return 0;
}

int watch_serve(api_request *r, const struct schema_resource *res, const request_info *ri) {
        watch_hub *h = r->srv->watch;
        _cleanup_error_ tm_error *err = NULL;

        watcher *w = xcalloc(1, sizeof *w);
        pthread_mutex_init(&w->lock, NULL);
        pthread_cond_init(&w->wake, NULL);
        w->refs = 1;
        w->conn = r->conn;
        const union MHD_ConnectionInfo *ci =
                MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        w->fd = ci ? ci->connect_fd : -1;
        _cleanup_free_ char *rp = resource_prefix(res);
        w->prefix = res->namespaced && ri->namespace_ ? xasprintf("%s%s/", rp, ri->namespace_)
                                                      : xstrdup(rp);
        if (ri->name)
                w->name = xstrdup(ri->name);

        const char *ls = api_request_query(r, "labelSelector");
        const char *fs = api_request_query(r, "fieldSelector");
        if ((ls && label_selector_parse(ls, &w->labels, &err) < 0) ||
            (fs && field_selector_parse(fs, &w->fields, &err) < 0)) {
                watcher_unref(w);
                return api_respond_status(r, status_bad_request(tm_error_msg(err)));
        }
        const char *fname;
        if (w->fields && field_selector_requires_exact(w->fields, "metadata.name", &fname)) {
                free(w->name);
                w->name = xstrdup(fname);
        }
        w->res = res;
        const char *accept = api_request_header(r, "Accept");
        if (accept && strstr(accept, "as=")) {
                struct table_accept ta;
                if (table_negotiate(accept, &ta, &err) < 0) {
                        watcher_unref(w);
                        return api_respond_status(
                                r, status_failure(406, "NotAcceptable", tm_error_msg(err), NULL));
                }
                w->table = ta.table;
                w->table_opts = (struct table_options)TABLE_OPTIONS_INIT;
                w->table_opts.api_version = ta.api_version;
                if (table_parse_include_object(api_request_query(r, "includeObject"),
                                               &w->table_opts.include, &err) < 0) {
                        watcher_unref(w);
                        return api_respond_status(r, status_bad_request(tm_error_msg(err)));
                }
        }
        const char *b = api_request_query(r, "allowWatchBookmarks");
        w->bookmarks = b && (streq(b, "true") || streq(b, "1"));
        const char *ts = api_request_query(r, "timeoutSeconds");
        int64_t timeout_s = ts ? atoll(ts) : 0;
        if (timeout_s <= 0)
                timeout_s = 1800 + (int64_t)(rand() % 1800); /* as upstream: 30-60 min */
        w->deadline_ms = now_ms() + timeout_s * 1000;
        w->last_bookmark_ms = now_ms();

        const char *rvs = api_request_query(r, "resourceVersion");
        const char *sie = api_request_query(r, "sendInitialEvents");
        bool send_initial = sie && streq(sie, "true");
        if (send_initial) {
                const char *m = api_request_query(r, "resourceVersionMatch");
                if (!m || !streq(m, "NotOlderThan") || !w->bookmarks) {
                        watcher_unref(w);
                        json *causes = json_new_array();
                        status_add_cause(
                                causes, "FieldValueForbidden", "sendInitialEvents",
                                "Forbidden: sendInitialEvents is forbidden for watch unless "
                                "resourceVersionMatch is set to NotOlderThan and "
                                "allowWatchBookmarks is true");
                        return api_respond_status(
                                r, status_invalid("meta.k8s.io", "ListOptions", "", causes));
                }
        }
        int64_t rv = 0;
        if (rvs && *rvs && parse_rv(rvs, &rv) < 0) {
                watcher_unref(w);
                _cleanup_free_ char *m = xasprintf("invalid resource version: \"%s\"", rvs);
                return api_respond_status(r, status_bad_request(m));
        }
        bool initial = rv == 0 || send_initial;

        watch_cache *c = NULL;
        if (hub_get_cache(h, res, &c, &err) < 0) {
                watcher_unref(w);
                return api_respond_status(r, status_internal_error(tm_error_msg(err)));
        }
        w->cache = c;

        /* Register under the cache lock: from here on the dispatcher
         * delivers events after next_rev, and nothing is lost or doubled. */
        pthread_mutex_lock(&c->lock);
        if (!initial && rv < c->complete_from) {
                pthread_mutex_unlock(&c->lock);
                /* As upstream: 200, then one ERROR event with 410 Expired. */
                _cleanup_free_ char *m =
                        xasprintf("too old resource version: %" PRId64 " (%" PRId64 ")", rv,
                                  c->complete_from + 1);
                pthread_mutex_lock(&w->lock);
                push_status_error(w, status_expired(m));
                w->done = true;
                pthread_mutex_unlock(&w->lock);
                return start_stream(r, w);
        }
        int64_t start = initial ? (rv > c->last_rev ? rv : c->last_rev) : rv;
        w->next_rev = start + 1;
        pthread_mutex_lock(&w->lock);
        if (!initial) {
                /* Replay the history after rv. */
                for (size_t i = 0; i < c->ring_len; i++) {
                        cached_event *e = c->ring[(c->ring_start + i) % c->ring_cap];
                        if (e->rev > rv) {
                                deliver_locked(w, e);
                                event_drop_parsed(e);
                        }
                }
        }
        pthread_mutex_unlock(&w->lock);
        w->refs++; /* the cache's reference */
        w->registered = true;
        w->next = c->watchers;
        c->watchers = w;
        c->n_watchers++;
        pthread_mutex_unlock(&c->lock);

        if (initial) {
                /* The state at `start` as ADDED events, ahead of anything
                 * the dispatcher queued meanwhile. */
                initial_ctx ic = { .w = w, .res = res, .init = STRBUF_INIT };
                tm_error_free(err);
                err = NULL;
                if (store_list_foreach(r->srv->store, w->prefix, start, 500, initial_event, &ic,
                                       NULL, &err) < 0) {
                        pthread_mutex_lock(&w->lock);
                        push_status_error(w, status_expired(tm_error_msg(err)));
                        watcher_finish_locked(w);
                        pthread_mutex_unlock(&w->lock);
                }
                strbuf init = ic.init;
                pthread_mutex_lock(&w->lock);
                strbuf rest = w->out;
                w->out = init;
                if (rest.len > w->out_off)
                        strbuf_append(&w->out, rest.data + w->out_off, rest.len - w->out_off);
                w->out_off = 0;
                strbuf_done(&rest);
                if (send_initial)
                        push_bookmark(w, res, start, true);
                pthread_mutex_unlock(&w->lock);
        }
        return start_stream(r, w);
}

/* ---- lists from the cache ---------------------------------------------------------- */

typedef struct list_item {
        const char *key;
        const state_entry *e;
} list_item;

static int cmp_item(const void *a, const void *b) {
        return strcmp(((const list_item *)a)->key, ((const list_item *)b)->key);
}

int watch_cache_list(apiserver *srv, const struct schema_resource *res, const char *ns,
                     const label_selector *labels, const field_selector *fields, json **ret_items,
                     int64_t *ret_rev, tm_error **err) {
        watch_cache *c = NULL;
        int q = hub_get_cache(srv->watch, res, &c, err);
        if (q < 0)
                return q;
        _cleanup_free_ char *rp = resource_prefix(res);
        _cleanup_free_ char *prefix =
                res->namespaced && ns ? xasprintf("%s%s/", rp, ns) : xstrdup(rp);
        /* a matcher shaped like a watcher, for watcher_matches() */
        watcher m = { .prefix = prefix,
                      .labels = (label_selector *)labels,
                      .fields = (field_selector *)fields };
        json *items = json_new_array();
        pthread_mutex_lock(&c->lock);
        size_t n = 0, cap = strmap_size(c->state);
        list_item *v = xcalloc(cap ? cap : 1, sizeof *v);
        const char *k;
        void *val;
        for (strmap_iter it = STRMAP_ITER_INIT; strmap_next(c->state, &it, &k, &val);)
                if (startswith(k, prefix))
                        v[n++] = (list_item){ k, val };
        qsort(v, n, sizeof *v, cmp_item);
        for (size_t i = 0; i < n; i++) {
                json *obj = NULL;
                if (json_parse(v[i].e->text, v[i].e->len, NULL, &obj, NULL) < 0)
                        continue;
                if ((labels || fields) && !watcher_matches(&m, v[i].key, obj)) {
                        json_free(obj);
                        continue;
                }
                json_object_remove(obj, "kind");
                json_object_remove(obj, "apiVersion");
                json_array_append(items, obj);
        }
        *ret_rev = c->last_rev;
        pthread_mutex_unlock(&c->lock);
        free(v);
        *ret_items = items;
        return 0;
}
