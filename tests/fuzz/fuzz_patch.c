/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include <stdint.h>
#include "apiserver/patch.h"
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        (void)data; (void)size;
        return 0;
}
