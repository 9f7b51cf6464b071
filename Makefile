# Strata build. `make` builds the kernel; `make run` boots it; `make test` runs every test.
# Everything is built under $(BUILD); `make -j` is safe; header dependencies are tracked (-MMD).
# On a machine without the toolchain, run/test/iso/bench call tools/setup.sh first.

# ---- toolchain: i686-elf-* when on PATH, else Debian's i686-linux-gnu-* ------------------
ifneq ($(shell command -v i686-elf-gcc 2>/dev/null),)
CROSS ?= i686-elf-
else
CROSS ?= i686-linux-gnu-
endif
ifeq ($(origin CC),default)
CC := $(CROSS)gcc
endif
LD      := $(CROSS)ld
NM      := $(CROSS)nm
OBJCOPY := $(CROSS)objcopy
NASM    ?= nasm
HOSTCC  ?= gcc
FUZZCC  ?= clang
QEMU    ?= qemu-system-i386

ifneq ($(findstring clang,$(CC)),)
BUILD   ?= build/clang
TARGET_CFLAGS := --target=i686-elf -mno-sse -mno-sse2 -mno-mmx -mno-80387 -msoft-float
else
BUILD   ?= build
TARGET_CFLAGS := -m32 -mgeneral-regs-only -mno-omit-leaf-frame-pointer
endif

WARNINGS := -Wall -Wextra -Werror -Wframe-larger-than=1024 -Wstrict-prototypes \
            -Wmissing-prototypes -Wshadow -Wpointer-arith -Wvla
# The kernel is freestanding: no C library header is ever reached (-nostdinc), only ours and
# the compiler's own (stddef.h, stdint.h, stdbool.h, stdarg.h). `make check-headers` proves it.
CC_INCLUDE := $(shell $(CC) $(TARGET_CFLAGS) -print-file-name=include 2>/dev/null)
CFLAGS  := -std=gnu11 -O2 -g -ffreestanding -nostdinc -isystem $(CC_INCLUDE) -fno-pic -fno-pie -fno-stack-protector \
           -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-omit-frame-pointer \
           -fno-strict-aliasing -fno-delete-null-pointer-checks -fno-common -fcf-protection=none $(TARGET_CFLAGS) \
           $(WARNINGS) -Iinclude -MMD -MP
LDFLAGS := -m elf_i386 -nostdlib -T linker.ld -z noexecstack --no-warn-rwx-segments

# ---- kernel sources ---------------------------------------------------------------------
KERNEL_C   := $(wildcard kernel/*.c kernel/arch/*.c kernel/lib/*.c kernel/fs/*.c mm/*.c sched/*.c tests/kernel/*.c)
KERNEL_ASM := $(wildcard boot/*.asm kernel/*.asm kernel/arch/*.asm)
KERNEL_OBJ := $(KERNEL_C:%.c=$(BUILD)/%.o) $(KERNEL_ASM:%.asm=$(BUILD)/%.asm.o)
KERNEL     := $(BUILD)/strata.elf

# ---- user programs embedded in the kernel (kernel/builtin_progs.asm) --------------------
# Linux i386 programs from tests/kernel/uprog/: NASM ones linked at 0x08048000, C ones as
# static glibc executables with the i686 cross compiler (whatever CC builds the kernel).
USER_CC    ?= i686-linux-gnu-gcc
USER_LD    ?= i686-linux-gnu-ld
UPROG_DIR  := tests/kernel/uprog
UPROGS     := $(patsubst $(UPROG_DIR)/%.asm,$(BUILD)/uprog/%,$(wildcard $(UPROG_DIR)/*.asm)) \
              $(patsubst $(UPROG_DIR)/%.c,$(BUILD)/uprog/%,$(wildcard $(UPROG_DIR)/*.c))

# ---- the vDSO (vdso/: linux-gate.so.1, mapped into every process) ---------------------
# Built with the user cross compiler, freestanding and position-independent, linked by
# vdso/vdso.lds with the version script vdso/vdso.ver. vdso.so keeps its symbols and debug
# information (for gdb: add-symbol-file at the mapped address); vdso.img, stripped of them
# (the dynamic symbol table stays), is what kernel/vdso_image.asm embeds.
VDSO_CROSS := i686-linux-gnu-
VDSO_CC    := $(VDSO_CROSS)gcc
VDSO_CC_INCLUDE := $(shell $(VDSO_CC) -print-file-name=include 2>/dev/null)
VDSO_CFLAGS := -std=gnu11 -O2 -g -m32 -ffreestanding -nostdinc -isystem $(VDSO_CC_INCLUDE) -fPIC \
               -fno-stack-protector -fno-asynchronous-unwind-tables -fno-unwind-tables \
               -fcf-protection=none -fno-common -mgeneral-regs-only $(WARNINGS) -Iinclude -Ivdso \
               -MMD -MP
VDSO_LDFLAGS := -nostdlib -shared -Wl,-soname=linux-gate.so.1 -Wl,--hash-style=both \
                -Wl,-Bsymbolic -Wl,-T,vdso/vdso.lds -Wl,--version-script=vdso/vdso.ver \
                -Wl,--build-id=sha1 -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack \
                -Wl,--no-undefined
VDSO_OBJ   := $(patsubst vdso/%,$(BUILD)/vdso/%.o,$(wildcard vdso/*.c vdso/*.S))
VDSO_SO    := $(BUILD)/vdso/vdso.so
VDSO_IMG   := $(BUILD)/vdso/vdso.img

# ---- hardware-independent sources, also built natively for host tests -------------------
# The allocator cores (mm/*.c below) include no x86 or sched header; see docs/ARCHITECTURE.md
# (the layers and include rules; `make check-layers` enforces them).
MM_CORE    := $(wildcard mm/memmap.c mm/bitmap.c mm/buddy*.c mm/slab*.c mm/kmalloc.c mm/error.c mm/pressure.c mm/vma.c mm/commit.c mm/oom.c mm/failinject.c)
HOST_CORE  := $(filter-out kernel/lib/divdi3.c kernel/lib/printk.c kernel/lib/panic.c,$(wildcard kernel/lib/*.c)) \
              kernel/cmdline.c kernel/fs/cpio.c kernel/fs/ramfs.c kernel/arch/fpu_legacy.c kernel/fs/ldisc.c $(MM_CORE)
HOST_CFLAGS := -std=gnu11 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
               -fno-sanitize-recover=all -DSTRATA_HOST -Iinclude -Itests/host \
               -Wall -Wextra -Werror -Wshadow -Wvla -MMD -MP
HOST_TESTS := $(patsubst tests/host/%.c,$(BUILD)/host/%,$(wildcard tests/host/test_*.c)) \
              $(BUILD)/host/test_vdso
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

# ---- run options ------------------------------------------------------------------------
MEM     ?= 128M
CMDLINE ?=
QEMU_FLAGS := -m $(MEM) -display none -no-reboot \
              -device isa-debug-exit,iobase=0xf4,iosize=0x04

# V=1 shows the full commands.
Q := $(if $(V),,@)

.SECONDARY:
.PHONY: all run run-iso iso test host-test guest-test fuzz bench bench-user debug clean setup lint \
        check-headers check-layers format format-check user FORCE
all: $(KERNEL)

setup:
	@tools/setup.sh

# ---- kernel link: pass 1 without symbols, then with the generated table ------------------
$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/%.asm.o: %.asm
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  NASM    $<")
	$(Q)$(NASM) -f elf32 -g -F dwarf -Iinclude/ $(NASM_EXTRA) -MD $(@:.o=.d) -MP $< -o $@

$(BUILD)/kernel/builtin_progs.asm.o: NASM_EXTRA := -I$(BUILD)/uprog/
$(BUILD)/kernel/builtin_progs.asm.o: $(UPROGS)

$(BUILD)/kernel/vdso_image.asm.o: NASM_EXTRA := -I$(BUILD)/vdso/
$(BUILD)/kernel/vdso_image.asm.o: $(VDSO_IMG)

$(BUILD)/vdso/%.c.o: vdso/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  VDSOCC  $<")
	$(Q)$(VDSO_CC) $(VDSO_CFLAGS) -c $< -o $@

$(BUILD)/vdso/%.S.o: vdso/%.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  VDSOAS  $<")
	$(Q)$(VDSO_CC) $(VDSO_CFLAGS) -c $< -o $@

$(VDSO_SO): $(VDSO_OBJ) vdso/vdso.lds vdso/vdso.ver
	@$(if $(Q),echo "  VDSOLD  $@")
	$(Q)$(VDSO_CC) $(VDSO_LDFLAGS) -o $@ $(VDSO_OBJ)

$(VDSO_IMG): $(VDSO_SO)
	@$(if $(Q),echo "  STRIP   $@")
	$(Q)$(VDSO_CROSS)objcopy --strip-all $< $@

$(BUILD)/uprog/%: $(UPROG_DIR)/%.asm
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  UPROG   $@")
	$(Q)$(NASM) -f elf32 $< -o $@.o && $(USER_LD) -m elf_i386 -s -Ttext=0x08048000 -e _start -o $@ $@.o

$(BUILD)/uprog/%: $(UPROG_DIR)/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  UPROG   $@")
	$(Q)$(USER_CC) -static -O2 -s -Wall -Werror -o $@ $<

$(BUILD)/ksyms.o $(BUILD)/ksyms_empty.o: $(BUILD)/%.o: $(BUILD)/%.c
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/ksyms_empty.c: tools/gensyms.sh
	@mkdir -p $(dir $@)
	$(Q)tools/gensyms.sh /dev/null > $@

$(BUILD)/kernel.pass1.elf: $(KERNEL_OBJ) $(BUILD)/ksyms_empty.o linker.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(LDFLAGS) -o $@ $(KERNEL_OBJ) $(BUILD)/ksyms_empty.o

$(BUILD)/ksyms.c: $(BUILD)/kernel.pass1.elf tools/gensyms.sh
	@$(if $(Q),echo "  KSYMS   $@")
	$(Q)$(NM) -n $< | tools/gensyms.sh - > $@

$(KERNEL): $(KERNEL_OBJ) $(BUILD)/ksyms.o linker.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(LDFLAGS) -o $@ $(KERNEL_OBJ) $(BUILD)/ksyms.o
	@tools/gensyms.sh --check $(NM) $(BUILD)/kernel.pass1.elf $@

# ==== user space: static i386 Linux programs and the initramfs archives ==================
# Not freestanding: built with Debian's i686-linux-gnu-gcc against its glibc (always that
# compiler, even when an i686-elf toolchain builds the kernel). user/NAME.c becomes
# $(BUILD)/user/bin/NAME (the default image's /bin), tests/user/NAME.c becomes
# $(BUILD)/user/test/NAME (the test image's /test); tests/user/common.c and lib*.c, when
# present, are linked into every test program (not into the runner, init.c).
USER_CROSS  := i686-linux-gnu-
USER_CC     := $(USER_CROSS)gcc
USER_CFLAGS := -static -O2 -g -std=gnu11 -Wall -Wextra -Werror -MMD -MP -Iinclude/uapi
USER_PROGS  := $(patsubst user/%.c,$(BUILD)/user/bin/%,$(wildcard user/*.c))
USER_TESTLIB := $(wildcard tests/user/common.c tests/user/lib*.c)
USER_TESTS  := $(patsubst tests/user/%.c,$(BUILD)/user/test/%,$(filter-out $(USER_TESTLIB),$(wildcard tests/user/*.c)))
MKCPIO      := $(BUILD)/tools/mkcpio
INITRAMFS   := $(BUILD)/initramfs.cpio
TEST_INITRAMFS := $(BUILD)/test-initramfs.cpio
INITRD      ?= $(INITRAMFS)

user: $(USER_PROGS) $(USER_TESTS) $(INITRAMFS) $(TEST_INITRAMFS)

$(BUILD)/user/bin/%: user/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  USERCC  $<")
	$(Q)$(USER_CC) $(USER_CFLAGS) -o $@ $<

$(BUILD)/user/test/init: tests/user/init.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  USERCC  $<")
	$(Q)$(USER_CC) $(USER_CFLAGS) -o $@ $<

$(BUILD)/user/test/%: tests/user/%.c $(USER_TESTLIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  USERCC  $<")
	$(Q)$(USER_CC) $(USER_CFLAGS) -Itests/user -o $@ $< $(USER_TESTLIB)

$(MKCPIO): tools/mkcpio.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(HOSTCC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -o $@ $<

# The manifests are regenerated every time (busybox may have arrived in the cache) but only
# rewritten when they change, so the archives rebuild only when something in them did.
$(BUILD)/%.list: FORCE $(USER_PROGS) $(USER_TESTS) tools/initramfs-list.sh
	@mkdir -p $(dir $@)
	$(Q)tools/initramfs-list.sh $(if $(filter test-initramfs,$*),test $(BUILD) $(USER_TESTS),default $(BUILD) $(USER_PROGS)) > $@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

# Executables the exec-error tests need in /test/data (tests/user/README): an x86_64 ELF
# (wrong class), an i386 ELF with e_machine patched to EM_ARM (wrong machine) and a dynamic
# i386 program (PT_INTERP).
USER_DATA := $(BUILD)/user/data/elf64 $(BUILD)/user/data/wrongmachine $(BUILD)/user/data/dynamic \
             $(BUILD)/user/data/bsspage
$(BUILD)/user/data/elf64: tests/user/data/exec/elf64.c
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) -static -nostdlib -O2 -o $@ $<
$(BUILD)/user/data/wrongmachine: tests/user/data/exec/elf32.c
	@mkdir -p $(dir $@)
	$(Q)$(USER_CC) -static -nostdlib -O2 -o $@ $<
	$(Q)printf '\050\000' | dd of=$@ bs=1 seek=18 conv=notrunc status=none
# A writable segment with a bss starting in its text segment's last page (exec must zero it).
$(BUILD)/user/data/bsspage: tests/user/data/exec/bsspage.c tests/user/data/exec/bsspage.lds
	@mkdir -p $(dir $@)
	$(Q)$(USER_CC) -static -nostdlib -O2 -fno-pic -fno-pie -no-pie -Wl,-T,tests/user/data/exec/bsspage.lds -Wl,--build-id=none -o $@ $<
$(BUILD)/user/data/dynamic: tests/user/data/exec/dynamic.c
	@mkdir -p $(dir $@)
	$(Q)$(USER_CC) -O2 -o $@ $<

$(BUILD)/test-initramfs.cpio: $(USER_DATA)
# An archive is rebuilt when its list or any program or file in it changed.
$(BUILD)/%.cpio: $(BUILD)/%.list $(MKCPIO) user/motd $(wildcard tests/user/data/*) $(USER_PROGS) $(USER_TESTS)
	@$(if $(Q),echo "  CPIO    $@")
	$(Q)$(MKCPIO) $< $@

FORCE:

# ---- GRUB ISO ---------------------------------------------------------------------------
iso: $(BUILD)/strata.iso
$(BUILD)/strata.iso: $(KERNEL) $(INITRAMFS) tools/grub.cfg
	@tools/setup.sh --quiet build
	@rm -rf $(BUILD)/isodir && mkdir -p $(BUILD)/isodir/boot/grub
	@cp $(KERNEL) $(BUILD)/isodir/boot/strata.elf
	@cp $(INITRAMFS) $(BUILD)/isodir/boot/initramfs.cpio
	@cp tools/grub.cfg $(BUILD)/isodir/boot/grub/grub.cfg
	@echo "  ISO     $@"
	$(Q)grub-mkrescue -o $@ $(BUILD)/isodir 2> $(BUILD)/grub-mkrescue.log || \
	  { cat $(BUILD)/grub-mkrescue.log; exit 1; }

# ---- running ----------------------------------------------------------------------------
# The serial port (the log and the monitor) is this terminal; Ctrl-A X quits QEMU.
# The initramfs is the multiboot module (INITRD=path boots another; INITRD= boots none).
run:
	@tools/setup.sh --quiet test
	@$(MAKE) --no-print-directory $(KERNEL) $(if $(INITRD),$(INITRD))
	$(QEMU) $(QEMU_FLAGS) -serial mon:stdio -kernel $(KERNEL) $(if $(INITRD),-initrd $(INITRD)) -append "$(CMDLINE)"

run-iso: $(BUILD)/strata.iso
	$(QEMU) $(QEMU_FLAGS) -serial mon:stdio -cdrom $<

debug:
	@tools/setup.sh --quiet test
	@$(MAKE) --no-print-directory $(KERNEL)
	@echo "QEMU is halted with its gdb stub on :1234; in another terminal: gdb -x tools/gdbinit"
	$(QEMU) $(QEMU_FLAGS) -serial mon:stdio -s -S -kernel $(KERNEL) -append "$(CMDLINE)"

# ---- tests ------------------------------------------------------------------------------
test:
	@tools/setup.sh --quiet test
	@$(MAKE) --no-print-directory $(KERNEL) $(BUILD)/strata.iso $(HOST_TESTS) user
	@tools/test-all.sh $(BUILD)

host-test: $(HOST_TESTS)
	@tools/test-all.sh $(BUILD) host

guest-test: $(KERNEL)
	@tools/test-all.sh $(BUILD) guest

$(BUILD)/host/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@

# The cores go into an archive, so each test links only the objects it uses.
HOST_CORE_OBJ := $(HOST_CORE:%.c=$(BUILD)/host/obj/%.o)
$(BUILD)/host/libcore.a: $(HOST_CORE_OBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/host/%: $(BUILD)/host/obj/tests/host/%.o $(BUILD)/host/obj/tests/host/htest.o \
		 $(BUILD)/host/obj/tests/host/stubs.o $(BUILD)/host/libcore.a
	@$(if $(Q),echo "  HOSTLD  $@")
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ $^

# test_elf also reads the real vDSO image.
$(BUILD)/host/obj/tests/host/test_elf.o: HOST_CFLAGS += -DVDSO_IMAGE_PATH='"$(abspath $(VDSO_IMG))"'
$(BUILD)/host/test_elf: | $(VDSO_IMG)

# The vDSO's code run for real: a static i386 program (this x86 host runs it directly) that
# maps vdso.img and calls its functions (tests/vdso/test_vdso.c); run with the host tests.
$(BUILD)/host/test_vdso: tests/vdso/test_vdso.c tests/host/htest.c kernel/lib/elf.c $(VDSO_IMG)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  USERCC  $@")
	$(Q)$(VDSO_CC) -static -std=gnu11 -O2 -g -Wall -Wextra -Werror -DSTRATA_HOST -Iinclude -Itests/host \
	  -DVDSO_IMAGE_PATH='"$(abspath $(VDSO_IMG))"' -o $@ $(filter %.c,$^)

fuzz: $(FUZZ_TARGETS)
	@for f in $(FUZZ_TARGETS); do echo "== $$f"; $$f -runs=$${FUZZ_RUNS:-200000} -seed=1 || exit 1; done

$(BUILD)/fuzz/%: tests/fuzz/%.c $(HOST_CORE) tests/host/stubs.c
	@mkdir -p $(dir $@)
	$(FUZZCC) -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined -DSTRATA_HOST -Iinclude \
	  -Itests/host -o $@ $< $(HOST_CORE) tests/host/stubs.c

# ---- benchmarks ---------------------------------------------------------------------------
bench:
	@tools/setup.sh --quiet bench
	@$(MAKE) --no-print-directory $(KERNEL) user
	@tools/bench.sh $(BUILD)
	@BUILD=$(BUILD) tools/bench-user.sh --record strata $(TEST_INITRAMFS)
	@BUILD=$(BUILD) tools/bench-user.sh --record linux $(TEST_INITRAMFS) || [ $$? -eq 77 ]

# User-space figures (guest instructions per system call, fork, exec: bench_syscalls; per
# page fault, fork and exit+wait by size, mmap+touch+munmap: bench_vm) on a given kernel:
# KERNEL_KIND=linux (the reference) or strata; RECORD=1 writes the figures into
# tests/bench/results.md; BENCH="bench_vm" (environment) runs only the programs named.
KERNEL_KIND ?= linux
bench-user:
	@tools/setup.sh --quiet test
	@$(MAKE) --no-print-directory user
	@tools/bench-user.sh $(if $(RECORD),--record) $(KERNEL_KIND) $(TEST_INITRAMFS)

# Every kernel source reaches only the repo's headers and the compiler's own (see CFLAGS).
check-headers:
	@tools/check-headers.sh $(CC_INCLUDE) -- $(CC) $(filter-out -MMD -MP,$(CFLAGS)) -- $(KERNEL_C)

# One style for every C file (.clang-format); `make format` rewrites, format-check only looks.
FORMAT_SRC = $(shell find boot kernel mm sched include tests tools user vdso -name '*.[ch]' 2>/dev/null | sort)
CLANG_FORMAT ?= clang-format
format:
	$(Q)$(CLANG_FORMAT) -i $(FORMAT_SRC)

format-check:
	@mkdir -p $(BUILD)
	@$(CLANG_FORMAT) --dry-run -Werror $(FORMAT_SRC) 2>$(BUILD)/format-check.log || \
	  { grep -c 'error:' $(BUILD)/format-check.log | xargs echo "format-check: lines off style:"; \
	    grep 'error:' $(BUILD)/format-check.log | cut -d: -f1 | sort | uniq -c | head -n 20; \
	    echo "format-check: run 'make format' (clang-format, .clang-format)"; exit 1; }
	@echo "format-check: $(words $(FORMAT_SRC)) files follow .clang-format"

# Every #include points down the layers (docs/ARCHITECTURE.md; the rules are in the script).
check-layers:
	@tools/check-layers.sh

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability -Iinclude \
	  -DSTRATA_HOST $(HOST_CORE)

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
