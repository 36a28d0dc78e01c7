/* SPDX-License-Identifier: Apache-2.0 */
/* The API schema: kinds, resources and type definitions, generated from
 * api/schema/<gv>.yaml into api/generated/schema_tables.c (doc/api-schema.md).
 *
 *     const struct schema_resource *r = schema_resource_lookup("apps", "v1", "deployments");
 *     const struct schema_type *t = schema_type_lookup("core.v1.PodSpec");
 *     const struct schema_field *f = schema_field_lookup(t, "containers");
 *     f->patch_merge_key  ->  "name"
 *
 * Everything here is static, read-only data: nothing to free. Lookups return
 * NULL when nothing matches. */
#ifndef TIMONIER_API_SCHEMA_H
#define TIMONIER_API_SCHEMA_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

enum schema_value_type {
        SCHEMA_STRING,
        SCHEMA_INT32,
        SCHEMA_INT64,
        SCHEMA_NUMBER,
        SCHEMA_BOOLEAN,
        SCHEMA_QUANTITY,      /* resource.Quantity, a string on the wire */
        SCHEMA_INT_OR_STRING, /* 80 or "http" */
        SCHEMA_DATE_TIME,     /* RFC 3339, seconds */
        SCHEMA_MICRO_TIME,    /* RFC 3339, microseconds */
        SCHEMA_BYTE,          /* base64 string */
        SCHEMA_OBJECT,        /* any JSON value, kept as is */
        SCHEMA_REF,           /* another schema_type */
        SCHEMA_ARRAY,         /* of `elem` */
        SCHEMA_MAP,           /* string keys to `elem` */
        _SCHEMA_VALUE_TYPE_MAX,
        _SCHEMA_VALUE_TYPE_INVALID = -EINVAL,
};

enum schema_list_type {
        SCHEMA_LIST_NONE, /* no x-kubernetes-list-type */
        SCHEMA_LIST_ATOMIC,
        SCHEMA_LIST_SET,
        SCHEMA_LIST_MAP,
        _SCHEMA_LIST_TYPE_MAX,
        _SCHEMA_LIST_TYPE_INVALID = -EINVAL,
};

enum schema_map_type {
        SCHEMA_MAP_NONE,
        SCHEMA_MAP_ATOMIC,
        SCHEMA_MAP_GRANULAR,
        _SCHEMA_MAP_TYPE_MAX,
        _SCHEMA_MAP_TYPE_INVALID = -EINVAL,
};

/* x-kubernetes-patch-strategy, as bits ("merge,retainKeys" sets both). */
enum {
        SCHEMA_PATCH_MERGE = 1 << 0,
        SCHEMA_PATCH_RETAIN_KEYS = 1 << 1,
        SCHEMA_PATCH_REPLACE = 1 << 2,
};

/* The protobuf wire form of a field where its value type does not say it
 * (doc/protobuf.md). */
enum schema_proto_type {
        SCHEMA_PROTO_DEFAULT,       /* follows from the value type */
        SCHEMA_PROTO_DURATION,      /* meta.v1.Duration {int64 duration = 1}: "1h2m3s" */
        SCHEMA_PROTO_FIELDS_V1,     /* meta.v1.FieldsV1 {bytes Raw = 1}: JSON text */
        SCHEMA_PROTO_RAW_EXTENSION, /* runtime.RawExtension {bytes raw = 1}: JSON text */
        SCHEMA_PROTO_LIST_WRAPPER,  /* a named Go slice: message {repeated items = 1} */
        _SCHEMA_PROTO_TYPE_MAX,
        _SCHEMA_PROTO_TYPE_INVALID = -EINVAL,
};

struct schema_type;

struct schema_value {
        enum schema_value_type type;
        const struct schema_type *ref;   /* SCHEMA_REF */
        const struct schema_value *elem; /* SCHEMA_ARRAY items, SCHEMA_MAP values */
};

struct schema_field {
        const char *name;
        struct schema_value value;
        bool required;
        unsigned patch_strategy;          /* SCHEMA_PATCH_* bits */
        const char *patch_merge_key;      /* strategic merge key, or NULL */
        enum schema_list_type list_type;  /* x-kubernetes-list-type */
        const char *const *list_map_keys; /* NULL-terminated, or NULL */
        enum schema_map_type map_type;    /* x-kubernetes-map-type */
        const char *const *enum_values;   /* NULL-terminated, or NULL */
        const char *default_json;         /* JSON text of the default, or NULL */
        const char *computed_default;     /* named rule, e.g. "image-pull-policy" */
        const char *description;
        /* Protobuf (api/tools/import-proto.py): the field number, 0 when the
         * field is not in the message (apiVersion and kind ride in the
         * envelope); the number of the embedded message holding it where Go
         * inlines a struct (Volume's volumeSource), else 0. */
        unsigned proto_tag;
        unsigned proto_inline;
        enum schema_proto_type proto_type;
        /* Go facts deciding what upstream's JSON writes for a zero value:
         * `omitempty` leaves it out; a pointer writes null when absent and
         * the value when present, even a zero one. */
        bool omit_empty;
        bool pointer;
};

struct schema_type {
        const char *name;                   /* "core.v1.PodSpec" */
        const char *group, *version, *kind; /* top-level kinds only, else NULL */
        const char *description;
        enum schema_map_type map_type;
        const struct schema_field *fields; /* sorted by name */
        size_t n_fields;
        const char *proto_message; /* "k8s.io.api.core.v1.Pod", or NULL: no protobuf form */
};

struct schema_subresource {
        const char *name;                   /* "status", "scale", "log", ... */
        const char *group, *version, *kind; /* what the subresource speaks */
        const char *const *verbs;
};

struct schema_printer_column {
        const char *name;      /* as kubectl prints it: "READY" is "Ready" */
        const char *type;      /* string, integer, number, boolean, date */
        const char *format;    /* "name" for the object's name column, or NULL */
        int priority;          /* 0: always shown; 1: with -o wide */
        const char *json_path; /* simple columns: ".spec.type" */
        const char *computed;  /* columns computed in code: "pod-ready", "age" */
        const char *description;
};

struct schema_group_version;

struct schema_resource {
        const char *group, *version, *kind;
        const char *plural, *singular;
        const char *description;
        bool namespaced;
        const char *const *short_names; /* NULL-terminated, all the lists */
        const char *const *categories;
        const char *const *verbs;
        const char *const *field_selectors;
        const struct schema_subresource *subresources;
        size_t n_subresources;
        const struct schema_printer_column *columns;
        size_t n_columns;
        const struct schema_type *type;      /* the kind's type */
        const struct schema_type *list_type; /* "<Kind>List", or NULL */
};

struct schema_group_version {
        const char *group; /* "" for the core group */
        const char *version;
        bool preferred; /* the group's preferred version */
        bool served;    /* false for meta.k8s.io: types only */
        const struct schema_resource *resources;
        size_t n_resources;
};

/* The generated tables (api/generated/schema_tables.c). */
extern const struct schema_group_version schema_group_version_table[];
extern const size_t schema_n_group_versions;
extern const struct schema_type schema_type_table[]; /* sorted by name */
extern const size_t schema_n_types;

/* Group-versions in table order (core first); *ret_n is their count. */
const struct schema_group_version *schema_group_versions(size_t *ret_n);
const struct schema_group_version *schema_group_version_lookup(const char *group,
                                                               const char *version);

/* A resource by group, version and plural ("", "v1", "pods"). */
const struct schema_resource *schema_resource_lookup(const char *group, const char *version,
                                                     const char *plural);
/* A resource by group, version and kind ("apps", "v1", "Deployment"). */
const struct schema_resource *schema_resource_by_kind(const char *group, const char *version,
                                                      const char *kind);
/* A resource by a name as a user types it: plural, singular or short name,
 * case-insensitively, in any group; the preferred version of a group wins,
 * and the core group wins over others ("ev" is core/v1 events). */
const struct schema_resource *schema_resource_by_name(const char *name);
/* Like the above, for short names only ("po", "deploy", "hpa"). */
const struct schema_resource *schema_resource_by_short_name(const char *name);

const struct schema_subresource *schema_subresource_lookup(const struct schema_resource *r,
                                                           const char *name);
const struct schema_printer_column *schema_column_lookup(const struct schema_resource *r,
                                                         const char *name);

/* A type by its schema name ("core.v1.Container", "meta.v1.ObjectMeta"). */
const struct schema_type *schema_type_lookup(const char *name);
/* The type serialized with apiVersion/kind (group "" for core and meta). */
const struct schema_type *schema_type_by_gvk(const char *group, const char *version,
                                             const char *kind);

const struct schema_field *schema_field_lookup(const struct schema_type *t, const char *name);
/* A field by a dotted path through references, array items and map values:
 * schema_field_path(pod, "spec.containers.resources.limits"). */
const struct schema_field *schema_field_path(const struct schema_type *t, const char *path);
/* The type a field leads to: its ref, or the ref of its items or values. */
const struct schema_type *schema_field_target(const struct schema_field *f);

bool schema_strv_contains(const char *const *v, const char *s);

const char *schema_value_type_to_string(enum schema_value_type t);
enum schema_value_type schema_value_type_from_string(const char *s);

#endif
