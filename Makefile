# The two commands a user needs: `make demo` and `make test`. Both install missing
# Debian packages first (scripts/setup-deps.sh), then configure and build.

BUILD ?= build
SANITIZE_BUILD ?= build-sanitize
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all setup configure build demo test sanitize sanitize-build bench bench-build bench-growth fuzz fuzz-build golden clean package package-check

all: build

setup:
	@scripts/setup-deps.sh

configure: setup
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null

build: configure
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(BUILD)/distlab demo --html $(BUILD)/demo.html

# The browser tests need Chromium, the deploy/ tests GNU parallel, Slurm and munge:
# installed here, not for `make demo`.
test: build
	@scripts/setup-deps.sh chromium parallel slurm-wlm munge
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# A Debian package of the program, its man page (made by help2man from its help
# texts) and bash completion: $(BUILD)/distlab_<version>_<arch>.deb. Install it with
# apt-get install ./$(BUILD)/distlab_*.deb
package: setup
	@scripts/setup-deps.sh help2man dpkg-dev file
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS) --target all distlab_man distlab_completion
	cd $(BUILD) && cpack -G DEB

# Installs that package on this machine and runs the installed program (CI does).
package-check: package
	@scripts/check-package.sh $(BUILD)

# clang and its sanitizer and libFuzzer runtimes: the sanitizer and fuzz builds use them.
CLANG_PACKAGES = clang libclang-rt-14-dev

# The tests again under AddressSanitizer and UndefinedBehaviorSanitizer
# (sanitize-build only builds them). Compiled by clang, which builds this tree in half
# the time g++ takes (644 against 1,266 CPU seconds on 2 cores) and whose tests then run
# a little faster (367 against 425 s): the main build stays g++'s, so both compilers'
# warnings are seen.
sanitize-build: setup
	@scripts/setup-deps.sh $(CLANG_PACKAGES)
	@cmake -S . -B $(SANITIZE_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
	  -DDISTLAB_SANITIZE=ON -DDISTLAB_BENCHMARKS=OFF >/dev/null
	cmake --build $(SANITIZE_BUILD) -j $(JOBS)

sanitize: sanitize-build
	@scripts/setup-deps.sh chromium parallel slurm-wlm munge
	ctest --test-dir $(SANITIZE_BUILD) --output-on-failure -j $(JOBS)

# Benchmarks, optimized and without assertions, in their own build directory.
# Prints the machine and the median of BENCH_REPS repetitions of each benchmark.
BENCH_BUILD ?= build-bench
BENCH_REPS ?= 5
bench-build: setup
	@scripts/setup-deps.sh libsimgrid-dev || echo "SimGrid could not be installed: distlab runs alone"
	@cmake -S . -B $(BENCH_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DDISTLAB_ASSERTS=OFF -DDISTLAB_TESTS=OFF >/dev/null
	cmake --build $(BENCH_BUILD) -j $(JOBS) --target all

bench: bench-build
	@echo "machine: $$(lscpu | sed -n 's/^Model name: *//p'), $$(nproc) cores"
	$(BENCH_BUILD)/bench/distlab_benchmarks --benchmark_repetitions=$(BENCH_REPS) \
	  --benchmark_report_aggregates_only=true --benchmark_display_aggregates_only=true
	@echo "== heartbeat monitor: 500,000/s offered from 100,000 node ids (must lose none)"
	$(BENCH_BUILD)/distlab bench heartbeat --rate 500000 --senders 2 --nodes 100000 --duration 4s --repeat $(BENCH_REPS)
	@echo "== heartbeat monitor: saturated, heartbeats processed per CPU second"
	$(BENCH_BUILD)/distlab bench heartbeat --rate 0 --senders 2 --nodes 100000 --duration 4s --repeat $(BENCH_REPS)
	@echo "== heartbeat monitor with a cluster key (every frame sealed): heartbeats processed per CPU second"
	@test -f $(BENCH_BUILD)/bench.key || $(BENCH_BUILD)/distlab keygen $(BENCH_BUILD)/bench.key >/dev/null
	$(BENCH_BUILD)/distlab bench heartbeat --rate 0 --senders 2 --nodes 100000 --duration 4s --repeat $(BENCH_REPS) \
	  --key-file $(BENCH_BUILD)/bench.key
	@echo "== storm: distlab against SimGrid on the same workload"
	bench/storm_compare.py --distlab $(BENCH_BUILD)/distlab --simgrid $(BENCH_BUILD)/bench/peers/simgrid_storm \
	  --reps $(BENCH_REPS)
	@echo "== render: a 100,000-event trace drawn as a space-time diagram"
	bench/render_bench.py --distlab $(BENCH_BUILD)/distlab --events 100000 --reps $(BENCH_REPS)
	@echo "== sweep: 20,000 seeds of 5-node Bully, each with drawn faults and every checker on (seeds/s), 1 then 2 jobs"
	$(BENCH_BUILD)/distlab sweep bully --nodes 5 --seeds 20000 --jobs 1 --timing
	$(BENCH_BUILD)/distlab sweep bully --nodes 5 --seeds 20000 --jobs 2 --timing
	@echo "== sweep: every algorithm with its drawn faults and every checker on (seeds/s), 1 then 2 jobs"
	@for spec in lamport:100000 snapshot:20000 bully:20000 heartbeat:20000 ricart:20000; do \
	  for jobs in 1 2; do \
	    $(BENCH_BUILD)/distlab sweep $${spec%%:*} --seeds $${spec##*:} --jobs $$jobs --timing | tail -n 1 | cut -d';' -f1; \
	  done; \
	done
	@echo "== explore: distinct states/s of each model, 1 then 2 jobs (bars: 1,000,000/s on one core for 3-node Bully, 1.7x on two)"
	bench/explore_bench.py --distlab $(BENCH_BUILD)/distlab --reps $(BENCH_REPS)
	@echo "== bully failover: 5 real processes, the leader killed (SIGKILL) in each of 20 launches"
	$(BENCH_BUILD)/distlab bench bully-failover --nodes 5 --runs 20

# The cost-against-growth table of docs/performance.md: the storm at 16 to 10,000,000
# nodes and each algorithm's own scenario at 10 to 10,000 nodes, BENCH_REPS runs of each,
# interleaved (about 20 minutes; a run over 120 s is stopped, and its row says so).
bench-growth: bench-build
	bench/growth_table.py --distlab $(BENCH_BUILD)/distlab --reps $(BENCH_REPS)

# The datagram decoders (plain and sealed) and the trace reader under libFuzzer (clang),
# FUZZ_SECONDS in all, split between the targets, each from its own corpus. At -O1 with
# line tables, as libFuzzer's documentation suggests (and faster to build than -O2).
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS = codec_fuzzer sealed_fuzzer trace_fuzzer
FUZZ_EACH = $$(( $(FUZZ_SECONDS) / $(words $(FUZZ_TARGETS)) > 0 ? $(FUZZ_SECONDS) / $(words $(FUZZ_TARGETS)) : 1 ))
fuzz-build: setup
	@scripts/setup-deps.sh $(CLANG_PACKAGES)
	@cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
	  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" -DDISTLAB_FUZZ=ON -DDISTLAB_TESTS=OFF -DDISTLAB_BENCHMARKS=OFF >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target $(FUZZ_TARGETS)

fuzz: fuzz-build
	@for d in corpus corpus-sealed trace_corpus; do mkdir -p $(FUZZ_BUILD)/$$d && cp fuzz/$$d/* $(FUZZ_BUILD)/$$d/; done
	$(FUZZ_BUILD)/fuzz/codec_fuzzer -max_total_time=$(FUZZ_EACH) -max_len=2048 -print_final_stats=1 \
	  $(FUZZ_BUILD)/corpus
	$(FUZZ_BUILD)/fuzz/sealed_fuzzer -max_total_time=$(FUZZ_EACH) -max_len=2048 -print_final_stats=1 \
	  $(FUZZ_BUILD)/corpus-sealed
	$(FUZZ_BUILD)/fuzz/trace_fuzzer -max_total_time=$(FUZZ_EACH) -max_len=4096 -print_final_stats=1 \
	  $(FUZZ_BUILD)/trace_corpus

# Regenerate the golden outputs and the scripts' outputs (testdata/) on purpose, then
# review them with `git diff`.
golden: build
	DISTLAB_UPDATE_GOLDEN=1 $(BUILD)/tests/distlab_cli_tests --gtest_filter='Golden*'
	DISTLAB_UPDATE_GOLDEN=1 $(BUILD)/tests/distlab_tests --gtest_filter='Scripts.*'

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD) $(BENCH_BUILD) $(FUZZ_BUILD)
