/* SPDX-License-Identifier: Apache-2.0 */
/* The scheduling framework: extension points run over a snapshot for one
 * pod, in the manner of upstream's pkg/scheduler/framework.
 *
 *   PreFilter -> Filter (each node; the first failing plug-in decides) ->
 *   PostFilter (when no node fits) -> PreScore -> Score (x weight, after
 *   NormalizeScore to 0..100) -> pick the best (random among ties) ->
 *   Reserve -> Bind.
 *
 * Plug-ins are const vtables (scheduler/plugins/plugins.h). Everything here
 * is pure logic; the Bind plug-in reaches the API through a callback. */
#ifndef TIMONIER_SCHED_FRAMEWORK_H
#define TIMONIER_SCHED_FRAMEWORK_H

#include <stdbool.h>
#include <stdint.h>

#include "json.h"
#include "scheduler/snapshot.h"
#include "tmerror.h"

#define SCHED_MAX_NODE_SCORE     100
#define SCHED_MAX_REASONS        8
#define SCHED_MAX_PLUGINS        32
/* upstream's minFeasibleNodesToFind and adaptive percentage */
#define SCHED_MIN_FEASIBLE_NODES 100

typedef enum sched_code {
        SCHED_SUCCESS,
        SCHED_ERROR,
        SCHED_UNSCHEDULABLE,              /* preemption might help */
        SCHED_UNSCHEDULABLE_UNRESOLVABLE, /* preemption cannot help */
        SCHED_SKIP,                       /* PreFilter/PreScore: plug-in not needed */
        _SCHED_CODE_MAX,
        _SCHED_CODE_INVALID = -1,
} sched_code;

/* A plug-in's verdict; reasons are malloc'd. */
typedef struct sched_status {
        sched_code code;
        const char *plugin;
        char *reasons[SCHED_MAX_REASONS];
        size_t n_reasons;
} sched_status;

void sched_status_done(sched_status *st);
/* Set the code (and the plug-in name) and append a reason. Returns code. */
sched_code sched_status_fail(sched_status *st, sched_code code, const char *fmt, ...)
        _printf_(3, 4);

typedef struct sched_cycle sched_cycle;
typedef struct sched_plugin sched_plugin;

struct sched_plugin {
        const char *name;
        int default_weight; /* Score plug-ins */
        /* Parse pluginConfig args (may be NULL) into a config. */
        int (*init)(const json *args, void **ret_config, tm_error **err);
        void (*free_config)(void *config);
        /* Per-cycle state is kept in sched_cycle_state(c, plugin index). */
        void (*free_state)(void *state);
        sched_code (*pre_filter)(sched_cycle *c, void *config, void **state, sched_status *st);
        sched_code (*filter)(sched_cycle *c, void *config, void *state, const sched_node *n,
                             sched_status *st);
        sched_code (*post_filter)(sched_cycle *c, void *config, sched_status *st);
        sched_code (*pre_score)(sched_cycle *c, void *config, void **state);
        int64_t (*score)(sched_cycle *c, void *config, void *state, const sched_node *n);
        /* scores[i] of nodes[i]; NULL: no normalization. */
        void (*normalize_score)(sched_cycle *c, void *config, void *state, int64_t *scores,
                                size_t n);
        sched_code (*reserve)(sched_cycle *c, void *config, const sched_node *n, sched_status *st);
        void (*unreserve)(sched_cycle *c, void *config, const sched_node *n);
        sched_code (*bind)(sched_cycle *c, void *config, const sched_node *n, sched_status *st);
};

/* Extension points, for disabling a plug-in at some of them. */
enum {
        SCHED_POINT_PRE_FILTER = 1 << 0,
        SCHED_POINT_FILTER = 1 << 1,
        SCHED_POINT_POST_FILTER = 1 << 2,
        SCHED_POINT_PRE_SCORE = 1 << 3,
        SCHED_POINT_SCORE = 1 << 4,
        SCHED_POINT_RESERVE = 1 << 5,
        SCHED_POINT_BIND = 1 << 6,
        SCHED_POINT_ALL = (1 << 7) - 1,
};

typedef struct sched_profile_entry {
        const sched_plugin *plugin;
        int weight;
        void *config;
        unsigned disabled; /* SCHED_POINT_* where it does not run */
} sched_profile_entry;

/* Binds a pod to a node (the daemon's I/O). 0 or a negative errno. */
typedef int (*sched_bind_fn)(const sched_pod *pod, const char *node_name, void *userdata,
                             tm_error **err);

typedef struct sched_profile {
        char *scheduler_name;
        sched_profile_entry entries[SCHED_MAX_PLUGINS];
        size_t n_entries;
        int percentage_of_nodes_to_score; /* 0: adaptive */
        sched_bind_fn bind;
        void *bind_userdata;
        size_t next_start_node; /* rotates over the nodes, as upstream */
        sched_status *scratch;  /* per-node statuses, reused across cycles */
        size_t n_scratch;
        unsigned seed; /* tie-breaking among equal scores */
} sched_profile;

/* A profile with upstream's default plug-ins and weights. args (may be
 * NULL) is a pluginConfig array [{name, args}]. */
int sched_profile_new_default(const char *scheduler_name, const json *plugin_config,
                              sched_profile **ret, tm_error **err);
/* Add one plug-in by name with a weight (<= 0: its default). */
int sched_profile_add(sched_profile *p, const char *plugin_name, int weight, const json *args,
                      tm_error **err);
void sched_profile_free(sched_profile *p);
DEFINE_CLEANUP_FUNC(sched_profile, sched_profile_free)

/* The outcome of one scheduling attempt. */
typedef struct sched_result {
        sched_code code;    /* SUCCESS, UNSCHEDULABLE(_UNRESOLVABLE) or ERROR */
        char *node_name;    /* on success */
        char *message;      /* on failure: the FailedScheduling message */
        size_t n_evaluated; /* nodes filtered */
        size_t n_feasible;
} sched_result;

void sched_result_done(sched_result *r);

/* Run one cycle for pod over snapshot: filter, score, select, reserve,
 * bind. On success the pod is NOT placed in the snapshot: the caller
 * assumes it (sched_node_add_pod) before binding returns, or after. With
 * profile->bind NULL the cycle stops after selecting a node. */
int sched_schedule_one(sched_profile *profile, sched_snapshot *snap, sched_pod *pod,
                       sched_result *ret);

/* ---- what plug-ins see -------------------------------------------------- */

struct sched_cycle {
        sched_profile *profile;
        sched_snapshot *snap;
        sched_pod *pod;
        void *state[SCHED_MAX_PLUGINS];
        /* per node (index in snap->nodes), the failing status; filled by the
         * Filter phase for PostFilter */
        sched_status *node_status;
        size_t n_node_status;
        size_t first_status, n_statuses_used; /* the range (mod n) written */
        size_t n_all_nodes;
        sched_node **feasible;
        size_t n_feasible;
};

/* upstream's DefaultNormalizeScore: scale to 0..max by the highest score
 * (reversed: max - that). */
void sched_default_normalize_score(int64_t max_priority, bool reverse, int64_t *scores, size_t n);

/* Build the message "0/N nodes are available: 2 Insufficient cpu, 1 ...."
 * from per-node statuses (reasons counted and sorted as strings).
 * prefilter_msg (may be NULL) replaces the node reasons; postfilter_msg
 * (may be NULL) is appended. */
char *sched_fit_error_message(size_t n_all_nodes, const sched_status *statuses, size_t n,
                              const char *prefilter_msg, const char *postfilter_msg);

/* upstream's numFeasibleNodesToFind. */
size_t sched_num_feasible_nodes_to_find(int percentage, size_t n_all_nodes);

/* Does the pod pass every filter of the profile on node n as it is now?
 * (Preemption's dry run removes pods from n around this.) */
bool sched_cycle_fits(sched_cycle *c, const sched_node *n);

#endif
