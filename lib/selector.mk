# SPDX-License-Identifier: Apache-2.0
# Label and field selectors (lib/selector.h).
lib_libtimonier_a_SOURCES += lib/selector.c lib/selector.h

check_PROGRAMS += tests/unit/selector_test
TESTS += tests/unit/selector_test
tests_unit_selector_test_SOURCES = tests/unit/selector_test.c tests/tap.h
tests_unit_selector_test_LDADD = $(LIBTIMONIER_LIBS)

check_PROGRAMS += tests/fuzz/fuzz_label_selector
tests_fuzz_fuzz_label_selector_SOURCES = tests/fuzz/fuzz_label_selector.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_label_selector_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_label_selector_LDADD = $(LIBTIMONIER_LIBS)
if !ENABLE_FUZZ
TESTS += tests/fuzz/fuzz_label_selector
endif
EXTRA_DIST += tests/fuzz/corpus/label_selector

check_PROGRAMS += tests/fuzz/fuzz_field_selector
tests_fuzz_fuzz_field_selector_SOURCES = tests/fuzz/fuzz_field_selector.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_field_selector_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_field_selector_LDADD = $(LIBTIMONIER_LIBS)
if !ENABLE_FUZZ
TESTS += tests/fuzz/fuzz_field_selector
endif
EXTRA_DIST += tests/fuzz/corpus/field_selector
