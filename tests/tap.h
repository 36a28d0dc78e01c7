/* SPDX-License-Identifier: Apache-2.0 */
/* A minimal TAP producer for unit tests, read by automake's tap-driver.sh.
 * Each check is one counted test:
 *
 *     ok(x == 1, "x is one");
 *     is_int(quantity_cmp(&a, &b), 0, "1Gi == 1024Mi");
 *     is_str(s, "100m", "canonical form");
 *     return tap_done();
 */
#ifndef TIMONIER_TAP_H
#define TIMONIER_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 2, 3), unused)) static bool ok(bool cond, const char *fmt, ...) {
        va_list ap;
        printf("%s %d - ", cond ? "ok" : "not ok", ++tap_n);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
        if (!cond)
                tap_failed++;
        fflush(stdout);
        return cond;
}

#define is_int(got, want, ...)                                                 \
        do {                                                                   \
                int64_t _g = (int64_t)(got), _w = (int64_t)(want);             \
                if (!ok(_g == _w, __VA_ARGS__))                                \
                        printf("#   got: %" PRId64 "\n#   expected: %" PRId64 "\n", _g, _w); \
        } while (0)

#define is_str(got, want, ...)                                                 \
        do {                                                                   \
                const char *_g = (got), *_w = (want);                          \
                bool _same = (_g && _w) ? strcmp(_g, _w) == 0 : _g == _w;      \
                if (!ok(_same, __VA_ARGS__))                                   \
                        printf("#   got: '%s'\n#   expected: '%s'\n",          \
                               _g ? _g : "(null)", _w ? _w : "(null)");        \
        } while (0)

__attribute__((format(printf, 1, 2), unused)) static void tap_skip(const char *fmt, ...) {
        va_list ap;
        printf("ok %d # SKIP ", ++tap_n);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
        fflush(stdout);
}

__attribute__((format(printf, 1, 2), unused)) static void diag(const char *fmt, ...) {
        va_list ap;
        printf("# ");
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
}

__attribute__((unused)) static int tap_done(void) {
        /* Failures are counted from "not ok" lines; the exit status only
         * says the test ran to its end (a crash loses the plan line). */
        printf("1..%d\n", tap_n);
        return 0;
}

#endif
