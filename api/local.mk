# SPDX-License-Identifier: Apache-2.0
# The API schema (doc/api-schema.md): api/schema/*.yaml is the source,
# api/generated/schema_tables.c is generated from it and committed.
noinst_LIBRARIES += api/libtimonier-api.a
api_libtimonier_api_a_SOURCES = \
	api/schema.c api/schema.h \
	api/generated/schema_tables.c

# Listed one by one: a directory named api/schema beside api/schema.c
# would make make(1) try to build it from the C file.
EXTRA_DIST += \
	api/schema/apps-v1.overlay.yaml \
	api/schema/apps-v1.yaml \
	api/schema/autoscaling-v1.overlay.yaml \
	api/schema/autoscaling-v1.yaml \
	api/schema/autoscaling-v2.overlay.yaml \
	api/schema/autoscaling-v2.yaml \
	api/schema/batch-v1.overlay.yaml \
	api/schema/batch-v1.yaml \
	api/schema/coordination-v1.overlay.yaml \
	api/schema/coordination-v1.yaml \
	api/schema/core-v1.overlay.yaml \
	api/schema/core-v1.yaml \
	api/schema/discovery-v1.overlay.yaml \
	api/schema/discovery-v1.yaml \
	api/schema/events-v1.overlay.yaml \
	api/schema/events-v1.yaml \
	api/schema/meta-v1.overlay.yaml \
	api/schema/meta-v1.yaml \
	api/schema/networking-v1.overlay.yaml \
	api/schema/networking-v1.yaml \
	api/schema/node-v1.overlay.yaml \
	api/schema/node-v1.yaml \
	api/schema/policy-v1.overlay.yaml \
	api/schema/policy-v1.yaml \
	api/schema/rbac-v1.overlay.yaml \
	api/schema/rbac-v1.yaml \
	api/schema/scheduling-v1.overlay.yaml \
	api/schema/scheduling-v1.yaml \
	api/schema/storage-v1.overlay.yaml \
	api/schema/storage-v1.yaml \
	api/tools/import-openapi.py api/tools/gen-c.py api/tools/gen-openapi.py \
	api/generated/openapi-v3

check_PROGRAMS += tests/unit/schema_test
TESTS += tests/unit/schema_test
tests_unit_schema_test_SOURCES = tests/unit/schema_test.c tests/tap.h
tests_unit_schema_test_LDADD = api/libtimonier-api.a $(LIBTIMONIER_LIBS)

# Regenerate the C tables and OpenAPI components from the schema (run after
# editing api/schema/; the import from upstream is separate, see the doc).
API_PY3 = python3
API_GEN_C = $(API_PY3) $(abs_top_srcdir)/api/tools/gen-c.py \
	--schema-dir $(abs_top_srcdir)/api/schema
API_GEN_OPENAPI = $(API_PY3) $(abs_top_srcdir)/api/tools/gen-openapi.py \
	--schema-dir $(abs_top_srcdir)/api/schema
generate-api:
	$(API_GEN_C) --out $(abs_top_srcdir)/api/generated/schema_tables.c
	rm -rf $(abs_top_srcdir)/api/generated/openapi-v3
	$(API_GEN_OPENAPI) --out-dir $(abs_top_srcdir)/api/generated/openapi-v3

# Fail if the committed generated files are not what the schema yields.
check-generated:
	@tmp=`mktemp -d` && trap 'rm -rf "$$tmp"' EXIT && \
	  $(API_GEN_C) --out "$$tmp/schema_tables.c" && \
	  $(API_GEN_OPENAPI) --out-dir "$$tmp/openapi-v3" && \
	  if diff -u $(abs_top_srcdir)/api/generated/schema_tables.c "$$tmp/schema_tables.c" >"$$tmp/diff" && \
	     diff -r $(abs_top_srcdir)/api/generated/openapi-v3 "$$tmp/openapi-v3" >>"$$tmp/diff"; then \
	    echo "generated: api/generated is up to date"; \
	  else \
	    head -c 4000 "$$tmp/diff"; echo; \
	    echo "generated files differ from api/schema: run 'make generate-api' and commit"; \
	    exit 1; \
	  fi
.PHONY: generate-api check-generated
