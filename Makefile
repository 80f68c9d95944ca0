# vscpl2drv-websocksrv - build, run and test.
#
#   make build   library, standalone binary and header under build/
#   make run     build and serve the sample configuration on ws://localhost:8884
#   make test    everything: lint, Go tests (race), fuzz smoke, C host tests,
#                package tests (all architectures, reproducibility, installer)
#   make package       .deb and .rpm for amd64, arm64 and armhf, the Windows
#                      DLL/exe/installer, and SHA256SUMS, under build/dist
#   make package-linux the .deb and .rpm only (no Windows tools needed)
#   make package-test  build what this machine can and check it
#   make clean

GO          ?= go
CC          ?= gcc
NAME        := vscpl2drv-websocksrv
BUILD       := build
LIB         := $(BUILD)/lib$(NAME).so
BIN         := $(BUILD)/$(NAME)
HEADER      := capi/$(NAME).h
HOSTTEST    := $(BUILD)/host_test
WSHOSTTEST  := $(BUILD)/ws_host_test
EXAMPLE     := $(BUILD)/example_host
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
MD2MAN      := github.com/cpuguy83/go-md2man/v2@v2.0.7
FUZZTIME    ?= 50000x
CFLAGS_TEST := -std=c11 -O2 -Wall -Wextra -Werror -I capi

GOFILES := $(shell find . -name '*.go' -not -path './build/*')
CAPISRC := $(wildcard capi/*.go capi/*.h)

# Every shipped file is reproducible: one commit gives byte-identical
# libraries, binaries and packages wherever it is built. Paths are trimmed,
# no Go build id and no VCS stamp is embedded (a build from a source tarball
# equals one from git), and every time stamp is SOURCE_DATE_EPOCH, the last
# commit's time. The Linux binary is a PIE, like the rest of Debian, which
# also lets it share compiled packages with the c-shared library.
ifeq ($(origin SOURCE_DATE_EPOCH),undefined)
SOURCE_DATE_EPOCH := $(shell git log -1 --format=%ct 2>/dev/null)
endif
export SOURCE_DATE_EPOCH
GOBUILD := $(GO) build -trimpath -buildvcs=false -ldflags=-buildid=

.PHONY: all build run test lint gotest fuzz ctest check-exports bench bench-capi clean generate man \
	package package-linux package-windows package-test artifacts sums cross-test

all: build

build: $(LIB) $(BIN) $(BUILD)/$(NAME).h

$(LIB): $(GOFILES) $(CAPISRC) go.mod go.sum
	$(GOBUILD) -buildmode=c-shared -o $@ ./capi
	@rm -f $(BUILD)/lib$(NAME).h  # cgo's generated header is internal

$(BIN): $(GOFILES) go.mod go.sum
	$(GOBUILD) -buildmode=pie -o $@ ./cmd/$(NAME)

$(BUILD)/vscpl2drv-websocksrv.h: $(HEADER)
	@mkdir -p $(BUILD)
	cp $< $@

# Git does not keep file modes: the sample secrets are made private first so
# that the driver does not warn about them.
run: build
	chmod 600 configs/demo.key configs/users.json
	./$(BIN) serve -c configs/websocksrv.json

generate:
	$(GO) generate ./...

test: lint gotest fuzz ctest check-exports cross-test package-test

# Besides gofmt, vet and staticcheck: no tracked file may refer to a path
# outside the repository (scripts/check-standalone.sh).
lint:
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@sh scripts/check-standalone.sh
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

gotest:
	$(GO) test -race -count=1 -timeout 10m ./...

# Every fuzz target runs briefly; run longer by hand with FUZZTIME=5m.
# The default is a count of executions, not a duration: go1.26's fuzz
# coordinator can report a spurious "context deadline exceeded" failure when
# a duration runs out (golang/go#75804).
fuzz:
	@mkdir -p $(BUILD); set -e; for pkg in $$($(GO) list ./...); do \
	  for fz in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$fz ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$fz$$" -fuzztime $(FUZZTIME) $$pkg > $(BUILD)/fuzz.log 2>&1 || { cat $(BUILD)/fuzz.log; exit 1; }; \
	  done; \
	done

$(HOSTTEST): capi/test/host_test.c capi/test/harness.h $(HEADER)
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS_TEST) -o $@ $< -ldl -lpthread

# The C API and a websocket client written in C, over a real socket.
$(WSHOSTTEST): capi/test/ws_host_test.c capi/test/harness.h capi/test/ws_harness.h $(HEADER)
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS_TEST) -o $@ $< -ldl -lpthread

$(EXAMPLE): capi/example/example_host.c $(HEADER)
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS_TEST) -o $@ $< -ldl

# The C host loads the library exactly as vscpd does. (A race-instrumented
# c-shared library cannot be dlopened: ThreadSanitizer cannot map its shadow
# memory after the host has started, so the same contract runs under the
# race detector in capi's Go tests instead.)
ctest: $(LIB) $(HOSTTEST) $(WSHOSTTEST) $(EXAMPLE)
	./$(HOSTTEST) $(LIB)
	./$(WSHOSTTEST) $(LIB)
	./$(EXAMPLE) $(LIB)

# The dynamic symbol table holds our eight exports and otherwise only the
# symbols the Go toolchain generates (cgo runtime hooks and the _cgoexp_
# trampolines behind each export).
check-exports: $(LIB)
	@ours=$$(nm -D --defined-only $(LIB) | awk '{print $$3}' | grep -v -E '^(_cgo_|_cgoexp_|x_cgo_|x_crosscall|crosscall|fatalf$$|_fini$$|_init$$|__bss_start$$|_edata$$|_end$$)' | sort); \
	want=$$(printf '%s\n' VSCPBlockingReceive VSCPBlockingSend VSCPClose VSCPGetVendorString VSCPGetVersion VSCPOpen VSCPRead VSCPWrite | sort); \
	if [ "$$ours" != "$$want" ]; then echo "unexpected dynamic symbols:"; echo "$$ours"; exit 1; fi; \
	echo "exports ok: $$(echo $$ours)"

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf $(BUILD)

$(BUILD)/bench_host: capi/test/bench_host.c $(HEADER)
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS_TEST) -o $@ $< -ldl

# C API cost seen from a C host, and the Go-side cost of Write/Read.
bench-capi: $(LIB) $(BUILD)/bench_host
	./$(BUILD)/bench_host $(LIB) 1000000
	$(GO) test -run '^$$' -bench 'VSCP' -benchmem ./capi

# The man page is generated from Markdown; the generated page is committed.
man: man/vscpl2drv-websocksrv.1

man/vscpl2drv-websocksrv.1: docs/man/vscpl2drv-websocksrv.1.md
	@mkdir -p man
	$(GO) run $(MD2MAN) -in $< -out $@


# ---------------------------------------------------------------------------
# Packaging. The version comes from internal/version only (15.3.0-0 gives
# deb 15.3.0-0 and rpm 15.3.0 release 0); it is read from the source, and the
# package tests check that the built binaries report the same. nfpm is built
# with the Go toolchain; v2.45.2 is the newest v2 whose dependencies all
# resolve through the module proxy (v2.46+ pull go.digitalxero.dev modules
# the proxy does not serve).
NFPM        := github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2
TOOLS       := $(BUILD)/tools
DIST        := $(BUILD)/dist
VSCP_VERSION := $(shell awk '$$1 ~ /^(Major|Minor|Release|Build)$$/ && $$2 == "=" { v[$$1] = $$3 } \
	END { if (length(v) == 4) printf "%s.%s.%s-%s", v["Major"], v["Minor"], v["Release"], v["Build"] }' \
	internal/version/version.go)
MANGZ       := $(BUILD)/$(NAME).1.gz

# Linux architectures, by Debian name: Go settings, C (cross) compiler, the
# nfpm and rpm architecture names, where the files are built, and the
# qemu-user emulator and library root that run foreign binaries in the tests.
LINUX_ARCHS   := amd64 arm64 armhf
CROSS_ARCHS   := arm64 armhf
GOENV_amd64   := GOARCH=amd64
GOENV_arm64   := GOARCH=arm64
GOENV_armhf   := GOARCH=arm GOARM=7
CC_amd64      := $(CC)
CC_arm64      ?= aarch64-linux-gnu-gcc
CC_armhf      ?= arm-linux-gnueabihf-gcc
NFPMARCH_amd64 := amd64
NFPMARCH_arm64 := arm64
NFPMARCH_armhf := arm7
RPMARCH_amd64 := x86_64
RPMARCH_arm64 := aarch64
RPMARCH_armhf := armv7hl
DIR_amd64     := $(BUILD)
DIR_arm64     := $(BUILD)/linux-arm64
DIR_armhf     := $(BUILD)/linux-armhf
QEMU_arm64    ?= qemu-aarch64-static
QEMU_armhf    ?= qemu-arm-static
SYSROOT_arm64 ?= /usr/aarch64-linux-gnu
SYSROOT_armhf ?= /usr/arm-linux-gnueabihf
DEB_FILE       = $(DIST)/$(NAME)_$(VSCP_VERSION)_$(1).deb
RPM_FILE       = $(DIST)/$(NAME)-$(VSCP_VERSION).$(RPMARCH_$(1)).rpm
MISSING        = $(strip $(foreach t,$(1),$(if $(shell command -v $(t) 2>/dev/null),,$(t))))
CROSS_MISSING  = $(call MISSING,$(foreach a,$(CROSS_ARCHS),$(CC_$(a))))
CROSS_HINT    := Debian: apt-get install gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf
QEMU_MISSING   = $(call MISSING,$(foreach a,$(CROSS_ARCHS),$(QEMU_$(a))))
QEMU_HINT     := Debian: apt-get install qemu-user-static

WIN_CC      ?= x86_64-w64-mingw32-gcc
MAKENSIS    ?= makensis
WIN_MISSING  = $(call MISSING,$(WIN_CC) $(MAKENSIS))
WIN_HINT    := Debian: apt-get install gcc-mingw-w64-x86-64 nsis
WIN_FILES   := $(DIST)/$(NAME).dll $(DIST)/$(NAME).exe $(DIST)/$(NAME).h $(DIST)/$(NAME)-$(VSCP_VERSION)-setup.exe

# What this machine can build: everything when the cross tools are there.
AVAIL_ARCHS  = amd64 $(if $(CROSS_MISSING),,$(CROSS_ARCHS))
# (a .deb target brings its .rpm along)
AVAIL_FILES  = $(foreach a,$(AVAIL_ARCHS),$(call DEB_FILE,$(a))) $(if $(WIN_MISSING),,$(WIN_FILES))

.SECONDEXPANSION:

$(BUILD)/linux-%/lib$(NAME).so: $(GOFILES) $(CAPISRC) go.mod go.sum
	@mkdir -p $(@D)
	CGO_ENABLED=1 GOOS=linux $(GOENV_$*) CC=$(CC_$*) $(GOBUILD) -buildmode=c-shared -o $@ ./capi
	@rm -f $(@D)/lib$(NAME).h

$(BUILD)/linux-%/$(NAME): $(GOFILES) go.mod go.sum
	@mkdir -p $(@D)
	CGO_ENABLED=1 GOOS=linux $(GOENV_$*) CC=$(CC_$*) $(GOBUILD) -buildmode=pie -o $@ ./cmd/$(NAME)

# The C host tests, built for a foreign architecture; package-test runs them
# under qemu-user against the packaged library.
$(BUILD)/linux-%/host_test: capi/test/host_test.c capi/test/harness.h $(HEADER)
	@mkdir -p $(@D)
	$(CC_$*) $(CFLAGS_TEST) -o $@ $< -ldl -lpthread

$(BUILD)/linux-%/ws_host_test: capi/test/ws_host_test.c capi/test/harness.h capi/test/ws_harness.h $(HEADER)
	@mkdir -p $(@D)
	$(CC_$*) $(CFLAGS_TEST) -o $@ $< -ldl -lpthread

# capi's Go tests (layouts with 4-byte pointers on armhf, conversions, the
# exports), built for the foreign architecture and run under qemu-user.
$(BUILD)/linux-%/capi.test: $(GOFILES) $(CAPISRC) go.mod go.sum $$(wildcard capi/testdata/*)
	@mkdir -p $(@D)
	CGO_ENABLED=1 GOOS=linux $(GOENV_$*) CC=$(CC_$*) $(GO) test -trimpath -buildmode=pie -c -o $@ ./capi

cross-test:
ifeq ($(CROSS_MISSING)$(QEMU_MISSING),)
	@$(MAKE) --no-print-directory $(foreach a,$(CROSS_ARCHS),$(DIR_$(a))/capi.test)
	@set -e; $(foreach a,$(CROSS_ARCHS),echo "capi tests on $(a) under $(QEMU_$(a))"; \
	  (cd capi && $(QEMU_$(a)) -L $(SYSROOT_$(a)) ../$(DIR_$(a))/capi.test -test.count=1 -test.timeout=5m \
	    > ../$(DIR_$(a))/capi-test.log 2>&1) || { cat $(DIR_$(a))/capi-test.log; exit 1; }; \
	  tail -1 $(DIR_$(a))/capi-test.log;)
else
	@echo "cross-test: SKIP arm64/armhf: $(CROSS_MISSING) $(QEMU_MISSING) not found ($(CROSS_HINT) qemu-user-static)"
endif

$(MANGZ): man/$(NAME).1
	@mkdir -p $(BUILD)
	gzip -9 -n -c $< > $@

$(TOOLS)/nfpm:
	@mkdir -p $(TOOLS)
	GOBIN=$(abspath $(TOOLS)) $(GO) install $(NFPM)

# One architecture's .deb and .rpm, made together by one recipe.
PKG_DEPS := $(BUILD)/$(NAME).h $(MANGZ) $(TOOLS)/nfpm packaging/nfpm.yaml README.md LICENSE \
	$(wildcard packaging/scripts/* packaging/systemd/* configs/* docs/*.md)
NFPM_ENV = VSCP_VERSION=$(firstword $(subst -, ,$(VSCP_VERSION))) VSCP_RELEASE=$(lastword $(subst -, ,$(VSCP_VERSION))) \
	VSCP_ARCH=$(NFPMARCH_$(1)) VSCP_BUILDDIR=$(DIR_$(1))
define linux_packages
$(call DEB_FILE,$(1)) $(call RPM_FILE,$(1)) &: $(DIR_$(1))/lib$(NAME).so $(DIR_$(1))/$(NAME) $(PKG_DEPS)
	@test -n "$(VSCP_VERSION)" || { echo "no version in internal/version/version.go"; exit 1; }
	@test -n "$(SOURCE_DATE_EPOCH)" || echo "warning: SOURCE_DATE_EPOCH unset (no git?): packages carry today's time"
	@mkdir -p $(DIST)
	$(call NFPM_ENV,$(1)) $(TOOLS)/nfpm package -f packaging/nfpm.yaml -p deb -t $(call DEB_FILE,$(1))
	$(call NFPM_ENV,$(1)) $(TOOLS)/nfpm package -f packaging/nfpm.yaml -p rpm -t $(call RPM_FILE,$(1))
endef
$(foreach a,$(LINUX_ARCHS),$(eval $(call linux_packages,$(a))))

# A release: every artifact, so every tool must be there.
package:
	@test -z "$(CROSS_MISSING)$(WIN_MISSING)" || { echo "package: $(CROSS_MISSING) $(WIN_MISSING) not found ($(CROSS_HINT); $(WIN_HINT))"; exit 1; }
	@$(MAKE) --no-print-directory artifacts
	ls -l $(DIST)

package-linux:
	@test -z "$(CROSS_MISSING)" || { echo "package-linux: $(CROSS_MISSING) not found ($(CROSS_HINT))"; exit 1; }
	@$(MAKE) --no-print-directory $(foreach a,$(LINUX_ARCHS),$(call DEB_FILE,$(a)))

# Windows x86-64: DLL (cgo with mingw-w64), exe and an NSIS installer.
package-windows:
	@test -z "$(WIN_MISSING)" || { echo "package-windows: $(WIN_MISSING) not found ($(WIN_HINT))"; exit 1; }
	@$(MAKE) --no-print-directory $(WIN_FILES)

$(DIST)/$(NAME).dll: $(GOFILES) $(CAPISRC) go.mod go.sum
	@mkdir -p $(DIST)
	CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=$(WIN_CC) $(GOBUILD) -buildmode=c-shared -o $@ ./capi
	cp $(HEADER) $(DIST)/$(NAME).h  # replaces cgo's generated header, which is internal

$(DIST)/$(NAME).h: $(HEADER)
	@mkdir -p $(DIST)
	cp $< $@

$(DIST)/$(NAME).exe: $(GOFILES) go.mod go.sum
	@mkdir -p $(DIST)
	CGO_ENABLED=0 GOOS=windows GOARCH=amd64 $(GOBUILD) -o $@ ./cmd/$(NAME)

$(DIST)/$(NAME)-$(VSCP_VERSION)-setup.exe: $(DIST)/$(NAME).dll $(DIST)/$(NAME).exe $(DIST)/$(NAME).h \
		packaging/windows/installer.nsi $$(wildcard configs/* docs/*.md) README.md LICENSE
	$(MAKENSIS) -V2 -DVERSION=$(VSCP_VERSION) -DDISTDIR=$(CURDIR)/$(DIST) -DSRCDIR=$(CURDIR) \
	  -DOUTFILE=$(CURDIR)/$@ packaging/windows/installer.nsi

# SHA256SUMS lists every artifact in build/dist (`sha256sum -c SHA256SUMS`
# there verifies a download; docs/install.md).
sums:
	@cd $(DIST) && find . -maxdepth 1 -type f ! -name 'SHA256SUMS*' -printf '%P\n' | LC_ALL=C sort \
	  | xargs sha256sum > SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS
	@echo "$(DIST)/SHA256SUMS: $$(wc -l < $(DIST)/SHA256SUMS) files"

# Everything this machine can build (all of it once .ci/run has installed the
# tools), from a clean build/dist so that nothing stale is listed.
artifacts:
	rm -rf $(DIST)
	@$(MAKE) --no-print-directory $(AVAIL_FILES)
	@$(MAKE) --no-print-directory sums

# In `make test` a half whose tools are missing is skipped with a message
# (.ci/run installs them); `make package` needs them all. Then the same
# artifacts are built a second time in a copy of the tree, at another path,
# and compared byte for byte.
package-test: artifacts $(HOSTTEST) $(WSHOSTTEST) \
		$(if $(CROSS_MISSING),,$(foreach a,$(CROSS_ARCHS),$(DIR_$(a))/host_test $(DIR_$(a))/ws_host_test))
	@$(if $(WIN_MISSING),echo "package-test: SKIP Windows packages: $(WIN_MISSING) not found ($(WIN_HINT))";) \
	$(if $(CROSS_MISSING),echo "package-test: SKIP arm64/armhf packages: $(CROSS_MISSING) not found ($(CROSS_HINT))";) \
	$(if $(QEMU_MISSING),echo "package-test: SKIP running arm64/armhf programs: $(QEMU_MISSING) not found ($(QEMU_HINT))";) \
	VERSION="$(VSCP_VERSION)" DIST=$(DIST) BUILD=$(BUILD) ARCHS="$(AVAIL_ARCHS)" \
	  $(if $(QEMU_MISSING),,QEMU_arm64=$(QEMU_arm64) QEMU_armhf=$(QEMU_armhf)) SYSROOT_arm64=$(SYSROOT_arm64) SYSROOT_armhf=$(SYSROOT_armhf) \
	  WINDOWS=$(if $(WIN_MISSING),skip,check) WIN_CC=$(WIN_CC) sh packaging/test-packages.sh
	@sh packaging/check-reproducible.sh $(DIST)
