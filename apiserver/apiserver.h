/* SPDX-License-Identifier: Apache-2.0 */
/* timonier-apiserver: the HTTP front (libmicrohttpd), the request pipeline
 * (authentication -> authorization -> admission, as plug-in points) and the
 * routes. */
#ifndef TIMONIER_APISERVER_H
#define TIMONIER_APISERVER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "json.h"
#include "strbuf.h"
#include "tmerror.h"

struct MHD_Daemon;
struct MHD_Connection;

typedef struct apiserver_config {
        const char *bind_address;                /* default "127.0.0.1": loopback only */
        uint16_t port;                           /* default 6443; 0 picks a free port */
        const char *data_dir;                    /* store and generated files */
        unsigned max_requests_inflight;          /* 400, as upstream */
        unsigned max_mutating_requests_inflight; /* 200, as upstream */
        size_t max_body;                         /* 3 MiB, as upstream */
        unsigned max_connections;                /* open connections (one thread each) */
        int64_t history_ms; /* events kept for watch resume and paging; 0: 150 s */
} apiserver_config;

void apiserver_config_defaults(apiserver_config *cfg);

struct store;
struct watch_hub;
struct metrics;

typedef struct apiserver {
        apiserver_config cfg;
        struct store *store;
        struct watch_hub *watch;
        struct metrics *metrics;
        struct MHD_Daemon *mhd;
        uint16_t port; /* the port actually bound */
        atomic_uint inflight_reads;
        atomic_uint inflight_mutations;
        atomic_ulong requests_total;
} apiserver;

/* One HTTP request while it is being served. */
typedef struct api_request {
        apiserver *srv;
        struct MHD_Connection *conn;
        const char *method;
        const char *url;
        strbuf body;
        bool too_large;
        bool started;    /* the handler ran (the response is queued) */
        int inflight;    /* which in-flight counter it holds: 0 none, 1 reads, 2 mutations */
        char **warnings; /* Warning headers to send, NULL-terminated */
        /* for metrics: what the request was and how it was answered */
        struct timespec t0;
        unsigned code;
        char *m_verb, *m_group, *m_resource, *m_subresource;
} api_request;

int apiserver_new(const apiserver_config *cfg, apiserver **ret, tm_error **err);
int apiserver_start(apiserver *srv, tm_error **err);
void apiserver_stop(apiserver *srv);
void apiserver_free(apiserver *srv);

/* Request accessors for handlers. */
const char *api_request_query(api_request *r, const char *key);
/* The query has the key, with or without a value ("?verbose"). */
bool api_request_has_query(api_request *r, const char *key);
const char *api_request_header(api_request *r, const char *key);

/* Add a "Warning: 299 - ..." header to the response. */
void api_request_warn(api_request *r, const char *text);

/* Responses: each queues the response and returns an MHD result. */
int api_respond_bytes(api_request *r, unsigned code, const char *content_type, char *take,
                      size_t len);
int api_respond_json(api_request *r, unsigned code, const json *v);
/* Takes the Status object; the HTTP code is its "code". */
int api_respond_status(api_request *r, json *status_take);

/* The routes (routes.c). */
int apiserver_route(api_request *r);

#endif
