/* SPDX-License-Identifier: Apache-2.0 */
/* /openapi/v2 and /openapi/v3, served from the documents embedded at build
 * time. Hashes, gzip bodies and the v2 protobuf are computed on first use
 * and kept for the life of the process (the documents never change while
 * it runs). */
#include "config.h"

#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "log.h"
#include "openapi.h"
#include "openapi_proto.h"

/* One representation of a document. */
typedef struct variant {
        const char *data;
        size_t len;
        char hash[17]; /* 64-bit FNV-1a, hex: the ETag and the ?hash= */
        char *gz;      /* gzip body, or NULL */
        size_t gz_len;
        bool gz_done;
} variant;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static variant *v3; /* openapi_v3_nblobs of them */
static variant v2_json;
static variant v2_pb;   /* data malloc'd */
static int v2_pb_error; /* <0: encoding failed */

#define PB_V2_TYPE   "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
#define PB_V2_ACCEPT "application/com.github.proto-openapi.spec.v2"
#define PB_V3_ACCEPT "application/com.github.proto-openapi.spec.v3"

/* The hash only names a version of a document for caches: FNV-1a is enough
 * (the documents are ours, nobody crafts collisions against them). */
static void hash_set(variant *v) {
        uint64_t h = 0xcbf29ce484222325ULL;
        for (size_t i = 0; i < v->len; i++) {
                h ^= (unsigned char)v->data[i];
                h *= 0x100000001b3ULL;
        }
        snprintf(v->hash, sizeof v->hash, "%016llX", (unsigned long long)h);
}

static void init_locked(void) {
        if (v3)
                return;
        v3 = xcalloc(openapi_v3_nblobs ? openapi_v3_nblobs : 1, sizeof *v3);
        for (size_t i = 0; i < openapi_v3_nblobs; i++) {
                v3[i].data = openapi_v3_blobs[i].data;
                v3[i].len = openapi_v3_blobs[i].len;
                hash_set(&v3[i]);
        }
        v2_json.data = openapi_v2_blob.data;
        v2_json.len = openapi_v2_blob.len;
        hash_set(&v2_json);
}

static void gzip_locked(variant *v) {
        if (v->gz_done)
                return;
        v->gz_done = true;
        z_stream zs = { 0 };
        if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
                return;
        uLong bound = deflateBound(&zs, v->len);
        char *out = xmalloc(bound);
        zs.next_in = (Bytef *)v->data;
        zs.avail_in = (uInt)v->len;
        zs.next_out = (Bytef *)out;
        zs.avail_out = (uInt)bound;
        if (deflate(&zs, Z_FINISH) == Z_STREAM_END) {
                v->gz = out;
                v->gz_len = zs.total_out;
        } else
                free(out);
        deflateEnd(&zs);
}

static int v2_pb_locked(tm_error **err) {
        if (v2_pb.data || v2_pb_error < 0)
                return v2_pb_error < 0 ? tm_error_set(err, v2_pb_error,
                                                      "openapi v2 protobuf: "
                                                      "encoding failed before")
                                       : 0;
        /* Our own document: no size bound, a generous depth. */
        static const json_limits limits = { .max_size = 0, .max_depth = 512, .max_string = 0 };
        _cleanup_json_ json *doc = NULL;
        int r = json_parse(v2_json.data, v2_json.len, &limits, &doc, err);
        char *pb = NULL;
        size_t n = 0;
        if (r >= 0)
                r = openapi_v2_to_protobuf(doc, &pb, &n, err);
        if (r < 0) {
                v2_pb_error = r;
                return r;
        }
        v2_pb.data = pb;
        v2_pb.len = n;
        hash_set(&v2_pb);
        return 0;
}

const char *openapi_v3_hash(const char *gv) {
        pthread_mutex_lock(&lock);
        init_locked();
        pthread_mutex_unlock(&lock);
        for (size_t i = 0; i < openapi_v3_nblobs; i++)
                if (streq(openapi_v3_blobs[i].name, gv))
                        return v3[i].hash;
        return NULL;
}

json *openapi_v3_index(void) {
        json *doc = json_new_object();
        json *paths = json_object_ensure_object(doc, "paths");
        for (size_t i = 0; i < openapi_v3_nblobs; i++) {
                const char *name = openapi_v3_blobs[i].name;
                json *e = json_new_object();
                json_object_set(e, "serverRelativeURL",
                                json_new_string_take(xasprintf("/openapi/v3/%s?hash=%s", name,
                                                               openapi_v3_hash(name))));
                json_object_set(paths, name, e);
        }
        return doc;
}

int openapi_v2_protobuf(const char **ret, size_t *ret_len, tm_error **err) {
        pthread_mutex_lock(&lock);
        init_locked();
        int r = v2_pb_locked(err);
        pthread_mutex_unlock(&lock);
        if (r < 0)
                return r;
        *ret = v2_pb.data;
        *ret_len = v2_pb.len;
        return 0;
}

static bool accepts_gzip(api_request *r) {
        const char *ae = api_request_header(r, MHD_HTTP_HEADER_ACCEPT_ENCODING);
        if (!ae)
                return false;
        /* Tokens separated by commas, each maybe with ";q=": gzip unless q=0. */
        for (const char *p = ae; (p = strstr(p, "gzip")); p += 4) {
                bool start = p == ae || p[-1] == ' ' || p[-1] == ',';
                const char *q = p + 4;
                while (*q == ' ')
                        q++;
                if (!start || (*q && *q != ',' && *q != ';'))
                        continue;
                if (*q == ';') {
                        const char *qv = strstr(q, "q=");
                        const char *comma = strchr(q, ',');
                        if (qv && (!comma || qv < comma) && strtod(qv + 2, NULL) <= 0)
                                return false;
                }
                return true;
        }
        return false;
}

typedef enum cache_mode {
        CACHE_REVALIDATE, /* "no-cache, private": ask each time, ETag answers */
        CACHE_IMMUTABLE,  /* the ?hash= matched: cache for a year */
} cache_mode;

static int serve_variant(api_request *r, variant *v, const char *content_type, cache_mode mode,
                         const char *vary) {
        char etag[sizeof v->hash + 2];
        snprintf(etag, sizeof etag, "\"%s\"", v->hash);
        const char *inm = api_request_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH);
        bool not_modified = inm && (strstr(inm, etag) || streq(inm, "*"));

        const char *body = v->data;
        size_t len = v->len;
        bool gz = false;
        if (!not_modified && len > 1024 && accepts_gzip(r)) {
                pthread_mutex_lock(&lock);
                gzip_locked(v);
                pthread_mutex_unlock(&lock);
                if (v->gz) {
                        body = v->gz;
                        len = v->gz_len;
                        gz = true;
                }
        }
        if (not_modified)
                len = 0;
        struct MHD_Response *resp =
                MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_PERSISTENT);
        if (!resp)
                return MHD_NO;
        if (!not_modified)
                MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, vary);
        if (gz)
                MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
        if (mode == CACHE_IMMUTABLE) {
                char expires[64];
                time_t t = time(NULL) + 365 * 24 * 3600;
                struct tm tm;
                gmtime_r(&t, &tm);
                strftime(expires, sizeof expires, "%a, %d %b %Y %H:%M:%S GMT", &tm);
                MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "public, immutable");
                MHD_add_response_header(resp, MHD_HTTP_HEADER_EXPIRES, expires);
        } else
                MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache, private");
        r->started = true;
        int ret = MHD_queue_response(r->conn, not_modified ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK,
                                     resp);
        MHD_destroy_response(resp);
        return ret;
}

static int serve_plain(api_request *r, unsigned code, const char *text) {
        return api_respond_bytes(r, code, "text/plain; charset=utf-8", xstrdup(text), strlen(text));
}

/* A stale ?hash=: send the client to the current one, as upstream does. */
static int redirect(api_request *r, const char *gv, const char *hash) {
        _cleanup_free_ char *loc = xasprintf("/openapi/v3/%s?hash=%s", gv, hash);
        struct MHD_Response *resp =
                MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        if (!resp)
                return MHD_NO;
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, loc);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache, private");
        r->started = true;
        int ret = MHD_queue_response(r->conn, MHD_HTTP_MOVED_PERMANENTLY, resp);
        MHD_destroy_response(resp);
        return ret;
}

static int serve_v3_doc(api_request *r, const char *gv) {
        variant *v = NULL;
        pthread_mutex_lock(&lock);
        init_locked();
        pthread_mutex_unlock(&lock);
        for (size_t i = 0; i < openapi_v3_nblobs && !v; i++)
                if (streq(openapi_v3_blobs[i].name, gv))
                        v = &v3[i];
        if (!v)
                return serve_plain(r, 404, "404 page not found\n");
        /* Only JSON is served: a client that will take nothing else is told
         * so rather than sent bytes it cannot read. */
        const char *accept = api_request_header(r, MHD_HTTP_HEADER_ACCEPT);
        if (accept && strstr(accept, PB_V3_ACCEPT) && !strstr(accept, "json") &&
            !strstr(accept, "*/*"))
                return serve_plain(r, 406, "406: only application/json is served\n");
        const char *hash = api_request_query(r, "hash");
        if (hash && *hash && !streq(hash, v->hash))
                return redirect(r, gv, v->hash);
        return serve_variant(r, v, "application/json",
                             hash && *hash ? CACHE_IMMUTABLE : CACHE_REVALIDATE, "Accept-Encoding");
}

static int serve_v2(api_request *r) {
        pthread_mutex_lock(&lock);
        init_locked();
        pthread_mutex_unlock(&lock);
        const char *accept = api_request_header(r, MHD_HTTP_HEADER_ACCEPT);
        if (accept && strstr(accept, PB_V2_ACCEPT)) {
                const char *pb;
                size_t n;
                _cleanup_error_ tm_error *err = NULL;
                if (openapi_v2_protobuf(&pb, &n, &err) < 0) {
                        log_error("/openapi/v2: %s", tm_error_msg(err));
                        return serve_plain(r, 500,
                                           "500: the OpenAPI v2 document could not be "
                                           "encoded\n");
                }
                return serve_variant(r, &v2_pb, PB_V2_TYPE, CACHE_REVALIDATE,
                                     "Accept, Accept-Encoding");
        }
        return serve_variant(r, &v2_json, "application/json", CACHE_REVALIDATE,
                             "Accept, Accept-Encoding");
}

int openapi_serve(api_request *r, const char *path) {
        if (streq(path, "/openapi/v2"))
                return serve_v2(r);
        if (streq(path, "/openapi/v3") || streq(path, "/openapi/v3/")) {
                _cleanup_json_ json *idx = openapi_v3_index();
                return api_respond_json(r, 200, idx);
        }
        if (startswith(path, "/openapi/v3/"))
                return serve_v3_doc(r, path + strlen("/openapi/v3/"));
        return serve_plain(r, 404, "404 page not found\n");
}
