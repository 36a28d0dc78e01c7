/* SPDX-License-Identifier: Apache-2.0 */
/* Kubernetes resource quantities ("100m", "1.5Gi", "1e3"), behaving like
 * k8s.io/apimachinery/pkg/api/resource.Quantity: the same accepted inputs and
 * error messages, the same rounding (up to 1n, away from zero), the same cap
 * of BinarySI values at 2^63-1, and the same canonical text, including
 * upstream's habit of echoing an input that is already canonical-looking
 * ("+5", "1.500") as it was written.
 *
 * A quantity is the exact decimal  mant * 10^exp  (no floating point). The
 * mantissa is an __int128 holding up to 38 significant digits: every value
 * Kubernetes documents (|x| <= 2^63-1 at 1n precision needs 28 digits) is
 * exact, with 10 digits of headroom for sums. Inputs or results beyond that
 * fail with -ERANGE where upstream would switch to an unbounded big decimal.
 *
 * Quantities are plain values: copy them with `=`, nothing to free. */
#ifndef TIMONIER_QUANTITY_H
#define TIMONIER_QUANTITY_H

#include <stdbool.h>
#include <stdint.h>

#include "tmerror.h"

typedef enum quantity_format {
        QUANTITY_DECIMAL_SI,       /* 12M = 12 * 10^6, 100m */
        QUANTITY_BINARY_SI,        /* 12Mi = 12 * 2^20 */
        QUANTITY_DECIMAL_EXPONENT, /* 12e6 */
        _QUANTITY_FORMAT_MAX,
        _QUANTITY_FORMAT_INVALID = -1,
} quantity_format;

/* Room for any canonical string, with its NUL. */
#define QUANTITY_STRING_MAX 64

typedef struct quantity {
        __int128 mant;          /* no trailing decimal zeros; 0 for zero */
        int32_t exp;            /* power of ten; >= -9 */
        quantity_format format; /* how String() writes it */
        char cached[40];        /* upstream keeps some inputs verbatim; "" if none */
} quantity;

/* The messages upstream's ParseQuantity returns. */
#define QUANTITY_ERR_FORMAT                             \
        "quantities must match the regular expression " \
        "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
#define QUANTITY_ERR_NUMERIC "unable to parse numeric part of quantity"
#define QUANTITY_ERR_SUFFIX  "unable to parse quantity's suffix"

/* Parse a quantity (no surrounding whitespace). -EINVAL with one of the
 * messages above, -ERANGE beyond 38 significant digits or exponent 2^31. */
int quantity_parse(const char *s, quantity *ret, tm_error **err);
int quantity_parsen(const char *s, size_t len, quantity *ret, tm_error **err);

/* Constructors: value, value/1000, value * 10^scale. */
quantity quantity_from_int(int64_t value, quantity_format format);
quantity quantity_from_milli(int64_t value, quantity_format format);
quantity quantity_from_scaled(int64_t value, int scale, quantity_format format);

/* The canonical string (upstream's String()), written into buf; returns buf. */
const char *quantity_format_buf(const quantity *q, char buf[static QUANTITY_STRING_MAX]);
/* The same, malloc'd. */
char *quantity_to_string(const quantity *q);

bool quantity_is_zero(const quantity *q);
int quantity_sign(const quantity *q); /* -1, 0, 1 */
/* -1, 0, 1 like upstream's Cmp (formats are ignored). */
int quantity_cmp(const quantity *a, const quantity *b);
int quantity_cmp_int64(const quantity *a, int64_t b);
static inline bool quantity_equal(const quantity *a, const quantity *b) {
        return quantity_cmp(a, b) == 0;
}

/* q += y / q -= y. If q is zero it takes y's format (upstream's rule).
 * -ERANGE (q unchanged) if the exact result needs more than 38 digits. */
int quantity_add(quantity *q, const quantity *y);
int quantity_sub(quantity *q, const quantity *y);
void quantity_neg(quantity *q);

/* ceil(q / 10^scale), rounding away from zero (upstream's ScaledValue);
 * -ERANGE if it does not fit in int64 (upstream returns garbage then). */
int quantity_scaled_value(const quantity *q, int scale, int64_t *ret);
static inline int quantity_value(const quantity *q, int64_t *ret) {
        return quantity_scaled_value(q, 0, ret);
}
static inline int quantity_milli_value(const quantity *q, int64_t *ret) {
        return quantity_scaled_value(q, -3, ret);
}

/* "DecimalSI", "BinarySI", "DecimalExponent". */
const char *quantity_format_to_string(quantity_format f);

#endif
