/* SPDX-License-Identifier: Apache-2.0 */
/* The configuration file: a KubeSchedulerConfiguration
 * (kubescheduler.config.k8s.io/v1), YAML or JSON, of which these fields are
 * read (man/timonier-scheduler.8):
 *
 *   percentageOfNodesToScore: 0..100
 *   profiles:
 *   - schedulerName: NAME
 *     percentageOfNodesToScore: 0..100
 *     plugins:
 *       multiPoint|preFilter|filter|postFilter|preScore|score|reserve|bind:
 *         disabled: [{name: X}]          ("*": every default plug-in)
 *         enabled: [{name: X, weight: N}]
 *     pluginConfig: [{name: X, args: {...}}]
 *
 * Each profile starts from the default plug-ins; disabling applies before
 * enabling, per extension point, as upstream. */
#ifndef TIMONIER_SCHED_CONFIGFILE_H
#define TIMONIER_SCHED_CONFIGFILE_H

#include <stddef.h>

#include "scheduler/framework.h"

/* The profiles of a configuration (NULL text: the one default profile).
 * *ret is a malloc'd array of n profiles. -EINVAL with a message naming the
 * field. */
int sched_config_parse(const char *text, size_t len, sched_profile ***ret, size_t *ret_n,
                       tm_error **err);
void sched_profiles_free(sched_profile **v, size_t n);

#endif
