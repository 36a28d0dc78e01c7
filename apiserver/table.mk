# SPDX-License-Identifier: Apache-2.0
# Server-side printing: meta.k8s.io Tables for kubectl get (doc/table.md).
noinst_LIBRARIES += apiserver/libtimonier-table.a
apiserver_libtimonier_table_a_SOURCES = \
	apiserver/table.c apiserver/table.h \
	apiserver/table_columns.c

check_PROGRAMS += tests/unit/table_test
TESTS += tests/unit/table_test
tests_unit_table_test_SOURCES = tests/unit/table_test.c tests/tap.h
tests_unit_table_test_LDADD = apiserver/libtimonier-table.a api/libtimonier-api.a $(LIBTIMONIER_LIBS)

EXTRA_DIST += doc/table.md

check_PROGRAMS += tests/fuzz/fuzz_table
tests_fuzz_fuzz_table_SOURCES = tests/fuzz/fuzz_table.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_table_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_table_LDADD = apiserver/libtimonier-table.a api/libtimonier-api.a $(LIBTIMONIER_LIBS)
if !ENABLE_FUZZ
TESTS += tests/fuzz/fuzz_table
endif
EXTRA_DIST += tests/fuzz/corpus/table
