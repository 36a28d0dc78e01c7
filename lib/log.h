/* SPDX-License-Identifier: Apache-2.0 */
/* Leveled logging to stderr.
 *
 * When stderr is connected to journald (JOURNAL_STREAM names it), each line
 * starts with the syslog priority prefix "<N>" that journald understands, and
 * nothing else: journald adds the time and the identifier. Otherwise a line
 * reads "2026-01-02T03:04:05.678Z I ident: message". Only daemons' main code
 * logs; library code returns errors (doc/error-handling.md). */
#ifndef TIMONIER_LOG_H
#define TIMONIER_LOG_H

#include <syslog.h>

#include "util.h"

/* Levels are syslog's: LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG. */
void log_set_level(int level);
int log_get_level(void);
/* "error", "warning", "notice", "info", "debug", or a number 0-7. */
int log_level_from_string(const char *s);
void log_set_ident(const char *ident);
/* Re-check JOURNAL_STREAM (called by log_set_ident too). */
void log_open(void);

/* Returns -abs(errnum) when errnum != 0, else 0, so that
 * `return log_error_errno(r, "...")` propagates r. */
int log_internal(int level, int errnum, const char *fmt, ...) _printf_(3, 4);

#define log_full(level, ...) \
        ((level) <= log_get_level() ? log_internal((level), 0, __VA_ARGS__) : 0)
#define log_debug(...)            log_full(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)             log_full(LOG_INFO, __VA_ARGS__)
#define log_notice(...)           log_full(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...)          log_full(LOG_WARNING, __VA_ARGS__)
#define log_error(...)            log_full(LOG_ERR, __VA_ARGS__)
/* Appends ": <strerror>" and returns -abs(r), whatever the level. */
#define log_error_errno(r, ...)   log_internal(LOG_ERR, (r), __VA_ARGS__)
#define log_warning_errno(r, ...) log_internal(LOG_WARNING, (r), __VA_ARGS__)

#endif
