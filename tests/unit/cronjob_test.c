/* SPDX-License-Identifier: Apache-2.0 */
/* Cron schedules (cronjob_logic.c): parsing and next/last times. */
#include "config.h"

#include "controllers/cronjob.h"
#include "tests/tap.h"
#include "util.h"

#define T0 INT64_C(1767225600) /* 2026-01-01T00:00:00Z, a Thursday */

static int64_t next_of(const char *spec, int64_t t) {
        cron_schedule c;
        if (cron_parse(spec, &c, NULL) < 0)
                return -2;
        return cron_next(&c, t);
}

static bool parses(const char *spec) {
        cron_schedule c;
        _cleanup_error_ tm_error *err = NULL;
        return cron_parse(spec, &c, &err) == 0;
}

int main(void) {
        is_int(next_of("*/1 * * * *", T0), T0 + 60, "every minute: the next minute");
        is_int(next_of("* * * * *", T0 + 59), T0 + 60, "from within a minute, the next one");
        is_int(next_of("*/15 * * * *", T0 + 60), T0 + 15 * 60, "*/15");
        is_int(next_of("5/15 * * * *", T0 + 6 * 60), T0 + 20 * 60, "5/15 goes on to the end");
        is_int(next_of("30 2 * * *", T0), T0 + 2 * 3600 + 1800, "30 2 * * *");
        is_int(next_of("0 9-17/4 * * *", T0), T0 + 9 * 3600, "ranges with steps");
        is_int(next_of("0 9-17/4 * * *", T0 + 9 * 3600), T0 + 13 * 3600, "the next step");
        is_int(next_of("0 0,12 * * *", T0), T0 + 12 * 3600, "lists");
        is_int(next_of("@hourly", T0), T0 + 3600, "@hourly");
        is_int(next_of("@daily", T0), T0 + 86400, "@daily");
        is_int(next_of("@midnight", T0 + 5), T0 + 86400, "@midnight");
        is_int(next_of("@weekly", T0), T0 + 3 * 86400, "@weekly: Sunday 2026-01-04");
        is_int(next_of("@monthly", T0), T0 + 31 * 86400, "@monthly: 2026-02-01");
        is_int(next_of("@yearly", T0), INT64_C(1798761600), "@yearly: 2027-01-01");
        is_int(next_of("@annually", T0), INT64_C(1798761600), "@annually");
        is_int(next_of("0 0 * * mon", T0), T0 + 4 * 86400, "day names: Monday 2026-01-05");
        is_int(next_of("0 0 1 mar *", T0), INT64_C(1772323200), "month names: 2026-03-01");
        is_int(next_of("0 0 29 2 *", T0), INT64_C(1835395200), "Feb 29: 2028");
        /* Both day fields restricted: either matches. */
        is_int(next_of("0 0 15 * fri", T0), T0 + 1 * 86400, "dom or dow: Friday 2nd first");
        is_int(next_of("0 0 15 * *", T0), T0 + 14 * 86400, "dom alone: the 15th");
        is_int(next_of("0 0 30 2 *", T0), -1, "a date that never comes: -1");

        ok(!parses("* * * *"), "4 fields rejected");
        ok(!parses("* * * * * *"), "6 fields rejected");
        ok(!parses("60 * * * *"), "minute 60 rejected");
        ok(!parses("* 24 * * *"), "hour 24 rejected");
        ok(!parses("* * 0 * *"), "day 0 rejected");
        ok(!parses("* * * 13 *"), "month 13 rejected");
        ok(!parses("* * * * 7"), "weekday 7 rejected (as upstream's parser)");
        ok(!parses("*/0 * * * *"), "step 0 rejected");
        ok(!parses("5-1 * * * *"), "a backwards range rejected");
        ok(!parses("@often"), "an unknown macro rejected");
        ok(!parses("a * * * *"), "garbage rejected");
        ok(!parses(""), "empty rejected");
        ok(parses(" 0  0 * * SUN "), "spaces and upper-case names accepted");

        cron_schedule c;
        cron_parse("*/1 * * * *", &c, NULL);
        int missed = 0;
        is_int(cron_last_in(&c, T0 - 1, T0 + 150, &missed), T0 + 120,
               "the latest time in (from, to]");
        is_int(missed, 3, "and how many were missed");
        is_int(cron_last_in(&c, T0, T0 + 59, &missed), -1, "none in (T0, T0+59]");
        cron_last_in(&c, T0, T0 + 86400, &missed);
        is_int(missed, 100, "missed times counted up to 100");
        return tap_done();
}
