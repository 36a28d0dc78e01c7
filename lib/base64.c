/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "base64.h"
#include "util.h"

static const char std_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *base64_encode(const void *data, size_t len, bool url_raw) {
        const char *a = url_raw ? url_alphabet : std_alphabet;
        const unsigned char *in = data;
        if (len > (SIZE_MAX / 4) * 3 - 3)
                oom();
        char *out = xmalloc((len + 2) / 3 * 4 + 1);
        size_t o = 0, i = 0;
        for (; i + 2 < len; i += 3) {
                uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
                out[o++] = a[v >> 18 & 63];
                out[o++] = a[v >> 12 & 63];
                out[o++] = a[v >> 6 & 63];
                out[o++] = a[v & 63];
        }
        if (i < len) {
                uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0);
                out[o++] = a[v >> 18 & 63];
                out[o++] = a[v >> 12 & 63];
                if (i + 1 < len)
                        out[o++] = a[v >> 6 & 63];
                else if (!url_raw)
                        out[o++] = '=';
                if (!url_raw)
                        out[o++] = '=';
        }
        out[o] = '\0';
        return out;
}

static int value_of(char c, bool url_raw) {
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        if (c == (url_raw ? '-' : '+'))
                return 62;
        if (c == (url_raw ? '_' : '/'))
                return 63;
        return -1;
}

int base64_decode(const char *s, size_t len, bool url_raw, char **ret, size_t *ret_len) {
        size_t pad = 0;
        if (!url_raw) {
                if (len % 4)
                        return -EINVAL;
                while (pad < 2 && len > pad && s[len - 1 - pad] == '=')
                        pad++;
        } else if (len % 4 == 1)
                return -EINVAL;
        size_t n = len - pad;
        char *out = xmalloc(n / 4 * 3 + 3 + 1);
        size_t o = 0;
        uint32_t acc = 0;
        int bits = 0;
        for (size_t i = 0; i < n; i++) {
                int v = value_of(s[i], url_raw);
                if (v < 0) {
                        free(out);
                        return -EINVAL;
                }
                acc = acc << 6 | (uint32_t)v;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        out[o++] = (char)(acc >> bits & 0xff);
                }
        }
        /* Leftover bits must be zero (canonical encoding). */
        if (bits && (acc & ((1u << bits) - 1))) {
                free(out);
                return -EINVAL;
        }
        out[o] = '\0';
        *ret = out;
        *ret_len = o;
        return 0;
}
