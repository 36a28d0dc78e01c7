# SPDX-License-Identifier: Apache-2.0
# HTTP client on libcurl (lib/httpclient.h, doc/http-client.md).
lib_libtimonier_a_SOURCES += lib/httpclient.c lib/httpclient.h

# The test starts its own libmicrohttpd server on 127.0.0.1.
check_PROGRAMS += tests/unit/http_test
TESTS += tests/unit/http_test
tests_unit_http_test_SOURCES = tests/unit/http_test.c tests/tap.h
tests_unit_http_test_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS)
tests_unit_http_test_LDADD = $(LIBTIMONIER_LIBS) $(MHD_LIBS)

# Watch stream decoding is a parser of outside input.
check_PROGRAMS += tests/fuzz/fuzz_watch_stream
tests_fuzz_fuzz_watch_stream_SOURCES = tests/fuzz/fuzz_watch_stream.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_watch_stream_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_watch_stream_LDADD = $(LIBTIMONIER_LIBS)
if !ENABLE_FUZZ
TESTS += tests/fuzz/fuzz_watch_stream
endif
EXTRA_DIST += tests/fuzz/corpus/watch_stream
