# SPDX-License-Identifier: Apache-2.0
# The disruption controller (doc/controllers.md).
controllers_libtimonier_controllers_a_SOURCES += controllers/disruption.c
TESTS += tests/integration/disruption.sh
EXTRA_DIST += tests/integration/disruption.sh
# The TTL-after-finished controller (doc/controllers.md).
controllers_libtimonier_controllers_a_SOURCES += controllers/ttlafterfinished.c
TESTS += tests/integration/ttlafterfinished.sh
EXTRA_DIST += tests/integration/ttlafterfinished.sh
