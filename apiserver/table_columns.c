/* SPDX-License-Identifier: Apache-2.0 */
/* The computed printer columns (doc/table.md): one function per schema
 * `computed:` name, with the formatting rules of kube-apiserver's printers
 * (pkg/printers/internalversion), written from their documented behaviour.
 * kube-apiserver always prints wide, so nothing here is clipped. */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apiserver/table.h"
#include "cleanup.h"
#include "strbuf.h"
#include "util.h"

/* ---- small accessors ---------------------------------------------------- */

/* A member by a dotted path of plain keys ("status.podIP"). */
static const json *jget(const json *o, const char *path) {
        const char *p = path;
        char key[128];

        while (o && *p) {
                const char *dot = strchr(p, '.');
                size_t n = dot ? (size_t)(dot - p) : strlen(p);
                if (n >= sizeof(key))
                        return NULL;
                memcpy(key, p, n);
                key[n] = 0;
                if (!json_is_object(o))
                        return NULL;
                o = json_object_get(o, key);
                p += n + (dot ? 1 : 0);
        }
        return o;
}

static const char *jstr(const json *o, const char *path) {
        return json_string(jget(o, path));
}

static int64_t jint(const json *o, const char *path, int64_t dflt) {
        const json *v = jget(o, path);
        return json_is_number(v) ? json_int(v) : dflt;
}

/* Length of an array or object member, 0 when absent. */
static size_t jlen(const json *o, const char *path) {
        const json *v = jget(o, path);
        if (json_is_array(v))
                return json_array_len(v);
        if (json_is_object(v))
                return json_object_len(v);
        return 0;
}

static bool empty(const char *s) {
        return !s || !*s;
}

static json *cell_str(const char *s) {
        return json_new_string(s ? s : "");
}

static json *cell_or(const char *s, const char *dflt) {
        return json_new_string(empty(s) ? dflt : s);
}

_printf_(1, 2) static json *cell_strf(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        char *s = xvasprintf(fmt, ap);
        va_end(ap);
        return json_new_string_take(s);
}

static json *cell_take(strbuf *b) {
        return json_new_string_take(strbuf_take(b, NULL));
}

static bool is_kind(const struct table_cell_ctx *c, const char *kind) {
        return streq(c->resource->kind, kind);
}

static json *cell_age_of(const struct table_cell_ctx *c, const char *ts) {
        char buf[32];
        return json_new_string(table_age(ts, c->now, buf));
}

/* A condition of a conditions array by type. */
static const json *condition(const json *conds, const char *type) {
        for (size_t i = 0; i < json_array_len(conds); i++) {
                const json *cnd = json_array_get(conds, i);
                if (streq_ptr(json_object_get_string(cnd, "type"), type))
                        return cnd;
        }
        return NULL;
}

static bool condition_true(const json *conds, const char *type) {
        const json *cnd = condition(conds, type);
        return cnd && streq_ptr(json_object_get_string(cnd, "status"), "True");
}

/* A scalar JSON value as text (an IntOrString, a quantity). */
static void put_scalar(strbuf *b, const json *v) {
        if (json_is_string(v))
                strbuf_puts(b, json_string(v));
        else if (json_is_int(v))
                strbuf_printf(b, "%" PRId64, json_int(v));
        else if (json_is_number(v)) {
                char d[32];
                json_format_double(json_double(v), d);
                strbuf_puts(b, d);
        } else if (json_is_bool(v))
                strbuf_puts(b, json_bool(v) ? "true" : "false");
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* labels.FormatLabels: "k=v,k2=v2" sorted by key, "<none>" when empty. */
static json *format_labels(const json *map) {
        size_t n = json_is_object(map) ? json_object_len(map) : 0;
        if (n == 0)
                return json_new_string("<none>");
        _cleanup_free_ const char **keys = xreallocarray(NULL, n, sizeof(*keys));
        for (size_t i = 0; i < n; i++)
                keys[i] = json_object_key_at(map, i);
        qsort(keys, n, sizeof(*keys), cmp_str);
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        for (size_t i = 0; i < n; i++) {
                if (i)
                        strbuf_putc(&b, ',');
                strbuf_puts(&b, keys[i]);
                strbuf_putc(&b, '=');
                put_scalar(&b, json_object_get(map, keys[i]));
        }
        return cell_take(&b);
}

/* One requirement of a label selector, as labels.Selector.String() writes
 * it; `key` first so that requirements sort by key. */
struct requirement {
        const char *key;
        char *text;
};

static int cmp_requirement(const void *a, const void *b) {
        return strcmp(((const struct requirement *)a)->key, ((const struct requirement *)b)->key);
}

/* metav1.LabelSelectorAsSelector(sel).String(): requirements sorted by key,
 * "key=value", "key in (a,b)", "key notin (a)", "key", "!key". A missing
 * selector gives "" (labels.Nothing), like an empty one (Everything). */
static char *label_selector_string(const json *sel) {
        const json *ml = json_object_get(sel, "matchLabels");
        const json *me = json_object_get(sel, "matchExpressions");
        size_t nl = json_is_object(ml) ? json_object_len(ml) : 0;
        size_t ne = json_is_array(me) ? json_array_len(me) : 0;
        if (nl + ne == 0)
                return xstrdup("");
        struct requirement *reqs = xreallocarray(NULL, nl + ne, sizeof(*reqs));
        size_t n = 0;
        for (size_t i = 0; i < nl; i++) {
                _cleanup_strbuf_ strbuf b = STRBUF_INIT;
                strbuf_printf(&b, "%s=", json_object_key_at(ml, i));
                put_scalar(&b, json_object_value_at(ml, i));
                reqs[n].key = json_object_key_at(ml, i);
                reqs[n++].text = strbuf_take(&b, NULL);
        }
        for (size_t i = 0; i < ne; i++) {
                const json *e = json_array_get(me, i);
                const char *key = json_object_get_string(e, "key");
                const char *op = json_object_get_string(e, "operator");
                if (!key || !op)
                        continue;
                _cleanup_strbuf_ strbuf b = STRBUF_INIT;
                if (streq(op, "Exists"))
                        strbuf_puts(&b, key);
                else if (streq(op, "DoesNotExist"))
                        strbuf_printf(&b, "!%s", key);
                else {
                        const json *vals = json_object_get(e, "values");
                        size_t nv = json_is_array(vals) ? json_array_len(vals) : 0;
                        _cleanup_free_ const char **v = xreallocarray(NULL, nv + 1, sizeof(*v));
                        size_t k = 0;
                        for (size_t j = 0; j < nv; j++)
                                if (json_string(json_array_get(vals, j)))
                                        v[k++] = json_string(json_array_get(vals, j));
                        qsort(v, k, sizeof(*v), cmp_str);
                        strbuf_printf(&b, "%s %s (", key, streq(op, "NotIn") ? "notin" : "in");
                        for (size_t j = 0; j < k; j++)
                                strbuf_printf(&b, "%s%s", j ? "," : "", v[j]);
                        strbuf_putc(&b, ')');
                }
                reqs[n].key = key;
                reqs[n++].text = strbuf_take(&b, NULL);
        }
        qsort(reqs, n, sizeof(*reqs), cmp_requirement);
        _cleanup_strbuf_ strbuf out = STRBUF_INIT;
        for (size_t i = 0; i < n; i++) {
                if (i)
                        strbuf_putc(&out, ',');
                strbuf_puts(&out, reqs[i].text);
                free(reqs[i].text);
        }
        free(reqs);
        return strbuf_take(&out, NULL);
}

/* metav1.FormatLabelSelector: as above, "<none>" when empty. */
static json *format_label_selector(const json *sel) {
        char *s = label_selector_string(sel);
        if (!*s) {
                free(s);
                return json_new_string("<none>");
        }
        return json_new_string_take(s);
}

/* Join a string member of each element of an array with `sep`. */
static json *join_member(const json *arr, const char *member, const char *sep) {
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        for (size_t i = 0; i < json_array_len(arr); i++) {
                if (i)
                        strbuf_puts(&b, sep);
                const char *s = json_object_get_string(json_array_get(arr, i), member);
                strbuf_puts(&b, s ? s : "");
        }
        return cell_take(&b);
}

/* The pod template of a workload, a pod template or a cron job. */
static const json *pod_template(const json *obj) {
        const json *t = jget(obj, "spec.jobTemplate.spec.template");
        if (!t)
                t = jget(obj, "spec.template");
        if (!t)
                t = jget(obj, "template");
        return t;
}

/* "a, b + 3 more..." lists: upstream's listWithMoreString. */
static json *list_with_more(strbuf *b, bool more, size_t count, size_t max, const char *none) {
        if (more) {
                strbuf_printf(b, " + %zu more...", count - max);
                return cell_take(b);
        }
        if (b->len == 0)
                return json_new_string(none);
        return cell_take(b);
}

/* ---- generic columns --------------------------------------------------- */

static json *col_age(const struct table_cell_ctx *c) {
        return cell_age_of(c, jstr(c->obj, "metadata.creationTimestamp"));
}

/* Roles, limit ranges and the default convertor print the creation time
 * as RFC 3339 UTC (Go's zero time when unset). */
static json *col_created_at(const struct table_cell_ctx *c) {
        const char *ts = jstr(c->obj, "metadata.creationTimestamp");
        tm_time t;
        char buf[TIME_RFC3339_MAX];
        if (empty(ts) || time_parse_rfc3339(ts, &t, NULL) < 0)
                return json_new_string("0001-01-01T00:00:00Z");
        return json_new_string(time_format_rfc3339(t, buf));
}

static json *col_template_containers(const struct table_cell_ctx *c) {
        return join_member(jget(pod_template(c->obj), "spec.containers"), "name", ",");
}

static json *col_template_images(const struct table_cell_ctx *c) {
        return join_member(jget(pod_template(c->obj), "spec.containers"), "image", ",");
}

static json *col_template_labels(const struct table_cell_ctx *c) {
        return format_labels(jget(pod_template(c->obj), "metadata.labels"));
}

/* RCs have a plain map selector; the others a LabelSelector. A
 * Deployment prints selector.String() without the "<none>" fallback. */
static json *col_selector(const struct table_cell_ctx *c) {
        const json *sel = jget(c->obj, "spec.selector");
        if (is_kind(c, "ReplicationController"))
                return format_labels(sel);
        if (is_kind(c, "CronJob"))
                sel = jget(c->obj, "spec.jobTemplate.spec.selector");
        if (is_kind(c, "Deployment"))
                return json_new_string_take(label_selector_string(sel));
        return format_label_selector(sel);
}

/* metav1.GetControllerOf, printed as kind.group/name in lower case. */
static json *col_controller_owner(const struct table_cell_ctx *c) {
        const json *refs = jget(c->obj, "metadata.ownerReferences");
        for (size_t i = 0; i < json_array_len(refs); i++) {
                const json *ref = json_array_get(refs, i);
                if (!json_object_get_bool(ref, "controller", false))
                        continue;
                const char *kind = json_object_get_string(ref, "kind");
                const char *name = json_object_get_string(ref, "name");
                const char *av = json_object_get_string(ref, "apiVersion");
                if (empty(kind))
                        return cell_str(name);
                const char *slash = av ? strchr(av, '/') : NULL;
                _cleanup_strbuf_ strbuf b = STRBUF_INIT;
                strbuf_puts(&b, kind);
                if (slash && slash != av)
                        strbuf_printf(&b, ".%.*s", (int)(slash - av), av);
                for (size_t k = 0; k < b.len; k++)
                        b.data[k] = (char)tolower((unsigned char)b.data[k]);
                strbuf_printf(&b, "/%s", name ? name : "");
                return cell_take(&b);
        }
        return json_new_string("<none>");
}

/* ---- pods --------------------------------------------------------------- */

static bool restartable_init(const json *pod, const char *name) {
        const json *ics = jget(pod, "spec.initContainers");
        for (size_t i = 0; i < json_array_len(ics); i++) {
                const json *ic = json_array_get(ics, i);
                if (streq_ptr(json_object_get_string(ic, "name"), name))
                        return streq_ptr(json_object_get_string(ic, "restartPolicy"), "Always");
        }
        return false;
}

/* A restart count; counts are int32 upstream, clamped so sums cannot
 * overflow. */
static int64_t restart_count(const json *cs) {
        int64_t n = json_object_get_int(cs, "restartCount", 0);
        return n < 0 ? 0 : n > INT32_MAX ? INT32_MAX : n;
}

struct pod_summary {
        int64_t ready, total, restarts;
        tm_time last_restart; /* table_time_is_zero(): none */
        char reason[256];
};

static void later(tm_time *acc, const json *cs) {
        const char *fin = jstr(cs, "lastState.terminated.finishedAt");
        tm_time t;
        if (!empty(fin) && time_parse_rfc3339(fin, &t, NULL) >= 0 && time_cmp(*acc, t) < 0)
                *acc = t;
}

/* A terminated state without a reason: "Signal:9" or "ExitCode:1". */
static void terminated_reason(char *buf, size_t sz, const char *prefix, const json *term) {
        const char *reason = json_object_get_string(term, "reason");
        int64_t sig = json_object_get_int(term, "signal", 0);
        if (!empty(reason))
                snprintf(buf, sz, "%s%s", prefix, reason);
        else if (sig != 0)
                snprintf(buf, sz, "%sSignal:%" PRId64, prefix, sig);
        else
                snprintf(buf, sz, "%sExitCode:%" PRId64, prefix,
                         json_object_get_int(term, "exitCode", 0));
}

/* printPod's reasoning: phase, then init containers (the first one not
 * done decides), then regular containers (the first one in spec order with
 * a waiting/terminated reason), then deletion. */
static void pod_summarize(const json *pod, struct pod_summary *s) {
        const json *status = json_object_get(pod, "status");
        const json *conds = json_object_get(status, "conditions");
        const char *phase = json_object_get_string(status, "phase");
        const char *sreason = json_object_get_string(status, "reason");
        tm_time zero = TABLE_TIME_ZERO;

        *s = (struct pod_summary){ .total = (int64_t)jlen(pod, "spec.containers"),
                                   .last_restart = zero };
        snprintf(s->reason, sizeof(s->reason), "%s",
                 !empty(sreason) ? sreason
                 : phase         ? phase
                                 : "");
        for (size_t i = 0; i < json_array_len(conds); i++) {
                const json *cnd = json_array_get(conds, i);
                if (streq_ptr(json_object_get_string(cnd, "type"), "PodScheduled") &&
                    streq_ptr(json_object_get_string(cnd, "reason"), "SchedulingGated"))
                        snprintf(s->reason, sizeof(s->reason), "SchedulingGated");
        }
        const json *ics = jget(pod, "spec.initContainers");
        for (size_t i = 0; i < json_array_len(ics); i++)
                if (streq_ptr(json_object_get_string(json_array_get(ics, i), "restartPolicy"),
                              "Always"))
                        s->total++;

        int64_t sidecar_restarts = 0;
        tm_time sidecar_last = zero;
        bool initializing = false;
        const json *ists = json_object_get(status, "initContainerStatuses");
        size_t n_init_spec = json_array_len(ics);
        for (size_t i = 0; i < json_array_len(ists); i++) {
                const json *cs = json_array_get(ists, i);
                const json *state = json_object_get(cs, "state");
                const json *term = json_object_get(state, "terminated");
                const json *wait = json_object_get(state, "waiting");
                bool sidecar = restartable_init(pod, json_object_get_string(cs, "name"));
                int64_t rc = restart_count(cs);
                s->restarts += rc;
                later(&s->last_restart, cs);
                if (sidecar) {
                        sidecar_restarts += rc;
                        later(&sidecar_last, cs);
                }
                if (term && json_object_get_int(term, "exitCode", 0) == 0)
                        continue;
                if (sidecar && json_object_get_bool(cs, "started", false)) {
                        if (json_object_get_bool(cs, "ready", false))
                                s->ready++;
                        continue;
                }
                if (term)
                        terminated_reason(s->reason, sizeof(s->reason), "Init:", term);
                else if (wait && !empty(json_object_get_string(wait, "reason")) &&
                         !streq(json_object_get_string(wait, "reason"), "PodInitializing"))
                        snprintf(s->reason, sizeof(s->reason), "Init:%s",
                                 json_object_get_string(wait, "reason"));
                else
                        snprintf(s->reason, sizeof(s->reason), "Init:%zu/%zu", i, n_init_spec);
                initializing = true;
                break;
        }

        if (!initializing || condition_true(conds, "Initialized")) {
                s->restarts = sidecar_restarts;
                s->last_restart = sidecar_last;
                bool has_running = false;
                const json *css = json_object_get(status, "containerStatuses");
                for (size_t k = json_array_len(css); k-- > 0;) {
                        const json *cs = json_array_get(css, k);
                        const json *state = json_object_get(cs, "state");
                        const json *term = json_object_get(state, "terminated");
                        const char *wreason = jstr(state, "waiting.reason");
                        s->restarts += restart_count(cs);
                        later(&s->last_restart, cs);
                        if (!empty(wreason))
                                snprintf(s->reason, sizeof(s->reason), "%s", wreason);
                        else if (term)
                                terminated_reason(s->reason, sizeof(s->reason), "", term);
                        else if (json_object_get_bool(cs, "ready", false) &&
                                 json_object_get(state, "running")) {
                                has_running = true;
                                s->ready++;
                        }
                }
                /* A pod whose last reason is Completed but which still has a
                 * running container is Running (or NotReady). */
                if (streq(s->reason, "Completed") && has_running)
                        snprintf(s->reason, sizeof(s->reason), "%s",
                                 condition_true(conds, "Ready") ? "Running" : "NotReady");
        }

        if (jget(pod, "metadata.deletionTimestamp") && streq_ptr(sreason, "NodeLost"))
                snprintf(s->reason, sizeof(s->reason), "Unknown");
        else if (jget(pod, "metadata.deletionTimestamp") && !streq_ptr(phase, "Succeeded") &&
                 !streq_ptr(phase, "Failed"))
                snprintf(s->reason, sizeof(s->reason), "Terminating");
}

static json *col_pod_ready(const struct table_cell_ctx *c) {
        struct pod_summary s;
        pod_summarize(c->obj, &s);
        return cell_strf("%" PRId64 "/%" PRId64, s.ready, s.total);
}

static json *col_pod_status(const struct table_cell_ctx *c) {
        struct pod_summary s;
        pod_summarize(c->obj, &s);
        return json_new_string(s.reason);
}

static json *col_pod_restarts(const struct table_cell_ctx *c) {
        struct pod_summary s;
        pod_summarize(c->obj, &s);
        if (s.restarts != 0 && !table_time_is_zero(s.last_restart)) {
                char buf[32];
                return cell_strf(
                        "%" PRId64 " (%s ago)", s.restarts,
                        table_human_duration(table_duration_ns(s.last_restart, c->now), buf));
        }
        return cell_strf("%" PRId64, s.restarts);
}

static json *col_pod_readiness_gates(const struct table_cell_ctx *c) {
        const json *gates = jget(c->obj, "spec.readinessGates");
        const json *conds = jget(c->obj, "status.conditions");
        size_t n = json_array_len(gates), met = 0;
        if (n == 0)
                return json_new_string("<none>");
        for (size_t i = 0; i < n; i++)
                if (condition_true(conds, json_object_get_string(json_array_get(gates, i),
                                                                 "conditionType")))
                        met++;
        return cell_strf("%zu/%zu", met, n);
}

static json *col_pod_ip(const struct table_cell_ctx *c) {
        const char *ip =
                json_object_get_string(json_array_get(jget(c->obj, "status.podIPs"), 0), "ip");
        if (empty(ip))
                ip = jstr(c->obj, "status.podIP");
        return cell_or(ip, "<none>");
}

/* ---- nodes -------------------------------------------------------------- */

static json *col_node_status(const struct table_cell_ctx *c) {
        const json *ready = condition(jget(c->obj, "status.conditions"), "Ready");
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        if (!ready)
                strbuf_puts(&b, "Unknown");
        else if (streq_ptr(json_object_get_string(ready, "status"), "True"))
                strbuf_puts(&b, "Ready");
        else
                strbuf_puts(&b, "NotReady");
        if (json_bool(jget(c->obj, "spec.unschedulable")))
                strbuf_puts(&b, ",SchedulingDisabled");
        return cell_take(&b);
}

static json *col_node_roles(const struct table_cell_ctx *c) {
        const json *labels = jget(c->obj, "metadata.labels");
        size_t n = json_is_object(labels) ? json_object_len(labels) : 0;
        _cleanup_free_ const char **roles = xreallocarray(NULL, n + 1, sizeof(*roles));
        size_t k = 0;
        static const char prefix[] = "node-role.kubernetes.io/";
        for (size_t i = 0; i < n; i++) {
                const char *key = json_object_key_at(labels, i);
                const char *val = json_string(json_object_value_at(labels, i));
                const char *role = NULL;
                if (startswith(key, prefix) && key[sizeof(prefix) - 1])
                        role = key + sizeof(prefix) - 1;
                else if (streq(key, "kubernetes.io/role") && !empty(val))
                        role = val;
                if (!role)
                        continue;
                bool dup = false;
                for (size_t j = 0; j < k && !dup; j++)
                        dup = streq(roles[j], role);
                if (!dup)
                        roles[k++] = role;
        }
        if (k == 0)
                return json_new_string("<none>");
        qsort(roles, k, sizeof(*roles), cmp_str);
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        for (size_t i = 0; i < k; i++)
                strbuf_printf(&b, "%s%s", i ? "," : "", roles[i]);
        return cell_take(&b);
}

static json *node_address(const struct table_cell_ctx *c, const char *type) {
        const json *addrs = jget(c->obj, "status.addresses");
        for (size_t i = 0; i < json_array_len(addrs); i++) {
                const json *a = json_array_get(addrs, i);
                if (streq_ptr(json_object_get_string(a, "type"), type))
                        return cell_str(json_object_get_string(a, "address"));
        }
        return json_new_string("<none>");
}

static json *col_node_internal_ip(const struct table_cell_ctx *c) {
        return node_address(c, "InternalIP");
}

static json *col_node_external_ip(const struct table_cell_ctx *c) {
        return node_address(c, "ExternalIP");
}

/* ---- services, endpoints, ingresses ------------------------------------ */

/* loadBalancerStatusStringer: IPs or host names, sorted, deduplicated. */
static void lb_ingress(strbuf *b, const json *ingress) {
        size_t n = json_array_len(ingress), k = 0;
        _cleanup_free_ const char **v = xreallocarray(NULL, n + 1, sizeof(*v));
        for (size_t i = 0; i < n; i++) {
                const json *in = json_array_get(ingress, i);
                const char *s = json_object_get_string(in, "ip");
                if (empty(s))
                        s = json_object_get_string(in, "hostname");
                if (empty(s))
                        continue;
                bool dup = false;
                for (size_t j = 0; j < k && !dup; j++)
                        dup = streq(v[j], s);
                if (!dup)
                        v[k++] = s;
        }
        qsort(v, k, sizeof(*v), cmp_str);
        for (size_t i = 0; i < k; i++)
                strbuf_printf(b, "%s%s", i ? "," : "", v[i]);
}

static void join_strings(strbuf *b, const json *arr, const char *sep) {
        for (size_t i = 0; i < json_array_len(arr); i++) {
                const char *s = json_string(json_array_get(arr, i));
                strbuf_printf(b, "%s%s", b->len ? sep : "", s ? s : "");
        }
}

static json *col_service_external_ip(const struct table_cell_ctx *c) {
        const char *type = jstr(c->obj, "spec.type");
        const json *ext = jget(c->obj, "spec.externalIPs");
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        if (!type)
                type = "ClusterIP"; /* the default type */
        if (streq(type, "ClusterIP") || streq(type, "NodePort")) {
                join_strings(&b, ext, ",");
                return b.len ? cell_take(&b) : json_new_string("<none>");
        }
        if (streq(type, "LoadBalancer")) {
                lb_ingress(&b, jget(c->obj, "status.loadBalancer.ingress"));
                join_strings(&b, ext, ",");
                return b.len ? cell_take(&b) : json_new_string("<pending>");
        }
        if (streq(type, "ExternalName"))
                return cell_str(jstr(c->obj, "spec.externalName"));
        return json_new_string("<unknown>");
}

static json *col_service_ports(const struct table_cell_ctx *c) {
        const json *ports = jget(c->obj, "spec.ports");
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        for (size_t i = 0; i < json_array_len(ports); i++) {
                const json *p = json_array_get(ports, i);
                const char *proto = json_object_get_string(p, "protocol");
                int64_t np = json_object_get_int(p, "nodePort", 0);
                if (i)
                        strbuf_putc(&b, ',');
                strbuf_printf(&b, "%" PRId64, json_object_get_int(p, "port", 0));
                if (np > 0)
                        strbuf_printf(&b, ":%" PRId64, np);
                strbuf_printf(&b, "/%s", proto ? proto : "TCP");
        }
        return b.len ? cell_take(&b) : json_new_string("<none>");
}

static json *col_service_selector(const struct table_cell_ctx *c) {
        return format_labels(jget(c->obj, "spec.selector"));
}

/* The first of spec.clusterIPs (spec.clusterIP for objects without it). */
static json *col_cluster_ip(const struct table_cell_ctx *c) {
        const json *ips = jget(c->obj, "spec.clusterIPs");
        if (json_is_array(ips))
                return cell_or(json_string(json_array_get(ips, 0)), "<none>");
        return cell_or(jstr(c->obj, "spec.clusterIP"), "<none>");
}

/* formatEndpoints: host:port for every address and port, the first three,
 * then " + N more...". */
static json *col_endpoints_addresses(const struct table_cell_ctx *c) {
        const json *subsets = jget(c->obj, "subsets");
        size_t count = 0, listed = 0, max = 3;
        bool more = false;
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        if (json_array_len(subsets) == 0)
                return json_new_string("<none>");
        for (size_t i = 0; i < json_array_len(subsets); i++) {
                const json *ss = json_array_get(subsets, i);
                const json *ports = json_object_get(ss, "ports");
                const json *addrs = json_object_get(ss, "addresses");
                if (json_array_len(ports) == 0) {
                        /* headless services without ports: the bare IPs */
                        for (size_t a = 0; a < json_array_len(addrs); a++) {
                                const char *ip =
                                        json_object_get_string(json_array_get(addrs, a), "ip");
                                if (listed == max)
                                        more = true;
                                else {
                                        strbuf_printf(&b, "%s%s", listed ? "," : "", ip ? ip : "");
                                        listed++;
                                }
                                count++;
                        }
                        continue;
                }
                for (size_t p = 0; p < json_array_len(ports); p++) {
                        int64_t port = json_object_get_int(json_array_get(ports, p), "port", 0);
                        for (size_t a = 0; a < json_array_len(addrs); a++) {
                                const char *ip =
                                        json_object_get_string(json_array_get(addrs, a), "ip");
                                if (listed == max)
                                        more = true;
                                if (!more) {
                                        if (listed)
                                                strbuf_putc(&b, ',');
                                        if (ip && strchr(ip, ':'))
                                                strbuf_printf(&b, "[%s]:%" PRId64, ip, port);
                                        else
                                                strbuf_printf(&b, "%s:%" PRId64, ip ? ip : "",
                                                              port);
                                        listed++;
                                }
                                count++;
                        }
                }
        }
        if (more)
                strbuf_printf(&b, " + %zu more...", count - max);
        return cell_take(&b);
}

static json *col_endpointslice_ports(const struct table_cell_ctx *c) {
        const json *ports = jget(c->obj, "ports");
        size_t count = 0, listed = 0, max = 3;
        bool more = false;
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        for (size_t i = 0; i < json_array_len(ports); i++) {
                const json *p = json_array_get(ports, i);
                if (listed < max) {
                        const json *port = json_object_get(p, "port");
                        const char *name = json_object_get_string(p, "name");
                        if (listed)
                                strbuf_putc(&b, ',');
                        if (json_is_number(port))
                                strbuf_printf(&b, "%" PRId64, json_int(port));
                        else if (name)
                                strbuf_puts(&b, name);
                        else
                                strbuf_putc(&b, '*');
                        listed++;
                } else
                        more = true;
                count++;
        }
        return list_with_more(&b, more, count, max, "<unset>");
}

static json *col_endpointslice_endpoints(const struct table_cell_ctx *c) {
        const json *eps = jget(c->obj, "endpoints");
        size_t count = 0, listed = 0, max = 3;
        bool more = false;
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        for (size_t i = 0; i < json_array_len(eps); i++) {
                const json *addrs = json_object_get(json_array_get(eps, i), "addresses");
                for (size_t a = 0; a < json_array_len(addrs); a++) {
                        if (listed < max) {
                                const char *s = json_string(json_array_get(addrs, a));
                                strbuf_printf(&b, "%s%s", listed ? "," : "", s ? s : "");
                                listed++;
                        } else
                                more = true;
                        count++;
                }
        }
        return list_with_more(&b, more, count, max, "<unset>");
}

static json *col_ingress_class(const struct table_cell_ctx *c) {
        return cell_or(jstr(c->obj, "spec.ingressClassName"), "<none>");
}

/* formatHosts: the first three hosts, "*" when no rule names one. */
static json *col_ingress_hosts(const struct table_cell_ctx *c) {
        const json *rules = jget(c->obj, "spec.rules");
        size_t n = json_array_len(rules), listed = 0, max = 3;
        bool more = false;
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        for (size_t i = 0; i < n; i++) {
                if (listed == max)
                        more = true;
                const char *host = json_object_get_string(json_array_get(rules, i), "host");
                if (!more && !empty(host)) {
                        strbuf_printf(&b, "%s%s", listed ? "," : "", host);
                        listed++;
                }
        }
        if (listed == 0)
                return json_new_string("*");
        if (more)
                strbuf_printf(&b, " + %zu more...", n - max);
        return cell_take(&b);
}

static json *col_ingress_address(const struct table_cell_ctx *c) {
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        lb_ingress(&b, jget(c->obj, "status.loadBalancer.ingress"));
        return cell_take(&b);
}

static json *col_ingress_ports(const struct table_cell_ctx *c) {
        return json_new_string(jlen(c->obj, "spec.tls") ? "80, 443" : "80");
}

static json *col_ingressclass_parameters(const struct table_cell_ctx *c) {
        const json *p = jget(c->obj, "spec.parameters");
        if (!json_is_object(p))
                return json_new_string("<none>");
        const char *kind = json_object_get_string(p, "kind");
        const char *group = json_object_get_string(p, "apiGroup");
        const char *name = json_object_get_string(p, "name");
        if (group)
                return cell_strf("%s.%s/%s", kind ? kind : "", group, name ? name : "");
        return cell_strf("%s/%s", kind ? kind : "", name ? name : "");
}

static json *col_netpol_pod_selector(const struct table_cell_ctx *c) {
        return format_label_selector(jget(c->obj, "spec.podSelector"));
}

/* ---- workloads ---------------------------------------------------------- */

static json *col_deployment_ready(const struct table_cell_ctx *c) {
        return cell_strf("%" PRId64 "/%" PRId64, jint(c->obj, "status.readyReplicas", 0),
                         jint(c->obj, "spec.replicas", 0));
}

static json *col_statefulset_ready(const struct table_cell_ctx *c) {
        return col_deployment_ready(c);
}

static json *col_daemonset_node_selector(const struct table_cell_ctx *c) {
        return format_labels(jget(c->obj, "spec.template.spec.nodeSelector"));
}

static json *col_job_completions(const struct table_cell_ctx *c) {
        int64_t ok = jint(c->obj, "status.succeeded", 0);
        const json *comp = jget(c->obj, "spec.completions");
        const json *par = jget(c->obj, "spec.parallelism");
        if (json_is_number(comp))
                return cell_strf("%" PRId64 "/%" PRId64, ok, json_int(comp));
        if (json_is_number(par) && json_int(par) > 1)
                return cell_strf("%" PRId64 "/1 of %" PRId64, ok, json_int(par));
        return cell_strf("%" PRId64 "/1", ok);
}

static json *col_job_duration(const struct table_cell_ctx *c) {
        const char *start = jstr(c->obj, "status.startTime");
        const char *end = jstr(c->obj, "status.completionTime");
        tm_time s, e;
        char buf[32];
        if (empty(start) || time_parse_rfc3339(start, &s, NULL) < 0)
                return json_new_string("");
        if (empty(end) || time_parse_rfc3339(end, &e, NULL) < 0)
                e = c->now;
        return json_new_string(table_human_duration(table_duration_ns(s, e), buf));
}

static json *col_job_status(const struct table_cell_ctx *c) {
        const json *conds = jget(c->obj, "status.conditions");
        if (condition_true(conds, "Complete"))
                return json_new_string("Complete");
        if (condition_true(conds, "Failed"))
                return json_new_string("Failed");
        if (jget(c->obj, "metadata.deletionTimestamp"))
                return json_new_string("Terminating");
        if (condition_true(conds, "Suspended"))
                return json_new_string("Suspended");
        if (condition_true(conds, "FailureTarget"))
                return json_new_string("FailureTarget");
        return json_new_string("Running");
}

static json *col_cronjob_timezone(const struct table_cell_ctx *c) {
        const char *tz = jstr(c->obj, "spec.timeZone");
        return json_new_string(tz ? tz : "<none>");
}

/* printBoolPtr: "True", "False", "<unset>". */
static json *col_cronjob_suspend(const struct table_cell_ctx *c) {
        const json *v = jget(c->obj, "spec.suspend");
        if (!json_is_bool(v))
                return json_new_string("<unset>");
        return json_new_string(json_bool(v) ? "True" : "False");
}

static json *col_cronjob_active(const struct table_cell_ctx *c) {
        return json_new_int((int64_t)jlen(c->obj, "status.active"));
}

static json *col_cronjob_last_schedule(const struct table_cell_ctx *c) {
        const char *ts = jstr(c->obj, "status.lastScheduleTime");
        if (!ts)
                return json_new_string("<none>");
        return cell_age_of(c, ts);
}

/* ---- autoscaling -------------------------------------------------------- */

static json *col_hpa_reference(const struct table_cell_ctx *c) {
        const char *kind = jstr(c->obj, "spec.scaleTargetRef.kind");
        const char *name = jstr(c->obj, "spec.scaleTargetRef.name");
        return cell_strf("%s/%s", kind ? kind : "", name ? name : "");
}

static json *col_hpa_min_pods(const struct table_cell_ctx *c) {
        const json *v = jget(c->obj, "spec.minReplicas");
        if (!json_is_number(v))
                return json_new_string("<unset>");
        return cell_strf("%" PRId64, json_int(v));
}

/* One metric of formatHPAMetrics. `cur` is the matching status entry. */
static void hpa_metric(strbuf *b, const json *spec, const json *cur) {
        const char *type = json_object_get_string(spec, "type");
        _cleanup_strbuf_ strbuf cv = STRBUF_INIT;
        if (streq_ptr(type, "External") || streq_ptr(type, "Object") || streq_ptr(type, "Pods")) {
                const char *key = streq(type, "External") ? "external"
                                  : streq(type, "Object") ? "object"
                                                          : "pods";
                const json *target = jget(json_object_get(spec, key), "target");
                const json *current = jget(json_object_get(cur, key), "current");
                bool avg = streq(type, "Pods") || json_object_get(target, "averageValue");
                const char *field = avg ? "averageValue" : "value";
                if (json_object_get(current, field))
                        put_scalar(&cv, json_object_get(current, field));
                else
                        strbuf_puts(&cv, "<unknown>");
                strbuf_printf(b, "%s/", cv.data);
                put_scalar(b, json_object_get(target, field));
                if (avg && !streq(type, "Pods"))
                        strbuf_puts(b, " (avg)");
                return;
        }
        if (streq_ptr(type, "Resource") || streq_ptr(type, "ContainerResource")) {
                const char *key = streq(type, "Resource") ? "resource" : "containerResource";
                const json *m = json_object_get(spec, key);
                const json *target = json_object_get(m, "target");
                const json *current = jget(json_object_get(cur, key), "current");
                const char *name = json_object_get_string(m, "name");
                if (json_object_get(target, "averageValue")) {
                        if (json_object_get(cur, key))
                                put_scalar(&cv, json_object_get(current, "averageValue"));
                        else
                                strbuf_puts(&cv, "<unknown>");
                        strbuf_printf(b, "%s: %s/", name ? name : "", cv.data ? cv.data : "");
                        put_scalar(b, json_object_get(target, "averageValue"));
                        return;
                }
                const json *cu = json_object_get(current, "averageUtilization");
                const json *tu = json_object_get(target, "averageUtilization");
                strbuf_printf(b, "%s: ", name ? name : "");
                if (json_is_number(cu))
                        strbuf_printf(b, "%" PRId64 "%%/", json_int(cu));
                else
                        strbuf_puts(b, "<unknown>/");
                if (json_is_number(tu))
                        strbuf_printf(b, "%" PRId64 "%%", json_int(tu));
                else
                        strbuf_puts(b, "<auto>");
                return;
        }
        strbuf_puts(b, "<unknown type>");
}

static json *col_hpa_targets(const struct table_cell_ctx *c) {
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        if (streq(c->resource->version, "v1") && !jget(c->obj, "spec.metrics")) {
                /* autoscaling/v1 has only the CPU utilization. */
                const json *t = jget(c->obj, "spec.targetCPUUtilizationPercentage");
                const json *cur = jget(c->obj, "status.currentCPUUtilizationPercentage");
                if (!json_is_number(t))
                        return json_new_string("<none>");
                if (json_is_number(cur))
                        return cell_strf("cpu: %" PRId64 "%%/%" PRId64 "%%", json_int(cur),
                                         json_int(t));
                return cell_strf("cpu: <unknown>/%" PRId64 "%%", json_int(t));
        }
        const json *specs = jget(c->obj, "spec.metrics");
        const json *stats = jget(c->obj, "status.currentMetrics");
        size_t n = json_array_len(specs), max = 2;
        if (n == 0)
                return json_new_string("<none>");
        for (size_t i = 0; i < n && i < max; i++) {
                if (i)
                        strbuf_puts(&b, ", ");
                hpa_metric(&b, json_array_get(specs, i), json_array_get(stats, i));
        }
        if (n > max)
                strbuf_printf(&b, " + %zu more...", n - max);
        return cell_take(&b);
}

/* ---- policy, config, rbac ---------------------------------------------- */

static json *int_or_string_or_na(const json *v) {
        if (!v || json_is_null(v))
                return json_new_string("N/A");
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        put_scalar(&b, v);
        return cell_take(&b);
}

static json *col_pdb_min_available(const struct table_cell_ctx *c) {
        return int_or_string_or_na(jget(c->obj, "spec.minAvailable"));
}

static json *col_pdb_max_unavailable(const struct table_cell_ctx *c) {
        return int_or_string_or_na(jget(c->obj, "spec.maxUnavailable"));
}

static json *col_configmap_data_count(const struct table_cell_ctx *c) {
        return json_new_int((int64_t)(jlen(c->obj, "data") + jlen(c->obj, "binaryData")));
}

static json *col_secret_data_count(const struct table_cell_ctx *c) {
        return json_new_int((int64_t)jlen(c->obj, "data"));
}

static json *col_serviceaccount_secrets_count(const struct table_cell_ctx *c) {
        return json_new_int((int64_t)jlen(c->obj, "secrets"));
}

static json *col_binding_role(const struct table_cell_ctx *c) {
        const char *kind = jstr(c->obj, "roleRef.kind");
        const char *name = jstr(c->obj, "roleRef.name");
        return cell_strf("%s/%s", kind ? kind : "", name ? name : "");
}

static json *binding_subjects(const struct table_cell_ctx *c, const char *kind) {
        const json *subjects = jget(c->obj, "subjects");
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        bool first = true;
        for (size_t i = 0; i < json_array_len(subjects); i++) {
                const json *s = json_array_get(subjects, i);
                if (!streq_ptr(json_object_get_string(s, "kind"), kind))
                        continue;
                const char *name = json_object_get_string(s, "name");
                strbuf_puts(&b, first ? "" : ", ");
                first = false;
                if (streq(kind, "ServiceAccount")) {
                        const char *ns = json_object_get_string(s, "namespace");
                        strbuf_printf(&b, "%s/", ns ? ns : "");
                }
                strbuf_puts(&b, name ? name : "");
        }
        return cell_take(&b);
}

static json *col_binding_users(const struct table_cell_ctx *c) {
        return binding_subjects(c, "User");
}

static json *col_binding_groups(const struct table_cell_ctx *c) {
        return binding_subjects(c, "Group");
}

static json *col_binding_serviceaccounts(const struct table_cell_ctx *c) {
        return binding_subjects(c, "ServiceAccount");
}

/* ---- events ------------------------------------------------------------- */

/* core/v1 and events.k8s.io/v1 name the same facts differently. */
struct event_fields {
        const char *first, *last, *count, *source, *controller, *instance, *regarding;
};

static const struct event_fields *event_fields(const struct table_cell_ctx *c) {
        static const struct event_fields core = {
                "firstTimestamp",     "lastTimestamp",     "count",         "source",
                "reportingComponent", "reportingInstance", "involvedObject"
        };
        static const struct event_fields events = { "deprecatedFirstTimestamp",
                                                    "deprecatedLastTimestamp",
                                                    "deprecatedCount",
                                                    "deprecatedSource",
                                                    "reportingController",
                                                    "reportingInstance",
                                                    "regarding" };
        return streq(c->resource->group, "events.k8s.io") ? &events : &core;
}

static json *col_event_first_seen(const struct table_cell_ctx *c) {
        const struct event_fields *f = event_fields(c);
        const char *first = jstr(c->obj, f->first);
        if (empty(first))
                first = jstr(c->obj, "eventTime");
        return cell_age_of(c, first);
}

static json *col_event_last_seen(const struct table_cell_ctx *c) {
        const struct event_fields *f = event_fields(c);
        const json *series = jget(c->obj, "series");
        if (json_is_object(series))
                return cell_age_of(c, json_object_get_string(series, "lastObservedTime"));
        const char *last = jstr(c->obj, f->last);
        if (empty(last))
                return col_event_first_seen(c);
        return cell_age_of(c, last);
}

static json *col_event_count(const struct table_cell_ctx *c) {
        const struct event_fields *f = event_fields(c);
        const json *series = jget(c->obj, "series");
        if (json_is_object(series))
                return json_new_int(json_object_get_int(series, "count", 0));
        int64_t n = jint(c->obj, f->count, 0);
        return json_new_int(n == 0 ? 1 : n); /* singletons carry no count */
}

static json *col_event_object(const struct table_cell_ctx *c) {
        const json *o = jget(c->obj, event_fields(c)->regarding);
        const char *kind = json_object_get_string(o, "kind");
        const char *name = json_object_get_string(o, "name");
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        strbuf_puts(&b, kind ? kind : "");
        for (size_t i = 0; i < b.len; i++)
                b.data[i] = (char)tolower((unsigned char)b.data[i]);
        if (!empty(name))
                strbuf_printf(&b, "/%s", name);
        return cell_take(&b);
}

/* formatEventSource: component (or reporting controller), then ", host"
 * (or reporting instance) when there is one. */
static json *col_event_source(const struct table_cell_ctx *c) {
        const struct event_fields *f = event_fields(c);
        const json *src = jget(c->obj, f->source);
        const char *comp = json_object_get_string(src, "component");
        const char *inst = json_object_get_string(src, "host");
        if (empty(comp))
                comp = jstr(c->obj, f->controller);
        if (empty(inst))
                inst = jstr(c->obj, f->instance);
        if (empty(inst))
                return cell_str(comp);
        return cell_strf("%s, %s", comp ? comp : "", inst);
}

/* The message, trimmed of surrounding white space. */
static json *col_event_message(const struct table_cell_ctx *c) {
        const char *m =
                jstr(c->obj, streq(c->resource->group, "events.k8s.io") ? "note" : "message");
        if (!m)
                return json_new_string("");
        while (*m == ' ' || (*m >= '\t' && *m <= '\r'))
                m++;
        size_t n = strlen(m);
        while (n && (m[n - 1] == ' ' || (m[n - 1] >= '\t' && m[n - 1] <= '\r')))
                n--;
        return json_new_stringn(m, n);
}

/* ---- storage ------------------------------------------------------------ */

/* GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order. */
static json *access_modes(const json *modes) {
        static const char *const names[][2] = { { "ReadWriteOnce", "RWO" },
                                                { "ReadOnlyMany", "ROX" },
                                                { "ReadWriteMany", "RWX" },
                                                { "ReadWriteOncePod", "RWOP" } };
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        for (size_t k = 0; k < ELEMENTSOF(names); k++)
                for (size_t i = 0; i < json_array_len(modes); i++)
                        if (streq_ptr(json_string(json_array_get(modes, i)), names[k][0])) {
                                strbuf_printf(&b, "%s%s", b.len ? "," : "", names[k][1]);
                                break;
                        }
        return cell_take(&b);
}

static bool pvc_bound(const struct table_cell_ctx *c) {
        return !empty(jstr(c->obj, "spec.volumeName"));
}

static json *col_access_modes(const struct table_cell_ctx *c) {
        if (is_kind(c, "PersistentVolumeClaim"))
                return pvc_bound(c) ? access_modes(jget(c->obj, "status.accessModes"))
                                    : json_new_string("");
        return access_modes(jget(c->obj, "spec.accessModes"));
}

static json *col_pv_claim(const struct table_cell_ctx *c) {
        const json *ref = jget(c->obj, "spec.claimRef");
        if (!json_is_object(ref))
                return json_new_string("");
        const char *ns = json_object_get_string(ref, "namespace");
        const char *name = json_object_get_string(ref, "name");
        return cell_strf("%s/%s", ns ? ns : "", name ? name : "");
}

/* Phase, or Terminating once deletion started. */
static json *col_volume_phase(const struct table_cell_ctx *c) {
        if (jget(c->obj, "metadata.deletionTimestamp"))
                return json_new_string("Terminating");
        return cell_str(jstr(c->obj, "status.phase"));
}

/* The beta annotation wins over spec.storageClassName. */
static json *col_volume_class(const struct table_cell_ctx *c) {
        const json *ann = jget(c->obj, "metadata.annotations");
        const char *cls = json_object_get_string(ann, "volume.beta.kubernetes.io/storage-class");
        if (!cls)
                cls = jstr(c->obj, "spec.storageClassName");
        return cell_str(cls);
}

static json *col_pv_capacity(const struct table_cell_ctx *c) {
        return cell_or(jstr(c->obj, "spec.capacity.storage"), "0");
}

static json *col_pvc_capacity(const struct table_cell_ctx *c) {
        if (!pvc_bound(c))
                return json_new_string("");
        return cell_or(jstr(c->obj, "status.capacity.storage"), "0");
}

static json *col_pv_vac(const struct table_cell_ctx *c) {
        /* upstream prints the spec's class for claims too */
        const char *v = jstr(c->obj, "spec.volumeAttributesClassName");
        return json_new_string(v ? v : "<unset>");
}

static json *col_volume_mode(const struct table_cell_ctx *c) {
        const char *v = jstr(c->obj, "spec.volumeMode");
        return json_new_string(v ? v : "<unset>");
}

static json *col_storageclass_name(const struct table_cell_ctx *c) {
        const json *ann = jget(c->obj, "metadata.annotations");
        const char *name = jstr(c->obj, "metadata.name");
        if (streq_ptr(json_object_get_string(ann, "storageclass.kubernetes.io/is-default-class"),
                      "true") ||
            streq_ptr(
                    json_object_get_string(ann, "storageclass.beta.kubernetes.io/is-default-class"),
                    "true"))
                return cell_strf("%s (default)", name ? name : "");
        return cell_str(name);
}

static json *col_csidriver_token_requests(const struct table_cell_ctx *c) {
        const json *tr = jget(c->obj, "spec.tokenRequests");
        if (!json_is_array(tr))
                return json_new_string("<unset>");
        return join_member(tr, "audience", ",");
}

static json *col_csidriver_modes(const struct table_cell_ctx *c) {
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        join_strings(&b, jget(c->obj, "spec.volumeLifecycleModes"), ",");
        return b.len ? cell_take(&b) : json_new_string("<none>");
}

static json *col_csinode_drivers(const struct table_cell_ctx *c) {
        return json_new_int((int64_t)jlen(c->obj, "spec.drivers"));
}

/* ---- quotas, component statuses ---------------------------------------- */

static json *quota_column(const struct table_cell_ctx *c, bool limits) {
        const json *hard = jget(c->obj, "status.hard");
        const json *used = jget(c->obj, "status.used");
        size_t n = json_is_object(hard) ? json_object_len(hard) : 0;
        _cleanup_free_ const char **keys = xreallocarray(NULL, n + 1, sizeof(*keys));
        for (size_t i = 0; i < n; i++)
                keys[i] = json_object_key_at(hard, i);
        qsort(keys, n, sizeof(*keys), cmp_str);
        _cleanup_strbuf_ strbuf b = STRBUF_INIT;
        for (size_t i = 0; i < n; i++) {
                if (startswith(keys[i], "limits.") != limits)
                        continue;
                strbuf_printf(&b, "%s%s: ", b.len ? ", " : "", keys[i]);
                const json *u = json_object_get(used, keys[i]);
                if (u)
                        put_scalar(&b, u);
                else
                        strbuf_putc(&b, '0');
                strbuf_putc(&b, '/');
                put_scalar(&b, json_object_get(hard, keys[i]));
        }
        return cell_take(&b);
}

static json *col_quota_request(const struct table_cell_ctx *c) {
        return quota_column(c, false);
}

static json *col_quota_limit(const struct table_cell_ctx *c) {
        return quota_column(c, true);
}

static const json *component_healthy(const struct table_cell_ctx *c) {
        return condition(jget(c->obj, "conditions"), "Healthy");
}

static json *col_componentstatus_status(const struct table_cell_ctx *c) {
        const json *h = component_healthy(c);
        if (!h)
                return json_new_string("Unknown");
        return json_new_string(
                streq_ptr(json_object_get_string(h, "status"), "True") ? "Healthy" : "Unhealthy");
}

static json *col_componentstatus_message(const struct table_cell_ctx *c) {
        return cell_str(json_object_get_string(component_healthy(c), "message"));
}

static json *col_componentstatus_error(const struct table_cell_ctx *c) {
        return cell_str(json_object_get_string(component_healthy(c), "error"));
}

/* ---- json_path columns with upstream placeholders ----------------------- */

static json *col_pod_node(const struct table_cell_ctx *c) {
        return cell_or(jstr(c->obj, "spec.nodeName"), "<none>");
}

static json *col_pod_nominated_node(const struct table_cell_ctx *c) {
        return cell_or(jstr(c->obj, "status.nominatedNodeName"), "<none>");
}

static json *col_node_info(const struct table_cell_ctx *c) {
        const char *path = streq(c->column->name, "OS-Image") ? "status.nodeInfo.osImage"
                           : streq(c->column->name, "Kernel-Version")
                                   ? "status.nodeInfo.kernelVersion"
                                   : "status.nodeInfo.containerRuntimeVersion";
        return cell_or(jstr(c->obj, path), "<unknown>");
}

static json *col_storageclass_reclaim(const struct table_cell_ctx *c) {
        const char *v = jstr(c->obj, "reclaimPolicy");
        return json_new_string(v ? v : "Delete");
}

static json *col_storageclass_binding_mode(const struct table_cell_ctx *c) {
        const char *v = jstr(c->obj, "volumeBindingMode");
        return json_new_string(v ? v : "Immediate");
}

static json *col_csidriver_attach_required(const struct table_cell_ctx *c) {
        const json *v = jget(c->obj, "spec.attachRequired");
        return json_new_bool(json_is_bool(v) ? json_bool(v) : true);
}

/* A bool cell even though upstream's column type is string. */
static json *col_storageclass_allow_expansion(const struct table_cell_ctx *c) {
        return json_new_bool(json_bool(jget(c->obj, "allowVolumeExpansion")));
}

/* Sorted by name for bsearch. */
const struct table_computed table_computed_table[] = {
        { .name = "access-modes", .cell = col_access_modes },
        { .name = "age", .cell = col_age },
        { .name = "binding-groups", .cell = col_binding_groups },
        { .name = "binding-role", .cell = col_binding_role },
        { .name = "binding-serviceaccounts", .cell = col_binding_serviceaccounts },
        { .name = "binding-users", .cell = col_binding_users },
        { .name = "componentstatus-error", .cell = col_componentstatus_error },
        { .name = "componentstatus-message", .cell = col_componentstatus_message },
        { .name = "componentstatus-status", .cell = col_componentstatus_status },
        { .name = "configmap-data-count", .cell = col_configmap_data_count },
        { .name = "controller-owner", .cell = col_controller_owner },
        { .name = "created-at", .cell = col_created_at },
        { .name = "cronjob-active", .cell = col_cronjob_active },
        { .name = "cronjob-last-schedule", .cell = col_cronjob_last_schedule },
        { .name = "cronjob-suspend", .cell = col_cronjob_suspend },
        { .name = "cronjob-timezone", .cell = col_cronjob_timezone },
        { .name = "csidriver-attach-required", .cell = col_csidriver_attach_required },
        { .name = "csidriver-modes", .cell = col_csidriver_modes },
        { .name = "csidriver-token-requests", .cell = col_csidriver_token_requests },
        { .name = "csinode-drivers", .cell = col_csinode_drivers },
        { .name = "daemonset-node-selector", .cell = col_daemonset_node_selector },
        { .name = "default-created-at", .cell = col_created_at },
        { .name = "deployment-ready", .cell = col_deployment_ready },
        { .name = "endpoints-addresses", .cell = col_endpoints_addresses },
        { .name = "endpointslice-endpoints", .cell = col_endpointslice_endpoints },
        { .name = "endpointslice-ports", .cell = col_endpointslice_ports },
        { .name = "event-count", .cell = col_event_count },
        { .name = "event-first-seen", .cell = col_event_first_seen },
        { .name = "event-last-seen", .cell = col_event_last_seen },
        { .name = "event-message", .cell = col_event_message },
        { .name = "event-object", .cell = col_event_object },
        { .name = "event-source", .cell = col_event_source },
        { .name = "hpa-min-pods", .cell = col_hpa_min_pods },
        { .name = "hpa-reference", .cell = col_hpa_reference },
        { .name = "hpa-targets", .cell = col_hpa_targets },
        { .name = "ingress-address", .cell = col_ingress_address },
        { .name = "ingress-class", .cell = col_ingress_class },
        { .name = "ingress-hosts", .cell = col_ingress_hosts },
        { .name = "ingress-ports", .cell = col_ingress_ports },
        { .name = "ingressclass-parameters", .cell = col_ingressclass_parameters },
        { .name = "job-completions", .cell = col_job_completions },
        { .name = "job-duration", .cell = col_job_duration },
        { .name = "job-status", .cell = col_job_status },
        { .name = "netpol-pod-selector", .cell = col_netpol_pod_selector },
        { .name = "node-external-ip", .cell = col_node_external_ip },
        { .name = "node-info", .cell = col_node_info },
        { .name = "node-internal-ip", .cell = col_node_internal_ip },
        { .name = "node-roles", .cell = col_node_roles },
        { .name = "node-status", .cell = col_node_status },
        { .name = "pdb-max-unavailable", .cell = col_pdb_max_unavailable },
        { .name = "pdb-min-available", .cell = col_pdb_min_available },
        { .name = "pod-ip", .cell = col_pod_ip },
        { .name = "pod-node", .cell = col_pod_node },
        { .name = "pod-nominated-node", .cell = col_pod_nominated_node },
        { .name = "pod-readiness-gates", .cell = col_pod_readiness_gates },
        { .name = "pod-ready", .cell = col_pod_ready },
        { .name = "pod-restarts", .cell = col_pod_restarts },
        { .name = "pod-status", .cell = col_pod_status },
        { .name = "pv-capacity", .cell = col_pv_capacity },
        { .name = "pv-claim", .cell = col_pv_claim },
        { .name = "pvc-capacity", .cell = col_pvc_capacity },
        { .name = "quota-limit", .cell = col_quota_limit },
        { .name = "quota-request", .cell = col_quota_request },
        { .name = "secret-data-count", .cell = col_secret_data_count },
        { .name = "selector", .cell = col_selector },
        { .name = "service-cluster-ip", .cell = col_cluster_ip },
        { .name = "service-external-ip", .cell = col_service_external_ip },
        { .name = "service-ports", .cell = col_service_ports },
        { .name = "service-selector", .cell = col_service_selector },
        { .name = "serviceaccount-secrets-count", .cell = col_serviceaccount_secrets_count },
        { .name = "statefulset-ready", .cell = col_statefulset_ready },
        { .name = "storageclass-allow-expansion", .cell = col_storageclass_allow_expansion },
        { .name = "storageclass-binding-mode", .cell = col_storageclass_binding_mode },
        { .name = "storageclass-name", .cell = col_storageclass_name },
        { .name = "storageclass-reclaim-policy", .cell = col_storageclass_reclaim },
        { .name = "template-containers", .cell = col_template_containers },
        { .name = "template-images", .cell = col_template_images },
        { .name = "template-labels", .cell = col_template_labels },
        { .name = "volume-attributes-class", .cell = col_pv_vac },
        { .name = "volume-class", .cell = col_volume_class },
        { .name = "volume-mode", .cell = col_volume_mode },
        { .name = "volume-phase", .cell = col_volume_phase },
        {},
};

static int cmp_computed(const void *key, const void *elem) {
        return strcmp(key, ((const struct table_computed *)elem)->name);
}

const struct table_computed *table_computed_lookup(const char *name) {
        if (!name)
                return NULL;
        return bsearch(name, table_computed_table, ELEMENTSOF(table_computed_table) - 1,
                       sizeof(table_computed_table[0]), cmp_computed);
}
