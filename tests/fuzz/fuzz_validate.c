/* SPDX-License-Identifier: Apache-2.0 */
/* The validators on arbitrary strings: no crash, and the canonical form an
 * IP or CIDR message suggests is itself valid. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

static void check_suggestion(char **msgs, char **(*f)(const char *)) {
        static const char prefix[] = "must be in canonical form (\"";
        for (char **m = msgs; m && *m; m++) {
                if (strncmp(*m, prefix, sizeof(prefix) - 1) != 0)
                        continue;
                char *s = strdup(*m + sizeof(prefix) - 1);
                if (!s)
                        abort();
                s[strlen(s) - 2] = 0; /* drop `")` */
                char **again = f(s);
                if (again)
                        abort();
                free(s);
        }
        strv_free(msgs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > 1024)
                return 0;
        char *s = malloc(size + 1);
        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = 0;
        char **(*plain[])(const char *) = { validate_dns1123_label, validate_dns1123_subdomain,
                                            validate_dns1035_label, validate_qualified_name,
                                            validate_label_value,   validate_port_name,
                                            validate_percent,       validate_config_map_key,
                                            validate_env_var_name };
        for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
                strv_free(plain[i](s));
        check_suggestion(validate_ip(s), validate_ip);
        check_suggestion(validate_cidr(s), validate_cidr);
        free(s);
        return 0;
}
