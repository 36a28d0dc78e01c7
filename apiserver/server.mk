# SPDX-License-Identifier: Apache-2.0
# The API server proper: HTTP front, routes, handlers (the store has its own
# fragment, apiserver/local.mk).
noinst_LIBRARIES += apiserver/libtimonier-apiserver.a
apiserver_libtimonier_apiserver_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/apiserver $(MHD_CFLAGS)
apiserver_libtimonier_apiserver_a_SOURCES = \
	apiserver/apiserver.h apiserver/server.c apiserver/routes.c \
	apiserver/requestinfo.c apiserver/requestinfo.h \
	apiserver/status.c apiserver/status.h \
	apiserver/kubeconfig.c apiserver/kubeconfig.h \
	apiserver/discovery.c apiserver/discovery.h \
	apiserver/objmeta.c apiserver/objmeta.h \
	apiserver/registry.c apiserver/registry.h \
	apiserver/strategy.c apiserver/strategy.h \
	apiserver/watch.c apiserver/watch.h \
	apiserver/metrics.c apiserver/metrics.h

LIBTIMONIER_APISERVER_LIBS = apiserver/libtimonier-apiserver.a apiserver/libtimonier-table.a \
	apiserver/libtimonier-patch.a api/libtimonier-api.a $(LIBTIMONIER_STORAGE_LIBS) $(MHD_LIBS)

sbin_PROGRAMS += apiserver/timonier-apiserver
apiserver_timonier_apiserver_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/apiserver $(MHD_CFLAGS) $(SYSTEMD_CFLAGS)
apiserver_timonier_apiserver_SOURCES = apiserver/main.c
apiserver_timonier_apiserver_LDADD = $(LIBTIMONIER_APISERVER_LIBS) $(SYSTEMD_LIBS)

check_PROGRAMS += tests/unit/requestinfo_test
TESTS += tests/unit/requestinfo_test
tests_unit_requestinfo_test_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/apiserver
tests_unit_requestinfo_test_SOURCES = tests/unit/requestinfo_test.c
tests_unit_requestinfo_test_LDADD = $(LIBTIMONIER_APISERVER_LIBS)

TESTS += tests/integration/basics.sh tests/integration/crud.sh tests/integration/client-node.sh
EXTRA_DIST += tests/integration/lib.sh tests/integration/basics.sh tests/integration/crud.sh \
	tests/integration/client-node.sh tests/integration/client-node/package.json \
	tests/integration/client-node/crud.mjs \
	tests/integration/server_helper.h tests/data/deployment.yaml tests/data/service.yaml

check_PROGRAMS += tests/integration/api_crash_test
TESTS += tests/integration/api_crash_test
tests_integration_api_crash_test_SOURCES = tests/integration/api_crash_test.c
tests_integration_api_crash_test_LDADD = $(LIBTIMONIER_LIBS)

check_PROGRAMS += tests/integration/watch_test
TESTS += tests/integration/watch_test
tests_integration_watch_test_SOURCES = tests/integration/watch_test.c tests/integration/server_helper.h
tests_integration_watch_test_LDADD = $(LIBTIMONIER_LIBS)

noinst_PROGRAMS += bench/bench_api
bench_bench_api_SOURCES = bench/bench_api.c
bench_bench_api_LDADD = $(LIBTIMONIER_LIBS) -lm

# the npm packages the client-node test installs in the build tree
clean-local:
	rm -rf tests/client-node
TESTS += tests/integration/apimisc.sh tests/integration/inflight.sh
EXTRA_DIST += tests/integration/apimisc.sh tests/integration/inflight.sh
