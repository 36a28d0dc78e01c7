# SPDX-License-Identifier: Apache-2.0
# The controller manager (doc/controllers.md): a convenience library of the
# controllers and a thin main.
noinst_LIBRARIES += controllers/libtimonier-controllers.a
controllers_libtimonier_controllers_a_SOURCES = \
	controllers/controller.h \
	controllers/common.c \
	controllers/namespace.c \
	controllers/garbagecollector.c \
	controllers/replicaset.h \
	controllers/replicaset_logic.c \
	controllers/replicaset.c \
	controllers/deployment.h \
	controllers/deployment_logic.c \
	controllers/deployment.c \
	controllers/serviceaccount.c
LIBTIMONIER_CONTROLLERS_LIBS = controllers/libtimonier-controllers.a $(LIBTIMONIER_LIBS)

sbin_PROGRAMS += controllers/timonier-controller-manager
controllers_timonier_controller_manager_SOURCES = controllers/main.c
controllers_timonier_controller_manager_LDADD = $(LIBTIMONIER_CONTROLLERS_LIBS)

dist_man8_MANS += man/timonier-controller-manager.8

check_PROGRAMS += tests/unit/replicaset_test
TESTS += tests/unit/replicaset_test
tests_unit_replicaset_test_SOURCES = tests/unit/replicaset_test.c tests/tap.h
tests_unit_replicaset_test_LDADD = $(LIBTIMONIER_CONTROLLERS_LIBS)

TESTS += tests/integration/controllers.sh
EXTRA_DIST += tests/integration/controllers.sh
TESTS += tests/integration/deployments.sh
EXTRA_DIST += tests/integration/deployments.sh tests/integration/cm-lib.sh

check_PROGRAMS += tests/unit/deployment_test
TESTS += tests/unit/deployment_test
tests_unit_deployment_test_SOURCES = tests/unit/deployment_test.c tests/tap.h
tests_unit_deployment_test_LDADD = $(LIBTIMONIER_CONTROLLERS_LIBS)
