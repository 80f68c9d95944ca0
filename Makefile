# vscpl2drv-websocksrv - build, run and test.
#
#   make build   library, standalone binary and header under build/
#   make run     build and serve the sample configuration on ws://localhost:8884
#   make test    everything: lint, Go tests (race), fuzz smoke, C host tests
#   make package       .deb, .rpm and Windows DLL/exe/installer under build/dist
#   make package-test  check the packages (packaging/test-packages.sh)
#   make clean

GO          ?= go
CC          ?= gcc
BUILD       := build
LIB         := $(BUILD)/libvscpl2drv-websocksrv.so
BIN         := $(BUILD)/vscpl2drv-websocksrv
HEADER      := capi/vscpl2drv-websocksrv.h
HOSTTEST    := $(BUILD)/host_test
WSHOSTTEST  := $(BUILD)/ws_host_test
EXAMPLE     := $(BUILD)/example_host
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
MD2MAN      := github.com/cpuguy83/go-md2man/v2@v2.0.7
FUZZTIME    ?= 50000x
CFLAGS_TEST := -std=c11 -O2 -Wall -Wextra -Werror -I capi

GOFILES := $(shell find . -name '*.go' -not -path './build/*')
CAPISRC := $(wildcard capi/*.go capi/*.h)

.PHONY: all build run test lint gotest fuzz ctest check-exports bench bench-capi clean generate man \
	package package-linux package-windows package-test

all: build

build: $(LIB) $(BIN) $(BUILD)/vscpl2drv-websocksrv.h

$(LIB): $(GOFILES) $(CAPISRC) go.mod go.sum
	$(GO) build -buildmode=c-shared -o $@ ./capi
	@rm -f $(BUILD)/libvscpl2drv-websocksrv.h  # cgo's generated header is internal

$(BIN): $(GOFILES) go.mod go.sum
	$(GO) build -o $@ ./cmd/vscpl2drv-websocksrv

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

test: lint gotest fuzz ctest check-exports package-test

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
# deb 15.3.0-0 and rpm 15.3.0 release 0). nfpm runs through the Go toolchain;
# v2.45.2 is the newest v2 whose dependencies all resolve through the module
# proxy (v2.46+ pull go.digitalxero.dev modules the proxy does not serve).
NFPM        := github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2
DIST        := $(BUILD)/dist
# Asked once per make run, and only by the targets that need it.
VSCP_VERSION = $(eval VSCP_VERSION := $$(shell $(GO) run ./cmd/vscpl2drv-websocksrv version | awk 'NR==1{print $$$$2}'))$(VSCP_VERSION)
MANGZ       := $(BUILD)/vscpl2drv-websocksrv.1.gz
WIN_CC      ?= x86_64-w64-mingw32-gcc
MAKENSIS    ?= makensis
WIN_MISSING  = $(strip $(foreach t,$(WIN_CC) $(MAKENSIS),$(if $(shell command -v $(t) 2>/dev/null),,$(t))))
WIN_HINT    := Debian: apt-get install gcc-mingw-w64-x86-64 nsis

package: package-linux package-windows
	ls -l $(DIST)

$(MANGZ): man/vscpl2drv-websocksrv.1
	@mkdir -p $(BUILD)
	gzip -9 -n -c $< > $@

package-linux: build $(MANGZ)
	@mkdir -p $(DIST)
	@v="$(VSCP_VERSION)"; test -n "$$v" || { echo "no version"; exit 1; }; \
	rm -f $(DIST)/*.deb $(DIST)/*.rpm; \
	export VSCP_VERSION=$${v%-*} VSCP_RELEASE=$${v##*-}; \
	$(GO) run $(NFPM) package -f packaging/nfpm.yaml -p deb \
	  -t $(DIST)/vscpl2drv-websocksrv_$${v}_amd64.deb && \
	$(GO) run $(NFPM) package -f packaging/nfpm.yaml -p rpm \
	  -t $(DIST)/vscpl2drv-websocksrv-$$v.x86_64.rpm

# Windows x86-64: DLL (cgo with mingw-w64), exe and an NSIS installer.
package-windows: $(BUILD)/vscpl2drv-websocksrv.h
	@test -z "$(WIN_MISSING)" || { echo "package-windows: $(WIN_MISSING) not found ($(WIN_HINT))"; exit 1; }
	@mkdir -p $(DIST)
	CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=$(WIN_CC) \
	  $(GO) build -buildmode=c-shared -o $(DIST)/vscpl2drv-websocksrv.dll ./capi
	@rm -f $(DIST)/vscpl2drv-websocksrv.h  # cgo's generated header is internal
	cp $(BUILD)/vscpl2drv-websocksrv.h $(DIST)/vscpl2drv-websocksrv.h
	CGO_ENABLED=0 GOOS=windows GOARCH=amd64 \
	  $(GO) build -o $(DIST)/vscpl2drv-websocksrv.exe ./cmd/vscpl2drv-websocksrv
	@v="$(VSCP_VERSION)"; test -n "$$v" || { echo "no version"; exit 1; }; \
	$(MAKENSIS) -V2 -DVERSION=$$v -DDISTDIR=$(CURDIR)/$(DIST) -DSRCDIR=$(CURDIR) \
	  -DOUTFILE=$(CURDIR)/$(DIST)/vscpl2drv-websocksrv-$$v-setup.exe packaging/windows/installer.nsi

# In `make test` the Windows half is skipped, with a message, only when the
# cross tools are missing (.ci/run installs them); `make package` needs them.
package-test: package-linux $(if $(WIN_MISSING),,package-windows) $(HOSTTEST)
	@$(if $(WIN_MISSING),echo "package-test: SKIP Windows packages: $(WIN_MISSING) not found ($(WIN_HINT))";) \
	VERSION="$(VSCP_VERSION)" DIST=$(DIST) HOSTTEST=$(HOSTTEST) WINDOWS=$(if $(WIN_MISSING),skip,check) \
	  WIN_CC=$(WIN_CC) sh packaging/test-packages.sh
