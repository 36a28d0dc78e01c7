/* SPDX-License-Identifier: Apache-2.0 */
/* A growable byte buffer, always NUL-terminated after `len` bytes. */
#ifndef TIMONIER_STRBUF_H
#define TIMONIER_STRBUF_H

#include <stddef.h>

#include "cleanup.h"
#include "util.h"

typedef struct strbuf {
        char *data; /* NULL until the first append */
        size_t len;
        size_t cap;
} strbuf;

#define STRBUF_INIT \
        { NULL, 0, 0 }

void strbuf_reserve(strbuf *b, size_t extra);
void strbuf_append(strbuf *b, const void *data, size_t n);
void strbuf_puts(strbuf *b, const char *s);
void strbuf_putc(strbuf *b, char c);
void strbuf_printf(strbuf *b, const char *fmt, ...) _printf_(2, 3);
void strbuf_reset(strbuf *b); /* len = 0, keeps the memory */
/* Hand the bytes over (never NULL: "" for an empty buffer). */
char *strbuf_take(strbuf *b, size_t *ret_len);
void strbuf_done(strbuf *b); /* frees the memory */
static inline void strbuf_donep(strbuf *b) {
        strbuf_done(b);
}
#define _cleanup_strbuf_ _cleanup_(strbuf_donep)

#endif
