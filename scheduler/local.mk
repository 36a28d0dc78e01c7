# SPDX-License-Identifier: Apache-2.0
# The scheduler: framework and plug-ins (pure logic) in a library, the
# daemon's I/O in main.c.
noinst_LIBRARIES += scheduler/libscheduler.a
scheduler_libscheduler_a_SOURCES = \
	scheduler/snapshot.h scheduler/snapshot.c \
	scheduler/framework.h scheduler/framework.c \
	scheduler/queue.h scheduler/queue.c \
	scheduler/configfile.h scheduler/configfile.c \
	scheduler/plugins/plugins.h scheduler/plugins/registry.c \
	scheduler/plugins/resourcescore.h scheduler/plugins/resourcescore.c \
	scheduler/plugins/nodeunschedulable.c \
	scheduler/plugins/nodename.c \
	scheduler/plugins/tainttoleration.c \
	scheduler/plugins/nodeaffinity.c \
	scheduler/plugins/nodeports.c \
	scheduler/plugins/noderesources.c \
	scheduler/plugins/balancedallocation.c \
	scheduler/plugins/interpodaffinity.c \
	scheduler/plugins/podtopologyspread.c \
	scheduler/plugins/defaultpreemption.c \
	scheduler/plugins/defaultbinder.c
LIBSCHEDULER_LIBS = scheduler/libscheduler.a $(LIBTIMONIER_LIBS) -lm

sched_unit_tests = \
	tests/unit/sched_framework_test \
	tests/unit/sched_noderesources_test \
	tests/unit/sched_nodeaffinity_test \
	tests/unit/sched_tainttoleration_test \
	tests/unit/sched_nodeports_test \
	tests/unit/sched_nodename_test \
	tests/unit/sched_interpodaffinity_test \
	tests/unit/sched_podtopologyspread_test \
	tests/unit/sched_queue_test \
	tests/unit/sched_config_test
check_PROGRAMS += $(sched_unit_tests)
TESTS += $(sched_unit_tests)
EXTRA_DIST += tests/unit/sched_helpers.h
tests_unit_sched_framework_test_LDADD = $(LIBSCHEDULER_LIBS)
tests_unit_sched_noderesources_test_LDADD = $(LIBSCHEDULER_LIBS)
tests_unit_sched_nodeaffinity_test_LDADD = $(LIBSCHEDULER_LIBS)
tests_unit_sched_tainttoleration_test_LDADD = $(LIBSCHEDULER_LIBS)
tests_unit_sched_nodeports_test_LDADD = $(LIBSCHEDULER_LIBS)
tests_unit_sched_nodename_test_LDADD = $(LIBSCHEDULER_LIBS)
tests_unit_sched_interpodaffinity_test_LDADD = $(LIBSCHEDULER_LIBS)
tests_unit_sched_queue_test_LDADD = $(LIBSCHEDULER_LIBS)
tests_unit_sched_config_test_LDADD = $(LIBSCHEDULER_LIBS)
tests_unit_sched_podtopologyspread_test_LDADD = $(LIBSCHEDULER_LIBS)

sbin_PROGRAMS += scheduler/timonier-scheduler
scheduler_timonier_scheduler_SOURCES = scheduler/main.c scheduler/health.h scheduler/health.c
scheduler_timonier_scheduler_CPPFLAGS = $(AM_CPPFLAGS) $(MHD_CFLAGS)
scheduler_timonier_scheduler_LDADD = $(LIBSCHEDULER_LIBS) $(MHD_LIBS)

TESTS += tests/integration/scheduler.sh
EXTRA_DIST += tests/integration/scheduler.sh

# Declared here rather than in bench/local.mk, which another area owns.
noinst_PROGRAMS += bench/bench_scheduler
bench_bench_scheduler_SOURCES = bench/bench_scheduler.c
bench_bench_scheduler_LDADD = $(LIBTIMONIER_LIBS) -lm

dist_man8_MANS += man/timonier-scheduler.8
