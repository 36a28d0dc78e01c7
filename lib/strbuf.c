/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

void strbuf_reserve(strbuf *b, size_t extra) {
        if (b->len + extra + 1 <= b->cap)
                return;
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + extra + 1) {
                if (cap > ((size_t)-1) / 2)
                        oom();
                cap *= 2;
        }
        b->data = xrealloc(b->data, cap);
        b->cap = cap;
}

void strbuf_append(strbuf *b, const void *data, size_t n) {
        strbuf_reserve(b, n);
        if (n)
                memcpy(b->data + b->len, data, n);
        b->len += n;
        b->data[b->len] = '\0';
}

void strbuf_puts(strbuf *b, const char *s) {
        strbuf_append(b, s, strlen(s));
}

void strbuf_putc(strbuf *b, char c) {
        strbuf_reserve(b, 1);
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
}

void strbuf_printf(strbuf *b, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        char tmp[256];
        int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        if ((size_t)n < sizeof tmp) {
                strbuf_append(b, tmp, (size_t)n);
                return;
        }
        strbuf_reserve(b, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
        b->len += (size_t)n;
}

void strbuf_reset(strbuf *b) {
        b->len = 0;
        if (b->data)
                b->data[0] = '\0';
}

char *strbuf_take(strbuf *b, size_t *ret_len) {
        if (!b->data)
                strbuf_reserve(b, 0), b->data[0] = '\0';
        char *r = b->data;
        if (ret_len)
                *ret_len = b->len;
        b->data = NULL;
        b->len = b->cap = 0;
        return r;
}

void strbuf_done(strbuf *b) {
        free(b->data);
        b->data = NULL;
        b->len = b->cap = 0;
}
