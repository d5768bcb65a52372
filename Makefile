# SPDX-License-Identifier: GPL-2.0-or-later
# vfiokit: prepare a Linux host for VFIO PCI passthrough.

VERSION    := 0.1
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
DATADIR    ?= $(PREFIX)/share/vfiokit
DESTDIR    ?=
INITDIR    ?= /etc/init.d
UNITDIR    ?= $(PREFIX)/lib/systemd/system
PKG_CONFIG ?= pkg-config
CC         ?= cc
CFLAGS     ?= -O2 -g
LIBS_PC    := libkmod libpci blkid libconfig zlib
# Loaded with dlopen() where it is needed (src/modules/archive-dl.c): only
# its headers at build time.
DLOPEN_PC  := libarchive
# How missing packages get installed (":" to never install, as in an ebuild).
INSTALL_DEPS ?= tests/install-deps.sh
# Test tiers to run (tests/run): unit cases shell vm.
TIERS      ?=

PC_CFLAGS   = $(shell $(PKG_CONFIG) --cflags $(LIBS_PC) $(DLOPEN_PC) 2>/dev/null)
PC_LIBS     = $(shell $(PKG_CONFIG) --libs $(LIBS_PC) 2>/dev/null)
WARN       := -Wall -Wextra -Wshadow -Wformat=2 -Wno-unused-parameter
DEFS        = -D_GNU_SOURCE -DVERSION='"$(VERSION)"' -DPROFILES_DIR='"$(DATADIR)/profiles"'
ALL_CFLAGS  = -std=gnu11 $(DEFS) $(WARN) $(CFLAGS) $(PC_CFLAGS)

SRCS := $(sort $(wildcard src/*.c src/*/*.c))
OBJS := $(SRCS:src/%.c=build/%.o)
LIB_SRCS := $(filter-out src/main.c src/cmd-%.c,$(SRCS))

.PHONY: all check check-fast demo install clean deps

all: vfiokit

vfiokit: $(OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(PC_LIBS)

build/%.o: src/%.c | deps-build
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

-include $(OBJS:.o=.d)

# The libraries must be there before anything compiles; install them if not.
deps-build:
	@$(PKG_CONFIG) --exists $(LIBS_PC) $(DLOPEN_PC) 2>/dev/null || $(INSTALL_DEPS) build
.PHONY: deps-build

# Sanitizer builds of the same sources, for the test suite (see tests/run):
# the program, and one unit-test binary per tests/unit/test-*.c.
ASAN_CFLAGS = -std=gnu11 $(DEFS) $(WARN) -O1 -g -fsanitize=address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=undefined $(PC_CFLAGS)
HDRS := $(wildcard src/*.h src/*/*.h)
UNIT_BINS := $(addprefix build-asan/,$(basename $(notdir \
	$(wildcard tests/unit/test-*.c tests/real/test-*.c))))

build-asan/vfiokit: $(SRCS) $(HDRS) | deps-build
	@mkdir -p build-asan
	$(CC) $(ASAN_CFLAGS) -o $@ $(SRCS) $(PC_LIBS)

# Unit tests (tests/unit) and the C parts of the real-tree tests (tests/real).
vpath test-%.c tests/unit tests/real
build-asan/test-%: test-%.c $(LIB_SRCS) $(HDRS) | deps-build
	@mkdir -p build-asan
	$(CC) $(ASAN_CFLAGS) -Isrc -o $@ $< $(LIB_SRCS) $(PC_LIBS) \
		$(shell $(PKG_CONFIG) --cflags --libs cmocka)

# libFuzzer targets (tests/fuzz/fuzz-*.c), built with clang: the library
# sources once into build-fuzz/, then one binary per target.
# tests/shell/fuzz.sh runs them; `make fuzz FUZZ_SECONDS=600` runs each longer.
CLANG       ?= clang
FUZZ_SECONDS ?= 15
FUZZ_CFLAGS  = -std=gnu11 $(DEFS) -g -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined $(PC_CFLAGS)
FUZZ_OBJS   := $(LIB_SRCS:src/%.c=build-fuzz/obj/%.o)
FUZZ_BINS   := $(addprefix build-fuzz/,$(basename $(notdir $(wildcard tests/fuzz/fuzz-*.c))))
build-fuzz/obj/%.o: src/%.c $(HDRS) | deps-build
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
build-fuzz/fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/fuzz.h $(FUZZ_OBJS)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Isrc -o $@ $< $(FUZZ_OBJS) $(PC_LIBS)
fuzz-build: $(FUZZ_BINS)
fuzz: fuzz-build
	@VFIOKIT_FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/shell/fuzz.sh
.PHONY: fuzz-build fuzz

test-binaries: build-asan/vfiokit $(UNIT_BINS)
.PHONY: test-binaries

check: vfiokit
	@$(INSTALL_DEPS) test
	@$(MAKE) --no-print-directory test-binaries
	@tests/run $(TIERS)

demo: vfiokit
	@$(INSTALL_DEPS) demo
	@tests/demo.sh

install: vfiokit
	install -Dm755 vfiokit $(DESTDIR)$(SBINDIR)/vfiokit
	install -Dm644 docs/vfiokit.8 $(DESTDIR)$(MANDIR)/man8/vfiokit.8
	install -Dm644 docs/vfiokit.conf.5 $(DESTDIR)$(MANDIR)/man5/vfiokit.conf.5
	install -Dm644 docs/vfiokit.conf.example $(DESTDIR)$(DATADIR)/vfiokit.conf.example
	install -d $(DESTDIR)$(DATADIR)/profiles
	install -m644 profiles/*.config profiles/profiles.conf $(DESTDIR)$(DATADIR)/profiles/
	install -Dm755 init/vfiokit-verify.openrc $(DESTDIR)$(INITDIR)/vfiokit-verify
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/sbin/vfiokit|$(SBINDIR)/vfiokit|' init/vfiokit-verify.service \
		>$(DESTDIR)$(UNITDIR)/vfiokit-verify.service
	chmod 644 $(DESTDIR)$(UNITDIR)/vfiokit-verify.service

clean:
	rm -rf build build-asan build-fuzz vfiokit
