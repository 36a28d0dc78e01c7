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

#endif
