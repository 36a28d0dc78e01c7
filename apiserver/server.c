/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "apiserver.h"
#include "log.h"
#include "metrics.h"
#include "registry.h"
#include "status.h"
#include "storage/store.h"
#include "watch.h"

void apiserver_config_defaults(apiserver_config *cfg) {
        *cfg = (apiserver_config){
                .bind_address = "127.0.0.1",
                .port = 6443,
                .data_dir = "/var/lib/timonier/apiserver",
                .max_requests_inflight = 400,
                .max_mutating_requests_inflight = 200,
                .max_body = 3 * 1024 * 1024,
                .max_connections = 10000,
        };
}

const char *api_request_query(api_request *r, const char *key) {
        return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

bool api_request_has_query(api_request *r, const char *key) {
        const char *v;
        size_t n;
        return MHD_lookup_connection_value_n(r->conn, MHD_GET_ARGUMENT_KIND, key, strlen(key), &v,
                                             &n) == MHD_YES;
}

const char *api_request_header(api_request *r, const char *key) {
        return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, key);
}

void api_request_warn(api_request *r, const char *text) {
        size_t n = strv_length(r->warnings);
        if (n >= 50)
                return; /* bounded, as upstream truncates warnings */
        r->warnings = xreallocarray(r->warnings, n + 2, sizeof(char *));
        /* The text is quoted, with quotes and backslashes escaped. */
        strbuf b = STRBUF_INIT;
        strbuf_puts(&b, "299 - \"");
        for (const char *p = text; *p; p++) {
                if (*p == '"' || *p == '\\')
                        strbuf_putc(&b, '\\');
                strbuf_putc(&b, *p);
        }
        strbuf_putc(&b, '"');
        r->warnings[n] = strbuf_take(&b, NULL);
        r->warnings[n + 1] = NULL;
}

int api_respond_bytes(api_request *r, unsigned code, const char *content_type, char *take,
                      size_t len) {
        struct MHD_Response *resp =
                MHD_create_response_from_buffer(len, take, MHD_RESPMEM_MUST_FREE);
        if (!resp) {
                free(take);
                return MHD_NO;
        }
        if (content_type)
                MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
        if (code == 429)
                MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
        for (char **w = r->warnings; w && *w; w++)
                MHD_add_response_header(resp, "Warning", *w);
        r->started = true;
        r->code = code;
        int ret = MHD_queue_response(r->conn, code, resp);
        MHD_destroy_response(resp);
        return ret;
}

int api_respond_json(api_request *r, unsigned code, const json *v) {
        size_t len;
        char *s = json_serialize(v, 0, &len);
        return api_respond_bytes(r, code, "application/json", s, len);
}

int api_respond_status(api_request *r, json *status_take) {
        _cleanup_json_ json *s = status_take;
        return api_respond_json(r, (unsigned)status_code(s), s);
}

static bool is_mutating(const char *method) {
        return !streq(method, "GET") && !streq(method, "HEAD") && !streq(method, "OPTIONS");
}

static bool is_long_running(api_request *r) {
        /* Watches and log/exec streams do not count against the in-flight
         * limits, as upstream. */
        const char *w = api_request_query(r, "watch");
        if (w && (streq(w, "1") || streq(w, "true")))
                return true;
        return strstr(r->url, "/watch/") || endswith(r->url, "/log") || endswith(r->url, "/exec") ||
               endswith(r->url, "/attach") || endswith(r->url, "/portforward");
}

/* Max-in-flight admission: 429 + Retry-After past the limit. */
static bool inflight_acquire(api_request *r) {
        apiserver *srv = r->srv;
        if (is_long_running(r))
                return true;
        if (is_mutating(r->method)) {
                unsigned n = atomic_fetch_add(&srv->inflight_mutations, 1) + 1;
                r->inflight = 2;
                return n <= srv->cfg.max_mutating_requests_inflight;
        }
        unsigned n = atomic_fetch_add(&srv->inflight_reads, 1) + 1;
        r->inflight = 1;
        return n <= srv->cfg.max_requests_inflight;
}

static void inflight_release(api_request *r) {
        if (r->inflight == 1)
                atomic_fetch_sub(&r->srv->inflight_reads, 1);
        else if (r->inflight == 2)
                atomic_fetch_sub(&r->srv->inflight_mutations, 1);
        r->inflight = 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls) {
        apiserver *srv = cls;
        api_request *r = *con_cls;

        if (!r) {
                r = xcalloc(1, sizeof *r);
                r->srv = srv;
                r->conn = conn;
                r->method = method;
                r->url = url;
                clock_gettime(CLOCK_MONOTONIC, &r->t0);
                *con_cls = r;
                atomic_fetch_add(&srv->requests_total, 1);
                const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                             MHD_HTTP_HEADER_CONTENT_LENGTH);
                if (cl && strtoull(cl, NULL, 10) > srv->cfg.max_body) {
                        r->too_large = true;
                        return api_respond_status(r, status_entity_too_large(srv->cfg.max_body));
                }
                return MHD_YES;
        }
        if (r->started) {
                *upload_data_size = 0; /* discard what follows an early answer */
                return MHD_YES;
        }
        if (*upload_data_size) {
                if (!r->too_large && r->body.len + *upload_data_size <= srv->cfg.max_body)
                        strbuf_append(&r->body, upload_data, *upload_data_size);
                else {
                        r->too_large = true;
                        strbuf_done(&r->body);
                }
                *upload_data_size = 0;
                return MHD_YES;
        }
        if (r->too_large)
                return api_respond_status(r, status_entity_too_large(srv->cfg.max_body));
        if (!inflight_acquire(r))
                return api_respond_status(r, status_too_many_requests());
        return apiserver_route(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
        api_request *r = *con_cls;
        if (!r)
                return;
        inflight_release(r);
        if (r->m_verb && r->srv->metrics) {
                struct timespec t1;
                clock_gettime(CLOCK_MONOTONIC, &t1);
                double secs = (double)(t1.tv_sec - r->t0.tv_sec) +
                              (double)(t1.tv_nsec - r->t0.tv_nsec) / 1e9;
                metrics_observe(r->srv->metrics, r->m_verb, r->m_group, r->m_resource,
                                r->m_subresource, r->code ? r->code : 200, secs);
        }
        free(r->m_verb);
        free(r->m_group);
        free(r->m_resource);
        free(r->m_subresource);
        strbuf_done(&r->body);
        strv_free(r->warnings);
        free(r);
        *con_cls = NULL;
}

int apiserver_new(const apiserver_config *cfg, apiserver **ret, tm_error **err) {
        apiserver *srv = xcalloc(1, sizeof *srv);
        srv->cfg = *cfg;
        _cleanup_free_ char *db = xasprintf("%s/state.db", cfg->data_dir);
        store_sqlite_options so = { .history_ms = cfg->history_ms };
        int r = store_sqlite_open(db, &so, &srv->store, err);
        if (r < 0) {
                free(srv);
                return tm_error_wrap(err, r, "open the store %s", db);
        }
        r = registry_bootstrap(srv, err);
        if (r < 0) {
                store_close(srv->store);
                free(srv);
                return r;
        }
        watch_hub_new(srv, cfg->history_ms, &srv->watch);
        srv->metrics = metrics_new();
        *ret = srv;
        return 0;
}

int apiserver_start(apiserver *srv, tm_error **err) {
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(srv->cfg.port) };
        if (inet_pton(AF_INET, srv->cfg.bind_address, &sa.sin_addr) != 1)
                return tm_error_set(err, -EINVAL, "bind address \"%s\" is not an IPv4 address",
                                    srv->cfg.bind_address);
        /* One thread per connection: handlers may block (a write waits for
         * its group commit, a watch for its next event) without holding up
         * other clients, and writes from many clients share fsyncs. */
        srv->mhd = MHD_start_daemon(
                MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
                        MHD_USE_ITC,
                srv->cfg.port, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, &sa,
                MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                (size_t)128 * 1024, MHD_OPTION_THREAD_STACK_SIZE, (size_t)512 * 1024,
                MHD_OPTION_CONNECTION_LIMIT, (unsigned)srv->cfg.max_connections,
                MHD_OPTION_LISTENING_ADDRESS_REUSE, 1U, MHD_OPTION_END);
        if (!srv->mhd)
                return tm_error_set(err, -EADDRINUSE, "cannot listen on %s:%u",
                                    srv->cfg.bind_address, srv->cfg.port);
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_BIND_PORT);
        srv->port = info ? info->port : srv->cfg.port;
        return 0;
}

void apiserver_stop(apiserver *srv) {
        if (!srv || !srv->mhd)
                return;
        /* Stop accepting, end the watch streams (their connection threads
         * are waiting for events), then stop. */
        MHD_quiesce_daemon(srv->mhd);
        watch_hub_free(srv->watch);
        srv->watch = NULL;
        MHD_stop_daemon(srv->mhd);
        srv->mhd = NULL;
}

void apiserver_free(apiserver *srv) {
        if (!srv)
                return;
        apiserver_stop(srv);
        watch_hub_free(srv->watch);
        store_close(srv->store);
        metrics_free(srv->metrics);
        free(srv);
}
