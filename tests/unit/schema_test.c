/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "api/schema.h"
#include "tests/tap.h"
int main(void) {
        ok(schema_resource_lookup("", "v1", "pods") != NULL, "pods");
        return tap_done();
}
