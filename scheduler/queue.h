/* SPDX-License-Identifier: Apache-2.0 */
/* The scheduling queue, in the manner of upstream's PriorityQueue, without
 * I/O or clocks (the caller passes `now` in nanoseconds):
 *   - active: pods to try now, highest priority first, then oldest;
 *   - back-off: pods that failed, waiting 1 s, 2 s, 4 s ... up to 10 s
 *     (doubling per attempt) before going back to active;
 *   - unschedulable: pods no node fitted, parked until a cluster event
 *     (node added or changed, pod deleted) may make them fit, or until they
 *     have waited SCHED_QUEUE_MAX_UNSCHEDULABLE_NS.
 * Pods are named by a key ("namespace/name"); the caller keeps the objects. */
#ifndef TIMONIER_SCHED_QUEUE_H
#define TIMONIER_SCHED_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cleanup.h"

#define SCHED_QUEUE_INITIAL_BACKOFF_NS   (1000000000LL)
#define SCHED_QUEUE_MAX_BACKOFF_NS       (10000000000LL)
#define SCHED_QUEUE_MAX_UNSCHEDULABLE_NS (300000000000LL) /* 5 min */

typedef struct sched_queue sched_queue;

sched_queue *sched_queue_new(void);
void sched_queue_free(sched_queue *q);
DEFINE_CLEANUP_FUNC(sched_queue, sched_queue_free)

/* A new pod, or an update of a known one: a new pod goes to active; an
 * updated pod parked as unschedulable moves to back-off or active (its
 * priority and creation time are refreshed). A pod being scheduled (popped)
 * is left alone. */
void sched_queue_add(sched_queue *q, const char *key, int32_t priority, int64_t creation_ns,
                     int64_t now);
/* Forget a pod (deleted, or bound). */
void sched_queue_delete(sched_queue *q, const char *key);
/* Move expired back-offs to active, then take the first active pod. Its
 * key is valid until the pod is done/failed/deleted. NULL if none. */
const char *sched_queue_pop(sched_queue *q, int64_t now);
/* The popped pod was bound: forget it. */
void sched_queue_done(sched_queue *q, const char *key);
/* The popped pod failed: unschedulable parks it until an event; otherwise
 * (an error) it goes to back-off. */
void sched_queue_failed(sched_queue *q, const char *key, bool unschedulable, int64_t now);
/* A cluster event: every unschedulable pod moves to back-off or active. */
void sched_queue_move_all(sched_queue *q, int64_t now);
/* Unschedulable pods parked longer than the bound go back (call now and
 * then). */
void sched_queue_flush_unschedulable(sched_queue *q, int64_t now);
/* When the next back-off ends (ns), or -1 if none is waiting. */
int64_t sched_queue_next_backoff(const sched_queue *q);
/* The back-off a pod gets after `attempts` failures. */
int64_t sched_queue_backoff_ns(unsigned attempts);

size_t sched_queue_active_len(const sched_queue *q);
size_t sched_queue_backoff_len(const sched_queue *q);
size_t sched_queue_unschedulable_len(const sched_queue *q);
bool sched_queue_contains(const sched_queue *q, const char *key);

#endif
