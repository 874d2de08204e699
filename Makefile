# cg-adopt: a plain Makefile.  Build output goes to build/, never next to
# the sources.  'make help' lists the targets.

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share

VERSION := 0.1
CC ?= cc
PKG_CONFIG ?= pkg-config
B := build

PKGS := lxc mount json-c
# liblxc is opened with dlopen() at run time (see tools/lib/container.c): its
# headers are needed, its library is not linked.
LINK_PKGS := mount json-c
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(LINK_PKGS)) -ldl
CMOCKA_CFLAGS = $(shell $(PKG_CONFIG) --cflags cmocka)
CMOCKA_LIBS = $(shell $(PKG_CONFIG) --libs cmocka)

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral \
	-Wmissing-prototypes -Wstrict-prototypes -Wvla
HARDEN := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=gnu11 -D_GNU_SOURCE -DCG_VERSION='"$(VERSION)"' $(WARN) $(HARDEN) \
	$(CFLAGS) $(PKG_CFLAGS) -Itools
ALL_LDFLAGS := -pie -Wl,-z,relro,-z,now $(LDFLAGS)

LIB_SRC := $(wildcard tools/lib/*.c)
TOOL_SRC := $(wildcard tools/*.c)
UNIT_SRC := $(wildcard tests/unit/test-*.c)
HOOK_SRC := $(wildcard hooks/*.c)
HOOK_BIN := $(HOOK_SRC:hooks/%.c=$(B)/hooks/%)

LIB_OBJ := $(LIB_SRC:%.c=$(B)/obj/%.o)
TOOL_OBJ := $(TOOL_SRC:%.c=$(B)/obj/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/unit/%)
ASAN_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/asan/%)

ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

.PHONY: FORCE all deps check check-unit check-integration check-v2 bench demo install \
	format format-check clean help

all: $(B)/cg-adopt $(HOOK_BIN) $(B)/cg-adopt.conf

help:
	@echo "make            build build/cg-adopt"
	@echo "make deps       install the Debian packages that are missing"
	@echo "make check      unit tests (plain and sanitized), then as root the integration"
	@echo "                tests and the pure cgroup v2 VM suite"
	@echo "make check-v2   only the pure cgroup v2 VM suite"
	@echo "make bench      cg-adopt exec against the shell recipe and a floor program"
	@echo "make demo       the repair, played on a throwaway user and container"
	@echo "make install    PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)"
	@echo "make format-check  check the formatting against .clang-format"

deps:
	@tests/deps.sh

$(B)/obj/%.o: %.c $(wildcard tools/*.h tools/lib/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libcgadopt.a: $(LIB_OBJ)
	@mkdir -p $(B)
	$(AR) rcs $@ $^

$(B)/cg-adopt: $(TOOL_OBJ) $(B)/libcgadopt.a
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(TOOL_OBJ) $(B)/libcgadopt.a $(PKG_LIBS)

$(B)/hooks/%: $(B)/obj/hooks/%.o $(B)/libcgadopt.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(B)/libcgadopt.a $(PKG_LIBS)

# The include file for container configs, pointing at where the hooks are
# installed; the tests write their own, pointing at build/hooks.
# Rebuilt whenever the install paths change, not only its source.
$(B)/paths.stamp: FORCE
	@mkdir -p $(B)
	@echo '$(LIBEXECDIR) $(DATADIR)' | cmp -s - $@ || echo '$(LIBEXECDIR) $(DATADIR)' > $@

$(B)/cg-adopt.conf: lxc-config/cg-adopt.conf.in $(B)/paths.stamp
	@mkdir -p $(B)
	sed -e 's|@HOOKDIR@|$(LIBEXECDIR)/cg-adopt|g' -e 's|@CONFFILE@|$(DATADIR)/cg-adopt/cg-adopt.conf|g' $< > $@

# Unit tests link the library; the sanitizer build has a library of its own,
# so that the library code is instrumented too.
ASAN_OBJ := $(LIB_SRC:%.c=$(B)/asan-obj/%.o)
ASAN_CFLAGS = $(filter-out -D_FORTIFY_SOURCE=2,$(ALL_CFLAGS)) -O1 $(ASAN_FLAGS)

$(B)/asan-obj/%.o: %.c $(wildcard tools/lib/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) -c -o $@ $<

$(B)/libcgadopt-asan.a: $(ASAN_OBJ)
	$(AR) rcs $@ $^

$(B)/unit/%: tests/unit/%.c $(B)/libcgadopt.a $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CMOCKA_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(B)/libcgadopt.a \
		$(PKG_LIBS) $(CMOCKA_LIBS)

$(B)/asan/%: tests/unit/%.c $(B)/libcgadopt-asan.a $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) $(CMOCKA_CFLAGS) -o $@ $< $(B)/libcgadopt-asan.a \
		$(PKG_LIBS) $(CMOCKA_LIBS)

check-unit: $(UNIT_BIN) $(ASAN_BIN)
	@tests/unit/run.sh $(UNIT_BIN) $(ASAN_BIN)

check-integration: all
	@tests/integration/run.sh

check-v2: all
	@tests/vm/run-v2.sh

check: all $(UNIT_BIN) $(ASAN_BIN)
	@tests/check.sh $(UNIT_BIN) $(ASAN_BIN)

bench: $(B)/cg-adopt
	@bench/run.sh

demo: all
	@tests/demo.sh

install: $(B)/cg-adopt $(HOOK_BIN) $(B)/cg-adopt.conf
	install -D -m 0755 $(B)/cg-adopt $(DESTDIR)$(BINDIR)/cg-adopt
	for h in $(HOOK_BIN); do \
		install -D -m 0755 $$h $(DESTDIR)$(LIBEXECDIR)/cg-adopt/$$(basename $$h) || exit 1; \
	done
	install -D -m 0644 $(B)/cg-adopt.conf $(DESTDIR)$(DATADIR)/cg-adopt/cg-adopt.conf
	install -D -m 0644 doc/cg-adopt.1 $(DESTDIR)$(MANDIR)/man1/cg-adopt.1

format:
	clang-format -i $(LIB_SRC) $(TOOL_SRC) $(HOOK_SRC) $(wildcard tools/*.h tools/lib/*.h)

format-check:
	@clang-format --dry-run --Werror $(LIB_SRC) $(TOOL_SRC) $(HOOK_SRC) $(wildcard tools/*.h tools/lib/*.h) \
		&& echo "format: ok"

clean:
	rm -rf $(B)

FORCE:

# Keep the objects of the hooks, which make would delete as intermediates.
.SECONDARY:
