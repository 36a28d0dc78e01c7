/* SPDX-License-Identifier: Apache-2.0 */
/* Kubernetes protobuf bodies (application/vnd.kubernetes.protobuf) decoded
 * into the JSON tree that upstream's JSON encoding of the same object gives
 * (doc/protobuf.md). The wire facts — field numbers, inlined messages, Go's
 * omitempty and pointers — come from the schema (api/schema.h).
 *
 *     _cleanup_json_ json *obj = NULL;
 *     r = pb_decode_object(body, len, &obj, &err);
 *     // obj: {"kind":"ConfigMap","apiVersion":"v1","metadata":{...},"data":{...}}
 *
 * Input is bounded (nesting depth, and the buffer's own length for
 * everything else); unknown field numbers are skipped by their wire type;
 * anything malformed is -EINVAL with a message naming what and the byte
 * offset in the body. Nothing here allocates more than the input asks
 * for, and nothing is kept. */
#ifndef TIMONIER_APISERVER_PROTOBUF_H
#define TIMONIER_APISERVER_PROTOBUF_H

#include <stddef.h>
#include <stdint.h>

#include "api/schema.h"
#include "json.h"
#include "tmerror.h"

#define PB_CONTENT_TYPE "application/vnd.kubernetes.protobuf"
/* Nested messages (and arrays or maps of them), like json_default_limits. */
#define PB_MAX_DEPTH    100

/* The envelope: "k8s\0" then runtime.Unknown. Pointers into the input. */
typedef struct pb_envelope {
        const char *api_version; /* typeMeta.apiVersion */
        size_t api_version_len;
        const char *kind; /* typeMeta.kind */
        size_t kind_len;
        const uint8_t *raw; /* the object's message */
        size_t raw_len;
        size_t raw_offset; /* of raw in the input, for error offsets */
        const char *content_encoding;
        size_t content_encoding_len;
} pb_envelope;

/* Check the magic and read the envelope. -EINVAL with a message on
 * malformed input. */
int pb_read_envelope(const void *buf, size_t len, pb_envelope *ret, tm_error **err);

/* Decode `len` bytes as the message of schema type `t` into a JSON object.
 * `base` is added to the byte offsets in error messages. -EINVAL for
 * malformed input, -E2BIG past PB_MAX_DEPTH, -EOPNOTSUPP for a type with no
 * protobuf form. */
int pb_decode_message(const void *buf, size_t len, size_t base, const struct schema_type *t,
                      json **ret, tm_error **err);

/* A whole body: the envelope, its kind looked up in the schema, the object
 * decoded, with "kind" and "apiVersion" from the envelope first. -ENOENT
 * for a kind the schema does not know, -EOPNOTSUPP for a content encoding
 * (none is defined upstream) or a kind with no protobuf form. */
int pb_decode_object(const void *buf, size_t len, json **ret, tm_error **err);

/* The reverse: the object as upstream's protobuf marshalling writes it
 * (fields in number order, non-pointer fields always, zero or not; maps
 * sorted by key), so that decoding a body and encoding it again gives
 * kubectl's bytes back. Members the schema does not know are left out;
 * a value of the wrong JSON type is -EINVAL. pb_encode_object() wraps the
 * message in the envelope, with the object's kind and apiVersion. The
 * results are malloc'd. */
int pb_encode_message(const json *obj, const struct schema_type *t, char **ret, size_t *ret_len,
                      tm_error **err);
int pb_encode_object(const json *obj, char **ret, size_t *ret_len, tm_error **err);

/* A duration in nanoseconds as Go's time.Duration.String() writes it
 * ("1h2m3.5s", "1.5ms", "0s"), which is metav1.Duration's JSON. Returns
 * buf. */
#define PB_DURATION_MAX 40
const char *pb_format_duration(int64_t ns, char buf[static PB_DURATION_MAX]);

#endif
