/* SPDX-License-Identifier: Apache-2.0 */
/* The generic REST storage of every resource of the schema: get, list,
 * create, update, patch, delete, deletecollection and watch over the store,
 * with the per-kind rules (strategy) applied on the way in. */
#ifndef TIMONIER_APISERVER_REGISTRY_H
#define TIMONIER_APISERVER_REGISTRY_H

#include "apiserver.h"
#include "requestinfo.h"

int registry_handle(api_request *r, const request_info *ri);

/* Create the namespaces that exist from the first start (default,
 * kube-system, kube-public, kube-node-lease) if missing. */
int registry_bootstrap(apiserver *srv, tm_error **err);

#endif
