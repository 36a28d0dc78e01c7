/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmerror.h"

int tm_error_setv(tm_error **err, int code, const char *fmt, va_list ap) {
        if (code >= 0)
                code = -EIO;
        if (!err)
                return code;
        tm_error_free(*err);
        tm_error *e = xmalloc(sizeof *e);
        e->code = code;
        e->msg = xvasprintf(fmt, ap);
        *err = e;
        return code;
}

int tm_error_set(tm_error **err, int code, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = tm_error_setv(err, code, fmt, ap);
        va_end(ap);
        return r;
}

int tm_error_set_errno(tm_error **err, int code, const char *fmt, ...) {
        if (!err)
                return code < 0 ? code : -EIO;
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *m = xvasprintf(fmt, ap);
        va_end(ap);
        return tm_error_set(err, code, "%s: %s", m, strerror(code < 0 ? -code : code));
}

int tm_error_wrap(tm_error **err, int code, const char *fmt, ...) {
        if (code >= 0)
                code = -EIO;
        if (!err)
                return code;
        if (!*err)
                tm_error_set(err, code, "%s", strerror(-code));
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *ctx = xvasprintf(fmt, ap);
        va_end(ap);
        char *m = xasprintf("%s: %s", ctx, (*err)->msg);
        free((*err)->msg);
        (*err)->msg = m;
        return code;
}

const char *tm_error_msg(const tm_error *e) {
        return e && e->msg ? e->msg : "unknown error";
}

void tm_error_free(tm_error *e) {
        if (!e)
                return;
        free(e->msg);
        free(e);
}
