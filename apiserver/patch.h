/* SPDX-License-Identifier: Apache-2.0 */
/* The three PATCH body types of the Kubernetes API (doc/patch.md), as pure
 * functions on the JSON tree: each leaves `doc` and `patch` untouched and
 * returns a new document in *ret (written only on success).
 *
 *     r = patch_strategic(live, body, schema_type_by_gvk("apps", "v1", "Deployment"),
 *                         &updated, &err);
 *     if (r < 0)
 *             status = patch_error_http_status(r);    400, 413, 422 or 500
 *
 * Error codes say which Status upstream's kube-apiserver answers with:
 *   -EINVAL  400 BadRequest: the body is not a patch of this type (a JSON
 *            patch that is not an array of objects, a strategic patch that
 *            is not an object, a malformed $retainKeys, $setElementOrder or
 *            $deleteFromPrimitiveList directive);
 *   -E2BIG   413 RequestEntityTooLarge: more than PATCH_MAX_OPERATIONS
 *            JSON patch operations;
 *   -ENOENT  422 Invalid: a JSON patch path or from that is not in the
 *            document;
 *   -EDOM    422 Invalid: any other JSON patch operation that does not apply
 *            (failed test, bad index, unknown op, missing field, copy limit,
 *            too deep), a strategic list of lists, a patched object that is
 *            not an object (patch_apply());
 *   -EBADMSG 500 InternalError: a strategic patch the upstream code rejects
 *            without classifying it (missing merge key, mixed list element
 *            types, unknown $patch value, $setElementOrder out of order).
 * The message in *err says what and where, in upstream's words where it has
 * any. */
#ifndef TIMONIER_APISERVER_PATCH_H
#define TIMONIER_APISERVER_PATCH_H

#include "api/schema.h"
#include "json.h"
#include "tmerror.h"

/* kube-apiserver's bounds: operations in one JSON patch, and bytes that
 * JSON patch "copy" operations may add in total (--max-json-patch-copy-bytes
 * is not configurable here). */
#define PATCH_MAX_OPERATIONS 10000
#define PATCH_MAX_COPY_BYTES (3 * 1024 * 1024)
/* Nesting a JSON patch may build: what json_parse() reads back. */
#define PATCH_MAX_DEPTH      100

enum patch_type {
        PATCH_TYPE_JSON,      /* application/json-patch+json, RFC 6902 */
        PATCH_TYPE_MERGE,     /* application/merge-patch+json, RFC 7386 */
        PATCH_TYPE_STRATEGIC, /* application/strategic-merge-patch+json */
        _PATCH_TYPE_MAX,
        _PATCH_TYPE_INVALID = -EINVAL,
};

/* The patch type of a Content-Type header value (parameters such as
 * "; charset=utf-8" ignored, case-insensitive), or _PATCH_TYPE_INVALID
 * (upstream answers 415 UnsupportedMediaType). */
enum patch_type patch_type_from_content_type(const char *content_type);
const char *patch_type_to_content_type(enum patch_type t);

/* RFC 6902 JSON Patch: `patch` must be an array of operation objects.
 * Paths are RFC 6901 JSON Pointers (~0, ~1, "-" to append). Like upstream,
 * "replace" of a missing object member adds it; everything else follows
 * the RFC (a test compares numbers by value). */
int patch_json(const json *doc, const json *patch, json **ret, tm_error **err);

/* RFC 7386 JSON Merge Patch, exactly: a non-object patch replaces the
 * document, null members delete, objects merge recursively. */
int patch_merge(const json *doc, const json *patch, json **ret, tm_error **err);

/* Kubernetes strategic merge patch of an object `doc` (as upstream's
 * strategicpatch.StrategicMergeMapPatch). `type` is the schema of the
 * document (the kind's type, e.g. schema_type_by_gvk("", "v1", "Pod")); the
 * walk follows it for patch strategies and merge keys, and where it knows
 * nothing (type NULL, `object` fields, unknown fields) lists are replaced
 * and maps merged, as in a merge patch. A null patch changes nothing.
 * Directives: $patch (replace, delete), $retainKeys, $setElementOrder/<f>,
 * $deleteFromPrimitiveList/<f>; values taken from the patch lose their
 * directives and null members, as upstream's typed decode drops them. */
int patch_strategic(const json *doc, const json *patch, const struct schema_type *type, json **ret,
                    tm_error **err);

/* What the PATCH handler calls: the patch of type `t` applied to the stored
 * object `obj`, with upstream's extra checks (at most PATCH_MAX_OPERATIONS
 * JSON patch operations, a null merge patch is -EINVAL "Invalid JSON
 * Patch", the result must be an object). `type` is used by strategic
 * patches only. */
int patch_apply(enum patch_type t, const json *obj, const json *patch,
                const struct schema_type *type, json **ret, tm_error **err);

/* The HTTP status upstream answers for an error code of these functions
 * (400, 413, 422, or 500 for anything else), and its Status reason
 * ("BadRequest", "RequestEntityTooLarge", "Invalid", or "" for a 500:
 * upstream passes those errors through unclassified). Upstream's 422 Status
 * for a JSON patch says only "the server rejected our request due to an
 * error in our request" (doc/patch.md). */
int patch_error_http_status(int r);
const char *patch_error_reason(int r);

#endif
