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
	$(GO) test -race -count=1 ./...

fuzz-smoke:
	FUZZTIME=$(FUZZTIME) GO=$(GO) ./scripts/fuzz.sh

## fuzz: a long fuzz run of every target (FUZZTIME=10m make fuzz for longer)
fuzz:
	FUZZTIME=$${FUZZTIME_LONG:-2m} GO=$(GO) ./scripts/fuzz.sh

## bench: Go benchmarks side by side with their baselines
bench:
	$(GO) test -run='^$$' -bench=. -benchmem -count=1 ./...

clean:
	rm -rf bin
