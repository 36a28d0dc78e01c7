/* SPDX-License-Identifier: Apache-2.0 */
/* Label selector parser: anything parsed prints a canonical string that
 * parses again to the same string, and matching never crashes. An input
 * starting with '{' also goes through label_selector_from_json(). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "selector.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *lookup(void *userdata, const char *key) {
        /* A fixed label set: a few keys the corpus uses. */
        static const char *const labels[][2] = {
                { "a", "b" }, { "x", "1" }, { "env", "prod" }, { "tier", "" }, { "n", "-5" },
        };
        (void)userdata;
        for (size_t i = 0; i < ELEMENTSOF(labels); i++)
                if (streq(labels[i][0], key))
                        return labels[i][1];
        return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > 4096)
                return 0;
        _cleanup_free_ char *s = xstrndup((const char *)data, size);
        _cleanup_(label_selector_freep) label_selector *sel = NULL, *again = NULL;
        _cleanup_error_ tm_error *err = NULL;

        if (s[0] == '{') {
                _cleanup_json_ json *v = NULL;
                _cleanup_(label_selector_freep) label_selector *fj = NULL;
                if (json_parse(s, strlen(s), NULL, &v, NULL) == 0 &&
                    label_selector_from_json(v, &fj, NULL) == 0) {
                        _cleanup_free_ char *str = label_selector_to_string(fj);
                        (void)label_selector_matches(fj, lookup, NULL);
                }
        }
        if (label_selector_parse(s, &sel, &err) < 0) {
                if (!err || !tm_error_msg(err)[0])
                        abort();
                return 0;
        }
        bool m = label_selector_matches(sel, lookup, NULL);
        _cleanup_free_ char *str = label_selector_to_string(sel);
        if (label_selector_parse(str, &again, &err) < 0)
                abort();
        _cleanup_free_ char *str2 = label_selector_to_string(again);
        if (!streq(str, str2))
                abort();
        if (label_selector_matches(again, lookup, NULL) != m)
                abort();
        if (label_selector_is_empty(sel) != (str[0] == '\0'))
                abort();
        return 0;
}
