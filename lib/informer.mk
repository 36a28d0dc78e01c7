# SPDX-License-Identifier: Apache-2.0
# Client-side control-loop machinery: informers, work queues, leader
# election (doc/informer.md).
lib_libtimonier_a_SOURCES += \
	lib/informer.c lib/informer.h \
	lib/workqueue.c lib/workqueue.h \
	lib/leaderelection.c lib/leaderelection.h

check_PROGRAMS += tests/integration/informer_test
TESTS += tests/integration/informer_test
tests_integration_informer_test_SOURCES = tests/integration/informer_test.c \
	tests/integration/server_helper.h
tests_integration_informer_test_LDADD = $(LIBTIMONIER_LIBS)
tests_integration_informer_test_DEPENDENCIES = apiserver/timonier-apiserver $(LIBTIMONIER)

check_PROGRAMS += tests/unit/workqueue_test
TESTS += tests/unit/workqueue_test
tests_unit_workqueue_test_SOURCES = tests/unit/workqueue_test.c tests/tap.h
tests_unit_workqueue_test_LDADD = $(LIBTIMONIER_LIBS)

check_PROGRAMS += tests/integration/leaderelection_test
TESTS += tests/integration/leaderelection_test
tests_integration_leaderelection_test_SOURCES = tests/integration/leaderelection_test.c \
	tests/integration/server_helper.h
tests_integration_leaderelection_test_LDADD = $(LIBTIMONIER_LIBS)
tests_integration_leaderelection_test_DEPENDENCIES = apiserver/timonier-apiserver $(LIBTIMONIER)
