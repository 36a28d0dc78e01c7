/* SPDX-License-Identifier: Apache-2.0 */
/* Leader election on a coordination.k8s.io/v1 Lease, as client-go's
 * leaderelection package does it (doc/informer.md):
 *
 * - a candidate takes the Lease when it is free (no holderIdentity) or when
 *   its record has not changed for leaseDurationSeconds, measured on the
 *   candidate's own clock from when it saw the record change (not from
 *   renewTime, so clock skew between machines does not matter);
 * - the leader renews it every retry period; when it cannot renew for the
 *   renew deadline, it stops leading;
 * - writes are guarded by resourceVersion: a 409 Conflict loses the round;
 * - on a clean stop the leader releases the Lease (holderIdentity "",
 *   leaseDurationSeconds 1) so that another candidate takes over at its
 *   next try.
 *
 * Each elector runs its own thread; callbacks are called from it and must
 * return promptly (start the real work in other threads). Unlike client-go,
 * an elector that lost the Lease becomes a candidate again instead of
 * ending, and on_stopped_leading is only called after on_started_leading. */
#ifndef TIMONIER_LEADERELECTION_H
#define TIMONIER_LEADERELECTION_H

#include <stdbool.h>

#include "cleanup.h"
#include "httpclient.h"
#include "tmerror.h"

#define LEADERELECTION_DEFAULT_LEASE_DURATION_MS 15000
#define LEADERELECTION_DEFAULT_RENEW_DEADLINE_MS 10000
#define LEADERELECTION_DEFAULT_RETRY_PERIOD_MS   2000

typedef struct leaderelection leaderelection;

typedef struct leaderelection_config {
        const char *lease_namespace; /* e.g. "kube-system" */
        const char *lease_name;      /* e.g. "kube-scheduler" */
        const char *identity;        /* unique per candidate, e.g. hostname_uuid */
        long lease_duration_ms;      /* 0: 15 s */
        long renew_deadline_ms;      /* 0: 10 s */
        long retry_period_ms;        /* 0: 2 s */
        bool no_release_on_stop;     /* keep the Lease on stop (others wait it out) */
        void (*on_started_leading)(leaderelection *le, void *userdata);
        void (*on_stopped_leading)(leaderelection *le, void *userdata);
        /* The observed holder changed (NULL-safe: "" when none). */
        void (*on_new_leader)(leaderelection *le, const char *identity, void *userdata);
        void *userdata;
} leaderelection_config;

/* The client must outlive the elector (it is used from the elector's
 * thread). Strings are copied. -EINVAL for inconsistent timings (as
 * upstream: lease duration > renew deadline > 1.2 * retry period > 0). */
int leaderelection_new(http_client *client, const leaderelection_config *cfg, leaderelection **ret,
                       tm_error **err);
/* Stops (releasing the Lease if leading) and frees. */
void leaderelection_free(leaderelection *le);
DEFINE_CLEANUP_FUNC(leaderelection, leaderelection_free)

int leaderelection_start(leaderelection *le, tm_error **err);
/* Stop trying; if leading, release the Lease (unless no_release_on_stop)
 * and call on_stopped_leading. Idempotent. */
void leaderelection_stop(leaderelection *le);

bool leaderelection_is_leader(leaderelection *le);
/* The holder last observed, malloc'd ("" when none). */
char *leaderelection_leader(leaderelection *le);
const char *leaderelection_identity(const leaderelection *le);

#endif
