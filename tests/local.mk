# SPDX-License-Identifier: Apache-2.0
EXTRA_DIST += tests/tap.h tests/fuzz/standalone.c tests/fuzz/README.md

check_PROGRAMS += tests/unit/base_test
TESTS += tests/unit/base_test
tests_unit_base_test_SOURCES = tests/unit/base_test.c tests/tap.h
tests_unit_base_test_LDADD = $(LIBTIMONIER_LIBS)
