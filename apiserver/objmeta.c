/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "json.h"
#include "objmeta.h"
#include "util.h"

static void random_bytes(void *buf, size_t n) {
        unsigned char *p = buf;
        while (n > 0) {
                ssize_t r = getrandom(p, n, 0);
                if (r <= 0)
                        abort(); /* the kernel's CSPRNG does not fail once seeded */
                p += r;
                n -= (size_t)r;
        }
}

void objmeta_new_uid(char ret[37]) {
        unsigned char b[16];
        random_bytes(b, sizeof b);
        b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
        b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
        snprintf(ret, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
                 b[13], b[14], b[15]);
}

void objmeta_format_time(time_t t, char ret[32]) {
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(ret, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

char *objmeta_generate_name(const char *base) {
        /* upstream's alphabet: no vowels, no easily confused characters */
        static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
        unsigned char b[5];
        char suffix[6];
        random_bytes(b, sizeof b);
        for (int i = 0; i < 5; i++)
                suffix[i] = alphabet[b[i] % (sizeof alphabet - 1)];
        suffix[5] = '\0';
        /* upstream trims the base so that the result fits 63 characters */
        size_t n = strlen(base);
        if (n > 58)
                n = 58;
        return xasprintf("%.*s%s", (int)n, base, suffix);
}

static bool is_alnum_lower(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool objmeta_is_dns1123_label(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > 63 || !is_alnum_lower(s[0]) || !is_alnum_lower(s[n - 1]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!is_alnum_lower(s[i]) && s[i] != '-')
                        return false;
        return true;
}

bool objmeta_is_dns1123_subdomain(const char *s) {
        /* [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*, at most 253 */
        size_t n = strlen(s);
        if (n == 0 || n > 253)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                bool edge = i == 0 || i == n - 1 || s[i - 1] == '.' || s[i + 1] == '.';
                if (is_alnum_lower(c))
                        continue;
                if ((c == '-' || c == '.') && !edge)
                        continue;
                return false;
        }
        return true;
}

const char *objmeta_field_lookup(void *userdata, const char *path) {
        objmeta_field_ctx *c = userdata;
        const json *v = c->obj;
        const char *p = path;
        while (v && *p) {
                const char *e = strchrnul(p, '.');
                char key[256];
                size_t n = (size_t)(e - p);
                if (n >= sizeof key || !json_is_object(v))
                        return NULL;
                memcpy(key, p, n);
                key[n] = '\0';
                v = json_object_get(v, key);
                p = *e ? e + 1 : e;
        }
        switch (json_get_type(v)) {
        case JSON_STRING:
                return json_string(v);
        case JSON_BOOL:
                return json_bool(v) ? "true" : "false";
        case JSON_INT:
                snprintf(c->buf, sizeof c->buf, "%" PRId64, json_int(v));
                return c->buf;
        default:
                return v ? NULL : "";
        }
}
