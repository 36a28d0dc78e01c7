# SPDX-License-Identifier: Apache-2.0
# HTTP client on libcurl (lib/httpclient.h, doc/http-client.md).
lib_libtimonier_a_SOURCES += lib/httpclient.c lib/httpclient.h

# The test starts its own libmicrohttpd server on 127.0.0.1.
check_PROGRAMS += tests/unit/http_test
TESTS += tests/unit/http_test
tests_unit_http_test_SOURCES = tests/unit/http_test.c tests/tap.h
tests_unit_http_test_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS)
tests_unit_http_test_LDADD = $(LIBTIMONIER_LIBS) $(MHD_LIBS)
