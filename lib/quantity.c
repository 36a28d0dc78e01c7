/* SPDX-License-Identifier: Apache-2.0 */
/* Resource quantities; see quantity.h. Written from the behaviour of
 * apimachinery's resource.Quantity (parse, canonical form, arithmetic). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "quantity.h"

typedef unsigned __int128 u128;

#define MAX_DIGITS 38
#define NANO_EXP   (-9)

static const char suffix_chars[] = "eEinumkKMGTP";

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static u128 pow10_u128(unsigned n) {
        u128 p = 1;
        while (n--)
                p *= 10;
        return p;
}

static unsigned ndigits(u128 v) {
        unsigned n = 1;
        while (v >= 10) {
                v /= 10;
                n++;
        }
        return n;
}

static u128 uabs128(__int128 v) {
        return v < 0 ? -(u128)v : (u128)v;
}

/* m * 10^n, or false on overflow of 38 digits. */
static bool mul_pow10(u128 m, int64_t n, u128 *ret) {
        if (m == 0) {
                *ret = 0;
                return true;
        }
        if (n < 0 || n > MAX_DIGITS || ndigits(m) + n > MAX_DIGITS)
                return false;
        *ret = m * pow10_u128((unsigned)n);
        return true;
}

const char *quantity_format_to_string(quantity_format f) {
        switch (f) {
        case QUANTITY_DECIMAL_SI:
                return "DecimalSI";
        case QUANTITY_BINARY_SI:
                return "BinarySI";
        case QUANTITY_DECIMAL_EXPONENT:
                return "DecimalExponent";
        default:
                return NULL;
        }
}

/* Set q to sign * m * 10^e, stripping trailing zeros; m < 10^38. */
static int set_value(quantity *q, bool negative, u128 m, int64_t e) {
        if (m == 0) {
                q->mant = 0;
                q->exp = 0;
                return 0;
        }
        while (m % 10 == 0) {
                m /= 10;
                e++;
        }
        if (e > INT32_MAX || e < NANO_EXP)
                return -ERANGE;
        q->mant = negative ? -(__int128)m : (__int128)m;
        q->exp = (int32_t)e;
        return 0;
}

static int range_error(tm_error **err) {
        return tm_error_set(err, -ERANGE,
                            "quantity out of range: more than %d significant digits or too large",
                            MAX_DIGITS);
}

/* The suffix table of upstream's suffixer; false for an unknown suffix. */
static bool interpret_suffix(const char *s, size_t n, int *ret_base, int32_t *ret_exp,
                             quantity_format *ret_format) {
        static const struct {
                const char *s;
                int base;
                int32_t exp;
        } table[] = {
                { "", 10, 0 },   { "n", 10, -9 }, { "u", 10, -6 }, { "m", 10, -3 },
                { "k", 10, 3 },  { "M", 10, 6 },  { "G", 10, 9 },  { "T", 10, 12 },
                { "P", 10, 15 }, { "E", 10, 18 }, { "Ki", 2, 10 }, { "Mi", 2, 20 },
                { "Gi", 2, 30 }, { "Ti", 2, 40 }, { "Pi", 2, 50 }, { "Ei", 2, 60 },
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (strlen(table[i].s) == n && memcmp(table[i].s, s, n) == 0) {
                        *ret_base = table[i].base;
                        *ret_exp = table[i].exp;
                        *ret_format = table[i].base == 2 ? QUANTITY_BINARY_SI : QUANTITY_DECIMAL_SI;
                        return true;
                }
        if (n < 2 || (s[0] != 'e' && s[0] != 'E'))
                return false;
        /* strconv.ParseInt(s[1:], 10, 64): optional sign, digits, int64. */
        size_t i = 1;
        bool neg = false;
        if (s[i] == '+' || s[i] == '-')
                neg = s[i++] == '-';
        if (i >= n)
                return false;
        uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
        for (; i < n; i++) {
                if (!is_digit(s[i]))
                        return false;
                unsigned d = (unsigned)(s[i] - '0');
                if (v > (limit - d) / 10)
                        return false;
                v = v * 10 + d;
        }
        /* Upstream converts with int32(parsed), which wraps; do the same. */
        *ret_exp = (int32_t)(uint32_t)(neg ? -v : v);
        *ret_base = 10;
        *ret_format = QUANTITY_DECIMAL_EXPONENT;
        return true;
}

/* Multiply the little-endian decimal digit array by 2, `times` times. */
static void double_digits(unsigned char *d, size_t *n, size_t cap, unsigned times) {
        while (times--) {
                unsigned carry = 0;
                for (size_t i = 0; i < *n; i++) {
                        unsigned v = d[i] * 2u + carry;
                        d[i] = (unsigned char)(v % 10);
                        carry = v / 10;
                }
                if (carry && *n < cap)
                        d[(*n)++] = (unsigned char)carry;
        }
}

int quantity_parsen(const char *str, size_t end, quantity *ret, tm_error **err) {
        quantity q = { .format = QUANTITY_DECIMAL_SI };
        size_t pos = 0;
        bool positive = true;

        if (!str || end == 0)
                return tm_error_set(err, -EINVAL, QUANTITY_ERR_FORMAT);
        if (end == 1 && str[0] == '0') {
                strcpy(q.cached, "0");
                *ret = q;
                return 0;
        }

        /* The scanner of upstream's parseQuantityString. */
        if (str[0] == '-' || str[0] == '+') {
                positive = str[0] == '+';
                pos++;
        }
        while (pos < end && str[pos] == '0')
                pos++;
        if (pos == end) { /* only zeros: "0" with no suffix */
                *ret = q;
                return 0;
        }
        const char *num = str + pos;
        size_t num_len = 0, denom_len = 0;
        const char *denom = "";
        while (pos < end && is_digit(str[pos]))
                pos++;
        num_len = (size_t)(str + pos - num);
        if (num_len == 0) {
                num = "0";
                num_len = 1;
        }
        if (pos < end && str[pos] == '.') {
                denom = str + ++pos;
                while (pos < end && is_digit(str[pos]))
                        pos++;
                denom_len = (size_t)(str + pos - denom);
        }
        size_t number_end = pos;
        size_t suffix_start = pos;
        while (pos < end && memchr(suffix_chars, str[pos], sizeof(suffix_chars) - 1))
                pos++;
        if (pos < end && (str[pos] == '-' || str[pos] == '+'))
                pos++;
        while (pos < end && is_digit(str[pos]))
                pos++;
        if (pos < end)
                return tm_error_set(err, -EINVAL, QUANTITY_ERR_FORMAT);

        int base;
        int32_t exponent;
        if (!interpret_suffix(str + suffix_start, end - suffix_start, &base, &exponent, &q.format))
                return tm_error_set(err, -EINVAL, QUANTITY_ERR_SUFFIX);

        /* Upstream has a fast int64 path and a big-decimal path. The value is
         * the same on both; the fast path may keep the input as its string,
         * and the big path rejects a number part without digits. */
        bool has_digits = false;
        for (size_t i = 0; i < number_end; i++)
                has_digits = has_digits || is_digit(str[i]);
#define SHIFTED(i) ((i) < num_len ? num[i] : denom[(i)-num_len])
        size_t shifted_len = num_len + denom_len;
        bool fast = false, keep_string = false;
        if (base == 10) {
                int64_t scale = (int64_t)exponent - (int64_t)denom_len;
                fast = shifted_len <= 18 && scale >= NANO_EXP;
                keep_string = fast && scale % 3 == 0 && SHIFTED(0) != '0' &&
                              !(shifted_len >= 3 && SHIFTED(shifted_len - 1) == '0' &&
                                SHIFTED(shifted_len - 2) == '0' && SHIFTED(shifted_len - 3) == '0');
        } else if (denom_len == 0 && 15 - (int)num_len - exponent * 3 / 10 - 1 >= 0) {
                int64_t v = 0;
                for (size_t i = 0; i < num_len; i++)
                        v = v * 10 + (num[i] - '0');
                fast = v <= (INT64_MAX >> exponent);
                keep_string = fast && (v & 7) != 0;
        }
#undef SHIFTED
        if (!fast && !has_digits)
                return tm_error_set(err, -EINVAL, QUANTITY_ERR_NUMERIC);

        /* The exact value: digits * 2^(binary exponent) * 10^e10, with the
         * digits little-endian, leading zeros trimmed. */
        int64_t e10 = (base == 10 ? (int64_t)exponent : 0) - (int64_t)denom_len;
        size_t cap = shifted_len + 20, n = 0;
        _cleanup_free_ unsigned char *d = xmalloc(cap);
        for (size_t i = shifted_len; i-- > 0;)
                d[n++] = (unsigned char)((i < num_len ? num[i] : denom[i - num_len]) - '0');
        while (n > 0 && d[n - 1] == 0)
                n--;
        u128 m = 0;
        if (n > 0) {
                bool capped = false;
                if (base == 2) {
                        /* More than 19 integer digits is beyond 2^63-1 already. */
                        if (num_len > 19)
                                capped = true;
                        else
                                double_digits(d, &n, cap, (unsigned)exponent);
                }
                /* Round up (away from zero) to 1n. */
                size_t lo = 0;
                bool sticky = false;
                if (!capped && e10 < NANO_EXP) {
                        uint64_t drop = (uint64_t)(NANO_EXP - e10);
                        lo = drop < n ? (size_t)drop : n;
                        for (size_t i = 0; i < lo; i++)
                                sticky = sticky || d[i] != 0;
                        e10 = NANO_EXP;
                }
                while (lo < n && d[lo] == 0 && !sticky) {
                        lo++;
                        e10++;
                }
                /* Beyond 19 integer digits a BinarySI value is capped. */
                if (base == 2 && (int64_t)(n - lo) + e10 > 19)
                        capped = true;
                if (!capped) {
                        if (n - lo > MAX_DIGITS)
                                return range_error(err);
                        for (size_t i = n; i-- > lo;)
                                m = m * 10 + d[i];
                        m += sticky;
                        if (m >= pow10_u128(MAX_DIGITS))
                                return range_error(err);
                }
                if (base == 2) {
                        const u128 max = INT64_MAX;
                        if (!capped && m != 0) {
                                u128 v;
                                if (e10 >= 0)
                                        capped = !mul_pow10(m, e10, &v) || v > max;
                                else
                                        capped = m > max * pow10_u128((unsigned)-e10);
                        }
                        if (capped) {
                                m = max;
                                e10 = 0;
                        } else if (e10 < 0 && ndigits(m) <= (uint64_t)-e10) {
                                q.format = QUANTITY_DECIMAL_SI; /* 0 < |x| < 1 */
                        }
                }
        }
        if (set_value(&q, !positive, m, e10) < 0)
                return range_error(err);
        if (keep_string && end < sizeof(q.cached)) {
                memcpy(q.cached, str, end);
                q.cached[end] = 0;
        }
        *ret = q;
        return 0;
}

int quantity_parse(const char *s, quantity *ret, tm_error **err) {
        return quantity_parsen(s, s ? strlen(s) : 0, ret, err);
}

quantity quantity_from_scaled(int64_t value, int scale, quantity_format format) {
        quantity q = { .format = format };
        bool neg = value < 0;
        u128 m = neg ? (u128)(0 - (uint64_t)value) : (u128)value;
        int64_t e = scale;
        if (e < NANO_EXP) { /* keep the 1n resolution: round away from zero */
                u128 p = (NANO_EXP - e) > MAX_DIGITS ? 0 : pow10_u128((unsigned)(NANO_EXP - e));
                bool rem = p == 0 ? m != 0 : m % p != 0;
                m = p == 0 ? 0 : m / p;
                m += rem;
                e = NANO_EXP;
        }
        (void)set_value(&q, neg, m, e);
        return q;
}

quantity quantity_from_int(int64_t value, quantity_format format) {
        return quantity_from_scaled(value, 0, format);
}

quantity quantity_from_milli(int64_t value, quantity_format format) {
        return quantity_from_scaled(value, -3, format);
}

bool quantity_is_zero(const quantity *q) {
        return q->mant == 0;
}

int quantity_sign(const quantity *q) {
        return q->mant > 0 ? 1 : q->mant < 0 ? -1 : 0;
}

static int cmp_magnitude(u128 a, int64_t ea, u128 b, int64_t eb) {
        if (a == 0 || b == 0)
                return (a != 0) - (b != 0);
        int64_t ma = ndigits(a) + ea, mb = ndigits(b) + eb;
        if (ma != mb)
                return ma < mb ? -1 : 1;
        /* Same order of magnitude: scaling the one with the larger exponent
         * down to the other's keeps it within 38 digits. */
        if (ea > eb)
                a *= pow10_u128((unsigned)(ea - eb));
        else if (eb > ea)
                b *= pow10_u128((unsigned)(eb - ea));
        return a < b ? -1 : a > b ? 1 : 0;
}

int quantity_cmp(const quantity *a, const quantity *b) {
        int sa = quantity_sign(a), sb = quantity_sign(b);
        if (sa != sb)
                return sa < sb ? -1 : 1;
        int c = cmp_magnitude(uabs128(a->mant), a->exp, uabs128(b->mant), b->exp);
        return sa < 0 ? -c : c;
}

int quantity_cmp_int64(const quantity *a, int64_t b) {
        quantity qb = quantity_from_int(b, QUANTITY_DECIMAL_SI);
        return quantity_cmp(a, &qb);
}

static int add_signed(quantity *q, __int128 ym, int32_t yexp, quantity_format yformat) {
        quantity r = *q;
        r.cached[0] = 0;
        if (q->mant == 0)
                r.format = yformat;
        if (ym == 0) {
                *q = r;
                return 0;
        }
        if (q->mant == 0) {
                r.mant = ym;
                r.exp = yexp;
                *q = r;
                return 0;
        }
        int64_t e = q->exp < yexp ? q->exp : yexp;
        u128 a, b;
        if (!mul_pow10(uabs128(q->mant), q->exp - e, &a) || !mul_pow10(uabs128(ym), yexp - e, &b))
                return -ERANGE;
        /* Both below 10^38 < 2^127: the signed sum cannot overflow. */
        __int128 sa = q->mant < 0 ? -(__int128)a : (__int128)a;
        __int128 sb = ym < 0 ? -(__int128)b : (__int128)b;
        __int128 sum = sa + sb;
        u128 mag = uabs128(sum);
        if (mag >= pow10_u128(MAX_DIGITS))
                return -ERANGE;
        if (set_value(&r, sum < 0, mag, e) < 0)
                return -ERANGE;
        *q = r;
        return 0;
}

int quantity_add(quantity *q, const quantity *y) {
        return add_signed(q, y->mant, y->exp, y->format);
}

int quantity_sub(quantity *q, const quantity *y) {
        return add_signed(q, -y->mant, y->exp, y->format);
}

void quantity_neg(quantity *q) {
        q->mant = -q->mant;
        q->cached[0] = 0;
}

int quantity_scaled_value(const quantity *q, int scale, int64_t *ret) {
        u128 m = uabs128(q->mant), v;
        int64_t shift = (int64_t)q->exp - scale;
        if (m == 0) {
                v = 0;
        } else if (shift >= 0) {
                if (!mul_pow10(m, shift, &v))
                        return -ERANGE;
        } else if (-shift > MAX_DIGITS) {
                v = 1; /* a non-zero fraction rounds up to one */
        } else {
                u128 p = pow10_u128((unsigned)-shift);
                v = m / p + (m % p != 0);
        }
        if (q->mant < 0) {
                if (v > (u128)INT64_MAX + 1)
                        return -ERANGE;
                *ret = v == (u128)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
        } else {
                if (v > (u128)INT64_MAX)
                        return -ERANGE;
                *ret = (int64_t)v;
        }
        return 0;
}

static char *put_u128(char *p, u128 v) {
        char tmp[48];
        size_t n = 0;
        do {
                tmp[n++] = (char)('0' + (int)(v % 10));
                v /= 10;
        } while (v);
        while (n)
                *p++ = tmp[--n];
        return p;
}

const char *quantity_format_buf(const quantity *q, char buf[static QUANTITY_STRING_MAX]) {
        static const char *const si[] = { "n", "u", "m", "", "k", "M", "G", "T", "P", "E" };
        static const char *const bin[] = { "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei" };
        char *p = buf;

        if (q->cached[0]) {
                memcpy(buf, q->cached, strlen(q->cached) + 1);
                return buf;
        }
        if (q->mant == 0) {
                strcpy(buf, "0");
                return buf;
        }
        if (q->mant < 0)
                *p++ = '-';
        u128 m = uabs128(q->mant);
        int64_t e = q->exp;
        quantity_format f = q->format;
        if (f < 0 || f >= _QUANTITY_FORMAT_MAX)
                f = QUANTITY_DECIMAL_EXPONENT;

        if (f == QUANTITY_BINARY_SI) {
                u128 v;
                /* |x| < 1024 and fractions are written in DecimalSI, as is
                 * anything beyond Ei (upstream would drop the suffix). */
                if (e < 0 || !mul_pow10(m, e, &v) || v < 1024) {
                        f = QUANTITY_DECIMAL_SI;
                } else {
                        unsigned k = 0;
                        while (v % 1024 == 0 && k < 7) {
                                v /= 1024;
                                k++;
                        }
                        if (k < ELEMENTSOF(bin)) {
                                p = put_u128(p, v);
                                strcpy(p, bin[k]);
                                return buf;
                        }
                        f = QUANTITY_DECIMAL_SI;
                }
        }

        /* Lower the exponent to a multiple of three. */
        int64_t r = ((e % 3) + 3) % 3;
        e -= r;
        p = put_u128(p, m);
        while (r--)
                *p++ = '0';
        if (f == QUANTITY_DECIMAL_SI && e <= 18) {
                strcpy(p, si[(e + 9) / 3]);
                return buf;
        }
        /* DecimalExponent; also DecimalSI beyond E, which upstream writes
         * without any suffix (changing the value). */
        if (e != 0)
                snprintf(p, QUANTITY_STRING_MAX - (size_t)(p - buf), "e%" PRId64, e);
        else
                *p = 0;
        return buf;
}

char *quantity_to_string(const quantity *q) {
        char buf[QUANTITY_STRING_MAX];
        return xstrdup(quantity_format_buf(q, buf));
}
