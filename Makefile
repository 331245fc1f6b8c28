# vessel - an OCI container runtime.
#
#   make            build ./vessel
#   make check      install test deps if missing, build, run every suite
#   make asan       build with ASan+UBSan (SANITIZE=address,undefined)
#   make fuzz       build the libFuzzer targets tests/fuzz/fuzz-*.c (clang)
#   make install    PREFIX=/usr/local DESTDIR=
#   make deps       apt-get install what the build and the tests need
#
# Sources are found by wildcard, so a new file in a module folder needs no
# Makefile change.  BUILDDIR keeps objects apart (parallel trees, sanitizer
# builds).

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/sbin
MANDIR  ?= $(PREFIX)/share/man
BUILDDIR ?= build

VERSION := 0.1.0
COMMIT  := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

# Linked: what most commands need (nettle only for sha256, it is small and
# needs no initialisation), from their static archives (Debian's -dev
# packages ship them; yajl's is libyajl_s.a).  Every exec of vessel pays
# ld.so's mapping and relocation of each shared object it needs, and
# create, run and exec exec twice (runtime/exeseal): linked statically,
# vessel needs only libc (bench/NOTES.md, "The re-exec's cost").
# LAZY_PKGS are not linked into vessel: runtime/image dlopen()s them at
# first use, so the commands that never import an image do not load them
# and their dependencies (libarchive pulls in libxml2, ICU, libstdc++,
# zstd, lzma, ...).  Their cflags are used as usual; their sonames come
# from $(SONAMES_H).  A library added here that has no archive goes after
# -Bdynamic.
PKGS    := libseccomp libcap yajl nettle
LAZY_PKGS := libarchive
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) $(LAZY_PKGS) 2>/dev/null)
PKG_LIBS   := -Wl,-Bstatic -lseccomp -lcap -lyajl_s -lnettle -Wl,-Bdynamic
LAZY_LIBS  := $(shell pkg-config --libs $(LAZY_PKGS) 2>/dev/null || echo -larchive)
SONAMES_H  := $(BUILDDIR)/gen/vessel-sonames.h

CC      ?= cc
WARN    := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes \
           -Wstrict-prototypes -Wno-unused-parameter -Wvla -Wimplicit-fallthrough
# clang counts a vprintf-style wrapper's own format argument as non-literal
# (gcc does not); the wrappers' callers are checked through their
# format attributes.
ifneq ($(findstring clang,$(CC)),)
WARN    += -Wno-format-nonliteral
endif
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 $(WARN) -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 \
           -fstack-protector-strong -fno-strict-aliasing -I. -I$(BUILDDIR)/gen $(PKG_CFLAGS) \
           -DVESSEL_VERSION='"$(VERSION)"' -DVESSEL_COMMIT='"$(COMMIT)"'
LDLIBS  += $(PKG_LIBS)
# A library the code no longer calls must not stay loaded by every command.
# No libm: lib/fmath.c has the little the cpu.shares map needs.
LDFLAGS += -Wl,--as-needed

# `make weak`: build-weak/vessel, whose protections tests/security can switch
# off one at a time through VESSEL_TEST_WEAKEN (lib/weaken.h).  Never
# installed; the normal build compiles the switches out.
ifneq ($(WEAKEN),)
CFLAGS  += -DVESSEL_TEST_WEAKEN
endif

# A sanitizer report is always fatal: UBSan would otherwise print and go on,
# and a fuzzer or a test would not see it fail.
ifneq ($(SANITIZE),)
CFLAGS  += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer -O1
LDFLAGS += -fsanitize=$(SANITIZE)
endif

LIB_SRCS := $(wildcard lib/*.c oci/*.c runtime/*/*.c)
CMD_SRCS := $(wildcard cmd/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILDDIR)/%.o)
CMD_OBJS := $(CMD_SRCS:%.c=$(BUILDDIR)/%.o)
DEPS     := $(LIB_OBJS:.o=.d) $(CMD_OBJS:.o=.d)

UNIT_SRCS := $(wildcard tests/unit/test-*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILDDIR)/tests/%)
# test-image writes its layer tars with libarchive directly; test-fmath
# checks lib/fmath.c against libm.
UNIT_LDLIBS := $(LAZY_LIBS) -lm

FUZZ_SRCS := $(wildcard tests/fuzz/fuzz-*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILDDIR)/fuzz/%)
FUZZ_CC   ?= clang-14

.PHONY: all check unit integration asan weak fuzz fuzz-bins install deps clean format lint images helpers

all: vessel

vessel: $(BUILDDIR)/vessel
	@if [ "$(BUILDDIR)" = build ]; then cp -f $< $@; fi

$(BUILDDIR)/vessel: $(CMD_OBJS) $(BUILDDIR)/libvessel.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILDDIR)/libvessel.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

# The compiler and sanitizers a tree was built with: objects are rebuilt
# when they change (build-asan from an older gcc-built tree).
CC_STAMP := $(BUILDDIR)/gen/cc-stamp
$(CC_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(SANITIZE) $(WEAKEN)' | cmp -s - $@ || echo '$(CC) $(SANITIZE) $(WEAKEN)' >$@

.PHONY: FORCE

$(BUILDDIR)/%.o: %.c $(CC_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

# The sonames runtime/image dlopen()s: those the linker records when it
# links $(LAZY_LIBS) (a probe program's DT_NEEDED), i.e. the libraries this
# build was compiled against, not a version written down here.
$(SONAMES_H): Makefile
	@mkdir -p $(@D)
	printf 'int main(void) { return 0; }\n' >$(@D)/soname-probe.c
	$(CC) $(LDFLAGS) -Wl,--no-as-needed -o $(@D)/soname-probe $(@D)/soname-probe.c $(LAZY_LIBS)
	objdump -p $(@D)/soname-probe | awk '$$1 == "NEEDED" && $$2 ~ /^libarchive\.so/ { n++; \
		print "#define VS_SONAME_LIBARCHIVE \"" $$2 "\"" } \
		END { if (n != 1) { print "no libarchive soname in the probe" >"/dev/stderr"; exit 1 } }' >$@.tmp
	mv $@.tmp $@

$(BUILDDIR)/runtime/image/libarchive.o: $(SONAMES_H)
$(BUILDDIR)/runtime/criu/libarchive.o: $(SONAMES_H)

# profile.c embeds the default seccomp profile with .incbin, which -MMD
# cannot see.
$(BUILDDIR)/runtime/seccomp/profile.o: runtime/seccomp/default-profile.json

$(BUILDDIR)/tests/%: tests/unit/%.c tests/unit/tap.h $(BUILDDIR)/libvessel.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(BUILDDIR)/libvessel.a $(LDLIBS) $(UNIT_LDLIBS)

# clang, not gcc: gcc links ASan and UBSan as two runtimes with a report
# file each, and lib/sanitize.c can only redirect one of them.
asan:
	$(MAKE) BUILDDIR=build-asan CC=$(FUZZ_CC) SANITIZE=address,undefined build-asan/vessel

weak:
	$(MAKE) BUILDDIR=build-weak WEAKEN=1 build-weak/vessel

# build-fuzz/fuzz/fuzz-<target>: libvessel instrumented for libFuzzer's
# coverage and ASan+UBSan, each target linked with libFuzzer's main.
# tests/run-all runs them (suites fuzz/<target>) from tests/fuzz/corpus/.
fuzz:
	$(MAKE) BUILDDIR=build-fuzz CC=$(FUZZ_CC) SANITIZE=fuzzer-no-link,address,undefined fuzz-bins

fuzz-bins: $(FUZZ_BINS)

$(BUILDDIR)/fuzz/%: tests/fuzz/%.c $(BUILDDIR)/libvessel.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< $(BUILDDIR)/libvessel.a $(LDLIBS) $(UNIT_LDLIBS)

unit: $(UNIT_BINS)

helpers:
	$(MAKE) -C tests/helpers BUILDDIR=$(abspath $(BUILDDIR))/helpers

# The image's config.json comes from `vessel spec`, hence the binary first.
images: $(BUILDDIR)/vessel
	VESSEL=$(abspath $(BUILDDIR))/vessel images/build-busybox-image.sh $(abspath $(BUILDDIR))/images

# make check runs every suite through tests/run-all, which prints the one
# summary line CI reads (SUITES="integration/exec unit/" runs only those).
# Deps first, in a separate make, so a fresh machine gets the libraries
# before anything compiles (even under -j).
check: deps-check
	$(MAKE) all unit helpers images weak fuzz asan
	VESSEL=$(abspath $(BUILDDIR))/vessel BUILDDIR=$(abspath $(BUILDDIR)) tests/run-all $(SUITES)

# Runs one container from the embedded busybox image and shows its output.
demo: deps
	$(MAKE) all images
	scripts/demo $(abspath $(BUILDDIR))

deps:
	scripts/install-deps

deps-check:
	@scripts/install-deps --if-missing

.PHONY: demo deps-check

# Benchmarks against crun and runc (bench/bench.sh: installs them if missing,
# ~25 min, writes bench/results/<date>/report.md).  Not part of make check;
# bench-smoke (1 round, tiny N, no VM) is, through tests/integration/bench-smoke.bats.
bench: deps-check
	bench/bench.sh

bench-smoke: deps-check
	$(MAKE) $(BUILDDIR)/vessel
	VESSEL=$(abspath $(BUILDDIR))/vessel BUILDDIR=$(abspath $(BUILDDIR)) bench/bench.sh --smoke --out $(abspath $(BUILDDIR))/bench-smoke

# Live migration of a container, measured in the cgroup v2 VM
# (bench/migrate/migrate.sh: stop-copy, pre-copy, criu's lazy pages;
# ~20 min; writes bench/results/migrate/).  Optional: `BENCH_MIGRATE=1 make
# bench` adds it to the bench report.
bench-migrate: deps-check
	bench/migrate/migrate.sh

.PHONY: bench bench-smoke bench-migrate

install: vessel
	install -D -m 0755 vessel $(DESTDIR)$(BINDIR)/vessel
	install -d $(DESTDIR)$(MANDIR)/man8
	install -m 0644 man/*.8 $(DESTDIR)$(MANDIR)/man8/

format:
	clang-format -i $(LIB_SRCS) $(CMD_SRCS) $(wildcard */*.h */*/*.h) $(UNIT_SRCS)

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr -D_GNU_SOURCE -I. $(LIB_SRCS) $(CMD_SRCS)
	shellcheck -x tests/run-all scripts/* images/*.sh .ci/run

clean:
	rm -rf build build-asan build-weak build-fuzz vessel

-include $(DEPS)
