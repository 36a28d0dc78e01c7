/* SPDX-License-Identifier: Apache-2.0 */
/* Scope-bound cleanup helpers, in the style of systemd and crun.
 *
 *   _cleanup_free_ char *s = xstrdup("x");      freed on scope exit
 *   _cleanup_close_ int fd = open(...);         closed on scope exit
 *   return TAKE_PTR(s);                         hand ownership on
 */
#ifndef TIMONIER_CLEANUP_H
#define TIMONIER_CLEANUP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f)     __attribute__((cleanup(f)))
#define _cleanup_free_   _cleanup_(freep)
#define _cleanup_close_  _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_strv_   _cleanup_(strv_freep)

static inline void freep(void *p) {
        free(*(void **)p);
}

static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}

static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}

/* A NULL-terminated array of malloc'd strings. */
static inline void strv_free(char **v) {
        if (!v)
                return;
        for (char **p = v; *p; p++)
                free(*p);
        free(v);
}
static inline void strv_freep(char ***v) {
        strv_free(*v);
}

/* Take the value out of a variable, leaving NULL (or -1) behind, so that the
 * variable's cleanup does nothing. */
#define TAKE_PTR(p)                      \
        ({                               \
                __typeof__(p) _tp = (p); \
                (p) = NULL;              \
                _tp;                     \
        })
#define TAKE_FD(fd)              \
        ({                       \
                int _tfd = (fd); \
                (fd) = -1;       \
                _tfd;            \
        })

/* Declare `name##p(type **)` calling `func(type *)`, for _cleanup_(). */
#define DEFINE_CLEANUP_FUNC(type, func)        \
        static inline void func##p(type **p) { \
                if (*p)                        \
                        func(*p);              \
        }

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

#endif
