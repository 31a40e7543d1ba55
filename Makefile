# Thin wrapper over CMake. The real build is CMakeLists.txt.
#   make TLS=1         build build/ser with TLS (default)
#   make TLS=0         build without OpenSSL
#   make test          build and run the tests (CTest)
#   make run           build and start ser on etc/ser.cfg in the foreground
#   make certs         make the test CA and certificates etc/ser.cfg points at (certs/)
#   make bench         ser and Kamailio side by side: every figure, 3 repetitions (~5 min of runs)
#   make bench-quick   the same, 1 repetition of shorter runs (under 3 min)
#   make bench-micro   the in-process benches and ser-only scripts (tests/bench/*_bench.cc, *.sh)
#   make install PREFIX=/usr/local
#   make test SAN=1    the same tests built with ASan + UBSan, in build-san/
#   make fuzz          build the libFuzzer targets with clang (build-fuzz/), run each FUZZ_SECONDS
#   make tsan          the net worker/queue tests under ThreadSanitizer, in build-tsan/
TLS ?= 1
PREFIX ?= /usr/local
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CFG ?= etc/ser.cfg
RUN_ARGS ?= -D -E
SAN ?= 0
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= sip_message stream_framer cfg_parser tls_ini tls_engine
SANITIZE :=
TEST_ENV :=
TEST_ARGS :=
ifeq ($(SAN),1)
  BUILD := build-san
  SANITIZE := address,undefined
  # A report fails the process (and so the test): halt_on_error; LSan checks leaks at exit.
  # The TLS=0 build test builds a tree of its own (unsanitized): skipped here.
  TEST_ENV := ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  TEST_ARGS := -E '^e2e\.notls_build_test$$'
endif

.PHONY: all deps test-deps fuzz-deps bench-deps configure build test run certs bench bench-quick \
  bench-micro install clean fuzz tsan

all: build

deps:
	@tools/install-deps.sh build

test-deps:
	@tools/install-deps.sh test

configure: deps
	@cmake -S . -B $(BUILD) -DTLS=$(if $(filter 0,$(TLS)),OFF,ON) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DCMAKE_INSTALL_PREFIX=$(PREFIX) -DSANITIZE=$(SANITIZE) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

test: test-deps build
	@cd $(BUILD) && $(TEST_ENV) ctest --output-on-failure -j $(JOBS) --timeout 600 $(TEST_ARGS)

fuzz-deps:
	@tools/install-deps.sh fuzz

bench-deps:
	@tools/install-deps.sh bench

# libFuzzer needs clang; its own build tree, every library instrumented (ASan + UBSan).
fuzz: fuzz-deps
	@CC=clang CXX=clang++ cmake -S . -B build-fuzz -DTLS=ON -DFUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build build-fuzz --target fuzzers -j $(JOBS)
	@tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# ThreadSanitizer over the net tests (workers, cross-worker queues, connection table) and the
# in-process proxy tests. Not part of `make test`: run it when that code changes.
tsan: deps
	@cmake -S . -B build-tsan -DTLS=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSANITIZE=thread >/dev/null
	@cmake --build build-tsan --target net_tests integration_tests -j $(JOBS)
	@cd build-tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 ./net_tests --gtest_brief=1 && \
	  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 ./integration_tests --gtest_brief=1

certs: deps
	@tools/make-test-certs.sh certs

run: build
	@if grep -q '^[^#]*listen *= *tls' $(CFG) && [ ! -f certs/server.pem ]; then tools/make-test-certs.sh certs; fi
	$(BUILD)/ser -f $(CFG) $(RUN_ARGS)

# ser against Kamailio (tests/bench/run_bench.py): builds ser and sipbench only; the table
# goes to stdout and to $(BUILD)/bench/results.md and results.json. Needs TLS=1 (sipbench).
bench bench-quick: bench-deps configure
	@if [ "$(TLS)" = 0 ]; then echo "make $@: needs a TLS build (sipbench)"; exit 2; fi
	@cmake --build $(BUILD) --target ser sipbench -j $(JOBS)
	@cmake --build $(BUILD) --target $@

bench-micro: build
	@cmake --build $(BUILD) --target bench-micro -j $(JOBS)

install: build
	@cmake --install $(BUILD)

clean:
	rm -rf $(BUILD)
