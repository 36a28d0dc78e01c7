/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int log_level = LOG_INFO;
static const char *log_ident = "timonier";
static int log_to_journal = -1; /* -1: not checked yet */

void log_set_level(int level) {
        if (level < LOG_EMERG)
                level = LOG_EMERG;
        if (level > LOG_DEBUG)
                level = LOG_DEBUG;
        log_level = level;
}

int log_get_level(void) {
        return log_level;
}

int log_level_from_string(const char *s) {
        static const char *const names[] = {
                [LOG_EMERG] = "emerg", [LOG_ALERT] = "alert",     [LOG_CRIT] = "crit",
                [LOG_ERR] = "error",   [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
                [LOG_INFO] = "info",   [LOG_DEBUG] = "debug",
        };
        if (!s)
                return -EINVAL;
        if (s[0] >= '0' && s[0] <= '7' && s[1] == '\0')
                return s[0] - '0';
        for (int i = 0; i <= LOG_DEBUG; i++)
                if (strcasecmp(s, names[i]) == 0)
                        return i;
        if (strcasecmp(s, "warn") == 0)
                return LOG_WARNING;
        if (strcasecmp(s, "err") == 0)
                return LOG_ERR;
        return -EINVAL;
}

void log_open(void) {
        /* JOURNAL_STREAM is "DEV:INO" of the stream journald gave us; it only
         * counts if stderr is still that stream. */
        const char *js = getenv("JOURNAL_STREAM");
        struct stat st;
        unsigned long long dev, ino;
        log_to_journal = js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
                         fstat(STDERR_FILENO, &st) == 0 && (unsigned long long)st.st_dev == dev &&
                         (unsigned long long)st.st_ino == ino;
}

void log_set_ident(const char *ident) {
        log_ident = ident;
        log_open();
}

int log_internal(int level, int errnum, const char *fmt, ...) {
        int saved = errno;
        if (errnum < 0)
                errnum = -errnum;
        if (level > log_level) {
                errno = saved;
                return -errnum;
        }
        if (log_to_journal < 0)
                log_open();

        char msg[2048];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        if (n < 0)
                n = 0;
        if (errnum && (size_t)n < sizeof msg)
                snprintf(msg + n, sizeof msg - (size_t)n, ": %s", strerror(errnum));

        /* One fprintf per line: stdio locks the stream, so lines from
         * threads do not interleave. */
        if (log_to_journal) {
                fprintf(stderr, "<%d>%s\n", level, msg);
        } else {
                static const char letters[] = "FACEWNID";
                struct timespec ts;
                struct tm tm;
                clock_gettime(CLOCK_REALTIME, &ts);
                gmtime_r(&ts.tv_sec, &tm);
                fprintf(stderr, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %c %s: %s\n",
                        tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                        tm.tm_sec, ts.tv_nsec / 1000000, letters[level & 7], log_ident, msg);
        }
        errno = saved;
        return -errnum;
}
