/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers for the scheduler's unit tests: Pods and Nodes from JSON text,
 * and running one plug-in's Filter or Score as the framework would. */
#ifndef TIMONIER_TEST_SCHED_HELPERS_H
#define TIMONIER_TEST_SCHED_HELPERS_H

#include <stdio.h>
#include <stdlib.h>

#include "scheduler/framework.h"
#include "scheduler/plugins/plugins.h"

static json *parse_or_die(const char *text) {
        json *v = NULL;
        tm_error *err = NULL;
        if (json_parse(text, strlen(text), NULL, &v, &err) < 0) {
                fprintf(stderr, "bad test JSON: %s\n%s\n", tm_error_msg(err), text);
                abort();
        }
        return v;
}

static sched_pod *mkpod(const char *text) {
        sched_pod *p = NULL;
        tm_error *err = NULL;
        if (sched_pod_new(parse_or_die(text), &p, &err) < 0) {
                fprintf(stderr, "bad test pod: %s\n", tm_error_msg(err));
                abort();
        }
        return p;
}

static sched_node *mknode(const char *text) {
        sched_node *n = NULL;
        tm_error *err = NULL;
        if (sched_node_new(parse_or_die(text), &n, &err) < 0) {
                fprintf(stderr, "bad test node: %s\n", tm_error_msg(err));
                abort();
        }
        return n;
}

/* A node with cpu/memory/pods allocatable, labels and taints as JSON
 * fragments ("" for none). */
__attribute__((unused)) static sched_node *mknode_simple(const char *name, const char *cpu,
                                                         const char *mem, const char *labels,
                                                         const char *taints) {
        char buf[4096];
        snprintf(buf, sizeof(buf),
                 "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"%s\","
                 "\"labels\":{\"kubernetes.io/hostname\":\"%s\"%s%s}},"
                 "\"spec\":{\"taints\":[%s]},"
                 "\"status\":{\"allocatable\":{\"cpu\":\"%s\",\"memory\":\"%s\",\"pods\":\"110\"},"
                 "\"capacity\":{\"cpu\":\"%s\",\"memory\":\"%s\",\"pods\":\"110\"}}}",
                 name, name, *labels ? "," : "", labels, taints, cpu, mem, cpu, mem);
        return mknode(buf);
}

/* A pod with one container requesting cpu/mem ("" for none) and extra
 * spec fields (a JSON fragment, "" for none). */
__attribute__((unused)) static sched_pod *mkpod_simple(const char *name, const char *cpu,
                                                       const char *mem, const char *spec_extra) {
        char req[256] = "";
        if (*cpu || *mem)
                snprintf(req, sizeof(req), "\"resources\":{\"requests\":{%s%s%s%s%s%s%s}},",
                         *cpu ? "\"cpu\":\"" : "", cpu, *cpu ? "\"" : "", (*cpu && *mem) ? "," : "",
                         *mem ? "\"memory\":\"" : "", mem, *mem ? "\"" : "");
        char buf[8192];
        snprintf(buf, sizeof(buf),
                 "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\","
                 "\"namespace\":\"default\",\"uid\":\"uid-%s\","
                 "\"creationTimestamp\":\"2026-01-01T00:00:00Z\"},"
                 "\"spec\":{%s%s\"containers\":[{\"name\":\"c\",\"image\":\"nginx\",%s"
                 "\"imagePullPolicy\":\"Always\"}],\"schedulerName\":\"default-scheduler\"}}",
                 name, name, spec_extra, *spec_extra ? "," : "", req);
        return mkpod(buf);
}

/* A profile holding only the named plug-ins (NULL-terminated), weight 1. */
__attribute__((unused)) static sched_profile *mkprofile(const char *first, ...) {
        sched_profile *p = calloc(1, sizeof(*p));
        p->scheduler_name = strdup("default-scheduler");
        p->seed = 1;
        va_list ap;
        va_start(ap, first);
        for (const char *n = first; n; n = va_arg(ap, const char *)) {
                tm_error *err = NULL;
                if (sched_profile_add(p, n, 0, NULL, &err) < 0) {
                        fprintf(stderr, "%s\n", tm_error_msg(err));
                        abort();
                }
        }
        va_end(ap);
        return p;
}

/* Schedule pod over snap with profile; returns the result (caller frees). */
__attribute__((unused)) static sched_result run_one(sched_profile *prof, sched_snapshot *snap,
                                                    sched_pod *pod) {
        sched_result r = { 0 };
        sched_schedule_one(prof, snap, pod, &r);
        return r;
}

/* The plug-in's raw (pre-normalization) score of node n for pod. */
__attribute__((unused)) static int64_t raw_score(const sched_plugin *pl, void *config,
                                                 sched_snapshot *snap, sched_pod *pod,
                                                 const sched_node *n) {
        sched_profile prof = { 0 };
        sched_cycle c = { .profile = &prof, .snap = snap, .pod = pod };
        void *state = NULL;
        if (pl->pre_score)
                pl->pre_score(&c, config, &state);
        int64_t s = pl->score(&c, config, state, n);
        if (state && pl->free_state)
                pl->free_state(state);
        return s;
}

#endif
