/* SPDX-License-Identifier: Apache-2.0 */
/* The HTTP client every component uses to talk to the API server, on libcurl
 * (doc/http-client.md).
 *
 *     _cleanup_(http_client_freep) http_client *c = NULL;
 *     r = http_client_new("https://127.0.0.1:6443", &opts, &c, err);
 *     _cleanup_json_ json *pod = NULL;
 *     r = http_get_json(c, "/api/v1/namespaces/default/pods/web-0", &pod, err);
 *     if (r == -ENOENT) ...
 *
 * A request that gets a non-2xx answer fails with a negative errno mapped
 * from the HTTP status (and from the Kubernetes Status reason where it
 * matters), and the error message is the Status message. Idempotent requests
 * are retried with exponential backoff and jitter on connection errors, 429
 * and 5xx.
 *
 * Watch streams: an http_watcher follows many watches in one thread with
 * curl's multi interface and calls back once per decoded event. */
#ifndef TIMONIER_HTTPCLIENT_H
#define TIMONIER_HTTPCLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "cleanup.h"
#include "json.h"
#include "strbuf.h"
#include "tmerror.h"

#define HTTP_DEFAULT_MAX_RESPONSE_SIZE ((size_t)64 << 20)
#define HTTP_DEFAULT_MAX_EVENT_SIZE    ((size_t)16 << 20)
#define HTTP_MAX_WARNINGS              32

typedef struct http_client http_client;

/* Every field may be left zero for its default. Strings are copied. */
typedef struct http_client_options {
        long connect_timeout_ms; /* default 10 s */
        long timeout_ms;         /* whole request, per attempt; default 60 s; < 0: none */
        const char *bearer_token;
        const char *ca_file;          /* PEM bundle to verify the server with */
        const char *client_cert_file; /* PEM client certificate */
        const char *client_key_file;  /* PEM key of client_cert_file */
        bool insecure_skip_tls_verify;
        const char *user_agent;   /* default "timonier/VERSION" */
        size_t max_response_size; /* bytes of one response body; default 64 MiB */
        size_t max_event_size;    /* bytes of one watch event; default 16 MiB */
        unsigned max_attempts;    /* tries per request, first included; default 5 */
        long backoff_initial_ms;  /* first retry delay; default 100 ms */
        long backoff_max_ms;      /* delay cap; default 10 s */
        long retry_after_max_ms;  /* cap on a server's Retry-After; default 60 s */
} http_client_options;

int http_client_new(const char *base_url, const http_client_options *opts, http_client **ret,
                    tm_error **err);
void http_client_free(http_client *c);
DEFINE_CLEANUP_FUNC(http_client, http_client_free)
const char *http_client_base_url(const http_client *c);

/* A Kubernetes Status decoded from a failed response. */
typedef struct http_status {
        long code;     /* HTTP status code; 0 when no answer came */
        char *reason;  /* Status.reason ("NotFound", "AlreadyExists", "Conflict"...) or NULL */
        char *message; /* Status.message or NULL */
        json *details; /* Status.details or NULL */
} http_status;

typedef struct http_response {
        long code;          /* HTTP status code; 0 when no answer came */
        char *content_type; /* NULL if none */
        long retry_after_s; /* Retry-After in seconds; -1 if none */
        char **warnings;    /* Warning header values (NULL-terminated), or NULL */
        char *body;         /* NUL-terminated after body_len bytes; never NULL after a request */
        size_t body_len;
        json *json;         /* the body parsed, when Content-Type is JSON */
        http_status status; /* filled for non-2xx answers */
        unsigned attempts;  /* how many tries were made */
} http_response;

#define HTTP_RESPONSE_INIT \
        { .retry_after_s = -1 }

/* Frees what a response holds and resets it to HTTP_RESPONSE_INIT. */
void http_response_done(http_response *resp);
static inline void http_response_donep(http_response *resp) {
        http_response_done(resp);
}
#define _cleanup_http_response_ _cleanup_(http_response_donep)

/* A request body: either a JSON tree (serialized) or raw bytes. */
typedef struct http_body {
        const json *json;
        const void *data; /* used when json is NULL */
        size_t len;
        const char *content_type; /* default "application/json" */
} http_body;

/* Map an HTTP status code (and Kubernetes Status reason, may be NULL) to a
 * negative errno; 0 for 2xx. */
int http_status_to_errno(long code, const char *reason);

/* Perform one request (retrying as the policy allows). `path` is appended to
 * the base URL and may carry a query. `body` may be NULL.
 *
 * Returns the HTTP status code (2xx) on success. On failure returns a
 * negative errno (see http_status_to_errno(); -ETIMEDOUT, -ECONNREFUSED,
 * -ECONNRESET, -EMSGSIZE for a body over the bound, -EBADMSG for a 2xx JSON
 * body that does not parse) and sets *err.
 *
 * Unlike a ret_ parameter, `resp` (may be NULL) is always reset and filled
 * with whatever was received, failure or not, so that a caller can read the
 * Status of a failed request; release it with http_response_done(). */
int http_request(http_client *c, const char *method, const char *path, const http_body *body,
                 http_response *resp, tm_error **err);

/* JSON conveniences: *ret (may be NULL) receives the parsed response body
 * (a JSON null if the body was empty). They return the HTTP status code. */
int http_get_json(http_client *c, const char *path, json **ret, tm_error **err);
int http_post_json(http_client *c, const char *path, const json *body, json **ret, tm_error **err);
int http_put_json(http_client *c, const char *path, const json *body, json **ret, tm_error **err);
/* patch_type: "application/merge-patch+json", "application/strategic-merge-patch+json",
 * "application/json-patch+json" or "application/apply-patch+yaml". */
int http_patch(http_client *c, const char *path, const char *patch_type, const void *patch,
               size_t len, json **ret, tm_error **err);
int http_delete(http_client *c, const char *path, const json *options, json **ret, tm_error **err);

/* --- watch streams ---------------------------------------------------- */

/* Splits a byte stream into lines ending in '\n' (a trailing '\r' and
 * blank lines are dropped), bounding each line. */
typedef struct http_line_splitter {
        strbuf partial;
        size_t max_line;
} http_line_splitter;

/* Called per complete line (not NUL-terminated at len; line[len] is '\0').
 * A negative return stops the feed and is returned by it. */
typedef int (*http_line_fn)(const char *line, size_t len, void *userdata);

void http_line_splitter_init(http_line_splitter *s, size_t max_line);
void http_line_splitter_done(http_line_splitter *s);
/* Returns 0, the callback's negative value, or -EMSGSIZE for a line longer
 * than max_line (the splitter is then unusable until reset). */
int http_line_splitter_feed(http_line_splitter *s, const char *data, size_t len, http_line_fn fn,
                            void *userdata, tm_error **err);
/* Bytes of an incomplete last line. */
static inline size_t http_line_splitter_pending(const http_line_splitter *s) {
        return s->partial.len;
}

/* Decode one watch event line: {"type":"ADDED","object":{...}}. */
int http_watch_event_parse(const char *line, size_t len, size_t max_size, char **ret_type,
                           json **ret_object, tm_error **err);

typedef struct http_watcher http_watcher;
typedef struct http_watch http_watch;

/* One event. The callback may take the object with TAKE_PTR(*object);
 * otherwise it is freed after the call. A negative return ends the watch with
 * that code. type is "ADDED", "MODIFIED", "DELETED", "BOOKMARK" or "ERROR"
 * (whose object is a Status). */
typedef int (*http_watch_event_fn)(http_watch *watch, const char *type, json **object,
                                   void *userdata);
/* The stream ended: error 0 when the server closed it cleanly, else a
 * negative errno with err saying why (a non-2xx answer maps as for requests).
 * Called exactly once per watch that was not removed; the watch is freed
 * right after it returns. */
typedef void (*http_watch_end_fn)(http_watch *watch, int error, const tm_error *err,
                                  void *userdata);

int http_watcher_new(http_watcher **ret, tm_error **err);
/* Removes (without end callbacks) and frees every watch. */
void http_watcher_free(http_watcher *w);
DEFINE_CLEANUP_FUNC(http_watcher, http_watcher_free)

/* Start a watch: GET path with watch=1 (and resourceVersion if non-NULL and
 * non-empty) added to its query. The client must outlive the watch. Except
 * http_watcher_stop(), watcher functions must be called from the thread
 * running the watcher (callbacks included) or while it is not running. */
int http_watcher_add(http_watcher *w, http_client *c, const char *path,
                     const char *resource_version, http_watch_event_fn on_event,
                     http_watch_end_fn on_end, void *userdata, http_watch **ret, tm_error **err);
/* Stop following a watch; no end callback. Safe from that watch's callbacks. */
void http_watcher_remove(http_watcher *w, http_watch *watch);
/* Number of watches not yet ended or removed. */
size_t http_watcher_count(const http_watcher *w);
/* Events delivered so far on a watch. */
unsigned long http_watch_events(const http_watch *watch);
const char *http_watch_url(const http_watch *watch);

/* Wait up to timeout_ms for data and dispatch callbacks. Returns 0, or
 * -ECANCELED once http_watcher_stop() was called. */
int http_watcher_run_once(http_watcher *w, int timeout_ms, tm_error **err);
/* Loop until http_watcher_stop(); returns 0 then. */
int http_watcher_run(http_watcher *w, tm_error **err);
/* Thread-safe and async-signal-unsafe: make run()/run_once() return. */
void http_watcher_stop(http_watcher *w);

#endif
