/* SPDX-License-Identifier: Apache-2.0 */
/* Base64 (RFC 4648): standard alphabet with padding, or the URL-safe
 * alphabet without padding (Go's RawURLEncoding, as continue tokens use). */
#ifndef TIMONIER_BASE64_H
#define TIMONIER_BASE64_H

#include <stdbool.h>
#include <stddef.h>

char *base64_encode(const void *data, size_t len, bool url_raw);
/* Strict: rejects characters outside the alphabet, bad padding and (for
 * the standard alphabet) a missing one. -EINVAL on bad input. The result is
 * NUL-terminated (not counted in *ret_len). */
int base64_decode(const char *s, size_t len, bool url_raw, char **ret, size_t *ret_len);

#endif
