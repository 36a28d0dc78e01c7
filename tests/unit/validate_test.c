/* SPDX-License-Identifier: Apache-2.0 */
/* Name validation: upstream's validation_test.go / ip_test.go examples, and
 * the exact messages. */
#include "config.h"

#include <stdlib.h>

#include "tests/tap.h"
#include "util.h"
#include "validate.h"

#define LABEL_MSG                                                                                \
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', " \
        "and must start and end with an alphanumeric character (e.g. 'my-name',  or "            \
        "'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define SUBDOMAIN_MSG                                                                         \
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, " \
        "'-' or '.', and must start and end with an alphanumeric character (e.g. "            \
        "'example.com', regex used for validation is "                                        \
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define DNS1035_MSG                                                                               \
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with " \
        "an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "   \
        "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
#define KEY_RE                                                                                   \
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with " \
        "an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used "    \
        "for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
#define VALUE_MSG                                                                              \
        "a valid label must be an empty string or consist of alphanumeric characters, '-', "   \
        "'_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  " \
        "or 'my_value',  or '12345', regex used for validation is "                            \
        "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"

static char *repeat(char c, size_t n) {
        char *s = malloc(n + 1);
        memset(s, c, n);
        s[n] = 0;
        return s;
}

/* Check the messages of f(value) against want (NULL-terminated, empty for
 * valid). */
static void check(const char *what, char **got, const char *value, const char *const *want) {
        size_t n = strv_length(got), w = 0;
        while (want[w])
                w++;
        if (!ok(n == w, "%s('%.70s'): %zu message(s)", what, value, w)) {
                for (size_t i = 0; i < n; i++)
                        diag("got: %s", got[i]);
        }
        for (size_t i = 0; i < n && i < w; i++)
                is_str(got[i], want[i], "%s('%.70s') message %zu", what, value, i);
        strv_free(got);
}

#define CHECK(f, v, ...) check(#f, f(v), v, (const char *const[]){ __VA_ARGS__, NULL })
#define VALID(f, v)      check(#f, f(v), v, (const char *const[]){ NULL })

static void test_dns(void) {
        const char *good[] = { "a", "ab", "abc", "a1", "a-1", "a--1--2--b",
                               "0", "01", "012", "1a", "1-a", "1--a--b--2" };
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                VALID(validate_dns1123_label, good[i]);
                VALID(validate_dns1123_subdomain, good[i]);
        }
        const char *bad[] = { "",   "A",   "ABC", "aBc", "A1", "A-1", "1-A", "-",
                              "a-", "-a",  "1-",  "-1",  "_",  "a_",  "_a",  "a_b",
                              "1_", "_1",  "1_2", " ",   "a ", " a",  "a b", "1 ",
                              " 1", "1 2", ".",   "a.",  ".a", "1.",  ".1" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                CHECK(validate_dns1123_label, bad[i], LABEL_MSG);
        /* A valid subdomain is "only" missing the dots rule. */
        CHECK(validate_dns1123_label, "a.b", "must not contain dots");
        CHECK(validate_dns1123_label, "1.2", "must not contain dots");
        _cleanup_free_ char *a63 = repeat('a', 63), *a64 = repeat('a', 64);
        VALID(validate_dns1123_label, a63);
        CHECK(validate_dns1123_label, a64, "must be no more than 63 characters");
        _cleanup_free_ char *A64 = repeat('A', 64);
        CHECK(validate_dns1123_label, A64, "must be no more than 63 characters", LABEL_MSG);

        const char *sgood[] = { "a.a",          "ab.a",      "a--1--2--b.1",  "0.a",
                                "1--a--b--2.1", "a.b.c.d.e", "11.22.33.44.55" };
        for (size_t i = 0; i < ELEMENTSOF(sgood); i++)
                VALID(validate_dns1123_subdomain, sgood[i]);
        const char *sbad[] = { "",          "A",   "a..b", "1..2", "A.a", "ab.A",
                               "a.B.c.d.e", "a@b", "a,b",  "a;b",  "a:b", "a%b",
                               "a?b",       "a$b", ".",    "a.",   ".a" };
        for (size_t i = 0; i < ELEMENTSOF(sbad); i++)
                CHECK(validate_dns1123_subdomain, sbad[i], SUBDOMAIN_MSG);
        _cleanup_free_ char *a253 = repeat('a', 253), *a254 = repeat('a', 254);
        VALID(validate_dns1123_subdomain, a253);
        CHECK(validate_dns1123_subdomain, a254, "must be no more than 253 characters");

        const char *lgood[] = { "a", "ab", "abc", "a1", "a-1", "a--1--2--b" };
        for (size_t i = 0; i < ELEMENTSOF(lgood); i++)
                VALID(validate_dns1035_label, lgood[i]);
        VALID(validate_dns1035_label, a63);
        const char *lbad[] = { "0", "01", "012", "1a", "1-a", "1--a--b--2", "",    "A", "aBc",
                               "-", "a-", "-a",  "_",  "a_b", ".",          "a.b", " ", "a b" };
        for (size_t i = 0; i < ELEMENTSOF(lbad); i++)
                CHECK(validate_dns1035_label, lbad[i], DNS1035_MSG);
        CHECK(validate_dns1035_label, a64, "must be no more than 63 characters");
}

static void test_label_keys(void) {
        const char *good[] = { "simple",
                               "now-with-dashes",
                               "1-starts-with-num",
                               "1234",
                               "simple/simple",
                               "now-with-dashes/simple",
                               "now-with-dashes/now-with-dashes",
                               "now.with.dots/simple",
                               "now-with.dashes-and.dots/simple",
                               "1-num.2-num/3-num",
                               "1234/5678",
                               "1.2.3.4/5678",
                               "Uppercase_Is_OK_123",
                               "example.com/Uppercase_Is_OK_123",
                               "requests.storage-foo" };
        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                VALID(validate_qualified_name, good[i]);
        _cleanup_free_ char *a63 = repeat('a', 63), *a64 = repeat('a', 64);
        _cleanup_free_ char *long_ok = xasprintf("%s/%s", a63, a63);
        VALID(validate_qualified_name, a63);
        VALID(validate_qualified_name, long_ok);

        CHECK(validate_qualified_name, "nospecialchars%^=@", "name part " KEY_RE);
        CHECK(validate_qualified_name, "cantendwithadash-", "name part " KEY_RE);
        CHECK(validate_qualified_name, "-cantstartwithadash-", "name part " KEY_RE);
        CHECK(validate_qualified_name, "only/one/slash",
              "a valid label key " KEY_RE " with an optional DNS subdomain prefix and '/' (e.g. "
              "'example.com/MyName')");
        CHECK(validate_qualified_name, "Example.com/abc", "prefix part " SUBDOMAIN_MSG);
        CHECK(validate_qualified_name, "example_com/abc", "prefix part " SUBDOMAIN_MSG);
        CHECK(validate_qualified_name, "example.com/", "name part must be non-empty",
              "name part " KEY_RE);
        CHECK(validate_qualified_name, "/simple", "prefix part must be non-empty");
        CHECK(validate_qualified_name, a64, "name part must be no more than 63 bytes");
        _cleanup_free_ char *a254 = repeat('a', 254);
        _cleanup_free_ char *long_prefix = xasprintf("%s/abc", a254);
        CHECK(validate_qualified_name, long_prefix, "prefix part must be no more than 253 bytes");

        const char *vgood[] = {
                "simple", "now-with-dashes", "1-starts-with-num", "end-with-num-1", "1234", ""
        };
        for (size_t i = 0; i < ELEMENTSOF(vgood); i++)
                VALID(validate_label_value, vgood[i]);
        VALID(validate_label_value, a63);
        const char *vbad[] = {
                "nospecialchars%^=@",      "Tama-nui-te-r\xc4\x81.is.M\xc4\x81ori.sun",
                "\\backslashes\\are\\bad", "-starts-with-dash",
                "ends-with-dash-",         ".starts.with.dot",
                "ends.with.dot."
        };
        for (size_t i = 0; i < ELEMENTSOF(vbad); i++)
                CHECK(validate_label_value, vbad[i], VALUE_MSG);
        CHECK(validate_label_value, a64, "must be no more than 63 bytes");
}

static void test_ports(void) {
        const int64_t good[] = { 1, 2, 1000, 16384, 32768, 65535 };
        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                ok(validate_port_num(good[i]) == NULL, "port %" PRId64 " valid", good[i]);
        const int64_t bad[] = { 0, -1, 65536, 100000 };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                check("validate_port_num", validate_port_num(bad[i]), "",
                      (const char *const[]){ "must be between 1 and 65535, inclusive", NULL });

        const char *good_names[] = { "telnet", "re-mail-ck", "pop3",      "a",
                                     "a-1",    "1-a",        "a-1-b-2-c", "1-a-2-b-3" };
        for (size_t i = 0; i < ELEMENTSOF(good_names); i++)
                VALID(validate_port_name, good_names[i]);
        CHECK(validate_port_name, "longerthan15characters", "must be no more than 15 characters");
        CHECK(validate_port_name, "",
              "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
              "must contain at least one letter (a-z)");
        CHECK(validate_port_name, "12345", "must contain at least one letter (a-z)");
        CHECK(validate_port_name, "1-2-3-4", "must contain at least one letter (a-z)");
        CHECK(validate_port_name, "-begin", "must not begin or end with a hyphen");
        CHECK(validate_port_name, "end-", "must not begin or end with a hyphen");
        CHECK(validate_port_name, "two--hyphens", "must not contain consecutive hyphens");
        CHECK(validate_port_name, "whois++",
              "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        CHECK(validate_port_name, "HTTP",
              "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
              "must contain at least one letter (a-z)");
}

#define BAD_IP   "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
#define BAD_CIDR "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"

static void test_ip(void) {
        const char *good[] = { "1.2.3.4",     "0.0.0.0",  "255.255.255.255",
                               "1234::abcd",  "::",       "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                               "2001:db8::1", "::1",      "fe80::1:0:0:1",
                               "1:0:0:1::",   "::102:304" };
        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                VALID(validate_ip, good[i]);
        CHECK(validate_ip, "0:0:0:0:0:0:0:0", "must be in canonical form (\"::\")");
        CHECK(validate_ip, "0001:002:03:4::", "must be in canonical form (\"1:2:3:4::\")");
        CHECK(validate_ip, "1234::ABCD", "must be in canonical form (\"1234::abcd\")");
        CHECK(validate_ip, "1:0:0:0:1:0:0:0", "must be in canonical form (\"1::1:0:0:0\")");
        CHECK(validate_ip, "1::0:1", "must be in canonical form (\"1::1\")");
        CHECK(validate_ip,
              "2001:db8:0:1:1:1:1:1::", BAD_IP); /* "::" standing for no group at all */
        CHECK(validate_ip, "::1.2.3.4", "must be in canonical form (\"::102:304\")");
        CHECK(validate_ip, "1.1.1.01", "must not have leading 0s");
        CHECK(validate_ip, "00001::", "must not have leading 0s");
        CHECK(validate_ip, "::ffff:1.1.1.1", "must not be an IPv4-mapped IPv6 address");
        const char *bad[] = { "",
                              "aaaaaaa",
                              "myhost.mydomain",
                              "1.2.3.0/24",
                              "1.2.3.400",
                              "-1.0.0.0",
                              "2001:db8::10005",
                              "1.2.3.4:80",
                              "[2001:db8::1]",
                              "[2001:db8::1]:80",
                              "example.com:80",
                              "1234::abcd%eth0",
                              "169.254.0.0%eth0",
                              "1.2.3",
                              "1.2.3.4.5",
                              "1::2::3",
                              ":1::",
                              "1:2:3:4:5:6:7:8:9",
                              "1:2:3:4:5:6:7" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                CHECK(validate_ip, bad[i], BAD_IP);

        const char *cgood[] = { "1.0.0.0/8", "0.0.0.0/0", "1.1.1.1/32", "2001:4860:4860::/48",
                                "::/0",      "::1/128",   "10.0.0.0/16" };
        for (size_t i = 0; i < ELEMENTSOF(cgood); i++)
                VALID(validate_cidr, cgood[i]);
        CHECK(validate_cidr, "2a00:79e0:2:0::/64",
              "must be in canonical form (\"2a00:79e0:2::/64\")");
        CHECK(validate_cidr, "2001:DB8::/64", "must be in canonical form (\"2001:db8::/64\")");
        CHECK(validate_cidr, "1.1.01.0/24", "must not have leading 0s in IP or prefix length");
        CHECK(validate_cidr, "192.168.0.0/016", "must not have leading 0s in IP or prefix length");
        CHECK(validate_cidr, "::ffff:1.1.1.0/24", "must not have an IPv4-mapped IPv6 address");
        CHECK(validate_cidr, "::ffff:1.1.1.0/120", "must not have an IPv4-mapped IPv6 address");
        CHECK(validate_cidr, "1.2.3.4/24", "must not have bits set beyond the prefix length");
        CHECK(validate_cidr, "2001:db8::1/64", "must not have bits set beyond the prefix length");
        const char *cbad[] = { "",
                               "aaaaaaa",
                               "1.2.3.4",
                               "192.168.0.1/healthz",
                               "192.168.0.1/0/99",
                               "192.168.0.0/-16",
                               "192.168.0.0/+16",
                               "1.2.3.0/33",
                               "::/129",
                               "1.2.3.0/",
                               "/24" };
        for (size_t i = 0; i < ELEMENTSOF(cbad); i++)
                CHECK(validate_cidr, cbad[i], BAD_CIDR);
}

static void test_misc(void) {
        const char *pgood[] = { "0%", "00000%", "1%", "01%", "99%", "100%", "101%" };
        for (size_t i = 0; i < ELEMENTSOF(pgood); i++)
                VALID(validate_percent, pgood[i]);
        const char *pbad[] = { "",    "0",   "100", "0.0%", "99.9%", "hundred",
                               " 1%", "1% ", "-0%", "-1%",  "+1%" };
        for (size_t i = 0; i < ELEMENTSOF(pbad); i++)
                CHECK(validate_percent, pbad[i],
                      "a valid percent string must be a numeric string followed by an ending '%' "
                      "(e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')");

        const char *kgood[] = {
                "a",           "good",         "good-good",    "still.good", "this.is.also.good",
                ".so.is.this", "THIS_IS_GOOD", "so_is_this_17"
        };
        for (size_t i = 0; i < ELEMENTSOF(kgood); i++)
                VALID(validate_config_map_key, kgood[i]);
        CHECK(validate_config_map_key, ".", "must not be '.'");
        CHECK(validate_config_map_key, "..", "must not be '..'");
        CHECK(validate_config_map_key, "..bad", "must not start with '..'");
        CHECK(validate_config_map_key, "b*d",
              "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
              "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
              "'[-._a-zA-Z0-9]+')");

        VALID(validate_env_var_name, "MY_ENV.NAME");
        VALID(validate_env_var_name, "my.env-name");
        CHECK(validate_env_var_name, "1ABC",
              "a valid environment variable name must consist of alphabetic characters, digits, "
              "'_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or "
              "'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is "
              "'[-._a-zA-Z][-._a-zA-Z0-9]*')");
        CHECK(validate_env_var_name, "..", "must not be '..'");

        _cleanup_free_ char *e = validate_regex_error("m", "r", NULL);
        is_str(e, "m (regex used for validation is 'r')", "regex error without examples");
}

int main(void) {
        test_dns();
        test_label_keys();
        test_ports();
        test_ip();
        test_misc();
        return tap_done();
}
