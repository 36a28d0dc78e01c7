/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <stdio.h>

#include "commands.h"

int cmd_version(int argc, char **argv) {
        printf("timonier %s\n", PACKAGE_VERSION);
        printf("Kubernetes API %s\n", KUBE_GIT_VERSION);
        return 0;
}
