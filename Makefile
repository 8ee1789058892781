# astapi — two commands matter: `make run` and `make test`.
GO       ?= go
FUZZTIME ?= 3s
CONFIG   ?= fixtures/astapi.ini

.PHONY: all build run test vet race fuzz fuzz-smoke bench clean

all: build

build:
	$(GO) build -o bin/astapi ./cmd/astapi

## run: serve the demo fixtures on 127.0.0.1:8080
run: build
	./bin/astapi serve --config $(CONFIG)

## test: vet, race-enabled tests, and a short run of every fuzz target
test: vet race fuzz-smoke

vet:
	$(GO) vet ./...

race:
	@test -x /usr/bin/chromium || echo "SKIP: console browser test (TestBrowser): no /usr/bin/chromium (apt-get install chromium)"
	$(GO) test -race -count=1 ./...

fuzz-smoke:
	FUZZTIME=$(FUZZTIME) GO=$(GO) ./scripts/fuzz.sh

## fuzz: a long fuzz run of every target (FUZZTIME=10m make fuzz for longer)
fuzz:
	FUZZTIME=$${FUZZTIME_LONG:-2m} GO=$(GO) ./scripts/fuzz.sh

## bench: Go benchmarks side by side with their baselines (parser vs
## gopkg.in/ini.v1, index build at 1k/10k tenants, handlers vs bare gin),
## then the load test (cmd/astapi-load: astapi vs a bare gin + Basic Auth
## server on the fixtures, cached and while a file is rewritten every
## 100 ms, plus the cached answers of a generated tenant of 10k
## extensions). The load program prints last one table with every figure
## and its target. LOADFLAGS passes flags to it (e.g. LOADFLAGS='--duration 10s').
bench:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(GO) test -run='^$$' -bench=. -benchmem -count=1 ./... 2>&1 | tee "$$tmp/bench.txt" && \
	$(GO) run ./internal/pbxgen/cmd/pbxgen -out "$$tmp/pbx10k" -tenants 1 -peers 10000 >/dev/null && \
	$(GO) run ./cmd/astapi-load --config $(CONFIG) --bench-results "$$tmp/bench.txt" \
		--big-config "$$tmp/pbx10k/astapi.ini" $(LOADFLAGS)

clean:
	rm -rf bin
