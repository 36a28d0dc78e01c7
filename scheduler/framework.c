/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "scheduler/framework.h"
#include "scheduler/plugins/plugins.h"
#include "strbuf.h"
#include "util.h"

void sched_status_done(sched_status *st) {
        for (size_t i = 0; i < st->n_reasons; i++)
                free(st->reasons[i]);
        *st = (sched_status){ 0 };
}

sched_code sched_status_fail(sched_status *st, sched_code code, const char *fmt, ...) {
        st->code = code;
        if (st->n_reasons < SCHED_MAX_REASONS) {
                va_list ap;
                va_start(ap, fmt);
                st->reasons[st->n_reasons++] = xvasprintf(fmt, ap);
                va_end(ap);
        }
        return code;
}

void sched_result_done(sched_result *r) {
        free(r->node_name);
        free(r->message);
        *r = (sched_result){ 0 };
}

/* ---- profiles ------------------------------------------------------------ */

static const json *plugin_args(const json *plugin_config, const char *name) {
        for (size_t i = 0; i < json_array_len(plugin_config); i++) {
                const json *pc = json_array_get(plugin_config, i);
                if (streq_ptr(json_object_get_string(pc, "name"), name))
                        return json_object_get(pc, "args");
        }
        return NULL;
}

int sched_profile_add(sched_profile *p, const char *plugin_name, int weight, const json *args,
                      tm_error **err) {
        const sched_plugin *pl = NULL;
        for (const sched_plugin *const *it = sched_plugins; *it; it++)
                if (streq((*it)->name, plugin_name))
                        pl = *it;
        if (!pl)
                return tm_error_set(err, -ENOENT, "unknown plug-in \"%s\"", plugin_name);
        if (p->n_entries >= SCHED_MAX_PLUGINS)
                return tm_error_set(err, -E2BIG, "too many plug-ins");
        void *config = NULL;
        if (pl->init) {
                int r = pl->init(args, &config, err);
                if (r < 0)
                        return tm_error_wrap(err, r, "plug-in %s", plugin_name);
        }
        p->entries[p->n_entries++] = (sched_profile_entry){
                .plugin = pl,
                .weight = weight > 0 ? weight : pl->default_weight,
                .config = config,
        };
        return 0;
}

int sched_profile_new_default(const char *scheduler_name, const json *plugin_config,
                              sched_profile **ret, tm_error **err) {
        _cleanup_(sched_profile_freep) sched_profile *p = xcalloc(1, sizeof(*p));
        p->scheduler_name = xstrdup(scheduler_name ? scheduler_name : "default-scheduler");
        p->seed = 1;
        for (const sched_plugin *const *it = sched_default_plugins; *it; it++) {
                int r = sched_profile_add(p, (*it)->name, 0,
                                          plugin_args(plugin_config, (*it)->name), err);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(p);
        return 0;
}

void sched_profile_free(sched_profile *p) {
        if (!p)
                return;
        for (size_t i = 0; i < p->n_entries; i++)
                if (p->entries[i].plugin->free_config)
                        p->entries[i].plugin->free_config(p->entries[i].config);
        free(p->scratch);
        free(p->scheduler_name);
        free(p);
}

/* ---- helpers for plug-ins ------------------------------------------------- */

void sched_default_normalize_score(int64_t max_priority, bool reverse, int64_t *scores, size_t n) {
        int64_t max = 0;
        for (size_t i = 0; i < n; i++)
                if (scores[i] > max)
                        max = scores[i];
        if (max == 0) {
                if (reverse)
                        for (size_t i = 0; i < n; i++)
                                scores[i] = max_priority;
                return;
        }
        for (size_t i = 0; i < n; i++) {
                int64_t s = max_priority * scores[i] / max;
                scores[i] = reverse ? max_priority - s : s;
        }
}

size_t sched_num_feasible_nodes_to_find(int percentage, size_t n_all_nodes) {
        if (n_all_nodes < SCHED_MIN_FEASIBLE_NODES || percentage >= 100)
                return n_all_nodes;
        long pct = percentage;
        if (pct <= 0) {
                pct = 50 - (long)(n_all_nodes / 125);
                if (pct < 5)
                        pct = 5;
        }
        size_t n = n_all_nodes * (size_t)pct / 100;
        return n < SCHED_MIN_FEASIBLE_NODES ? SCHED_MIN_FEASIBLE_NODES : n;
}

typedef struct reason_count {
        const char *reason;
        size_t count;
} reason_count;

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

char *sched_fit_error_message(size_t n_all_nodes, const sched_status *statuses, size_t n,
                              const char *prefilter_msg, const char *postfilter_msg) {
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        strbuf_printf(&b, "0/%zu nodes are available:", n_all_nodes);
        if (prefilter_msg && *prefilter_msg)
                strbuf_printf(&b, " %s.", prefilter_msg);
        else {
                reason_count *hist = NULL;
                size_t n_hist = 0;
                for (size_t i = 0; i < n; i++)
                        for (size_t j = 0; j < statuses[i].n_reasons; j++) {
                                const char *r = statuses[i].reasons[j];
                                size_t k;
                                for (k = 0; k < n_hist; k++)
                                        if (streq(hist[k].reason, r))
                                                break;
                                if (k == n_hist) {
                                        hist = xreallocarray(hist, n_hist + 1, sizeof(*hist));
                                        hist[n_hist++] = (reason_count){ r, 0 };
                                }
                                hist[k].count++;
                        }
                if (n_hist > 0) {
                        char **strs = xcalloc(n_hist, sizeof(*strs));
                        for (size_t k = 0; k < n_hist; k++)
                                strs[k] = xasprintf("%zu %s", hist[k].count, hist[k].reason);
                        qsort(strs, n_hist, sizeof(*strs), cmp_str);
                        strbuf_putc(&b, ' ');
                        for (size_t k = 0; k < n_hist; k++) {
                                if (k)
                                        strbuf_puts(&b, ", ");
                                strbuf_puts(&b, strs[k]);
                                free(strs[k]);
                        }
                        strbuf_putc(&b, '.');
                        free(strs);
                }
                free(hist);
        }
        if (postfilter_msg && *postfilter_msg)
                strbuf_printf(&b, " %s.", postfilter_msg);
        return strbuf_take(&b, NULL);
}

/* ---- one cycle ----------------------------------------------------------- */

static char *join_reasons(const sched_status *st) {
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        for (size_t i = 0; i < st->n_reasons; i++) {
                if (i)
                        strbuf_puts(&b, ", ");
                strbuf_puts(&b, st->reasons[i]);
        }
        return strbuf_take(&b, NULL);
}

/* SKIP from PreFilter/PreScore: that plug-in's Filter/Score is not run. */
typedef struct cycle_skip {
        bool filter[SCHED_MAX_PLUGINS];
        bool score[SCHED_MAX_PLUGINS];
} cycle_skip;

static bool run_filters(sched_cycle *c, const bool *skip, const sched_node *n, sched_status *st) {
        sched_profile *p = c->profile;
        for (size_t i = 0; i < p->n_entries; i++) {
                const sched_plugin *pl = p->entries[i].plugin;
                if (!pl->filter || skip[i] || (p->entries[i].disabled & SCHED_POINT_FILTER))
                        continue;
                sched_code code = pl->filter(c, p->entries[i].config, c->state[i], n, st);
                if (code != SCHED_SUCCESS) {
                        st->plugin = pl->name;
                        if (st->code == SCHED_SUCCESS)
                                st->code = code;
                        return false;
                }
        }
        return true;
}

/* Kept beside the cycle for sched_cycle_fits(). */
static __thread const bool *current_filter_skip;

bool sched_cycle_fits(sched_cycle *c, const sched_node *n) {
        static const bool none[SCHED_MAX_PLUGINS];
        sched_status st = { 0 };
        bool fits = run_filters(c, current_filter_skip ? current_filter_skip : none, n, &st);
        sched_status_done(&st);
        return fits;
}

static void cycle_done(sched_cycle *c) {
        for (size_t i = 0; i < c->profile->n_entries; i++)
                if (c->state[i] && c->profile->entries[i].plugin->free_state)
                        c->profile->entries[i].plugin->free_state(c->state[i]);
        /* leave the scratch statuses zeroed for the next cycle */
        for (size_t k = 0; k < c->n_statuses_used; k++)
                sched_status_done(&c->node_status[(c->first_status + k) % c->n_node_status]);
        free(c->feasible);
}

static int fail_result(sched_cycle *c, sched_result *ret, sched_code code, const char *prefilter,
                       cycle_skip *skips) {
        /* PostFilter (preemption) sees the failing statuses. */
        _cleanup_free_ char *post = NULL;
        current_filter_skip = skips->filter;
        for (size_t i = 0; i < c->profile->n_entries && !post; i++) {
                const sched_plugin *pl = c->profile->entries[i].plugin;
                if (!pl->post_filter || (c->profile->entries[i].disabled & SCHED_POINT_POST_FILTER))
                        continue;
                sched_status st = { 0 };
                sched_code pc = pl->post_filter(c, c->profile->entries[i].config, &st);
                if (pc != SCHED_SUCCESS && st.n_reasons > 0)
                        post = join_reasons(&st);
                sched_status_done(&st);
        }
        current_filter_skip = NULL;
        *ret = (sched_result){
                .code = code,
                .message = sched_fit_error_message(c->n_all_nodes, c->node_status, c->n_node_status,
                                                   prefilter, post),
                .n_evaluated = c->n_all_nodes,
        };
        return 0;
}

int sched_schedule_one(sched_profile *p, sched_snapshot *snap, sched_pod *pod, sched_result *ret) {
        sched_cycle c = { .profile = p, .snap = snap, .pod = pod };
        cycle_skip skips = { 0 };
        int rv = 0;
        size_t n_all = snap->n_nodes;
        c.n_all_nodes = n_all;
        if (n_all == 0) {
                *ret = (sched_result){ .code = SCHED_UNSCHEDULABLE,
                                       .message = xstrdup("no nodes available to schedule pods") };
                return 0;
        }
        if (p->n_scratch < n_all) {
                p->scratch = xreallocarray(p->scratch, n_all, sizeof(*p->scratch));
                memset(p->scratch + p->n_scratch, 0, (n_all - p->n_scratch) * sizeof(*p->scratch));
                p->n_scratch = n_all;
        }
        c.node_status = p->scratch;
        c.n_node_status = n_all;

        /* PreFilter */
        for (size_t i = 0; i < p->n_entries; i++) {
                const sched_plugin *pl = p->entries[i].plugin;
                if (!pl->pre_filter || (p->entries[i].disabled & SCHED_POINT_PRE_FILTER))
                        continue;
                sched_status st = { 0 };
                sched_code code = pl->pre_filter(&c, p->entries[i].config, &c.state[i], &st);
                if (code == SCHED_SKIP)
                        skips.filter[i] = true;
                else if (code == SCHED_ERROR) {
                        *ret = (sched_result){ .code = SCHED_ERROR,
                                               .message = xasprintf(
                                                       "running PreFilter plugin %s: %s", pl->name,
                                                       st.n_reasons ? st.reasons[0] : "error") };
                        sched_status_done(&st);
                        goto out;
                } else if (code != SCHED_SUCCESS) {
                        _cleanup_free_ char *msg = join_reasons(&st);
                        for (size_t k = 0; k < n_all; k++)
                                c.node_status[k].code = code;
                        c.n_statuses_used = n_all;
                        sched_status_done(&st);
                        rv = fail_result(&c, ret, code, msg, &skips);
                        goto out;
                }
                sched_status_done(&st);
        }

        /* Filter, from where the last cycle stopped, until enough fit. */
        size_t want = sched_num_feasible_nodes_to_find(p->percentage_of_nodes_to_score, n_all);
        c.feasible = xcalloc(want, sizeof(*c.feasible));
        size_t start = p->next_start_node % n_all, processed = 0;
        c.first_status = start;
        for (; processed < n_all && c.n_feasible < want; processed++) {
                size_t idx = (start + processed) % n_all;
                sched_node *n = snap->nodes[idx];
                c.n_statuses_used = processed + 1;
                if (run_filters(&c, skips.filter, n, &c.node_status[idx]))
                        c.feasible[c.n_feasible++] = n;
        }
        p->next_start_node = (start + processed) % n_all;
        if (c.n_feasible == 0) {
                rv = fail_result(&c, ret, SCHED_UNSCHEDULABLE, NULL, &skips);
                goto out;
        }

        sched_node *best = c.feasible[0];
        if (c.n_feasible > 1) {
                /* PreScore */
                for (size_t i = 0; i < p->n_entries; i++) {
                        const sched_plugin *pl = p->entries[i].plugin;
                        if (!pl->score)
                                continue;
                        if (pl->pre_score && !(p->entries[i].disabled & SCHED_POINT_PRE_SCORE) &&
                            pl->pre_score(&c, p->entries[i].config, &c.state[i]) == SCHED_SKIP)
                                skips.score[i] = true;
                }
                /* Score, normalize, weigh, sum. */
                int64_t *total = xcalloc(c.n_feasible, sizeof(int64_t));
                int64_t *scores = xcalloc(c.n_feasible, sizeof(int64_t));
                for (size_t i = 0; i < p->n_entries; i++) {
                        const sched_plugin *pl = p->entries[i].plugin;
                        if (!pl->score || skips.score[i] ||
                            (p->entries[i].disabled & SCHED_POINT_SCORE))
                                continue;
                        for (size_t k = 0; k < c.n_feasible; k++)
                                scores[k] = pl->score(&c, p->entries[i].config, c.state[i],
                                                      c.feasible[k]);
                        if (pl->normalize_score)
                                pl->normalize_score(&c, p->entries[i].config, c.state[i], scores,
                                                    c.n_feasible);
                        for (size_t k = 0; k < c.n_feasible; k++)
                                total[k] += scores[k] * p->entries[i].weight;
                }
                /* The highest total; ties broken at random (reservoir). */
                int64_t max = total[0];
                unsigned ties = 1;
                for (size_t k = 1; k < c.n_feasible; k++) {
                        if (total[k] > max) {
                                max = total[k];
                                best = c.feasible[k];
                                ties = 1;
                        } else if (total[k] == max) {
                                ties++;
                                if ((unsigned)rand_r(&p->seed) % ties == 0)
                                        best = c.feasible[k];
                        }
                }
                free(total);
                free(scores);
        }

        /* Reserve, unreserving in reverse order on failure. */
        size_t reserved = 0;
        sched_status st = { 0 };
        for (; reserved < p->n_entries; reserved++) {
                const sched_plugin *pl = p->entries[reserved].plugin;
                if (pl->reserve && !(p->entries[reserved].disabled & SCHED_POINT_RESERVE) &&
                    pl->reserve(&c, p->entries[reserved].config, best, &st) != SCHED_SUCCESS)
                        break;
        }
        if (reserved < p->n_entries) {
                for (size_t i = reserved + 1; i-- > 0;) {
                        const sched_plugin *pl = p->entries[i].plugin;
                        if (pl->unreserve)
                                pl->unreserve(&c, p->entries[i].config, best);
                }
                _cleanup_free_ char *msg = join_reasons(&st);
                *ret = (sched_result){ .code = SCHED_ERROR,
                                       .message = xasprintf("running Reserve plugin: %s", msg) };
                sched_status_done(&st);
                goto out;
        }

        /* Bind: the first Bind plug-in that does not skip. */
        for (size_t i = 0; i < p->n_entries; i++) {
                const sched_plugin *pl = p->entries[i].plugin;
                if (!pl->bind || !p->bind || (p->entries[i].disabled & SCHED_POINT_BIND))
                        continue;
                sched_code code = pl->bind(&c, p->entries[i].config, best, &st);
                if (code == SCHED_SKIP)
                        continue;
                if (code != SCHED_SUCCESS) {
                        for (size_t k = p->n_entries; k-- > 0;)
                                if (p->entries[k].plugin->unreserve)
                                        p->entries[k].plugin->unreserve(&c, p->entries[k].config,
                                                                        best);
                        _cleanup_free_ char *msg = join_reasons(&st);
                        *ret = (sched_result){ .code = SCHED_ERROR,
                                               .message = xasprintf("binding rejected: %s", msg) };
                        sched_status_done(&st);
                        goto out;
                }
                break;
        }
        sched_status_done(&st);
        *ret = (sched_result){
                .code = SCHED_SUCCESS,
                .node_name = xstrdup(best->name),
                .n_evaluated = processed,
                .n_feasible = c.n_feasible,
        };
out:
        cycle_done(&c);
        return rv;
}
