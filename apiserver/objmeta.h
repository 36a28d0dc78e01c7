/* SPDX-License-Identifier: Apache-2.0 */
/* Object metadata chores: uids, timestamps, generated names. */
#ifndef TIMONIER_APISERVER_OBJMETA_H
#define TIMONIER_APISERVER_OBJMETA_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* A random (version 4) UUID, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx". */
void objmeta_new_uid(char ret[37]);
/* RFC 3339 in UTC with seconds, as metav1.Time: "2026-11-28T17:04:05Z". */
void objmeta_format_time(time_t t, char ret[32]);
/* generateName + 5 random characters of upstream's alphabet (no vowels). */
char *objmeta_generate_name(const char *base);
/* A DNS-1123 subdomain (lowercase alphanumerics, '-', '.', at most 253). */
bool objmeta_is_dns1123_subdomain(const char *s);
/* A DNS-1123 label (lowercase alphanumerics and '-', at most 63). */
bool objmeta_is_dns1123_label(const char *s);

/* Field selector values of an object ("metadata.name", "spec.nodeName",
 * "status.phase"): a selector_lookup_fn (lib/selector.h) whose userdata is
 * an objmeta_field_ctx. Numbers and booleans are formatted as upstream's
 * field sets hold them; an absent field is "". */
struct json;
typedef struct objmeta_field_ctx {
        const struct json *obj;
        char buf[64];
} objmeta_field_ctx;
const char *objmeta_field_lookup(void *userdata, const char *path);

#endif
