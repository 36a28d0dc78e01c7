/* SPDX-License-Identifier: Apache-2.0 */
/* Reading a kubeconfig: the API server URL and the bearer token of its
 * current context (or of its first cluster), for every client daemon. */
#ifndef TIMONIER_KUBECONFIG_H
#define TIMONIER_KUBECONFIG_H

#include "tmerror.h"

#define KUBECONFIG_MAX_SIZE (1024 * 1024)

/* *ret_token (may be NULL) is NULL when the user has no token. */
int kubeconfig_read(const char *path, char **ret_server, char **ret_token, tm_error **err);

#endif
