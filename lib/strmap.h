/* SPDX-License-Identifier: Apache-2.0 */
/* A map from strings to pointers: open addressing, linear probing, FNV-1a.
 * Hand-written because none of the project's libraries has one and the
 * need is small; keys are copied, values are the caller's (freed through
 * the free function given to strmap_new, if any). Not thread-safe. */
#ifndef TIMONIER_STRMAP_H
#define TIMONIER_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct strmap strmap;

strmap *strmap_new(void (*free_value)(void *));
void strmap_free(strmap *m);
size_t strmap_size(const strmap *m);
void *strmap_get(const strmap *m, const char *key);
/* Sets the value (freeing the old one); returns true if the key was new. */
bool strmap_put(strmap *m, const char *key, void *value);
/* Removes the key (freeing its value); returns true if it was there. */
bool strmap_remove(strmap *m, const char *key);

/* Iteration: for (size_t i = 0; strmap_next(m, &i, &k, &v);) ... Must not
 * be mixed with changes to the map. */
bool strmap_next(const strmap *m, size_t *iter, const char **ret_key, void **ret_value);

#endif
