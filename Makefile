# Thin wrapper over CMake. The real build is CMakeLists.txt.
#   make TLS=1         build build/ser with TLS (default)
#   make TLS=0         build without OpenSSL
#   make test          build and run the tests (CTest)
#   make run           build and start ser on etc/ser.cfg in the foreground
#   make certs         make the test CA and certificates etc/ser.cfg points at (certs/)
#   make bench         build and run the benchmarks (prints figures)
#   make install PREFIX=/usr/local
TLS ?= 1
PREFIX ?= /usr/local
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CFG ?= etc/ser.cfg
RUN_ARGS ?= -D -E

.PHONY: all deps test-deps configure build test run certs bench install clean

all: build

deps:
	@tools/install-deps.sh build

test-deps:
	@tools/install-deps.sh test

configure: deps
	@cmake -S . -B $(BUILD) -DTLS=$(if $(filter 0,$(TLS)),OFF,ON) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

test: test-deps build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

certs: deps
	@tools/make-test-certs.sh certs

run: build
	@if grep -q '^[^#]*listen *= *tls' $(CFG) && [ ! -f certs/server.pem ]; then tools/make-test-certs.sh certs; fi
	$(BUILD)/ser -f $(CFG) $(RUN_ARGS)

bench: build
	@cmake --build $(BUILD) --target bench -j $(JOBS)

install: build
	@cmake --install $(BUILD)

clean:
	rm -rf $(BUILD)
