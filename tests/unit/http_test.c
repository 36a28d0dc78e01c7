/* SPDX-License-Identifier: Apache-2.0 */
/* The HTTP client against a real libmicrohttpd server on 127.0.0.1 (an
 * ephemeral port): requests, Status errors, timeouts, retries, size bounds,
 * and many chunked watch streams followed in one thread. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "httpclient.h"
#include "json.h"
#include "strbuf.h"
#include "tests/tap.h"

/* --- the test server ------------------------------------------------------ */

static atomic_bool server_stopping;
static atomic_int flaky_hits, ratelimit_hits, endless_closed, requests_seen;

typedef struct req {
        strbuf body;
} req;

static double now_s(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned code, const char *ctype,
                             const char *body, size_t len, const char *hname, const char *hval) {
        struct MHD_Response *r =
                MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
        if (ctype)
                MHD_add_response_header(r, "Content-Type", ctype);
        if (hname)
                MHD_add_response_header(r, hname, hval);
        enum MHD_Result ret = MHD_queue_response(conn, code, r);
        MHD_destroy_response(r);
        return ret;
}

static enum MHD_Result reply_json(struct MHD_Connection *conn, unsigned code, const json *j) {
        size_t len;
        _cleanup_free_ char *s = json_serialize(j, 0, &len);
        return reply(conn, code, "application/json", s, len, NULL, NULL);
}

static enum MHD_Result reply_status(struct MHD_Connection *conn, unsigned code, const char *reason,
                                    const char *message) {
        _cleanup_json_ json *st = json_new_object();
        json_object_set_string(st, "kind", "Status");
        json_object_set_string(st, "apiVersion", "v1");
        json_object_set(st, "metadata", json_new_object());
        json_object_set_string(st, "status", "Failure");
        json_object_set_string(st, "message", message);
        json_object_set_string(st, "reason", reason);
        json *details = json_object_ensure_object(st, "details");
        json_object_set_string(details, "name", "web-0");
        json_object_set_string(details, "kind", "pods");
        json_object_set_int(st, "code", code);
        return reply_json(conn, code, st);
}

static const char *arg(struct MHD_Connection *conn, const char *key) {
        return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, key);
}

static long arg_long(struct MHD_Connection *conn, const char *key, long dflt) {
        const char *v = arg(conn, key);
        return v ? strtol(v, NULL, 10) : dflt;
}

/* A watch stream handed out in odd chunk sizes with pauses. */
typedef struct stream {
        char *data;
        size_t len, pos;
        unsigned calls;
        int id;
        bool endless;
        unsigned long seq;
        double started;
} stream;

static const size_t chunk_sizes[] = { 1, 3, 7, 13, 64, 97, 250, 1000, 4096, 2, 31 };

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max) {
        stream *s = cls;
        if (s->endless) {
                for (;;) {
                        if (atomic_load(&server_stopping) || now_s() - s->started > 10)
                                return MHD_CONTENT_READER_END_OF_STREAM;
                        sleep_ms(10);
                        int n = snprintf(
                                buf, max,
                                "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\","
                                "\"metadata\":{\"resourceVersion\":\"%lu\"},\"seq\":%lu}}\n",
                                s->seq, s->seq);
                        if (n > 0 && (size_t)n < max) {
                                s->seq++;
                                return n;
                        }
                        return MHD_CONTENT_READER_END_WITH_ERROR;
                }
        }
        if (s->pos >= s->len)
                return MHD_CONTENT_READER_END_OF_STREAM;
        size_t n = chunk_sizes[(s->calls + (unsigned)s->id) % ELEMENTSOF(chunk_sizes)];
        if (++s->calls % 9 == 0)
                sleep_ms(2);
        if (n > max)
                n = max;
        if (n > s->len - s->pos)
                n = s->len - s->pos;
        memcpy(buf, s->data + s->pos, n);
        s->pos += n;
        return (ssize_t)n;
}

static void stream_free(void *cls) {
        stream *s = cls;
        if (s->endless)
                atomic_fetch_add(&endless_closed, 1);
        free(s->data);
        free(s);
}

static enum MHD_Result serve_watch(struct MHD_Connection *conn, const char *url) {
        int id = atoi(url + strlen("/watch/"));
        const char *mode = arg(conn, "mode");
        if (!mode)
                mode = "normal";
        if (!streq_ptr(arg(conn, "watch"), "1"))
                return reply_status(conn, 400, "BadRequest", "watch=1 is required");
        if (streq(mode, "auth") &&
            !streq_ptr(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization"),
                       "Bearer w-token"))
                return reply_status(conn, 401, "Unauthorized", "Unauthorized");
        if (streq(mode, "gone"))
                return reply_status(conn, 410, "Expired", "too old resource version: 1 (500)");

        unsigned long rv = (unsigned long)arg_long(conn, "resourceVersion", 0);
        long events = arg_long(conn, "events", 40);
        stream *s = xcalloc(1, sizeof *s);
        s->id = id;
        s->started = now_s();
        s->seq = rv + 1;
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        static const char *const types[] = { "ADDED", "MODIFIED", "DELETED" };
        if (streq(mode, "endless")) {
                s->endless = true;
        } else {
                for (long i = 0; i < events; i++) {
                        unsigned long seq = rv + 1 + (unsigned long)i;
                        strbuf_printf(&b,
                                      "{\"type\":\"%s\",\"object\":{\"kind\":\"Pod\",\"metadata\":"
                                      "{\"name\":\"w%d-%lu\",\"resourceVersion\":\"%lu\"},"
                                      "\"seq\":%lu}}\n",
                                      types[i % 3], id, seq, seq, seq);
                        if (i % 5 == 4)
                                strbuf_puts(&b, "\r\n"); /* blank lines are skipped */
                }
                if (streq(mode, "error-event"))
                        strbuf_puts(&b, "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\","
                                        "\"status\":\"Failure\",\"reason\":\"Expired\","
                                        "\"message\":\"too old\",\"code\":410}}\n");
                else if (streq(mode, "garbage"))
                        strbuf_puts(&b, "{\"type\":\"ADDED\",\"object\":nope}\n");
                else if (streq(mode, "truncated"))
                        strbuf_puts(&b, "{\"type\":\"ADDED\",\"obj");
                else if (streq(mode, "huge")) {
                        strbuf_puts(&b, "{\"type\":\"ADDED\",\"object\":{\"pad\":\"");
                        for (int i = 0; i < 70000; i++)
                                strbuf_putc(&b, 'x');
                        strbuf_puts(&b, "\"}}\n");
                }
                s->data = strbuf_take(&b, &s->len);
        }
        struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096,
                                                                   stream_read, s, stream_free);
        MHD_add_response_header(r, "Content-Type", "application/json");
        enum MHD_Result ret = MHD_queue_response(conn, 200, r);
        MHD_destroy_response(r);
        return ret;
}

static ssize_t big_read(void *cls, uint64_t pos, char *buf, size_t max) {
        size_t total = (size_t)(uintptr_t)cls;
        if (pos >= total)
                return MHD_CONTENT_READER_END_OF_STREAM;
        size_t n = total - pos < max ? total - pos : max;
        memset(buf, ' ', n);
        return (ssize_t)n;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls) {
        req *rq = *con_cls;
        if (!rq) {
                rq = xcalloc(1, sizeof *rq);
                *con_cls = rq;
                return MHD_YES;
        }
        if (*upload_size) {
                strbuf_append(&rq->body, upload, *upload_size);
                *upload_size = 0;
                return MHD_YES;
        }
        atomic_fetch_add(&requests_seen, 1);

        if (streq(url, "/json")) {
                const char *body = "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-0\"}}";
                return reply(conn, 200, "application/json; charset=utf-8", body, strlen(body), NULL,
                             NULL);
        }
        if (streq(url, "/echo")) {
                _cleanup_json_ json *j = json_new_object();
                const char *h;
                json_object_set_string(j, "method", method);
                json_object_set_string(j, "url", url);
                if ((h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization")))
                        json_object_set_string(j, "authorization", h);
                if ((h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "User-Agent")))
                        json_object_set_string(j, "userAgent", h);
                if ((h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type")))
                        json_object_set_string(j, "contentType", h);
                if ((h = arg(conn, "q")))
                        json_object_set_string(j, "q", h);
                json_object_set(j, "body",
                                json_new_stringn(rq->body.data ? rq->body.data : "", rq->body.len));
                return reply_json(conn, streq(method, "POST") ? 201 : 200, j);
        }
        if (streq(url, "/status")) {
                const char *reason = arg(conn, "reason"), *message = arg(conn, "message");
                return reply_status(conn, (unsigned)arg_long(conn, "code", 500),
                                    reason ? reason : "InternalError",
                                    message ? message : "something failed");
        }
        if (streq(url, "/plain-error"))
                return reply(conn, 500, "text/plain", "internal\nerror", 14, NULL, NULL);
        if (streq(url, "/slow")) {
                for (int i = 0; i < 200 && !atomic_load(&server_stopping); i++)
                        sleep_ms(10);
                return reply(conn, 200, "application/json", "{}", 2, NULL, NULL);
        }
        if (streq(url, "/flaky")) {
                int n = atomic_fetch_add(&flaky_hits, 1) + 1;
                if (n <= 2)
                        return reply_status(conn, 503, "ServiceUnavailable", "try later");
                char body[64];
                int len = snprintf(body, sizeof body, "{\"hits\":%d}", n);
                return reply(conn, 200, "application/json", body, (size_t)len, NULL, NULL);
        }
        if (streq(url, "/ratelimit")) {
                int n = atomic_fetch_add(&ratelimit_hits, 1) + 1;
                static const char limited[] = "{\"kind\":\"Status\",\"reason\":\"TooManyRequests\","
                                              "\"message\":\"slow down\",\"code\":429}";
                if (n == 1)
                        return reply(conn, 429, "application/json", limited, strlen(limited),
                                     "Retry-After", "1");
                return reply(conn, 200, "application/json", "{\"ok\":true}", 11, NULL, NULL);
        }
        if (streq(url, "/big")) {
                size_t n = (size_t)arg_long(conn, "n", 10);
                if (arg(conn, "chunked")) {
                        struct MHD_Response *r = MHD_create_response_from_callback(
                                MHD_SIZE_UNKNOWN, 65536, big_read, (void *)(uintptr_t)n, NULL);
                        MHD_add_response_header(r, "Content-Type", "text/plain");
                        enum MHD_Result ret = MHD_queue_response(conn, 200, r);
                        MHD_destroy_response(r);
                        return ret;
                }
                _cleanup_free_ char *body = xmalloc(n + 2);
                body[0] = '[';
                memset(body + 1, ' ', n);
                body[n + 1] = ']';
                return reply(conn, 200, "application/json", body, n + 2, NULL, NULL);
        }
        if (streq(url, "/warn")) {
                struct MHD_Response *r =
                        MHD_create_response_from_buffer(2, (void *)"{}", MHD_RESPMEM_PERSISTENT);
                MHD_add_response_header(r, "Content-Type", "application/json");
                MHD_add_response_header(r, "Warning", "299 - \"v1beta1 is deprecated\"");
                MHD_add_response_header(r, "Warning", "299 - \"unknown field spec.foo\"");
                enum MHD_Result ret = MHD_queue_response(conn, 200, r);
                MHD_destroy_response(r);
                return ret;
        }
        if (streq(url, "/notjson"))
                return reply(conn, 200, "text/plain", "hello", 5, NULL, NULL);
        if (streq(url, "/badjson"))
                return reply(conn, 200, "application/json", "{bad", 4, NULL, NULL);
        if (streq(url, "/nocontent"))
                return reply(conn, 204, NULL, "", 0, NULL, NULL);
        if (startswith(url, "/watch/"))
                return serve_watch(conn, url);
        return reply_status(conn, 404, "NotFound",
                            "the server could not find the requested resource");
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe) {
        req *rq = *con_cls;
        if (!rq)
                return;
        strbuf_done(&rq->body);
        free(rq);
        *con_cls = NULL;
}

static struct MHD_Daemon *server_start(unsigned *ret_port) {
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = 0 };
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        struct MHD_Daemon *d =
                MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0,
                                 NULL, NULL, handler, NULL, MHD_OPTION_SOCK_ADDR,
                                 (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, completed,
                                 NULL, MHD_OPTION_CONNECTION_LIMIT, (unsigned)500, MHD_OPTION_END);
        if (!d)
                return NULL;
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
        *ret_port = info ? info->port : 0;
        return d;
}

/* --- tests without a server ----------------------------------------------- */

typedef struct lines {
        char *got[16];
        size_t n;
        int fail_at; /* return -EPIPE on this line (1-based), 0: never */
} lines;

static int collect_line(const char *line, size_t len, void *userdata) {
        lines *l = userdata;
        if (line[len] != '\0' || strlen(line) != len)
                return -EFAULT;
        if (l->n < ELEMENTSOF(l->got))
                l->got[l->n] = xstrdup(line);
        l->n++;
        if (l->fail_at && (int)l->n == l->fail_at)
                return -EPIPE;
        return 0;
}

static void lines_done(lines *l) {
        for (size_t i = 0; i < l->n && i < ELEMENTSOF(l->got); i++)
                free(l->got[i]);
        *l = (lines){ 0 };
}

static void test_line_splitter(void) {
        http_line_splitter s;
        lines l = { 0 };
        int r;

        http_line_splitter_init(&s, 64);
        r = http_line_splitter_feed(&s, "one\ntw", 6, collect_line, &l, NULL);
        is_int(r, 0, "split: feed returns 0");
        is_int(l.n, 1, "split: one complete line");
        is_str(l.got[0], "one", "split: first line");
        is_int(http_line_splitter_pending(&s), 2, "split: partial line kept");
        r = http_line_splitter_feed(&s, "o\r\n\n  \r\nthree\nfour\n", 19, collect_line, &l, NULL);
        is_int(l.n, 4, "split: blank lines skipped, several lines per chunk");
        is_str(l.got[1], "two", "split: line across chunks joined, CR dropped");
        is_str(l.got[3], "four", "split: last line of chunk");
        is_int(http_line_splitter_pending(&s), 0, "split: nothing pending");
        lines_done(&l);

        const char *text = "a1\nb22\nc333\n";
        for (size_t i = 0; i < strlen(text); i++)
                http_line_splitter_feed(&s, text + i, 1, collect_line, &l, NULL);
        ok(l.n == 3 && streq(l.got[0], "a1") && streq(l.got[1], "b22") && streq(l.got[2], "c333"),
           "split: byte-by-byte feed gives the same lines");
        lines_done(&l);

        _cleanup_error_ tm_error *err = NULL;
        char big[100];
        memset(big, 'x', sizeof big);
        r = http_line_splitter_feed(&s, big, sizeof big, collect_line, &l, &err);
        is_int(r, -EMSGSIZE, "split: a line over the bound without newline is -EMSGSIZE");
        ok(err && strstr(err->msg, "64 bytes"), "split: error names the bound");
        http_line_splitter_done(&s);

        http_line_splitter_init(&s, 64);
        l.fail_at = 2;
        r = http_line_splitter_feed(&s, "a\nb\nc\n", 6, collect_line, &l, NULL);
        is_int(r, -EPIPE, "split: callback error stops the feed");
        is_int(l.n, 2, "split: no line after the failing one");
        lines_done(&l);
        http_line_splitter_done(&s);
}

static void test_event_parse(void) {
        _cleanup_free_ char *type = NULL;
        _cleanup_json_ json *obj = NULL;
        const char *ev = "{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"Pod\"}}";
        int r = http_watch_event_parse(ev, strlen(ev), 1024, &type, &obj, NULL);
        is_int(r, 0, "event: parses");
        is_str(type, "MODIFIED", "event: type");
        is_str(json_object_get_string(obj, "kind"), "Pod", "event: object");

        static const char *const bad[] = {
                "{\"object\":{}}",
                "{\"type\":\"ADDED\",\"object\":3}",
                "{\"type\":\"ADDED\",\"object\":{}",
                "[1,2]",
        };
        bool all = true;
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *t = NULL;
                json *o = NULL;
                _cleanup_error_ tm_error *err = NULL;
                r = http_watch_event_parse(bad[i], strlen(bad[i]), 1024, &t, &o, &err);
                if (r != -EBADMSG || t || o || !err)
                        all = false;
        }
        ok(all, "event: malformed events are -EBADMSG and set nothing");
        r = http_watch_event_parse(ev, strlen(ev), 10, &type, &obj, NULL);
        is_int(r, -EBADMSG, "event: over max_size is rejected");
}

static void test_status_map(void) {
        is_int(http_status_to_errno(200, NULL), 0, "map: 200 is success");
        is_int(http_status_to_errno(409, "AlreadyExists"), -EEXIST, "map: 409 AlreadyExists");
        is_int(http_status_to_errno(409, NULL), -ESTALE, "map: 409 without reason is a conflict");
        is_int(http_status_to_errno(302, NULL), -EPROTO, "map: unexpected redirect");
        is_int(http_status_to_errno(418, NULL), -EINVAL, "map: other 4xx");
        is_int(http_status_to_errno(599, NULL), -EIO, "map: other 5xx");
}

/* --- requests --------------------------------------------------------------- */

static char base[64];

static http_client *client(const http_client_options *o) {
        http_client *c = NULL;
        _cleanup_error_ tm_error *err = NULL;
        if (http_client_new(base, o, &c, &err) < 0) {
                diag("client: %s", tm_error_msg(err));
                abort();
        }
        return c;
}

static void test_client_new(void) {
        http_client *c = NULL;
        _cleanup_error_ tm_error *err = NULL;
        is_int(http_client_new("ftp://127.0.0.1/", NULL, &c, &err), -EINVAL,
               "new: non-HTTP URL refused");
        ok(c == NULL, "new: ret untouched on failure");
        is_int(http_client_new(NULL, NULL, &c, NULL), -EINVAL, "new: NULL URL refused");
        ok(http_client_new("http://127.0.0.1:1///", NULL, &c, NULL) == 0 &&
                   streq(http_client_base_url(c), "http://127.0.0.1:1"),
           "new: trailing slashes dropped from base URL");
        http_client_free(c);
}

static void test_requests(void) {
        http_client_options o = { .bearer_token = "s3cret", .max_attempts = 1 };
        _cleanup_(http_client_freep) http_client *c = client(&o);
        _cleanup_http_response_ http_response resp = HTTP_RESPONSE_INIT;
        _cleanup_error_ tm_error *err = NULL;
        int r;

        r = http_request(c, "GET", "/json", NULL, &resp, &err);
        is_int(r, 200, "GET /json returns 200");
        is_str(resp.content_type, "application/json; charset=utf-8", "Content-Type recorded");
        ok(json_is_object(resp.json), "JSON body parsed into resp.json");
        is_str(json_get_str(resp.json, "metadata", "name", NULL), "web-0", "body content");
        is_int(resp.attempts, 1, "one attempt");
        ok(err == NULL, "no error on success");

        _cleanup_json_ json *j = NULL;
        r = http_get_json(c, "/echo?q=a%20b", &j, &err);
        is_int(r, 200, "get_json returns the status code");
        is_str(json_object_get_string(j, "method"), "GET", "echo: GET");
        is_str(json_object_get_string(j, "q"), "a b", "echo: query passed through");
        is_str(json_object_get_string(j, "authorization"), "Bearer s3cret", "bearer token sent");
        is_str(json_object_get_string(j, "userAgent"), PACKAGE_NAME "/" PACKAGE_VERSION,
               "default User-Agent is timonier/VERSION");
        json_free(TAKE_PTR(j));

        _cleanup_json_ json *pod = json_new_object();
        json_object_set_string(pod, "kind", "Pod");
        r = http_post_json(c, "/echo", pod, &j, &err);
        is_int(r, 201, "POST returns 201");
        is_str(json_object_get_string(j, "body"), "{\"kind\":\"Pod\"}", "POST body serialized");
        is_str(json_object_get_string(j, "contentType"), "application/json",
               "POST Content-Type is JSON");
        json_free(TAKE_PTR(j));

        r = http_put_json(c, "/echo", pod, &j, &err);
        ok(r == 200 && streq_ptr(json_object_get_string(j, "method"), "PUT"), "PUT sent");
        json_free(TAKE_PTR(j));

        const char *patch = "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}";
        r = http_patch(c, "/echo", "application/strategic-merge-patch+json", patch, strlen(patch),
                       &j, &err);
        ok(r == 200 && streq_ptr(json_object_get_string(j, "method"), "PATCH"), "PATCH sent");
        is_str(json_object_get_string(j, "contentType"), "application/strategic-merge-patch+json",
               "PATCH content type passed through");
        is_str(json_object_get_string(j, "body"), patch, "PATCH body raw");
        json_free(TAKE_PTR(j));

        _cleanup_json_ json *opts = json_new_object();
        json_object_set_string(opts, "propagationPolicy", "Foreground");
        r = http_delete(c, "/echo", opts, &j, &err);
        ok(r == 200 && streq_ptr(json_object_get_string(j, "method"), "DELETE") &&
                   strstr(json_object_get_string(j, "body"), "Foreground"),
           "DELETE with DeleteOptions body");
        json_free(TAKE_PTR(j));

        r = http_delete(c, "/nocontent", NULL, &j, &err);
        ok(r == 204 && json_is_null(j), "204 No Content gives a JSON null");
        json_free(TAKE_PTR(j));

        http_client_options o2 = { .user_agent = "timonier-scheduler/0.1" };
        _cleanup_(http_client_freep) http_client *c2 = client(&o2);
        r = http_get_json(c2, "/echo", &j, &err);
        is_str(json_object_get_string(j, "userAgent"), "timonier-scheduler/0.1",
               "User-Agent option");
        ok(json_object_get(j, "authorization") == NULL, "no token, no Authorization header");
        json_free(TAKE_PTR(j));

        r = http_request(c, "GET", "/warn", NULL, &resp, &err);
        ok(r == 200 && resp.warnings && strv_length(resp.warnings) == 2 &&
                   strstr(resp.warnings[1], "unknown field spec.foo"),
           "both Warning headers recorded");

        r = http_request(c, "GET", "/notjson", NULL, &resp, &err);
        ok(r == 200 && resp.json == NULL && resp.body_len == 5 && streq(resp.body, "hello"),
           "non-JSON body kept raw, not parsed");
        r = http_get_json(c, "/notjson", &j, &err);
        is_int(r, -EBADMSG, "get_json on a text/plain answer is -EBADMSG");
        ok(j == NULL, "get_json: ret untouched on failure");
        r = http_get_json(c, "/badjson", &j, &err);
        is_int(r, -EBADMSG, "malformed JSON in a 2xx answer is -EBADMSG");
        ok(err && strstr(err->msg, "decode response"), "decode error message");

        r = http_get_json(c, "nopath", &j, &err);
        is_int(r, -EINVAL, "path without leading slash refused");
}

static void test_status_errors(void) {
        static const struct {
                int code;
                const char *reason;
                int want;
        } cases[] = {
                { 404, "NotFound", -ENOENT },
                { 409, "AlreadyExists", -EEXIST },
                { 409, "Conflict", -ESTALE },
                { 403, "Forbidden", -EACCES },
                { 401, "Unauthorized", -EPERM },
                { 400, "BadRequest", -EINVAL },
                { 422, "Invalid", -EINVAL },
                { 410, "Expired", -EIDRM },
                { 405, "MethodNotAllowed", -EOPNOTSUPP },
                { 413, "RequestEntityTooLarge", -E2BIG },
                { 500, "InternalError", -EIO },
                { 503, "ServiceUnavailable", -EAGAIN },
                { 504, "Timeout", -ETIMEDOUT },
                { 429, "TooManyRequests", -EAGAIN },
        };
        http_client_options o = { .max_attempts = 1 };
        _cleanup_(http_client_freep) http_client *c = client(&o);

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_http_response_ http_response resp = HTTP_RESPONSE_INIT;
                _cleanup_error_ tm_error *err = NULL;
                char path[160], msg[64];
                snprintf(msg, sizeof msg, "pods \"web-0\" failed with %d", cases[i].code);
                snprintf(path, sizeof path,
                         "/status?code=%d&reason=%s&message=pods%%20%%22web-0%%22%%20failed%%"
                         "20with%%20%d",
                         cases[i].code, cases[i].reason, cases[i].code);
                int r = http_request(c, "GET", path, NULL, &resp, &err);
                is_int(r, cases[i].want, "HTTP %d %s maps to %s", cases[i].code, cases[i].reason,
                       strerror(-cases[i].want));
                is_str(tm_error_msg(err), msg, "HTTP %d: error message is the Status message",
                       cases[i].code);
                ok(resp.status.code == cases[i].code &&
                           streq_ptr(resp.status.reason, cases[i].reason),
                   "HTTP %d: code and reason kept in resp.status", cases[i].code);
        }

        _cleanup_http_response_ http_response resp = HTTP_RESPONSE_INIT;
        _cleanup_error_ tm_error *err = NULL;
        http_request(c, "GET", "/status?code=404&reason=NotFound", NULL, &resp, &err);
        is_str(json_object_get_string(resp.status.details, "name"), "web-0", "Status details kept");
        json *j = NULL;
        int r = http_get_json(c, "/plain-error", &j, &err);
        is_int(r, -EIO, "non-Status 500 maps to -EIO");
        ok(err && strstr(err->msg, "HTTP 500") && strstr(err->msg, "internal error"),
           "non-Status error names the code and shows the body: %s", tm_error_msg(err));
}

static void test_timeouts_and_refused(void) {
        _cleanup_error_ tm_error *err = NULL;
        _cleanup_http_response_ http_response resp = HTTP_RESPONSE_INIT;
        http_client_options o = { .timeout_ms = 300 };
        _cleanup_(http_client_freep) http_client *c = client(&o);
        double t0 = now_s();
        int r = http_request(c, "GET", "/slow", NULL, &resp, &err);
        double dt = now_s() - t0;
        is_int(r, -ETIMEDOUT, "slow answer: -ETIMEDOUT");
        ok(dt >= 0.25 && dt < 1.5, "timeout after ~300 ms (%.2f s)", dt);
        is_int(resp.attempts, 1, "a timeout is not retried");

        /* A bound socket that does not listen: connections are refused. */
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in sa = { .sin_family = AF_INET };
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t sl = sizeof sa;
        bind(fd, (struct sockaddr *)&sa, sizeof sa);
        getsockname(fd, (struct sockaddr *)&sa, &sl);
        char url[64];
        snprintf(url, sizeof url, "http://127.0.0.1:%u", ntohs(sa.sin_port));

        http_client_options o2 = { .max_attempts = 3, .backoff_initial_ms = 5 };
        _cleanup_(http_client_freep) http_client *c2 = NULL;
        http_client_new(url, &o2, &c2, NULL);
        t0 = now_s();
        r = http_request(c2, "GET", "/json", NULL, &resp, &err);
        dt = now_s() - t0;
        is_int(r, -ECONNREFUSED, "closed port: -ECONNREFUSED");
        ok(dt < 1.0, "refused quickly (%.3f s)", dt);
        is_int(resp.attempts, 3, "refused GET retried up to max_attempts");
        is_int(resp.code, 0, "no HTTP status without an answer");
        _cleanup_json_ json *body = json_new_object();
        http_body b = { .json = body };
        r = http_request(c2, "POST", "/json", &b, &resp, &err);
        ok(r == -ECONNREFUSED && resp.attempts == 3, "refused POST is retried (nothing was sent)");
        ok(err && strstr(err->msg, url), "transport error names the URL: %s", tm_error_msg(err));
        close(fd);
}

static void test_retries(void) {
        _cleanup_error_ tm_error *err = NULL;
        _cleanup_http_response_ http_response resp = HTTP_RESPONSE_INIT;
        http_client_options o = { .max_attempts = 4, .backoff_initial_ms = 10 };
        _cleanup_(http_client_freep) http_client *c = client(&o);

        atomic_store(&flaky_hits, 0);
        int r = http_request(c, "GET", "/flaky", NULL, &resp, &err);
        is_int(r, 200, "503, 503, 200: GET succeeds");
        is_int(resp.attempts, 3, "three attempts");
        is_int(json_object_get_int(resp.json, "hits", 0), 3, "server saw three requests");
        ok(err == NULL, "no error left from the failed attempts");

        atomic_store(&flaky_hits, 0);
        _cleanup_json_ json *body = json_new_object();
        http_body b = { .json = body };
        r = http_request(c, "POST", "/flaky", &b, &resp, &err);
        is_int(r, -EAGAIN, "POST answered 503 fails with -EAGAIN");
        is_int(atomic_load(&flaky_hits), 1, "POST is not retried on 503");

        http_client_options o2 = { .max_attempts = 2, .backoff_initial_ms = 10 };
        _cleanup_(http_client_freep) http_client *c2 = client(&o2);
        atomic_store(&flaky_hits, 0);
        r = http_request(c2, "GET", "/flaky", NULL, &resp, &err);
        ok(r == -EAGAIN && resp.attempts == 2 && atomic_load(&flaky_hits) == 2,
           "max_attempts bounds the retries");
        is_str(tm_error_msg(err), "try later", "last Status message reported");

        atomic_store(&ratelimit_hits, 0);
        double t0 = now_s();
        r = http_request(c, "GET", "/ratelimit", NULL, &resp, &err);
        double dt = now_s() - t0;
        is_int(r, 200, "429 then 200: succeeds");
        is_int(resp.attempts, 2, "429 retried once");
        ok(dt >= 0.95 && dt < 3, "Retry-After: 1 honoured (%.2f s)", dt);
}

static void test_size_bound(void) {
        _cleanup_error_ tm_error *err = NULL;
        _cleanup_http_response_ http_response resp = HTTP_RESPONSE_INIT;
        http_client_options o = { .max_response_size = 1 << 20 };
        _cleanup_(http_client_freep) http_client *c = client(&o);
        int r = http_request(c, "GET", "/big?n=2000000", NULL, &resp, &err);
        is_int(r, -EMSGSIZE, "2 MB body with Content-Length over a 1 MiB bound: -EMSGSIZE");
        ok(err && strstr(err->msg, "exceeds 1048576 bytes"), "error names the bound");
        r = http_request(c, "GET", "/big?n=3000000&chunked=1", NULL, &resp, &err);
        is_int(r, -EMSGSIZE, "3 MB chunked body over the bound: -EMSGSIZE");
        r = http_request(c, "GET", "/big?n=1000000", NULL, &resp, &err);
        ok(r == 200 && resp.body_len == 1000002 && json_is_array(resp.json),
           "body under the bound accepted");
        _cleanup_(http_client_freep) http_client *c2 = client(NULL);
        r = http_request(c2, "GET", "/big?n=3000000&chunked=1", NULL, &resp, &err);
        ok(r == 200 && resp.body_len == 3000000, "default bound (64 MiB) accepts 3 MB");
}

typedef struct thread_arg {
        http_client *c;
        int ok;
} thread_arg;

static void *hammer(void *p) {
        thread_arg *a = p;
        for (int i = 0; i < 25; i++) {
                json *j = NULL;
                if (http_get_json(a->c, "/json", &j, NULL) == 200 &&
                    streq_ptr(json_get_str(j, "metadata", "name", NULL), "web-0"))
                        a->ok++;
                json_free(j);
        }
        return NULL;
}

static void test_threads(void) {
        _cleanup_(http_client_freep) http_client *c = client(NULL);
        pthread_t t[8];
        thread_arg a[8];
        for (int i = 0; i < 8; i++) {
                a[i] = (thread_arg){ .c = c };
                pthread_create(&t[i], NULL, hammer, &a[i]);
        }
        int total = 0;
        for (int i = 0; i < 8; i++) {
                pthread_join(t[i], NULL);
                total += a[i].ok;
        }
        is_int(total, 200, "8 threads x 25 GETs through one client all succeed");
}

/* --- watches ------------------------------------------------------------ */

typedef struct wstate {
        http_watcher *w;
        http_client *c;
        int id;
        unsigned long next;   /* expected seq */
        unsigned long events; /* delivered */
        bool in_order;
        int ends;
        int end_error;
        char *end_msg;
        char last_type[16];
        json *last_object;
        int fail_after;   /* return -EPIPE at this event */
        int remove_after; /* remove the watch at this event */
        int rewatch;      /* re-watch this many times from the last seq */
        http_watch *handle;
} wstate;

static int on_event(http_watch *watch, const char *type, json **object, void *userdata) {
        wstate *s = userdata;
        int64_t seq = json_object_get_int(*object, "seq", -1);
        if (seq != (int64_t)s->next && !streq(type, "ERROR"))
                s->in_order = false;
        s->next++;
        s->events++;
        snprintf(s->last_type, sizeof s->last_type, "%s", type);
        json_free(s->last_object);
        s->last_object = TAKE_PTR(*object);
        if (s->fail_after && (int)s->events == s->fail_after)
                return -EPIPE;
        if (s->remove_after && (int)s->events == s->remove_after)
                http_watcher_remove(s->w, watch);
        return 0;
}

static void on_end(http_watch *watch, int error, const tm_error *err, void *userdata) {
        wstate *s = userdata;
        s->ends++;
        s->end_error = error;
        free(s->end_msg);
        s->end_msg = err ? xstrdup(err->msg) : NULL;
        if (s->rewatch > 0) {
                s->rewatch--;
                char path[64], rv[32];
                snprintf(path, sizeof path, "/watch/%d?events=3", s->id);
                snprintf(rv, sizeof rv, "%lu", s->next - 1);
                if (http_watcher_add(s->w, s->c, path, rv, on_event, on_end, s, &s->handle, NULL) <
                    0)
                        s->in_order = false;
        }
}

static void wstate_done(wstate *s) {
        free(s->end_msg);
        json_free(s->last_object);
}

static void run_until_idle(http_watcher *w, double max_s) {
        double t0 = now_s();
        while (http_watcher_count(w) > 0 && now_s() - t0 < max_s)
                http_watcher_run_once(w, 100, NULL);
}

static void add_watch(http_watcher *w, http_client *c, wstate *s, int id, const char *query,
                      unsigned long rv) {
        char path[128], rvs[32];
        *s = (wstate){ .w = w, .c = c, .id = id, .next = rv + 1, .in_order = true };
        snprintf(path, sizeof path, "/watch/%d%s", id, query);
        snprintf(rvs, sizeof rvs, "%lu", rv);
        _cleanup_error_ tm_error *err = NULL;
        if (http_watcher_add(w, c, path, rvs, on_event, on_end, s, &s->handle, &err) < 0)
                diag("add watch: %s", tm_error_msg(err));
}

static void test_many_watches(void) {
        enum { N = 50 };
        _cleanup_(http_client_freep) http_client *c = client(NULL);
        _cleanup_(http_watcher_freep) http_watcher *w = NULL;
        is_int(http_watcher_new(&w, NULL), 0, "watcher created");
        wstate s[N];
        for (int i = 0; i < N; i++)
                add_watch(w, c, &s[i], i, i % 2 ? "?events=40" : "?events=40&x=y",
                          1000 * (unsigned long)i);
        is_int(http_watcher_count(w), N, "50 watches active");
        ok(strstr(http_watch_url(s[2].handle),
                  "/watch/2?events=40&x=y&watch=1&resourceVersion=2000"),
           "watch URL carries watch=1 and resourceVersion: %s", http_watch_url(s[2].handle));
        double t0 = now_s();
        run_until_idle(w, 30);
        diag("50 watches x 40 events in %.2f s", now_s() - t0);

        unsigned long total = 0;
        int in_order = 0, ended_once = 0, clean = 0, counted = 0;
        for (int i = 0; i < N; i++) {
                total += s[i].events;
                in_order += s[i].in_order && s[i].events == 40;
                ended_once += s[i].ends == 1;
                clean += s[i].end_error == 0;
                counted += s[i].events == 40;
        }
        is_int(total, N * 40, "every event delivered (%d)", N * 40);
        is_int(counted, N, "each watch got exactly its 40 events");
        is_int(in_order, N, "each watch's events arrived in order");
        is_int(ended_once, N, "each watch ended exactly once");
        is_int(clean, N, "each stream ended cleanly (error 0)");
        is_int(http_watcher_count(w), 0, "no watch left");
        ok(streq(s[7].last_type, "ADDED") &&
                   streq_ptr(json_get_str(s[7].last_object, "metadata", "name", NULL), "w7-7040"),
           "event type and object passed (last: %s %s)", s[7].last_type,
           json_get_str(s[7].last_object, "metadata", "name", NULL));
        for (int i = 0; i < N; i++)
                wstate_done(&s[i]);
}

static void test_watch_errors(void) {
        http_client_options o = { .max_event_size = 65536 };
        _cleanup_(http_client_freep) http_client *c = client(&o);
        _cleanup_(http_watcher_freep) http_watcher *w = NULL;
        http_watcher_new(&w, NULL);
        wstate gone, errev, huge, garbage, trunc, fail;
        add_watch(w, c, &gone, 1, "?mode=gone", 1);
        add_watch(w, c, &errev, 2, "?mode=error-event&events=2", 10);
        add_watch(w, c, &huge, 3, "?mode=huge&events=1", 10);
        add_watch(w, c, &garbage, 4, "?mode=garbage&events=3", 10);
        add_watch(w, c, &trunc, 5, "?mode=truncated&events=3", 10);
        add_watch(w, c, &fail, 6, "?events=10", 10);
        fail.fail_after = 4;
        run_until_idle(w, 10);

        is_int(gone.end_error, -EIDRM, "410 Expired at watch start: -EIDRM");
        is_str(gone.end_msg, "too old resource version: 1 (500)", "410: Status message reported");
        is_int(gone.events, 0, "410: no events");
        ok(errev.events == 3 && streq(errev.last_type, "ERROR") &&
                   json_object_get_int(errev.last_object, "code", 0) == 410,
           "ERROR event delivered with its Status object");
        is_int(errev.end_error, 0, "stream after an ERROR event ends cleanly");
        ok(huge.events == 1 && huge.end_error == -EMSGSIZE,
           "event over max_event_size ends the watch with -EMSGSIZE");
        ok(garbage.events == 3 && garbage.end_error == -EBADMSG,
           "malformed event ends the watch with -EBADMSG after the good ones");
        ok(trunc.events == 3 && trunc.end_error == -EBADMSG && trunc.end_msg &&
                   strstr(trunc.end_msg, "inside an event"),
           "stream ending mid-event: -EBADMSG");
        ok(fail.events == 4 && fail.end_error == -EPIPE && fail.ends == 1,
           "callback error ends the watch with its code");
        int ends = gone.ends + errev.ends + huge.ends + garbage.ends + trunc.ends + fail.ends;
        is_int(ends, 6, "each failed watch ended exactly once");
        wstate_done(&gone);
        wstate_done(&errev);
        wstate_done(&huge);
        wstate_done(&garbage);
        wstate_done(&trunc);
        wstate_done(&fail);

        /* The bearer token goes with watches too. */
        http_client_options ao = { .bearer_token = "w-token" };
        _cleanup_(http_client_freep) http_client *authed = client(&ao);
        wstate with, without;
        add_watch(w, authed, &with, 8, "?mode=auth&events=5", 0);
        add_watch(w, c, &without, 9, "?mode=auth&events=5", 0);
        run_until_idle(w, 10);
        ok(with.events == 5 && with.in_order && with.end_error == 0,
           "watch with the bearer token streams");
        ok(without.events == 0 && without.end_error == -EPERM,
           "watch without a token: 401 ends it with -EPERM");
        wstate_done(&with);
        wstate_done(&without);

        /* Refused. */
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in sa = { .sin_family = AF_INET };
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t sl = sizeof sa;
        bind(fd, (struct sockaddr *)&sa, sizeof sa);
        getsockname(fd, (struct sockaddr *)&sa, &sl);
        char url[64];
        snprintf(url, sizeof url, "http://127.0.0.1:%u", ntohs(sa.sin_port));
        _cleanup_(http_client_freep) http_client *dead = NULL;
        http_client_new(url, NULL, &dead, NULL);
        wstate refused;
        add_watch(w, dead, &refused, 7, "", 0);
        run_until_idle(w, 5);
        ok(refused.ends == 1 && refused.end_error == -ECONNREFUSED,
           "watch on a closed port ends with -ECONNREFUSED");
        wstate_done(&refused);
        close(fd);
}

static void *run_thread(void *p) {
        http_watcher *w = p;
        static int r;
        r = http_watcher_run(w, NULL);
        return &r;
}

static void test_watch_lifecycle(void) {
        _cleanup_(http_client_freep) http_client *c = client(NULL);
        _cleanup_(http_watcher_freep) http_watcher *w = NULL;
        http_watcher_new(&w, NULL);

        /* Re-watch from the end callback, the informer's pattern. */
        wstate re;
        add_watch(w, c, &re, 1, "?events=3", 50);
        re.rewatch = 2;
        run_until_idle(w, 10);
        ok(re.events == 9 && re.in_order && re.ends == 3,
           "re-watch from the end callback resumes from the last resourceVersion (%lu events)",
           re.events);
        wstate_done(&re);

        /* Remove from the event callback. */
        int closed0 = atomic_load(&endless_closed);
        wstate self;
        add_watch(w, c, &self, 2, "?mode=endless", 0);
        self.remove_after = 3;
        run_until_idle(w, 5);
        ok(self.events == 3 && self.ends == 0,
           "watch removed from its callback: no more events, no end");
        double t0 = now_s();
        while (atomic_load(&endless_closed) == closed0 && now_s() - t0 < 3)
                sleep_ms(10);
        ok(atomic_load(&endless_closed) > closed0, "server saw the removed watch disconnect");
        wstate_done(&self);

        /* Remove from outside the loop. */
        wstate out;
        add_watch(w, c, &out, 3, "?mode=endless", 0);
        t0 = now_s();
        while (out.events < 2 && now_s() - t0 < 5)
                http_watcher_run_once(w, 50, NULL);
        http_watcher_remove(w, out.handle);
        is_int(http_watcher_count(w), 0, "remove between iterations");
        unsigned long seen = out.events;
        for (int i = 0; i < 5; i++)
                http_watcher_run_once(w, 20, NULL);
        ok(out.events == seen && out.ends == 0, "no callback after removal");
        wstate_done(&out);

        /* Stop from another thread. */
        wstate bg;
        add_watch(w, c, &bg, 4, "?mode=endless", 0);
        pthread_t t;
        pthread_create(&t, NULL, run_thread, w);
        sleep_ms(300);
        t0 = now_s();
        http_watcher_stop(w);
        int *rp;
        pthread_join(t, (void **)&rp);
        double dt = now_s() - t0;
        ok(*rp == 0 && dt < 0.5, "http_watcher_stop() ends run() promptly (%.3f s)", dt);
        ok(bg.events > 3 && bg.in_order, "events flowed while run() ran (%lu)", bg.events);
        is_int(http_watcher_count(w), 1, "stopping keeps the watches");
        /* http_watcher_free() at scope end drops the endless watch. */
        wstate_done(&bg);
        (void)bg;
}

int main(void) {
        /* Never go through a proxy: everything here is 127.0.0.1. */
        unsetenv("http_proxy");
        unsetenv("HTTP_PROXY");
        unsetenv("https_proxy");
        unsetenv("HTTPS_PROXY");
        unsetenv("all_proxy");
        unsetenv("ALL_PROXY");

        test_line_splitter();
        test_event_parse();
        test_status_map();
        test_client_new();

        unsigned port = 0;
        struct MHD_Daemon *d = server_start(&port);
        if (!ok(d && port, "test server listening on 127.0.0.1:%u", port))
                return tap_done();
        snprintf(base, sizeof base, "http://127.0.0.1:%u", port);

        test_requests();
        test_status_errors();
        test_timeouts_and_refused();
        test_retries();
        test_size_bound();
        test_threads();
        test_many_watches();
        test_watch_errors();
        test_watch_lifecycle();

        atomic_store(&server_stopping, true);
        MHD_stop_daemon(d);
        return tap_done();
}
