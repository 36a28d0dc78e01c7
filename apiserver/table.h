/* SPDX-License-Identifier: Apache-2.0 */
/* Server-side printing for `kubectl get` (doc/table.md): an object or a list
 * of objects of a resource rendered as a meta.k8s.io Table, as kube-apiserver
 * answers `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.
 *
 *     struct table_accept acc;
 *     r = table_negotiate(accept_header, &acc, err);    // -ENOTSUP: 406
 *     if (acc.table) {
 *             struct table_options o = TABLE_OPTIONS_INIT;
 *             o.api_version = acc.api_version;
 *             r = table_parse_include_object(query_include, &o.include, err);
 *             r = table_convert(resource, list_or_object, &o, &table, err);
 *     }
 *
 * Columns come from the schema (api/schema.h): json_path columns are read
 * with a small JSONPath subset, `computed` columns by the functions of
 * table_computed_table; a resource without columns gets upstream's default
 * (Name, Created At). Like kube-apiserver, every column (wide ones
 * included) is always filled; the client hides priority > 0 columns. */
#ifndef TIMONIER_APISERVER_TABLE_H
#define TIMONIER_APISERVER_TABLE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/schema.h"
#include "json.h"
#include "timeutil.h"
#include "tmerror.h"

#define TABLE_API_VERSION_V1      "meta.k8s.io/v1"
#define TABLE_API_VERSION_V1BETA1 "meta.k8s.io/v1beta1"

/* ?includeObject= : what each row's "object" holds. */
enum table_include {
        TABLE_INCLUDE_METADATA, /* the default: a PartialObjectMetadata */
        TABLE_INCLUDE_NONE,     /* "object": null */
        TABLE_INCLUDE_OBJECT,   /* the whole object */
        _TABLE_INCLUDE_MAX,
        _TABLE_INCLUDE_INVALID = -EINVAL,
};

struct table_options {
        const char *api_version; /* TABLE_API_VERSION_V1 (NULL) or _V1BETA1 */
        enum table_include include;
        bool no_headers; /* omit columnDefinitions (null), as on watch */
        bool now_set;    /* use `now` instead of the clock (tests) */
        tm_time now;
};
#define TABLE_OPTIONS_INIT \
        { .api_version = NULL, .include = TABLE_INCLUDE_METADATA }

/* "" or NULL is Metadata; otherwise exactly "None", "Metadata", "Object".
 * -EINVAL with upstream's 400 message for anything else. */
int table_parse_include_object(const char *s, enum table_include *ret, tm_error **err);
const char *table_include_to_string(enum table_include i);

/* The outcome of Accept negotiation. */
enum table_conversion {
        TABLE_CONVERT_NONE,                         /* the object as it is */
        TABLE_CONVERT_TABLE,                        /* as=Table */
        TABLE_CONVERT_PARTIAL_OBJECT_METADATA,      /* as=PartialObjectMetadata */
        TABLE_CONVERT_PARTIAL_OBJECT_METADATA_LIST, /* as=PartialObjectMetadataList */
        _TABLE_CONVERT_MAX,
        _TABLE_CONVERT_INVALID = -EINVAL,
};

struct table_accept {
        enum table_conversion conversion;
        bool table;              /* conversion == TABLE_CONVERT_TABLE */
        const char *api_version; /* for a conversion: TABLE_API_VERSION_V1 or _V1BETA1 */
        const char *media_type;  /* "application/json" or "application/yaml" */
        bool pretty;             /* ;pretty=1 */
        bool stream_watch;       /* ;stream=watch */
};

/* Negotiate an Accept header like kube-apiserver does for a resource with a
 * table convertor (k8s.io/apiserver negotiation): clauses in goautoneg's
 * order (higher q first, concrete types before wildcards, else header
 * order), the first one we can serve wins. We serve application/json and
 * application/yaml. A conversion (as=, g=, v=) must name g=meta.k8s.io,
 * v=v1 or v1beta1 (both still served by 1.33) and Table (JSON or YAML
 * only) or PartialObjectMetadata[List]; other clauses are skipped. Unknown
 * parameters are ignored, as upstream does. NULL or "" means plain JSON.
 * When nothing is acceptable: -ENOTSUP and upstream's 406 message. q=0
 * clauses are refused (RFC 9110; upstream's parser would still use them). */
int table_negotiate(const char *accept, struct table_accept *ret, tm_error **err);

/* A Table of `obj`, which is either one object of resource `r` or a list
 * of them ({"items": [...]} , with metadata.resourceVersion/continue/
 * remainingItemCount carried over). opts may be NULL for the defaults.
 * -EINVAL for an object that is not a JSON object or a bad list. */
int table_convert(const struct schema_resource *r, const json *obj,
                  const struct table_options *opts, json **ret, tm_error **err);

/* Watch: kube-apiserver sends column definitions only in the first event's
 * Table and "columnDefinitions": null in every later one (its watch Fixup
 * sets NoHeaders after the first object, whatever that object was). Keep one
 * of these per watch; each call converts one object into a one-row Table.
 * A Status object (an ERROR event) is returned as a copy, unconverted, and
 * still counts as the first event. */
struct table_watch {
        bool headers_sent;
};
int table_watch_convert(struct table_watch *w, const struct schema_resource *r, const json *obj,
                        const struct table_options *opts, json **ret, tm_error **err);

/* The columnDefinitions array of a resource (the default two columns
 * for a resource without printer columns). */
json *table_column_definitions(const struct schema_resource *r);
/* The cells of one object (one per column). */
json *table_row_cells(const struct schema_resource *r, const json *obj, tm_time now);

/* A computed column. The function returns a new cell value, never NULL. */
struct table_cell_ctx {
        const struct schema_resource *resource;
        const struct schema_printer_column *column;
        const json *obj;
        tm_time now;
};
struct table_computed {
        const char *name; /* the schema's `computed:` name */
        json *(*cell)(const struct table_cell_ctx *ctx);
};
/* All computed columns, NULL-name terminated, sorted by name. */
extern const struct table_computed table_computed_table[];
const struct table_computed *table_computed_lookup(const char *name);

/* Evaluate a JSONPath of the subset ".a.b", ".a[0].b", "{.a}" on obj; NULL
 * when a step is missing or the path is not in the subset. */
const json *table_jsonpath(const json *obj, const char *path);

/* Go's zero time.Time, 0001-01-01T00:00:00Z: what metav1.Time.IsZero()
 * tests (an unset time prints "<unknown>", a restart at it is no restart). */
#define TABLE_TIME_ZERO_SEC INT64_C(-62135596800)
#define TABLE_TIME_ZERO     ((tm_time){ .sec = TABLE_TIME_ZERO_SEC, .nsec = 0 })
static inline bool table_time_is_zero(tm_time t) {
        return t.sec == TABLE_TIME_ZERO_SEC && t.nsec == 0;
}
/* to - from in nanoseconds, saturated like Go's Time.Sub. */
int64_t table_duration_ns(tm_time from, tm_time to);

/* Upstream's duration.HumanDuration ("0s", "59s", "2m5s", "3h10m", "3d4h",
 * "2y"; "<invalid>" below -1s), nanoseconds in; returns buf. */
const char *table_human_duration(int64_t ns, char buf[static 32]);
/* translateTimestampSince: the age of an RFC 3339 timestamp relative to now;
 * "<unknown>" when missing, unparsable or Go's zero time. Returns buf. */
const char *table_age(const char *timestamp, tm_time now, char buf[static 32]);

#endif
