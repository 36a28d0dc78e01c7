# SPDX-License-Identifier: Apache-2.0
# JSON object tree (yajl) and YAML into the same tree (libyaml).
lib_libtimonier_a_SOURCES += \
	lib/json.c lib/json.h
