# SPDX-License-Identifier: Apache-2.0
# The API schema (doc/api-schema.md): api/schema/*.yaml is the source,
# api/generated/schema_tables.c is generated from it and committed.
noinst_LIBRARIES += api/libtimonier-api.a
api_libtimonier_api_a_SOURCES = \
	api/schema.c api/schema.h \
	api/generated/schema_tables.c

EXTRA_DIST += api/schema api/tools

check_PROGRAMS += tests/unit/schema_test
TESTS += tests/unit/schema_test
tests_unit_schema_test_SOURCES = tests/unit/schema_test.c tests/tap.h
tests_unit_schema_test_LDADD = api/libtimonier-api.a $(LIBTIMONIER_LIBS)

# Regenerate the C tables from the schema (run after editing api/schema/).
API_PY3 = python3
API_GEN_C = $(API_PY3) $(abs_top_srcdir)/api/tools/gen-c.py \
	--schema-dir $(abs_top_srcdir)/api/schema
generate-api:
	$(API_GEN_C) --out $(abs_top_srcdir)/api/generated/schema_tables.c

# Fail if the committed generated files are not what the schema yields.
check-generated:
	@tmp=`mktemp -d` && trap 'rm -rf "$$tmp"' EXIT && \
	  $(API_GEN_C) --out "$$tmp/schema_tables.c" && \
	  if diff -u $(abs_top_srcdir)/api/generated/schema_tables.c "$$tmp/schema_tables.c" >"$$tmp/diff"; then \
	    echo "generated: api/generated/schema_tables.c is up to date"; \
	  else \
	    head -n 40 "$$tmp/diff"; \
	    echo "generated files differ from api/schema: run 'make generate-api' and commit"; \
	    exit 1; \
	  fi
.PHONY: generate-api check-generated
