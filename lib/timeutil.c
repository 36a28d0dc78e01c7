/* SPDX-License-Identifier: Apache-2.0 */
/* RFC 3339 times; see timeutil.h. The parser follows the steps of Go's
 * time.Parse for the RFC3339 layout, element by element, so that it accepts
 * the same strings and fails with the same messages. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "strbuf.h"
#include "timeutil.h"

int64_t time_days_from_civil(int64_t y, unsigned m, unsigned d) {
        /* Count from 0000-03-01 in 400-year eras, so that the leap day is
         * the last day of a year. */
        y -= m <= 2;
        int64_t era = (y >= 0 ? y : y - 399) / 400;
        int64_t yoe = y - era * 400;
        int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
}

void time_civil_from_days(int64_t z, int64_t *ret_year, unsigned *ret_month, unsigned *ret_day) {
        z += 719468;
        int64_t era = (z >= 0 ? z : z - 146096) / 146097;
        int64_t doe = z - era * 146097;
        int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        int64_t mp = (5 * doy + 2) / 153;
        unsigned d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
        unsigned m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
        *ret_year = yoe + era * 400 + (m <= 2);
        *ret_month = m;
        *ret_day = d;
}

static bool is_leap(int64_t y) {
        return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static unsigned days_in(unsigned m, int64_t y) {
        static const unsigned days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Go's time.quote: bytes outside printable ASCII as \xNN. */
static void quote(strbuf *b, const char *s, size_t n) {
        strbuf_putc(b, '"');
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c >= 0x80 || c < ' ')
                        strbuf_printf(b, "\\x%02x", c);
                else {
                        if (c == '"' || c == '\\')
                                strbuf_putc(b, '\\');
                        strbuf_putc(b, (char)c);
                }
        }
        strbuf_putc(b, '"');
}

typedef struct parse_state {
        const char *all;
        size_t all_len;
        const char *v; /* the rest of the value */
        size_t n;
        tm_error **err;
} parse_state;

/* "parsing time "<value>" as "<layout>": cannot parse "<elem>" as "<std>"" */
static int cannot_parse(parse_state *st, const char *elem, size_t elem_len, const char *std) {
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        strbuf_puts(&b, "parsing time ");
        quote(&b, st->all, st->all_len);
        strbuf_puts(&b, " as \"" TIME_LAYOUT_RFC3339 "\": cannot parse ");
        quote(&b, elem, elem_len);
        strbuf_printf(&b, " as \"%s\"", std);
        return tm_error_set(st->err, -EINVAL, "%s", b.data);
}

/* "parsing time "<value>": <what>" */
static int parse_message(parse_state *st, const char *what, const char *extra, size_t extra_len) {
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        strbuf_puts(&b, "parsing time ");
        quote(&b, st->all, st->all_len);
        strbuf_puts(&b, what);
        if (extra)
                quote(&b, extra, extra_len);
        return tm_error_set(st->err, -EINVAL, "%s", b.data);
}

static int out_of_range(parse_state *st, const char *what) {
        char msg[64];
        snprintf(msg, sizeof(msg), ": %s out of range", what);
        return parse_message(st, msg, NULL, 0);
}

static bool digit_at(const char *s, size_t n, size_t i) {
        return i < n && s[i] >= '0' && s[i] <= '9';
}

/* Go's getnum: one or two digits (exactly two if fixed). */
static bool getnum(parse_state *st, bool fixed, int *ret) {
        if (!digit_at(st->v, st->n, 0))
                return false;
        if (!digit_at(st->v, st->n, 1)) {
                if (fixed)
                        return false;
                *ret = st->v[0] - '0';
                st->v++, st->n--;
                return true;
        }
        *ret = (st->v[0] - '0') * 10 + (st->v[1] - '0');
        st->v += 2, st->n -= 2;
        return true;
}

static bool skip(parse_state *st, char c) {
        if (st->n == 0 || st->v[0] != c)
                return false;
        st->v++, st->n--;
        return true;
}

int time_parse_rfc3339n(const char *s, size_t len, tm_time *ret, tm_error **err) {
        parse_state st = { .all = s, .all_len = len, .v = s, .n = len, .err = err };
        int year = 0, month = 0, day = 0, hour = 0, min = 0, sec = 0, nsec = 0;
        int64_t offset = 0;

        /* Each element: the literal before it must match exactly, then the
         * number; a failure names the rest of the value. */
#define SKIP(c)                                                                 \
        do {                                                                    \
                if (!skip(&st, c))                                              \
                        return cannot_parse(&st, st.v, st.n, (char[]){ c, 0 }); \
        } while (0)
#define GETNUM(var, fixed, std)                                      \
        do {                                                         \
                const char *hold = st.v;                             \
                size_t hold_n = st.n;                                \
                if (!getnum(&st, fixed, &var))                       \
                        return cannot_parse(&st, hold, hold_n, std); \
        } while (0)

        if (st.n < 4 || !digit_at(st.v, st.n, 0) || !digit_at(st.v, st.n, 1) ||
            !digit_at(st.v, st.n, 2) || !digit_at(st.v, st.n, 3))
                return cannot_parse(&st, st.v, st.n, "2006");
        for (int i = 0; i < 4; i++)
                year = year * 10 + (st.v[i] - '0');
        st.v += 4, st.n -= 4;
        SKIP('-');
        GETNUM(month, true, "01");
        if (month < 1 || month > 12)
                return out_of_range(&st, "month");
        SKIP('-');
        GETNUM(day, true, "02");
        SKIP('T');
        GETNUM(hour, false, "15");
        if (hour >= 24)
                return out_of_range(&st, "hour");
        SKIP(':');
        GETNUM(min, true, "04");
        if (min >= 60)
                return out_of_range(&st, "minute");
        SKIP(':');
        GETNUM(sec, true, "05");
        if (sec >= 60)
                return out_of_range(&st, "second");
        /* A fraction the layout does not ask for is still read: '.' or ','
         * and digits, of which the first nine count. */
        if (st.n >= 2 && (st.v[0] == '.' || st.v[0] == ',') && digit_at(st.v, st.n, 1)) {
                size_t k = 1;
                for (; digit_at(st.v, st.n, k); k++)
                        if (k <= 9)
                                nsec = nsec * 10 + (st.v[k] - '0');
                for (size_t i = k; i <= 9; i++)
                        nsec *= 10;
                st.v += k, st.n -= k;
        }

        const char *hold = st.v;
        size_t hold_n = st.n;
        if (st.n >= 1 && st.v[0] == 'Z') {
                st.v++, st.n--;
        } else {
                if (st.n < 6 || st.v[3] != ':')
                        return cannot_parse(&st, hold, hold_n, "Z07:00");
                char sign = st.v[0];
                parse_state h = st, m = st;
                int hr = 0, mm = 0;
                h.v = st.v + 1, h.n = 2;
                m.v = st.v + 4, m.n = 2;
                bool good = getnum(&h, true, &hr) && getnum(&m, true, &mm);
                st.v += 6, st.n -= 6;
                /* Go allows offsets of 24 hours or 60 minutes. */
                if (hr > 24)
                        return out_of_range(&st, "time zone offset hour");
                if (mm > 60)
                        return out_of_range(&st, "time zone offset minute");
                if (!good || (sign != '+' && sign != '-'))
                        return cannot_parse(&st, hold, hold_n, "Z07:00");
                offset = (int64_t)(hr * 60 + mm) * 60;
                if (sign == '-')
                        offset = -offset;
        }
        if (st.n > 0)
                return parse_message(&st, ": extra text: ", st.v, st.n);
        if (day < 1 || (unsigned)day > days_in((unsigned)month, year))
                return out_of_range(&st, "day");
#undef SKIP
#undef GETNUM

        int64_t days = time_days_from_civil(year, (unsigned)month, (unsigned)day);
        ret->sec = days * 86400 + hour * 3600 + min * 60 + sec - offset;
        ret->nsec = nsec;
        return 0;
}

int time_parse_rfc3339(const char *s, tm_time *ret, tm_error **err) {
        if (!s)
                return tm_error_set(err, -EINVAL, "no time given");
        return time_parse_rfc3339n(s, strlen(s), ret, err);
}

static int64_t floor_div(int64_t a, int64_t b) {
        int64_t q = a / b;
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static const char *format(tm_time t, bool micro, char *buf) {
        int64_t days = floor_div(t.sec, 86400), rest = t.sec - days * 86400;
        int64_t y;
        unsigned m, d;
        time_civil_from_days(days, &y, &m, &d);
        /* Go writes a year with at least four digits, '-' before. */
        int n = snprintf(buf, TIME_RFC3339_MAX, "%s%04" PRId64 "-%02u-%02uT%02d:%02d:%02d",
                         y < 0 ? "-" : "", y < 0 ? -y : y, m, d, (int)(rest / 3600),
                         (int)(rest / 60 % 60), (int)(rest % 60));
        if (n < 0 || n >= TIME_RFC3339_MAX - 9)
                n = 0; /* cannot happen for years of int64 seconds */
        if (micro)
                snprintf(buf + n, TIME_RFC3339_MAX - (size_t)n, ".%06dZ", t.nsec / 1000);
        else
                snprintf(buf + n, TIME_RFC3339_MAX - (size_t)n, "Z");
        return buf;
}

const char *time_format_rfc3339(tm_time t, char buf[static TIME_RFC3339_MAX]) {
        return format(t, false, buf);
}

const char *time_format_rfc3339_micro(tm_time t, char buf[static TIME_RFC3339_MAX]) {
        return format(t, true, buf);
}

tm_time time_now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (tm_time){ .sec = ts.tv_sec, .nsec = (int32_t)ts.tv_nsec };
}

char *time_now_rfc3339(void) {
        char buf[TIME_RFC3339_MAX];
        return xstrdup(time_format_rfc3339(time_now(), buf));
}

char *time_now_rfc3339_micro(void) {
        char buf[TIME_RFC3339_MAX];
        return xstrdup(time_format_rfc3339_micro(time_now(), buf));
}

int time_cmp(tm_time a, tm_time b) {
        if (a.sec != b.sec)
                return a.sec < b.sec ? -1 : 1;
        return a.nsec < b.nsec ? -1 : a.nsec > b.nsec;
}
