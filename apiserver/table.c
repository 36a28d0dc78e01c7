/* SPDX-License-Identifier: Apache-2.0 */
/* meta.k8s.io Tables (doc/table.md): Accept negotiation, includeObject,
 * the Table document, JSONPath columns and durations. The computed columns
 * are in table_columns.c. */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apiserver/table.h"
#include "cleanup.h"
#include "strbuf.h"
#include "util.h"

/* ---- includeObject ------------------------------------------------------ */

static const char *const include_names[_TABLE_INCLUDE_MAX] = {
        [TABLE_INCLUDE_METADATA] = "Metadata",
        [TABLE_INCLUDE_NONE] = "None",
        [TABLE_INCLUDE_OBJECT] = "Object",
};

const char *table_include_to_string(enum table_include i) {
        if (i < 0 || i >= _TABLE_INCLUDE_MAX)
                return NULL;
        return include_names[i];
}

int table_parse_include_object(const char *s, enum table_include *ret, tm_error **err) {
        if (!s || !*s) {
                *ret = TABLE_INCLUDE_METADATA;
                return 0;
        }
        for (int i = 0; i < _TABLE_INCLUDE_MAX; i++)
                if (streq(s, include_names[i])) {
                        *ret = (enum table_include)i;
                        return 0;
                }
        /* upstream's ValidateTableOptions error, as the 400 reads */
        return tm_error_set(
                err, -EINVAL,
                "Unable to convert to Table as requested: includeObject: Invalid value: "
                "\"%s\": must be 'Metadata', 'Object', 'None', or empty",
                s);
}

/* ---- Accept negotiation ------------------------------------------------- */

#define ACCEPT_MAX_CLAUSES 32
#define ACCEPT_MAX_PARAMS  8

struct accept_param {
        char *key, *value;
};

struct accept_clause {
        char *type, *subtype;
        double q;
        struct accept_param params[ACCEPT_MAX_PARAMS];
        size_t n_params;
};

static char *trim(char *s) {
        while (*s == ' ' || *s == '\t')
                s++;
        size_t n = strlen(s);
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                s[--n] = 0;
        return s;
}

static const char *clause_param(const struct accept_clause *c, const char *key) {
        for (size_t i = 0; i < c->n_params; i++)
                if (streq(c->params[i].key, key))
                        return c->params[i].value;
        return NULL;
}

/* The ordering of the goautoneg package kube-apiserver uses: a before b if
 * its q is higher, or its type or subtype is concrete where b's is "*".
 * This is not a strict order (a concrete type with a lower q can still go
 * first), so it is applied with Go's insertion sort, which sort.Sort uses
 * for up to 12 clauses, to get the same order. */
static bool clause_before(const struct accept_clause *a, const struct accept_clause *b) {
        if (a->q > b->q)
                return true;
        if (!streq(a->type, "*") && streq(b->type, "*"))
                return true;
        if (!streq(a->subtype, "*") && streq(b->subtype, "*"))
                return true;
        return false;
}

static void sort_clauses(struct accept_clause *c, size_t n) {
        for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && clause_before(&c[j], &c[j - 1]); j--) {
                        struct accept_clause t = c[j];
                        c[j] = c[j - 1];
                        c[j - 1] = t;
                }
}

/* Split the header into clauses inside `buf` (modified). */
static size_t parse_accept(char *buf, struct accept_clause *clauses, size_t max) {
        size_t n = 0;
        char *save = NULL;
        for (char *part = strtok_r(buf, ",", &save); part && n < max;
             part = strtok_r(NULL, ",", &save)) {
                struct accept_clause *c = &clauses[n];
                char *psave = NULL;
                char *range = strtok_r(part, ";", &psave);
                if (!range)
                        continue;
                range = trim(range);
                char *slash = strchr(range, '/');
                *c = (struct accept_clause){ .q = 1.0 };
                if (slash) {
                        *slash = 0;
                        c->type = trim(range);
                        c->subtype = trim(slash + 1);
                } else if (streq(range, "*")) {
                        c->type = range;
                        c->subtype = "*";
                } else
                        continue;
                for (char *p = strtok_r(NULL, ";", &psave); p; p = strtok_r(NULL, ";", &psave)) {
                        char *eq = strchr(p, '=');
                        if (!eq)
                                continue;
                        *eq = 0;
                        char *key = trim(p), *value = trim(eq + 1);
                        if (streq(key, "q")) {
                                char *end;
                                c->q = strtod(value, &end);
                                if (end == value || *end || c->q != c->q)
                                        c->q = 0;
                        } else if (c->n_params < ACCEPT_MAX_PARAMS)
                                c->params[c->n_params++] = (struct accept_param){ key, value };
                }
                n++;
        }
        return n;
}

static const char *const served_subtypes[] = { "json", "yaml" };

/* acceptMediaTypeOptions + AllowsMediaTypeTransform for one clause and one
 * of our media types. */
static bool clause_options(const struct accept_clause *c, const char *subtype,
                           struct table_accept *out) {
        const char *as = clause_param(c, "as"), *g = clause_param(c, "g"),
                   *v = clause_param(c, "v");
        const char *stream = clause_param(c, "stream");
        struct table_accept a = { .conversion = TABLE_CONVERT_NONE };

        if (stream && *stream) {
                if (!streq(stream, "watch") || !streq(subtype, "json"))
                        return false;
                a.stream_watch = true;
        }
        a.pretty = streq_ptr(clause_param(c, "pretty"), "1");
        if (as || g || v) {
                if (!streq_ptr(g, "meta.k8s.io") || !v)
                        return false;
                if (streq(v, "v1"))
                        a.api_version = TABLE_API_VERSION_V1;
                else if (streq(v, "v1beta1"))
                        a.api_version = TABLE_API_VERSION_V1BETA1;
                else
                        return false;
                if (streq_ptr(as, "Table"))
                        a.conversion = TABLE_CONVERT_TABLE;
                else if (streq_ptr(as, "PartialObjectMetadata"))
                        a.conversion = TABLE_CONVERT_PARTIAL_OBJECT_METADATA;
                else if (streq_ptr(as, "PartialObjectMetadataList"))
                        a.conversion = TABLE_CONVERT_PARTIAL_OBJECT_METADATA_LIST;
                else
                        return false;
        }
        a.table = a.conversion == TABLE_CONVERT_TABLE;
        a.media_type = streq(subtype, "json") ? "application/json" : "application/yaml";
        *out = a;
        return true;
}

int table_negotiate(const char *accept, struct table_accept *ret, tm_error **err) {
        if (!accept || !accept[strspn(accept, " \t")]) {
                *ret = (struct table_accept){ .media_type = "application/json" };
                return 0;
        }
        if (strlen(accept) > 4096)
                return tm_error_set(err, -ENOTSUP, "Accept header too long");

        _cleanup_free_ char *buf = xstrdup(accept);
        struct accept_clause clauses[ACCEPT_MAX_CLAUSES];
        size_t n = parse_accept(buf, clauses, ELEMENTSOF(clauses));
        sort_clauses(clauses, n);

        for (size_t i = 0; i < n; i++) {
                const struct accept_clause *c = &clauses[i];
                if (c->q <= 0)
                        continue;
                for (size_t k = 0; k < ELEMENTSOF(served_subtypes); k++) {
                        const char *sub = served_subtypes[k];
                        bool match =
                                (strcasecmp(c->type, "application") == 0 &&
                                 (strcasecmp(c->subtype, sub) == 0 || streq(c->subtype, "*"))) ||
                                (streq(c->type, "*") && streq(c->subtype, "*"));
                        if (match && clause_options(c, sub, ret))
                                return 0;
                }
        }
        return tm_error_set(err, -ENOTSUP,
                            "only the following media types are accepted: application/json, "
                            "application/yaml");
}

/* ---- durations ---------------------------------------------------------- */

const char *table_human_duration(int64_t ns, char buf[static 32]) {
        int64_t seconds = ns / INT64_C(1000000000); /* truncated toward zero */
        if (seconds < -1) {
                snprintf(buf, 32, "<invalid>");
                return buf;
        }
        if (seconds < 0) {
                snprintf(buf, 32, "0s");
                return buf;
        }
        if (seconds < 60 * 2) {
                snprintf(buf, 32, "%" PRId64 "s", seconds);
                return buf;
        }
        int64_t minutes = seconds / 60;
        if (minutes < 10) {
                int64_t s = seconds % 60;
                if (s == 0)
                        snprintf(buf, 32, "%" PRId64 "m", minutes);
                else
                        snprintf(buf, 32, "%" PRId64 "m%" PRId64 "s", minutes, s);
                return buf;
        }
        if (minutes < 60 * 3) {
                snprintf(buf, 32, "%" PRId64 "m", minutes);
                return buf;
        }
        int64_t hours = minutes / 60;
        if (hours < 8) {
                int64_t m = minutes % 60;
                if (m == 0)
                        snprintf(buf, 32, "%" PRId64 "h", hours);
                else
                        snprintf(buf, 32, "%" PRId64 "h%" PRId64 "m", hours, m);
                return buf;
        }
        if (hours < 48) {
                snprintf(buf, 32, "%" PRId64 "h", hours);
                return buf;
        }
        if (hours < 24 * 8) {
                int64_t h = hours % 24;
                if (h == 0)
                        snprintf(buf, 32, "%" PRId64 "d", hours / 24);
                else
                        snprintf(buf, 32, "%" PRId64 "d%" PRId64 "h", hours / 24, h);
                return buf;
        }
        if (hours < 24 * 365 * 2) {
                snprintf(buf, 32, "%" PRId64 "d", hours / 24);
                return buf;
        }
        if (hours < 24 * 365 * 8) {
                int64_t dy = (hours / 24) % 365;
                if (dy == 0)
                        snprintf(buf, 32, "%" PRId64 "y", hours / 24 / 365);
                else
                        snprintf(buf, 32, "%" PRId64 "y%" PRId64 "d", hours / 24 / 365, dy);
                return buf;
        }
        snprintf(buf, 32, "%" PRId64 "y", hours / 24 / 365);
        return buf;
}

int64_t table_duration_ns(tm_time from, tm_time to) {
        int64_t s, ns;
        if (__builtin_sub_overflow(to.sec, from.sec, &s) ||
            __builtin_mul_overflow(s, INT64_C(1000000000), &ns) ||
            __builtin_add_overflow(ns, (int64_t)to.nsec - from.nsec, &ns))
                return to.sec < from.sec ? INT64_MIN : INT64_MAX;
        return ns;
}

const char *table_age(const char *timestamp, tm_time now, char buf[static 32]) {
        tm_time t;
        if (!timestamp || !*timestamp || time_parse_rfc3339(timestamp, &t, NULL) < 0 ||
            table_time_is_zero(t)) {
                snprintf(buf, 32, "<unknown>");
                return buf;
        }
        return table_human_duration(table_duration_ns(t, now), buf);
}

/* ---- JSONPath subset ---------------------------------------------------- */

const json *table_jsonpath(const json *obj, const char *path) {
        char key[256];
        const char *p = path;
        size_t end;

        if (!path)
                return NULL;
        end = strlen(p);
        if (*p == '{') {
                if (end < 2 || p[end - 1] != '}')
                        return NULL;
                p++;
                end -= 2;
        }
        const char *stop = p + end;
        if (p < stop && *p == '$')
                p++;
        while (obj && p < stop) {
                if (*p == '.') {
                        p++;
                        size_t n = strcspn(p, ".[}");
                        if (p + n > stop)
                                n = (size_t)(stop - p);
                        if (n == 0 || n >= sizeof(key) || !json_is_object(obj))
                                return NULL;
                        memcpy(key, p, n);
                        key[n] = 0;
                        obj = json_object_get(obj, key);
                        p += n;
                } else if (*p == '[') {
                        p++;
                        if (*p == '\'' || *p == '"') {
                                char q = *p++;
                                const char *close = memchr(p, q, (size_t)(stop - p));
                                if (!close || close + 1 >= stop || close[1] != ']' ||
                                    (size_t)(close - p) >= sizeof(key) || !json_is_object(obj))
                                        return NULL;
                                memcpy(key, p, (size_t)(close - p));
                                key[close - p] = 0;
                                obj = json_object_get(obj, key);
                                p = close + 2;
                                continue;
                        }
                        char *e;
                        if (!isdigit((unsigned char)*p))
                                return NULL;
                        unsigned long idx = strtoul(p, &e, 10);
                        if (e >= stop || *e != ']' || !json_is_array(obj))
                                return NULL;
                        obj = json_array_get(obj, idx);
                        p = e + 1;
                } else
                        return NULL;
        }
        return obj;
}

/* ---- columns ------------------------------------------------------------ */

/* json_path columns whose upstream printer adds a placeholder or a
 * default ("<none>", "<unset>", "<unknown>", "Delete"...) or reformats the
 * value: printed by a computed function instead of the bare path. */
struct column_override {
        const char *group, *plural, *column, *computed;
};

static const struct column_override column_overrides[] = {
        { "", "pods", "IP", "pod-ip" },
        { "", "pods", "Node", "pod-node" },
        { "", "pods", "Nominated Node", "pod-nominated-node" },
        { "", "nodes", "OS-Image", "node-info" },
        { "", "nodes", "Kernel-Version", "node-info" },
        { "", "nodes", "Container-Runtime", "node-info" },
        { "", "services", "Cluster-IP", "service-cluster-ip" },
        { "", "events", "Message", "event-message" },
        { "events.k8s.io", "events", "Message", "event-message" },
        { "batch", "cronjobs", "Suspend", "cronjob-suspend" },
        { "", "persistentvolumes", "Capacity", "pv-capacity" },
        { "", "persistentvolumes", "Status", "volume-phase" },
        { "", "persistentvolumes", "StorageClass", "volume-class" },
        { "", "persistentvolumes", "VolumeAttributesClass", "volume-attributes-class" },
        { "", "persistentvolumes", "VolumeMode", "volume-mode" },
        { "", "persistentvolumeclaims", "Status", "volume-phase" },
        { "", "persistentvolumeclaims", "Capacity", "pvc-capacity" },
        { "", "persistentvolumeclaims", "StorageClass", "volume-class" },
        { "", "persistentvolumeclaims", "VolumeAttributesClass", "volume-attributes-class" },
        { "", "persistentvolumeclaims", "VolumeMode", "volume-mode" },
        { "storage.k8s.io", "storageclasses", "ReclaimPolicy", "storageclass-reclaim-policy" },
        { "storage.k8s.io", "storageclasses", "AllowVolumeExpansion",
          "storageclass-allow-expansion" },
        { "storage.k8s.io", "storageclasses", "VolumeBindingMode", "storageclass-binding-mode" },
        { "storage.k8s.io", "csidrivers", "AttachRequired", "csidriver-attach-required" },
};

static const struct table_computed *column_function(const struct schema_resource *r,
                                                    const struct schema_printer_column *col) {
        if (col->computed)
                return table_computed_lookup(col->computed);
        for (size_t i = 0; i < ELEMENTSOF(column_overrides); i++) {
                const struct column_override *o = &column_overrides[i];
                if (streq(o->group, r->group) && streq(o->plural, r->plural) &&
                    streq(o->column, col->name))
                        return table_computed_lookup(o->computed);
        }
        return NULL;
}

/* The schema type of the field a simple path leads to (".status.x[0].y"
 * is looked up as "status.x.y"), or _SCHEMA_VALUE_TYPE_INVALID. */
static enum schema_value_type path_field_type(const struct schema_resource *r, const char *path) {
        char buf[256];
        size_t n = 0;
        for (const char *p = path; *p && n + 1 < sizeof(buf); p++) {
                if (*p == '{' || *p == '}' || *p == '$')
                        continue;
                if (*p == '[') {
                        p = strchr(p, ']');
                        if (!p)
                                return _SCHEMA_VALUE_TYPE_INVALID;
                        continue;
                }
                if (*p == '.' && n == 0)
                        continue;
                buf[n++] = *p;
        }
        buf[n] = 0;
        const struct schema_field *f = schema_field_path(r->type, buf);
        return f ? f->value.type : _SCHEMA_VALUE_TYPE_INVALID;
}

/* A json_path cell. Like a built-in printer, the cell has the field's own
 * JSON type (an int32 field gives a number even in a "string" column) and
 * an unset field prints as its zero value: 0, false or "". Objects and
 * arrays print as JSON text. */
static json *path_cell(const struct schema_resource *r, const struct schema_printer_column *col,
                       const json *v) {
        switch (json_get_type(v)) {
        case JSON_STRING:
                return json_new_string(json_string(v));
        case JSON_INT:
                return json_new_int(json_int(v));
        case JSON_DOUBLE:
                return json_new_double(json_double(v));
        case JSON_BOOL:
                return json_new_bool(json_bool(v));
        case JSON_ARRAY:
        case JSON_OBJECT:
                return json_new_string_take(json_serialize(v, 0, NULL));
        default:
                break;
        }
        switch (path_field_type(r, col->json_path)) {
        case SCHEMA_INT32:
        case SCHEMA_INT64:
        case SCHEMA_NUMBER:
                return json_new_int(0);
        case SCHEMA_BOOLEAN:
                return json_new_bool(false);
        case SCHEMA_STRING:
        case SCHEMA_QUANTITY:
        case SCHEMA_INT_OR_STRING:
                return json_new_string("");
        default:
                break;
        }
        const char *type = col->type ? col->type : "string";
        if (streq(type, "integer") || streq(type, "number"))
                return json_new_int(0);
        if (streq(type, "boolean"))
                return json_new_bool(false);
        if (streq(type, "date"))
                return json_new_null();
        return json_new_string("");
}

/* Resources without printer columns get kube-apiserver's default table
 * convertor: the name and the creation time. */
static const struct schema_printer_column default_columns[] = {
        { .name = "Name",
          .type = "string",
          .format = "name",
          .json_path = ".metadata.name",
          .description = "Name of the object." },
        { .name = "Created At",
          .type = "date",
          .computed = "default-created-at",
          .description = "When the object was created." },
};

static const struct schema_printer_column *columns_of(const struct schema_resource *r,
                                                      size_t *ret_n) {
        if (r->n_columns == 0) {
                *ret_n = ELEMENTSOF(default_columns);
                return default_columns;
        }
        *ret_n = r->n_columns;
        return r->columns;
}

json *table_column_definitions(const struct schema_resource *r) {
        json *defs = json_new_array();
        size_t n;
        const struct schema_printer_column *cols = columns_of(r, &n);
        for (size_t i = 0; i < n; i++) {
                const struct schema_printer_column *c = &cols[i];
                json *d = json_new_object();
                json_object_set_string(d, "name", c->name);
                json_object_set_string(d, "type", c->type ? c->type : "string");
                json_object_set_string(d, "format", c->format ? c->format : "");
                json_object_set_string(d, "description", c->description ? c->description : "");
                json_object_set_int(d, "priority", c->priority);
                json_array_append(defs, d);
        }
        return defs;
}

json *table_row_cells(const struct schema_resource *r, const json *obj, tm_time now) {
        json *cells = json_new_array();
        size_t n;
        const struct schema_printer_column *cols = columns_of(r, &n);
        for (size_t i = 0; i < n; i++) {
                const struct schema_printer_column *c = &cols[i];
                const struct table_computed *fn = column_function(r, c);
                if (fn) {
                        struct table_cell_ctx ctx = {
                                .resource = r, .column = c, .obj = obj, .now = now
                        };
                        json_array_append(cells, fn->cell(&ctx));
                } else if (c->json_path)
                        json_array_append(cells,
                                          path_cell(r, c, table_jsonpath(obj, c->json_path)));
                else
                        json_array_append(cells, json_new_null()); /* caught by the tests */
        }
        return cells;
}

/* ---- the Table ---------------------------------------------------------- */

static const char *resource_api_version(const struct schema_resource *r, char *buf, size_t sz) {
        if (!r->group || !*r->group)
                snprintf(buf, sz, "%s", r->version);
        else
                snprintf(buf, sz, "%s/%s", r->group, r->version);
        return buf;
}

static json *row_object(const struct schema_resource *r, const json *obj,
                        const struct table_options *o, const char *api_version) {
        switch (o->include) {
        case TABLE_INCLUDE_NONE:
                return json_new_null();
        case TABLE_INCLUDE_OBJECT: {
                /* items of a list may lack their type; a row's object has it */
                json *copy = json_copy(obj);
                char av[256];
                if (!json_object_get_string(copy, "apiVersion") ||
                    !json_object_get_string(copy, "kind")) {
                        json *typed = json_new_object();
                        json_object_set_string(typed, "kind", r->kind);
                        json_object_set_string(typed, "apiVersion",
                                               resource_api_version(r, av, sizeof(av)));
                        for (size_t i = 0; i < json_object_len(copy); i++) {
                                const char *k = json_object_key_at(copy, i);
                                if (!streq(k, "kind") && !streq(k, "apiVersion"))
                                        json_object_set(typed, k,
                                                        json_copy(json_object_value_at(copy, i)));
                        }
                        json_free(copy);
                        copy = typed;
                }
                return copy;
        }
        case TABLE_INCLUDE_METADATA:
        default: {
                json *p = json_new_object();
                const json *m = json_object_get(obj, "metadata");
                json_object_set_string(p, "kind", "PartialObjectMetadata");
                json_object_set_string(p, "apiVersion", api_version);
                json_object_set(p, "metadata",
                                json_is_object(m) ? json_copy(m) : json_new_object());
                return p;
        }
        }
}

/* Pods that ran to an end carry a Completed row condition. */
static json *row_conditions(const struct schema_resource *r, const json *obj) {
        if (!streq(r->kind, "Pod") || (r->group && *r->group))
                return NULL;
        const char *phase = json_get_str(obj, "status", "phase", NULL);
        const char *reason, *message;
        if (streq_ptr(phase, "Succeeded")) {
                reason = "Succeeded";
                message = "The pod has completed successfully.";
        } else if (streq_ptr(phase, "Failed")) {
                reason = "Failed";
                message = "The pod failed.";
        } else
                return NULL;
        json *conds = json_new_array();
        json *c = json_new_object();
        json_object_set_string(c, "type", "Completed");
        json_object_set_string(c, "status", "True");
        json_object_set_string(c, "reason", reason);
        json_object_set_string(c, "message", message);
        json_array_append(conds, c);
        return conds;
}

static json *table_row(const struct schema_resource *r, const json *obj,
                       const struct table_options *o, const char *api_version, tm_time now) {
        json *row = json_new_object();
        json_object_set(row, "cells", table_row_cells(r, obj, now));
        json *conds = row_conditions(r, obj);
        if (conds)
                json_object_set(row, "conditions", conds);
        json_object_set(row, "object", row_object(r, obj, o, api_version));
        return row;
}

int table_convert(const struct schema_resource *r, const json *obj,
                  const struct table_options *opts, json **ret, tm_error **err) {
        struct table_options defaults = TABLE_OPTIONS_INIT;
        const struct table_options *o = opts ? opts : &defaults;
        const char *api_version = o->api_version ? o->api_version : TABLE_API_VERSION_V1;

        if (!r)
                return tm_error_set(err, -EINVAL, "no resource to print");
        if (!json_is_object(obj))
                return tm_error_set(err, -EINVAL, "cannot print a %s as a table of %s",
                                    json_type_name(json_get_type(obj)), r->plural);
        if (!streq(api_version, TABLE_API_VERSION_V1) &&
            !streq(api_version, TABLE_API_VERSION_V1BETA1))
                return tm_error_set(err, -ENOTSUP, "no Table exists in group version %s",
                                    api_version);
        if (o->include < 0 || o->include >= _TABLE_INCLUDE_MAX)
                return tm_error_set(err, -EINVAL, "unrecognized includeObject value");

        const json *items = json_object_get(obj, "items");
        if (items && !json_is_array(items))
                return tm_error_set(err, -EINVAL, "list of %s: items is not an array", r->plural);
        for (size_t i = 0; items && i < json_array_len(items); i++)
                if (!json_is_object(json_array_get(items, i)))
                        return tm_error_set(err, -EINVAL, "list of %s: item %zu is not an object",
                                            r->plural, i);

        tm_time now = o->now_set ? o->now : time_now();
        _cleanup_json_ json *t = json_new_object();
        json_object_set_string(t, "kind", "Table");
        json_object_set_string(t, "apiVersion", api_version);
        json *meta = json_object_ensure_object(t, "metadata");
        const json *src_meta = json_object_get(obj, "metadata");
        const char *rv = json_object_get_string(src_meta, "resourceVersion");
        if (rv && *rv)
                json_object_set_string(meta, "resourceVersion", rv);
        if (items) {
                const char *cont = json_object_get_string(src_meta, "continue");
                const json *remaining = json_object_get(src_meta, "remainingItemCount");
                if (cont && *cont)
                        json_object_set_string(meta, "continue", cont);
                if (json_is_int(remaining))
                        json_object_set_int(meta, "remainingItemCount", json_int(remaining));
        }
        json_object_set(t, "columnDefinitions",
                        o->no_headers ? json_new_null() : table_column_definitions(r));
        json *rows = json_new_array();
        json_object_set(t, "rows", rows);
        if (items)
                for (size_t i = 0; i < json_array_len(items); i++)
                        json_array_append(
                                rows, table_row(r, json_array_get(items, i), o, api_version, now));
        else
                json_array_append(rows, table_row(r, obj, o, api_version, now));
        *ret = TAKE_PTR(t);
        return 0;
}

int table_watch_convert(struct table_watch *w, const struct schema_resource *r, const json *obj,
                        const struct table_options *opts, json **ret, tm_error **err) {
        struct table_options o = opts ? *opts : (struct table_options)TABLE_OPTIONS_INIT;
        bool first = !w->headers_sent;
        int rc;

        w->headers_sent = true;
        if (streq_ptr(json_object_get_string(obj, "kind"), "Status")) {
                *ret = json_copy(obj);
                return 0;
        }
        if (json_is_object(obj) && json_object_get(obj, "items"))
                return tm_error_set(err, -EINVAL, "a watch event carries one object, not a list");
        o.no_headers = o.no_headers || !first;
        rc = table_convert(r, obj, &o, ret, err);
        return rc;
}
