# SPDX-License-Identifier: Apache-2.0
# JSON object tree (yajl) and YAML into the same tree (libyaml).
lib_libtimonier_a_SOURCES += \
	lib/json.c lib/json.h lib/json-internal.h lib/json-parse.c lib/json-gen.c \
	lib/yaml.c lib/yaml.h

check_PROGRAMS += tests/unit/json_test
TESTS += tests/unit/json_test
tests_unit_json_test_SOURCES = tests/unit/json_test.c tests/tap.h
tests_unit_json_test_LDADD = $(LIBTIMONIER_LIBS)

check_PROGRAMS += tests/unit/yaml_test
TESTS += tests/unit/yaml_test
tests_unit_yaml_test_SOURCES = tests/unit/yaml_test.c tests/tap.h
tests_unit_yaml_test_LDADD = $(LIBTIMONIER_LIBS)

check_PROGRAMS += tests/fuzz/fuzz_json
tests_fuzz_fuzz_json_SOURCES = tests/fuzz/fuzz_json.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_json_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_json_LDADD = $(LIBTIMONIER_LIBS)
if !ENABLE_FUZZ
TESTS += tests/fuzz/fuzz_json
endif
EXTRA_DIST += tests/fuzz/corpus/json

check_PROGRAMS += tests/fuzz/fuzz_yaml
tests_fuzz_fuzz_yaml_SOURCES = tests/fuzz/fuzz_yaml.c $(FUZZ_DRIVER)
tests_fuzz_fuzz_yaml_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_yaml_LDADD = $(LIBTIMONIER_LIBS)
if !ENABLE_FUZZ
TESTS += tests/fuzz/fuzz_yaml
endif
EXTRA_DIST += tests/fuzz/corpus/yaml
