# trace-tools - small Unix filters for comparing execution traces.
#
# make            build bin/trace-* (checks the Debian build packages first)
# make demo       build and run the example analysis on examples/xenia
# make check      build and run the whole test suite
# make bench      build and run the benchmarks (docs/PERFORMANCE.md)
# make install    install tools, man pages and examples under $(DESTDIR)$(PREFIX)
# make dist       write the release tarball trace-tools-$(VERSION).tar.gz
# make distcheck  build and test that tarball, unpacked in a temporary directory

# The one place the version is written is the file VERSION; every tool's
# --version, the tarball's name, debian/changelog, NEWS.md and the man
# pages' dates follow it (tests/package.bats checks that they agree).
VERSION	!= cat VERSION
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
COMPDIR	?= $(PREFIX)/share/bash-completion/completions

CC	?= cc
CFLAGS	?= -O3 -g
WARN	= -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	  -Wno-unused-function
ALL_CPPFLAGS = -D_GNU_SOURCE -Icommon -DTRACE_TOOLS_VERSION=\"$(VERSION)\" \
	  $(CPPFLAGS)
ALL_CFLAGS = -std=c11 $(WARN) $(CFLAGS)
LDLIBS	= -lcsv -lzstd -lz -lpcre2-8 -lpthread

TOOLS	= trace-normalize trace-key trace-hist trace-join trace-report \
	  trace-diverge
BINS	= $(TOOLS:%=bin/%)

COMMON_SRC = $(wildcard common/*.c)
COMMON_OBJ = $(COMMON_SRC:.c=.o)
COMMON_HDR = $(wildcard common/*.h)
LIB	= common/libtrace.a

NORMALIZE_OBJ = $(patsubst %.c,%.o,$(wildcard src/trace-normalize/*.c))
REPORT_OBJ = $(patsubst %.c,%.o,$(wildcard src/trace-report/*.c))
DIVERGE_OBJ = $(patsubst %.c,%.o,$(wildcard src/trace-diverge/*.c))

# Debian packages, by purpose.
BUILD_PKGS = gcc make libc6-dev libcsv-dev libjsmn-dev zlib1g-dev libzstd-dev \
	     libpcre2-dev
CHECK_PKGS = bats bats-assert bats-support jq python3 gzip zstd mandoc parallel valgrind \
	     strace gawk gdb
BENCH_PKGS = time jq miller datamash python3 gzip zstd valgrind libyajl-dev \
	     libjson-c-dev libjansson-dev libcjson-dev

all: $(BINS)

.PHONY: all deps-build deps-check demo check check-asan check-valgrind \
	fuzz test install uninstall clean bench dist distcheck

# Every compile waits for the package check (order-only: it never forces a
# rebuild), so that make -j does not compile before the headers are there.
%.o: %.c $(COMMON_HDR) | deps-build
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

src/trace-normalize/%.o: src/trace-normalize/%.c src/trace-normalize/normalize.h $(COMMON_HDR) | deps-build
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# --version prints the version compiled into opt.o.
common/opt.o: VERSION

$(LIB): $(COMMON_OBJ)
	rm -f $@
	$(AR) rcs $@ $(COMMON_OBJ)

bin/trace-normalize: $(NORMALIZE_OBJ) $(LIB)
	@mkdir -p bin
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(NORMALIZE_OBJ) $(LIB) $(LDLIBS)

src/trace-report/%.o: src/trace-report/%.c src/trace-report/report.h $(COMMON_HDR) | deps-build
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

bin/trace-report: $(REPORT_OBJ) $(LIB)
	@mkdir -p bin
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(REPORT_OBJ) $(LIB) $(LDLIBS)

src/trace-diverge/%.o: src/trace-diverge/%.c src/trace-diverge/diverge.h $(COMMON_HDR) | deps-build
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

bin/trace-diverge: $(DIVERGE_OBJ) $(LIB)
	@mkdir -p bin
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(DIVERGE_OBJ) $(LIB) $(LDLIBS)

bin/%: src/%.c $(LIB) $(COMMON_HDR) | deps-build
	@mkdir -p bin
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# Install missing Debian packages when root with apt-get, else say what
# to install.  Silent when everything is there (or not on Debian).
deps-build:
	@sh tests/need-pkgs.sh build $(BUILD_PKGS)

deps-check:
	@sh tests/need-pkgs.sh test $(CHECK_PKGS)

demo: all
	@sh examples/demo.sh

FUZZ_TARGETS = json csv tsv num tally
FUZZ_REPLAY = $(FUZZ_TARGETS:%=tests/fuzz/replay-%)
FUZZ_SECONDS ?= 60

check: all deps-check tests/unit/test-common $(FUZZ_REPLAY)
	@sh tests/run.sh

# The whole suite again, built with AddressSanitizer and UBSan, in a copy
# of the tree (.asan/) so that bin/ keeps the normal build.
ASAN_FLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	     -fno-sanitize-recover=all
check-asan: deps-build deps-check
	rm -rf .asan && mkdir .asan
	tar -cf - --exclude='*.o' --exclude='*.a' --exclude=tests/fuzz/build \
	    --exclude='tests/fuzz/replay-*[!c]' --exclude=tests/unit/test-common \
	    Makefile VERSION NEWS.md README.md debian common src tests man \
	    examples | tar -xf - -C .asan
	$(MAKE) -C .asan CFLAGS="$(ASAN_FLAGS)" LDFLAGS="$(ASAN_FLAGS)" \
	    all tests/unit/test-common $(FUZZ_REPLAY)
	cd .asan && TRACE_TOOLS_SANITIZED=1 \
	    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    SEED_DIFF="$(CURDIR)/../shared/seed/diff.py" sh tests/run.sh

# A valgrind run of the demo pipeline: no errors, no definite leaks.
check-valgrind: all
	@sh tests/valgrind.sh

# Coverage-guided fuzzing with libFuzzer (clang-14, libclang-rt-14-dev):
# each target runs FUZZ_SECONDS, starting from the committed corpus; new
# inputs go to tests/fuzz/build/ (copy the interesting ones into the
# corpus, and crashes into tests/fuzz/corpus/TARGET/ as regressions).
fuzz:
	@sh tests/need-pkgs.sh fuzz clang-14 libclang-rt-14-dev
	mkdir -p tests/fuzz/build
	for t in $(FUZZ_TARGETS); do \
	    clang-14 -g -O1 -fsanitize=fuzzer,address,undefined \
	        -fno-sanitize-recover=all $(ALL_CPPFLAGS) -Itests/fuzz \
	        -o tests/fuzz/build/fuzz-$$t tests/fuzz/fuzz-$$t.c \
	        $(COMMON_SRC) $(LDLIBS) || exit 2; \
	    mkdir -p tests/fuzz/build/corpus-$$t; \
	    tests/fuzz/build/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) \
	        -max_len=4096 tests/fuzz/build/corpus-$$t \
	        tests/fuzz/corpus/$$t || exit 1; \
	done

tests/fuzz/replay-%: tests/fuzz/fuzz-%.c tests/fuzz/replay.c tests/fuzz/fuzz.h $(LIB)
	$(CC) $(ALL_CPPFLAGS) -Itests/fuzz $(ALL_CFLAGS) $(LDFLAGS) -o $@ \
	    tests/fuzz/fuzz-$*.c tests/fuzz/replay.c $(LIB) $(LDLIBS)

test: check

# make bench [BENCH_ARGS='--quick --events N']: see docs/PERFORMANCE.md.
# Peers that cannot be installed are skipped.
bench: all
	@sh tests/need-pkgs.sh bench $(BENCH_PKGS) || true
	@bash bench/run.sh $(BENCH_ARGS)

# The examples go to $(PREFIX)/share/trace-tools/examples: schemas,
# normalizers, scripts, their READMEs and programs; not the captures and
# traces of their data/ folders, nor demo.sh, which runs the tools of a
# checkout.  The folder is replaced whole, so that it holds exactly this
# release's files.
install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	cp $(BINS) $(DESTDIR)$(BINDIR)/
	for t in $(TOOLS); do cp man/$$t.1 $(DESTDIR)$(MANDIR)/man1/; done
	cp man/trace-format.5 $(DESTDIR)$(MANDIR)/man5/
	cp man/trace-tools.7 $(DESTDIR)$(MANDIR)/man7/
	mkdir -p $(DESTDIR)$(COMPDIR)
	for t in $(TOOLS); do \
	    cp src/trace-tools.bash-completion $(DESTDIR)$(COMPDIR)/$$t; done
	rm -rf $(DESTDIR)$(PREFIX)/share/trace-tools/examples
	mkdir -p $(DESTDIR)$(PREFIX)/share/trace-tools/examples
	find examples \( -name data -o -name __pycache__ \) -prune -o \
	    -type f ! -path examples/demo.sh -print | while IFS= read -r f; do \
	    d="$(DESTDIR)$(PREFIX)/share/trace-tools/$$f" && \
	    mkdir -p "$${d%/*}" && cp "$$f" "$$d" || exit 1; done

uninstall:
	for t in $(TOOLS); do rm -f $(DESTDIR)$(BINDIR)/$$t \
	    $(DESTDIR)$(MANDIR)/man1/$$t.1 $(DESTDIR)$(COMPDIR)/$$t; done
	rm -f $(DESTDIR)$(MANDIR)/man5/trace-format.5 \
	    $(DESTDIR)$(MANDIR)/man7/trace-tools.7
	rm -rf $(DESTDIR)$(PREFIX)/share/trace-tools/examples
	rmdir $(DESTDIR)$(PREFIX)/share/trace-tools 2>/dev/null || :

# make dist: the release tarball.  It holds the files git tracks (in an
# unpacked tarball, the ones its MANIFEST lists), less git's and CI's own
# files, under trace-tools-$(VERSION)/ with a MANIFEST of them: sources,
# man pages, tests and their data, examples and their data, debian/,
# docs/ and the bench scripts; never build outputs or bench/out/, which
# git does not track.
DIST	= trace-tools-$(VERSION)

dist:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	if [ -e .git ]; then git ls-files > "$$tmp/all"; \
	else cat MANIFEST > "$$tmp/all"; fi; \
	grep -v -e '^\.ci/' -e '^\.gitignore$$' -e '/\.gitignore$$' \
	    -e '^MANIFEST$$' -e '^bench/out/' "$$tmp/all" > "$$tmp/files"; \
	tar -cf "$$tmp/files.tar" -T "$$tmp/files"; \
	mkdir "$$tmp/$(DIST)"; tar -xf "$$tmp/files.tar" -C "$$tmp/$(DIST)"; \
	{ cat "$$tmp/files"; echo MANIFEST; } | LC_ALL=C sort \
	    > "$$tmp/$(DIST)/MANIFEST"; \
	tar -C "$$tmp" --sort=name --owner=0 --group=0 --numeric-owner \
	    -cf "$$tmp/dist.tar" $(DIST); \
	gzip -9n < "$$tmp/dist.tar" > $(DIST).tar.gz.tmp; \
	mv $(DIST).tar.gz.tmp $(DIST).tar.gz; \
	echo "$(DIST).tar.gz: $$(wc -l < "$$tmp/$(DIST)/MANIFEST") files"

# make distcheck: the tarball unpacked in a temporary directory (named
# first, and kept when a step fails) builds, passes make check, and makes
# the same tarball again.
distcheck: dist
	@set -e; tmp=$$(mktemp -d); d="$$tmp/$(DIST)"; \
	echo "distcheck: in $$d"; \
	tar -xzf $(DIST).tar.gz -C "$$tmp"; \
	$(MAKE) -C "$$d" all; \
	SEED_DIFF="$${SEED_DIFF:-$(CURDIR)/../shared/seed/diff.py}" \
	    $(MAKE) -C "$$d" check; \
	$(MAKE) -C "$$d" dist; \
	tar -tzf $(DIST).tar.gz | LC_ALL=C sort > "$$tmp/want"; \
	tar -tzf "$$d/$(DIST).tar.gz" | LC_ALL=C sort > "$$tmp/got"; \
	cmp -s "$$tmp/want" "$$tmp/got" || { \
	    echo "distcheck: make dist in the tarball lists other files" >&2; \
	    exit 1; }; \
	rm -rf "$$tmp"; \
	echo "distcheck: $(DIST).tar.gz builds and passes make check"

clean:
	rm -f common/*.o src/*.o src/*/*.o $(LIB) $(BINS) \
	    tests/unit/test-common $(FUZZ_REPLAY)
	rm -rf .asan tests/fuzz/build

tests/unit/test-common: tests/unit/test-common.c $(LIB) $(COMMON_HDR)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)
