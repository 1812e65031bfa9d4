# Podium's build, test and lab targets. `make help` lists them.
SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/podiumhq/podium/cmd/podium/internal/version.Version=$(VERSION)
E2E_TIMEOUT ?= 25m
# make bench creates 5,000 pods twice and 10,000 once, and dials 500
# viewers twice: on a loaded 2-core lab that takes well over half an hour.
# BenchmarkScale50k adds 50,000 pods on a private lab: 15-30 minutes more.
BENCH_TIMEOUT ?= 150m
# make bench prints each figure beside its target and never fails on one;
# make bench-check sets this empty, so the same table decides.
BENCH_REPORT = -report

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## Build bin/podium
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/podium ./cmd/podium

.PHONY: run
run: ## Run Podium (the built-in demo when there is no cluster)
	$(GO) run ./cmd/podium

.PHONY: generate
generate: ## Regenerate templ code
	$(GO) tool templ generate

# Colours and geometry are not generated: the SVG export reads them from
# web/static/style.css and layout.js at run time (web/theme.go, web/geom.go).
.PHONY: check-generate
check-generate: ## Fail if templ generate would change committed files or add new ones
	$(GO) tool templ generate
	git diff --exit-code -- '*_templ.go'
	@new=$$(git ls-files --others --exclude-standard -- '*_templ.go'); \
	if [ -n "$$new" ]; then echo "generated but not committed:"; echo "$$new"; exit 1; fi

.PHONY: lint
lint: ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags e2e ./e2e/...

.PHONY: test
test: lint check-generate test-unit test-web fuzz-short test-e2e ## All tests: unit (-race), web (node --test), fuzz (brief), e2e (lab + Chromium)

.PHONY: test-unit
test-unit: ## Go unit tests with -race
	$(GO) test -race -count=1 ./...

.PHONY: test-web
test-web: ## Browser module tests (node --test, no dependencies)
	node --test web/test/

.PHONY: fuzz-short
fuzz-short: ## Run each fuzz target briefly (10,000 executions each)
	./.ci/fuzz.sh 10000x

.PHONY: deps-e2e
deps-e2e: ## Install Chromium and CJK fonts (apt) if missing
	@./.ci/deps.sh

.PHONY: test-e2e
test-e2e: deps-e2e lab-up ## End-to-end tests against the lab and headless Chromium
	$(GO) test -tags e2e -count=1 -timeout $(E2E_TIMEOUT) -v ./e2e/... 2>&1 | tee e2e/artifacts/e2e.log; exit $${PIPESTATUS[0]}

.PHONY: lab-up
lab-up: ## Start the local control plane (idempotent); kubeconfig in .lab/kubeconfig
	@mkdir -p e2e/artifacts
	$(GO) run ./e2e/labctl up

.PHONY: demo-record
demo-record: lab-up ## Re-record the built-in demo (cmd/podium/demo/talk.jsonl.gz) against the lab; fails if talk.lesson.yaml cannot follow it
	$(GO) run ./e2e/demo
	$(GO) test -count=1 -run '^TestEmbeddedDemo' ./cmd/podium

.PHONY: lab-down
lab-down: ## Stop the local control plane and everything it started
	$(GO) run ./e2e/labctl down

.PHONY: bench
bench: lab-up ## Benchmarks: print latency, memory, wire and browser figures (recorded in docs/benchmarks.md); never fails on a figure
	@mkdir -p e2e/artifacts
	$(GO) test -run '^$$' -bench . -benchmem ./informers/... | tee e2e/artifacts/bench-model.txt
	$(GO) test -tags e2e -run '^$$' -bench . -benchtime 1x -timeout $(BENCH_TIMEOUT) ./e2e/... | tee e2e/artifacts/bench.txt
	$(GO) run ./e2e/benchcheck $(BENCH_REPORT) e2e/artifacts/bench.txt e2e/artifacts/bench-model.txt

.PHONY: bench-check
bench-check: BENCH_REPORT =
bench-check: bench ## make bench, then fail if a figure misses its DESIGN.md target (e2e/benchcheck holds the targets)

.PHONY: chart-lint
chart-lint: ## helm lint --strict
	$(GO) tool helm lint --strict ./chart

.PHONY: chart-test
chart-test: lab-up ## Chart tests: golden files, schema, image; then dry-run, install, RBAC and namespace mode on the lab
	$(GO) test -count=1 ./chart/...
	$(GO) test -tags e2e -count=1 -timeout $(E2E_TIMEOUT) -run '^TestChart' ./e2e/

.PHONY: image
image: ## Build the container image's binary the way the Dockerfile does
	./.ci/image.sh

.PHONY: image-oci
image-oci: ## Build the container image without Docker: OCI layout bin/podium-oci, docker-archive bin/podium-oci.tar
	$(GO) run ./e2e/ociimage/cmd/podium-oci -version $(VERSION) -out bin/podium-oci

.PHONY: clean
clean: ## Remove build output
	rm -rf bin e2e/artifacts
