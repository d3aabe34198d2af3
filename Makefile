# The two commands a newcomer needs are `make run` and `make test`; everything they need is
# installed (apt-get) or built by the scripts below.
SHELL := /bin/bash
CONFIG ?= Release
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1

.PHONY: all build test bench fuzz fuzz-cpu run guest clean

all: build

## build: compile everything and leave launchers in bin/ (bin/emu, bin/emu-chardev, ...)
build:
	scripts/build.sh $(CONFIG)

## test: install what the tests need, then run every test project
test: build
	scripts/ensure-packages.sh $$(cat scripts/test-packages.txt)
	scripts/guest/build.sh >/dev/null
	scripts/test.sh $(CONFIG)

## bench: latency and CPU figures (medians, p99), then the default guest booted under QEMU TCG and ours
## (boot-to-ready and in-guest timings; BENCH_LINUX_ARGS="--runs 3" for medians, "--no-qemu" for ours only), then block I/O
## (fio in that guest on emu-block vs QEMU's virtio-blk, and a host front-end on emu-block vs qemu-storage-daemon; BENCH_BLOCK_ARGS)
bench: build
	scripts/ensure-packages.sh $$(cat scripts/test-packages.txt) gcc
	guest=$$(scripts/guest/build.sh) || exit 1; \
	vmlinux=$$(printf '%s\n' "$$guest" | sed -n 's/^VMLINUX=//p'); initrd=$$(printf '%s\n' "$$guest" | sed -n 's/^INITRD=//p'); \
	status=0; \
	dotnet tests/Emulator.Bench/bin/$(CONFIG)/net10.0/Emulator.Bench.dll || status=1; \
	dotnet tests/Emulator.Bench/bin/$(CONFIG)/net10.0/Emulator.Bench.dll --linux --kernel "$$vmlinux" --initrd "$$initrd" \
		--emu bin/emu $(BENCH_LINUX_ARGS) || status=1; \
	fio=$$(scripts/guest/fio-initrd.sh) || status=1; fio=$$(printf '%s\n' "$$fio" | sed -n 's/^FIO_CPIO=//p'); \
	dotnet tests/Emulator.Bench/bin/$(CONFIG)/net10.0/Emulator.Bench.dll --block --kernel "$$vmlinux" --initrd "$$initrd" --fio-cpio "$$fio" \
		--emu bin/emu --emu-block bin/emu-block $(BENCH_BLOCK_ARGS) || status=1; \
	exit $$status

## fuzz: the random-input tests with millions of iterations instead of the suite's default
fuzz: build
	EMU_FUZZ_ITERATIONS=$${EMU_FUZZ_ITERATIONS:-3000000} scripts/test.sh $(CONFIG) "Category=Fuzz"

## fuzz-cpu: only the CPU's random and host-differential tests, with millions of cases
fuzz-cpu: build
	EMU_FUZZ_ITERATIONS=$${EMU_FUZZ_ITERATIONS:-3000000} dotnet test tests/Emulator.Cpu.Tests -c $(CONFIG) --no-build \
		--filter "Category=Fuzz" --logger "console;verbosity=normal"

## run: build and start the emulator with its console and monitor on this terminal
run: build
	scripts/run.sh

## guest: download Debian's kernel and busybox and build the default guest (cached; prints the paths)
guest:
	scripts/guest/build.sh

clean:
	rm -rf bin out
	find . -name bin -o -name obj | grep -E '/(libs|cmd|device-servers|tests)/' | xargs rm -rf
