/* SPDX-License-Identifier: Apache-2.0 */
/* Cron schedules (cronjob.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "controllers/cronjob.h"
#include "util.h"

static const char *const month_names[] = { "jan", "feb", "mar", "apr", "may", "jun", "jul",
                                           "aug", "sep", "oct", "nov", "dec", NULL };
static const char *const dow_names[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL };

/* A number or (names != NULL) a three-letter name; names[i] is base + i. */
static int parse_value(const char **p, const char *const *names, int base, int *ret) {
        if (names) {
                for (int i = 0; names[i]; i++)
                        if (strncasecmp(*p, names[i], 3) == 0) {
                                *p += 3;
                                *ret = base + i;
                                return 0;
                        }
        }
        if (**p < '0' || **p > '9')
                return -EINVAL;
        int v = 0;
        while (**p >= '0' && **p <= '9') {
                v = v * 10 + (**p - '0');
                if (v > 1000)
                        return -EINVAL;
                (*p)++;
        }
        *ret = v;
        return 0;
}

/* One field into bits lo..hi of *ret; *ret_any when it is "*" (or "?"). */
static int parse_field(const char *f, size_t len, int lo, int hi, const char *const *names,
                       int name_base, uint64_t *ret, bool *ret_any) {
        _cleanup_free_ char *s = xstrndup(f, len);
        uint64_t bits = 0;
        bool any = false;
        char *save = NULL;
        for (char *part = strtok_r(s, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
                const char *p = part;
                int a, b, step = 1;
                if (*p == '*' || *p == '?') {
                        a = lo, b = hi;
                        p++;
                        if (!strchr(part, '/'))
                                any = true;
                } else {
                        if (parse_value(&p, names, name_base, &a) < 0)
                                return -EINVAL;
                        b = a;
                        if (*p == '-') {
                                p++;
                                if (parse_value(&p, names, name_base, &b) < 0)
                                        return -EINVAL;
                        }
                }
                if (*p == '/') {
                        p++;
                        if (parse_value(&p, NULL, 0, &step) < 0 || step <= 0)
                                return -EINVAL;
                        if (a == b && part[0] != '*')
                                b = hi; /* "5/15": from 5 to the end */
                }
                if (*p || a < lo || b > hi || a > b)
                        return -EINVAL;
                for (int v = a; v <= b; v += step)
                        bits |= UINT64_C(1) << v;
        }
        if (!bits)
                return -EINVAL;
        *ret = bits;
        *ret_any = any;
        return 0;
}

static const struct {
        const char *name, *expansion;
} macros[] = {
        { "@yearly", "0 0 1 1 *" }, { "@annually", "0 0 1 1 *" }, { "@monthly", "0 0 1 * *" },
        { "@weekly", "0 0 * * 0" }, { "@daily", "0 0 * * *" },    { "@midnight", "0 0 * * *" },
        { "@hourly", "0 * * * *" },
};

int cron_parse(const char *s, cron_schedule *ret, tm_error **err) {
        if (!s)
                return tm_error_set(err, -EINVAL, "empty schedule");
        const char *orig = s;
        while (*s == ' ' || *s == '\t')
                s++;
        if (*s == '@') {
                size_t n = strcspn(s, " \t");
                const char *rest = s + n + strspn(s + n, " \t");
                for (size_t i = 0; i < ELEMENTSOF(macros); i++)
                        if (strlen(macros[i].name) == n && strncasecmp(s, macros[i].name, n) == 0 &&
                            !*rest)
                                return cron_parse(macros[i].expansion, ret, err);
                return tm_error_set(err, -EINVAL, "unrecognized descriptor: %s", orig);
        }
        static const int lo[] = { 0, 0, 1, 1, 0 }, hi[] = { 59, 23, 31, 12, 6 };
        uint64_t bits[5];
        bool any[5];
        for (int i = 0; i < 5; i++) {
                while (*s == ' ' || *s == '\t')
                        s++;
                size_t n = strcspn(s, " \t");
                if (n == 0)
                        return tm_error_set(err, -EINVAL, "expected exactly 5 fields, found %d: %s",
                                            i, orig);
                const char *const *names = i == 3 ? month_names : i == 4 ? dow_names : NULL;
                if (parse_field(s, n, lo[i], hi[i], names, i == 3 ? 1 : 0, &bits[i], &any[i]) < 0)
                        return tm_error_set(err, -EINVAL, "failed to parse field %d of: %s", i + 1,
                                            orig);
                s += n;
        }
        while (*s == ' ' || *s == '\t')
                s++;
        if (*s)
                return tm_error_set(err, -EINVAL, "expected exactly 5 fields, found more: %s",
                                    orig);
        *ret = (cron_schedule){ .minute = bits[0],
                                .hour = (uint32_t)bits[1],
                                .dom = (uint32_t)bits[2],
                                .month = (uint16_t)bits[3],
                                .dow = (uint8_t)bits[4],
                                .dom_any = any[2],
                                .dow_any = any[4] };
        return 0;
}

static bool day_matches(const cron_schedule *c, const struct tm *tm) {
        bool dom = c->dom & (UINT32_C(1) << tm->tm_mday);
        bool dow = c->dow & (1u << tm->tm_wday);
        /* Both restricted: either one will do (cron's rule). */
        if (!c->dom_any && !c->dow_any)
                return dom || dow;
        return dom && dow;
}

int64_t cron_next(const cron_schedule *c, int64_t t) {
        time_t cur = (time_t)((t / 60 + 1) * 60);
        if (t < 0)
                cur = 0;
        time_t limit = cur + (time_t)5 * 366 * 86400;
        struct tm tm;
        while (cur <= limit) {
                if (!gmtime_r(&cur, &tm))
                        return -1;
                if (!(c->month & (1u << (tm.tm_mon + 1)))) {
                        tm.tm_mon++, tm.tm_mday = 1, tm.tm_hour = 0, tm.tm_min = 0;
                } else if (!day_matches(c, &tm)) {
                        tm.tm_mday++, tm.tm_hour = 0, tm.tm_min = 0;
                } else if (!(c->hour & (UINT32_C(1) << tm.tm_hour))) {
                        tm.tm_hour++, tm.tm_min = 0;
                } else if (!(c->minute & (UINT64_C(1) << tm.tm_min))) {
                        tm.tm_min++;
                } else
                        return (int64_t)cur;
                tm.tm_sec = 0;
                cur = timegm(&tm);
        }
        return -1;
}

int64_t cron_last_in(const cron_schedule *c, int64_t from, int64_t to, int *ret_missed) {
        int64_t last = -1;
        int n = 0;
        for (int64_t t = cron_next(c, from); t >= 0 && t <= to; t = cron_next(c, t)) {
                last = t;
                if (n < 100)
                        n++;
        }
        *ret_missed = n;
        return last;
}
