/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "scheduler/health.h"
#include "util.h"

struct sched_health {
        struct MHD_Daemon *daemon;
        sched_metrics_fn metrics;
        void *userdata;
};

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned code, const char *type,
                             char *body) {
        struct MHD_Response *r =
                MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
        if (!r) {
                free(body);
                return MHD_NO;
        }
        MHD_add_response_header(r, "Content-Type", type);
        enum MHD_Result ret = MHD_queue_response(conn, code, r);
        MHD_destroy_response(r);
        return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls) {
        (void)version;
        (void)upload_data;
        (void)upload_data_size;
        (void)con_cls;
        sched_health *h = cls;
        if (!streq(method, "GET") && !streq(method, "HEAD"))
                return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
                             xstrdup("method not allowed\n"));
        if (streq(url, "/healthz") || streq(url, "/livez") || streq(url, "/readyz"))
                return reply(conn, MHD_HTTP_OK, "text/plain", xstrdup("ok"));
        if (streq(url, "/metrics"))
                return reply(conn, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8",
                             h->metrics(h->userdata));
        return reply(conn, MHD_HTTP_NOT_FOUND, "text/plain", xstrdup("404 page not found\n"));
}

int sched_health_start(const char *address, uint16_t port, sched_metrics_fn metrics, void *userdata,
                       sched_health **ret, tm_error **err) {
        struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
        if (inet_pton(AF_INET, address, &sin.sin_addr) != 1)
                return tm_error_set(err, -EINVAL, "--bind-address %s: not an IPv4 address",
                                    address);
        sched_health *h = xcalloc(1, sizeof(*h));
        h->metrics = metrics;
        h->userdata = userdata;
        h->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, port, NULL, NULL, handle, h,
                                     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin, MHD_OPTION_END);
        if (!h->daemon) {
                free(h);
                return tm_error_set(err, -EADDRINUSE, "cannot listen on %s:%u", address,
                                    (unsigned)port);
        }
        *ret = h;
        return 0;
}

void sched_health_stop(sched_health *h) {
        if (!h)
                return;
        MHD_stop_daemon(h->daemon);
        free(h);
}
