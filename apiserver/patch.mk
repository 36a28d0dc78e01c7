# SPDX-License-Identifier: Apache-2.0
# JSON patch, merge patch and strategic merge patch (doc/patch.md): a small
# library the API server's PATCH handler links.
noinst_LIBRARIES += apiserver/libtimonier-patch.a
apiserver_libtimonier_patch_a_SOURCES = apiserver/patch.c apiserver/patch.h
LIBTIMONIER_PATCH_LIBS = apiserver/libtimonier-patch.a api/libtimonier-api.a $(LIBTIMONIER_LIBS)

check_PROGRAMS += tests/unit/patch_test
TESTS += tests/unit/patch_test
tests_unit_patch_test_SOURCES = tests/unit/patch_test.c tests/tap.h
tests_unit_patch_test_LDADD = $(LIBTIMONIER_PATCH_LIBS)

check_PROGRAMS += tests/fuzz/fuzz_patch
tests_fuzz_fuzz_patch_SOURCES = tests/fuzz/fuzz_patch.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_patch_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_patch_LDADD = $(LIBTIMONIER_PATCH_LIBS)
if !ENABLE_FUZZ
TESTS += tests/fuzz/fuzz_patch
endif
EXTRA_DIST += tests/fuzz/corpus/patch
