# SPDX-License-Identifier: Apache-2.0
# systemd units, with the install paths substituted at make time.
systemdsystemunit_DATA = dist/timonier-apiserver.service
EXTRA_DIST += dist/timonier-apiserver.service.in
CLEANFILES += dist/timonier-apiserver.service

dist/timonier-apiserver.service: $(top_srcdir)/dist/timonier-apiserver.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) dist && \
	$(SED) -e 's|@sbindir[@]|$(sbindir)|g' $< >$@.tmp && mv $@.tmp $@

TESTS += tests/integration/systemd.sh
EXTRA_DIST += tests/integration/systemd.sh
