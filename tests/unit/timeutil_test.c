/* SPDX-License-Identifier: Apache-2.0 */
/* RFC 3339 times: what Go's time.Parse(time.RFC3339) accepts and rejects
 * (with its messages), and metav1.Time / MicroTime formatting. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "tests/tap.h"
#include "timeutil.h"

#define LAYOUT " as \"2006-01-02T15:04:05Z07:00\": cannot parse "

static void test_parse_ok(void) {
        static const struct {
                const char *in, *utc, *micro;
        } table[] = {
                { "2006-01-02T15:04:05Z", "2006-01-02T15:04:05Z", "2006-01-02T15:04:05.000000Z" },
                { "2006-01-02T15:04:05+07:00", "2006-01-02T08:04:05Z", NULL },
                { "2006-01-02T15:04:05-07:00", "2006-01-02T22:04:05Z", NULL },
                { "2006-01-02T23:30:00-02:00", "2006-01-03T01:30:00Z", NULL },
                { "2006-01-02T15:04:05.999999999Z", "2006-01-02T15:04:05Z",
                  "2006-01-02T15:04:05.999999Z" },
                { "2006-01-02T15:04:05.5Z", "2006-01-02T15:04:05Z", "2006-01-02T15:04:05.500000Z" },
                { "2006-01-02T15:04:05,25Z", "2006-01-02T15:04:05Z",
                  "2006-01-02T15:04:05.250000Z" },
                { "2006-01-02T15:04:05.1234567891234Z", NULL, "2006-01-02T15:04:05.123456Z" },
                { "2006-01-02T15:04:05.000001+01:00", "2006-01-02T14:04:05Z",
                  "2006-01-02T14:04:05.000001Z" },
                { "2006-01-02T9:04:05Z", "2006-01-02T09:04:05Z", NULL },
                { "2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z", NULL },
                { "2000-02-29T12:00:00Z", "2000-02-29T12:00:00Z", NULL },
                { "1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z", NULL },
                { "1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z", NULL },
                { "9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z", NULL },
                { "0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z", NULL },
                { "0000-01-01T00:00:00+01:00", "-0001-12-31T23:00:00Z", NULL },
                { "2006-01-02T15:04:05+24:00", "2006-01-01T15:04:05Z", NULL },
                { "2006-01-02T15:04:05+23:60", "2006-01-01T15:04:05Z", NULL },
                { "2006-12-31T23:59:59-00:01", "2007-01-01T00:00:59Z", NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                tm_time t;
                char buf[TIME_RFC3339_MAX];
                _cleanup_error_ tm_error *err = NULL;
                int r = time_parse_rfc3339(table[i].in, &t, &err);
                is_int(r, 0, "parse %s%s%s", table[i].in, err ? ": " : "",
                       err ? tm_error_msg(err) : "");
                if (r < 0)
                        continue;
                if (table[i].utc)
                        is_str(time_format_rfc3339(t, buf), table[i].utc, "%s -> %s", table[i].in,
                               table[i].utc);
                if (table[i].micro)
                        is_str(time_format_rfc3339_micro(t, buf), table[i].micro, "%s -> %s",
                               table[i].in, table[i].micro);
        }

        tm_time t;
        time_parse_rfc3339("2006-01-02T15:04:05Z", &t, NULL);
        is_int(t.sec, 1136214245, "seconds since the epoch");
        is_int(t.nsec, 0, "no fraction");
        time_parse_rfc3339("2006-01-02T15:04:05.000000123Z", &t, NULL);
        is_int(t.nsec, 123, "nanoseconds kept");
        time_parse_rfc3339("1969-12-31T23:59:59.5Z", &t, NULL);
        is_int(t.sec, -1, "before the epoch: seconds");
        is_int(t.nsec, 500000000, "before the epoch: fraction");
}

static void test_parse_errors(void) {
        static const struct {
                const char *in, *msg;
        } table[] = {
                { "", "parsing time \"\"" LAYOUT "\"\" as \"2006\"" },
                { "abc", "parsing time \"abc\"" LAYOUT "\"abc\" as \"2006\"" },
                { "06-01-02T15:04:05Z", "parsing time \"06-01-02T15:04:05Z\"" LAYOUT
                                        "\"06-01-02T15:04:05Z\" as \"2006\"" },
                { "2006-1-02T15:04:05Z",
                  "parsing time \"2006-1-02T15:04:05Z\"" LAYOUT "\"1-02T15:04:05Z\" as \"01\"" },
                { "2006/01/02T15:04:05Z",
                  "parsing time \"2006/01/02T15:04:05Z\"" LAYOUT "\"/01/02T15:04:05Z\" as \"-\"" },
                { "2006-01-02 15:04:05Z",
                  "parsing time \"2006-01-02 15:04:05Z\"" LAYOUT "\" 15:04:05Z\" as \"T\"" },
                { "2006-01-02t15:04:05Z",
                  "parsing time \"2006-01-02t15:04:05Z\"" LAYOUT "\"t15:04:05Z\" as \"T\"" },
                { "2006-01-02T15:04:05",
                  "parsing time \"2006-01-02T15:04:05\"" LAYOUT "\"\" as \"Z07:00\"" },
                { "2006-01-02T15:04:05z",
                  "parsing time \"2006-01-02T15:04:05z\"" LAYOUT "\"z\" as \"Z07:00\"" },
                { "2006-01-02T15:04:05+0700",
                  "parsing time \"2006-01-02T15:04:05+0700\"" LAYOUT "\"+0700\" as \"Z07:00\"" },
                { "2006-01-02T15:04:05 07:00",
                  "parsing time \"2006-01-02T15:04:05 07:00\"" LAYOUT "\" 07:00\" as \"Z07:00\"" },
                { "2006-01-02T15:04Z",
                  "parsing time \"2006-01-02T15:04Z\"" LAYOUT "\"Z\" as \":\"" },
                { "2006-01-02T15:04:5Z",
                  "parsing time \"2006-01-02T15:04:5Z\"" LAYOUT "\"5Z\" as \"05\"" },
                { "2006-01-02T15:04:05.Z",
                  "parsing time \"2006-01-02T15:04:05.Z\"" LAYOUT "\".Z\" as \"Z07:00\"" },
                { "2006-01-02T15:04:05ZZ",
                  "parsing time \"2006-01-02T15:04:05ZZ\": extra text: \"Z\"" },
                { "2006-01-02T15:04:05Z ",
                  "parsing time \"2006-01-02T15:04:05Z \": extra text: \" \"" },
                { "2006-13-02T15:04:05Z",
                  "parsing time \"2006-13-02T15:04:05Z\": month out of range" },
                { "2006-00-02T15:04:05Z",
                  "parsing time \"2006-00-02T15:04:05Z\": month out of range" },
                { "2023-02-29T00:00:00Z",
                  "parsing time \"2023-02-29T00:00:00Z\": day out of range" },
                { "2006-04-31T00:00:00Z",
                  "parsing time \"2006-04-31T00:00:00Z\": day out of range" },
                { "2006-01-00T00:00:00Z",
                  "parsing time \"2006-01-00T00:00:00Z\": day out of range" },
                { "2006-01-02T24:00:00Z",
                  "parsing time \"2006-01-02T24:00:00Z\": hour out of range" },
                { "2006-01-02T15:60:00Z",
                  "parsing time \"2006-01-02T15:60:00Z\": minute out of range" },
                { "2006-01-02T15:04:60Z",
                  "parsing time \"2006-01-02T15:04:60Z\": second out of range" },
                { "2006-01-02T15:04:05+25:00", "parsing time \"2006-01-02T15:04:05+25:00\": time "
                                               "zone offset hour out of range" },
                { "2006-01-02T15:04:05+01:61", "parsing time \"2006-01-02T15:04:05+01:61\": time "
                                               "zone offset minute out of range" },
                { "2006-01-02T15:04:05\xc3\xa9",
                  "parsing time \"2006-01-02T15:04:05\\xc3\\xa9\"" LAYOUT
                  "\"\\xc3\\xa9\" as \"Z07:00\"" },
                { "2006-01-02T15:04:05\"",
                  "parsing time \"2006-01-02T15:04:05\\\"\"" LAYOUT "\"\\\"\" as \"Z07:00\"" },
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                tm_time t = { 42, 0 };
                _cleanup_error_ tm_error *err = NULL;
                is_int(time_parse_rfc3339(table[i].in, &t, &err), -EINVAL, "'%s' rejected",
                       table[i].in);
                is_str(tm_error_msg(err), table[i].msg, "'%s' message", table[i].in);
                is_int(t.sec, 42, "'%s' left the output alone", table[i].in);
        }
        tm_time t;
        is_int(time_parse_rfc3339n("2006-01-02T15:04:05Z\0", 21, &t, NULL), -EINVAL,
               "embedded NUL is extra text");
}

static void test_civil(void) {
        static const struct {
                int64_t y;
                unsigned m, d;
                int64_t days;
        } table[] = {
                { 1970, 1, 1, 0 },         { 1969, 12, 31, -1 },    { 2000, 3, 1, 11017 },
                { 2000, 2, 29, 11016 },    { 1600, 1, 1, -135140 }, { 0, 1, 1, -719528 },
                { 9999, 12, 31, 2932896 }, { 2038, 1, 19, 24855 },
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                int64_t y;
                unsigned m, d;
                is_int(time_days_from_civil(table[i].y, table[i].m, table[i].d), table[i].days,
                       "%04" PRId64 "-%02u-%02u is day %" PRId64, table[i].y, table[i].m,
                       table[i].d, table[i].days);
                time_civil_from_days(table[i].days, &y, &m, &d);
                ok(y == table[i].y && m == table[i].m && d == table[i].d, "day %" PRId64 " back",
                   table[i].days);
        }
        bool all = true;
        for (int64_t z = -800000; z < 3000000 && all; z += 7) {
                int64_t y;
                unsigned m, d;
                time_civil_from_days(z, &y, &m, &d);
                all = time_days_from_civil(y, m, d) == z && m >= 1 && m <= 12 && d >= 1 && d <= 31;
        }
        ok(all, "civil dates round trip over 10,000 years");
}

static void test_now(void) {
        _cleanup_free_ char *now = time_now_rfc3339();
        _cleanup_free_ char *micro = time_now_rfc3339_micro();
        tm_time t, t2;
        is_int(strlen(now), 20, "metav1.Time is 20 characters: %s", now);
        ok(now[19] == 'Z' && now[10] == 'T', "ends in Z");
        is_int(strlen(micro), 27, "metav1.MicroTime is 27 characters: %s", micro);
        is_int(time_parse_rfc3339(now, &t, NULL), 0, "now parses back");
        is_int(time_parse_rfc3339(micro, &t2, NULL), 0, "micro now parses back");
        ok(time_cmp(t, t2) <= 0, "seconds-precision now is not after micro now");
        ok(t2.sec - t.sec < 5, "within seconds");
        is_int(time_cmp((tm_time){ 1, 5 }, (tm_time){ 1, 6 }), -1, "cmp nsec");
        is_int(time_cmp((tm_time){ 2, 0 }, (tm_time){ 1, 6 }), 1, "cmp sec");
        is_int(time_cmp((tm_time){ 2, 3 }, (tm_time){ 2, 3 }), 0, "cmp equal");
        tm_time tr = time_truncate_seconds((tm_time){ 7, 9 });
        ok(tr.sec == 7 && tr.nsec == 0, "truncate");
}

int main(void) {
        test_parse_ok();
        test_parse_errors();
        test_civil();
        test_now();
        return tap_done();
}
