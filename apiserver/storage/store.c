/* SPDX-License-Identifier: Apache-2.0 */
/* The backend-independent half of the store interface: argument validation
 * and dispatch through the vtable, so every backend sees the same checks. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apiserver/storage/store.h"

static bool key_chars_valid(const char *s, size_t max) {
        size_t n = 0;
        for (; s[n]; n++) {
                if (n >= max)
                        return false;
                if ((unsigned char)s[n] < 0x21 || (unsigned char)s[n] > 0x7e)
                        return false;
        }
        return true;
}

bool store_key_is_valid(const char *key) {
        return key && key[0] && key_chars_valid(key, STORE_KEY_MAX);
}

bool store_prefix_is_valid(const char *prefix) {
        return prefix && key_chars_valid(prefix, STORE_KEY_MAX);
}

static int check_key(const char *key, tm_error **err) {
        if (!store_key_is_valid(key))
                return tm_error_set(err, -EINVAL, "invalid store key");
        return 0;
}

static int check_value(const void *value, size_t len, tm_error **err) {
        if (!value && len > 0)
                return tm_error_set(err, -EINVAL, "value is NULL");
        if (len > STORE_VALUE_MAX)
                return tm_error_set(err, -E2BIG, "value of %zu bytes exceeds the limit of %u bytes",
                                    len, STORE_VALUE_MAX);
        return 0;
}

int store_get(store *s, const char *key, store_kv **ret, tm_error **err) {
        int r = check_key(key, err);
        if (r < 0)
                return r;
        return s->ops->get(s, key, ret, err);
}

int store_list(store *s, const store_list_opts *o, store_list_result **ret, tm_error **err) {
        if (!o || !store_prefix_is_valid(o->prefix))
                return tm_error_set(err, -EINVAL, "invalid store prefix");
        if (o->after_key &&
            (!store_key_is_valid(o->after_key) || !startswith(o->after_key, o->prefix)))
                return tm_error_set(err, -EINVAL, "continue key is not under the prefix");
        if (o->revision < 0)
                return tm_error_set(err, -EINVAL, "negative revision");
        return s->ops->list(s, o, ret, err);
}

int store_list_foreach(store *s, const char *prefix, int64_t revision, size_t page,
                       int (*fn)(const store_kv *kv, void *userdata), void *userdata,
                       int64_t *ret_rev, tm_error **err) {
        _cleanup_free_ char *after = NULL;
        int64_t rev = revision;
        for (;;) {
                store_list_opts o = {
                        .prefix = prefix, .after_key = after, .revision = rev, .limit = page
                };
                _cleanup_(store_list_result_freep) store_list_result *lr = NULL;
                int r = store_list(s, &o, &lr, err);
                if (r < 0)
                        return r;
                rev = lr->revision; /* later pages at the first page's revision */
                for (size_t i = 0; i < lr->n_items; i++) {
                        r = fn(&lr->items[i], userdata);
                        if (r < 0)
                                return r;
                }
                if (!lr->more || lr->n_items == 0)
                        break;
                free(after);
                after = xstrdup(lr->items[lr->n_items - 1].key);
        }
        if (ret_rev)
                *ret_rev = rev;
        return 0;
}

int store_count(store *s, const char *prefix, int64_t *ret, tm_error **err) {
        if (!store_prefix_is_valid(prefix))
                return tm_error_set(err, -EINVAL, "invalid store prefix");
        return s->ops->count(s, prefix, ret, err);
}

int store_create(store *s, const char *key, const void *value, size_t len, int64_t *ret_rev,
                 tm_error **err) {
        int r = check_key(key, err);
        if (r >= 0)
                r = check_value(value, len, err);
        if (r < 0)
                return r;
        return s->ops->create(s, key, value, len, ret_rev, err);
}

int store_update(store *s, const char *key, const void *value, size_t len, int64_t expected,
                 int64_t *ret_rev, tm_error **err) {
        int r = check_key(key, err);
        if (r >= 0)
                r = check_value(value, len, err);
        if (r < 0)
                return r;
        if (expected < 0)
                return tm_error_set(err, -EINVAL, "negative expected revision");
        return s->ops->update(s, key, value, len, expected, ret_rev, err);
}

int store_delete(store *s, const char *key, int64_t expected, int64_t *ret_rev, store_kv **ret_prev,
                 tm_error **err) {
        int r = check_key(key, err);
        if (r < 0)
                return r;
        if (expected < 0)
                return tm_error_set(err, -EINVAL, "negative expected revision");
        return s->ops->delete (s, key, expected, ret_rev, ret_prev, err);
}

int store_watch_start(store *s, const char *prefix, int64_t from, store_watch **ret,
                      tm_error **err) {
        if (!store_prefix_is_valid(prefix))
                return tm_error_set(err, -EINVAL, "invalid store prefix");
        if (from < 0)
                return tm_error_set(err, -EINVAL, "negative revision");
        return s->ops->watch(s, prefix, from, ret, err);
}

int store_watch_next(store_watch *w, int timeout_ms, store_events **ret, tm_error **err) {
        return w->ops->next(w, timeout_ms, ret, err);
}

int store_watch_fd(store_watch *w) {
        return w->ops->fd(w);
}

void store_watch_free(store_watch *w) {
        if (w)
                w->ops->free(w);
}

int store_compact(store *s, int64_t revision, tm_error **err) {
        if (revision < 0)
                return tm_error_set(err, -EINVAL, "negative revision");
        return s->ops->compact(s, revision, err);
}

int64_t store_current_revision(store *s) {
        return s->ops->current_revision(s);
}

void store_get_stats(store *s, store_stats *ret) {
        memset(ret, 0, sizeof(*ret));
        s->ops->stats(s, ret);
}

void store_close(store *s) {
        if (s)
                s->ops->close(s);
}

static void kv_clear(store_kv *kv) {
        free(kv->key);
        free(kv->value);
}

void store_kv_free(store_kv *kv) {
        if (!kv)
                return;
        kv_clear(kv);
        free(kv);
}

void store_list_result_free(store_list_result *l) {
        if (!l)
                return;
        for (size_t i = 0; i < l->n_items; i++)
                kv_clear(&l->items[i]);
        free(l->items);
        free(l);
}

void store_events_free(store_events *e) {
        if (!e)
                return;
        for (size_t i = 0; i < e->n; i++) {
                free(e->ev[i].key);
                free(e->ev[i].value);
                free(e->ev[i].prev_value);
        }
        free(e);
}

const char *store_event_type_to_string(store_event_type t) {
        static const char *const names[_STORE_EVENT_TYPE_MAX] = {
                [STORE_EVENT_CREATED] = "CREATED",
                [STORE_EVENT_MODIFIED] = "MODIFIED",
                [STORE_EVENT_DELETED] = "DELETED",
        };
        if (t < 0 || t >= _STORE_EVENT_TYPE_MAX)
                return NULL;
        return names[t];
}
