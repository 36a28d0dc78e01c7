/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "quantity.h"
#include "scheduler/snapshot.h"
#include "timeutil.h"
#include "util.h"

int64_t sched_resources_scalar(const sched_resources *r, const char *name) {
        for (size_t i = 0; i < r->n_scalar; i++)
                if (streq(r->scalar[i].name, name))
                        return r->scalar[i].value;
        return 0;
}

static sched_scalar *scalar_slot(sched_resources *r, const char *name) {
        for (size_t i = 0; i < r->n_scalar; i++)
                if (streq(r->scalar[i].name, name))
                        return &r->scalar[i];
        if (r->n_scalar >= SCHED_MAX_SCALAR || strlen(name) >= sizeof(r->scalar[0].name))
                return NULL;
        sched_scalar *s = &r->scalar[r->n_scalar++];
        strcpy(s->name, name);
        s->value = 0;
        return s;
}

static void resources_combine(sched_resources *r, const sched_resources *y, int sign) {
        r->milli_cpu += sign * y->milli_cpu;
        r->memory += sign * y->memory;
        r->ephemeral_storage += sign * y->ephemeral_storage;
        r->pods += sign * y->pods;
        for (size_t i = 0; i < y->n_scalar; i++) {
                sched_scalar *s = scalar_slot(r, y->scalar[i].name);
                if (s)
                        s->value += sign * y->scalar[i].value;
        }
}

void sched_resources_add(sched_resources *r, const sched_resources *y) {
        resources_combine(r, y, 1);
}

void sched_resources_sub(sched_resources *r, const sched_resources *y) {
        resources_combine(r, y, -1);
}

/* Per resource, the larger of the two. */
static void resources_max(sched_resources *r, const sched_resources *y) {
        if (y->milli_cpu > r->milli_cpu)
                r->milli_cpu = y->milli_cpu;
        if (y->memory > r->memory)
                r->memory = y->memory;
        if (y->ephemeral_storage > r->ephemeral_storage)
                r->ephemeral_storage = y->ephemeral_storage;
        for (size_t i = 0; i < y->n_scalar; i++) {
                sched_scalar *s = scalar_slot(r, y->scalar[i].name);
                if (s && y->scalar[i].value > s->value)
                        s->value = y->scalar[i].value;
        }
}

int sched_resources_parse(const json *list, sched_resources *r, tm_error **err) {
        if (!list || json_is_null(list))
                return 0;
        if (!json_is_object(list))
                return tm_error_set(err, -EINVAL, "resource list is not an object");
        for (size_t i = 0; i < json_object_len(list); i++) {
                const char *name = json_object_key_at(list, i);
                const json *v = json_object_value_at(list, i);
                quantity q;
                int r2;
                if (json_is_string(v))
                        r2 = quantity_parse(json_string(v), &q, err);
                else if (json_is_int(v)) {
                        q = quantity_from_int(json_int(v), QUANTITY_DECIMAL_SI);
                        r2 = 0;
                } else
                        r2 = tm_error_set(err, -EINVAL, "not a quantity");
                if (r2 < 0)
                        return tm_error_wrap(err, r2, "resource \"%s\"", name);
                int64_t val;
                if (streq(name, "cpu"))
                        r2 = quantity_milli_value(&q, &val);
                else
                        r2 = quantity_value(&q, &val);
                if (r2 < 0)
                        return tm_error_set(err, r2, "resource \"%s\": out of range", name);
                if (streq(name, "cpu"))
                        r->milli_cpu += val;
                else if (streq(name, "memory"))
                        r->memory += val;
                else if (streq(name, "ephemeral-storage"))
                        r->ephemeral_storage += val;
                else if (streq(name, "pods"))
                        r->pods += val;
                else {
                        sched_scalar *s = scalar_slot(r, name);
                        if (!s)
                                return tm_error_set(err, -E2BIG,
                                                    "too many extended resources (at most %d)",
                                                    SCHED_MAX_SCALAR);
                        s->value += val;
                }
        }
        return 0;
}

static int container_requests(const json *c, sched_resources *req, sched_resources *nonzero,
                              tm_error **err) {
        *req = (sched_resources){ 0 };
        int r = sched_resources_parse(json_get(c, "resources", "requests", NULL), req, err);
        if (r < 0)
                return r;
        *nonzero = *req;
        /* upstream: a cpu/memory request absent (not merely zero) counts as
         * the default for scoring. */
        const json *reqs = json_get(c, "resources", "requests", NULL);
        if (!json_object_get(reqs, "cpu"))
                nonzero->milli_cpu = SCHED_DEFAULT_MILLI_CPU_REQUEST;
        if (!json_object_get(reqs, "memory"))
                nonzero->memory = SCHED_DEFAULT_MEMORY_REQUEST;
        return 0;
}

static int pod_requests(sched_pod *p, tm_error **err) {
        const json *spec = json_object_get(p->obj, "spec");
        sched_resources sum = { 0 }, sum_nz = { 0 };
        const json *cs = json_object_get(spec, "containers");
        for (size_t i = 0; i < json_array_len(cs); i++) {
                sched_resources rq, nz;
                int r = container_requests(json_array_get(cs, i), &rq, &nz, err);
                if (r < 0)
                        return tm_error_wrap(err, r, "spec.containers[%zu]", i);
                sched_resources_add(&sum, &rq);
                sched_resources_add(&sum_nz, &nz);
        }
        /* Init containers run one by one before the app containers, beside
         * the restartable (sidecar) ones started before them. */
        sched_resources sidecars = { 0 }, sidecars_nz = { 0 };
        sched_resources init_max = { 0 }, init_max_nz = { 0 };
        const json *ics = json_object_get(spec, "initContainers");
        for (size_t i = 0; i < json_array_len(ics); i++) {
                const json *c = json_array_get(ics, i);
                sched_resources rq, nz;
                int r = container_requests(c, &rq, &nz, err);
                if (r < 0)
                        return tm_error_wrap(err, r, "spec.initContainers[%zu]", i);
                const char *policy = json_object_get_string(c, "restartPolicy");
                if (policy && streq(policy, "Always")) {
                        sched_resources_add(&sum, &rq);
                        sched_resources_add(&sum_nz, &nz);
                        sched_resources_add(&sidecars, &rq);
                        sched_resources_add(&sidecars_nz, &nz);
                        rq = sidecars;
                        nz = sidecars_nz;
                } else {
                        sched_resources_add(&rq, &sidecars);
                        sched_resources_add(&nz, &sidecars_nz);
                }
                resources_max(&init_max, &rq);
                resources_max(&init_max_nz, &nz);
        }
        resources_max(&sum, &init_max);
        resources_max(&sum_nz, &init_max_nz);
        sched_resources overhead = { 0 };
        int r = sched_resources_parse(json_object_get(spec, "overhead"), &overhead, err);
        if (r < 0)
                return tm_error_wrap(err, r, "spec.overhead");
        sched_resources_add(&sum, &overhead);
        sched_resources_add(&sum_nz, &overhead);
        sum.pods = sum_nz.pods = 0;
        p->requests = sum;
        p->nonzero_requests = sum_nz;
        return 0;
}

static void pod_ports_from(sched_pod *p, const json *containers, bool sidecars_only) {
        for (size_t i = 0; i < json_array_len(containers); i++) {
                const json *c = json_array_get(containers, i);
                if (sidecars_only &&
                    !streq_ptr(json_object_get_string(c, "restartPolicy"), "Always"))
                        continue;
                const json *ports = json_object_get(c, "ports");
                for (size_t j = 0; j < json_array_len(ports); j++) {
                        const json *port = json_array_get(ports, j);
                        int64_t hp = json_object_get_int(port, "hostPort", 0);
                        if (hp <= 0 || hp > 65535)
                                continue;
                        p->host_ports = xreallocarray(p->host_ports, p->n_host_ports + 1,
                                                      sizeof(*p->host_ports));
                        sched_host_port *h = &p->host_ports[p->n_host_ports++];
                        *h = (sched_host_port){ .port = (int32_t)hp };
                        const char *ip = json_object_get_string(port, "hostIP");
                        const char *proto = json_object_get_string(port, "protocol");
                        snprintf(h->ip, sizeof(h->ip), "%s", ip ? ip : "");
                        snprintf(h->protocol, sizeof(h->protocol), "%s", proto ? proto : "TCP");
                }
        }
}

int sched_pod_new(json *obj, sched_pod **ret, tm_error **err) {
        _cleanup_(sched_pod_freep) sched_pod *p = xcalloc(1, sizeof(*p));
        p->obj = obj;
        if (!json_is_object(obj))
                return tm_error_set(err, -EINVAL, "pod is not an object");
        p->namespace = json_get_str(obj, "metadata", "namespace", NULL);
        p->name = json_get_str(obj, "metadata", "name", NULL);
        p->uid = json_get_str(obj, "metadata", "uid", NULL);
        if (!p->name)
                return tm_error_set(err, -EINVAL, "pod has no metadata.name");
        if (!p->namespace)
                p->namespace = "default";
        if (!p->uid)
                p->uid = "";
        const json *spec = json_object_get(obj, "spec");
        p->node_name = json_object_get_string(spec, "nodeName");
        if (p->node_name && !*p->node_name)
                p->node_name = NULL;
        p->scheduler_name = json_object_get_string(spec, "schedulerName");
        if (!p->scheduler_name)
                p->scheduler_name = "default-scheduler";
        p->priority = (int32_t)json_object_get_int(spec, "priority", 0);
        p->preemption_never = streq_ptr(json_object_get_string(spec, "preemptionPolicy"), "Never");
        p->required_anti_affinity =
                json_array_len(json_get(spec, "affinity", "podAntiAffinity",
                                        "requiredDuringSchedulingIgnoredDuringExecution", NULL)) >
                0;
        p->pod_affinity = json_get(spec, "affinity", "podAffinity", NULL) ||
                          json_get(spec, "affinity", "podAntiAffinity", NULL);
        const char *ts = json_get_str(obj, "metadata", "creationTimestamp", NULL);
        tm_time t;
        if (ts && time_parse_rfc3339(ts, &t, NULL) >= 0)
                p->creation_ns = t.sec * 1000000000LL + t.nsec;
        int r = pod_requests(p, err);
        if (r < 0)
                return tm_error_wrap(err, r, "pod \"%s/%s\"", p->namespace, p->name);
        pod_ports_from(p, json_object_get(spec, "containers"), false);
        pod_ports_from(p, json_object_get(spec, "initContainers"), true);
        *ret = TAKE_PTR(p);
        return 0;
}

void sched_pod_free(sched_pod *p) {
        if (!p)
                return;
        if (p->node)
                sched_node_remove_pod(p);
        json_free(p->obj);
        free(p->host_ports);
        free(p);
}

int sched_node_new(json *obj, sched_node **ret, tm_error **err) {
        _cleanup_(sched_node_freep) sched_node *n = xcalloc(1, sizeof(*n));
        n->obj = obj;
        if (!json_is_object(obj))
                return tm_error_set(err, -EINVAL, "node is not an object");
        n->name = json_get_str(obj, "metadata", "name", NULL);
        if (!n->name)
                return tm_error_set(err, -EINVAL, "node has no metadata.name");
        n->labels = json_get(obj, "metadata", "labels", NULL);
        const json *spec = json_object_get(obj, "spec");
        n->unschedulable = json_object_get_bool(spec, "unschedulable", false);
        const json *taints = json_object_get(spec, "taints");
        size_t nt = json_array_len(taints);
        if (nt > 0) {
                n->taints = xcalloc(nt, sizeof(*n->taints));
                for (size_t i = 0; i < nt; i++) {
                        const json *t = json_array_get(taints, i);
                        const char *key = json_object_get_string(t, "key");
                        if (!key)
                                continue;
                        sched_taint *st = &n->taints[n->n_taints++];
                        st->key = key;
                        st->value = json_object_get_string(t, "value");
                        if (!st->value)
                                st->value = "";
                        st->effect = json_object_get_string(t, "effect");
                        if (!st->effect)
                                st->effect = "";
                }
        }
        int r = sched_resources_parse(json_get(obj, "status", "allocatable", NULL), &n->allocatable,
                                      err);
        if (r < 0)
                return tm_error_wrap(err, r, "node \"%s\": status.allocatable", n->name);
        *ret = TAKE_PTR(n);
        return 0;
}

void sched_node_free(sched_node *n) {
        if (!n)
                return;
        for (size_t i = 0; i < n->n_pods; i++)
                n->pods[i]->node = NULL;
        free(n->pods);
        free(n->taints);
        json_free(n->obj);
        free(n);
}

const char *sched_node_label(const sched_node *n, const char *key) {
        return json_object_get_string(n->labels, key);
}

void sched_node_add_pod(sched_node *n, sched_pod *p) {
        if (p->node)
                sched_node_remove_pod(p);
        if (n->n_pods == n->cap_pods) {
                n->cap_pods = n->cap_pods ? 2 * n->cap_pods : 8;
                n->pods = xreallocarray(n->pods, n->cap_pods, sizeof(*n->pods));
        }
        p->index_on_node = n->n_pods;
        n->pods[n->n_pods++] = p;
        p->node = n;
        n->n_pods_required_anti += p->required_anti_affinity;
        n->n_pods_affinity += p->pod_affinity;
        if (n->snap) {
                n->snap->n_pods_required_anti += p->required_anti_affinity;
                n->snap->n_pods_affinity += p->pod_affinity;
        }
        sched_resources_add(&n->requested, &p->requests);
        sched_resources_add(&n->nonzero_requested, &p->nonzero_requests);
}

void sched_node_remove_pod(sched_pod *p) {
        sched_node *n = p->node;
        if (!n)
                return;
        size_t i = p->index_on_node;
        n->pods[i] = n->pods[--n->n_pods];
        n->pods[i]->index_on_node = i;
        n->n_pods_required_anti -= p->required_anti_affinity;
        n->n_pods_affinity -= p->pod_affinity;
        if (n->snap) {
                n->snap->n_pods_required_anti -= p->required_anti_affinity;
                n->snap->n_pods_affinity -= p->pod_affinity;
        }
        sched_resources_sub(&n->requested, &p->requests);
        sched_resources_sub(&n->nonzero_requested, &p->nonzero_requests);
        p->node = NULL;
}

/* ---- the node table ------------------------------------------------------ */

static uint64_t hash_str(const char *s) {
        uint64_t h = 1469598103934665603ULL; /* FNV-1a */
        for (; *s; s++)
                h = (h ^ (unsigned char)*s) * 1099511628211ULL;
        return h;
}

void sched_snapshot_init(sched_snapshot *s) {
        *s = (sched_snapshot){ 0 };
}

void sched_snapshot_done(sched_snapshot *s) {
        for (size_t i = 0; i < s->n_nodes; i++)
                sched_node_free(s->nodes[i]);
        free(s->nodes);
        free(s->slots);
        *s = (sched_snapshot){ 0 };
}

static size_t *slot_for(const sched_snapshot *s, const char *name) {
        if (s->n_slots == 0)
                return NULL;
        size_t mask = s->n_slots - 1;
        for (size_t i = hash_str(name) & mask;; i = (i + 1) & mask) {
                size_t v = s->slots[i];
                if (v == 0 || streq(s->nodes[v - 1]->name, name))
                        return &s->slots[i];
        }
}

static void rehash(sched_snapshot *s, size_t n_slots) {
        free(s->slots);
        s->n_slots = n_slots;
        s->slots = xcalloc(n_slots, sizeof(*s->slots));
        for (size_t i = 0; i < s->n_nodes; i++)
                *slot_for(s, s->nodes[i]->name) = i + 1;
}

sched_node *sched_snapshot_get(const sched_snapshot *s, const char *name) {
        size_t *slot = slot_for(s, name);
        return slot && *slot ? s->nodes[*slot - 1] : NULL;
}

void sched_snapshot_set_node(sched_snapshot *s, sched_node *n) {
        s->generation++;
        n->snap = s;
        size_t *slot = slot_for(s, n->name);
        if (slot && *slot) {
                sched_node *old = s->nodes[*slot - 1];
                old->snap = NULL; /* the pods' counts move with them */
                s->n_pods_required_anti -= old->n_pods_required_anti;
                s->n_pods_affinity -= old->n_pods_affinity;
                while (old->n_pods > 0)
                        sched_node_add_pod(n, old->pods[0]);
                s->nodes[*slot - 1] = n;
                sched_node_free(old);
                return;
        }
        if (s->n_nodes == s->cap_nodes) {
                s->cap_nodes = s->cap_nodes ? 2 * s->cap_nodes : 16;
                s->nodes = xreallocarray(s->nodes, s->cap_nodes, sizeof(*s->nodes));
        }
        s->nodes[s->n_nodes++] = n;
        if (2 * s->n_nodes > s->n_slots)
                rehash(s, s->n_slots ? 2 * s->n_slots : 64);
        else
                *slot_for(s, n->name) = s->n_nodes;
}

void sched_snapshot_remove_node(sched_snapshot *s, const char *name) {
        size_t *slot = slot_for(s, name);
        if (!slot || !*slot)
                return;
        s->generation++;
        size_t i = *slot - 1;
        s->n_pods_required_anti -= s->nodes[i]->n_pods_required_anti;
        s->n_pods_affinity -= s->nodes[i]->n_pods_affinity;
        sched_node_free(s->nodes[i]);
        s->nodes[i] = s->nodes[--s->n_nodes];
        rehash(s, s->n_slots);
}
