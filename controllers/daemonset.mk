# SPDX-License-Identifier: Apache-2.0
# The DaemonSet controller (doc/controllers.md).
controllers_libtimonier_controllers_a_SOURCES += \
	controllers/daemonset.h \
	controllers/daemonset_logic.c \
	controllers/daemonset.c

check_PROGRAMS += tests/unit/daemonset_test
TESTS += tests/unit/daemonset_test
tests_unit_daemonset_test_SOURCES = tests/unit/daemonset_test.c tests/tap.h
tests_unit_daemonset_test_LDADD = $(LIBTIMONIER_CONTROLLERS_LIBS)

TESTS += tests/integration/daemonsets.sh
EXTRA_DIST += tests/integration/daemonsets.sh
