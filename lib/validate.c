/* SPDX-License-Identifier: Apache-2.0 */
/* Name and value validation; see validate.h. The patterns upstream writes
 * as regular expressions are checked by hand here, and the messages quote
 * those expressions exactly. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "validate.h"
#include "util.h"

#define DNS1123_LABEL_FMT "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
#define DNS1123_LABEL_MSG                                                                   \
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or " \
        "'-', and must start and end with an alphanumeric character"
#define DNS1123_SUBDOMAIN_FMT DNS1123_LABEL_FMT "(\\." DNS1123_LABEL_FMT ")*"
#define DNS1123_SUBDOMAIN_MSG                                                     \
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric " \
        "characters, '-' or '.', and must start and end with an alphanumeric character"
#define DNS1035_LABEL_FMT "[a-z]([-a-z0-9]*[a-z0-9])?"
#define DNS1035_LABEL_MSG                                                                    \
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start " \
        "with an alphabetic character, and end with an alphanumeric character"
#define LABEL_KEY_FMT "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
#define LABEL_KEY_MSG                                                                       \
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end " \
        "with an alphanumeric character"
#define LABEL_VALUE_FMT "(" LABEL_KEY_FMT ")?"
#define LABEL_VALUE_MSG                                                                 \
        "a valid label must be an empty string or consist of alphanumeric characters, " \
        "'-', '_' or '.', and must start and end with an alphanumeric character"
#define PERCENT_FMT        "[0-9]+%"
#define PERCENT_MSG        "a valid percent string must be a numeric string followed by an ending '%'"
#define CONFIG_MAP_KEY_FMT "[-._a-zA-Z0-9]+"
#define CONFIG_MAP_KEY_MSG \
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
#define ENV_VAR_NAME_FMT "[-._a-zA-Z][-._a-zA-Z0-9]*"
#define ENV_VAR_NAME_MSG                                                                    \
        "a valid environment variable name must consist of alphabetic characters, digits, " \
        "'_', '-', or '.', and must not start with a digit"

/* A growing message list. */
typedef struct msgs {
        char **v;
        size_t n;
} msgs;

static void add_take(msgs *m, char *s) {
        m->v = xreallocarray(m->v, m->n + 2, sizeof(char *));
        m->v[m->n++] = s;
        m->v[m->n] = NULL;
}

static void add(msgs *m, const char *s) {
        add_take(m, xstrdup(s));
}

static bool is_lower_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c) {
        return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

char *validate_max_len_error(int length) {
        return xasprintf("must be no more than %d characters", length);
}

/* content.MaxLenError, used for label keys and values. */
static char *max_len_bytes_error(int length) {
        return xasprintf("must be no more than %d bytes", length);
}

char *validate_regex_error(const char *msg, const char *re, const char *const *examples) {
        if (!examples || !examples[0])
                return xasprintf("%s (regex used for validation is '%s')", msg, re);
        _cleanup_free_ char *ex = xstrdup("");
        for (size_t i = 0; examples[i]; i++) {
                char *next = xasprintf("%s%s'%s', ", ex, i > 0 ? " or " : "", examples[i]);
                free(ex);
                ex = next;
        }
        return xasprintf("%s (e.g. %sregex used for validation is '%s')", msg, ex, re);
}

static char *regex_error(const char *msg, const char *re, const char *e1, const char *e2,
                         const char *e3) {
        const char *examples[] = { e1, e2, e3, NULL };
        return validate_regex_error(msg, re, examples);
}

char *validate_inclusive_range_error(int64_t lo, int64_t hi) {
        return xasprintf("must be between %" PRId64 " and %" PRId64 ", inclusive", lo, hi);
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])? over s[0..n) */
static bool match_dns1123_label(const char *s, size_t n) {
        if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!is_lower_alnum(s[i]) && s[i] != '-')
                        return false;
        return true;
}

static bool match_dns1123_subdomain(const char *s) {
        for (;;) {
                const char *dot = strchr(s, '.');
                size_t n = dot ? (size_t)(dot - s) : strlen(s);
                if (!match_dns1123_label(s, n))
                        return false;
                if (!dot)
                        return true;
                s = dot + 1;
        }
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] */
static bool match_label_key_name(const char *s, size_t n) {
        if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!is_alnum(s[i]) && !strchr("-_.", s[i]))
                        return false;
        return true;
}

char **validate_dns1123_label(const char *value) {
        msgs m = { 0 };
        size_t n = strlen(value);
        if (n > VALIDATE_DNS1123_LABEL_MAX)
                add_take(&m, validate_max_len_error(VALIDATE_DNS1123_LABEL_MAX));
        if (!match_dns1123_label(value, n)) {
                if (match_dns1123_subdomain(value))
                        add(&m, "must not contain dots");
                else
                        add_take(&m, regex_error(DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, "my-name",
                                                 "123-abc", NULL));
        }
        return m.v;
}

static void check_subdomain(msgs *m, const char *value, const char *prefix, bool bytes) {
        if (strlen(value) > VALIDATE_DNS1123_SUBDOMAIN_MAX) {
                _cleanup_free_ char *e =
                        bytes ? max_len_bytes_error(VALIDATE_DNS1123_SUBDOMAIN_MAX)
                              : validate_max_len_error(VALIDATE_DNS1123_SUBDOMAIN_MAX);
                add_take(m, xasprintf("%s%s", prefix, e));
        }
        if (!match_dns1123_subdomain(value)) {
                _cleanup_free_ char *e = regex_error(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT,
                                                     "example.com", NULL, NULL);
                add_take(m, xasprintf("%s%s", prefix, e));
        }
}

char **validate_dns1123_subdomain(const char *value) {
        msgs m = { 0 };
        check_subdomain(&m, value, "", false);
        return m.v;
}

char **validate_dns1035_label(const char *value) {
        msgs m = { 0 };
        size_t n = strlen(value);
        if (n > VALIDATE_DNS1035_LABEL_MAX)
                add_take(&m, validate_max_len_error(VALIDATE_DNS1035_LABEL_MAX));
        if (!match_dns1123_label(value, n) || !(value[0] >= 'a' && value[0] <= 'z'))
                add_take(&m, regex_error(DNS1035_LABEL_MSG, DNS1035_LABEL_FMT, "my-name", "abc-123",
                                         NULL));
        return m.v;
}

char **validate_qualified_name(const char *value) {
        msgs m = { 0 };
        const char *slash = strchr(value, '/');
        const char *name = value;
        if (slash && strchr(slash + 1, '/')) {
                _cleanup_free_ char *e =
                        regex_error(LABEL_KEY_MSG, LABEL_KEY_FMT, "MyName", "my.name", "123-abc");
                add_take(&m, xasprintf("a valid label key %s with an optional DNS subdomain prefix "
                                       "and '/' (e.g. 'example.com/MyName')",
                                       e));
                return m.v;
        }
        if (slash) {
                _cleanup_free_ char *prefix = xstrndup(value, (size_t)(slash - value));
                name = slash + 1;
                if (prefix[0] == 0)
                        add(&m, "prefix part must be non-empty");
                else
                        check_subdomain(&m, prefix, "prefix part ", true);
        }
        size_t n = strlen(name);
        if (n == 0)
                add(&m, "name part must be non-empty");
        else if (n > 63) {
                _cleanup_free_ char *e = max_len_bytes_error(63);
                add_take(&m, xasprintf("name part %s", e));
        }
        if (!match_label_key_name(name, n)) {
                _cleanup_free_ char *e =
                        regex_error(LABEL_KEY_MSG, LABEL_KEY_FMT, "MyName", "my.name", "123-abc");
                add_take(&m, xasprintf("name part %s", e));
        }
        return m.v;
}

char **validate_label_value(const char *value) {
        msgs m = { 0 };
        size_t n = strlen(value);
        if (n > VALIDATE_LABEL_VALUE_MAX)
                add_take(&m, max_len_bytes_error(VALIDATE_LABEL_VALUE_MAX));
        if (n > 0 && !match_label_key_name(value, n))
                add_take(&m, regex_error(LABEL_VALUE_MSG, LABEL_VALUE_FMT, "MyValue", "my_value",
                                         "12345"));
        return m.v;
}

char **validate_port_num(int64_t port) {
        msgs m = { 0 };
        if (port < 1 || port > 65535)
                add_take(&m, validate_inclusive_range_error(1, 65535));
        return m.v;
}

char **validate_port_name(const char *value) {
        msgs m = { 0 };
        size_t n = strlen(value);
        bool charset = n > 0, letter = false;
        for (size_t i = 0; i < n; i++) {
                charset = charset && (is_lower_alnum(value[i]) || value[i] == '-');
                letter = letter || (value[i] >= 'a' && value[i] <= 'z');
        }
        if (n > 15)
                add_take(&m, validate_max_len_error(15));
        if (!charset)
                add(&m, "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        if (!letter)
                add(&m, "must contain at least one letter (a-z)");
        if (strstr(value, "--"))
                add(&m, "must not contain consecutive hyphens");
        if (n > 0 && (value[0] == '-' || value[n - 1] == '-'))
                add(&m, "must not begin or end with a hyphen");
        return m.v;
}

char **validate_percent(const char *value) {
        msgs m = { 0 };
        size_t n = strlen(value), d = strspn(value, "0123456789");
        if (!(d > 0 && d == n - 1 && value[d] == '%'))
                add_take(&m, regex_error(PERCENT_MSG, PERCENT_FMT, "1%", "93%", NULL));
        return m.v;
}

static void check_chdir_prefix(msgs *m, const char *value) {
        if (streq(value, "."))
                add(m, "must not be '.'");
        else if (streq(value, ".."))
                add(m, "must not be '..'");
        else if (startswith(value, ".."))
                add(m, "must not start with '..'");
}

char **validate_config_map_key(const char *value) {
        msgs m = { 0 };
        size_t n = strlen(value);
        if (n > VALIDATE_DNS1123_SUBDOMAIN_MAX)
                add_take(&m, validate_max_len_error(VALIDATE_DNS1123_SUBDOMAIN_MAX));
        if (n == 0 || strspn(value, "-._abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                    "0123456789") != n)
                add_take(&m, regex_error(CONFIG_MAP_KEY_MSG, CONFIG_MAP_KEY_FMT, "key.name",
                                         "KEY_NAME", "key-name"));
        check_chdir_prefix(&m, value);
        return m.v;
}

char **validate_env_var_name(const char *value) {
        msgs m = { 0 };
        size_t n = strlen(value);
        static const char first[] = "-._abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        if (n == 0 || !strchr(first, value[0]) ||
            strspn(value, "-._abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != n)
                add_take(&m, regex_error(ENV_VAR_NAME_MSG, ENV_VAR_NAME_FMT, "my.env-name",
                                         "MY_ENV.NAME", "MyEnvName1"));
        check_chdir_prefix(&m, value);
        return m.v;
}

/* --- IP addresses ---------------------------------------------------------
 * Upstream parses twice: "sloppily" (Go's historical net.ParseIP, which
 * allows leading zeros) to decide whether it is an address at all, then
 * strictly (net/netip) for the finer messages. One parser here notes where
 * the strict one would have refused. */

#define BIG 0xFFFFFF

/* Decimal digits: value, count; false on none or too big. */
static bool dtoi(const char *s, size_t n, unsigned *ret, size_t *ret_len) {
        unsigned v = 0;
        size_t i = 0;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
                v = v * 10 + (unsigned)(s[i] - '0');
                if (v >= BIG)
                        return false;
        }
        if (i == 0)
                return false;
        *ret = v;
        *ret_len = i;
        return true;
}

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

static bool xtoi(const char *s, size_t n, unsigned *ret, size_t *ret_len) {
        unsigned v = 0;
        size_t i = 0;
        for (; i < n && hexval(s[i]) >= 0; i++) {
                v = v * 16 + (unsigned)hexval(s[i]);
                if (v >= BIG)
                        return false;
        }
        if (i == 0)
                return false;
        *ret = v;
        *ret_len = i;
        return true;
}

static bool parse_ipv4(const char *s, size_t n, uint8_t out[4], bool *strict) {
        size_t pos = 0;
        for (int i = 0; i < 4; i++) {
                if (pos >= n)
                        return false;
                if (i > 0) {
                        if (s[pos] != '.')
                                return false;
                        pos++;
                }
                unsigned v;
                size_t len;
                if (!dtoi(s + pos, n - pos, &v, &len) || v > 255)
                        return false;
                if (len > 1 && s[pos] == '0')
                        *strict = false;
                out[i] = (uint8_t)v;
                pos += len;
        }
        return pos == n;
}

static bool parse_ipv6(const char *s, size_t n, uint8_t ip[16], bool *strict) {
        int ellipsis = -1, i = 0;
        size_t pos = 0;
        memset(ip, 0, 16);
        if (n >= 2 && s[0] == ':' && s[1] == ':') {
                ellipsis = 0;
                pos = 2;
                if (pos == n)
                        return true;
        }
        while (i < 16) {
                unsigned v;
                size_t len;
                if (!xtoi(s + pos, n - pos, &v, &len) || v > 0xFFFF)
                        return false;
                if (pos + len < n && s[pos + len] == '.') {
                        if ((ellipsis < 0 && i != 12) || i + 4 > 16)
                                return false;
                        if (!parse_ipv4(s + pos, n - pos, ip + i, strict))
                                return false;
                        pos = n;
                        i += 4;
                        break;
                }
                if (len > 4)
                        *strict = false;
                ip[i] = (uint8_t)(v >> 8);
                ip[i + 1] = (uint8_t)v;
                i += 2;
                pos += len;
                if (pos == n)
                        break;
                if (s[pos] != ':' || pos + 1 == n)
                        return false;
                pos++;
                if (s[pos] == ':') {
                        if (ellipsis >= 0)
                                return false;
                        ellipsis = i;
                        pos++;
                        if (pos == n)
                                break;
                }
        }
        if (pos != n)
                return false;
        if (i < 16) {
                if (ellipsis < 0)
                        return false;
                int k = 16 - i;
                for (int j = i - 1; j >= ellipsis; j--)
                        ip[j + k] = ip[j];
                for (int j = ellipsis + k - 1; j >= ellipsis; j--)
                        ip[j] = 0;
        } else if (ellipsis >= 0) {
                return false; /* "::" must stand for at least one group */
        }
        return true;
}

static const uint8_t v4_in_v6_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* Parse as net.ParseIP would, into the 16-byte form; *ret_v6 if written
 * with ':' (netip's Is6). */
static bool parse_ip(const char *s, size_t n, uint8_t ip[16], bool *ret_v6, bool *strict) {
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '.') {
                        memcpy(ip, v4_in_v6_prefix, 12);
                        *ret_v6 = false;
                        return parse_ipv4(s, n, ip + 12, strict);
                }
                if (s[i] == ':') {
                        *ret_v6 = true;
                        return parse_ipv6(s, n, ip, strict);
                }
        }
        return false;
}

static bool is_4in6(const uint8_t ip[16]) {
        return memcmp(ip, v4_in_v6_prefix, 12) == 0;
}

/* net.IP.String(): dotted for IPv4 (and IPv4-mapped), else RFC 5952. */
static void ip_string(const uint8_t p[16], char out[64]) {
        if (is_4in6(p)) {
                snprintf(out, 64, "%u.%u.%u.%u", p[12], p[13], p[14], p[15]);
                return;
        }
        int e0 = -1, e1 = -1;
        for (int i = 0; i < 16; i += 2) {
                int j = i;
                while (j < 16 && p[j] == 0 && p[j + 1] == 0)
                        j += 2;
                if (j > i && j - i > e1 - e0) {
                        e0 = i;
                        e1 = j;
                        i = j;
                }
        }
        if (e1 - e0 <= 2)
                e0 = e1 = -1;
        char *o = out;
        for (int i = 0; i < 16; i += 2) {
                if (i == e0) {
                        *o++ = ':';
                        *o++ = ':';
                        i = e1;
                        if (i >= 16)
                                break;
                } else if (i > 0) {
                        *o++ = ':';
                }
                o += sprintf(o, "%x", (unsigned)(p[i] << 8 | p[i + 1]));
        }
        *o = 0;
}

char **validate_ip(const char *value) {
        msgs m = { 0 };
        uint8_t ip[16];
        bool v6 = false, strict = true;
        char canon[64];
        if (!parse_ip(value, strlen(value), ip, &v6, &strict)) {
                add(&m, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
                return m.v;
        }
        if (!strict)
                add(&m, "must not have leading 0s");
        else if (v6 && is_4in6(ip))
                add(&m, "must not be an IPv4-mapped IPv6 address");
        if (m.v)
                return m.v;
        ip_string(ip, canon);
        if (!streq(value, canon))
                add_take(&m, xasprintf("must be in canonical form (\"%s\")", canon));
        return m.v;
}

char **validate_cidr(const char *value) {
        msgs m = { 0 };
        const char *slash = strchr(value, '/');
        uint8_t ip[16];
        bool strict = true, v6 = false;
        unsigned bits = 0;
        size_t len = 0;

        /* Go's ParseCIDR: IPv4 first, then IPv6; a decimal prefix length
         * (leading zeros allowed) within the address size. */
        if (slash) {
                size_t an = (size_t)(slash - value);
                const char *mask = slash + 1;
                size_t mn = strlen(mask);
                memcpy(ip, v4_in_v6_prefix, 12);
                if (parse_ipv4(value, an, ip + 12, &strict))
                        v6 = false;
                else if (strict = true, parse_ipv6(value, an, ip, &strict))
                        v6 = true;
                else
                        slash = NULL;
                if (slash &&
                    (!dtoi(mask, mn, &bits, &len) || len != mn || bits > (v6 ? 128u : 32u)))
                        slash = NULL;
                if (slash && mn > 1 && mask[0] == '0')
                        strict = false; /* netip refuses a prefix length like "08" */
        }
        if (!slash) {
                add(&m, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
                return m.v;
        }
        unsigned total = v6 ? bits : bits + 96;
        uint8_t masked[16];
        for (unsigned i = 0; i < 16; i++) {
                unsigned keep = total >= (i + 1) * 8 ? 8 : total > i * 8 ? total - i * 8 : 0;
                uint8_t mask = (uint8_t)(keep ? 0xff << (8 - keep) : 0);
                masked[i] = ip[i] & mask;
        }
        if (!v6)
                memcpy(masked, v4_in_v6_prefix, 12);
        if (!strict)
                add(&m, "must not have leading 0s in IP or prefix length");
        else if (v6 && is_4in6(ip))
                add(&m, "must not have an IPv4-mapped IPv6 address");
        else if (memcmp(ip, masked, 16) != 0)
                add(&m, "must not have bits set beyond the prefix length");
        if (m.v)
                return m.v;
        char canon[80];
        ip_string(masked, canon);
        snprintf(canon + strlen(canon), sizeof(canon) - strlen(canon), "/%u", bits);
        if (!streq(value, canon))
                add_take(&m, xasprintf("must be in canonical form (\"%s\")", canon));
        return m.v;
}
