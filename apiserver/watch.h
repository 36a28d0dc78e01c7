/* SPDX-License-Identifier: Apache-2.0 */
/* Watches, served from a watch cache per resource (doc/watch.md).
 *
 * One store watch per resource feeds a dispatcher thread, which keeps the
 * recent events in memory (at least 75 s, as upstream) and hands each event,
 * serialized once, to every matching watcher. Watches resume from any
 * resourceVersion still in that history; an older one gets an ERROR event
 * with a 410 Expired Status. */
#ifndef TIMONIER_APISERVER_WATCH_H
#define TIMONIER_APISERVER_WATCH_H

#include "api/schema.h"
#include "apiserver.h"
#include "requestinfo.h"

typedef struct watch_hub watch_hub;

int watch_hub_new(apiserver *srv, int64_t history_ms, watch_hub **ret);
/* Ends every watch (their streams close) and stops the dispatchers. */
void watch_hub_free(watch_hub *h);

/* Serve GET ...?watch=1 as a chunked stream of JSON events. */
int watch_serve(api_request *r, const struct schema_resource *res, const request_info *ri);

/* A list served from the cache's memory (resourceVersion=0 lists, as
 * upstream): the objects under the resource (and namespace) matching the
 * selectors (either may be NULL), without kind/apiVersion, sorted by key,
 * and the revision they are consistent at. */
struct label_selector;
struct field_selector;
int watch_cache_list(apiserver *srv, const struct schema_resource *res, const char *ns,
                     const struct label_selector *labels, const struct field_selector *fields,
                     json **ret_items, int64_t *ret_rev, tm_error **err);

/* Number of open watches (for /metrics). */
unsigned watch_hub_watchers(watch_hub *h);

#endif
