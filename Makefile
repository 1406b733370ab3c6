# The README's two commands: `make run` and `make test`. Both install what a fresh
# Debian machine is missing, build, then run.
SWIFT        ?= swift
DEB_PACKAGES := libopenblas-dev libhdf5-dev zlib1g-dev libncursesw5-dev pkg-config tmux chromium
RELEASE      := .build/release/wbdit
# Release builds use the vector width of the CPU they are built on (numerics do not change:
# Swift never fuses a multiply and an add on its own). Override with CPU_FLAGS= for a portable binary.
CPU_FLAGS    ?= $(shell if grep -qw avx512f /proc/cpuinfo 2>/dev/null; then echo "-Xswiftc -target-cpu -Xswiftc skylake-avx512"; \
                 elif grep -qw avx2 /proc/cpuinfo 2>/dev/null; then echo "-Xswiftc -target-cpu -Xswiftc haswell"; fi)

.PHONY: run test build deps bench fixtures clean check-types fuzz

## deps: install missing Debian packages (as root), or print the apt-get line to run
deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else \
	    echo "Missing Debian packages. Run this, then try again:"; \
	    echo "  sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi

## build: release build of the wbdit executable
build: deps
	$(SWIFT) build -c release --product wbdit $(CPU_FLAGS)

## run: the main job: the workbench, training the white-box model on the sample cells
## (wbdit with no arguments; ARGS passes options, e.g. make run ARGS="--arch dit")
run: build
	$(RELEASE) $(ARGS)

## test: the whole test suite
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## check-types: the cell-type check on the sample data (trains two models with the release
## build, about 35 minutes in all; figures in docs/training.md)
check-types: build
	$(SWIFT) build --build-tests
	WBDIT_RELEASE_BINARY=$(abspath $(RELEASE)) $(SWIFT) test --skip-build --filter CellTypeGenerationTests

## fuzz: every parser of untrusted bytes under libFuzzer with Address and Leak Sanitizer,
## FUZZ_SECONDS each (default 60; FUZZ_TARGETS="npy h5ad" picks some); new coverage joins
## Tests/Fuzz/Corpus and crashes Tests/Fuzz/Crashes, both replayed by make test
fuzz: deps
	$(SWIFT) build --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld -Xswiftc -DWBDIT_FUZZ --product wbdit-fuzz
	Tests/Fuzz/run.sh

## bench: the engine benchmarks recorded in docs/benchmarks.md (needs PyTorch for the peer)
bench: build
	benchmarks/run-engine.sh

## fixtures: regenerate the PyTorch parity fixtures (needs PyTorch and safetensors)
fixtures:
	python3 benchmarks/pytorch/make_fixtures.py Tests/NetworksTests/Fixtures

clean:
	rm -rf .build
