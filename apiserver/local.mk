# SPDX-License-Identifier: Apache-2.0

# --- storage: the backend interface and its SQLite implementation ---------
noinst_LIBRARIES += apiserver/libtimonier-storage.a
apiserver_libtimonier_storage_a_SOURCES = \
	apiserver/storage/store.h \
	apiserver/storage/store.c \
	apiserver/storage/sqlite.c
apiserver_libtimonier_storage_a_CPPFLAGS = $(AM_CPPFLAGS) $(SQLITE_CFLAGS)
LIBTIMONIER_STORAGE_LIBS = apiserver/libtimonier-storage.a $(LIBTIMONIER_LIBS) $(SQLITE_LIBS)

check_PROGRAMS += tests/unit/store_test tests/unit/store_crash_test \
	tests/unit/store_disk_test tests/store_crash_helper
TESTS += tests/unit/store_test tests/unit/store_crash_test tests/unit/store_disk_test
tests_unit_store_test_SOURCES = tests/unit/store_test.c tests/tap.h
tests_unit_store_test_LDADD = $(LIBTIMONIER_STORAGE_LIBS)
tests_unit_store_crash_test_SOURCES = tests/unit/store_crash_test.c tests/tap.h
tests_unit_store_crash_test_LDADD = $(LIBTIMONIER_STORAGE_LIBS)
tests_unit_store_disk_test_SOURCES = tests/unit/store_disk_test.c tests/store_heartbeat.h tests/tap.h
tests_unit_store_disk_test_LDADD = $(LIBTIMONIER_STORAGE_LIBS)
# Run by store_crash_test, which SIGKILLs it mid-write.
tests_store_crash_helper_SOURCES = tests/store_crash_helper.c
tests_store_crash_helper_LDADD = $(LIBTIMONIER_STORAGE_LIBS)

# Declared here rather than in bench/local.mk, which another area owns.
noinst_PROGRAMS += bench/bench_store
bench_bench_store_SOURCES = bench/bench_store.c
bench_bench_store_LDADD = $(LIBTIMONIER_STORAGE_LIBS) -lm

