/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "strmap.h"
#include "tests/tap.h"
#include "util.h"

static int freed;
static void count_free(void *p) {
        if (!p)
                return;
        freed++;
        free(p);
}

int main(void) {
        strmap *m = strmap_new();
        ok(strmap_put(m, "a", xstrdup("1")) == NULL, "a new key");
        count_free(strmap_put(m, "a", xstrdup("2")));
        ok(freed == 1, "an existing key is replaced");
        is_int(freed, 1, "the replaced value was freed");
        is_str(strmap_get(m, "a"), "2", "get returns the latest value");
        ok(strmap_get(m, "b") == NULL, "a missing key");
        char key[32];
        for (int i = 0; i < 10000; i++) {
                snprintf(key, sizeof key, "/registry/pods/ns/p-%d", i);
                count_free(strmap_put(m, key, xstrdup(key)));
        }
        is_int(strmap_size(m), 10001, "10,000 more keys");
        int bad = 0;
        for (int i = 0; i < 10000; i++) {
                snprintf(key, sizeof key, "/registry/pods/ns/p-%d", i);
                const char *v = strmap_get(m, key);
                if (!v || !streq(v, key))
                        bad++;
        }
        is_int(bad, 0, "every key found after growing");
        for (int i = 0; i < 10000; i += 2) {
                snprintf(key, sizeof key, "/registry/pods/ns/p-%d", i);
                count_free(strmap_remove(m, key, NULL));
        }
        is_int(strmap_size(m), 5001, "half removed");
        bool found = true;
        ok(!strmap_remove(m, "/registry/pods/ns/p-0", &found) && !found,
           "removing twice is a no-op");
        snprintf(key, sizeof key, "/registry/pods/ns/p-%d", 9999);
        ok(strmap_get(m, key) != NULL, "keys past tombstones are still found");
        strmap_iter it = STRMAP_ITER_INIT;
        size_t n = 0;
        const char *k;
        void *v;
        while (strmap_next(m, &it, &k, &v))
                n++;
        is_int(n, 5001, "iteration visits every live key once");
        /* churn: tombstones must not fill the table */
        for (int r = 0; r < 50000; r++) {
                snprintf(key, sizeof key, "churn-%d", r % 100);
                if (r % 2)
                        count_free(strmap_remove(m, key, NULL));
                else
                        count_free(strmap_put(m, key, xstrdup("x")));
        }
        ok(strmap_size(m) <= 5101, "churn keeps the size right (%zu)", strmap_size(m));
        strmap_free_full(m, count_free);
        return tap_done();
}
