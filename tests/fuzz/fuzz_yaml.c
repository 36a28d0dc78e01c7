/* SPDX-License-Identifier: Apache-2.0 */
/* YAML parser: every document of a stream that parses must serialize to
 * YAML and read back as an equal tree (and the same through JSON). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        json *docs = NULL;
        tm_error *err = NULL;
        if (tm_yaml_parse_stream((const char *)data, size, NULL, &docs, &err) < 0) {
                if (!err || !strstr(tm_error_msg(err), "line "))
                        abort(); /* every error names its place */
                tm_error_free(err);
                return 0;
        }
        json_limits lim = json_default_limits;
        lim.max_size = 0; /* quoting can make the output longer */
        for (size_t i = 0; i < json_array_len(docs); i++) {
                const json *d = json_array_get(docs, i);
                char *y = tm_yaml_serialize(d);
                if (!y)
                        abort();
                json *back = NULL;
                if (tm_yaml_parse(y, strlen(y), &lim, &back, NULL) < 0)
                        abort();
                if (!json_equal(d, back))
                        abort();
                json_free(back);
                free(y);

                size_t n;
                char *j = json_serialize(d, 0, &n);
                if (json_parse(j, n, &lim, &back, NULL) < 0 || !json_equal(d, back))
                        abort();
                json_free(back);
                free(j);
        }
        json_free(docs);
        return 0;
}
