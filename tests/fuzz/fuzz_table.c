/* SPDX-License-Identifier: Apache-2.0 */
/* Table printing of arbitrary input: the input as an Accept header must
 * negotiate or fail cleanly, and as a JSON object it must print as a Table
 * of every resource with one cell per column, whatever its field types. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apiserver/table.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct table_accept acc;
        json *obj = NULL;
        size_t ngv;

        if (size > 16384)
                return 0;
        char *s = xstrndup((const char *)data, size);
        if (table_negotiate(s, &acc, NULL) == 0 && !acc.media_type)
                abort();
        free(s);

        if (json_parse((const char *)data, size, NULL, &obj, NULL) < 0)
                return 0;
        const struct schema_group_version *gvs = schema_group_versions(&ngv);
        struct table_options o = TABLE_OPTIONS_INIT;
        o.include = TABLE_INCLUDE_OBJECT;
        o.now_set = true;
        o.now = (tm_time){ .sec = 1717243200 };
        for (size_t g = 0; g < ngv; g++)
                for (size_t i = 0; i < gvs[g].n_resources; i++) {
                        const struct schema_resource *r = &gvs[g].resources[i];
                        json *t = NULL;
                        if (r->n_columns == 0 || table_convert(r, obj, &o, &t, NULL) < 0)
                                continue;
                        const json *rows = json_object_get(t, "rows");
                        for (size_t k = 0; k < json_array_len(rows); k++)
                                if (json_array_len(json_object_get(json_array_get(rows, k),
                                                                   "cells")) != r->n_columns)
                                        abort();
                        json_free(t);
                }
        json_free(obj);
        return 0;
}
