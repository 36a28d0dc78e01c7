/* SPDX-License-Identifier: Apache-2.0 */
/* quantity_parsen: whatever parses must print a canonical string that parses
 * again to an equal quantity and prints the same string. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "quantity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        quantity q, q2;
        char s[QUANTITY_STRING_MAX], s2[QUANTITY_STRING_MAX];
        int64_t v;

        if (size > 4096)
                return 0;
        if (quantity_parsen((const char *)data, size, &q, NULL) < 0)
                return 0;
        quantity_format_buf(&q, s);
        if (quantity_parse(s, &q2, NULL) < 0 || quantity_cmp(&q, &q2) != 0)
                abort();
        if (strcmp(quantity_format_buf(&q2, s2), s) != 0)
                abort();
        (void)quantity_value(&q, &v);
        (void)quantity_milli_value(&q, &v);
        if (quantity_add(&q2, &q) == 0 && quantity_sub(&q2, &q) == 0 && quantity_cmp(&q, &q2) != 0)
                abort();
        return 0;
}
