/* SPDX-License-Identifier: Apache-2.0 */
/* time_parse_rfc3339n: a parsed time, written out (in the years RFC 3339
 * can spell), parses back to the same instant (to the microsecond). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        tm_time t, t2;
        char buf[TIME_RFC3339_MAX];

        if (size > 1024)
                return 0;
        if (time_parse_rfc3339n((const char *)data, size, &t, NULL) < 0)
                return 0;
        if (t.nsec < 0 || t.nsec > 999999999)
                abort();
        time_format_rfc3339_micro(t, buf);
        /* Years -1 and 10000 (reachable through offsets) are written as Go
         * writes them, but RFC 3339 cannot spell them. */
        if (buf[0] == '-' || buf[4] != '-')
                return 0;
        if (time_parse_rfc3339(buf, &t2, NULL) < 0 || t2.sec != t.sec ||
            t2.nsec != t.nsec / 1000 * 1000)
                abort();
        time_format_rfc3339(t, buf);
        if (time_parse_rfc3339(buf, &t2, NULL) < 0 || t2.sec != t.sec || t2.nsec != 0)
                abort();
        return 0;
}
