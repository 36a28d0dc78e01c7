/* SPDX-License-Identifier: Apache-2.0 */
/* JSON parser: whatever parses must serialize (compact, pretty, sorted),
 * read back as an equal tree, serialize again to the same bytes, and copy to
 * an equal tree. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const json *v, unsigned flags) {
        /* Escapes can make the output longer than the input: no size bound. */
        json_limits lim = json_default_limits;
        lim.max_size = 0;
        size_t n;
        char *s = json_serialize(v, flags, &n);
        if (strlen(s) != n)
                abort();
        json *back = NULL;
        if (json_parse(s, n, &lim, &back, NULL) < 0)
                abort();
        if (!json_equal(v, back) || !json_equal(back, v))
                abort();
        size_t n2;
        char *s2 = json_serialize(back, flags, &n2);
        if (n2 != n || memcmp(s, s2, n) != 0)
                abort();
        free(s2);
        json_free(back);
        free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        json *v = NULL;
        char **dups = NULL;
        tm_error *err = NULL;
        if (json_parse_ex((const char *)data, size, NULL, &v, &dups, &err) < 0) {
                if (!err || !strstr(tm_error_msg(err), "line "))
                        abort(); /* every error names its place */
                tm_error_free(err);
                return 0;
        }
        strv_free(dups);
        check_round_trip(v, 0);
        check_round_trip(v, JSON_PRETTY);
        check_round_trip(v, JSON_SORT_KEYS);
        json *c = json_copy(v);
        if (!json_equal(v, c))
                abort();
        json_free(c);
        json_free(v);
        return 0;
}
