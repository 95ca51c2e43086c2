# Build, install and package the shipped pgha (README.md, "Install").
#
#   make                 the release binary (ocf/build-release: lean static libpq, static Swift runtime)
#   make man             doc/ocf_heartbeat_pgha.7 from the binary's meta-data (ocf/man/make-man)
#   make install         into $(DESTDIR)$(PREFIX); make uninstall removes the same files
#   make deb             dist/pgha_<version>_<arch>.deb with exactly what make install installs
#
# The version is the agent's own (`pgha meta-data`, MetaData.version): nothing here repeats it.

PREFIX ?= /usr
DESTDIR ?=
# Pacemaker looks for OCF agents of provider heartbeat here, whatever the prefix of the rest.
OCFDIR = $(PREFIX)/lib/ocf/resource.d/heartbeat
MAN7DIR = $(PREFIX)/share/man/man7
# pgha-admin (pgha status, --help, --version), which pgha execs; and pgha on the PATH for admins.
LIBDIR = $(PREFIX)/lib/pgha
SBINDIR = $(PREFIX)/sbin
DOCDIR = $(PREFIX)/share/doc/pgha

BIN = .build/release/pgha
ADMIN = .build/release/pgha-admin
MAN = doc/ocf_heartbeat_pgha.7
EXAMPLES = ocf/examples/pgha.crm ocf/examples/pgha.pcs ocf/examples/postgresql.conf ocf/examples/pg_hba.conf
# swift build is incremental, but starting it costs seconds: run it only when a source changed.
SOURCES = Package.swift $(shell find Sources -type f)
STAGE = .build/deb-root

all: $(BIN)

# swift build leaves the binary untouched when its objects did not change: touch it, or make would
# call it again each time.
$(BIN): $(SOURCES)
	ocf/build-release
	touch $@

man: $(MAN)

$(MAN): $(BIN) ocf/man/make-man ocf/man/ocf_heartbeat_pgha.7.in
	ocf/man/make-man $(BIN) $@

install: $(BIN) $(MAN)
	install -d "$(DESTDIR)$(OCFDIR)" "$(DESTDIR)$(MAN7DIR)" "$(DESTDIR)$(DOCDIR)/examples" "$(DESTDIR)$(LIBDIR)" "$(DESTDIR)$(SBINDIR)"
	install -m 755 $(BIN) "$(DESTDIR)$(OCFDIR)/pgha"
	install -m 755 $(ADMIN) "$(DESTDIR)$(LIBDIR)/pgha-admin"
	ln -sf "$(OCFDIR)/pgha" "$(DESTDIR)$(SBINDIR)/pgha"
	gzip -9n <$(MAN) >"$(DESTDIR)$(MAN7DIR)/ocf_heartbeat_pgha.7.gz"
	chmod 644 "$(DESTDIR)$(MAN7DIR)/ocf_heartbeat_pgha.7.gz"
	install -m 644 README.md LICENSE "$(DESTDIR)$(DOCDIR)/"
	install -m 644 LICENSE "$(DESTDIR)$(DOCDIR)/copyright"
	install -m 644 $(EXAMPLES) "$(DESTDIR)$(DOCDIR)/examples/"

# The OCF and man directories are shared with other packages (resource-agents): only our files go.
uninstall:
	rm -f "$(DESTDIR)$(OCFDIR)/pgha" "$(DESTDIR)$(MAN7DIR)/ocf_heartbeat_pgha.7.gz" "$(DESTDIR)$(SBINDIR)/pgha"
	rm -rf "$(DESTDIR)$(LIBDIR)"
	rm -rf "$(DESTDIR)$(DOCDIR)"

deb: $(BIN) $(MAN)
	rm -rf $(STAGE)
	$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/$(STAGE) PREFIX=/usr
	ocf/package/make-deb $(STAGE) dist

.PHONY: all man install uninstall deb
