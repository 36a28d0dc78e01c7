/* SPDX-License-Identifier: Apache-2.0 */
/* The OpenAPI v2 document as the protobuf message kubectl 1.27/1.28 ask for
 * (Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf): the
 * openapi.v2.Document message of gnostic's OpenAPIv2.proto. */
#ifndef TIMONIER_OPENAPI_PROTO_H
#define TIMONIER_OPENAPI_PROTO_H

#include <stddef.h>

#include "json.h"
#include "tmerror.h"

/* Encode a Swagger 2.0 document (parsed JSON) as openapi.v2.Document.
 * Vendor extensions, defaults, enums and examples become Any messages
 * holding their value as YAML (JSON text, which YAML reads). Keys the
 * message has no field for are an error (-EINVAL), so that a generator
 * change the encoder does not know about is noticed by the tests rather
 * than silently dropped. *ret is malloc'd. */
int openapi_v2_to_protobuf(const json *doc, char **ret, size_t *ret_len, tm_error **err);

#endif
