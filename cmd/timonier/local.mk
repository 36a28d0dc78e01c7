# SPDX-License-Identifier: Apache-2.0
bin_PROGRAMS += cmd/timonier/timonier
cmd_timonier_timonier_SOURCES = \
	cmd/timonier/main.c cmd/timonier/commands.h \
	cmd/timonier/version.c
cmd_timonier_timonier_LDADD = $(LIBTIMONIER_LIBS)
