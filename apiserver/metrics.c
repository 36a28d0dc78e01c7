/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "storage/store.h"
#include "strbuf.h"
#include "watch.h"

/* upstream's apiserver_request_duration_seconds buckets */
static const double buckets[] = { 0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2,
                                  3,     4,     5,    6,   8,   10,  15,  20,  30,  45,   60 };
#define N_BUCKETS ELEMENTSOF(buckets)

typedef struct series {
        char *verb, *group, *resource, *subresource;
        unsigned code;
        uint64_t count;
        uint64_t bucket[N_BUCKETS];
        double sum;
} series;

struct metrics {
        pthread_mutex_t lock;
        series *s;
        size_t n, cap;
};

metrics *metrics_new(void) {
        metrics *m = xcalloc(1, sizeof *m);
        pthread_mutex_init(&m->lock, NULL);
        return m;
}

void metrics_free(metrics *m) {
        if (!m)
                return;
        for (size_t i = 0; i < m->n; i++) {
                free(m->s[i].verb);
                free(m->s[i].group);
                free(m->s[i].resource);
                free(m->s[i].subresource);
        }
        free(m->s);
        pthread_mutex_destroy(&m->lock);
        free(m);
}

void metrics_observe(metrics *m, const char *verb, const char *group, const char *resource,
                     const char *subresource, unsigned code, double seconds) {
        group = group ? group : "";
        resource = resource ? resource : "";
        subresource = subresource ? subresource : "";
        pthread_mutex_lock(&m->lock);
        series *s = NULL;
        /* Few distinct series (verbs x resources x codes): a linear scan is
         * cheaper than hashing at this size. */
        for (size_t i = 0; i < m->n; i++)
                if (m->s[i].code == code && streq(m->s[i].verb, verb) &&
                    streq(m->s[i].resource, resource) && streq(m->s[i].group, group) &&
                    streq(m->s[i].subresource, subresource)) {
                        s = &m->s[i];
                        break;
                }
        if (!s) {
                if (m->n >= 4096) { /* bounded: unknown paths could mint many */
                        pthread_mutex_unlock(&m->lock);
                        return;
                }
                if (m->n == m->cap)
                        m->s = xreallocarray(m->s, m->cap = m->cap ? m->cap * 2 : 64, sizeof *m->s);
                s = &m->s[m->n++];
                *s = (series){ .verb = xstrdup(verb),
                               .group = xstrdup(group),
                               .resource = xstrdup(resource),
                               .subresource = xstrdup(subresource),
                               .code = code };
        }
        s->count++;
        s->sum += seconds;
        for (size_t b = 0; b < N_BUCKETS; b++)
                if (seconds <= buckets[b])
                        s->bucket[b]++;
        pthread_mutex_unlock(&m->lock);
}

char *metrics_render(apiserver *srv, size_t *ret_len) {
        metrics *m = srv->metrics;
        strbuf b = STRBUF_INIT;
        strbuf_puts(&b, "# HELP apiserver_request_total Counter of apiserver requests broken out "
                        "for each verb, group, resource, subresource and HTTP response code.\n"
                        "# TYPE apiserver_request_total counter\n");
        pthread_mutex_lock(&m->lock);
        for (size_t i = 0; i < m->n; i++) {
                series *s = &m->s[i];
                strbuf_printf(&b,
                              "apiserver_request_total{code=\"%u\",group=\"%s\",resource=\"%s\","
                              "subresource=\"%s\",verb=\"%s\"} %" PRIu64 "\n",
                              s->code, s->group, s->resource, s->subresource, s->verb, s->count);
        }
        strbuf_puts(&b, "# HELP apiserver_request_duration_seconds Response latency distribution "
                        "in seconds for each verb, group, resource and subresource.\n"
                        "# TYPE apiserver_request_duration_seconds histogram\n");
        for (size_t i = 0; i < m->n; i++) {
                series *s = &m->s[i];
                char labels[512];
                snprintf(labels, sizeof labels,
                         "code=\"%u\",group=\"%s\",resource=\"%s\",subresource=\"%s\",verb=\"%s\"",
                         s->code, s->group, s->resource, s->subresource, s->verb);
                for (size_t k = 0; k < N_BUCKETS; k++)
                        strbuf_printf(
                                &b,
                                "apiserver_request_duration_seconds_bucket{%s,le=\"%g\"} %" PRIu64
                                "\n",
                                labels, buckets[k], s->bucket[k]);
                strbuf_printf(&b,
                              "apiserver_request_duration_seconds_bucket{%s,le=\"+Inf\"} %" PRIu64
                              "\n"
                              "apiserver_request_duration_seconds_sum{%s} %.6f\n"
                              "apiserver_request_duration_seconds_count{%s} %" PRIu64 "\n",
                              labels, s->count, labels, s->sum, labels, s->count);
        }
        pthread_mutex_unlock(&m->lock);

        strbuf_printf(&b,
                      "# HELP apiserver_current_inflight_requests Requests being served, by kind.\n"
                      "# TYPE apiserver_current_inflight_requests gauge\n"
                      "apiserver_current_inflight_requests{request_kind=\"readOnly\"} %u\n"
                      "apiserver_current_inflight_requests{request_kind=\"mutating\"} %u\n",
                      atomic_load(&srv->inflight_reads), atomic_load(&srv->inflight_mutations));
        strbuf_printf(&b,
                      "# HELP apiserver_registered_watchers Open watch streams.\n"
                      "# TYPE apiserver_registered_watchers gauge\n"
                      "apiserver_registered_watchers %u\n",
                      srv->watch ? watch_hub_watchers(srv->watch) : 0);
        store_stats st;
        store_get_stats(srv->store, &st);
        strbuf_printf(
                &b,
                "# HELP timonier_store_revision The store's current revision.\n"
                "# TYPE timonier_store_revision gauge\n"
                "timonier_store_revision %" PRId64 "\n"
                "# HELP timonier_store_compacted_revision Events up to this revision are "
                "compacted.\n"
                "# TYPE timonier_store_compacted_revision gauge\n"
                "timonier_store_compacted_revision %" PRId64 "\n"
                "# HELP timonier_store_write_requests_total Write requests the store handled.\n"
                "# TYPE timonier_store_write_requests_total counter\n"
                "timonier_store_write_requests_total %" PRIu64 "\n"
                "# HELP timonier_store_transactions_total Write transactions committed (one fsync "
                "each).\n"
                "# TYPE timonier_store_transactions_total counter\n"
                "timonier_store_transactions_total %" PRIu64 "\n",
                st.revision, st.compacted, st.requests, st.transactions);
        return strbuf_take(&b, ret_len);
}
