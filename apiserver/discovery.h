/* SPDX-License-Identifier: Apache-2.0 */
/* Legacy (unaggregated) discovery documents, built from the schema. */
#ifndef TIMONIER_APISERVER_DISCOVERY_H
#define TIMONIER_APISERVER_DISCOVERY_H

#include "json.h"

/* GET /api: APIVersions. `server_address` is host:port. */
json *discovery_api_versions(const char *server_address);
/* GET /apis: APIGroupList. */
json *discovery_api_group_list(void);
/* GET /apis/<group>: APIGroup, or NULL if the group is not served. */
json *discovery_api_group(const char *group);
/* GET /api/v1, /apis/<group>/<version>: APIResourceList, or NULL. */
json *discovery_resource_list(const char *group, const char *version);

#endif
