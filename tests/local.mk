# SPDX-License-Identifier: Apache-2.0
EXTRA_DIST += tests/tap.h tests/fuzz/standalone.c tests/fuzz/README.md

check_PROGRAMS += tests/unit/base_test
TESTS += tests/unit/base_test
tests_unit_base_test_SOURCES = tests/unit/base_test.c tests/tap.h
tests_unit_base_test_LDADD = $(LIBTIMONIER_LIBS)

check_PROGRAMS += tests/unit/kubeconfig_test
TESTS += tests/unit/kubeconfig_test
tests_unit_kubeconfig_test_SOURCES = tests/unit/kubeconfig_test.c tests/tap.h
tests_unit_kubeconfig_test_LDADD = $(LIBTIMONIER_LIBS)
