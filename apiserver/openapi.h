/* SPDX-License-Identifier: Apache-2.0 */
/* /openapi/v2 and /openapi/v3: the OpenAPI documents generated from the API
 * schema (api/generated/openapi-*), embedded in the binary at build time,
 * served from memory with ETags, hash-pinned caching and gzip. */
#ifndef TIMONIER_OPENAPI_H
#define TIMONIER_OPENAPI_H

#include <stdbool.h>
#include <stddef.h>

#include "apiserver.h"

/* One embedded document (apiserver/openapi_data.c, generated). */
typedef struct openapi_blob {
        const char *name; /* "api/v1", "apis/apps/v1"; "" for v2 */
        const char *data; /* JSON */
        size_t len;
} openapi_blob;

extern const openapi_blob openapi_v3_blobs[];
extern const size_t openapi_v3_nblobs;
extern const openapi_blob openapi_v2_blob;

/* Serve GET/HEAD /openapi/...: the v3 index, a v3 group-version document,
 * the v2 document (JSON or protobuf by Accept), or 404. */
int openapi_serve(api_request *r, const char *path);

/* For the tests. The hash of a v3 document (its ETag without quotes, and
 * the ?hash= of the index), or NULL for an unknown group-version path. */
const char *openapi_v3_hash(const char *gv);
/* The /openapi/v3 index document. */
json *openapi_v3_index(void);
/* The v2 document as protobuf (cached; NULL with *err on failure). */
int openapi_v2_protobuf(const char **ret, size_t *ret_len, tm_error **err);

#endif
