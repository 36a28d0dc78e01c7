# SPDX-License-Identifier: Apache-2.0
# Resource quantities, int-or-string, RFC 3339 times, name validation.
lib_libtimonier_a_SOURCES += \
	lib/quantity.c lib/quantity.h \
	lib/timeutil.c lib/timeutil.h \
	lib/intstr.c lib/intstr.h \
	lib/validate.c lib/validate.h

check_PROGRAMS += tests/unit/quantity_test
TESTS += tests/unit/quantity_test
tests_unit_quantity_test_SOURCES = tests/unit/quantity_test.c tests/tap.h
tests_unit_quantity_test_LDADD = $(LIBTIMONIER_LIBS)

check_PROGRAMS += tests/fuzz/fuzz_quantity
tests_fuzz_fuzz_quantity_SOURCES = tests/fuzz/fuzz_quantity.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_quantity_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_quantity_LDADD = $(LIBTIMONIER_LIBS)
if !ENABLE_FUZZ
TESTS += tests/fuzz/fuzz_quantity
endif
EXTRA_DIST += tests/fuzz/corpus/quantity

check_PROGRAMS += tests/unit/timeutil_test
TESTS += tests/unit/timeutil_test
tests_unit_timeutil_test_SOURCES = tests/unit/timeutil_test.c tests/tap.h
tests_unit_timeutil_test_LDADD = $(LIBTIMONIER_LIBS)

check_PROGRAMS += tests/fuzz/fuzz_time
tests_fuzz_fuzz_time_SOURCES = tests/fuzz/fuzz_time.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_time_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_time_LDADD = $(LIBTIMONIER_LIBS)
if !ENABLE_FUZZ
TESTS += tests/fuzz/fuzz_time
endif
EXTRA_DIST += tests/fuzz/corpus/time

check_PROGRAMS += tests/unit/intstr_test
TESTS += tests/unit/intstr_test
tests_unit_intstr_test_SOURCES = tests/unit/intstr_test.c tests/tap.h
tests_unit_intstr_test_LDADD = $(LIBTIMONIER_LIBS)

check_PROGRAMS += tests/unit/validate_test
TESTS += tests/unit/validate_test
tests_unit_validate_test_SOURCES = tests/unit/validate_test.c tests/tap.h
tests_unit_validate_test_LDADD = $(LIBTIMONIER_LIBS)

check_PROGRAMS += tests/fuzz/fuzz_validate
tests_fuzz_fuzz_validate_SOURCES = tests/fuzz/fuzz_validate.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_validate_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_validate_LDADD = $(LIBTIMONIER_LIBS)
if !ENABLE_FUZZ
TESTS += tests/fuzz/fuzz_validate
endif
EXTRA_DIST += tests/fuzz/corpus/validate
