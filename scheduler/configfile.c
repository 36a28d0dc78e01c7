/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "scheduler/configfile.h"
#include "yaml.h"

static const struct {
        const char *name;
        unsigned bits;
} points[] = {
        { "multiPoint", SCHED_POINT_ALL },     { "preFilter", SCHED_POINT_PRE_FILTER },
        { "filter", SCHED_POINT_FILTER },      { "postFilter", SCHED_POINT_POST_FILTER },
        { "preScore", SCHED_POINT_PRE_SCORE }, { "score", SCHED_POINT_SCORE },
        { "reserve", SCHED_POINT_RESERVE },    { "bind", SCHED_POINT_BIND },
};

void sched_profiles_free(sched_profile **v, size_t n) {
        for (size_t i = 0; i < n; i++)
                sched_profile_free(v[i]);
        free(v);
}

static sched_profile_entry *entry_by_name(sched_profile *p, const char *name) {
        for (size_t i = 0; i < p->n_entries; i++)
                if (streq(p->entries[i].plugin->name, name))
                        return &p->entries[i];
        return NULL;
}

static const json *args_of(const json *plugin_config, const char *name) {
        for (size_t i = 0; i < json_array_len(plugin_config); i++) {
                const json *pc = json_array_get(plugin_config, i);
                if (streq_ptr(json_object_get_string(pc, "name"), name))
                        return json_object_get(pc, "args");
        }
        return NULL;
}

static int get_percentage(const json *o, int dflt, int *ret, const char *where, tm_error **err) {
        const json *v = json_object_get(o, "percentageOfNodesToScore");
        if (!v || json_is_null(v)) {
                *ret = dflt;
                return 0;
        }
        if (!json_is_int(v) || json_int(v) < 0 || json_int(v) > 100)
                return tm_error_set(err, -EINVAL,
                                    "%spercentageOfNodesToScore: must be in the range [0, 100]",
                                    where);
        *ret = (int)json_int(v);
        return 0;
}

static int apply_plugins(sched_profile *p, const json *plugins, const json *plugin_config,
                         const char *where, tm_error **err) {
        if (plugins && !json_is_object(plugins))
                return tm_error_set(err, -EINVAL, "%splugins: not an object", where);
        for (size_t k = 0; k < ELEMENTSOF(points); k++) {
                const json *set = json_object_get(plugins, points[k].name);
                if (!set)
                        continue;
                unsigned bits = points[k].bits;
                const json *dis = json_object_get(set, "disabled");
                for (size_t i = 0; i < json_array_len(dis); i++) {
                        const char *name = json_object_get_string(json_array_get(dis, i), "name");
                        if (!name)
                                return tm_error_set(
                                        err, -EINVAL,
                                        "%splugins.%s.disabled[%zu].name: Required value", where,
                                        points[k].name, i);
                        if (streq(name, "*")) {
                                for (size_t e = 0; e < p->n_entries; e++)
                                        p->entries[e].disabled |= bits;
                                continue;
                        }
                        sched_profile_entry *e = entry_by_name(p, name);
                        if (e)
                                e->disabled |= bits;
                }
                const json *en = json_object_get(set, "enabled");
                for (size_t i = 0; i < json_array_len(en); i++) {
                        const json *item = json_array_get(en, i);
                        const char *name = json_object_get_string(item, "name");
                        int64_t weight = json_object_get_int(item, "weight", 0);
                        if (!name)
                                return tm_error_set(
                                        err, -EINVAL,
                                        "%splugins.%s.enabled[%zu].name: Required value", where,
                                        points[k].name, i);
                        if (weight < 0 || weight > 100)
                                return tm_error_set(err, -EINVAL,
                                                    "%splugins.%s.enabled[%zu].weight: must be in "
                                                    "the range [0, 100]",
                                                    where, points[k].name, i);
                        sched_profile_entry *e = entry_by_name(p, name);
                        if (!e) {
                                int r = sched_profile_add(p, name, (int)weight,
                                                          args_of(plugin_config, name), err);
                                if (r < 0)
                                        return tm_error_wrap(err, r, "%splugins.%s.enabled[%zu]",
                                                             where, points[k].name, i);
                                e = &p->entries[p->n_entries - 1];
                                e->disabled = SCHED_POINT_ALL;
                        }
                        e->disabled &= ~bits;
                        if (weight > 0 && (bits & SCHED_POINT_SCORE))
                                e->weight = (int)weight;
                }
        }
        return 0;
}

int sched_config_parse(const char *text, size_t len, sched_profile ***ret, size_t *ret_n,
                       tm_error **err) {
        _cleanup_json_ json *cfg = NULL;
        int r;
        if (text) {
                r = tm_yaml_parse(text, len, NULL, &cfg, err);
                if (r < 0)
                        return r;
                if (!json_is_object(cfg))
                        return tm_error_set(err, -EINVAL, "not a KubeSchedulerConfiguration");
                const char *av = json_object_get_string(cfg, "apiVersion");
                const char *kind = json_object_get_string(cfg, "kind");
                if ((av && !streq(av, "kubescheduler.config.k8s.io/v1")) ||
                    (kind && !streq(kind, "KubeSchedulerConfiguration")))
                        return tm_error_set(err, -EINVAL,
                                            "expected apiVersion kubescheduler.config.k8s.io/v1, "
                                            "kind KubeSchedulerConfiguration");
        }
        int pct_all;
        r = get_percentage(cfg, 0, &pct_all, "", err);
        if (r < 0)
                return r;
        const json *profiles = json_object_get(cfg, "profiles");
        size_t n = json_array_len(profiles);
        sched_profile **v = xcalloc(n ? n : 1, sizeof(*v));
        if (n == 0) {
                r = sched_profile_new_default("default-scheduler", NULL, &v[0], err);
                if (r < 0) {
                        free(v);
                        return r;
                }
                v[0]->percentage_of_nodes_to_score = pct_all;
                *ret = v;
                *ret_n = 1;
                return 0;
        }
        for (size_t i = 0; i < n; i++) {
                const json *pj = json_array_get(profiles, i);
                char where[32];
                snprintf(where, sizeof(where), "profiles[%zu].", i);
                const char *name = json_object_get_string(pj, "schedulerName");
                if (!name)
                        name = "default-scheduler";
                for (size_t k = 0; k < i; k++)
                        if (streq(v[k]->scheduler_name, name)) {
                                sched_profiles_free(v, i);
                                return tm_error_set(err, -EINVAL,
                                                    "%sschedulerName: Duplicate value: \"%s\"",
                                                    where, name);
                        }
                const json *pc = json_object_get(pj, "pluginConfig");
                r = sched_profile_new_default(name, pc, &v[i], err);
                if (r >= 0)
                        r = apply_plugins(v[i], json_object_get(pj, "plugins"), pc, where, err);
                if (r >= 0)
                        r = get_percentage(pj, pct_all, &v[i]->percentage_of_nodes_to_score, where,
                                           err);
                if (r < 0) {
                        sched_profiles_free(v, i + 1);
                        return r < 0 && err && *err ? r : tm_error_wrap(err, r, "%s", where);
                }
        }
        *ret = v;
        *ret_n = n;
        return 0;
}
