# SPDX-License-Identifier: Apache-2.0
# The Job controller (doc/controllers.md).
controllers_libtimonier_controllers_a_SOURCES += \
	controllers/job.h \
	controllers/job_logic.c \
	controllers/job.c \
	controllers/cronjob.h \
	controllers/cronjob_logic.c \
	controllers/cronjob.c

check_PROGRAMS += tests/unit/job_test
TESTS += tests/unit/job_test
tests_unit_job_test_SOURCES = tests/unit/job_test.c tests/tap.h
tests_unit_job_test_LDADD = $(LIBTIMONIER_CONTROLLERS_LIBS)

check_PROGRAMS += tests/unit/cronjob_test
TESTS += tests/unit/cronjob_test
tests_unit_cronjob_test_SOURCES = tests/unit/cronjob_test.c tests/tap.h
tests_unit_cronjob_test_LDADD = $(LIBTIMONIER_CONTROLLERS_LIBS)

TESTS += tests/integration/jobs.sh
EXTRA_DIST += tests/integration/jobs.sh
