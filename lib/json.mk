# SPDX-License-Identifier: Apache-2.0
# JSON object tree (yajl) and YAML into the same tree (libyaml).
lib_libtimonier_a_SOURCES += \
	lib/json.c lib/json.h \
	lib/yaml.c lib/yaml.h

check_PROGRAMS += tests/unit/json_test
TESTS += tests/unit/json_test
tests_unit_json_test_SOURCES = tests/unit/json_test.c tests/tap.h
tests_unit_json_test_LDADD = $(LIBTIMONIER_LIBS)

check_PROGRAMS += tests/unit/yaml_test
TESTS += tests/unit/yaml_test
tests_unit_yaml_test_SOURCES = tests/unit/yaml_test.c tests/tap.h
tests_unit_yaml_test_LDADD = $(LIBTIMONIER_LIBS)
