/* SPDX-License-Identifier: Apache-2.0 */
/* Name and value validation with the messages of upstream's
 * k8s.io/apimachinery/pkg/util/validation (and api/validate/content for label
 * keys and values), so that an API Status's details.causes read the same.
 *
 * Each function returns NULL when the value is valid, else a malloc'd,
 * NULL-terminated list of messages in upstream's order (free it with
 * strv_free(), or hold it in a _cleanup_strv_ variable). The messages are the
 * detail only; the caller adds the field path and value
 * ("metadata.name: Invalid value: \"A\": <message>"). */
#ifndef TIMONIER_VALIDATE_H
#define TIMONIER_VALIDATE_H

#include <stdint.h>

#include "cleanup.h"

#define VALIDATE_DNS1123_LABEL_MAX     63
#define VALIDATE_DNS1123_SUBDOMAIN_MAX 253
#define VALIDATE_DNS1035_LABEL_MAX     63
#define VALIDATE_LABEL_VALUE_MAX       63

/* IsDNS1123Label: lower-case alphanumerics and '-', at most 63. */
char **validate_dns1123_label(const char *value);
/* IsDNS1123Subdomain: dot-separated DNS-1123 labels, at most 253. */
char **validate_dns1123_subdomain(const char *value);
/* IsDNS1035Label: like a DNS-1123 label but starting with a letter. */
char **validate_dns1035_label(const char *value);
/* IsQualifiedName / content.IsLabelKey: [prefix/]name, e.g. label keys. */
char **validate_qualified_name(const char *value);
/* IsValidLabelValue: empty, or a name of at most 63. */
char **validate_label_value(const char *value);
/* IsValidPortNum: 1 ... 65535. */
char **validate_port_num(int64_t port);
/* IsValidPortName: an IANA_SVC_NAME. */
char **validate_port_name(const char *value);
/* IsValidIP: an IPv4 or IPv6 address in canonical form. */
char **validate_ip(const char *value);
/* IsValidCIDR: a CIDR in canonical form, no host bits set. */
char **validate_cidr(const char *value);
/* IsValidPercent: "[0-9]+%". */
char **validate_percent(const char *value);
/* IsConfigMapKey: [-._a-zA-Z0-9]+, at most 253, not "." / ".." / "..x". */
char **validate_config_map_key(const char *value);
/* IsEnvVarName: [-._a-zA-Z][-._a-zA-Z0-9]*, not "." / ".." / "..x". */
char **validate_env_var_name(const char *value);

/* The building blocks of upstream's messages. */
char *validate_max_len_error(int length); /* "must be no more than N characters" */
char *validate_regex_error(const char *msg, const char *re, const char *const *examples);
char *validate_inclusive_range_error(int64_t lo, int64_t hi);

#endif
