/* SPDX-License-Identifier: Apache-2.0 */
/* A hash map from strings (copied) to pointers, for caches and sets.
 * Not thread-safe: the owner locks. */
#ifndef TIMONIER_STRMAP_H
#define TIMONIER_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "cleanup.h"

typedef struct strmap strmap;

typedef struct strmap_iter {
        size_t bucket;
        void *entry;
} strmap_iter;
#define STRMAP_ITER_INIT \
        { 0, NULL }

strmap *strmap_new(void);
/* free_value (may be NULL) is called on every value. */
void strmap_free_full(strmap *m, void (*free_value)(void *));
static inline void strmap_free(strmap *m) {
        strmap_free_full(m, NULL);
}
DEFINE_CLEANUP_FUNC(strmap, strmap_free)

size_t strmap_size(const strmap *m);
bool strmap_contains(const strmap *m, const char *key);
/* NULL when absent (or when NULL was stored). */
void *strmap_get(const strmap *m, const char *key);
/* Insert or replace; returns the old value (NULL if none). */
void *strmap_put(strmap *m, const char *key, void *value);
/* Remove; returns the value (NULL if absent); *ret_found tells (may be NULL). */
void *strmap_remove(strmap *m, const char *key, bool *ret_found);
/* Iterate in no particular order; the map must not change meanwhile.
 * Returns false at the end. */
bool strmap_next(const strmap *m, strmap_iter *it, const char **ret_key, void **ret_value);

#endif
