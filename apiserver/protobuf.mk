# SPDX-License-Identifier: Apache-2.0
# Kubernetes protobuf request bodies (doc/protobuf.md).
apiserver_libtimonier_apiserver_a_SOURCES += apiserver/protobuf.c apiserver/protobuf.h

check_PROGRAMS += tests/unit/protobuf_test
TESTS += tests/unit/protobuf_test tests/integration/protobuf.sh
tests_unit_protobuf_test_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/apiserver \
	-DPB_TEST_DATA='"$(abs_top_srcdir)/tests/data/protobuf"'
tests_unit_protobuf_test_SOURCES = tests/unit/protobuf_test.c tests/tap.h
tests_unit_protobuf_test_LDADD = $(LIBTIMONIER_APISERVER_LIBS)

EXTRA_DIST += tests/integration/protobuf.sh tests/data/protobuf doc/protobuf.md

check_PROGRAMS += tests/fuzz/fuzz_protobuf
tests_fuzz_fuzz_protobuf_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/apiserver
tests_fuzz_fuzz_protobuf_SOURCES = tests/fuzz/fuzz_protobuf.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_protobuf_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_protobuf_LDADD = $(LIBTIMONIER_APISERVER_LIBS)
if !ENABLE_FUZZ
TESTS += tests/fuzz/fuzz_protobuf
endif
EXTRA_DIST += tests/fuzz/corpus/protobuf
