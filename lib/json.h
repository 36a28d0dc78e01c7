/* SPDX-License-Identifier: Apache-2.0 */
/* A JSON object tree, parsed and generated with yajl.
 *
 * Objects keep their keys in insertion order (the order of the document when
 * parsed). Integers without a fraction or exponent that fit in int64 are kept
 * exactly as JSON_INT; other numbers are JSON_DOUBLE. Every node has exactly
 * one owner: functions that "take" a value take ownership of it.
 *
 * Parsing is bounded (json_limits): total size, nesting depth, string
 * length, and the error names the byte offset (line and column) of the
 * problem.
 *
 * A parsed tree lives in one arena owned by its root (cheap to build and to
 * free). Everything below works the same on it, with one visible difference:
 * json_array_take() and json_object_take() on a node of a parsed tree hand
 * back a deep copy (the node itself stays in the arena). A tree that is not
 * being changed may be read from several threads at once. */
#ifndef TIMONIER_JSON_H
#define TIMONIER_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cleanup.h"
#include "tmerror.h"

typedef enum json_type {
        JSON_NULL,
        JSON_BOOL,
        JSON_INT,
        JSON_DOUBLE,
        JSON_STRING,
        JSON_ARRAY,
        JSON_OBJECT,
        _JSON_TYPE_MAX,
        _JSON_TYPE_INVALID = -1,
} json_type;

typedef struct json json;

typedef struct json_limits {
        size_t max_size;    /* bytes of input; 0: no bound */
        unsigned max_depth; /* nesting of arrays/objects; 0: no bound */
        size_t max_string;  /* bytes of one string or key; 0: no bound */
} json_limits;

/* 3 MiB, depth 100, 1 MiB strings: what the API server accepts. */
extern const json_limits json_default_limits;

/* Constructors. Strings are copied. Never NULL (abort on OOM). */
json *json_new_null(void);
json *json_new_bool(bool b);
json *json_new_int(int64_t i);
json *json_new_double(double d);
json *json_new_string(const char *s);
json *json_new_stringn(const char *s, size_t n); /* may contain NUL */
json *json_new_string_take(char *s);             /* takes a malloc'd string */
json *json_new_array(void);
json *json_new_object(void);

void json_free(json *v);
DEFINE_CLEANUP_FUNC(json, json_free)
#define _cleanup_json_ _cleanup_(json_freep)

json_type json_get_type(const json *v); /* _JSON_TYPE_INVALID for NULL */
const char *json_type_name(
        json_type t); /* "null", "boolean", "integer", "number", "string", "array", "object" */
static inline bool json_is_null(const json *v) {
        return json_get_type(v) == JSON_NULL;
}
static inline bool json_is_bool(const json *v) {
        return json_get_type(v) == JSON_BOOL;
}
static inline bool json_is_int(const json *v) {
        return json_get_type(v) == JSON_INT;
}
static inline bool json_is_number(const json *v) {
        return json_get_type(v) == JSON_INT || json_get_type(v) == JSON_DOUBLE;
}
static inline bool json_is_string(const json *v) {
        return json_get_type(v) == JSON_STRING;
}
static inline bool json_is_array(const json *v) {
        return json_get_type(v) == JSON_ARRAY;
}
static inline bool json_is_object(const json *v) {
        return json_get_type(v) == JSON_OBJECT;
}

/* Scalar accessors; on the wrong type they return false / 0 / NULL. */
bool json_bool(const json *v);
int64_t json_int(const json *v);   /* a JSON_DOUBLE is truncated */
double json_double(const json *v); /* a JSON_INT is converted */
const char *json_string(const json *v);
size_t json_string_len(const json *v);

/* Replace a node's value in place (keeps its position in its parent). */
void json_set_string(json *v, const char *s);
void json_set_int(json *v, int64_t i);
void json_set_double(json *v, double d);
void json_set_bool(json *v, bool b);
void json_set_null(json *v);

/* Arrays. Indexes out of range return NULL / -ERANGE; a node that is not an
 * array gives NULL / -EINVAL. Functions taking a value free it when they
 * fail (or when the container is of the wrong type), so it never leaks. */
size_t json_array_len(const json *a);
json *json_array_get(const json *a, size_t i);
void json_array_append(json *a, json *take);
int json_array_insert(json *a, size_t i, json *take); /* i <= len */
int json_array_set(json *a, size_t i, json *take);    /* frees the old one */
json *json_array_take(json *a, size_t i);             /* removes, returns it */
int json_array_remove(json *a, size_t i);             /* removes, frees it */

/* Objects. Keys are unique: setting an existing key replaces its value in
 * its position; a new key is appended. */
size_t json_object_len(const json *o);
const char *json_object_key_at(const json *o, size_t i);
json *json_object_value_at(const json *o, size_t i);
json *json_object_get(const json *o, const char *key);
void json_object_set(json *o, const char *key, json *take);
json *json_object_take(json *o, const char *key); /* NULL if absent */
bool json_object_remove(json *o, const char *key);
/* The object at key, created (and replacing a non-object) if needed. */
json *json_object_ensure_object(json *o, const char *key);

/* Typed getters on an object member: NULL/false/default if absent or of
 * another type. */
const char *json_object_get_string(const json *o, const char *key);
int64_t json_object_get_int(const json *o, const char *key, int64_t dflt);
bool json_object_get_bool(const json *o, const char *key, bool dflt);
/* Convenience setters, copying the string. */
void json_object_set_string(json *o, const char *key, const char *s);
void json_object_set_int(json *o, const char *key, int64_t i);
void json_object_set_bool(json *o, const char *key, bool b);

/* Walk object members by key: json_get(pod, "metadata", "name", NULL).
 * NULL if any step is missing or not an object. */
json *json_get(const json *root, ...) __attribute__((sentinel));
const char *json_get_str(const json *root, ...) __attribute__((sentinel));

json *json_copy(const json *v);
/* Deep equality. Object member order does not matter; 1 and 1.0 differ
 * (JSON_INT vs JSON_DOUBLE) unless numerically equal doubles. */
bool json_equal(const json *a, const json *b);

/* Parse exactly one JSON value (trailing whitespace allowed, nothing else).
 * limits may be NULL for json_default_limits. Duplicate keys in an object:
 * the last wins, and *ret_duplicates (if non-NULL) receives a newly
 * allocated array of the duplicated field paths ("spec.containers[0].name"),
 * for fieldValidation=Strict|Warn: a NULL-terminated strv (at most 64 paths,
 * each once), or NULL when there were none.
 *
 * Errors: -E2BIG for a limit exceeded (the message names it: max_size,
 * max_depth, max_string), -ERANGE for a number out of range of a double,
 * -EINVAL for malformed JSON (including invalid UTF-8). Messages read
 * "invalid JSON at line L, column C: ...", columns counted in characters. */
int json_parse(const char *buf, size_t len, const json_limits *limits, json **ret, tm_error **err);
int json_parse_ex(const char *buf, size_t len, const json_limits *limits, json **ret,
                  char ***ret_duplicates, tm_error **err);

enum {
        JSON_PRETTY = 1 << 0,    /* indented, for humans */
        JSON_SORT_KEYS = 1 << 1, /* object keys sorted (stable output) */
};

/* Serialize compactly (no spaces) unless flags say otherwise (JSON_PRETTY
 * indents by 4 spaces, like kubectl). The result is malloc'd and
 * NUL-terminated; *ret_len (if non-NULL) gets its length. Strings are UTF-8
 * passed through, control characters escaped, invalid UTF-8 (only possible
 * in strings built by code) replaced by U+FFFD. Doubles are written in the
 * shortest form that reads back as the same value, always with a '.' or an
 * exponent so they stay doubles; NaN and infinities (never produced by the
 * parser) are written as null. */
char *json_serialize(const json *v, unsigned flags, size_t *ret_len);

/* A double as json_serialize() writes it, NUL-terminated; returns the
 * length. */
size_t json_format_double(double d, char buf[static 32]);

#endif
