/* SPDX-License-Identifier: Apache-2.0 */
/* JSON -> gnostic openapi.v2.Document protobuf.
 *
 * Hand-written rather than generated with protobuf-c: we only ever encode,
 * one message tree (about thirty message types, most of them "a string
 * here, a sub-message there"), from a JSON document we generate ourselves.
 * A table per message (JSON key -> field number and kind) plus a few
 * functions for gnostic's oneof wrappers is smaller than a code generator
 * dependency and its runtime library. Field numbers are those of
 * openapiv2/OpenAPIv2.proto in github.com/google/gnostic-models. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "openapi_proto.h"
#include "strbuf.h"
#include "util.h"

enum { WT_VARINT = 0, WT_FIXED64 = 1, WT_LEN = 2 };

static void pb_varint(strbuf *b, uint64_t v) {
        while (v >= 0x80) {
                strbuf_putc(b, (char)(v | 0x80));
                v >>= 7;
        }
        strbuf_putc(b, (char)v);
}

static void pb_tag(strbuf *b, uint32_t num, int wt) {
        pb_varint(b, ((uint64_t)num << 3) | (uint64_t)wt);
}

static void pb_bytes(strbuf *b, uint32_t num, const void *p, size_t n) {
        pb_tag(b, num, WT_LEN);
        pb_varint(b, n);
        if (n)
                strbuf_append(b, p, n);
}

static void pb_str(strbuf *b, uint32_t num, const char *s) {
        pb_bytes(b, num, s, strlen(s));
}

/* --- message tables ------------------------------------------------------ */

typedef enum pb_kind {
        K_STRING,  /* string */
        K_BOOL,    /* bool */
        K_INT64,   /* int64 */
        K_DOUBLE,  /* double */
        K_STRINGS, /* repeated string */
        K_ANY,     /* Any (value as YAML) */
        K_ANYS,    /* repeated Any */
        K_MSG,     /* a sub-message of type .type */
        K_MSGS,    /* repeated sub-message of type .type, from a JSON array */
} pb_kind;

typedef struct pb_type pb_type;

typedef struct pb_field {
        const char *key;
        uint32_t num;
        pb_kind kind;
        const pb_type *type;
} pb_field;

/* Encodes the contents of one message from a JSON value. */
typedef int (*pb_encode_fn)(strbuf *out, const pb_type *t, const json *v, tm_error **err);

struct pb_type {
        const char *name;
        pb_encode_fn encode;
        const pb_field *fields; /* table-driven messages */
        size_t nfields;
        uint32_t vendor; /* field number of vendor_extension, 0: none */
        /* Maps (a message of repeated Named<X> {name = 1; value = 2}): */
        uint32_t entry;
        const pb_type *elem;
};

static int encode_message(strbuf *out, const pb_type *t, const json *v, tm_error **err);
static int encode_map(strbuf *out, const pb_type *t, const json *v, tm_error **err);
static int encode_type_item(strbuf *out, const pb_type *t, const json *v, tm_error **err);
static int encode_items_item(strbuf *out, const pb_type *t, const json *v, tm_error **err);
static int encode_additional(strbuf *out, const pb_type *t, const json *v, tm_error **err);
static int encode_parameters_item(strbuf *out, const pb_type *t, const json *v, tm_error **err);
static int encode_parameter(strbuf *out, const pb_type *t, const json *v, tm_error **err);
static int encode_response_value(strbuf *out, const pb_type *t, const json *v, tm_error **err);
static int encode_schema_item(strbuf *out, const pb_type *t, const json *v, tm_error **err);
static int encode_security_item(strbuf *out, const pb_type *t, const json *v, tm_error **err);
static int encode_string_array(strbuf *out, const pb_type *t, const json *v, tm_error **err);

#define MSG(var, vendor_num, ...)                                                                 \
        static const pb_field var##_fields[] = { __VA_ARGS__ };                                   \
        static const pb_type var = {                                                              \
                #var, encode_message, var##_fields, ARRAY_SIZE(var##_fields), vendor_num, 0, NULL \
        }
#define MAP(var, entry_num, vendor_num, elem_type) \
        static const pb_type var = { #var, encode_map, NULL, 0, vendor_num, entry_num, elem_type }
#define ONEOF(var, fn) static const pb_type var = { #var, fn, NULL, 0, 0, 0, NULL }

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

ONEOF(TypeItem, encode_type_item);
ONEOF(ItemsItem, encode_items_item);
ONEOF(AdditionalPropertiesItem, encode_additional);
ONEOF(ParametersItem, encode_parameters_item);
ONEOF(Parameter, encode_parameter);
ONEOF(ResponseValue, encode_response_value);
ONEOF(SchemaItem, encode_schema_item);
ONEOF(SecurityDefinitionsItem, encode_security_item);
ONEOF(StringArray, encode_string_array);

MSG(ExternalDocs, 3, { "description", 1, K_STRING, NULL }, { "url", 2, K_STRING, NULL });

static const pb_type Schema;
MAP(Properties, 1, 0, &Schema);
MSG(Schema, 31, { "$ref", 1, K_STRING, NULL }, { "format", 2, K_STRING, NULL },
    { "title", 3, K_STRING, NULL }, { "description", 4, K_STRING, NULL },
    { "default", 5, K_ANY, NULL }, { "multipleOf", 6, K_DOUBLE, NULL },
    { "maximum", 7, K_DOUBLE, NULL }, { "exclusiveMaximum", 8, K_BOOL, NULL },
    { "minimum", 9, K_DOUBLE, NULL }, { "exclusiveMinimum", 10, K_BOOL, NULL },
    { "maxLength", 11, K_INT64, NULL }, { "minLength", 12, K_INT64, NULL },
    { "pattern", 13, K_STRING, NULL }, { "maxItems", 14, K_INT64, NULL },
    { "minItems", 15, K_INT64, NULL }, { "uniqueItems", 16, K_BOOL, NULL },
    { "maxProperties", 17, K_INT64, NULL }, { "minProperties", 18, K_INT64, NULL },
    { "required", 19, K_STRINGS, NULL }, { "enum", 20, K_ANYS, NULL },
    { "additionalProperties", 21, K_MSG, &AdditionalPropertiesItem },
    { "type", 22, K_MSG, &TypeItem }, { "items", 23, K_MSG, &ItemsItem },
    { "allOf", 24, K_MSGS, &Schema }, { "properties", 25, K_MSG, &Properties },
    { "discriminator", 26, K_STRING, NULL }, { "readOnly", 27, K_BOOL, NULL },
    { "externalDocs", 29, K_MSG, &ExternalDocs }, { "example", 30, K_ANY, NULL });

static const pb_type PrimitivesItems;
MSG(PrimitivesItems, 18, { "type", 1, K_STRING, NULL }, { "format", 2, K_STRING, NULL },
    { "items", 3, K_MSG, &PrimitivesItems }, { "collectionFormat", 4, K_STRING, NULL },
    { "default", 5, K_ANY, NULL }, { "maximum", 6, K_DOUBLE, NULL },
    { "exclusiveMaximum", 7, K_BOOL, NULL }, { "minimum", 8, K_DOUBLE, NULL },
    { "exclusiveMinimum", 9, K_BOOL, NULL }, { "maxLength", 10, K_INT64, NULL },
    { "minLength", 11, K_INT64, NULL }, { "pattern", 12, K_STRING, NULL },
    { "maxItems", 13, K_INT64, NULL }, { "minItems", 14, K_INT64, NULL },
    { "uniqueItems", 15, K_BOOL, NULL }, { "enum", 16, K_ANYS, NULL },
    { "multipleOf", 17, K_DOUBLE, NULL });

MSG(BodyParameter, 6, { "description", 1, K_STRING, NULL }, { "name", 2, K_STRING, NULL },
    { "in", 3, K_STRING, NULL }, { "required", 4, K_BOOL, NULL }, { "schema", 5, K_MSG, &Schema });

/* Query and formData parameters share their numbering, as do header and
 * path parameters (which have no allowEmptyValue). */
#define QUERY_LIKE(var)                                                                  \
        MSG(var, 23, { "required", 1, K_BOOL, NULL }, { "in", 2, K_STRING, NULL },       \
            { "description", 3, K_STRING, NULL }, { "name", 4, K_STRING, NULL },         \
            { "allowEmptyValue", 5, K_BOOL, NULL }, { "type", 6, K_STRING, NULL },       \
            { "format", 7, K_STRING, NULL }, { "items", 8, K_MSG, &PrimitivesItems },    \
            { "collectionFormat", 9, K_STRING, NULL }, { "default", 10, K_ANY, NULL },   \
            { "maximum", 11, K_DOUBLE, NULL }, { "exclusiveMaximum", 12, K_BOOL, NULL }, \
            { "minimum", 13, K_DOUBLE, NULL }, { "exclusiveMinimum", 14, K_BOOL, NULL }, \
            { "maxLength", 15, K_INT64, NULL }, { "minLength", 16, K_INT64, NULL },      \
            { "pattern", 17, K_STRING, NULL }, { "maxItems", 18, K_INT64, NULL },        \
            { "minItems", 19, K_INT64, NULL }, { "uniqueItems", 20, K_BOOL, NULL },      \
            { "enum", 21, K_ANYS, NULL }, { "multipleOf", 22, K_DOUBLE, NULL })
#define HEADER_LIKE(var)                                                                        \
        MSG(var, 22, { "required", 1, K_BOOL, NULL }, { "in", 2, K_STRING, NULL },              \
            { "description", 3, K_STRING, NULL }, { "name", 4, K_STRING, NULL },                \
            { "type", 5, K_STRING, NULL }, { "format", 6, K_STRING, NULL },                     \
            { "items", 7, K_MSG, &PrimitivesItems }, { "collectionFormat", 8, K_STRING, NULL }, \
            { "default", 9, K_ANY, NULL }, { "maximum", 10, K_DOUBLE, NULL },                   \
            { "exclusiveMaximum", 11, K_BOOL, NULL }, { "minimum", 12, K_DOUBLE, NULL },        \
            { "exclusiveMinimum", 13, K_BOOL, NULL }, { "maxLength", 14, K_INT64, NULL },       \
            { "minLength", 15, K_INT64, NULL }, { "pattern", 16, K_STRING, NULL },              \
            { "maxItems", 17, K_INT64, NULL }, { "minItems", 18, K_INT64, NULL },               \
            { "uniqueItems", 19, K_BOOL, NULL }, { "enum", 20, K_ANYS, NULL },                  \
            { "multipleOf", 21, K_DOUBLE, NULL })
QUERY_LIKE(QueryParameterSubSchema);
QUERY_LIKE(FormDataParameterSubSchema);
HEADER_LIKE(HeaderParameterSubSchema);
HEADER_LIKE(PathParameterSubSchema);

MSG(Header, 19, { "type", 1, K_STRING, NULL }, { "format", 2, K_STRING, NULL },
    { "items", 3, K_MSG, &PrimitivesItems }, { "collectionFormat", 4, K_STRING, NULL },
    { "default", 5, K_ANY, NULL }, { "enum", 16, K_ANYS, NULL },
    { "description", 18, K_STRING, NULL });
MAP(Headers, 1, 0, &Header);

MSG(Response, 5, { "description", 1, K_STRING, NULL }, { "schema", 2, K_MSG, &SchemaItem },
    { "headers", 3, K_MSG, &Headers });
MAP(Responses, 1, 2, &ResponseValue);

MAP(SecurityRequirement, 1, 0, &StringArray);

MSG(Operation, 13, { "tags", 1, K_STRINGS, NULL }, { "summary", 2, K_STRING, NULL },
    { "description", 3, K_STRING, NULL }, { "externalDocs", 4, K_MSG, &ExternalDocs },
    { "operationId", 5, K_STRING, NULL }, { "produces", 6, K_STRINGS, NULL },
    { "consumes", 7, K_STRINGS, NULL }, { "parameters", 8, K_MSGS, &ParametersItem },
    { "responses", 9, K_MSG, &Responses }, { "schemes", 10, K_STRINGS, NULL },
    { "deprecated", 11, K_BOOL, NULL }, { "security", 12, K_MSGS, &SecurityRequirement });

MSG(PathItem, 10, { "$ref", 1, K_STRING, NULL }, { "get", 2, K_MSG, &Operation },
    { "put", 3, K_MSG, &Operation }, { "post", 4, K_MSG, &Operation },
    { "delete", 5, K_MSG, &Operation }, { "options", 6, K_MSG, &Operation },
    { "head", 7, K_MSG, &Operation }, { "patch", 8, K_MSG, &Operation },
    { "parameters", 9, K_MSGS, &ParametersItem });
MAP(Paths, 2, 1, &PathItem);

MAP(Definitions, 1, 0, &Schema);
MAP(ParameterDefinitions, 1, 0, &Parameter);
MSG(ResponseDef, 5, { "description", 1, K_STRING, NULL }, { "schema", 2, K_MSG, &SchemaItem },
    { "headers", 3, K_MSG, &Headers });
MAP(ResponseDefinitions, 1, 0, &ResponseDef);
MAP(SecurityDefinitions, 1, 0, &SecurityDefinitionsItem);

MSG(Contact, 4, { "name", 1, K_STRING, NULL }, { "url", 2, K_STRING, NULL },
    { "email", 3, K_STRING, NULL });
MSG(License, 3, { "name", 1, K_STRING, NULL }, { "url", 2, K_STRING, NULL });
MSG(Info, 7, { "title", 1, K_STRING, NULL }, { "version", 2, K_STRING, NULL },
    { "description", 3, K_STRING, NULL }, { "termsOfService", 4, K_STRING, NULL },
    { "contact", 5, K_MSG, &Contact }, { "license", 6, K_MSG, &License });
MSG(Tag, 4, { "name", 1, K_STRING, NULL }, { "description", 2, K_STRING, NULL },
    { "externalDocs", 3, K_MSG, &ExternalDocs });

MSG(ApiKeySecurity, 5, { "type", 1, K_STRING, NULL }, { "name", 2, K_STRING, NULL },
    { "in", 3, K_STRING, NULL }, { "description", 4, K_STRING, NULL });
MSG(BasicAuthenticationSecurity, 3, { "type", 1, K_STRING, NULL },
    { "description", 2, K_STRING, NULL });

MSG(Document, 16, { "swagger", 1, K_STRING, NULL }, { "info", 2, K_MSG, &Info },
    { "host", 3, K_STRING, NULL }, { "basePath", 4, K_STRING, NULL },
    { "schemes", 5, K_STRINGS, NULL }, { "consumes", 6, K_STRINGS, NULL },
    { "produces", 7, K_STRINGS, NULL }, { "paths", 8, K_MSG, &Paths },
    { "definitions", 9, K_MSG, &Definitions }, { "parameters", 10, K_MSG, &ParameterDefinitions },
    { "responses", 11, K_MSG, &ResponseDefinitions },
    { "security", 12, K_MSGS, &SecurityRequirement },
    { "securityDefinitions", 13, K_MSG, &SecurityDefinitions }, { "tags", 14, K_MSGS, &Tag },
    { "externalDocs", 15, K_MSG, &ExternalDocs });

/* --- encoding -------------------------------------------------------------- */

static int wrong_type(tm_error **err, const pb_type *t, const char *key, const char *want) {
        return tm_error_set(err, -EINVAL, "openapi v2 protobuf: %s.%s is not %s", t->name, key,
                            want);
}

/* A sub-message: its contents, then tag and length before them. */
static int pb_sub(strbuf *out, uint32_t num, const pb_type *t, const json *v, tm_error **err) {
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        int r = t->encode(&b, t, v, err);
        if (r < 0)
                return r;
        pb_bytes(out, num, b.data, b.len);
        return 0;
}

/* Any { string yaml = 2; }: JSON is YAML, so the value goes in as JSON. */
static void pb_any(strbuf *out, uint32_t num, const json *v) {
        size_t n;
        _cleanup_free_ char *s = json_serialize(v, JSON_SORT_KEYS, &n);
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        pb_bytes(&b, 2, s, n);
        pb_bytes(out, num, b.data, b.len);
}

/* NamedAny { string name = 1; Any value = 2; } */
static void pb_vendor(strbuf *out, uint32_t num, const char *name, const json *v) {
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        pb_str(&b, 1, name);
        pb_any(&b, 2, v);
        pb_bytes(out, num, b.data, b.len);
}

static int encode_field(strbuf *out, const pb_type *t, const pb_field *f, const json *v,
                        tm_error **err) {
        switch (f->kind) {
        case K_STRING:
                if (!json_is_string(v))
                        return wrong_type(err, t, f->key, "a string");
                if (json_string_len(v))
                        pb_bytes(out, f->num, json_string(v), json_string_len(v));
                return 0;
        case K_BOOL:
                if (!json_is_bool(v))
                        return wrong_type(err, t, f->key, "a boolean");
                if (json_bool(v)) {
                        pb_tag(out, f->num, WT_VARINT);
                        pb_varint(out, 1);
                }
                return 0;
        case K_INT64:
                if (!json_is_int(v))
                        return wrong_type(err, t, f->key, "an integer");
                if (json_int(v)) {
                        pb_tag(out, f->num, WT_VARINT);
                        pb_varint(out, (uint64_t)json_int(v));
                }
                return 0;
        case K_DOUBLE: {
                if (!json_is_number(v))
                        return wrong_type(err, t, f->key, "a number");
                double d = json_double(v);
                if (d != 0) {
                        uint64_t bits;
                        memcpy(&bits, &d, sizeof bits);
                        pb_tag(out, f->num, WT_FIXED64);
                        for (int i = 0; i < 8; i++)
                                strbuf_putc(out, (char)(bits >> (8 * i)));
                }
                return 0;
        }
        case K_STRINGS:
                if (!json_is_array(v))
                        return wrong_type(err, t, f->key, "an array");
                for (size_t i = 0; i < json_array_len(v); i++) {
                        const json *e = json_array_get(v, i);
                        if (!json_is_string(e))
                                return wrong_type(err, t, f->key, "an array of strings");
                        pb_bytes(out, f->num, json_string(e), json_string_len(e));
                }
                return 0;
        case K_ANY:
                pb_any(out, f->num, v);
                return 0;
        case K_ANYS:
                if (!json_is_array(v))
                        return wrong_type(err, t, f->key, "an array");
                for (size_t i = 0; i < json_array_len(v); i++)
                        pb_any(out, f->num, json_array_get(v, i));
                return 0;
        case K_MSG:
                return pb_sub(out, f->num, f->type, v, err);
        case K_MSGS:
                if (!json_is_array(v))
                        return wrong_type(err, t, f->key, "an array");
                for (size_t i = 0; i < json_array_len(v); i++) {
                        int r = pb_sub(out, f->num, f->type, json_array_get(v, i), err);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        return tm_error_set(err, -EINVAL, "openapi v2 protobuf: bad field kind");
}

static int encode_message(strbuf *out, const pb_type *t, const json *v, tm_error **err) {
        if (!json_is_object(v))
                return tm_error_set(err, -EINVAL, "openapi v2 protobuf: %s is not an object",
                                    t->name);
        for (size_t i = 0; i < json_object_len(v); i++) {
                const char *key = json_object_key_at(v, i);
                const json *val = json_object_value_at(v, i);
                if (t->vendor && startswith(key, "x-")) {
                        pb_vendor(out, t->vendor, key, val);
                        continue;
                }
                const pb_field *f = NULL;
                for (size_t j = 0; j < t->nfields && !f; j++)
                        if (streq(t->fields[j].key, key))
                                f = &t->fields[j];
                if (!f)
                        return tm_error_set(err, -EINVAL,
                                            "openapi v2 protobuf: %s has no field for \"%s\"",
                                            t->name, key);
                int r = encode_field(out, t, f, val, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* A JSON object as repeated Named<X> { string name = 1; X value = 2; }. */
static int encode_map(strbuf *out, const pb_type *t, const json *v, tm_error **err) {
        if (!json_is_object(v))
                return tm_error_set(err, -EINVAL, "openapi v2 protobuf: %s is not an object",
                                    t->name);
        for (size_t i = 0; i < json_object_len(v); i++) {
                const char *key = json_object_key_at(v, i);
                const json *val = json_object_value_at(v, i);
                if (t->vendor && startswith(key, "x-")) {
                        pb_vendor(out, t->vendor, key, val);
                        continue;
                }
                _cleanup_strbuf_ strbuf e = STRBUF_INIT;
                pb_str(&e, 1, key);
                int r = pb_sub(&e, 2, t->elem, val, err);
                if (r < 0)
                        return r;
                pb_bytes(out, t->entry, e.data, e.len);
        }
        return 0;
}

/* TypeItem { repeated string value = 1; }: "type" is a string or a list. */
static int encode_type_item(strbuf *out, const pb_type *t, const json *v, tm_error **err) {
        static const pb_field value = { "type", 1, K_STRINGS, NULL };
        if (json_is_string(v)) {
                pb_bytes(out, 1, json_string(v), json_string_len(v));
                return 0;
        }
        return encode_field(out, t, &value, v, err);
}

static int encode_string_array(strbuf *out, const pb_type *t, const json *v, tm_error **err) {
        static const pb_field value = { "value", 1, K_STRINGS, NULL };
        return encode_field(out, t, &value, v, err);
}

/* ItemsItem { repeated Schema schema = 1; }: one schema or a list. */
static int encode_items_item(strbuf *out, const pb_type *t, const json *v, tm_error **err) {
        if (json_is_object(v))
                return pb_sub(out, 1, &Schema, v, err);
        static const pb_field schemas = { "items", 1, K_MSGS, &Schema };
        return encode_field(out, t, &schemas, v, err);
}

/* AdditionalPropertiesItem { oneof { Schema schema = 1; bool boolean = 2; } } */
static int encode_additional(strbuf *out, const pb_type *t, const json *v, tm_error **err) {
        if (json_is_bool(v)) {
                /* A oneof member is sent even when false. */
                pb_tag(out, 2, WT_VARINT);
                pb_varint(out, json_bool(v));
                return 0;
        }
        return pb_sub(out, 1, &Schema, v, err);
}

/* JsonReference { string _ref = 1; string description = 2; } */
static int pb_json_reference(strbuf *out, uint32_t num, const json *v, tm_error **err) {
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        const char *ref = json_object_get_string(v, "$ref");
        const char *desc = json_object_get_string(v, "description");
        if (!ref)
                return tm_error_set(err, -EINVAL, "openapi v2 protobuf: $ref is not a string");
        pb_str(&b, 1, ref);
        if (desc && *desc)
                pb_str(&b, 2, desc);
        pb_bytes(out, num, b.data, b.len);
        return 0;
}

/* ParametersItem { oneof { Parameter parameter = 1; JsonReference json_reference = 2; } } */
static int encode_parameters_item(strbuf *out, const pb_type *t, const json *v, tm_error **err) {
        if (json_is_object(v) && json_object_get(v, "$ref"))
                return pb_json_reference(out, 2, v, err);
        return pb_sub(out, 1, &Parameter, v, err);
}

/* Parameter { oneof { BodyParameter body_parameter = 1; NonBodyParameter
 * non_body_parameter = 2; } }, NonBodyParameter { oneof { header = 1;
 * formData = 2; query = 3; path = 4; } } */
static int encode_parameter(strbuf *out, const pb_type *t, const json *v, tm_error **err) {
        const char *in = json_is_object(v) ? json_object_get_string(v, "in") : NULL;
        if (!in)
                return tm_error_set(err, -EINVAL, "openapi v2 protobuf: a parameter has no \"in\"");
        if (streq(in, "body"))
                return pb_sub(out, 1, &BodyParameter, v, err);
        const pb_type *sub;
        uint32_t num;
        if (streq(in, "header"))
                sub = &HeaderParameterSubSchema, num = 1;
        else if (streq(in, "formData"))
                sub = &FormDataParameterSubSchema, num = 2;
        else if (streq(in, "query"))
                sub = &QueryParameterSubSchema, num = 3;
        else if (streq(in, "path"))
                sub = &PathParameterSubSchema, num = 4;
        else
                return tm_error_set(err, -EINVAL, "openapi v2 protobuf: parameter in \"%s\"", in);
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        int r = pb_sub(&b, num, sub, v, err);
        if (r < 0)
                return r;
        pb_bytes(out, 2, b.data, b.len);
        return 0;
}

/* ResponseValue { oneof { Response response = 1; JsonReference json_reference = 2; } } */
static int encode_response_value(strbuf *out, const pb_type *t, const json *v, tm_error **err) {
        if (json_is_object(v) && json_object_get(v, "$ref"))
                return pb_json_reference(out, 2, v, err);
        return pb_sub(out, 1, &Response, v, err);
}

/* SchemaItem { oneof { Schema schema = 1; FileSchema file_schema = 2; } }:
 * file schemas never occur in the API's documents. */
static int encode_schema_item(strbuf *out, const pb_type *t, const json *v, tm_error **err) {
        const char *type = json_is_object(v) ? json_object_get_string(v, "type") : NULL;
        if (type && streq(type, "file"))
                return tm_error_set(err, -EINVAL, "openapi v2 protobuf: file schemas unsupported");
        return pb_sub(out, 1, &Schema, v, err);
}

/* SecurityDefinitionsItem { oneof { basic = 1; apiKey = 2; oauth2 ... } } */
static int encode_security_item(strbuf *out, const pb_type *t, const json *v, tm_error **err) {
        const char *type = json_is_object(v) ? json_object_get_string(v, "type") : NULL;
        if (type && streq(type, "apiKey"))
                return pb_sub(out, 2, &ApiKeySecurity, v, err);
        if (type && streq(type, "basic"))
                return pb_sub(out, 1, &BasicAuthenticationSecurity, v, err);
        return tm_error_set(err, -EINVAL, "openapi v2 protobuf: security definition of type %s",
                            type ? type : "(none)");
}

int openapi_v2_to_protobuf(const json *doc, char **ret, size_t *ret_len, tm_error **err) {
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        int r = Document.encode(&b, &Document, doc, err);
        if (r < 0)
                return r;
        *ret = strbuf_take(&b, ret_len);
        return 0;
}
