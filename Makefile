# The two commands of the README:
#   make demo   build the library and the emulator, run the C quickstart against the emulator
#   make test   everything CI checks
#
# Only the Rust toolchain, gcc, python3 with pip and valgrind are assumed; the rest is
# installed by these targets (pytest in a virtual environment under bindings/python/.venv).

CARGO    ?= cargo
CC       ?= gcc
CXX      ?= g++
PYTHON   ?= python3
BUILD    := target/c
TARGET   := target
LIBDIR   := $(TARGET)/release
EMULATOR := $(TARGET)/release/realm-emulator
CFLAGS_STRICT := -std=c99 -Wall -Wextra -Wpedantic -Werror -Iinclude
# What `cargo rustc --print native-static-libs` prints for the staticlib on Linux (checked by
# tests/check-static-libs.sh); the README shows the same line.
STATIC_LIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc

.PHONY: all build demo test lint test-rust test-c test-python test-swift header bench clean

all: build

build:
	$(CARGO) build --release -p realm-client -p realm-emulator
	@# The shared library once more on its own: alongside the rlib crate type rustc keeps every
	@# pub Rust item in it, about 300 KB more (see bench/README.md).
	$(CARGO) rustc --release -p realm-client --lib --crate-type cdylib

header:
	REALM_GEN_HEADER=1 $(CARGO) build -p realm-client

$(BUILD):
	mkdir -p $(BUILD)

$(BUILD)/quickstart: examples/quickstart.c include/realm_client.h build | $(BUILD)
	$(CC) $(CFLAGS_STRICT) -o $@ examples/quickstart.c -L$(LIBDIR) -lrealm_client -Wl,-rpath,$(abspath $(LIBDIR))

demo: $(BUILD)/quickstart
	tests/with-emulator.sh $(EMULATOR) $(BUILD)/quickstart

test: lint test-rust test-c test-python test-swift
	@echo "make test: all suites passed"

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test-rust: build
	REALM_EMULATOR_BIN=$(abspath $(EMULATOR)) $(CARGO) test --workspace --release

test-c: build | $(BUILD)
	tests/c/run.sh

test-python: build
	bindings/python/run-tests.sh

test-swift:
	bindings/swift/run-tests.sh

bench: build
	bench/run.sh

clean:
	$(CARGO) clean
	rm -rf $(BUILD)
