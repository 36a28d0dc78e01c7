/* SPDX-License-Identifier: Apache-2.0 */
/* The error convention (see doc/error-handling.md).
 *
 * A function that can fail returns an int: >= 0 on success, a negative errno
 * code on failure. Where the caller needs words it also takes a last
 * `tm_error **err` and fills it with a message; callers add context on the
 * way up with tm_error_wrap():
 *
 *     r = json_parse(body, len, NULL, &obj, err);
 *     if (r < 0)
 *             return tm_error_wrap(err, r, "decode pod \"%s\"", name);
 *
 * `err` may be NULL when the caller only wants the code. Library code never
 * logs an error it returns; the daemon logs it once. */
#ifndef TIMONIER_TMERROR_H
#define TIMONIER_TMERROR_H

#include "cleanup.h"
#include "util.h"

typedef struct tm_error {
        int code;  /* negative errno, e.g. -EINVAL */
        char *msg; /* "context: context: cause" */
} tm_error;

/* Set *err (if err is non-NULL) to a new error. Returns `code`, which must be
 * negative, so that `return tm_error_set(err, -EINVAL, "...")` reads well.
 * If *err is already set, the old error is replaced. */
int tm_error_set(tm_error **err, int code, const char *fmt, ...) _printf_(3, 4);
int tm_error_setv(tm_error **err, int code, const char *fmt, va_list ap) _printf_(3, 0);

/* Like tm_error_set(), with ": <strerror(-code)>" appended. */
int tm_error_set_errno(tm_error **err, int code, const char *fmt, ...) _printf_(3, 4);

/* Prefix the message of *err with "<context>: " and return `code` (the
 * callee's negative return value). If the callee set no message, one is made
 * from strerror(code), so the context is never lost. */
int tm_error_wrap(tm_error **err, int code, const char *fmt, ...) _printf_(3, 4);

/* The message of an error, or "unknown error" for NULL. */
const char *tm_error_msg(const tm_error *e);

void tm_error_free(tm_error *e);
DEFINE_CLEANUP_FUNC(tm_error, tm_error_free)
#define _cleanup_error_ _cleanup_(tm_error_freep)

#endif
