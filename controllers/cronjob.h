/* SPDX-License-Identifier: Apache-2.0 */
/* CronJob schedules (cronjob_logic.c): the standard 5 fields (minute hour
 * day-of-month month day-of-week; lists, ranges, steps, month and day
 * names) and the @yearly … @hourly macros, evaluated in UTC. */
#ifndef TIMONIER_CONTROLLERS_CRONJOB_H
#define TIMONIER_CONTROLLERS_CRONJOB_H

#include <stdbool.h>
#include <stdint.h>

#include "tmerror.h"

typedef struct cron_schedule {
        uint64_t minute; /* bit i: minute i */
        uint32_t hour;
        uint32_t dom;   /* bits 1..31 */
        uint16_t month; /* bits 1..12 */
        uint8_t dow;    /* bits 0..6, Sunday 0 */
        bool dom_any, dow_any;
} cron_schedule;

int cron_parse(const char *s, cron_schedule *ret, tm_error **err);
/* The first scheduled time (s since the epoch, a whole minute) after `t`,
 * or -1 if none within 5 years. */
int64_t cron_next(const cron_schedule *c, int64_t t);
/* The latest scheduled time in (from, to], or -1; *ret_missed counts them
 * (stopping at 100). */
int64_t cron_last_in(const cron_schedule *c, int64_t from, int64_t to, int *ret_missed);

#endif
