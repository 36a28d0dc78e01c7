/* SPDX-License-Identifier: Apache-2.0 */
/* The string hash map under the informer cache and the work queue. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "strmap.h"
#include "tests/tap.h"
#include "util.h"

int main(void) {
        _cleanup_(strmap_freep) strmap *m = strmap_new();
        is_int(strmap_size(m), 0, "empty");
        ok(strmap_get(m, "a") == NULL && !strmap_contains(m, "a"), "get on empty");
        ok(strmap_put(m, "a", (void *)1) == NULL, "put a new key returns NULL");
        ok(strmap_put(m, "a", (void *)2) == (void *)1, "put an existing key returns the old value");
        is_int(strmap_size(m), 1, "replace keeps one entry");
        ok(strmap_get(m, "a") == (void *)2, "get the new value");
        strmap_put(m, "", (void *)3);
        ok(strmap_get(m, "") == (void *)3, "the empty key");
        strmap_put(m, "n", NULL);
        ok(strmap_contains(m, "n") && strmap_get(m, "n") == NULL, "a NULL value is present");

        /* Grow through many rehashes, remove half. */
        char key[32];
        for (uintptr_t i = 0; i < 10000; i++) {
                snprintf(key, sizeof key, "k%lu", (unsigned long)i);
                strmap_put(m, key, (void *)(i + 100));
        }
        is_int(strmap_size(m), 10003, "10000 more keys");
        int bad = 0;
        for (uintptr_t i = 0; i < 10000; i++) {
                snprintf(key, sizeof key, "k%lu", (unsigned long)i);
                if (strmap_get(m, key) != (void *)(i + 100))
                        bad++;
        }
        is_int(bad, 0, "every key maps to its value");
        for (uintptr_t i = 0; i < 10000; i += 2) {
                snprintf(key, sizeof key, "k%lu", (unsigned long)i);
                bool found;
                if (strmap_remove(m, key, &found) != (void *)(i + 100) || !found)
                        bad++;
        }
        is_int(bad, 0, "remove returns the value");
        bool found = true;
        ok(strmap_remove(m, "k0", &found) == NULL && !found, "remove of a missing key");
        is_int(strmap_size(m), 5003, "half removed");
        ok(!strmap_contains(m, "k2") && strmap_contains(m, "k3"), "the right half");

        size_t n = 0;
        long long sum = 0;
        strmap_iter it = STRMAP_ITER_INIT;
        const char *k;
        void *v;
        while (strmap_next(m, &it, &k, &v)) {
                n++;
                if (k[0] == 'k')
                        sum += (long long)(uintptr_t)v - 100;
        }
        is_int(n, 5003, "iteration visits every entry once");
        is_int(sum, 25000000LL, "sum of the odd keys' values");
        strmap_iter it2 = STRMAP_ITER_INIT;
        ok(!strmap_next(NULL, &it2, NULL, NULL), "iterating NULL");

        /* free_full calls the destructor on each value. */
        strmap *m2 = strmap_new();
        strmap_put(m2, "x", xstrdup("one"));
        strmap_put(m2, "y", xstrdup("two"));
        is_int(strmap_size(m2), 2, "two values to free");
        strmap_free_full(m2, free); /* a leak would show under ASan */
        return tap_done();
}
