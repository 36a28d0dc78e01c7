/* SPDX-License-Identifier: Apache-2.0 */
/* What the scheduler knows of the cluster: nodes with their allocatable
 * resources, the pods bound (or assumed) to each, and the sums the plug-ins
 * need (requested resources, host ports). Pure data, no I/O: the daemon
 * fills it from watches, tests from JSON literals.
 *
 * Pod requests are computed as upstream's computePodResourceRequest: the sum
 * of the containers' requests, raised to the largest init container's (plus
 * the restartable "sidecar" init containers started before it), plus
 * spec.overhead. The "non-zero" variant counts a container without a cpu or
 * memory request as 100m / 200Mi, as upstream does for scoring. */
#ifndef TIMONIER_SCHED_SNAPSHOT_H
#define TIMONIER_SCHED_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "tmerror.h"

#define SCHED_DEFAULT_MILLI_CPU_REQUEST 100                 /* 0.1 core */
#define SCHED_DEFAULT_MEMORY_REQUEST    (200 * 1024 * 1024) /* 200 MiB */
#define SCHED_MAX_SCALAR                8 /* extended resources tracked per object */

typedef struct sched_scalar {
        char name[64];
        int64_t value;
} sched_scalar;

typedef struct sched_resources {
        int64_t milli_cpu;
        int64_t memory;
        int64_t ephemeral_storage;
        int64_t pods; /* allocatable pod count (nodes only) */
        size_t n_scalar;
        sched_scalar scalar[SCHED_MAX_SCALAR];
} sched_resources;

int64_t sched_resources_scalar(const sched_resources *r, const char *name);
void sched_resources_add(sched_resources *r, const sched_resources *y);
void sched_resources_sub(sched_resources *r, const sched_resources *y);

/* Parse a ResourceList ({"cpu":"500m","memory":"1Gi",...}) into r
 * (added to what r holds). -EINVAL for a bad quantity, -E2BIG for more than
 * SCHED_MAX_SCALAR extended resources. */
int sched_resources_parse(const json *list, sched_resources *r, tm_error **err);

typedef struct sched_host_port {
        char ip[48]; /* "" and "0.0.0.0" mean every address */
        char protocol[8];
        int32_t port;
} sched_host_port;

typedef struct sched_pod {
        json *obj; /* the Pod, owned */
        const char *namespace, *name, *uid, *node_name, *scheduler_name;
        int32_t priority;
        int64_t creation_ns; /* metadata.creationTimestamp */
        sched_resources requests;
        sched_resources nonzero_requests; /* for scoring */
        sched_host_port *host_ports;
        size_t n_host_ports;
        bool preemption_never;       /* spec.preemptionPolicy: Never */
        bool required_anti_affinity; /* has required pod anti-affinity terms */
        bool pod_affinity;           /* has any pod affinity or anti-affinity */
        /* owned by the snapshot while the pod is placed on a node */
        struct sched_node *node;
        size_t index_on_node;
        bool assumed; /* bound by us, not yet seen bound in a watch event */
        bool orphan;  /* the daemon's: bound to a node not (yet) known */
} sched_pod;

/* Takes the Pod object (freed on error too). -EINVAL names a bad field. */
int sched_pod_new(json *obj, sched_pod **ret, tm_error **err);
void sched_pod_free(sched_pod *p);
DEFINE_CLEANUP_FUNC(sched_pod, sched_pod_free)

typedef struct sched_taint {
        const char *key, *value, *effect; /* borrowed from the Node object */
} sched_taint;

typedef struct sched_node {
        json *obj; /* the Node, owned */
        const char *name;
        const json *labels; /* object or NULL */
        bool unschedulable;
        sched_taint *taints;
        size_t n_taints;
        sched_resources allocatable;
        /* sums over pods */
        sched_resources requested;
        sched_resources nonzero_requested;
        sched_pod **pods; /* borrowed */
        size_t n_pods, cap_pods;
        size_t n_pods_required_anti; /* pods with required anti-affinity */
        size_t n_pods_affinity;      /* pods with any pod (anti-)affinity */
        struct sched_snapshot *snap; /* the snapshot holding the node, or NULL */
} sched_node;

int sched_node_new(json *obj, sched_node **ret, tm_error **err);
void sched_node_free(sched_node *n);
DEFINE_CLEANUP_FUNC(sched_node, sched_node_free)

const char *sched_node_label(const sched_node *n, const char *key);

/* The nodes, by name. */
typedef struct sched_snapshot {
        sched_node **nodes; /* in insertion order (owned) */
        size_t n_nodes, cap_nodes;
        size_t *slots; /* open addressing: index+1, 0 empty */
        size_t n_slots;
        uint64_t generation;         /* bumped on every change */
        size_t n_pods_required_anti; /* over all nodes */
        size_t n_pods_affinity;
} sched_snapshot;

void sched_snapshot_init(sched_snapshot *s);
void sched_snapshot_done(sched_snapshot *s);
sched_node *sched_snapshot_get(const sched_snapshot *s, const char *name);
/* Add or replace the node of that name (the pods of a replaced node move to
 * the new one). Takes n. */
void sched_snapshot_set_node(sched_snapshot *s, sched_node *n);
/* Remove a node; its pods are detached (p->node = NULL), not freed. */
void sched_snapshot_remove_node(sched_snapshot *s, const char *name);

/* Place a pod on a node / take it off, updating the sums. */
void sched_node_add_pod(sched_node *n, sched_pod *p);
void sched_node_remove_pod(sched_pod *p);

#endif
