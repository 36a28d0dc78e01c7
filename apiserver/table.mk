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
