/* SPDX-License-Identifier: Apache-2.0 */
/* HTTP client on libcurl: requests with retries, and watch streams followed
 * with the multi interface (doc/http-client.md). */
#include "config.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "httpclient.h"

#define POOL_MAX          8
#define ERROR_BODY_MAX    ((size_t)1 << 20) /* what we keep of a failed watch's body */
#define ERROR_SNIPPET_MAX 200

struct http_client {
        char *base_url;
        char *bearer_header; /* "Authorization: Bearer ..." */
        char *ca_file, *cert_file, *key_file;
        char *user_agent;
        bool insecure;
        long connect_timeout_ms, timeout_ms;
        size_t max_response_size, max_event_size;
        unsigned max_attempts;
        long backoff_initial_ms, backoff_max_ms, retry_after_max_ms;

        pthread_mutex_t lock; /* guards pool */
        CURL *pool[POOL_MAX]; /* idle handles, keeping their connections */
        size_t n_pool;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void curl_init(void) {
        curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int ensure_curl(tm_error **err) {
        pthread_once(&curl_once, curl_init);
        if (curl_init_result != CURLE_OK)
                return tm_error_set(err, -EIO, "initialize libcurl: %s",
                                    curl_easy_strerror(curl_init_result));
        return 0;
}

static char *strdup_or_null(const char *s) {
        return s && *s ? xstrdup(s) : NULL;
}

int http_client_new(const char *base_url, const http_client_options *opts, http_client **ret,
                    tm_error **err) {
        static const http_client_options none = { 0 };
        int r;

        if (!opts)
                opts = &none;
        if (!base_url || !(startswith(base_url, "http://") || startswith(base_url, "https://")))
                return tm_error_set(err, -EINVAL,
                                    "invalid API server URL \"%s\": want http:// or https://",
                                    base_url ? base_url : "");
        r = ensure_curl(err);
        if (r < 0)
                return r;

        http_client *c = xcalloc(1, sizeof *c);
        size_t n = strlen(base_url);
        while (n > 0 && base_url[n - 1] == '/')
                n--;
        c->base_url = xstrndup(base_url, n);
        if (opts->bearer_token && *opts->bearer_token)
                c->bearer_header = xasprintf("Authorization: Bearer %s", opts->bearer_token);
        c->ca_file = strdup_or_null(opts->ca_file);
        c->cert_file = strdup_or_null(opts->client_cert_file);
        c->key_file = strdup_or_null(opts->client_key_file);
        c->user_agent = opts->user_agent ? xstrdup(opts->user_agent)
                                         : xstrdup(PACKAGE_NAME "/" PACKAGE_VERSION);
        c->insecure = opts->insecure_skip_tls_verify;
        c->connect_timeout_ms = opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : 10000;
        c->timeout_ms = opts->timeout_ms ? opts->timeout_ms : 60000;
        c->max_response_size =
                opts->max_response_size ? opts->max_response_size : HTTP_DEFAULT_MAX_RESPONSE_SIZE;
        c->max_event_size =
                opts->max_event_size ? opts->max_event_size : HTTP_DEFAULT_MAX_EVENT_SIZE;
        c->max_attempts = opts->max_attempts ? opts->max_attempts : 5;
        c->backoff_initial_ms = opts->backoff_initial_ms > 0 ? opts->backoff_initial_ms : 100;
        c->backoff_max_ms = opts->backoff_max_ms > 0 ? opts->backoff_max_ms : 10000;
        c->retry_after_max_ms = opts->retry_after_max_ms > 0 ? opts->retry_after_max_ms : 60000;
        pthread_mutex_init(&c->lock, NULL);
        *ret = c;
        return 0;
}

void http_client_free(http_client *c) {
        if (!c)
                return;
        for (size_t i = 0; i < c->n_pool; i++)
                curl_easy_cleanup(c->pool[i]);
        pthread_mutex_destroy(&c->lock);
        free(c->base_url);
        free(c->bearer_header);
        free(c->ca_file);
        free(c->cert_file);
        free(c->key_file);
        free(c->user_agent);
        free(c);
}

const char *http_client_base_url(const http_client *c) {
        return c->base_url;
}

static CURL *pool_get(http_client *c) {
        CURL *e = NULL;
        pthread_mutex_lock(&c->lock);
        if (c->n_pool > 0)
                e = c->pool[--c->n_pool];
        pthread_mutex_unlock(&c->lock);
        if (e) {
                curl_easy_reset(e); /* keeps the connection cache */
                return e;
        }
        e = curl_easy_init();
        if (!e)
                oom();
        return e;
}

static void pool_put(http_client *c, CURL *e) {
        pthread_mutex_lock(&c->lock);
        if (c->n_pool < POOL_MAX) {
                c->pool[c->n_pool++] = e;
                e = NULL;
        }
        pthread_mutex_unlock(&c->lock);
        if (e)
                curl_easy_cleanup(e);
}

/* Options shared by requests and watches. */
static void setup_easy(http_client *c, CURL *e, const char *url, char *errbuf) {
        curl_easy_setopt(e, CURLOPT_URL, url);
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
        errbuf[0] = '\0';
#if LIBCURL_VERSION_NUM >= 0x075500
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
        curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
        curl_easy_setopt(e, CURLOPT_USERAGENT, c->user_agent);
        curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
        curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, 30L);
        curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, 10L);
        if (c->ca_file)
                curl_easy_setopt(e, CURLOPT_CAINFO, c->ca_file);
        if (c->cert_file)
                curl_easy_setopt(e, CURLOPT_SSLCERT, c->cert_file);
        if (c->key_file)
                curl_easy_setopt(e, CURLOPT_SSLKEY, c->key_file);
        if (c->insecure) {
                curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
                curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
        }
}

static struct curl_slist *slist_add(struct curl_slist *l, const char *s) {
        struct curl_slist *n = curl_slist_append(l, s);
        if (!n)
                oom();
        return n;
}

/* --- errors --------------------------------------------------------------- */

int http_status_to_errno(long code, const char *reason) {
        if (code >= 200 && code < 300)
                return 0;
        switch (code) {
        case 400:
        case 422:
                return -EINVAL;
        case 401:
                return -EPERM;
        case 403:
                return -EACCES;
        case 404:
                return -ENOENT;
        case 405:
        case 406:
        case 415:
                return -EOPNOTSUPP;
        case 409:
                return streq_ptr(reason, "AlreadyExists") ? -EEXIST : -ESTALE;
        case 410:
                return -EIDRM;
        case 413:
                return -E2BIG;
        case 429:
        case 503:
                return -EAGAIN;
        case 504:
                return -ETIMEDOUT;
        default:
                if (code >= 500 && code < 600)
                        return -EIO;
                if (code >= 400 && code < 500)
                        return -EINVAL;
                return -EPROTO;
        }
}

static int curl_to_errno(CURLcode cr, long os_errno) {
        switch (cr) {
        case CURLE_OK:
                return 0;
        case CURLE_COULDNT_CONNECT:
                if (os_errno == ENETUNREACH || os_errno == EHOSTUNREACH)
                        return -os_errno;
                return -ECONNREFUSED;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
                return -EHOSTUNREACH;
        case CURLE_OPERATION_TIMEDOUT:
                return -ETIMEDOUT;
        case CURLE_FILESIZE_EXCEEDED:
                return -EMSGSIZE;
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
                return -ECONNRESET;
        case CURLE_OUT_OF_MEMORY:
                return -ENOMEM;
        case CURLE_URL_MALFORMAT:
        case CURLE_UNSUPPORTED_PROTOCOL:
                return -EINVAL;
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CACERT_BADFILE:
                return -EPROTO;
        case CURLE_WRITE_ERROR:
        case CURLE_ABORTED_BY_CALLBACK:
                return -ECANCELED;
        default:
                return -EIO;
        }
}

static bool is_json_type(const char *ct) {
        if (!ct)
                return false;
        size_t n = strcspn(ct, ";");
        while (n > 0 && isspace((unsigned char)ct[n - 1]))
                n--;
        if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
                return true;
        return n >= 17 && strncasecmp(ct, "application/", 12) == 0 &&
               strncasecmp(ct + n - 5, "+json", 5) == 0;
}

/* Fill resp->status from a Status body, if there is one. */
static void decode_status(http_response *resp) {
        const json *j = resp->json;
        resp->status.code = resp->code;
        if (!json_is_object(j) || !streq_ptr(json_object_get_string(j, "kind"), "Status"))
                return;
        const char *s = json_object_get_string(j, "reason");
        if (s && *s)
                resp->status.reason = xstrdup(s);
        s = json_object_get_string(j, "message");
        if (s && *s)
                resp->status.message = xstrdup(s);
        const json *d = json_object_get(j, "details");
        if (d)
                resp->status.details = json_copy(d);
}

/* An error for a non-2xx answer: the Status message when there is one. */
static int status_error(const http_response *resp, const char *method, const char *url,
                        tm_error **err) {
        int r = http_status_to_errno(resp->code, resp->status.reason);
        if (resp->status.message)
                return tm_error_set(err, r, "%s", resp->status.message);
        /* No Status: name the request and show the start of the body. */
        char snippet[ERROR_SNIPPET_MAX + 1];
        size_t n = 0;
        for (size_t i = 0; i < resp->body_len && n < ERROR_SNIPPET_MAX; i++) {
                unsigned char ch = (unsigned char)resp->body[i];
                snippet[n++] = isprint(ch) ? (char)ch : ' ';
        }
        while (n > 0 && snippet[n - 1] == ' ')
                n--;
        snippet[n] = '\0';
        return tm_error_set(err, r, "%s %s: the server answered HTTP %ld%s%s", method, url,
                            resp->code, n ? ": " : "", snippet);
}

void http_response_done(http_response *resp) {
        if (!resp)
                return;
        free(resp->content_type);
        strv_free(resp->warnings);
        free(resp->body);
        json_free(resp->json);
        free(resp->status.reason);
        free(resp->status.message);
        json_free(resp->status.details);
        *resp = (http_response)HTTP_RESPONSE_INIT;
}

/* --- one request ---------------------------------------------------------- */

typedef struct xfer {
        http_response *resp;
        strbuf body;
        size_t max;
        size_t n_warnings;
        bool too_big;
} xfer;

static size_t write_cb(char *data, size_t size, size_t nmemb, void *userdata) {
        xfer *x = userdata;
        size_t n = size * nmemb;
        if (n > x->max - x->body.len) {
                x->too_big = true;
                return 0;
        }
        strbuf_append(&x->body, data, n);
        return n;
}

static long parse_retry_after(const char *v) {
        if (!*v)
                return -1;
        if (isdigit((unsigned char)*v)) {
                char *end;
                errno = 0;
                long s = strtol(v, &end, 10);
                if (errno || *end)
                        return -1;
                return s;
        }
        time_t t = curl_getdate(v, NULL);
        if (t < 0)
                return -1;
        time_t now = time(NULL);
        return t > now ? (long)(t - now) : 0;
}

static size_t header_cb(char *data, size_t size, size_t nmemb, void *userdata) {
        xfer *x = userdata;
        http_response *resp = x->resp;
        size_t n = size * nmemb;

        if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
                /* A new answer (after 100 Continue, say): forget the last. */
                free(resp->content_type);
                resp->content_type = NULL;
                resp->retry_after_s = -1;
                strv_free(resp->warnings);
                resp->warnings = NULL;
                x->n_warnings = 0;
                return n;
        }
        const char *colon = memchr(data, ':', n);
        if (!colon)
                return n;
        size_t nlen = (size_t)(colon - data);
        const char *v = colon + 1;
        size_t vlen = n - nlen - 1;
        while (vlen > 0 && (*v == ' ' || *v == '\t'))
                v++, vlen--;
        while (vlen > 0 && isspace((unsigned char)v[vlen - 1]))
                vlen--;

        if (nlen == 12 && strncasecmp(data, "Content-Type", 12) == 0) {
                free(resp->content_type);
                resp->content_type = xstrndup(v, vlen);
        } else if (nlen == 11 && strncasecmp(data, "Retry-After", 11) == 0) {
                _cleanup_free_ char *s = xstrndup(v, vlen);
                resp->retry_after_s = parse_retry_after(s);
        } else if (nlen == 7 && strncasecmp(data, "Warning", 7) == 0 &&
                   x->n_warnings < HTTP_MAX_WARNINGS) {
                resp->warnings = xreallocarray(resp->warnings, x->n_warnings + 2, sizeof(char *));
                resp->warnings[x->n_warnings++] = xstrndup(v, vlen);
                resp->warnings[x->n_warnings] = NULL;
        }
        return n;
}

static bool method_is_idempotent(const char *m) {
        return streq(m, "GET") || streq(m, "HEAD") || streq(m, "PUT") || streq(m, "DELETE") ||
               streq(m, "OPTIONS");
}

static _Thread_local uint64_t rng_state;

static uint64_t rng_next(void) {
        if (!rng_state) {
                struct timespec ts;
                clock_gettime(CLOCK_MONOTONIC, &ts);
                rng_state = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
                            (uint64_t)(uintptr_t)&rng_state;
                if (!rng_state)
                        rng_state = 0x9e3779b97f4a7c15ULL;
        }
        /* xorshift64 */
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        return rng_state;
}

/* Exponential backoff with "equal jitter": a delay in [d/2, d]. */
static long backoff_ms(const http_client *c, unsigned attempt) {
        long d = c->backoff_initial_ms;
        for (unsigned i = 1; i < attempt && d < c->backoff_max_ms; i++)
                d *= 2;
        if (d > c->backoff_max_ms)
                d = c->backoff_max_ms;
        long half = d / 2;
        return half + (long)(rng_next() % (uint64_t)(d - half + 1));
}

static void sleep_ms(long ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static void response_reset(http_response *resp) {
        unsigned attempts = resp->attempts;
        http_response_done(resp);
        resp->attempts = attempts;
}

int http_request(http_client *c, const char *method, const char *path, const http_body *body,
                 http_response *resp, tm_error **err) {
        _cleanup_http_response_ http_response local = HTTP_RESPONSE_INIT;
        _cleanup_free_ char *url = NULL, *serialized = NULL;
        struct curl_slist *headers = NULL;
        const char *data = NULL;
        size_t len = 0;
        char errbuf[CURL_ERROR_SIZE];
        _cleanup_error_ tm_error *lerr = NULL; /* the last attempt's error only */
        int r;

        if (!resp)
                resp = &local;
        else
                http_response_done(resp);
        if (!path || path[0] != '/')
                return tm_error_set(err, -EINVAL, "invalid request path \"%s\": must start with /",
                                    path ? path : "");
        url = xasprintf("%s%s", c->base_url, path);

        if (body && body->json) {
                serialized = json_serialize(body->json, 0, &len);
                data = serialized;
        } else if (body) {
                data = body->data ? body->data : "";
                len = body->data ? body->len : 0;
        }

        headers = slist_add(headers, "Accept: application/json, */*");
        headers = slist_add(headers, "Expect:");
        if (c->bearer_header)
                headers = slist_add(headers, c->bearer_header);
        if (body) {
                _cleanup_free_ char *h =
                        xasprintf("Content-Type: %s",
                                  body->content_type ? body->content_type : "application/json");
                headers = slist_add(headers, h);
        }

        CURL *e = pool_get(c);
        setup_easy(c, e, url, errbuf);
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
        if (c->timeout_ms > 0)
                curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->timeout_ms);
        curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max_response_size);
        if (streq(method, "GET"))
                curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
        else if (streq(method, "HEAD"))
                curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
        else
                curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
        if (!data && (streq(method, "POST") || streq(method, "PUT") || streq(method, "PATCH")))
                data = ""; /* an empty body, with Content-Length: 0 */
        if (data) {
                curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
                curl_easy_setopt(e, CURLOPT_POSTFIELDS, data);
        }

        xfer x = { .resp = resp, .max = c->max_response_size };
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &x);
        curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
        curl_easy_setopt(e, CURLOPT_HEADERDATA, &x);

        bool idempotent = method_is_idempotent(method);
        for (unsigned attempt = 1;; attempt++) {
                response_reset(resp);
                strbuf_reset(&x.body);
                x.too_big = false;
                x.n_warnings = 0;
                errbuf[0] = '\0';
                resp->attempts = attempt;

                CURLcode cr = curl_easy_perform(e);
                long os_errno = 0;
                curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &resp->code);
                curl_easy_getinfo(e, CURLINFO_OS_ERRNO, &os_errno);
                resp->body = strbuf_take(&x.body, &resp->body_len);

                bool retry;
                if (cr != CURLE_OK) {
                        if (x.too_big || cr == CURLE_FILESIZE_EXCEEDED) {
                                r = tm_error_set(&lerr, -EMSGSIZE,
                                                 "%s %s: response body exceeds %zu bytes", method,
                                                 url, c->max_response_size);
                                break;
                        }
                        r = curl_to_errno(cr, os_errno);
                        tm_error_set(&lerr, r, "%s %s: %s", method, url,
                                     errbuf[0] ? errbuf : curl_easy_strerror(cr));
                        /* Refused: nothing was sent, so even a POST may go again. */
                        retry = cr == CURLE_COULDNT_CONNECT ||
                                (idempotent && (r == -ECONNRESET || r == -EHOSTUNREACH));
                } else {
                        if (is_json_type(resp->content_type) && resp->body_len > 0) {
                                json_limits lim = {
                                        .max_size = c->max_response_size,
                                        .max_depth = json_default_limits.max_depth,
                                        .max_string = c->max_response_size,
                                };
                                _cleanup_error_ tm_error *perr = NULL;
                                r = json_parse(resp->body, resp->body_len, &lim, &resp->json,
                                               &perr);
                                if (r < 0 && resp->code >= 200 && resp->code < 300) {
                                        r = tm_error_set(&lerr, -EBADMSG,
                                                         "%s %s: decode response: %s", method, url,
                                                         tm_error_msg(perr));
                                        break;
                                }
                        }
                        if (resp->code >= 200 && resp->code < 300) {
                                r = (int)resp->code;
                                break;
                        }
                        decode_status(resp);
                        r = status_error(resp, method, url, &lerr);
                        retry = idempotent &&
                                (resp->code == 429 || resp->code == 500 || resp->code == 502 ||
                                 resp->code == 503 || resp->code == 504);
                }
                if (!retry || attempt >= c->max_attempts)
                        break;

                long delay = backoff_ms(c, attempt);
                if (resp->retry_after_s >= 0) {
                        long ra = resp->retry_after_s > c->retry_after_max_ms / 1000
                                          ? c->retry_after_max_ms
                                          : resp->retry_after_s * 1000;
                        delay = ra;
                }
                sleep_ms(delay);
        }

        strbuf_done(&x.body);
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, NULL);
        pool_put(c, e);
        curl_slist_free_all(headers);
        if (r < 0 && err) {
                tm_error_free(*err);
                *err = TAKE_PTR(lerr);
        }
        return r;
}

/* The parsed body of a successful request (JSON null when empty). */
static int take_json(http_response *resp, const char *method, const char *path, json **ret,
                     tm_error **err) {
        if (!ret)
                return 0;
        if (resp->json) {
                *ret = TAKE_PTR(resp->json);
                return 0;
        }
        if (resp->body_len == 0) {
                *ret = json_new_null();
                return 0;
        }
        return tm_error_set(err, -EBADMSG, "%s %s: expected a JSON response, got Content-Type %s",
                            method, path, resp->content_type ? resp->content_type : "(none)");
}

static int do_json(http_client *c, const char *method, const char *path, const http_body *body,
                   json **ret, tm_error **err) {
        _cleanup_http_response_ http_response resp = HTTP_RESPONSE_INIT;
        int r = http_request(c, method, path, body, &resp, err);
        if (r < 0)
                return r;
        int q = take_json(&resp, method, path, ret, err);
        return q < 0 ? q : r;
}

int http_get_json(http_client *c, const char *path, json **ret, tm_error **err) {
        return do_json(c, "GET", path, NULL, ret, err);
}

int http_post_json(http_client *c, const char *path, const json *body, json **ret, tm_error **err) {
        http_body b = { .json = body };
        return do_json(c, "POST", path, &b, ret, err);
}

int http_put_json(http_client *c, const char *path, const json *body, json **ret, tm_error **err) {
        http_body b = { .json = body };
        return do_json(c, "PUT", path, &b, ret, err);
}

int http_patch(http_client *c, const char *path, const char *patch_type, const void *patch,
               size_t len, json **ret, tm_error **err) {
        http_body b = { .data = patch,
                        .len = len,
                        .content_type = patch_type ? patch_type : "application/merge-patch+json" };
        return do_json(c, "PATCH", path, &b, ret, err);
}

int http_delete(http_client *c, const char *path, const json *options, json **ret, tm_error **err) {
        http_body b = { .json = options };
        return do_json(c, "DELETE", path, options ? &b : NULL, ret, err);
}

/* --- line splitting and event decoding ------------------------------------ */

void http_line_splitter_init(http_line_splitter *s, size_t max_line) {
        *s = (http_line_splitter){ .partial = STRBUF_INIT, .max_line = max_line };
}

void http_line_splitter_done(http_line_splitter *s) {
        strbuf_done(&s->partial);
}

static bool blank(const char *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!isspace((unsigned char)p[i]))
                        return false;
        return true;
}

static int emit_line(char *p, size_t n, http_line_fn fn, void *userdata) {
        if (n > 0 && p[n - 1] == '\r')
                p[--n] = '\0';
        if (blank(p, n))
                return 0;
        return fn(p, n, userdata);
}

int http_line_splitter_feed(http_line_splitter *s, const char *data, size_t len, http_line_fn fn,
                            void *userdata, tm_error **err) {
        while (len > 0) {
                const char *nl = memchr(data, '\n', len);
                size_t take = nl ? (size_t)(nl - data) : len;
                if (take > s->max_line || s->partial.len > s->max_line - take)
                        return tm_error_set(err, -EMSGSIZE, "watch event exceeds %zu bytes",
                                            s->max_line);
                if (!nl) {
                        strbuf_append(&s->partial, data, take);
                        return 0;
                }
                int r;
                if (s->partial.len > 0) {
                        strbuf_append(&s->partial, data, take);
                        /* The callback must not see a buffer it could be
                         * fed into again: hand a copy of the bytes over. */
                        size_t n;
                        _cleanup_free_ char *line = strbuf_take(&s->partial, &n);
                        r = emit_line(line, n, fn, userdata);
                } else {
                        /* Whole line in this chunk: NUL-terminate a copy. */
                        _cleanup_free_ char *line = xmalloc(take + 1); /* bytes may hold NULs */
                        memcpy(line, data, take);
                        line[take] = '\0';
                        r = emit_line(line, take, fn, userdata);
                }
                if (r < 0)
                        return r;
                data += take + 1;
                len -= take + 1;
        }
        return 0;
}

int http_watch_event_parse(const char *line, size_t len, size_t max_size, char **ret_type,
                           json **ret_object, tm_error **err) {
        json_limits lim = {
                .max_size = max_size,
                .max_depth = json_default_limits.max_depth,
                .max_string = max_size,
        };
        _cleanup_json_ json *ev = NULL;
        int r = json_parse(line, len, &lim, &ev, err);
        if (r < 0)
                return tm_error_wrap(err, -EBADMSG, "decode watch event");
        if (!json_is_object(ev))
                return tm_error_set(err, -EBADMSG, "decode watch event: not an object");
        const char *type = json_object_get_string(ev, "type");
        if (!type || !*type)
                return tm_error_set(err, -EBADMSG, "decode watch event: no \"type\"");
        json *obj = json_object_get(ev, "object");
        if (!json_is_object(obj))
                return tm_error_set(err, -EBADMSG,
                                    "decode watch event: \"object\" is missing or not an object");
        *ret_type = xstrdup(type);
        *ret_object = json_object_take(ev, "object");
        return 0;
}

/* --- watcher ---------------------------------------------------------------- */

struct http_watch {
        http_watcher *watcher;
        http_client *client;
        http_watch *next;
        CURL *easy;
        struct curl_slist *headers;
        char *url;
        char errbuf[CURL_ERROR_SIZE];
        http_watch_event_fn on_event;
        http_watch_end_fn on_end;
        void *userdata;

        http_line_splitter lines;
        strbuf error_body; /* of a non-2xx answer */
        long code;         /* 0 until the first body bytes */
        unsigned long events;
        bool in_multi; /* added to the multi handle */
        bool removed;  /* by the user: no end callback */
        bool ended;    /* end callback made or due */
        int fail;      /* a decode or callback error that ends the stream */
        tm_error *fail_err;
};

struct http_watcher {
        CURLM *multi;
        http_watch *watches;
        size_t active;
        bool dispatching;
        atomic_bool stop;
};

int http_watcher_new(http_watcher **ret, tm_error **err) {
        int r = ensure_curl(err);
        if (r < 0)
                return r;
        CURLM *m = curl_multi_init();
        if (!m)
                return tm_error_set(err, -ENOMEM, "create curl multi handle");
        http_watcher *w = xcalloc(1, sizeof *w);
        w->multi = m;
        atomic_init(&w->stop, false);
        *ret = w;
        return 0;
}

static void watch_free(http_watch *h) {
        if (!h)
                return;
        if (h->in_multi)
                curl_multi_remove_handle(h->watcher->multi, h->easy);
        curl_easy_cleanup(h->easy);
        curl_slist_free_all(h->headers);
        free(h->url);
        http_line_splitter_done(&h->lines);
        strbuf_done(&h->error_body);
        tm_error_free(h->fail_err);
        free(h);
}

void http_watcher_free(http_watcher *w) {
        if (!w)
                return;
        while (w->watches) {
                http_watch *h = w->watches;
                w->watches = h->next;
                watch_free(h);
        }
        curl_multi_cleanup(w->multi);
        free(w);
}

size_t http_watcher_count(const http_watcher *w) {
        return w->active;
}

unsigned long http_watch_events(const http_watch *watch) {
        return watch->events;
}

const char *http_watch_url(const http_watch *watch) {
        return watch->url;
}

static void watch_fail(http_watch *h, int code, tm_error **perr) {
        if (h->fail)
                return;
        h->fail = code;
        h->fail_err = perr ? TAKE_PTR(*perr) : NULL;
}

static int on_line(const char *line, size_t len, void *userdata) {
        http_watch *h = userdata;
        _cleanup_free_ char *type = NULL;
        _cleanup_json_ json *obj = NULL;
        _cleanup_error_ tm_error *perr = NULL;

        int r = http_watch_event_parse(line, len, h->client->max_event_size, &type, &obj, &perr);
        if (r < 0) {
                watch_fail(h, r, &perr);
                return r;
        }
        h->events++;
        r = h->on_event(h, type, &obj, h->userdata);
        if (r < 0) {
                tm_error_set(&perr, r, "watch event handler: %s", strerror(-r));
                watch_fail(h, r, &perr);
                return r;
        }
        /* Removed from its own callback: stop delivering. */
        return h->removed ? -ECANCELED : 0;
}

static size_t watch_write_cb(char *data, size_t size, size_t nmemb, void *userdata) {
        http_watch *h = userdata;
        size_t n = size * nmemb;

        if (h->removed || h->fail)
                return 0; /* abort the transfer */
        if (h->code == 0)
                curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &h->code);
        if (h->code < 200 || h->code >= 300) {
                if (h->error_body.len < ERROR_BODY_MAX)
                        strbuf_append(&h->error_body, data,
                                      n < ERROR_BODY_MAX - h->error_body.len
                                              ? n
                                              : ERROR_BODY_MAX - h->error_body.len);
                return n;
        }
        _cleanup_error_ tm_error *perr = NULL;
        int r = http_line_splitter_feed(&h->lines, data, n, on_line, h, &perr);
        if (r < 0) {
                if (r == -EMSGSIZE)
                        watch_fail(h, r, &perr);
                return h->fail ? 0 : n;
        }
        return n;
}

static char *watch_url(http_client *c, const char *path, const char *rv) {
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        strbuf_printf(&b, "%s%s%swatch=1", c->base_url, path, strchr(path, '?') ? "&" : "?");
        if (rv && *rv) {
                char *esc = curl_easy_escape(NULL, rv, 0);
                if (!esc)
                        oom();
                strbuf_printf(&b, "&resourceVersion=%s", esc);
                curl_free(esc);
        }
        return strbuf_take(&b, NULL);
}

static int watch_start(http_watcher *w, http_watch *h, tm_error **err) {
        CURLMcode mc = curl_multi_add_handle(w->multi, h->easy);
        if (mc != CURLM_OK)
                return tm_error_set(err, -EIO, "start watch %s: %s", h->url,
                                    curl_multi_strerror(mc));
        h->in_multi = true;
        return 0;
}

int http_watcher_add(http_watcher *w, http_client *c, const char *path,
                     const char *resource_version, http_watch_event_fn on_event,
                     http_watch_end_fn on_end, void *userdata, http_watch **ret, tm_error **err) {
        if (!path || path[0] != '/')
                return tm_error_set(err, -EINVAL, "invalid watch path \"%s\": must start with /",
                                    path ? path : "");
        if (!on_event || !on_end)
                return tm_error_set(err, -EINVAL, "watch %s: callbacks are required", path);

        http_watch *h = xcalloc(1, sizeof *h);
        h->watcher = w;
        h->client = c;
        h->on_event = on_event;
        h->on_end = on_end;
        h->userdata = userdata;
        h->url = watch_url(c, path, resource_version);
        http_line_splitter_init(&h->lines, c->max_event_size);
        h->error_body = (strbuf)STRBUF_INIT;
        h->easy = curl_easy_init();
        if (!h->easy)
                oom();
        setup_easy(c, h->easy, h->url, h->errbuf);
        h->headers = slist_add(h->headers, "Accept: application/json");
        if (c->bearer_header)
                h->headers = slist_add(h->headers, c->bearer_header);
        curl_easy_setopt(h->easy, CURLOPT_HTTPHEADER, h->headers);
        curl_easy_setopt(h->easy, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(h->easy, CURLOPT_WRITEFUNCTION, watch_write_cb);
        curl_easy_setopt(h->easy, CURLOPT_WRITEDATA, h);
        curl_easy_setopt(h->easy, CURLOPT_PRIVATE, h);

        /* From a callback curl refuses new handles: the loop adds it. */
        if (!w->dispatching) {
                int r = watch_start(w, h, err);
                if (r < 0) {
                        watch_free(h);
                        return r;
                }
        }
        h->next = w->watches;
        w->watches = h;
        w->active++;
        if (ret)
                *ret = h;
        return 0;
}

void http_watcher_remove(http_watcher *w, http_watch *watch) {
        if (!watch || watch->removed)
                return;
        watch->removed = true;
        if (!watch->ended)
                w->active--;
        if (w->dispatching)
                return; /* freed by the loop, outside curl's callbacks */
        for (http_watch **p = &w->watches; *p; p = &(*p)->next)
                if (*p == watch) {
                        *p = watch->next;
                        watch_free(watch);
                        return;
                }
}

/* Free removed watches and start new ones; outside curl's callbacks. */
static void flush(http_watcher *w) {
        for (http_watch **p = &w->watches; *p;) {
                http_watch *h = *p;
                if (h->removed) {
                        *p = h->next;
                        watch_free(h);
                        continue;
                }
                if (!h->in_multi && !h->ended) {
                        _cleanup_error_ tm_error *perr = NULL;
                        int r = watch_start(w, h, &perr);
                        if (r < 0) {
                                /* Report it as the end of that watch. */
                                h->ended = true;
                                w->active--;
                                bool was = w->dispatching;
                                w->dispatching = true; /* a remove from on_end must not free h */
                                h->on_end(h, r, perr, h->userdata);
                                w->dispatching = was;
                                h->removed = true;
                                continue; /* freed on the next pass */
                        }
                }
                p = &h->next;
        }
}

/* Why a finished transfer ended; sets *perr. */
static int watch_end_reason(http_watch *h, CURLcode cr, tm_error **perr) {
        if (h->fail) {
                *perr = TAKE_PTR(h->fail_err);
                if (!*perr)
                        tm_error_set(perr, h->fail, "watch %s: %s", h->url, strerror(-h->fail));
                return h->fail;
        }
        long code = h->code;
        if (code == 0)
                curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &code);
        if (cr != CURLE_OK && (code == 0 || (code >= 200 && code < 300))) {
                long os_errno = 0;
                curl_easy_getinfo(h->easy, CURLINFO_OS_ERRNO, &os_errno);
                return tm_error_set(perr, curl_to_errno(cr, os_errno), "watch %s: %s", h->url,
                                    h->errbuf[0] ? h->errbuf : curl_easy_strerror(cr));
        }
        if (code < 200 || code >= 300) {
                http_response resp = HTTP_RESPONSE_INIT;
                resp.code = code;
                resp.body = h->error_body.data ? h->error_body.data : (char *)"";
                resp.body_len = h->error_body.len;
                _cleanup_error_ tm_error *jerr = NULL;
                if (json_parse(resp.body, resp.body_len, NULL, &resp.json, &jerr) >= 0)
                        decode_status(&resp);
                int r = status_error(&resp, "GET", h->url, perr);
                resp.body = NULL; /* owned by error_body */
                http_response_done(&resp);
                return r;
        }
        if (http_line_splitter_pending(&h->lines) > 0)
                return tm_error_set(perr, -EBADMSG, "watch %s: stream ended inside an event",
                                    h->url);
        return 0;
}

int http_watcher_run_once(http_watcher *w, int timeout_ms, tm_error **err) {
        if (atomic_exchange(&w->stop, false))
                return -ECANCELED;
        flush(w);

        CURLMcode mc = curl_multi_poll(w->multi, NULL, 0, timeout_ms, NULL);
        if (mc != CURLM_OK)
                return tm_error_set(err, -EIO, "watch poll: %s", curl_multi_strerror(mc));

        int running = 0;
        w->dispatching = true;
        mc = curl_multi_perform(w->multi, &running);
        if (mc != CURLM_OK) {
                w->dispatching = false;
                return tm_error_set(err, -EIO, "watch transfer: %s", curl_multi_strerror(mc));
        }
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(w->multi, &left))) {
                if (msg->msg != CURLMSG_DONE)
                        continue;
                http_watch *h = NULL;
                curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&h);
                CURLcode cr = msg->data.result;
                curl_multi_remove_handle(w->multi, h->easy);
                h->in_multi = false;
                if (h->removed || h->ended)
                        continue;
                _cleanup_error_ tm_error *perr = NULL;
                int reason = watch_end_reason(h, cr, &perr);
                h->ended = true;
                w->active--;
                h->on_end(h, reason, perr, h->userdata);
                h->removed = true; /* free it in flush() */
        }
        w->dispatching = false;
        flush(w);
        if (atomic_exchange(&w->stop, false))
                return -ECANCELED;
        return 0;
}

int http_watcher_run(http_watcher *w, tm_error **err) {
        for (;;) {
                int r = http_watcher_run_once(w, 1000, err);
                if (r == -ECANCELED)
                        return 0;
                if (r < 0)
                        return r;
        }
}

void http_watcher_stop(http_watcher *w) {
        atomic_store(&w->stop, true);
        curl_multi_wakeup(w->multi);
}
