#!/usr/bin/env bash
# tools/test-all.sh BUILD [host|guest|iso|crash|initramfs|tools|lint|user|inject|linux]...  — Strata's test driver (`make test`).
#
# Parts (all by default):
#   host   every build/host/test_* program (host unit tests under ASan/UBSan; test_vdso, a
#          static i386 program, runs the vDSO's code), and tools/check-vdso.sh on the
#          vDSO image (build/vdso: its ELF shape, symbols and versions, no relocations)
#   guest  the in-kernel suites (`test panic=exit`) under -m 16M, 128M and 3G, and once
#          more at 128M with slub_debug, debug_pagealloc, init_on_alloc and vmcheck, on a CPU
#          with SMEP and SMAP (-cpu qemu32,+smep,+smap)
#   iso    boot build/strata.iso through GRUB to the monitor and power off
#   tools  tools/memplot draws a chart from a memstat log
#   lint   `make check-layers`, `make check-headers` and `make format-check` pass, and each
#          fails when broken (an upward include in a copy of the tree; a header from outside
#          the repo via -I; a file off style)
#   initramfs  boots with cpio archives crafted by printf: a good one (summary line, ls /,
#          cat) and one per defect (one refusal line naming the entry, a root with only /proc)
#   crash  boots at 3584M and 4G (memory above 4 GiB ignored) and at 4M (a clear stop);
#          the monitor's error handling and the crash reports (page fault, divide, panic,
#          double fault on stack overflow), each checked for its exact report lines
#   user   Strata boots build/test-initramfs.cpio (-cpu qemu32,+smep,+smap) with init=/test/init and runs every user
#          test, with vmcheck (the auditor after every exit: no "vmcheck: FAIL" line may
#          appear); the demo programs run under busybox sh; busybox sh from the monitor's
#          run: piped lines, a typed session (line editing), signals (wait, kill, ^C)
#   inject the user tests once more under fault injection (fail_page_alloc=97 failslab=89,
#          vmcheck): no panic, the runner's summary, no broken invariant or allocator report,
#          no process killed for memory, failures injected, and the settled memory line at
#          power-off equal to the one before init (free memory, slab objects, commitment,
#          the ledger: exactly)
#   linux  the reference: Debian's linux-image-686 boots build/test-initramfs.cpio
#          (rdinit=/test/init) and the runner's summary is counted; the demo programs of
#          build/initramfs.cpio run under busybox sh. Skipped with a message (not counted)
#          when tools/linux-ref.sh cannot fetch the packages.
# Each part prints its result; the last line is the total "N passed, M failed". Every QEMU
# run is bounded by a timeout; on failure the last serial lines are shown.
set -uo pipefail

BUILD=${1:-build}
shift || true
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(host guest iso crash initramfs tools lint user inject linux)
QEMU=${QEMU:-qemu-system-i386}
LOGS=$BUILD/test-logs
mkdir -p "$LOGS"
KERNEL=$BUILD/strata.elf
ISO=$BUILD/strata.iso
INITRAMFS=$BUILD/initramfs.cpio
TEST_INITRAMFS=$BUILD/test-initramfs.cpio
LINUX_REF_UNAVAILABLE=77
QEMU_BASE=(-display none -monitor none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04)
EXIT_PASS=33 EXIT_FAIL=35 EXIT_PANIC=37
# Every QEMU run is bounded, but only to catch a hang: no verdict depends on the host's
# speed, so the bound is generous (a loaded or slow machine must still pass). A hang inside
# an in-kernel test is caught sooner, by the ktest watchdog (include/kernel/ktest.h).
HANG_TIMEOUT=${HANG_TIMEOUT:-300}

total_pass=0
total_fail=0

pass() { total_pass=$((total_pass + 1)); printf '  ok    %s\n' "$1"; }
fail() {
  total_fail=$((total_fail + 1)); printf '  FAIL  %s\n' "$1"
  [ -n "${2:-}" ] && [ -f "$2" ] && { echo "  --- last lines of $2:"; tail -n 25 "$2" | sed 's/^/  | /'; }
}

# Add the "N passed, M failed" line of a log to the totals; 1 failure if there is none.
count_summary() { # name log
  local line p f
  line=$(grep -aE '^[0-9]+ passed, [0-9]+ failed' "$2" | tail -n 1)
  if [ -z "$line" ]; then
    # Crashed or hung before its summary: still count every test that reported (KTAP
    # "ok N" / "not ok N" at test depth, or the host harness's), plus one failure.
    local indent=''
    grep -aq '# Subtest:' "$2" && indent='    ' # guest KTAP: tests nest inside suites
    p=$(grep -acE "^${indent}ok [0-9]+ " "$2"); f=$(grep -acE "^${indent}not ok [0-9]+ " "$2")
    total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
    fail "$1: no summary line (crashed or hung after $p passed, $f failed)" "$2"; return 1
  fi
  p=${line%% passed*}; f=${line#*, }; f=${f%% failed*}
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
  printf '  %-5s %s: %s\n' "$([ "$f" -eq 0 ] && echo ok || echo FAIL)" "$1" "$line"
  if [ "$f" -ne 0 ]; then grep -a -B2 'not ok\|# .*:[0-9]*:' "$2" | head -n 40 | sed 's/^/  | /'; fi
  [ "$f" -eq 0 ]
}

# Boot the kernel with the given input on the serial port; sets $rc and writes $log.
qemu_run() { # log timeout input qemu-args...
  local log=$1 t=$2 input=$3; shift 3
  printf '%b' "$input" | timeout "$t" "$QEMU" "${QEMU_BASE[@]}" -serial stdio "$@" >"$log" 2>&1
  rc=$?
  sed -i 's/\r$//' "$log" # the serial console ends lines with CR LF; patterns use $
}

part_host() {
  echo "host unit tests (ASan + UBSan):"
  local t
  for t in "$BUILD"/host/test_*; do
    [ -x "$t" ] || continue
    local name=${t##*/}
    "$t" >"$LOGS/host-$name.log" 2>&1
    count_summary "$name" "$LOGS/host-$name.log" || true
  done
  if tools/check-vdso.sh "$BUILD/vdso" >"$LOGS/host-check-vdso.log" 2>&1; then
    pass "vDSO image: $(tail -n 1 "$LOGS/host-check-vdso.log" | sed 's/^check-vdso: //')"
  else
    fail "vDSO image (tools/check-vdso.sh)" "$LOGS/host-check-vdso.log"
  fi
}

part_guest() {
  echo "in-kernel suites:"
  local mem log
  for mem in ${GUEST_MEMS:-16M 128M 3G}; do
    log=$LOGS/guest-$mem.log
    qemu_run "$log" "$HANG_TIMEOUT" "" -m "$mem" -kernel "$KERNEL" -append "test panic=exit loglevel=4"
    if ! count_summary "guest -m $mem" "$log"; then continue; fi
    if [ "$rc" -ne $EXIT_PASS ]; then fail "guest -m $mem: QEMU exit status $rc, expected $EXIT_PASS" "$log"; fi
  done
  # The watchdog: a hanging test is "not ok" with a timed-out line, and the summary still
  # counts the test that passed before it. (Its own totals are not added to ours.)
  log=$LOGS/guest-watchdog.log
  qemu_run "$log" "$HANG_TIMEOUT" "" -m 32M -kernel "$KERNEL" -append "test=ktest_selftest.* panic=exit loglevel=4"
  if [ "$rc" -eq $EXIT_FAIL ]; then
    expect_lines "guest watchdog: a hang is reported and the summary counts what ran" "$log" \
      '^    ok 1 passes_before_the_hang' \
      '# ktest_selftest.hang_is_reported_by_the_watchdog: timed out after 1 s' \
      '^    not ok 2 hang_is_reported_by_the_watchdog' '^1 passed, 1 failed'
  else
    fail "guest watchdog: QEMU exit status $rc, expected $EXIT_FAIL" "$log"
  fi
  # Once more with every debug switch on, on a CPU with SMEP and SMAP: the same suites must
  # hold under checking, and the kernel touch user memory only in the copy helpers.
  log=$LOGS/guest-debug.log
  qemu_run "$log" "$HANG_TIMEOUT" "" -m 128M -cpu qemu32,+smep,+smap -kernel "$KERNEL" \
    -append "test panic=exit loglevel=4 slub_debug debug_pagealloc init_on_alloc vmcheck"
  if count_summary "guest -m 128M +smep,+smap slub_debug debug_pagealloc init_on_alloc vmcheck" "$log" &&
     [ "$rc" -ne $EXIT_PASS ]; then
    fail "guest debug: QEMU exit status $rc, expected $EXIT_PASS" "$log"
  fi
}

# Require every pattern (extended regex) in the log. Serial lines end in CR LF (Strata's
# console and Linux's tty both send CR), so the CRs go first and a pattern may end in '$'.
expect_lines() { # name log pattern...
  local name=$1 log=$2 p missing="" text; shift 2
  text=$(tr -d '\r' < "$log")
  for p in "$@"; do grep -aqE -- "$p" <<<"$text" || missing="$missing [$p]"; done
  if [ -z "$missing" ]; then pass "$name"; else fail "$name: missing$missing" "$log"; fi
}

part_iso() {
  echo "GRUB ISO boot:"
  # -m 64M; MemTotal is a little lower with the initramfs module reserved (a few MB).
  local log=$LOGS/iso.log
  qemu_run "$log" "$HANG_TIMEOUT" "uptime\nmeminfo\nbuddyinfo\nmemmap\npoweroff\n" -m 64M -cdrom "$ISO"
  if [ "$rc" -eq 0 ]; then
    expect_lines "iso boots through GRUB to the monitor and powers off" "$log" \
      'boot: Strata' 'strata> ' '^up [0-9]+\.[0-9]{6} s' '^MemTotal: +(5[6-9]|6[0-9])[0-9]{3} kB' '^MemFree: ' '^Slab: +[0-9]+ kB' '^KernelStack: +[0-9]+ kB' \
      '^Node 0, zone +DMA( +[0-9]+){13}.?$' 'reserved \(kernel image\)' 'Powering off'
  else
    fail "iso: QEMU exit status $rc, expected 0 (poweroff)" "$log"
  fi
}

part_crash() {
  echo "monitor and crash reports:"
  local log
  log=$LOGS/monitor.log
  qemu_run "$log" "$HANG_TIMEOUT" "help\nnosuchcmd\ncrash\ncrash sideways\n$(printf 'x%.0s' $(seq 2000))\na b c d e f g h i\nuptime\npoweroff\n" \
    -m 32M -kernel "$KERNEL"
  if [ "$rc" -eq 0 ]; then
    expect_lines "monitor: bad input gets one-line errors, then poweroff exits 0" "$log" \
      'crash pagefault\|divide\|panic\|stack\|oom' "monitor: unknown command 'nosuchcmd'" \
      '^usage: crash pagefault\|divide\|panic\|stack\|oom' "crash: unknown kind 'sideways'" \
      'monitor: line too long' 'monitor: too many arguments' '^up [0-9]+\.[0-9]{6} s'
  else
    fail "monitor: QEMU exit status $rc, expected 0" "$log"
  fi

  log=$LOGS/monitor-mm.log
  # loglevel=7: the reaper logs each task at debug level (checked below).
  qemu_run "$log" "$HANG_TIMEOUT" "ps\nkill 1\nkill 999\nkill x\nstress tasks 40\nstress tasks 0\nslabinfo\nleaks\nmemdemo\nmeminfo extra\npoweroff\n" \
    -m 64M -kernel "$KERNEL" -append "loglevel=7"
  if [ "$rc" -eq 0 ]; then
    expect_lines "monitor: ps, kill, stress, slabinfo, leaks, memdemo" "$log" \
      '^ +TID +NAME +STATE +PAGES +SLAB\(B\) +LIMIT\(kB\)' '^ +0 +kmain +running' '^ +2 +reaper ' \
      'kill: task 1 is a system task' 'kill: no live task 999' '^usage: kill TID' \
      'stress: 40 tasks created and ended \(0 could not be created\)' \
      'stress: no leak: every byte came back' '^usage: stress tasks N' \
      '^slabinfo - version: 2.1' '^# name +<active_objs> <num_objs> <objsize>' '^kmalloc-64 ' \
      '^ +count +bytes +caller' 'mm: memory pressure WARNING: ' 'mm: memory pressure CRITICAL: ' \
      'memdemo: +failed gracefully: OOM: requested [0-9]+ bytes, only [0-9]+ available \([0-9]+ used / [0-9]+ total\)' \
      'mm: memory pressure normal: ' 'memdemo: free memory is back to [0-9]+ kB, exactly as before' \
      'memdemo: 7. a user process asks for [0-9]+ MiB, more than there is' \
      'uhello invoked oom-killer: gfp_mask=0x[0-9a-f]+\(GFP_HIGHUSER_MOVABLE\|__GFP_COMP\), order=0, oom_score_adj=0' \
      '^\[ +[0-9.]+\] \[  pid  \]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name' \
      'Out of memory: Killed process [0-9]+ \(uhello\) total-vm:[0-9]+kB, anon-rss:[0-9]+kB, file-rss:[0-9]+kB, shmem-rss:0kB, UID:0 pgtables:[0-9]+kB oom_score_adj:0' \
      'oom_reaper: reaped process [0-9]+ \(uhello\), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB' \
      'memdemo: +pid [0-9]+ was killed by the OOM killer \(SIGKILL\)' \
      'memdemo: free memory is back to [0-9]+ kB, exactly as before the process' \
      '^usage: meminfo' 'sched: reaped task [0-9]+ \(stress\): freed [0-9]+ kB'
  else
    fail "monitor: QEMU exit status $rc, expected 0" "$log"
  fi

  local mem
  for mem in 3584M 4G; do
    log=$LOGS/boot-$mem.log
    qemu_run "$log" "$HANG_TIMEOUT" "meminfo\npoweroff\n" -m "$mem" -kernel "$KERNEL"
    if [ "$rc" -eq 0 ]; then
      expect_lines "boot -m $mem: memory at or above 4 GiB ignored with one line" "$log" \
        'mm: ignoring memory at or above 4 GiB \(1 map entries cut\)' '^MemTotal: +3[0-9]{6} kB'
    else
      fail "boot -m $mem: QEMU exit status $rc, expected 0" "$log"
    fi
  done
  log=$LOGS/boot-4M.log
  qemu_run "$log" "$HANG_TIMEOUT" "" -m 4M -kernel "$KERNEL" -append "panic=exit"
  [ "$rc" -eq $EXIT_PANIC ] || fail "boot -m 4M: QEMU exit status $rc, expected $EXIT_PANIC" "$log"
  expect_lines "boot -m 4M: too little RAM stops with the sizes" "$log" \
    'PANIC: mm: only [0-9]+ kB of usable RAM after reservations; Strata needs [0-9]+ kB'

  log=$LOGS/crash-pagefault.log
  qemu_run "$log" "$HANG_TIMEOUT" "crash pagefault\n" -m 32M -kernel "$KERNEL" -append "panic=exit"
  [ "$rc" -eq $EXIT_PANIC ] || fail "crash pagefault: QEMU exit status $rc, expected $EXIT_PANIC" "$log"
  expect_lines "crash pagefault: decoded #PF report naming CR2 and the function" "$log" \
    'trap: #PF page fault \(vector 14\) at eip=[0-9a-f]{8} \(crash_pagefault[.a-z0-9]*\+0x' \
    'error=0002: not-present write kernel-mode' 'CR2=00000000 \(NULL page\)' \
    'mm: kernel NULL pointer dereference at 00000000' 'PANIC: kernel NULL pointer dereference: page fault' '#1 +[0-9a-f]{8} (cmd_crash|monitor_exec)\+0x' 'kmain\+0x'

  log=$LOGS/crash-divide.log
  qemu_run "$log" "$HANG_TIMEOUT" "crash divide\n" -m 32M -kernel "$KERNEL" -append "panic=exit"
  [ "$rc" -eq $EXIT_PANIC ] || fail "crash divide: QEMU exit status $rc, expected $EXIT_PANIC" "$log"
  expect_lines "crash divide: #DE report" "$log" \
    'trap: #DE divide error \(vector 0\) at eip=[0-9a-f]{8} \(crash_divide[.a-z0-9]*\+0x' 'PANIC: unhandled exception: divide error'

  log=$LOGS/crash-panic.log
  qemu_run "$log" "$HANG_TIMEOUT" "crash panic\n" -m 32M -kernel "$KERNEL" -append "panic=exit"
  [ "$rc" -eq $EXIT_PANIC ] || fail "crash panic: QEMU exit status $rc, expected $EXIT_PANIC" "$log"
  expect_lines "crash panic: message and symbolized backtrace" "$log" \
    'PANIC: crash: panic requested from the monitor' '^\[.*\] backtrace:' \
    '#0 +[0-9a-f]{8} cmd_crash\+0x' 'monitor_exec\+0x' 'kmain\+0x' '^MemTotal: +[0-9]+ kB' \
    'panic: exiting QEMU'

  log=$LOGS/crash-oom.log
  qemu_run "$log" "$HANG_TIMEOUT" "crash oom\n" -m 32M -kernel "$KERNEL" -append "panic=exit"
  [ "$rc" -eq $EXIT_PANIC ] || fail "crash oom: QEMU exit status $rc, expected $EXIT_PANIC" "$log"
  expect_lines "crash oom: a must-succeed allocation that fails panics with the report" "$log" \
    'mm: memory pressure CRITICAL: ' \
    'PANIC: out of memory: order-0 allocation \(gfp 0x[0-9a-f]+\) from [a-z_]+.*: OOM: requested 4096 bytes, only [0-9]+ available' \
    '#[0-9] +[0-9a-f]{8} crash_oom' '^MemTotal: +[0-9]+ kB' '^MemFree: +[0-9]+ kB'

  log=$LOGS/crash-stack.log
  qemu_run "$log" "$HANG_TIMEOUT" "crash stack\n" -m 32M -kernel "$KERNEL" -append "panic=exit"
  [ "$rc" -eq $EXIT_PANIC ] || fail "crash stack: QEMU exit status $rc, expected $EXIT_PANIC" "$log"
  expect_lines "crash stack: double fault on its own stack reports the overflow" "$log" \
    'trap: #DF double fault at eip=[0-9a-f]{8} \(crash_stack[.a-z0-9]*\+0x' \
    'kernel stack overflow: esp is in the guard page' 'PANIC: double fault \(kernel stack overflow\)'
}

part_tools() {
  echo "tools:"
  local log=$LOGS/memplot-input.log png=$LOGS/memplot.png
  printf '[    1.000100] mm: stat used=1000 kB free=9000 kB total=10000 kB pct=10.0\n[    2.000100] mm: stat used=9700 kB free=300 kB total=10000 kB pct=97.0\n' > "$log"
  rm -f "$png"
  if tools/memplot "$log" "$png" >"$LOGS/memplot.out" 2>&1 && [ "$(head -c 4 "$png" | tail -c 3)" = PNG ]; then
    pass "memplot: a PNG chart from memstat records"
  else
    fail "memplot: no PNG produced" "$LOGS/memplot.out"
  fi
  if tools/memplot /dev/null "$png" >"$LOGS/memplot-empty.out" 2>&1; then
    fail "memplot: a log without records must be an error" "$LOGS/memplot-empty.out"
  else
    pass "memplot: a log without records is refused with a message"
  fi
}

part_lint() {
  echo "lint:"
  local make=${MAKE:-make} log=$LOGS/lint-layers.log tmp=$BUILD/lint outside out cc
  if $make --no-print-directory check-layers >"$log" 2>&1; then
    pass "check-layers: every include points down the layers"
  else
    fail "check-layers" "$log"
  fi
  log=$LOGS/lint-headers.log
  if $make --no-print-directory check-headers >"$log" 2>&1; then
    pass "check-headers: kernel sources reach only the repo's and the compiler's headers"
  else
    fail "check-headers" "$log"
  fi

  # check-layers must fail on a copy of the tree with upward includes: one direct from lib,
  # one from a user ABI header, one direct from an mm core, one an mm core reaches through
  # an mm header.
  rm -rf "$tmp" && mkdir -p "$tmp/tree" && cp -r kernel mm sched include "$tmp/tree/"
  echo '#include "kernel/serial.h"' >>"$tmp/tree/kernel/lib/printk.c"
  echo '#include "lib/string.h"' >>"$tmp/tree/include/uapi/strata/memstatus.h"
  echo '#include "sched/task.h"' >>"$tmp/tree/mm/buddy.c"
  echo '#include "mm/paging.h"' >>"$tmp/tree/mm/kmalloc.c"
  log=$LOGS/lint-layers-broken.log
  if tools/check-layers.sh "$tmp/tree" >"$log" 2>&1; then
    fail "check-layers: a tree with upward includes must fail" "$log"
  else
    expect_lines "check-layers: fails naming each upward include" "$log" \
      '^check-layers: kernel/lib/printk\.c:[0-9]+: includes "kernel/serial\.h": upward' \
      '^check-layers: include/uapi/strata/memstatus\.h:[0-9]+: includes "lib/string\.h": upward' \
      '^check-layers: mm/buddy\.c:[0-9]+: includes "sched/task\.h": upward' \
      '^check-layers: mm/kmalloc\.c reaches "x86/mmu\.h" through "mm/paging\.h"'
  fi

  # check-headers must fail on a source that reaches a header outside the repo through -I.
  outside=$(mktemp -d) || { fail "lint: mktemp"; return; }
  echo '#define OUTSIDE 1' >"$outside/outside.h"
  printf '#include "lib/string.h"\n#include "outside.h"\nint lint_outside = OUTSIDE;\n' \
    >"$tmp/outside.c"
  if command -v i686-elf-gcc >/dev/null 2>&1; then cc=i686-elf-gcc; else cc=i686-linux-gnu-gcc; fi
  log=$LOGS/lint-headers-broken.log
  if $make --no-print-directory check-headers CC="$cc -I$outside" KERNEL_C="$tmp/outside.c" \
       >"$log" 2>&1; then
    fail "check-headers: a header from outside the repo must fail" "$log"
  else
    out=${outside//./\\.}
    expect_lines "check-headers: fails naming the outside header" "$log" \
      "^check-headers: $tmp/outside\\.c reaches $out/outside\\.h"
  fi
  rm -rf "$outside" "$tmp"

  # Every C file follows .clang-format, and format-check fails on a file that does not.
  log=$LOGS/lint-format.log
  if $make --no-print-directory format-check >"$log" 2>&1; then
    pass "format-check: every C file follows .clang-format"
  else
    fail "format-check (run 'make format')" "$log"
  fi
  mkdir -p "$tmp"
  printf 'int  lint_off_style( void ){return 1;}\n' >"$tmp/offstyle.c"
  log=$LOGS/lint-format-broken.log
  if $make --no-print-directory format-check FORMAT_SRC="$tmp/offstyle.c" >"$log" 2>&1; then
    fail "format-check: a file off style must fail" "$log"
  else
    expect_lines "format-check: fails naming the file off style" "$log" "offstyle\.c"
  fi
  rm -rf "$tmp"
}

# ---- initramfs: archives crafted with printf (newc headers are ASCII) ---------------------
# Append one newc entry to FILE: NAME, MODE (an octal string), DATA; optional overrides of
# the magic, the name size and the file size (hex) make defective headers.
cpio_entry() { # file name mode data [magic] [namesize] [filesize]
  local f=$1 name=$2 mode=$3 data=$4 magic=${5:-070701}
  local nsize=${6:-$(printf '%08X' $(( ${#name} + 1 )))} fsize=${7:-$(printf '%08X' ${#data})}
  printf '%s%08X%08X%08X%08X%08X%08X%s%08X%08X%08X%08X%s%08X' "$magic" 0 $((8#$mode)) 0 0 1 0 \
    "$fsize" 0 0 0 0 "$nsize" 0 >>"$f"
  printf '%s\0' "$name" >>"$f"; cpio_pad4 "$f"
  printf '%s' "$data" >>"$f"; cpio_pad4 "$f"
}
cpio_pad4() { local n; n=$(stat -c %s "$1"); head -c $(( (4 - n % 4) % 4 )) /dev/zero >>"$1"; }
cpio_trailer() { cpio_entry "$1" 'TRAILER!!!' 0 ''; }

# Boot with the archive $2 as the initrd, list / and power off; the refusal line $3 (a
# regex, or "" for a good archive) must appear exactly once and the monitor must come up.
initramfs_boot() { # name archive refusal-regex [more patterns...]
  local name=$1 img=$2 refusal=$3; shift 3
  local log=$LOGS/initramfs-$name.log
  qemu_run "$log" "$HANG_TIMEOUT" "ls /\ncat /etc/motd\nmemmap\npoweroff\n" -m 32M -kernel "$KERNEL" -initrd "$img"
  if [ "$rc" -ne 0 ]; then fail "initramfs $name: QEMU exit status $rc, expected 0 (poweroff)" "$log"; return; fi
  if [ -n "$refusal" ]; then
    local n; n=$(grep -ac 'initramfs: refused' "$log")
    if [ "$n" -ne 1 ]; then fail "initramfs $name: $n refusal lines, expected exactly 1" "$log"; return; fi
    # Only the kernel's own /proc mount point may be there.
    if grep -aE '^[-dlcbps][-rwxsStT]{9} ' "$log" | grep -avqE '^dr-xr-xr-x .* proc$'; then fail "initramfs $name: ls / shows entries of a refused archive" "$log"; return; fi
    expect_lines "initramfs $name: refused with one line naming the entry, boots on with an empty root" "$log" \
      "initramfs: refused: $refusal\$" 'strata> ' "cat: /etc/motd: no such file or directory" 'Powering off' "$@"
  else
    expect_lines "initramfs $name: unpacked, ls / and cat at the monitor" "$log" 'strata> ' 'Powering off' "$@"
  fi
}

part_initramfs() {
  echo "initramfs (cpio newc) at boot:"
  local d=$LOGS/initramfs a
  rm -rf "$d"; mkdir -p "$d"

  a=$d/good.cpio
  cpio_entry "$a" . 40755 ''; cpio_entry "$a" bin 40755 ''; cpio_entry "$a" bin/hello 100755 $'hi\n'
  cpio_entry "$a" init 120777 bin/hello; cpio_entry "$a" etc 40755 ''
  cpio_entry "$a" ./etc/motd 100644 $'Welcome to Strata\n'; cpio_trailer "$a"
  head -c 512 /dev/zero >>"$a" # block padding after the trailer is ignored
  initramfs_boot good "$a" '' \
    'initramfs: unpacked 6 entries \(2 files, 3 dirs, 1 symlinks\), 2 kB, read in place from module 0' \
    '^drwxr-xr-x +2 +0 +0 +0 bin$' '^lrwxrwxrwx +1 +0 +0 +9 init -> bin/hello$' \
    '^drwxr-xr-x +2 +0 +0 +0 etc$' '^Welcome to Strata$' '\] reserved \(multiboot modules\)$'

  a=$d/bad-magic.cpio
  cpio_entry "$a" bin 40755 ''; cpio_entry "$a" bin/x 100644 x 070703; cpio_trailer "$a"
  initramfs_boot bad-magic "$a" "entry 1: bad magic"

  a=$d/truncated-header.cpio
  cpio_entry "$a" bin 40755 ''; cpio_entry "$d/next" bin/x 100644 x; head -c 60 "$d/next" >>"$a"; rm -f "$d/next"
  initramfs_boot truncated-header "$a" "entry 1: truncated header \(60 bytes left, 110 needed\)"

  a=$d/name-without-nul.cpio
  cpio_entry "$a" abc 100644 x 070701 00000003; cpio_trailer "$a"
  initramfs_boot name-without-nul "$a" "entry 0: name without its NUL"

  a=$d/size-past-end.cpio
  cpio_entry "$a" etc 40755 ''; cpio_entry "$a" etc/big 100644 data 070701 '' 00000020
  initramfs_boot size-past-end "$a" "entry 1 'etc/big': data runs past the end of the archive"

  a=$d/dotdot.cpio
  cpio_entry "$a" bin 40755 ''; cpio_entry "$a" bin/../x 100644 x; cpio_trailer "$a"
  initramfs_boot dotdot "$a" "entry 1 'bin/\.\./x': '\.\.' in path"

  a=$d/absurd-size.cpio
  cpio_entry "$a" huge 100644 x 070701 '' FFFFFFFF; cpio_trailer "$a"
  initramfs_boot absurd-size "$a" "entry 0 'huge': file size 4294967295 exceeds the archive \($(stat -c %s "$a") bytes\)"

  a=$d/absurd-name-size.cpio
  cpio_entry "$a" name 100644 x 070701 00001388; cpio_trailer "$a"
  initramfs_boot absurd-name-size "$a" "entry 0: name size 5000 exceeds 4096"
}

# Boot KIND on an initramfs with the given command-line words; writes $log, sets $rc.
#   linux   Debian's 686 kernel (tools/linux-ref.sh; rdinit= names init, console ttyS0)
#   strata  our kernel as a multiboot kernel with the archive as its module (init= names init)
boot_user() { # kind log initrd init cmdline-words...
  local kind=$1 initrd=$3 init=$4; log=$2; shift 4
  case $kind in
    linux)  LINUX_TIMEOUT=$HANG_TIMEOUT tools/linux-ref.sh boot "$initrd" "$log" "rdinit=$init $*"; rc=$? ;;
    strata) qemu_run "$log" "$HANG_TIMEOUT" "" -m 256M -cpu qemu32,+smep,+smap -kernel "$KERNEL" \
              -initrd "$initrd" -append "init=$init panic=exit loglevel=4 $*" ;;
    *) echo "boot_user: unknown kernel kind '$kind'" >&2; rc=2 ;;
  esac
}

# The user-space test programs on KIND (linux now; strata once it runs processes):
# /test/init runs every /test/t_* (or those named in ARGS) and prints KTAP and
# "N passed, M failed", then powers off, so QEMU exits 0. The summary goes into the totals.
run_user_tests() { # kind [runner args...]
  local kind=$1; shift
  boot_user "$kind" "$LOGS/user-$kind.log" "$TEST_INITRAMFS" /test/init "$@"
  count_summary "user tests on $kind" "$log" || return 0
  [ "$rc" -eq 0 ] || fail "user tests on $kind: QEMU exit status $rc, expected 0 (power-off)" "$log"
  grep -aq '^KTAP version 1' "$log" || fail "user tests on $kind: no KTAP header" "$log"
}

# The default image's demo programs on KIND, under busybox sh as init (needs busybox).
run_user_demos() { # kind
  local kind=$1
  if ! grep -q '^file /bin/busybox ' "$BUILD/initramfs.list" 2>/dev/null; then
    printf '  skip  demo programs on %s: the default image has no busybox\n' "$kind"; return 0
  fi
  boot_user "$kind" "$LOGS/user-demos-$kind.log" "$INITRAMFS" /bin/sh -- -c \
    '"cat /etc/motd; hello 7 a b; echo hello-status=$?; hog 8m write mmap; hog 4m read brk; hog 1m every=4; forktree 3; echo forktree-status=$?; forktree 2 3; cowdemo 8; echo cowdemo-status=$?; poweroff -f"'
  if [ "$rc" -ne 0 ]; then fail "demo programs on $kind: QEMU exit status $rc, expected 0" "$log"; return 0; fi
  expect_lines "demo programs on $kind: hello, hog, forktree, cowdemo under busybox sh" "$log" \
    '^Welcome to Strata' '^hello: argc=4' '^hello: argv\[3\]="b"' '^hello-status=7' \
    '^hog: 8388608 bytes \(2048 pages\) from mmap' '^hog: touched 2048 pages \(write\)' \
    '^hog: touched 1024 pages \(read\), all read as zero' '^hog: touched 64 pages \(every=4\)' \
    '^hog: free memory before [0-9]+ kB, after [0-9]+ kB' \
    '^forktree: 15 processes ran \(expected 15\)' '^forktree-status=0' \
    '^forktree: 13 processes ran \(expected 13\)' \
    '^cowdemo: parent wrote 8 MiB' '^cowdemo: after the child: .* its own: yes' \
    '^cowdemo: 8 children each added one to a MAP_SHARED counter: it reads 8' '^cowdemo-status=0'
}

part_user() {
  echo "user space on Strata (the same archive as on Linux):"
  # With the auditor after every exit (13,000 exits): a few seconds more than without here,
  # where a second boot would cost the whole run again; a broken invariant prints a
  # "vmcheck: FAIL" line.
  run_user_tests strata vmcheck
  if grep -aq 'vmcheck: FAIL' "$LOGS/user-strata.log"; then
    fail "user tests on strata: vmcheck found broken invariants"
    grep -a 'vmcheck: FAIL' "$LOGS/user-strata.log" | head -n 20 | sed 's/^/  | /'
  else
    pass "user tests on strata: vmcheck after every exit found nothing broken"
  fi
  # Without a vDSO (vdso=0, Linux's vdso32=0) glibc makes real system calls for the clocks and
  # returns from handlers through its own SA_RESTORER code: the tests of those paths pass.
  boot_user strata "$LOGS/user-strata-novdso.log" "$TEST_INITRAMFS" /test/init vdso=0 -- \
    t_auxv t_signal t_sigwait t_sys t_libc t_procfs t_vdso
  count_summary "user tests on strata with vdso=0" "$log" || true
  [ "$rc" -eq 0 ] || fail "user tests on strata with vdso=0: QEMU exit status $rc" "$log"
  shell_sessions
  # The demo programs from the monitor, as README shows: run prints each one's status.
  local log=$LOGS/user-monitor-strata.log
  qemu_run "$log" "$HANG_TIMEOUT" "run /bin/hog 4m write brk silent &\noomadj 2 500\nlimit 2 64m\noom\nlimit 2 none\noomadj 2 x\nrun /bin/hello 7 a b\nrun /bin/hog 8m write mmap\nrun /bin/hog 4m read brk\nrun /bin/forktree 3\nrun /bin/cowdemo 16\nrun /bin/memsteer 0 --with-hog 16m\nps\nmeminfo\nvmstat\nsysctl vm.overcommit_memory=2\nsysctl vm.overcommit_ratio\npoweroff\n" \
    -m 128M -kernel "$KERNEL" -initrd "$INITRAMFS"
  if [ "$rc" -ne 0 ]; then fail "demo programs from the monitor: QEMU exit status $rc, expected 0" "$log"; return 0; fi
  expect_lines "demo programs from the monitor: run prints each status; meminfo, vmstat, sysctl" "$log" \
    '^run: /bin/hog started in the background, pid 2' '^oomadj: pid 2 \(hog\) oom_score_adj 500' \
    '^limit: pid 2 \(hog\) capped at 65536 kB' '^oom_kill 0' '^next victim: pid 2, badness [0-9]+' \
    '^limit: pid 2 \(hog\) has no cap' '^usage: oomadj PID N' \
    '^hello: argc=4' '^hello: argv\[3\]="b"' '^run: /bin/hello exited with status 7' \
    '^hog: touched 2048 pages \(write\)' '^hog: touched 1024 pages \(read\), all read as zero' \
    '^run: /bin/hog exited with status 0' '^forktree: 15 processes ran \(expected 15\)' \
    '^run: /bin/forktree exited with status 0' '^run: /bin/cowdemo exited with status 0' \
    '^memsteer: level normal -> WARNING' '^memsteer: shrink: cache [0-9]+ kB' \
    '^memsteer: hog: started pid [0-9]+: /bin/hog 16m write brk hold' \
    '^memsteer: hog: ended by SIGTERM as asked' \
    '^memsteer: done: peak [0-9]+ kB, final [0-9]+ kB, oom-kills 0' \
    '^run: /bin/memsteer exited with status 0' \
    'PID +PPID' \
    '^AnonPages: +[0-9]+ kB' '^Mapped: +[0-9]+ kB' '^Shmem: +[0-9]+ kB' '^Cached: +[0-9]+ kB' \
    '^Committed_AS: +[0-9]+ kB' '^CommitLimit: +[0-9]+ kB' '^vm.overcommit_memory = 2' \
    '^vm.overcommit_ratio = 50' \
    '^pgfault [1-9][0-9]*$' '^pgalloc [1-9][0-9]*$' '^cow_fault [1-9][0-9]*$' \
    '^zero_page_map [1-9][0-9]*$' '^pt_share_fork [1-9][0-9]*$'
}

# ---- busybox sh on the console, from the monitor's `run` ------------------------------------
# A session driven as a person at the serial console would: send a line, read what the
# console prints until a pattern shows (each step bounded by STEP_TIMEOUT, a hang guard).
STEP_TIMEOUT=${STEP_TIMEOUT:-60}

sess_start() { # log qemu-args...
  local log=$1 dir; shift
  sess_buf=
  dir=$(mktemp -d) && mkfifo "$dir/in" "$dir/out" || return 1
  timeout "$HANG_TIMEOUT" "$QEMU" "${QEMU_BASE[@]}" -serial stdio "$@" <"$dir/in" >"$dir/out" 2>&1 &
  sess_pid=$!
  exec {sess_w}>"$dir/in" {sess_r}<"$dir/out" {sess_log}>"$log"
  rm -rf "$dir" # the open ends keep the pipes
}

# Read the console until the text since the last match matches the ERE $1 (tested at each
# space and newline: prompts end with "# ", lines with a newline). 0, or 1 on EOF or timeout.
sess_expect() {
  local re=$1 c end=$((SECONDS + STEP_TIMEOUT))
  while [ $SECONDS -lt $end ]; do
    if ! IFS= read -r -N 1 -t 5 c <&"$sess_r"; then
      kill -0 "$sess_pid" 2>/dev/null && continue
      return 1
    fi
    printf '%s' "$c" >&"$sess_log"
    sess_buf+=$c
    case $c in ' ' | $'\n') if [[ $sess_buf =~ $re ]]; then sess_buf=; return 0; fi ;; esac
  done
  return 1
}

sess_send() { printf '%b' "$1" >&"$sess_w" 2>/dev/null; }

# Send each "line" of $2... after waiting for the pattern before it; stop at the first
# pattern that does not come. Pairs: SEND EXPECT.
sess_steps() {
  while [ $# -ge 2 ]; do
    sess_send "$1"
    sess_expect "$2" || { printf '\n[session: no %q after %q]\n' "$2" "$1" >&"$sess_log"; return 1; }
    shift 2
  done
}

sess_end() {
  local c
  while IFS= read -r -N 1 -t 5 c <&"$sess_r"; do printf '%s' "$c" >&"$sess_log"; done
  kill "$sess_pid" 2>/dev/null
  wait "$sess_pid" 2>/dev/null
  exec {sess_w}>&- {sess_r}<&- {sess_log}>&-
}

# Boot the default image, `run /bin/sh`, play the SEND EXPECT pairs, power off. Log in $1.
shell_session() { # log pairs...
  local log=$1; shift
  sess_start "$log" -m 128M -kernel "$KERNEL" -initrd "$INITRAMFS" -append "loglevel=4"
  sess_expect 'strata> $' && sess_steps 'run /bin/sh\n' '/ # $' "$@" 'poweroff\n' 'Powering off'
  sess_end
}

shell_sessions() {
  if ! grep -q '^file /bin/busybox ' "$BUILD/initramfs.list" 2>/dev/null; then
    printf '  skip  busybox sh from the monitor: the default image has no busybox\n'; return 0
  fi
  local log=$LOGS/user-shell-piped.log prompt='/ # $' ready=$'\nREADY\r\n$'
  # Piped lines, all at once: what the shell leaves unread (poweroff) goes back to the monitor.
  qemu_run "$log" "$HANG_TIMEOUT" "run /bin/sh\ncat /proc/meminfo | grep MemTotal\nls -l /proc | grep meminfo\nfree\nps\ntop -n 1 -b | head -3\nsleep 1; echo slept\nsh -c 'kill -TERM \$\$'; echo \"child status \$?\"\necho edit-abX\x7fc\njunk\x15echo killed-line-ok\nexit\npoweroff\n" \
    -m 128M -kernel "$KERNEL" -initrd "$INITRAMFS"
  [ "$rc" -eq 0 ] || fail "busybox sh with piped lines: QEMU exit status $rc, expected 0 (the monitor's poweroff after exit)" "$log"
  expect_lines "busybox sh with piped lines: a pipeline, ls -l /proc, free, ps, top -n 1, sleep 1, a child's SIGTERM, DEL and ^U, exit back to the monitor" "$log" \
    '^MemTotal: +[0-9]+ kB' '^-r--r--r-- .* meminfo$' '^Mem: +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+$' \
    '^ +2 0 +/bin/sh$' '^Mem: [0-9]+K used, [0-9]+K free' '^Load average: ' '^slept' '^child status 143' '^edit-abc' '^killed-line-ok' \
    '^run: /bin/sh exited with status 0' 'Powering off'
  # Typed as a person types: the line discipline's canonical editing under `read` and cat
  # (^U, ^W, DEL, ^D), busybox's own line editing at the prompt.
  log=$LOGS/user-shell-edit.log
  shell_session "$log" \
    'echo abX\x7fc-edited\n' "$prompt" \
    'echo READY; read x; echo "[$x]"\n' "$ready" \
    'junk\x15hello wor\x17world\n' "$prompt" \
    'echo READY; read y; echo "[$y]"\n' "$ready" \
    'abc\x7f\x7fZ\n' "$prompt" \
    'echo READY; cat; echo "cat status $?"\n' "$ready" \
    'line1\n' $'line1\r\n$' \
    '\x04' "$prompt" \
    'exit\n' 'strata> $'
  expect_lines "busybox sh typed at the console: ^U, ^W and DEL in canonical reads, ^D ends cat, the shell's own editing, exit" "$log" \
    '^abc-edited' '^\[hello world\]' '^\[aZ\]' '^line1' '^cat status 0' \
    '^run: /bin/sh exited with status 0' 'Powering off'
  # What needs signal handlers (ash's wait sleeps in sigsuspend for its SIGCHLD handler; after
  # ^C kills the foreground job, ash signals itself to get back to its prompt).
  # (The kill runs in a non-interactive sh: an interactive ash ignores SIGTERM, and its
  # background child takes the default back only after the fork, so an early kill is lost.)
  log=$LOGS/user-shell-signals.log
  shell_session "$log" \
    'sleep 1 & wait; echo "waited $?"\n' "$prompt" \
    "sh -c 'sleep 30 & kill \$!; wait \$!; echo killed \$?'\\n" "$prompt" \
    'echo READY; sleep 30\n' "$ready" \
    '\x03' "$prompt" \
    'echo "after ^C $?"\n' "$prompt" \
    'exit\n' 'strata> $'
  expect_lines "busybox sh: a background job and wait, kill of a job, ^C ends the foreground job only (needs signal handlers: ash's wait and ^C recovery)" "$log" \
    '^waited 0' '^killed 143' '^after \^C 130' '^run: /bin/sh exited with status 0' 'Powering off'
}

# The user suite once more under fault injection (Linux's fail_page_alloc and failslab,
# include/mm/failinject.h): every 97th page allocation and every 89th slab allocation made
# for a user process fails. Tests may fail their own checks (not counted: an allocation they
# expected to succeed failed); what is asserted is the kernel's side: no panic (the runner's
# power-off, status 0), the runner's summary, no broken invariant (vmcheck), no allocator
# report (double or bad free), no process killed for memory (each failure reached a system
# call as an error), failures actually injected, and after every process has ended the
# settled memory line equal to the one before init (include/kernel/shutdown.h): free memory,
# slab objects, commitment, the ledger, page cache and SysV segments, exactly.
part_inject() {
  echo "user space on Strata under fault injection (fail_page_alloc=97 failslab=89):"
  local log=$LOGS/user-inject.log before after line pages slabs
  # A test that lost a fork or a pipe write to an injected failure may wait forever for a
  # peer that never came: the runner kills a test (and its process group) still running after
  # 60 s, a hang guard only (no verdict here depends on it), so the bound is longer too.
  qemu_run "$log" "$((HANG_TIMEOUT * 3))" "" -m 256M -cpu qemu32,+smep,+smap -kernel "$KERNEL" \
    -initrd "$TEST_INITRAMFS" \
    -append "init=/test/init panic=exit loglevel=6 vmcheck fail_page_alloc=97 failslab=89 -- --deadline=60"
  if [ "$rc" -ne 0 ]; then fail "inject: QEMU exit status $rc, expected 0 (the runner's power-off)" "$log"; return 0; fi
  line=$(grep -aE '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  if [ -n "$line" ]; then
    pass "inject: no panic, the runner finished ($line: failures of the tests' own checks are expected)"
  else
    fail "inject: the runner printed no summary" "$log"
  fi
  if grep -aqE 'vmcheck: FAIL|\] slab: |\] mm: bad |PANIC|shutdown: [0-9]+ processes did not end' "$log"; then
    fail "inject: the auditor or an allocator reported a broken invariant"
    grep -aE 'vmcheck: FAIL|\] slab: |\] mm: bad |PANIC|shutdown: ' "$log" | head -n 20 | sed 's/^/  | /'
  else
    pass "inject: vmcheck after every exit and the allocators reported nothing"
  fi
  # t_oom runs out of memory on purpose (the OOM killer's victims are its own children);
  # any other process killed for memory had an injected failure reach no system call.
  if grep -aE 'out of memory at 0x|Out of memory: Killed process' "$log" | grep -avq '(t_oom)'; then
    fail "inject: a process was killed for memory (a failure that reached no system call)"
    grep -aE 'out of memory at 0x|Out of memory: Killed' "$log" | grep -av '(t_oom)' | head -n 10 | sed 's/^/  | /'
  else
    pass "inject: no process was killed for memory but t_oom's own (every injected failure reached a system call)"
  fi
  pages=$(grep -aoE 'failinject: fail_page_alloc: .*, ([0-9]+) injected$' "$log" | tail -n 1 | grep -oE '[0-9]+ injected$')
  slabs=$(grep -aoE 'failinject: failslab: .*, ([0-9]+) injected$' "$log" | tail -n 1 | grep -oE '[0-9]+ injected$')
  if [ -n "$pages" ] && [ -n "$slabs" ] && [ "${pages%% *}" -gt 0 ] && [ "${slabs%% *}" -gt 0 ]; then
    pass "inject: failures were injected (fail_page_alloc $pages, failslab $slabs)"
  else
    fail "inject: no injected failures counted (fail_page_alloc '${pages:-none}', failslab '${slabs:-none}')" "$log"
  fi
  before=$(grep -aoE 'mm: before init: .*' "$log" | head -n 1); before=${before#mm: before init: }
  after=$(grep -aoE 'mm: at power-off: .*' "$log" | tail -n 1); after=${after#mm: at power-off: }
  if [ -n "$before" ] && [ "$before" = "$after" ]; then
    pass "inject: memory and the ledger back at baseline after every process ended ($after)"
  else
    fail "inject: memory at power-off differs from before init"
    printf '  | before init:  %s\n  | at power-off: %s\n' "${before:-(no line)}" "${after:-(no line)}"
  fi
  # The monitor command: status, setting each attribute, a bad spec, a workload's failures
  # reaching forktree's fork as ENOMEM, the counts kept when turned off.
  log=$LOGS/inject-monitor.log
  qemu_run "$log" "$HANG_TIMEOUT" "failinject\nfailinject page 7\nfailinject slab 5% seed=42\nfailinject page often\nrun /bin/forktree 3\nfailinject\nfailinject page off\nfailinject slab off\npoweroff\n" \
    -m 128M -kernel "$KERNEL" -initrd "$INITRAMFS"
  if [ "$rc" -ne 0 ]; then fail "inject monitor: QEMU exit status $rc, expected 0" "$log"; return 0; fi
  expect_lines "inject monitor: failinject shows, sets and turns off; forktree's forks fail with ENOMEM" "$log" \
    '^fail_page_alloc: off: 0 injected$' '^failslab: off: 0 injected$' \
    '^fail_page_alloc: every 7, 100%, seed 1, times unlimited, pid any but init: 0 calls, 0 injected$' \
    '^failslab: every 1, 5%, seed 42, times unlimited, pid any but init: 0 calls, 0 injected$' \
    '^usage: failinject ' 'fork failed: Cannot allocate memory' '^run: /bin/forktree exited with status' \
    '^fail_page_alloc: every 7, .*: [1-9][0-9]* calls, [1-9][0-9]* injected$' \
    '^fail_page_alloc: off: [1-9][0-9]* injected$' '^failslab: off: [0-9]+ injected$'
}

part_linux() {
  echo "user space on the Linux reference (Debian linux-image-686):"
  # tools/mkcpio's archive reads back with GNU cpio: names, types, modes, link targets.
  local listing
  listing=$(cpio -tv --quiet < "$TEST_INITRAMFS" 2>&1 | awk '{print $1, $NF}')
  if grep -qx 'crw------- dev/console' <<<"$listing" && grep -qx 'lrwxrwxrwx hello.txt' <<<"$listing" &&
     grep -qx 'drwxr-xr-x test/data/dir/sub' <<<"$listing" && grep -qx -- '-rwxr-xr-x test/init' <<<"$listing"; then
    pass "mkcpio: test-initramfs.cpio reads back with cpio (console node, symlink, nested dir, runner)"
  else
    fail "mkcpio: test-initramfs.cpio does not read back as listed in $BUILD/test-initramfs.list"
  fi
  local msg frc=0
  msg=$(tools/linux-ref.sh fetch 2>&1) || frc=$?
  if [ $frc -eq $LINUX_REF_UNAVAILABLE ]; then
    printf '  skip  linux (not counted): %s\n' "$msg"; return 0
  elif [ $frc -ne 0 ]; then
    fail "linux: tools/linux-ref.sh fetch exited $frc: $msg"; return 0
  fi
  run_user_tests linux
  run_user_demos linux
}

for p in "${parts[@]}"; do "part_$p"; done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
