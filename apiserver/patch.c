/* SPDX-License-Identifier: Apache-2.0 */
/* JSON patch, JSON merge patch and strategic merge patch (doc/patch.md).
 *
 * Each function works on a private copy of the document and hands it back
 * only when every step succeeded, so a failed patch changes nothing. The
 * strategic merge follows the behaviour of upstream's
 * k8s.io/apimachinery/pkg/util/strategicpatch (mergeMap, mergeSlice and the
 * ordering rules), with the schema tables in place of Go struct tags. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apiserver/patch.h"
#include "strbuf.h"

/* --- helpers ---------------------------------------------------------------- */

/* Compact JSON of a value for messages, cut at 200 bytes. */
static char *short_json(const json *v) {
        size_t len;
        char *s = json_serialize(v, 0, &len);
        if (len > 200) {
                s[197] = s[198] = s[199] = '.';
                s[200] = '\0';
        }
        return s;
}

/* Numbers compare by value (RFC 6902 "test"), everything else exactly. */
static bool value_equal(const json *a, const json *b) {
        json_type ta = json_get_type(a), tb = json_get_type(b);
        if (json_is_number(a) && json_is_number(b)) {
                if (ta == JSON_INT && tb == JSON_INT)
                        return json_int(a) == json_int(b);
                return json_double(a) == json_double(b);
        }
        if (ta != tb)
                return false;
        switch (ta) {
        case JSON_ARRAY:
                if (json_array_len(a) != json_array_len(b))
                        return false;
                for (size_t i = 0; i < json_array_len(a); i++)
                        if (!value_equal(json_array_get(a, i), json_array_get(b, i)))
                                return false;
                return true;
        case JSON_OBJECT:
                if (json_object_len(a) != json_object_len(b))
                        return false;
                for (size_t i = 0; i < json_object_len(a); i++) {
                        const json *o = json_object_get(b, json_object_key_at(a, i));
                        if (!o || !value_equal(json_object_value_at(a, i), o))
                                return false;
                }
                return true;
        default:
                return json_equal(a, b);
        }
}

/* Nesting of containers in v (a scalar is 0), counted up to limit + 1. */
static unsigned json_depth(const json *v, unsigned limit) {
        size_t n;
        unsigned max = 0;
        if (json_is_array(v))
                n = json_array_len(v);
        else if (json_is_object(v))
                n = json_object_len(v);
        else
                return 0;
        if (limit == 0)
                return 1;
        for (size_t i = 0; i < n && max < limit; i++) {
                const json *c =
                        json_is_array(v) ? json_array_get(v, i) : json_object_value_at(v, i);
                unsigned d = json_depth(c, limit - 1);
                if (d > max)
                        max = d;
        }
        return max + 1;
}

/* The compact serialized size of v (strings without escapes), counted up to
 * a little more than limit: what upstream's copy limit measures. */
static size_t json_size(const json *v, size_t limit) {
        char buf[32];
        size_t s = 0;
        switch (json_get_type(v)) {
        case JSON_NULL:
                return 4;
        case JSON_BOOL:
                return json_bool(v) ? 4 : 5;
        case JSON_INT:
                return (size_t)snprintf(buf, sizeof buf, "%" PRId64, json_int(v));
        case JSON_DOUBLE:
                return json_format_double(json_double(v), buf);
        case JSON_STRING:
                return json_string_len(v) + 2;
        case JSON_ARRAY:
                s = 2;
                for (size_t i = 0; i < json_array_len(v) && s <= limit; i++)
                        s += json_size(json_array_get(v, i), limit - s) + 1;
                return s;
        case JSON_OBJECT:
                s = 2;
                for (size_t i = 0; i < json_object_len(v) && s <= limit; i++)
                        s += strlen(json_object_key_at(v, i)) + 4 +
                             json_size(json_object_value_at(v, i), limit - s);
                return s;
        default:
                return 0;
        }
}

/* --- JSON Pointer (RFC 6901) -------------------------------------------------- */

typedef struct pointer {
        char **tokens;
        size_t n;
} pointer;

static void pointer_done(pointer *p) {
        for (size_t i = 0; i < p->n; i++)
                free(p->tokens[i]);
        free(p->tokens);
        *p = (pointer){ NULL, 0 };
}

/* "" is the whole document; otherwise "/"-separated tokens, "~1" for "/"
 * and "~0" for "~". */
static int pointer_parse(const json *v, pointer *ret) {
        const char *s = json_string(v);
        if (!s || strlen(s) != json_string_len(v))
                return -EINVAL;
        if (*s && *s != '/')
                return -EINVAL;
        pointer p = { NULL, 0 };
        while (*s) {
                s++; /* the '/' */
                size_t len = strcspn(s, "/");
                char *tok = xmalloc(len + 1), *o = tok;
                for (size_t i = 0; i < len; i++) {
                        if (s[i] != '~') {
                                *o++ = s[i];
                                continue;
                        }
                        if (i + 1 < len && (s[i + 1] == '0' || s[i + 1] == '1')) {
                                *o++ = s[i + 1] == '0' ? '~' : '/';
                                i++;
                                continue;
                        }
                        free(tok);
                        pointer_done(&p);
                        return -EINVAL;
                }
                *o = '\0';
                p.tokens = xreallocarray(p.tokens, p.n + 1, sizeof *p.tokens);
                p.tokens[p.n++] = tok;
                s += len;
        }
        *ret = p;
        return 0;
}

/* An array index token: "0" or digits without a leading zero, below max.
 * -1 when the token is not an index. */
static int64_t pointer_index(const char *tok) {
        if (!*tok || (tok[0] == '0' && tok[1]) || strlen(tok) > 15)
                return -1;
        int64_t i = 0;
        for (const char *c = tok; *c; c++) {
                if (*c < '0' || *c > '9')
                        return -1;
                i = i * 10 + (*c - '0');
        }
        return i;
}

/* The container holding the last token of p, or NULL when a step is
 * missing. p->n must be at least 1. */
static json *pointer_parent(json *root, const pointer *p) {
        json *cur = root;
        for (size_t i = 0; i + 1 < p->n; i++) {
                if (json_is_object(cur))
                        cur = json_object_get(cur, p->tokens[i]);
                else if (json_is_array(cur)) {
                        int64_t idx = pointer_index(p->tokens[i]);
                        if (idx < 0 || (size_t)idx >= json_array_len(cur))
                                return NULL;
                        cur = json_array_get(cur, (size_t)idx);
                } else
                        return NULL;
        }
        return json_is_object(cur) || json_is_array(cur) ? cur : NULL;
}

/* --- JSON Patch (RFC 6902) ---------------------------------------------------- */

typedef struct jp_state {
        json *root;       /* the working copy */
        size_t copied;    /* bytes added by copy operations */
        const char *op;   /* for messages */
        const char *path; /* the "path" member, for messages */
} jp_state;

/* Look up p: *ret the value (NULL when missing). */
static int jp_get(jp_state *st, const pointer *p, const char *what, const char *text, json **ret,
                  tm_error **err) {
        if (p->n == 0) {
                *ret = st->root;
                return 0;
        }
        json *parent = pointer_parent(st->root, p);
        const char *key = p->tokens[p->n - 1];
        json *v = NULL;
        if (json_is_object(parent))
                v = json_object_get(parent, key);
        else if (json_is_array(parent)) {
                int64_t idx = pointer_index(key);
                if (idx < 0 || (size_t)idx >= json_array_len(parent))
                        return tm_error_set(err, -EDOM,
                                            "error in %s for %s: '%s': Unable to access invalid "
                                            "index: %s: invalid index referenced",
                                            st->op, what, text, key);
                v = json_array_get(parent, (size_t)idx);
        }
        if (!v)
                return tm_error_set(err, -ENOENT,
                                    "%s operation does not apply: doc is missing %s: \"%s\": "
                                    "missing value",
                                    st->op, what, text);
        *ret = v;
        return 0;
}

/* Insert (add) or overwrite (replace) at p, taking value. */
static int jp_put(jp_state *st, const pointer *p, json *take, bool replace, tm_error **err) {
        _cleanup_json_ json *value = take;
        if (p->n + json_depth(value, PATCH_MAX_DEPTH) > PATCH_MAX_DEPTH)
                return tm_error_set(err, -EDOM,
                                    "%s operation does not apply: the document would nest deeper "
                                    "than %d levels at \"%s\"",
                                    st->op, PATCH_MAX_DEPTH, st->path);
        if (p->n == 0) {
                json_free(st->root);
                st->root = TAKE_PTR(value);
                return 0;
        }
        json *parent = pointer_parent(st->root, p);
        const char *key = p->tokens[p->n - 1];
        if (json_is_object(parent)) {
                /* Upstream's replace adds a missing member too. */
                json_object_set(parent, key, TAKE_PTR(value));
                return 0;
        }
        if (!json_is_array(parent))
                return tm_error_set(err, -ENOENT,
                                    "%s operation does not apply: doc is missing path: \"%s\": "
                                    "missing value",
                                    st->op, st->path);
        size_t len = json_array_len(parent);
        if (!replace && streq(key, "-")) {
                json_array_append(parent, TAKE_PTR(value));
                return 0;
        }
        int64_t idx = pointer_index(key);
        if (idx < 0)
                return tm_error_set(err, -EDOM,
                                    "error in %s for path: '%s': value was not a proper array "
                                    "index: '%s'",
                                    st->op, st->path, key);
        if ((size_t)idx > len || (replace && (size_t)idx == len))
                return tm_error_set(err, -EDOM,
                                    "error in %s for path: '%s': Unable to access invalid index: "
                                    "%" PRId64 ": invalid index referenced",
                                    st->op, st->path, idx);
        if (replace)
                json_array_set(parent, (size_t)idx, TAKE_PTR(value));
        else
                json_array_insert(parent, (size_t)idx, TAKE_PTR(value));
        return 0;
}

/* Detach the value at p (remove, and the first half of move). */
static int jp_take(jp_state *st, const pointer *p, const char *what, const char *text, json **ret,
                   tm_error **err) {
        if (p->n == 0)
                return tm_error_set(err, -ENOENT,
                                    "%s operation does not apply: doc is missing %s: \"%s\": "
                                    "missing value",
                                    st->op, what, text);
        json *parent = pointer_parent(st->root, p);
        const char *key = p->tokens[p->n - 1];
        json *v = NULL;
        if (json_is_object(parent)) {
                v = json_object_take(parent, key);
                if (!v)
                        return tm_error_set(err, -ENOENT,
                                            "error in %s for %s: '%s': Unable to remove "
                                            "nonexistent key: %s: missing value",
                                            st->op, what, text, key);
        } else if (json_is_array(parent)) {
                int64_t idx = pointer_index(key);
                if (idx < 0 || (size_t)idx >= json_array_len(parent))
                        return tm_error_set(err, -EDOM,
                                            "error in %s for %s: '%s': Unable to access invalid "
                                            "index: %s: invalid index referenced",
                                            st->op, what, text, key);
                v = json_array_take(parent, (size_t)idx);
        } else
                return tm_error_set(err, -ENOENT,
                                    "%s operation does not apply: doc is missing %s: \"%s\": "
                                    "missing value",
                                    st->op, what, text);
        *ret = v;
        return 0;
}

static bool pointer_is_proper_prefix(const pointer *a, const pointer *b) {
        if (a->n >= b->n)
                return false;
        for (size_t i = 0; i < a->n; i++)
                if (!streq(a->tokens[i], b->tokens[i]))
                        return false;
        return true;
}

static bool pointer_equal(const pointer *a, const pointer *b) {
        if (a->n != b->n)
                return false;
        for (size_t i = 0; i < a->n; i++)
                if (!streq(a->tokens[i], b->tokens[i]))
                        return false;
        return true;
}

static int jp_apply_op(jp_state *st, const json *op, tm_error **err) {
        const char *name = json_object_get_string(op, "op");
        st->op = name ? name : "unknown";
        bool is_add = streq(st->op, "add"), is_remove = streq(st->op, "remove"),
             is_replace = streq(st->op, "replace"), is_move = streq(st->op, "move"),
             is_copy = streq(st->op, "copy"), is_test = streq(st->op, "test");
        if (!(is_add || is_remove || is_replace || is_move || is_copy || is_test))
                return tm_error_set(err, -EDOM, "Unexpected kind: %s", st->op);

        const json *pathv = json_object_get(op, "path");
        if (!json_is_string(pathv))
                return tm_error_set(err, -EDOM,
                                    "%s operation failed to decode path: operation missing path "
                                    "field: missing value",
                                    st->op);
        st->path = json_string(pathv);
        _cleanup_(pointer_done) pointer path = { NULL, 0 };
        if (pointer_parse(pathv, &path) < 0)
                return tm_error_set(err, -EDOM,
                                    "%s operation failed to decode path: \"%s\" is not a JSON "
                                    "pointer",
                                    st->op, st->path);

        const json *value = json_object_get(op, "value");
        if ((is_add || is_replace || is_test) && !value)
                return tm_error_set(err, -EDOM, "%s operation, missing value field: missing value",
                                    st->op);

        _cleanup_(pointer_done) pointer from = { NULL, 0 };
        const char *from_text = NULL;
        if (is_move || is_copy) {
                const json *fromv = json_object_get(op, "from");
                if (!json_is_string(fromv))
                        return tm_error_set(err, -EDOM,
                                            "%s operation failed to decode from: operation, "
                                            "missing from field: missing value",
                                            st->op);
                from_text = json_string(fromv);
                if (pointer_parse(fromv, &from) < 0)
                        return tm_error_set(err, -EDOM,
                                            "%s operation failed to decode from: \"%s\" is not a "
                                            "JSON pointer",
                                            st->op, from_text);
        }

        int r;
        json *v;
        if (is_add || is_replace) {
                if (is_replace) {
                        /* The target must exist, except an object member (upstream). */
                        if (path.n > 0 && !json_is_object(pointer_parent(st->root, &path))) {
                                r = jp_get(st, &path, "path", st->path, &v, err);
                                if (r < 0)
                                        return r;
                        }
                }
                return jp_put(st, &path, json_copy(value), is_replace, err);
        }
        if (is_remove) {
                r = jp_take(st, &path, "path", st->path, &v, err);
                if (r < 0)
                        return r;
                json_free(v);
                return 0;
        }
        if (is_test) {
                r = jp_get(st, &path, "path", st->path, &v, err);
                if (r < 0)
                        return r;
                if (!value_equal(v, value))
                        return tm_error_set(err, -EDOM, "testing value %s failed: test failed",
                                            st->path);
                return 0;
        }
        if (is_move) {
                if (pointer_equal(&from, &path)) {
                        /* A no-op, if from exists. */
                        return jp_get(st, &from, "from path", from_text, &v, err);
                }
                if (pointer_is_proper_prefix(&from, &path))
                        return tm_error_set(err, -EDOM,
                                            "move operation does not apply: from path \"%s\" is "
                                            "a prefix of path \"%s\"",
                                            from_text, st->path);
                r = jp_take(st, &from, "from path", from_text, &v, err);
                if (r < 0)
                        return r;
                return jp_put(st, &path, v, false, err);
        }
        /* copy */
        r = jp_get(st, &from, "from path", from_text, &v, err);
        if (r < 0)
                return r;
        size_t room = PATCH_MAX_COPY_BYTES - st->copied;
        size_t sz = json_size(v, room);
        if (sz > room)
                return tm_error_set(err, -EDOM,
                                    "Unable to complete the copy, the accumulated size increase "
                                    "of copy is %zu, exceeding the limit %d",
                                    st->copied + sz, PATCH_MAX_COPY_BYTES);
        st->copied += sz;
        return jp_put(st, &path, json_copy(v), false, err);
}

int patch_json(const json *doc, const json *patch, json **ret, tm_error **err) {
        if (!json_is_array(patch))
                return tm_error_set(err, -EINVAL,
                                    "a JSON patch must be an array of operations, not %s",
                                    json_is_object(patch) || json_is_array(patch)
                                            ? "an object"
                                            : json_type_name(json_get_type(patch)));
        for (size_t i = 0; i < json_array_len(patch); i++)
                if (!json_is_object(json_array_get(patch, i)))
                        return tm_error_set(
                                err, -EINVAL, "JSON patch operation %zu is not an object but %s", i,
                                json_type_name(json_get_type(json_array_get(patch, i))));
        jp_state st = { .root = json_copy(doc) };
        for (size_t i = 0; i < json_array_len(patch); i++) {
                int r = jp_apply_op(&st, json_array_get(patch, i), err);
                if (r < 0) {
                        json_free(st.root);
                        return r;
                }
        }
        *ret = st.root;
        return 0;
}

/* --- JSON Merge Patch (RFC 7386) ---------------------------------------------- */

/* A copy of v without the null members of its objects, at any depth (null
 * array elements stay): what evanphx/json-patch's pruneNulls keeps. */
static json *prune_copy(const json *v) {
        if (json_is_object(v)) {
                json *o = json_new_object();
                for (size_t i = 0; i < json_object_len(v); i++)
                        if (!json_is_null(json_object_value_at(v, i)))
                                json_object_set(o, json_object_key_at(v, i),
                                                prune_copy(json_object_value_at(v, i)));
                return o;
        }
        if (json_is_array(v)) {
                json *a = json_new_array();
                for (size_t i = 0; i < json_array_len(v); i++)
                        json_array_append(a, prune_copy(json_array_get(v, i)));
                return a;
        }
        return json_copy(v);
}

/* Merge the object patch into the object target, in place. `upstream`
 * also drops null members of objects inside arrays taken from the patch,
 * except where an array replaces an object, as kube-apiserver's merge
 * patch does. */
static void merge_into(json *target, const json *patch, bool upstream) {
        for (size_t i = 0; i < json_object_len(patch); i++) {
                const char *key = json_object_key_at(patch, i);
                const json *pv = json_object_value_at(patch, i);
                if (json_is_null(pv)) {
                        json_object_remove(target, key);
                        continue;
                }
                json *cur = json_object_get(target, key);
                if (json_is_object(pv)) {
                        if (!json_is_object(cur)) {
                                cur = json_new_object();
                                json_object_set(target, key, cur);
                        }
                        merge_into(cur, pv, upstream);
                } else if (upstream && json_is_array(pv) && !json_is_object(cur))
                        json_object_set(target, key, prune_copy(pv));
                else
                        json_object_set(target, key, json_copy(pv));
        }
}

static int merge_patch(const json *doc, const json *patch, bool upstream, json **ret) {
        if (!json_is_object(patch)) {
                *ret = upstream ? prune_copy(patch) : json_copy(patch);
                return 0;
        }
        json *target = json_is_object(doc) ? json_copy(doc) : json_new_object();
        merge_into(target, patch, upstream);
        *ret = target;
        return 0;
}

int patch_merge(const json *doc, const json *patch, json **ret, tm_error **err) {
        (void)err; /* a merge patch always applies */
        return merge_patch(doc, patch, false, ret);
}

/* --- strategic merge patch ---------------------------------------------------- */

#define DIRECTIVE_MARKER      "$patch"
#define RETAIN_KEYS_DIRECTIVE "$retainKeys"
#define SET_ELEMENT_ORDER     "$setElementOrder"
#define DELETE_FROM_PRIMITIVE "$deleteFromPrimitiveList"

/* Where the walk is in the schema: a struct type, a map's value, or
 * nothing known (merge-patch semantics). */
typedef struct smp_schema {
        const struct schema_type *type;
        const struct schema_value *map_elem;
} smp_schema;

typedef struct smp_meta {
        smp_schema sub; /* of the value; for a list, of its elements */
        bool merge;     /* patchStrategy merge */
        bool replace;   /* patchStrategy replace */
        const char *merge_key;
} smp_meta;

static smp_schema smp_schema_of(const struct schema_value *v) {
        while (v && v->type == SCHEMA_ARRAY)
                v = v->elem;
        if (v && v->type == SCHEMA_REF)
                return (smp_schema){ .type = v->ref };
        if (v && v->type == SCHEMA_MAP)
                return (smp_schema){ .map_elem = v->elem };
        return (smp_schema){ NULL, NULL };
}

static smp_meta smp_lookup(smp_schema s, const char *key) {
        smp_meta m = { { NULL, NULL }, false, false, NULL };
        if (s.type) {
                const struct schema_field *f = schema_field_lookup(s.type, key);
                if (f) {
                        m.sub = smp_schema_of(&f->value);
                        m.merge = f->patch_strategy & SCHEMA_PATCH_MERGE;
                        m.replace = !m.merge && (f->patch_strategy & SCHEMA_PATCH_REPLACE);
                        m.merge_key = f->patch_merge_key && *f->patch_merge_key ? f->patch_merge_key
                                                                                : NULL;
                }
        } else if (s.map_elem)
                m.sub = smp_schema_of(s.map_elem);
        return m;
}

static const char *smp_schema_name(smp_schema s) {
        return s.type ? s.type->name : "(unknown type)";
}

static bool is_directive_key(const char *k) {
        return streq(k, RETAIN_KEYS_DIRECTIVE) || startswith(k, SET_ELEMENT_ORDER) ||
               startswith(k, DELETE_FROM_PRIMITIVE);
}

static json *smp_clean(const json *v);

/* A copy of the members of a patch object, without null members and
 * directives (upstream's typed decode drops both). */
static json *smp_clean_members(const json *o) {
        json *c = json_new_object();
        for (size_t i = 0; i < json_object_len(o); i++) {
                const char *k = json_object_key_at(o, i);
                const json *v = json_object_value_at(o, i);
                if (json_is_null(v) || streq(k, DIRECTIVE_MARKER) || is_directive_key(k))
                        continue;
                json *cv = smp_clean(v);
                if (cv)
                        json_object_set(c, k, cv);
        }
        return c;
}

/* A patch value taken as is: NULL for a map carrying $patch, which upstream
 * drops (removeDirectives). */
static json *smp_clean(const json *v) {
        if (json_is_object(v)) {
                if (json_object_get(v, DIRECTIVE_MARKER))
                        return NULL;
                return smp_clean_members(v);
        }
        if (json_is_array(v)) {
                json *a = json_new_array();
                for (size_t i = 0; i < json_array_len(v); i++) {
                        json *c = smp_clean(json_array_get(v, i));
                        if (c)
                                json_array_append(a, c);
                }
                return a;
        }
        return json_copy(v);
}

/* A growable vector of nodes; `own` ones are freed with it. */
typedef struct nvec {
        json **v;
        size_t n, cap;
        bool own;
} nvec;

static void nvec_push(nvec *a, json *x) {
        if (a->n == a->cap) {
                a->cap = a->cap ? a->cap * 2 : 8;
                a->v = xreallocarray(a->v, a->cap, sizeof *a->v);
        }
        a->v[a->n++] = x;
}

static void nvec_done(nvec *a) {
        if (a->own)
                for (size_t i = 0; i < a->n; i++)
                        json_free(a->v[i]);
        free(a->v);
        a->v = NULL;
        a->n = a->cap = 0;
}

/* Move the elements of array a into a new owned vector, leaving a empty. */
static nvec nvec_take_array(json *a) {
        nvec v = { NULL, 0, 0, true };
        size_t n = json_array_len(a);
        v.v = xreallocarray(NULL, n ? n : 1, sizeof *v.v);
        v.cap = n ? n : 1;
        for (size_t i = n; i > 0; i--)
                v.v[i - 1] = json_array_take(a, i - 1);
        v.n = n;
        return v;
}

/* What an element is known by: its merge key's value, or itself. */
static const json *smp_id(const json *item, const char *merge_key) {
        if (!merge_key)
                return item;
        return json_is_object(item) ? json_object_get(item, merge_key) : NULL;
}

/* A hash of a JSON value agreeing with json_equal(): member order does not
 * count, 0.0 and -0.0 are one value. */
static uint64_t json_hash(const json *v) {
        uint64_t h = 1469598103934665603ULL ^ (uint64_t)json_get_type(v);
#define MIX(x) (h = (h ^ (uint64_t)(x)) * 1099511628211ULL)
        switch (json_get_type(v)) {
        case JSON_BOOL:
                MIX(json_bool(v));
                break;
        case JSON_INT:
                MIX(json_int(v));
                MIX((uint64_t)json_int(v) >> 32);
                break;
        case JSON_DOUBLE: {
                double d = json_double(v);
                uint64_t bits = 0;
                if (d == d && d != 0)
                        memcpy(&bits, &d, sizeof bits);
                MIX(bits);
                MIX(bits >> 32);
                break;
        }
        case JSON_STRING: {
                const unsigned char *c = (const unsigned char *)json_string(v);
                for (size_t i = 0; i < json_string_len(v); i++)
                        MIX(c[i]);
                break;
        }
        case JSON_ARRAY:
                for (size_t i = 0; i < json_array_len(v); i++)
                        MIX(json_hash(json_array_get(v, i)));
                break;
        case JSON_OBJECT: {
                uint64_t sum = 0;
                for (size_t i = 0; i < json_object_len(v); i++) {
                        uint64_t k = 1469598103934665603ULL;
                        for (const char *c = json_object_key_at(v, i); *c; c++)
                                k = (k ^ (unsigned char)*c) * 1099511628211ULL;
                        sum += (k ^ json_hash(json_object_value_at(v, i))) * 0x9e3779b97f4a7c15ULL;
                }
                MIX(sum);
                MIX(sum >> 32);
                break;
        }
        default:
                break;
        }
#undef MIX
        /* Spread the high bits down: the table uses the low ones. */
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 33;
        return h;
}

/* Positions of the elements of a vector by what they are known by
 * (smp_id), the first of equal ones, so that matching lists is linear:
 * upstream scans, which makes a long list in a 3 MiB body take minutes. */
typedef struct idx_slot {
        size_t pos; /* position + 1; 0 is empty */
        uint64_t hash;
} idx_slot;

typedef struct idx {
        const nvec *vec;
        const char *merge_key;
        idx_slot *slot;
        size_t cap; /* a power of two */
        size_t used;
} idx;

static void idx_done(idx *x) {
        free(x->slot);
        x->slot = NULL;
}

static size_t idx_find(const idx *x, const json *id) {
        if (!id || !x->cap)
                return SIZE_MAX;
        uint64_t h = json_hash(id);
        for (size_t i = h & (x->cap - 1);; i = (i + 1) & (x->cap - 1)) {
                const idx_slot *s = &x->slot[i];
                if (!s->pos)
                        return SIZE_MAX;
                if (s->hash != h)
                        continue;
                const json *o = smp_id(x->vec->v[s->pos - 1], x->merge_key);
                if (o && json_equal(o, id))
                        return s->pos - 1;
        }
}

static void idx_place(idx *x, size_t pos, uint64_t h) {
        size_t i = h & (x->cap - 1);
        while (x->slot[i].pos)
                i = (i + 1) & (x->cap - 1);
        x->slot[i] = (idx_slot){ pos + 1, h };
        x->used++;
}

/* Index position pos of the vector (unless an equal one is there). */
static void idx_add(idx *x, size_t pos) {
        const json *id = smp_id(x->vec->v[pos], x->merge_key);
        if (!id || idx_find(x, id) != SIZE_MAX)
                return;
        if ((x->used + 1) * 2 > x->cap) {
                idx_slot *old = x->slot;
                size_t old_cap = x->cap;
                x->cap = x->cap ? x->cap * 2 : 16;
                x->slot = xcalloc(x->cap, sizeof *x->slot);
                x->used = 0;
                for (size_t i = 0; i < old_cap; i++)
                        if (old[i].pos)
                                idx_place(x, old[i].pos - 1, old[i].hash);
                free(old);
        }
        idx_place(x, pos, json_hash(id));
}

static void idx_init(idx *x, const nvec *vec, const char *merge_key) {
        *x = (idx){ .vec = vec, .merge_key = merge_key };
        for (size_t i = 0; i < vec->n; i++)
                idx_add(x, i);
}

/* Position of the first element known like item, or SIZE_MAX. */
static size_t idx_rank(const idx *x, const json *item) {
        return idx_find(x, smp_id(item, x->merge_key));
}

static int smp_no_merge_key(const json *m, const char *merge_key, tm_error **err) {
        _cleanup_free_ char *s = short_json(m);
        return tm_error_set(err, -EBADMSG, "map: %s does not contain declared merge key: %s", s,
                            merge_key ? merge_key : "");
}

static int smp_bad_arg(const char *expected, const json *actual, tm_error **err) {
        return tm_error_set(err, -EBADMSG, "expected a %s, but received a %s", expected,
                            json_type_name(json_get_type(actual)));
}

/* Every element a map with the merge key (upstream's validateMergeKeyInLists). */
static int smp_check_keys(json *const *v, size_t n, const char *merge_key, tm_error **err) {
        for (size_t i = 0; i < n; i++) {
                if (!json_is_object(v[i]))
                        return smp_bad_arg("map", v[i], err);
                if (!json_object_get(v[i], merge_key ? merge_key : ""))
                        return smp_no_merge_key(v[i], merge_key, err);
        }
        return 0;
}

typedef struct ranked {
        json *v;
        size_t rank, pos;
} ranked;

static int ranked_cmp(const void *a, const void *b) {
        const ranked *x = a, *y = b;
        if (x->rank != y->rank)
                return x->rank < y->rank ? -1 : 1;
        return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Sort items (stably) by their position in order; for maps, elements
 * carrying "$patch: delete" go last (upstream's normalizeSliceOrder). */
static int smp_sort_by(nvec *items, const idx *order, bool maps, tm_error **err) {
        if (maps) {
                int r = smp_check_keys(items->v, items->n, order->merge_key, err);
                if (r < 0)
                        return r;
                r = smp_check_keys(order->vec->v, order->vec->n, order->merge_key, err);
                if (r < 0)
                        return r;
        }
        if (items->n == 0)
                return 0;
        _cleanup_free_ ranked *rk = xreallocarray(NULL, items->n, sizeof *rk);
        for (size_t i = 0; i < items->n; i++) {
                const char *d = maps ? json_object_get_string(items->v[i], DIRECTIVE_MARKER) : NULL;
                rk[i] = (ranked){ items->v[i],
                                  d && streq(d, "delete") ? SIZE_MAX : idx_rank(order, items->v[i]),
                                  i };
        }
        qsort(rk, items->n, sizeof *rk, ranked_cmp);
        for (size_t i = 0; i < items->n; i++)
                items->v[i] = rk[i].v;
        return 0;
}

/* Interleave server-only items (left) into patch items (right), keeping
 * both orders, by the positions in the live list (mergeSortedSlice). */
static json *smp_interleave(nvec *left, nvec *right, const idx *server) {
        json *out = json_new_array();
        size_t i = 0, j = 0;
        while (i < left->n || j < right->n) {
                bool take_left;
                if (i >= left->n)
                        take_left = false;
                else if (j >= right->n)
                        take_left = true;
                else {
                        size_t li = idx_rank(server, left->v[i]);
                        size_t ri = idx_rank(server, right->v[j]);
                        take_left = li != SIZE_MAX && ri != SIZE_MAX && li < ri;
                }
                json **from = take_left ? &left->v[i++] : &right->v[j++];
                json_array_append(out, *from);
                *from = NULL;
        }
        left->n = right->n = 0;
        return out;
}

/* Split owned merged into those known in `by` and the others. */
static int smp_partition(nvec *merged, const idx *by, nvec *ret_in, nvec *ret_out, tm_error **err) {
        const char *merge_key = by->merge_key;
        if (merge_key)
                for (size_t k = 0; k < by->vec->n; k++)
                        if (!json_is_object(by->vec->v[k]))
                                return tm_error_set(err, -EBADMSG, "value for key %zu is not a map",
                                                    k);
        for (size_t i = 0; i < merged->n; i++) {
                json *x = merged->v[i];
                if (merge_key) {
                        if (!json_is_object(x))
                                return smp_bad_arg("map", x, err);
                        if (!json_object_get(x, merge_key))
                                return smp_no_merge_key(x, merge_key, err);
                }
                if (idx_rank(by, x) != SIZE_MAX)
                        nvec_push(ret_in, x);
                else
                        nvec_push(ret_out, x);
                merged->v[i] = NULL; /* moved */
        }
        merged->n = 0;
        return 0;
}

/* Order the merged list: patch items in `patch_order`, server-only items
 * in the live order, interleaved (normalizeElementOrder). Consumes merged. */
static int smp_order(nvec *merged, json *const *patch_order, size_t n_patch_order,
                     json *const *server_order, size_t n_server_order, const char *merge_key,
                     bool maps, json **ret, tm_error **err) {
        _cleanup_(nvec_done) nvec in = { NULL, 0, 0, true }, out = { NULL, 0, 0, true };
        const nvec pv = { (json **)patch_order, n_patch_order, n_patch_order, false };
        const nvec sv = { (json **)server_order, n_server_order, n_server_order, false };
        _cleanup_(idx_done) idx pi, si;
        idx_init(&pi, &pv, merge_key);
        idx_init(&si, &sv, merge_key);
        int r = smp_partition(merged, &pi, &in, &out, err);
        if (r < 0)
                return r;
        r = smp_sort_by(&in, &pi, maps, err);
        if (r < 0)
                return r;
        r = smp_sort_by(&out, &si, maps, err);
        if (r < 0)
                return r;
        *ret = smp_interleave(&out, &in, &si);
        return 0;
}

/* The common type of the elements of two lists (sliceElementType). */
static int smp_element_type(json *const *a, size_t na, const json *b, json_type *ret,
                            tm_error **err) {
        json_type t = _JSON_TYPE_INVALID;
        size_t nb = json_array_len(b);
        for (size_t i = 0; i < na + nb; i++) {
                const json *x = i < na ? a[i] : json_array_get(b, i - na);
                json_type xt = json_get_type(x);
                if (t == _JSON_TYPE_INVALID) {
                        if (xt == JSON_ARRAY)
                                return tm_error_set(err, -EDOM, "lists of lists are not supported");
                        t = xt;
                } else if (xt != t)
                        return tm_error_set(err, -EBADMSG,
                                            "list element types are not identical: %s and %s",
                                            json_type_name(t), json_type_name(xt));
        }
        if (t == _JSON_TYPE_INVALID)
                return tm_error_set(err, -EBADMSG, "no elements in any of the given slices");
        *ret = t;
        return 0;
}

static int smp_merge_map(json *orig, const json *patch, smp_schema s, json **ret_replace,
                         tm_error **err);

/* Merge the list patch into the owned elements orig (mergeSlice). */
static int smp_merge_slice(nvec *orig, const json *patch, smp_schema elem, const char *merge_key,
                           bool delete_list, json **ret, tm_error **err) {
        size_t np = json_array_len(patch);
        if (orig->n == 0 && np == 0) {
                *ret = json_new_array();
                return 0;
        }
        json_type t;
        int r = smp_element_type(orig->v, orig->n, patch, &t, err);
        if (r < 0)
                return r;

        if (t != JSON_OBJECT) {
                _cleanup_(nvec_done) nvec merged = { NULL, 0, 0, true };
                _cleanup_(nvec_done) nvec pv = { NULL, 0, 0, false };
                for (size_t i = 0; i < np; i++)
                        nvec_push(&pv, json_array_get(patch, i));
                if (delete_list) {
                        _cleanup_(idx_done) idx gone;
                        idx_init(&gone, &pv, NULL);
                        json *out = json_new_array();
                        for (size_t i = 0; i < orig->n; i++) {
                                if (idx_rank(&gone, orig->v[i]) != SIZE_MAX)
                                        json_free(orig->v[i]);
                                else
                                        json_array_append(out, orig->v[i]);
                        }
                        orig->n = 0;
                        *ret = out;
                        return 0;
                }
                /* The union, each value once. */
                _cleanup_(idx_done) idx seen = { .vec = &merged };
                for (size_t i = 0; i < orig->n + np; i++) {
                        const json *x =
                                i < orig->n ? orig->v[i] : json_array_get(patch, i - orig->n);
                        if (idx_rank(&seen, x) != SIZE_MAX)
                                continue;
                        nvec_push(&merged, json_copy(x));
                        idx_add(&seen, merged.n - 1);
                }
                return smp_order(&merged, pv.v, pv.n, orig->v, orig->n, NULL, false, ret, err);
        }

        if (!merge_key)
                return tm_error_set(err, -EBADMSG, "cannot merge lists without merge key for %s",
                                    smp_schema_name(elem));

        /* Elements with $patch: delete drop their matches, replace drops
         * everything not in the patch. */
        _cleanup_(nvec_done) nvec plain = { NULL, 0, 0, false }, dels = { NULL, 0, 0, false };
        bool replace = false;
        for (size_t i = 0; i < np; i++) {
                json *p = json_array_get(patch, i);
                const json *d = json_object_get(p, DIRECTIVE_MARKER);
                if (!d) {
                        nvec_push(&plain, p);
                        continue;
                }
                const char *ds = json_string(d);
                if (ds && streq(ds, "delete")) {
                        if (!json_object_get(p, merge_key))
                                return smp_no_merge_key(p, merge_key, err);
                        nvec_push(&dels, p);
                } else if (ds && streq(ds, "replace"))
                        replace = true;
                else if (ds && streq(ds, "merge"))
                        return tm_error_set(err, -EBADMSG,
                                            "merging lists cannot yet be specified in the patch");
                else {
                        _cleanup_free_ char *ps = short_json(d), *ms = short_json(p);
                        return tm_error_set(err, -EBADMSG, "unknown patch type: %s in map: %s", ps,
                                            ms);
                }
        }
        if (dels.n > 0) {
                _cleanup_(idx_done) idx gone;
                idx_init(&gone, &dels, merge_key);
                size_t w = 0;
                for (size_t k = 0; k < orig->n; k++) {
                        if (idx_rank(&gone, orig->v[k]) != SIZE_MAX)
                                json_free(orig->v[k]);
                        else
                                orig->v[w++] = orig->v[k];
                }
                orig->n = w;
        }
        if (replace) {
                for (size_t k = 0; k < orig->n; k++)
                        json_free(orig->v[k]);
                orig->n = 0;
                for (size_t k = 0; k < plain.n; k++) {
                        json *c = smp_clean(plain.v[k]);
                        if (c)
                                nvec_push(orig, c);
                }
                plain.n = 0;
        }

        /* The live order, known by merge key, before anything is merged. */
        _cleanup_(nvec_done) nvec server = { NULL, 0, 0, true };
        for (size_t k = 0; k < orig->n; k++) {
                const json *id = smp_id(orig->v[k], merge_key);
                if (!id)
                        return smp_no_merge_key(orig->v[k], merge_key, err);
                json *o = json_new_object();
                json_object_set(o, merge_key, json_copy(id));
                nvec_push(&server, o);
        }

        /* Later patch elements with the key of a new one merge into it. */
        _cleanup_(idx_done) idx live;
        idx_init(&live, orig, merge_key);
        for (size_t i = 0; i < plain.n; i++) {
                const json *p = plain.v[i];
                const json *mv = json_object_get(p, merge_key);
                if (!mv)
                        return smp_no_merge_key(p, merge_key, err);
                size_t k = idx_find(&live, mv);
                if (k != SIZE_MAX) {
                        json *rep = NULL;
                        r = smp_merge_map(orig->v[k], p, elem, &rep, err);
                        if (r < 0)
                                return r;
                        if (rep) {
                                json_free(orig->v[k]);
                                orig->v[k] = rep;
                        }
                } else {
                        json *c = smp_clean(p);
                        if (c) {
                                nvec_push(orig, c);
                                idx_add(&live, orig->n - 1);
                        }
                }
        }
        return smp_order(orig, plain.v, plain.n, server.v, server.n, merge_key, true, ret, err);
}

/* A list field: merged (strategy merge, or a deletion list) or replaced
 * (mergeSliceHandler). Consumes the elements of orig_list. */
static int smp_merge_list(json *orig_list, const json *patch_list, const smp_meta *m,
                          bool delete_list, json **ret, tm_error **err) {
        if (!m->merge && !delete_list) {
                *ret = smp_clean(patch_list);
                return 0;
        }
        _cleanup_(nvec_done) nvec orig = nvec_take_array(orig_list);
        return smp_merge_slice(&orig, patch_list, m->sub, m->merge_key, delete_list, ret, err);
}

/* Upstream's extractKey: "<prefix>/<field>". */
static int smp_directive_field(const char *key, const char *prefix, const char **ret,
                               tm_error **err) {
        size_t n = strlen(prefix);
        if (strncmp(key, prefix, n) != 0 || key[n] != '/')
                return tm_error_set(err, -EINVAL, "invalid patch format of %s",
                                    streq(prefix, SET_ELEMENT_ORDER) ? "setElementOrder list"
                                                                     : "primitive list");
        *ret = key + n + 1;
        return 0;
}

static bool smp_retained(const idx *keys, const char *k) {
        _cleanup_json_ json *id = json_new_string(k);
        return idx_find(keys, id) != SIZE_MAX;
}

static int smp_retain_keys(json *orig, const json *patch, tm_error **err) {
        const json *rk = json_object_get(patch, RETAIN_KEYS_DIRECTIVE);
        if (!rk)
                return 0;
        if (!json_is_array(rk))
                return tm_error_set(err, -EINVAL, "invalid patch format of retainKeys");
        _cleanup_(nvec_done) nvec names = { NULL, 0, 0, false };
        for (size_t j = 0; j < json_array_len(rk); j++)
                nvec_push(&names, json_array_get(rk, j));
        _cleanup_(idx_done) idx keys;
        idx_init(&keys, &names, NULL);
        for (size_t i = 0; i < json_object_len(patch); i++) {
                const char *k = json_object_key_at(patch, i);
                if (json_is_null(json_object_value_at(patch, i)) ||
                    streq(k, RETAIN_KEYS_DIRECTIVE) || startswith(k, DELETE_FROM_PRIMITIVE) ||
                    startswith(k, SET_ELEMENT_ORDER))
                        continue;
                if (!smp_retained(&keys, k))
                        return tm_error_set(err, -EINVAL,
                                            "invalid patch format of retainKeys: \"%s\" is not "
                                            "in the $retainKeys list",
                                            k);
        }
        for (size_t i = json_object_len(orig); i > 0; i--) {
                const char *k = json_object_key_at(orig, i - 1);
                if (!smp_retained(&keys, k))
                        json_object_remove(orig, k);
        }
        return 0;
}

/* Upstream's validatePatchWithSetOrderList. */
static int smp_check_order(const json *patch_list, const json *order, const char *merge_key,
                           tm_error **err) {
        size_t np = json_array_len(patch_list), no = json_array_len(order);
        if (np == 0 || no == 0)
                return 0;
        _cleanup_(nvec_done) nvec items = { NULL, 0, 0, false };
        for (size_t i = 0; i < np; i++) {
                json *p = json_array_get(patch_list, i);
                if (merge_key) {
                        if (!json_is_object(p))
                                return smp_bad_arg("map", p, err);
                        const char *d = json_object_get_string(p, DIRECTIVE_MARKER);
                        if (d && streq(d, "delete"))
                                continue;
                }
                nvec_push(&items, p);
        }
        size_t pi = 0, oi = 0;
        while (pi < items.n && oi < no) {
                const json *p = items.v[pi], *o = json_array_get(order, oi);
                if (json_is_object(p) && json_object_get(p, DIRECTIVE_MARKER)) {
                        pi++;
                        continue;
                }
                bool same;
                if (merge_key) {
                        if (!json_is_object(o))
                                return smp_bad_arg("map", o, err);
                        const json *a = json_object_get(p, merge_key),
                                   *b = json_object_get(o, merge_key);
                        if (!a)
                                return smp_no_merge_key(p, merge_key, err);
                        if (!b)
                                return smp_no_merge_key(o, merge_key, err);
                        same = json_equal(a, b);
                } else
                        same = json_equal(p, o);
                if (same)
                        pi++;
                oi++;
        }
        if (pi < items.n && oi >= no) {
                _cleanup_free_ char *ps = short_json(patch_list), *os = short_json(order);
                return tm_error_set(err, -EBADMSG,
                                    "The order in patch list:\n%s\n doesn't match %s list:\n%s\n",
                                    ps, SET_ELEMENT_ORDER, os);
        }
        return 0;
}

/* One $setElementOrder/<field> directive (mergePatchIntoOriginal): merge the
 * field's list if the patch has one, then order it. *ret_consumed says the
 * patch's list was handled here. */
static int smp_set_element_order(json *orig, const json *patch, const char *key, smp_schema s,
                                 bool *ret_consumed, tm_error **err) {
        const json *order = json_object_get(patch, key);
        if (!json_is_array(order))
                return smp_bad_arg("[]interface {}", order, err);
        const char *field;
        int r = smp_directive_field(key, SET_ELEMENT_ORDER, &field, err);
        if (r < 0)
                return r;
        json *orig_list = json_object_get(orig, field);
        const json *patch_list = json_object_get(patch, field);
        if (orig_list && !json_is_array(orig_list))
                return smp_bad_arg("[]interface {}", orig_list, err);
        if (patch_list && !json_is_array(patch_list))
                return smp_bad_arg("[]interface {}", patch_list, err);
        *ret_consumed = false;
        if (!orig_list && !patch_list)
                return 0;

        smp_meta m = smp_lookup(s, field);
        if (patch_list) {
                r = smp_check_order(patch_list, order, m.merge_key, err);
                if (r < 0)
                        return r;
        }

        /* The live list as it was, for the element type and the order. */
        _cleanup_json_ json *live = orig_list ? json_copy(orig_list) : json_new_array();
        _cleanup_json_ json *empty = json_new_array();
        _cleanup_(nvec_done) nvec srv = { NULL, 0, 0, false };
        for (size_t i = 0; i < json_array_len(live); i++)
                nvec_push(&srv, json_array_get(live, i));
        json_type t;
        r = smp_element_type(srv.v, srv.n, patch_list ? patch_list : empty, &t, err);
        if (r < 0)
                return r;

        _cleanup_json_ json *merged_list = NULL;
        if (orig_list && !patch_list)
                merged_list = json_copy(orig_list);
        else if (!orig_list)
                merged_list = smp_clean(patch_list);
        else {
                r = smp_merge_list(orig_list, patch_list, &m, false, &merged_list, err);
                if (r < 0)
                        return r;
        }

        bool maps = t == JSON_OBJECT;
        _cleanup_(nvec_done) nvec merged = nvec_take_array(merged_list);
        _cleanup_(nvec_done) nvec ord = { NULL, 0, 0, false };
        for (size_t i = 0; i < json_array_len(order); i++)
                nvec_push(&ord, json_array_get(order, i));
        json *out;
        r = smp_order(&merged, ord.v, ord.n, srv.v, srv.n, m.merge_key, maps, &out, err);
        if (r < 0)
                return r;
        json_object_set(orig, field, out);
        *ret_consumed = patch_list != NULL;
        return 0;
}

/* Merge the patch object into the object orig, in place (mergeMap). When
 * the whole map is to be replaced ($patch), *ret_replace gets the new
 * value instead. */
static int smp_merge_map(json *orig, const json *patch, smp_schema s, json **ret_replace,
                         tm_error **err) {
        const json *d = json_object_get(patch, DIRECTIVE_MARKER);
        if (d) {
                const char *ds = json_string(d);
                if (ds && streq(ds, "replace")) {
                        *ret_replace = smp_clean_members(patch);
                        return 0;
                }
                if (ds && streq(ds, "delete")) {
                        *ret_replace = json_new_object();
                        return 0;
                }
                _cleanup_free_ char *ps = short_json(d), *ms = short_json(patch);
                return tm_error_set(err, -EBADMSG, "unknown patch type: %s in map: %s", ps, ms);
        }

        int r = smp_retain_keys(orig, patch, err);
        if (r < 0)
                return r;

        size_t n = json_object_len(patch);
        size_t n_orders = 0;
        for (size_t i = 0; i < n; i++) {
                const char *k = json_object_key_at(patch, i);
                if (!startswith(k, SET_ELEMENT_ORDER))
                        continue;
                bool c = false;
                r = smp_set_element_order(orig, patch, k, s, &c, err);
                if (r < 0)
                        return r;
                n_orders++;
        }

        for (size_t i = 0; i < n; i++) {
                const char *k = json_object_key_at(patch, i);
                const json *pv = json_object_value_at(patch, i);
                if (n_orders > 0) {
                        /* A list its $setElementOrder merged already. */
                        _cleanup_free_ char *order_key = xasprintf(SET_ELEMENT_ORDER "/%s", k);
                        if (json_object_get(patch, order_key) && json_is_array(pv))
                                continue;
                }
                if (streq(k, RETAIN_KEYS_DIRECTIVE) || startswith(k, SET_ELEMENT_ORDER))
                        continue;
                bool delete_list = false;
                if (startswith(k, DELETE_FROM_PRIMITIVE)) {
                        r = smp_directive_field(k, DELETE_FROM_PRIMITIVE, &k, err);
                        if (r < 0)
                                return r;
                        delete_list = true;
                }
                if (json_is_null(pv)) {
                        json_object_remove(orig, k);
                        continue;
                }
                json *ov = json_object_get(orig, k);
                if (!ov || json_get_type(ov) != json_get_type(pv)) {
                        if (delete_list)
                                continue;
                        json *c = smp_clean(pv);
                        if (c)
                                json_object_set(orig, k, c);
                        else
                                json_object_remove(orig, k);
                        continue;
                }
                smp_meta m = smp_lookup(s, k);
                if (json_is_object(ov)) {
                        if (m.replace) {
                                json_object_set(orig, k, smp_clean_members(pv));
                                continue;
                        }
                        json *rep = NULL;
                        r = smp_merge_map(ov, pv, m.sub, &rep, err);
                        if (r < 0)
                                return r;
                        if (rep)
                                json_object_set(orig, k, rep);
                } else if (json_is_array(ov)) {
                        json *out = NULL;
                        r = smp_merge_list(ov, pv, &m, delete_list, &out, err);
                        if (r < 0)
                                return r;
                        json_object_set(orig, k, out);
                } else
                        json_object_set(orig, k, json_copy(pv));
        }
        return 0;
}

int patch_strategic(const json *doc, const json *patch, const struct schema_type *type, json **ret,
                    tm_error **err) {
        if (!json_is_object(doc))
                return tm_error_set(err, -EINVAL, "the document to patch is not an object but %s",
                                    json_type_name(json_get_type(doc)));
        if (json_is_null(patch)) {
                *ret = json_copy(doc);
                return 0;
        }
        if (!json_is_object(patch))
                return tm_error_set(
                        err, -EINVAL, "a strategic merge patch must be a JSON object, not %s",
                        json_is_array(patch) ? "an array" : json_type_name(json_get_type(patch)));
        _cleanup_json_ json *work = json_copy(doc);
        json *rep = NULL;
        int r = smp_merge_map(work, patch, (smp_schema){ .type = type }, &rep, err);
        if (r < 0)
                return r;
        if (rep) {
                json_free(work);
                work = rep;
        }
        *ret = TAKE_PTR(work);
        return 0;
}

/* --- the PATCH handler's entry point ------------------------------------------ */

static const char *const content_types[_PATCH_TYPE_MAX] = {
        [PATCH_TYPE_JSON] = "application/json-patch+json",
        [PATCH_TYPE_MERGE] = "application/merge-patch+json",
        [PATCH_TYPE_STRATEGIC] = "application/strategic-merge-patch+json",
};

enum patch_type patch_type_from_content_type(const char *content_type) {
        if (!content_type)
                return _PATCH_TYPE_INVALID;
        while (*content_type == ' ' || *content_type == '\t')
                content_type++;
        size_t n = strcspn(content_type, ";");
        while (n > 0 && (content_type[n - 1] == ' ' || content_type[n - 1] == '\t'))
                n--;
        for (int t = 0; t < _PATCH_TYPE_MAX; t++)
                if (strlen(content_types[t]) == n &&
                    strncasecmp(content_types[t], content_type, n) == 0)
                        return (enum patch_type)t;
        return _PATCH_TYPE_INVALID;
}

const char *patch_type_to_content_type(enum patch_type t) {
        if (t < 0 || t >= _PATCH_TYPE_MAX)
                return NULL;
        return content_types[t];
}

int patch_apply(enum patch_type t, const json *obj, const json *patch,
                const struct schema_type *type, json **ret, tm_error **err) {
        _cleanup_json_ json *out = NULL;
        int r;
        switch (t) {
        case PATCH_TYPE_JSON:
                if (json_is_array(patch)) {
                        /* The shape first, as upstream decodes before counting. */
                        for (size_t i = 0; i < json_array_len(patch); i++)
                                if (!json_is_object(json_array_get(patch, i)))
                                        return patch_json(obj, patch, ret, err);
                        if (json_array_len(patch) > PATCH_MAX_OPERATIONS)
                                return tm_error_set(err, -E2BIG,
                                                    "The allowed maximum operations in a JSON "
                                                    "patch is %d, got %zu",
                                                    PATCH_MAX_OPERATIONS, json_array_len(patch));
                }
                r = patch_json(obj, patch, &out, err);
                break;
        case PATCH_TYPE_MERGE:
                if (json_is_null(patch))
                        return tm_error_set(err, -EINVAL, "Invalid JSON Patch");
                r = merge_patch(obj, patch, true, &out);
                break;
        case PATCH_TYPE_STRATEGIC:
                r = patch_strategic(obj, patch, type, &out, err);
                break;
        default:
                return tm_error_set(err, -EINVAL, "unsupported patch type");
        }
        if (r < 0)
                return r;
        if (!json_is_object(out))
                return tm_error_set(err, -EDOM, "the patched object is %s, not an object",
                                    json_type_name(json_get_type(out)));
        *ret = TAKE_PTR(out);
        return 0;
}

int patch_error_http_status(int r) {
        switch (r) {
        case -EINVAL:
                return 400;
        case -E2BIG:
                return 413;
        case -ENOENT:
        case -EDOM:
                return 422;
        default:
                return 500;
        }
}

const char *patch_error_reason(int r) {
        switch (patch_error_http_status(r)) {
        case 400:
                return "BadRequest";
        case 413:
                return "RequestEntityTooLarge";
        case 422:
                return "Invalid";
        default:
                return ""; /* StatusReasonUnknown: upstream passes the error through */
        }
}
