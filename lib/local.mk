# SPDX-License-Identifier: Apache-2.0
noinst_LIBRARIES += lib/libtimonier.a
lib_libtimonier_a_SOURCES = \
	lib/cleanup.h \
	lib/util.c lib/util.h \
	lib/tmerror.c lib/tmerror.h \
	lib/log.c lib/log.h \
	lib/strbuf.c lib/strbuf.h \
	lib/base64.c lib/base64.h \
	lib/kubeconfig.c lib/kubeconfig.h
