/* SPDX-License-Identifier: Apache-2.0 */
/* The daemon's own HTTP endpoint: GET /healthz ("ok") and GET /metrics
 * (Prometheus text, rendered by a callback), on libmicrohttpd. Plain HTTP:
 * bind it to loopback. */
#ifndef TIMONIER_SCHED_HEALTH_H
#define TIMONIER_SCHED_HEALTH_H

#include <stdint.h>

#include "tmerror.h"

typedef struct sched_health sched_health;

/* Returns the metrics text, malloc'd; called from the server's thread. */
typedef char *(*sched_metrics_fn)(void *userdata);

int sched_health_start(const char *address, uint16_t port, sched_metrics_fn metrics, void *userdata,
                       sched_health **ret, tm_error **err);
void sched_health_stop(sched_health *h);

#endif
