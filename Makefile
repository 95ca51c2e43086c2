# Build, install and package the shipped pgha (README.md, "Install").
#
#   make                 the release binary (ocf/build-release: lean static libpq, static Swift runtime)
#   make man             doc/ocf_heartbeat_pgha.7 from the binary's meta-data, doc/pgha.8 from pgha-admin's
#                        options (ocf/man/make-man)
#   make install         into $(DESTDIR)$(PREFIX), the programs stripped; make uninstall removes the same files
#   make deb             dist/pgha_<version>_<arch>.deb with exactly what make install installs, and the
#                        programs' debug information beside it (dist/debug/, never in the package)
#
# The version is the agent's own (`pgha meta-data`, MetaData.version): nothing here repeats it.

PREFIX ?= /usr
DESTDIR ?=
# Pacemaker looks for OCF agents of provider heartbeat here, whatever the prefix of the rest.
OCFDIR = $(PREFIX)/lib/ocf/resource.d/heartbeat
MAN7DIR = $(PREFIX)/share/man/man7
MAN8DIR = $(PREFIX)/share/man/man8
# pgha-admin (pgha status, --help, --version), which pgha execs; and pgha on the PATH for admins.
LIBDIR = $(PREFIX)/lib/pgha
SBINDIR = $(PREFIX)/sbin
DOCDIR = $(PREFIX)/share/doc/pgha

BIN = .build/release/pgha
ADMIN = .build/release/pgha-admin
MAN = doc/ocf_heartbeat_pgha.7
ADMIN_MAN = doc/pgha.8
EXAMPLES = ocf/examples/pgha.crm ocf/examples/pgha.pcs ocf/examples/postgresql.conf ocf/examples/pg_hba.conf
# swift build is incremental, but starting it costs seconds: run it only when a source changed.
SOURCES = Package.swift $(shell find Sources -type f)
STAGE = .build/deb-root
STRIP ?= strip
OBJCOPY ?= objcopy

all: $(BIN)

# swift build leaves the binary untouched when its objects did not change: touch it, or make would
# call it again each time.
$(BIN): $(SOURCES)
	ocf/build-release
	touch $@

man: $(MAN) $(ADMIN_MAN)

$(MAN): $(BIN) ocf/man/make-man ocf/man/ocf_heartbeat_pgha.7.in
	ocf/man/make-man $(BIN) $@

$(ADMIN_MAN): $(BIN) ocf/man/make-man ocf/man/pgha.8.in
	ocf/man/make-man --admin $(ADMIN) $@

# The programs are installed stripped: a node needs neither their debug information nor their symbol
# table (a third of pgha, two fifths of pgha-admin). .build/release keeps the unstripped ones, and
# `make deb` their debug information. --remove-section=.note spares .note.gnu.build-id (another name),
# which ties a stripped program to its debug file.
# /usr/sbin/pgha points at the agent relatively (../lib/...): both live under $(PREFIX).
# The copyright file is machine-readable (ocf/package/copyright) and ends with LICENSE as the text of the
# PostgreSQL License, indented as a paragraph of that format.
install: $(BIN) $(MAN) $(ADMIN_MAN)
	install -d "$(DESTDIR)$(OCFDIR)" "$(DESTDIR)$(MAN7DIR)" "$(DESTDIR)$(MAN8DIR)" "$(DESTDIR)$(DOCDIR)/examples" "$(DESTDIR)$(LIBDIR)" "$(DESTDIR)$(SBINDIR)"
	install -m 755 $(BIN) "$(DESTDIR)$(OCFDIR)/pgha"
	install -m 755 $(ADMIN) "$(DESTDIR)$(LIBDIR)/pgha-admin"
	$(STRIP) --remove-section=.comment --remove-section=.note "$(DESTDIR)$(OCFDIR)/pgha" "$(DESTDIR)$(LIBDIR)/pgha-admin"
	ln -sfn ../lib/ocf/resource.d/heartbeat/pgha "$(DESTDIR)$(SBINDIR)/pgha"
	gzip -9n <$(MAN) >"$(DESTDIR)$(MAN7DIR)/ocf_heartbeat_pgha.7.gz"
	gzip -9n <$(ADMIN_MAN) >"$(DESTDIR)$(MAN8DIR)/pgha.8.gz"
	chmod 644 "$(DESTDIR)$(MAN7DIR)/ocf_heartbeat_pgha.7.gz" "$(DESTDIR)$(MAN8DIR)/pgha.8.gz"
	install -m 644 README.md "$(DESTDIR)$(DOCDIR)/"
	{ cat ocf/package/copyright; echo; echo "License: PostgreSQL"; sed -e 's/^$$/./' -e 's/^/ /' LICENSE; } \
	    >"$(DESTDIR)$(DOCDIR)/copyright"
	chmod 644 "$(DESTDIR)$(DOCDIR)/copyright"
	install -m 644 $(EXAMPLES) "$(DESTDIR)$(DOCDIR)/examples/"

# The OCF and man directories are shared with other packages (resource-agents): only our files go.
uninstall:
	rm -f "$(DESTDIR)$(OCFDIR)/pgha" "$(DESTDIR)$(MAN7DIR)/ocf_heartbeat_pgha.7.gz" "$(DESTDIR)$(MAN8DIR)/pgha.8.gz" \
	    "$(DESTDIR)$(SBINDIR)/pgha"
	rm -rf "$(DESTDIR)$(LIBDIR)"
	rm -rf "$(DESTDIR)$(DOCDIR)"

# The debug information of the packaged programs goes to dist/debug/ (gdb finds it by build ID, or with
# `symbol-file`), not into the package: nodes do not need it.
deb: $(BIN) $(MAN) $(ADMIN_MAN)
	rm -rf $(STAGE) dist/debug
	$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/$(STAGE) PREFIX=/usr
	ocf/package/make-deb $(STAGE) dist
	install -d dist/debug
	$(OBJCOPY) --only-keep-debug $(BIN) dist/debug/pgha.debug
	$(OBJCOPY) --only-keep-debug $(ADMIN) dist/debug/pgha-admin.debug
	chmod 644 dist/debug/pgha.debug dist/debug/pgha-admin.debug

.PHONY: all man install uninstall deb
