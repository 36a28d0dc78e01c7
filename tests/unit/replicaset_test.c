/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "controllers/replicaset.h"
#include "tests/tap.h"
#include "util.h"

int main(void) {
        return tap_done();
}
