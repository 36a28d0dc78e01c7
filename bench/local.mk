# SPDX-License-Identifier: Apache-2.0
# Benchmarks: built by `make`, never run by `make check` (bench/README.md).
EXTRA_DIST += bench/README.md

noinst_PROGRAMS += bench/bench_json
bench_bench_json_SOURCES = bench/bench_json.c
bench_bench_json_LDADD = $(LIBTIMONIER_LIBS)
