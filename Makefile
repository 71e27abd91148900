# Thin wrapper over CMake + Ninja. The README names these targets.
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan

.PHONY: all build sample test test-asan check bench clean

all: build

build:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j $(JOBS)

# Runs the main job on the bundled sample capture and prints the summary.
sample: build
	./$(BUILD)/trawl analyze fixtures/sample.pcap -o out/sample

test: build
	ctest --test-dir $(BUILD) -j $(JOBS) --output-on-failure

# The same suite built with AddressSanitizer and UndefinedBehaviorSanitizer.
test-asan:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DTRAWL_SANITIZE=ON -DCMAKE_CXX_FLAGS=-O1
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ctest --test-dir $(ASAN_BUILD) -j $(JOBS) --output-on-failure

# Everything CI runs: the suite in release and under sanitizers.
check: test test-asan

bench: build
	bench/run.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) out
