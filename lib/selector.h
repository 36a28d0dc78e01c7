/* SPDX-License-Identifier: Apache-2.0 */
/* Label selectors and field selectors, behaving like Kubernetes'
 * k8s.io/apimachinery/pkg/labels (Parse, LabelSelectorAsSelector) and
 * pkg/fields (ParseSelector): same grammar, same canonical String() form,
 * same error messages, so that a client sees what it would see from
 * kube-apiserver.
 *
 * Label selectors:  "app=web,tier!=db,env in (a,b),!canary,release,gen>3"
 * Field selectors:  "metadata.name=web-0,status.phase!=Running"
 *
 * Selector strings end at the first NUL byte (a Go string would continue;
 * the HTTP layer rejects %00 in a query before it gets here). */
#ifndef TIMONIER_SELECTOR_H
#define TIMONIER_SELECTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "cleanup.h"
#include "json.h"
#include "tmerror.h"

/* A lookup of a label key or a field path: the value, or NULL if absent. */
typedef const char *(*selector_lookup_fn)(void *userdata, const char *key);

/* ---- label selectors ---------------------------------------------------- */

typedef enum label_selector_op {
        LABEL_SELECTOR_OP_IN,             /* "in" */
        LABEL_SELECTOR_OP_NOT_IN,         /* "notin" */
        LABEL_SELECTOR_OP_EQUALS,         /* "=" */
        LABEL_SELECTOR_OP_DOUBLE_EQUALS,  /* "==" */
        LABEL_SELECTOR_OP_NOT_EQUALS,     /* "!=" */
        LABEL_SELECTOR_OP_EXISTS,         /* "exists" (a bare key) */
        LABEL_SELECTOR_OP_DOES_NOT_EXIST, /* "!" */
        LABEL_SELECTOR_OP_GT,             /* "gt" (">") */
        LABEL_SELECTOR_OP_LT,             /* "lt" ("<") */
        _LABEL_SELECTOR_OP_MAX,
        _LABEL_SELECTOR_OP_INVALID = -1,
} label_selector_op;

/* upstream's selection.Operator spelling: "in", "notin", "=", "==", "!=",
 * "exists", "!", "gt", "lt"; NULL if out of range. */
const char *label_selector_op_name(label_selector_op op);

typedef struct label_requirement {
        char *key;
        label_selector_op op;
        char **values; /* parsed: sorted and unique; from JSON: as given */
        size_t n_values;
} label_requirement;

typedef struct label_selector label_selector;

/* Parse a selector string (labels.Parse). The empty string gives a selector
 * that matches everything. Errors carry upstream's messages, e.g.
 * "unable to parse requirement: found '', expected: identifier" or
 * "found ',', expected: !, identifier, or 'end of string'"; -EINVAL. */
int label_selector_parse(const char *s, label_selector **ret, tm_error **err);

/* Convert a metav1.LabelSelector object
 * {"matchLabels":{..},"matchExpressions":[{"key","operator","values"}]}
 * (LabelSelectorAsSelector). NULL or a JSON null gives a selector matching
 * nothing; {} (no labels, no expressions) one matching everything.
 * -EINVAL with upstream's message on bad keys, values or operators. */
int label_selector_from_json(const json *selector, label_selector **ret, tm_error **err);

label_selector *label_selector_new_everything(void);
label_selector *label_selector_new_nothing(void);
void label_selector_free(label_selector *s);
DEFINE_CLEANUP_FUNC(label_selector, label_selector_free)
#define _cleanup_label_selector_ _cleanup_(label_selector_freep)

/* Requirements sorted by key (stable), ANDed. */
const label_requirement *label_selector_requirements(const label_selector *s, size_t *ret_n);

/* true if no requirement restricts (Empty()); false for "nothing". */
bool label_selector_is_empty(const label_selector *s);
bool label_selector_matches_nothing(const label_selector *s);

/* Match a set of labels given by a lookup function. */
bool label_selector_matches(const label_selector *s, selector_lookup_fn lookup, void *userdata);
/* Match a labels object (string -> string; NULL: no labels). Members whose
 * value is not a string count as absent. */
bool label_selector_matches_json(const label_selector *s, const json *labels);

/* Canonical form (String()): requirements by key, values sorted,
 * e.g. "a=b,c in (x,y),!f". "" for everything and nothing. Never NULL. */
char *label_selector_to_string(const label_selector *s);

/* RequiresExactMatch: the first requirement on `key` is =, == or an "in"
 * with one value; *ret_value (borrowed from s) gets that value. */
bool label_selector_requires_exact(const label_selector *s, const char *key,
                                   const char **ret_value);

/* Validation of label keys and values with upstream's messages (the
 * details joined by "; "), for callers validating object metadata.
 * Return true if valid; otherwise *ret_msg (if non-NULL) gets a malloc'd
 * message such as "name part must be non-empty; name part must consist of
 * ...". */
bool label_key_is_valid(const char *key, char **ret_msg);
bool label_value_is_valid(const char *value, char **ret_msg);

/* ---- field selectors ---------------------------------------------------- */

typedef enum field_selector_op {
        FIELD_SELECTOR_OP_EQUALS,     /* "=" or "==" */
        FIELD_SELECTOR_OP_NOT_EQUALS, /* "!=" */
        _FIELD_SELECTOR_OP_MAX,
        _FIELD_SELECTOR_OP_INVALID = -1,
} field_selector_op;

typedef struct field_requirement {
        char *field; /* as written: no unescaping, no trimming */
        field_selector_op op;
        char *value; /* unescaped */
} field_requirement;

typedef struct field_selector field_selector;

/* Parse a field selector (fields.ParseSelector). Terms are kept in the
 * byte order of their text, as upstream sorts them; a term "=" (empty field
 * and value) is dropped. Errors: "invalid selector: '<s>'; can't understand
 * '<term>'", "invalid field selector: invalid escape sequence: \\x",
 * "invalid field selector: unescaped character in value: 61"; -EINVAL. */
int field_selector_parse(const char *s, field_selector **ret, tm_error **err);

field_selector *field_selector_new_everything(void);
void field_selector_free(field_selector *s);
DEFINE_CLEANUP_FUNC(field_selector, field_selector_free)
#define _cleanup_field_selector_ _cleanup_(field_selector_freep)

const field_requirement *field_selector_requirements(const field_selector *s, size_t *ret_n);
bool field_selector_is_empty(const field_selector *s);

/* Match through a lookup of field paths; an absent field (NULL) counts as
 * the empty string, as upstream's fields.Set.Get does. */
bool field_selector_matches(const field_selector *s, selector_lookup_fn lookup, void *userdata);

/* Canonical form: "field=value" / "field!=value" joined by ",", with \ , =
 * in values escaped. Never NULL. */
char *field_selector_to_string(const field_selector *s);

/* RequiresExactMatch: the first "field=value" term on `field` (for example
 * spec.nodeName=X to narrow a list); *ret_value is borrowed from s. */
bool field_selector_requires_exact(const field_selector *s, const char *field,
                                   const char **ret_value);

/* EscapeValue: a malloc'd copy of s with \ , = escaped by a backslash. */
char *field_selector_escape_value(const char *s);

#endif
