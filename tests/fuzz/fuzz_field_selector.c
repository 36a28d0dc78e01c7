/* SPDX-License-Identifier: Apache-2.0 */
/* Field selector parser: anything parsed prints a string that parses to
 * the same requirements. Upstream orders terms by their text before
 * normalizing them ("a==x" prints as "a=x"), so the first canonical string
 * may list terms in another order than a second round; from the second
 * round on the string is a fixed point. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "selector.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *lookup(void *userdata, const char *key) {
        (void)userdata;
        if (streq(key, "metadata.name"))
                return "web-0";
        if (streq(key, "status.phase"))
                return "Running";
        return NULL;
}

static int cmp_req(const void *a, const void *b) {
        const field_requirement *x = a, *y = b;
        int c = strcmp(x->field, y->field);
        if (c)
                return c;
        if (x->op != y->op)
                return x->op < y->op ? -1 : 1;
        return strcmp(x->value, y->value);
}

static bool same_requirements(const field_selector *a, const field_selector *b) {
        size_t na, nb;
        const field_requirement *ra = field_selector_requirements(a, &na);
        const field_requirement *rb = field_selector_requirements(b, &nb);
        if (na != nb)
                return false;
        if (na == 0)
                return true;
        field_requirement *sa = xmalloc(na * sizeof(*sa)), *sb = xmalloc(nb * sizeof(*sb));
        memcpy(sa, ra, na * sizeof(*sa));
        memcpy(sb, rb, nb * sizeof(*sb));
        qsort(sa, na, sizeof(*sa), cmp_req);
        qsort(sb, nb, sizeof(*sb), cmp_req);
        bool same = true;
        for (size_t i = 0; i < na && same; i++)
                same = cmp_req(&sa[i], &sb[i]) == 0;
        free(sa);
        free(sb);
        return same;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size > 4096)
                return 0;
        _cleanup_free_ char *s = xstrndup((const char *)data, size);
        _cleanup_(field_selector_freep) field_selector *sel = NULL, *two = NULL, *three = NULL;
        _cleanup_error_ tm_error *err = NULL;
        const char *v;

        if (field_selector_parse(s, &sel, &err) < 0) {
                if (!err || !tm_error_msg(err)[0])
                        abort();
                return 0;
        }
        bool m = field_selector_matches(sel, lookup, NULL);
        (void)field_selector_requires_exact(sel, "metadata.name", &v);
        _cleanup_free_ char *s1 = field_selector_to_string(sel);
        if (field_selector_parse(s1, &two, &err) < 0)
                abort();
        if (!same_requirements(sel, two) || field_selector_matches(two, lookup, NULL) != m)
                abort();
        _cleanup_free_ char *s2 = field_selector_to_string(two);
        if (field_selector_parse(s2, &three, &err) < 0)
                abort();
        _cleanup_free_ char *s3 = field_selector_to_string(three);
        if (!streq(s2, s3))
                abort();
        return 0;
}
