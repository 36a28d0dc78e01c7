# SPDX-License-Identifier: Apache-2.0
# /openapi/v2 and /openapi/v3 (apiserver/openapi.c): the documents of
# api/generated/ are embedded in the binary as C string literals, so that the
# installed server needs no data files, and the protobuf form of v2 is
# encoded from the JSON on first use (apiserver/openapi_proto.c).
apiserver_libtimonier_apiserver_a_SOURCES += \
	apiserver/openapi.c apiserver/openapi.h \
	apiserver/openapi_proto.c apiserver/openapi_proto.h
nodist_apiserver_libtimonier_apiserver_a_SOURCES = apiserver/openapi_data.c
CLEANFILES += apiserver/openapi_data.c
LIBTIMONIER_APISERVER_LIBS += $(ZLIB_LIBS)
apiserver_libtimonier_apiserver_a_CPPFLAGS += $(ZLIB_CFLAGS)

OPENAPI_V2_JSON = $(top_srcdir)/api/generated/openapi-v2.json
OPENAPI_V3_JSON = $(sort $(wildcard $(top_srcdir)/api/generated/openapi-v3/*.json))

# Each document becomes one string literal: backslashes, quotes and '?'
# (trigraphs) escaped; the files are single-line JSON.
OPENAPI_EMBED = $(SED) -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' -e 's/^/"/' -e 's/$$/\\n"/'
apiserver/openapi_data.c: $(OPENAPI_V2_JSON) $(OPENAPI_V3_JSON) $(top_srcdir)/apiserver/openapi.mk
	$(AM_V_GEN)$(MKDIR_P) apiserver && { \
	  echo '/* Generated from api/generated/openapi-* by apiserver/openapi.mk: do not edit. */'; \
	  echo '#include "openapi.h"'; \
	  i=0; for f in $(OPENAPI_V3_JSON); do \
	    echo "static const char v3_$$i[] ="; $(OPENAPI_EMBED) "$$f"; echo ';'; i=`expr $$i + 1`; \
	  done; \
	  echo 'static const char v2[] ='; $(OPENAPI_EMBED) $(OPENAPI_V2_JSON); echo ';'; \
	  echo 'const openapi_blob openapi_v3_blobs[] = {'; \
	  i=0; for f in $(OPENAPI_V3_JSON); do \
	    n=`basename "$$f" .json | $(SED) 's,__,/,g'`; \
	    echo "	{ \"$$n\", v3_$$i, sizeof v3_$$i - 1 },"; i=`expr $$i + 1`; \
	  done; \
	  echo '};'; \
	  echo "const size_t openapi_v3_nblobs = $$i;"; \
	  echo 'const openapi_blob openapi_v2_blob = { "", v2, sizeof v2 - 1 };'; \
	} >$@.tmp && mv $@.tmp $@

check_PROGRAMS += tests/unit/openapi_test
TESTS += tests/unit/openapi_test
tests_unit_openapi_test_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/apiserver $(MHD_CFLAGS)
tests_unit_openapi_test_SOURCES = tests/unit/openapi_test.c tests/tap.h
tests_unit_openapi_test_LDADD = $(LIBTIMONIER_APISERVER_LIBS)

TESTS += tests/integration/openapi.sh
EXTRA_DIST += tests/integration/openapi.sh
