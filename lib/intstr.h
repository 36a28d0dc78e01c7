/* SPDX-License-Identifier: Apache-2.0 */
/* IntOrString (k8s.io/apimachinery/pkg/util/intstr): a field that holds an
 * int32 or a string, such as a port ("http" or 8080) or a rolling-update
 * bound ("25%" or 1). */
#ifndef TIMONIER_INTSTR_H
#define TIMONIER_INTSTR_H

#include <stdbool.h>
#include <stdint.h>

#include "json.h"
#include "tmerror.h"

typedef enum intstr_type {
        INTSTR_INT,
        INTSTR_STRING,
        _INTSTR_TYPE_MAX,
        _INTSTR_TYPE_INVALID = -1,
} intstr_type;

typedef struct intstr {
        intstr_type type;
        int32_t int_val;
        char *str_val; /* owned; NULL for INTSTR_INT */
} intstr;

#define INTSTR_INIT \
        { INTSTR_INT, 0, NULL }

intstr intstr_from_int(int32_t v);
intstr intstr_from_string(const char *s); /* copies s */
/* Upstream's Parse: an int if s is a base-10 int32, else the string. */
intstr intstr_parse(const char *s);
intstr intstr_copy(const intstr *v);
void intstr_done(intstr *v); /* frees str_val; v becomes INTSTR_INIT */
static inline void intstr_donep(intstr *v) {
        intstr_done(v);
}
#define _cleanup_intstr_ _cleanup_(intstr_donep)

bool intstr_equal(const intstr *a, const intstr *b);

/* From a JSON string or integer (upstream's UnmarshalJSON: null is the int
 * 0; a number that is not an int32 and any other type fail with Go's
 * encoding/json message). */
int intstr_from_json(const json *j, intstr *ret, tm_error **err);
json *intstr_to_json(const intstr *v);

/* upstream's String(): the string, or the int in decimal. malloc'd. */
char *intstr_to_string(const intstr *v);
/* upstream's IntValue(): the int, or the string's value (0 if not one). */
int64_t intstr_int_value(const intstr *v);

/* GetScaledValueFromIntOrPercent: an int as is; a string must be "<int>%"
 * and gives ceil or floor of percent * total / 100. Errors carry upstream's
 * text ("invalid value for IntOrString: ..."). */
int intstr_get_scaled_value(const intstr *v, int64_t total, bool round_up, int64_t *ret,
                            tm_error **err);

#endif
