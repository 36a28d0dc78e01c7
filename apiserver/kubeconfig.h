/* SPDX-License-Identifier: Apache-2.0 */
#ifndef TIMONIER_APISERVER_KUBECONFIG_H
#define TIMONIER_APISERVER_KUBECONFIG_H

#include "tmerror.h"

/* Write an admin kubeconfig for `server` (e.g. http://127.0.0.1:6443)
 * atomically, mode 0600. */
int kubeconfig_write(const char *path, const char *server, tm_error **err);

#endif
