/* SPDX-License-Identifier: Apache-2.0 */
/* RFC 3339 times as Kubernetes writes them: metav1.Time is
 * "2006-01-02T15:04:05Z" (seconds, UTC), metav1.MicroTime is
 * "2006-01-02T15:04:05.000000Z". Parsing accepts what Go's
 * time.Parse(time.RFC3339, s) accepts — numeric offsets ("+02:00"),
 * fractional seconds with '.' or ',' (beyond 9 digits truncated), a one-digit
 * hour — and fails with Go's error text, so API errors read the same. */
#ifndef TIMONIER_TIMEUTIL_H
#define TIMONIER_TIMEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tmerror.h"

/* An instant: seconds since the Unix epoch (UTC) and nanoseconds. */
typedef struct tm_time {
        int64_t sec;
        int32_t nsec; /* 0 ... 999999999 */
} tm_time;

/* "2006-01-02T15:04:05.000000Z" and its NUL, with room for odd years. */
#define TIME_RFC3339_MAX 40

/* Go's layout strings, as they appear in its error messages. */
#define TIME_LAYOUT_RFC3339 "2006-01-02T15:04:05Z07:00"

int time_parse_rfc3339(const char *s, tm_time *ret, tm_error **err);
int time_parse_rfc3339n(const char *s, size_t len, tm_time *ret, tm_error **err);

/* metav1.Time: "2006-01-02T15:04:05Z" (fraction dropped). Returns buf. */
const char *time_format_rfc3339(tm_time t, char buf[static TIME_RFC3339_MAX]);
/* metav1.MicroTime: "2006-01-02T15:04:05.000000Z" (truncated to µs). */
const char *time_format_rfc3339_micro(tm_time t, char buf[static TIME_RFC3339_MAX]);

tm_time time_now(void);
/* The current time, malloc'd, in metav1.Time / MicroTime form. */
char *time_now_rfc3339(void);
char *time_now_rfc3339_micro(void);

int time_cmp(tm_time a, tm_time b); /* -1, 0, 1 */
/* Drop the fraction (what a round trip through metav1.Time does). */
static inline tm_time time_truncate_seconds(tm_time t) {
        return (tm_time){ .sec = t.sec, .nsec = 0 };
}

/* Civil date <-> days since 1970-01-01 (proleptic Gregorian). */
int64_t time_days_from_civil(int64_t year, unsigned month, unsigned day);
void time_civil_from_days(int64_t days, int64_t *ret_year, unsigned *ret_month, unsigned *ret_day);

#endif
