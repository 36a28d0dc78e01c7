/* SPDX-License-Identifier: Apache-2.0 */
/* DefaultBinder: POST pods/binding, through the profile's callback. */
#include "config.h"

#include "scheduler/plugins/plugins.h"

static sched_code bind(sched_cycle *c, void *config, const sched_node *n, sched_status *st) {
        (void)config;
        _cleanup_error_ tm_error *err = NULL;
        int r = c->profile->bind(c->pod, n->name, c->profile->bind_userdata, &err);
        if (r < 0)
                return sched_status_fail(st, SCHED_ERROR, "%s", tm_error_msg(err));
        return SCHED_SUCCESS;
}

const sched_plugin sched_plugin_default_binder = {
        .name = "DefaultBinder",
        .bind = bind,
};
