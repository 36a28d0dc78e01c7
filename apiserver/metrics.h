/* SPDX-License-Identifier: Apache-2.0 */
/* /metrics in the Prometheus text format: requests by verb, resource and
 * code with latency histograms (upstream's metric names and buckets),
 * in-flight requests, watchers, store figures. */
#ifndef TIMONIER_APISERVER_METRICS_H
#define TIMONIER_APISERVER_METRICS_H

#include "apiserver.h"

typedef struct metrics metrics;

metrics *metrics_new(void);
void metrics_free(metrics *m);
/* Count one finished request. */
void metrics_observe(metrics *m, const char *verb, const char *group, const char *resource,
                     const char *subresource, unsigned code, double seconds);
/* The whole exposition. */
char *metrics_render(apiserver *srv, size_t *ret_len);

#endif
