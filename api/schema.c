/* SPDX-License-Identifier: Apache-2.0 */
/* Lookups over the generated schema tables. The tables are small (tens of
 * resources, hundreds of types): resources are scanned, types and fields,
 * which are sorted by name, are searched by bisection. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/schema.h"

static bool str_eq(const char *a, const char *b) {
        return a && b && strcmp(a, b) == 0;
}

const struct schema_group_version *schema_group_versions(size_t *ret_n) {
        if (ret_n)
                *ret_n = schema_n_group_versions;
        return schema_group_version_table;
}

const struct schema_group_version *schema_group_version_lookup(const char *group,
                                                               const char *version) {
        if (!group || !version)
                return NULL;
        for (size_t i = 0; i < schema_n_group_versions; i++) {
                const struct schema_group_version *gv = &schema_group_version_table[i];
                if (str_eq(gv->group, group) && str_eq(gv->version, version))
                        return gv;
        }
        return NULL;
}

const struct schema_resource *schema_resource_lookup(const char *group, const char *version,
                                                     const char *plural) {
        const struct schema_group_version *gv = schema_group_version_lookup(group, version);
        if (!gv || !plural)
                return NULL;
        for (size_t i = 0; i < gv->n_resources; i++)
                if (str_eq(gv->resources[i].plural, plural))
                        return &gv->resources[i];
        return NULL;
}

const struct schema_resource *schema_resource_by_kind(const char *group, const char *version,
                                                      const char *kind) {
        const struct schema_group_version *gv = schema_group_version_lookup(group, version);
        if (!gv || !kind)
                return NULL;
        for (size_t i = 0; i < gv->n_resources; i++)
                if (str_eq(gv->resources[i].kind, kind))
                        return &gv->resources[i];
        return NULL;
}

static bool strv_contains_case(const char *const *v, const char *s) {
        for (; v && *v; v++)
                if (strcasecmp(*v, s) == 0)
                        return true;
        return false;
}

/* Rank of a match: lower wins. Core before other groups, preferred
 * versions before others, table order breaks ties. */
static int match_rank(const struct schema_group_version *gv) {
        return (gv->group[0] != '\0' ? 2 : 0) + (gv->preferred ? 0 : 1);
}

static const struct schema_resource *find_by_name(const char *name, bool short_only) {
        const struct schema_resource *best = NULL;
        int best_rank = 0;

        if (!name || !*name)
                return NULL;
        for (size_t i = 0; i < schema_n_group_versions; i++) {
                const struct schema_group_version *gv = &schema_group_version_table[i];
                if (!gv->served)
                        continue;
                for (size_t j = 0; j < gv->n_resources; j++) {
                        const struct schema_resource *r = &gv->resources[j];
                        bool hit = strv_contains_case(r->short_names, name);
                        if (!short_only && !hit)
                                hit = strcasecmp(r->plural, name) == 0 ||
                                      strcasecmp(r->singular, name) == 0;
                        if (hit && (!best || match_rank(gv) < best_rank)) {
                                best = r;
                                best_rank = match_rank(gv);
                        }
                }
        }
        return best;
}

const struct schema_resource *schema_resource_by_name(const char *name) {
        return find_by_name(name, false);
}

const struct schema_resource *schema_resource_by_short_name(const char *name) {
        return find_by_name(name, true);
}

const struct schema_subresource *schema_subresource_lookup(const struct schema_resource *r,
                                                           const char *name) {
        if (!r || !name)
                return NULL;
        for (size_t i = 0; i < r->n_subresources; i++)
                if (str_eq(r->subresources[i].name, name))
                        return &r->subresources[i];
        return NULL;
}

const struct schema_printer_column *schema_column_lookup(const struct schema_resource *r,
                                                         const char *name) {
        if (!r || !name)
                return NULL;
        for (size_t i = 0; i < r->n_columns; i++)
                if (str_eq(r->columns[i].name, name))
                        return &r->columns[i];
        return NULL;
}

static int type_cmp(const void *key, const void *elem) {
        return strcmp(key, ((const struct schema_type *)elem)->name);
}

const struct schema_type *schema_type_lookup(const char *name) {
        if (!name)
                return NULL;
        return bsearch(name, schema_type_table, schema_n_types, sizeof(schema_type_table[0]),
                       type_cmp);
}

const struct schema_type *schema_type_by_gvk(const char *group, const char *version,
                                             const char *kind) {
        if (!group || !version || !kind)
                return NULL;
        for (size_t i = 0; i < schema_n_types; i++) {
                const struct schema_type *t = &schema_type_table[i];
                if (str_eq(t->kind, kind) && str_eq(t->version, version) && str_eq(t->group, group))
                        return t;
        }
        return NULL;
}

static int field_cmp(const void *key, const void *elem) {
        return strcmp(key, ((const struct schema_field *)elem)->name);
}

const struct schema_field *schema_field_lookup(const struct schema_type *t, const char *name) {
        if (!t || !name || !t->fields)
                return NULL;
        return bsearch(name, t->fields, t->n_fields, sizeof(t->fields[0]), field_cmp);
}

const struct schema_type *schema_field_target(const struct schema_field *f) {
        const struct schema_value *v;

        if (!f)
                return NULL;
        /* Arrays of arrays and maps of arrays exist: follow to the leaf. */
        for (v = &f->value; v; v = v->elem)
                if (v->type == SCHEMA_REF)
                        return v->ref;
        return NULL;
}

const struct schema_field *schema_field_path(const struct schema_type *t, const char *path) {
        const struct schema_field *f = NULL;
        char seg[256];

        if (!t || !path)
                return NULL;
        for (const char *p = path;;) {
                const char *dot = strchr(p, '.');
                size_t n = dot ? (size_t)(dot - p) : strlen(p);

                if (n == 0 || n >= sizeof(seg))
                        return NULL;
                memcpy(seg, p, n);
                seg[n] = '\0';
                f = schema_field_lookup(t, seg);
                if (!f || !dot)
                        return f;
                t = schema_field_target(f);
                if (!t)
                        return NULL;
                p = dot + 1;
        }
}

bool schema_strv_contains(const char *const *v, const char *s) {
        if (!s)
                return false;
        for (; v && *v; v++)
                if (strcmp(*v, s) == 0)
                        return true;
        return false;
}

static const char *const value_type_names[_SCHEMA_VALUE_TYPE_MAX] = {
        [SCHEMA_STRING] = "string",
        [SCHEMA_INT32] = "int32",
        [SCHEMA_INT64] = "int64",
        [SCHEMA_NUMBER] = "number",
        [SCHEMA_BOOLEAN] = "boolean",
        [SCHEMA_QUANTITY] = "quantity",
        [SCHEMA_INT_OR_STRING] = "int-or-string",
        [SCHEMA_DATE_TIME] = "date-time",
        [SCHEMA_MICRO_TIME] = "micro-time",
        [SCHEMA_BYTE] = "byte",
        [SCHEMA_OBJECT] = "object",
        [SCHEMA_REF] = "ref",
        [SCHEMA_ARRAY] = "array",
        [SCHEMA_MAP] = "map",
};

const char *schema_value_type_to_string(enum schema_value_type t) {
        if ((int)t < 0 || t >= _SCHEMA_VALUE_TYPE_MAX)
                return NULL;
        return value_type_names[t];
}

enum schema_value_type schema_value_type_from_string(const char *s) {
        if (!s)
                return _SCHEMA_VALUE_TYPE_INVALID;
        for (int i = 0; i < _SCHEMA_VALUE_TYPE_MAX; i++)
                if (strcmp(value_type_names[i], s) == 0)
                        return (enum schema_value_type)i;
        return _SCHEMA_VALUE_TYPE_INVALID;
}
