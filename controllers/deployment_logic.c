/* SPDX-License-Identifier: Apache-2.0 */
/* Deployment decisions (deployment.h). */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "controllers/deployment.h"
#include "intstr.h"
#include "util.h"

/* Drop nulls, empty objects and empty lists, recursively: upstream compares
 * decoded structs, where `resources: {}` or `creationTimestamp: null` (as
 * kubectl's rollout undo sends) are the same as nothing. Returns true when
 * v itself is now empty. */
static bool normalize(json *v) {
        if (json_is_null(v))
                return true;
        if (json_is_array(v)) {
                for (size_t i = json_array_len(v); i > 0; i--)
                        if (json_is_null(json_array_get(v, i - 1)))
                                json_array_remove(v, i - 1);
                        else if (json_is_object(json_array_get(v, i - 1)))
                                normalize(json_array_get(v, i - 1));
                return json_array_len(v) == 0;
        }
        if (json_is_object(v)) {
                for (size_t i = json_object_len(v); i > 0; i--) {
                        const char *k = json_object_key_at(v, i - 1);
                        if (normalize(json_object_value_at(v, i - 1))) {
                                _cleanup_free_ char *key = xstrdup(k);
                                json_object_remove(v, key);
                        }
                }
                return json_object_len(v) == 0;
        }
        return false;
}

char *deploy_template_hash(const json *tmpl, int64_t collision_count) {
        _cleanup_json_ json *t = json_copy(tmpl);
        normalize(t);
        _cleanup_free_ char *s = json_serialize(t, JSON_SORT_KEYS, NULL);
        uint32_t h = 2166136261u;
        for (const unsigned char *p = (const unsigned char *)s; *p; p++)
                h = (h ^ *p) * 16777619u;
        if (collision_count >= 0) {
                /* As upstream: the count's bytes are added to the hash. */
                for (int i = 0; i < 4; i++)
                        h = (h ^ (uint32_t)((collision_count >> (8 * i)) & 0xff)) * 16777619u;
        }
        static const char alnum[] = "bcdfghjklmnpqrstvwxz2456789";
        char dec[16];
        snprintf(dec, sizeof dec, "%" PRIu32, h);
        for (char *p = dec; *p; p++)
                *p = alnum[(unsigned char)*p % (sizeof alnum - 1)];
        return xstrdup(dec);
}

bool deploy_template_equal(const json *rs_template, const json *d_template) {
        _cleanup_json_ json *a = json_copy(rs_template), *b = json_copy(d_template);
        json_object_remove(json_get(a, "metadata", "labels", NULL), DEPLOY_HASH_LABEL);
        json_object_remove(json_get(b, "metadata", "labels", NULL), DEPLOY_HASH_LABEL);
        normalize(a);
        normalize(b);
        return json_equal(a, b);
}

static int64_t spec_replicas(const json *o) {
        return json_object_get_int(json_object_get(o, "spec"), "replicas", 1);
}

static int64_t status_int(const json *o, const char *f) {
        return json_object_get_int(json_object_get(o, "status"), f, 0);
}

int deploy_resolve_fenceposts(const json *d, int64_t *ret_surge, int64_t *ret_unavailable) {
        const json *st = json_get(d, "spec", "strategy", NULL);
        int64_t surge = 0, unavail = 0;
        if (!streq_ptr(json_object_get_string(st, "type"), "Recreate")) {
                const json *ru = json_object_get(st, "rollingUpdate");
                int64_t replicas = spec_replicas(d);
                _cleanup_intstr_ intstr s = INTSTR_INIT, u = INTSTR_INIT;
                const json *js = json_object_get(ru, "maxSurge");
                const json *ju = json_object_get(ru, "maxUnavailable");
                int r = 0;
                if (js)
                        r = intstr_from_json(js, &s, NULL);
                else
                        s = intstr_from_string("25%");
                if (r >= 0 && ju)
                        r = intstr_from_json(ju, &u, NULL);
                else if (r >= 0)
                        u = intstr_from_string("25%");
                if (r >= 0)
                        r = intstr_get_scaled_value(&s, replicas, true, &surge, NULL);
                if (r >= 0)
                        r = intstr_get_scaled_value(&u, replicas, false, &unavail, NULL);
                if (r < 0)
                        return r;
                if (surge == 0 && unavail == 0)
                        unavail = 1;
        }
        *ret_surge = surge;
        *ret_unavailable = unavail;
        return 0;
}

int64_t deploy_new_rs_replicas(const json *d, int64_t new_replicas, int64_t all_replicas) {
        int64_t want = spec_replicas(d), surge, unavail;
        if (deploy_resolve_fenceposts(d, &surge, &unavail) < 0)
                return new_replicas;
        if (streq_ptr(json_get_str(d, "spec", "strategy", "type", NULL), "Recreate"))
                return want;
        int64_t max_total = want + surge;
        if (all_replicas >= max_total)
                return new_replicas;
        int64_t up = max_total - all_replicas;
        if (up > want - new_replicas)
                up = want - new_replicas;
        return new_replicas + up;
}

int64_t deploy_revision(const json *obj) {
        const char *v =
                json_get_str(obj, "metadata", "annotations", DEPLOY_REVISION_ANNOTATION, NULL);
        return v ? strtoll(v, NULL, 10) : 0;
}

static json *find_condition(json *conds, const char *type) {
        for (size_t i = 0; i < json_array_len(conds); i++)
                if (streq_ptr(json_object_get_string(json_array_get(conds, i), "type"), type))
                        return json_array_get(conds, i);
        return NULL;
}

/* Set a condition; lastTransitionTime changes only with the status,
 * lastUpdateTime whenever something changes. */
static void set_condition(json *conds, const char *type, const char *status, const char *reason,
                          const char *message, const char *now) {
        json *c = find_condition(conds, type);
        if (c && streq_ptr(json_object_get_string(c, "status"), status) &&
            streq_ptr(json_object_get_string(c, "reason"), reason) &&
            streq_ptr(json_object_get_string(c, "message"), message))
                return;
        bool transition = !c || !streq_ptr(json_object_get_string(c, "status"), status);
        if (!c) {
                c = json_new_object();
                json_array_append(conds, c);
        }
        json_object_set_string(c, "type", type);
        json_object_set_string(c, "status", status);
        json_object_set_string(c, "lastUpdateTime", now);
        if (transition || !json_object_get(c, "lastTransitionTime"))
                json_object_set_string(c, "lastTransitionTime", now);
        json_object_set_string(c, "reason", reason);
        json_object_set_string(c, "message", message);
}

bool deploy_complete(const json *d, const json *st) {
        int64_t want = spec_replicas(d);
        return json_object_get_int(st, "updatedReplicas", 0) == want &&
               json_object_get_int(st, "replicas", 0) == want &&
               json_object_get_int(st, "availableReplicas", 0) == want &&
               json_object_get_int(st, "observedGeneration", 0) >=
                       json_object_get_int(json_object_get(d, "metadata"), "generation", 0);
}

json *deploy_compute_status(const json *d, const json *new_rs, const json *const *old_rss,
                            size_t n_old, const char *event, tm_time now) {
        int64_t replicas = 0, ready = 0, available = 0;
        const json *all[n_old + 1];
        size_t n = 0;
        if (new_rs)
                all[n++] = new_rs;
        for (size_t i = 0; i < n_old; i++)
                all[n++] = old_rss[i];
        for (size_t i = 0; i < n; i++) {
                replicas += status_int(all[i], "replicas");
                ready += status_int(all[i], "readyReplicas");
                available += status_int(all[i], "availableReplicas");
        }
        int64_t want = spec_replicas(d);
        int64_t updated = new_rs ? status_int(new_rs, "replicas") : 0;
        json *st = json_new_object();
        int64_t gen = json_object_get_int(json_object_get(d, "metadata"), "generation", 0);
        if (gen)
                json_object_set_int(st, "observedGeneration", gen);
        /* Zeros left out, as upstream's omitempty does. */
        if (replicas)
                json_object_set_int(st, "replicas", replicas);
        if (updated)
                json_object_set_int(st, "updatedReplicas", updated);
        if (ready)
                json_object_set_int(st, "readyReplicas", ready);
        if (available)
                json_object_set_int(st, "availableReplicas", available);
        if (want - available > 0)
                json_object_set_int(st, "unavailableReplicas", want - available);
        const json *cc = json_get(d, "status", "collisionCount", NULL);
        if (cc)
                json_object_set(st, "collisionCount", json_copy(cc));

        json *conds = json_copy(json_get(d, "status", "conditions", NULL));
        if (!json_is_array(conds)) {
                json_free(conds);
                conds = json_new_array();
        }
        char nowbuf[TIME_RFC3339_MAX];
        time_format_rfc3339(now, nowbuf);
        int64_t surge, unavail;
        if (deploy_resolve_fenceposts(d, &surge, &unavail) < 0)
                surge = 0, unavail = 0;
        if (available >= want - unavail)
                set_condition(conds, "Available", "True", "MinimumReplicasAvailable",
                              "Deployment has minimum availability.", nowbuf);
        else
                set_condition(conds, "Available", "False", "MinimumReplicasUnavailable",
                              "Deployment does not have minimum availability.", nowbuf);

        const char *rs_name = new_rs ? json_get_str(new_rs, "metadata", "name", NULL) : NULL;
        bool paused = json_object_get_bool(json_object_get(d, "spec"), "paused", false);
        _cleanup_free_ char *msg = NULL;
        json_object_set(st, "conditions", conds);
        if (paused) {
                set_condition(conds, "Progressing", "Unknown", "DeploymentPaused",
                              "Deployment is paused", nowbuf);
        } else if (rs_name && deploy_complete(d, st) && replicas == updated) {
                msg = xasprintf("ReplicaSet \"%s\" has successfully progressed.", rs_name);
                set_condition(conds, "Progressing", "True", "NewReplicaSetAvailable", msg, nowbuf);
        } else if (rs_name && event && streq(event, "NewReplicaSetCreated")) {
                msg = xasprintf("Created new replica set \"%s\"", rs_name);
                set_condition(conds, "Progressing", "True", "NewReplicaSetCreated", msg, nowbuf);
        } else if (rs_name && event) {
                msg = xasprintf("ReplicaSet \"%s\" is progressing.", rs_name);
                set_condition(conds, "Progressing", "True", "ReplicaSetUpdated", msg, nowbuf);
        } else if (rs_name) {
                /* No progress this time: past the deadline, say so. */
                json *p = find_condition(conds, "Progressing");
                int64_t deadline = json_object_get_int(json_object_get(d, "spec"),
                                                       "progressDeadlineSeconds", 600);
                const char *last = json_object_get_string(p, "lastUpdateTime");
                tm_time lt;
                if (p && streq_ptr(json_object_get_string(p, "status"), "True") &&
                    !streq_ptr(json_object_get_string(p, "reason"), "NewReplicaSetAvailable") &&
                    last && time_parse_rfc3339(last, &lt, NULL) >= 0 &&
                    lt.sec + deadline < now.sec) {
                        msg = xasprintf("ReplicaSet \"%s\" has timed out progressing.", rs_name);
                        set_condition(conds, "Progressing", "False", "ProgressDeadlineExceeded",
                                      msg, nowbuf);
                }
        }
        return st;
}
