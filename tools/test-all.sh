#!/usr/bin/env bash
# tools/test-all.sh BUILD [host|guest|iso|crash]...  — Strata's test driver (`make test`).
#
# Parts (all by default):
#   host   every build/host/test_* program (host unit tests under ASan/UBSan)
#   guest  the in-kernel suites (`test panic=exit`) under -m 16M, 128M and 3G, and once
#          more at 128M with slub_debug, debug_pagealloc and init_on_alloc
#   iso    boot build/strata.iso through GRUB to the monitor and power off
#   tools  tools/memplot draws a chart from a memstat log
#   crash  boots at 3584M and 4G (memory above 4 GiB ignored) and at 4M (a clear stop);
#          the monitor's error handling and the crash reports (page fault, divide, panic,
#          double fault on stack overflow), each checked for its exact report lines
# Each part prints its result; the last line is the total "N passed, M failed". Every QEMU
# run is bounded by a timeout; on failure the last serial lines are shown.
set -uo pipefail

BUILD=${1:-build}
shift || true
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(host guest iso crash tools)
QEMU=${QEMU:-qemu-system-i386}
LOGS=$BUILD/test-logs
mkdir -p "$LOGS"
KERNEL=$BUILD/strata.elf
ISO=$BUILD/strata.iso
QEMU_BASE=(-display none -monitor none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04)
EXIT_PASS=33 EXIT_FAIL=35 EXIT_PANIC=37

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
  if [ -z "$line" ]; then fail "$1: no summary line (crashed or hung)" "$2"; return 1; fi
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
}

part_guest() {
  echo "in-kernel suites:"
  local mem log
  for mem in ${GUEST_MEMS:-16M 128M 3G}; do
    log=$LOGS/guest-$mem.log
    qemu_run "$log" 120 "" -m "$mem" -kernel "$KERNEL" -append "test panic=exit loglevel=4"
    if ! count_summary "guest -m $mem" "$log"; then continue; fi
    if [ "$rc" -ne $EXIT_PASS ]; then fail "guest -m $mem: QEMU exit status $rc, expected $EXIT_PASS" "$log"; fi
  done
  # Once more with every debug switch on: the same suites must hold under checking.
  log=$LOGS/guest-debug.log
  qemu_run "$log" 120 "" -m 128M -kernel "$KERNEL" \
    -append "test panic=exit loglevel=4 slub_debug debug_pagealloc init_on_alloc"
  if count_summary "guest -m 128M slub_debug debug_pagealloc init_on_alloc" "$log" &&
     [ "$rc" -ne $EXIT_PASS ]; then
    fail "guest debug: QEMU exit status $rc, expected $EXIT_PASS" "$log"
  fi
}

# Require every pattern (extended regex) in the log.
expect_lines() { # name log pattern...
  local name=$1 log=$2 p missing=""; shift 2
  for p in "$@"; do grep -aqE -- "$p" "$log" || missing="$missing [$p]"; done
  if [ -z "$missing" ]; then pass "$name"; else fail "$name: missing$missing" "$log"; fi
}

part_iso() {
  echo "GRUB ISO boot:"
  local log=$LOGS/iso.log
  qemu_run "$log" 120 "uptime\nmeminfo\nbuddyinfo\nmemmap\npoweroff\n" -m 64M -cdrom "$ISO"
  if [ "$rc" -eq 0 ]; then
    expect_lines "iso boots through GRUB to the monitor and powers off" "$log" \
      'boot: Strata' 'strata> ' '^up [0-9]+\.[0-9]{6} s' '^MemTotal: +6[0-9]{4} kB' '^MemFree: ' '^Slab: +[0-9]+ kB' '^KernelStack: +[0-9]+ kB' \
      '^Node 0, zone +DMA( +[0-9]+){13}.?$' 'reserved \(kernel image\)' 'Powering off'
  else
    fail "iso: QEMU exit status $rc, expected 0 (poweroff)" "$log"
  fi
}

part_crash() {
  echo "monitor and crash reports:"
  local log
  log=$LOGS/monitor.log
  qemu_run "$log" 60 "help\nnosuchcmd\ncrash\ncrash sideways\n$(printf 'x%.0s' $(seq 2000))\na b c d e f g h i\nuptime\npoweroff\n" \
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
  qemu_run "$log" 90 "ps\nkill 1\nkill 999\nkill x\nstress tasks 40\nstress tasks 0\nslabinfo\nleaks\nmemdemo\nmeminfo extra\npoweroff\n" \
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
      '^usage: meminfo' 'sched: reaped task [0-9]+ \(stress\): freed [0-9]+ kB'
  else
    fail "monitor: QEMU exit status $rc, expected 0" "$log"
  fi

  local mem
  for mem in 3584M 4G; do
    log=$LOGS/boot-$mem.log
    qemu_run "$log" 60 "meminfo\npoweroff\n" -m "$mem" -kernel "$KERNEL"
    if [ "$rc" -eq 0 ]; then
      expect_lines "boot -m $mem: memory at or above 4 GiB ignored with one line" "$log" \
        'mm: ignoring memory at or above 4 GiB \(1 map entries cut\)' '^MemTotal: +3[0-9]{6} kB'
    else
      fail "boot -m $mem: QEMU exit status $rc, expected 0" "$log"
    fi
  done
  log=$LOGS/boot-4M.log
  qemu_run "$log" 60 "" -m 4M -kernel "$KERNEL" -append "panic=exit"
  [ "$rc" -eq $EXIT_PANIC ] || fail "boot -m 4M: QEMU exit status $rc, expected $EXIT_PANIC" "$log"
  expect_lines "boot -m 4M: too little RAM stops with the sizes" "$log" \
    'PANIC: mm: only [0-9]+ kB of usable RAM after reservations; Strata needs [0-9]+ kB'

  log=$LOGS/crash-pagefault.log
  qemu_run "$log" 60 "crash pagefault\n" -m 32M -kernel "$KERNEL" -append "panic=exit"
  [ "$rc" -eq $EXIT_PANIC ] || fail "crash pagefault: QEMU exit status $rc, expected $EXIT_PANIC" "$log"
  expect_lines "crash pagefault: decoded #PF report naming CR2 and the function" "$log" \
    'trap: #PF page fault \(vector 14\) at eip=[0-9a-f]{8} \(crash_pagefault[.a-z0-9]*\+0x' \
    'error=0002: not-present write kernel-mode' 'CR2=00000000 \(NULL page\)' \
    'mm: kernel NULL pointer dereference at 00000000' 'PANIC: kernel NULL pointer dereference: page fault' '#1 +[0-9a-f]{8} (cmd_crash|monitor_exec)\+0x' 'kmain\+0x'

  log=$LOGS/crash-divide.log
  qemu_run "$log" 60 "crash divide\n" -m 32M -kernel "$KERNEL" -append "panic=exit"
  [ "$rc" -eq $EXIT_PANIC ] || fail "crash divide: QEMU exit status $rc, expected $EXIT_PANIC" "$log"
  expect_lines "crash divide: #DE report" "$log" \
    'trap: #DE divide error \(vector 0\) at eip=[0-9a-f]{8} \(crash_divide[.a-z0-9]*\+0x' 'PANIC: unhandled exception: divide error'

  log=$LOGS/crash-panic.log
  qemu_run "$log" 60 "crash panic\n" -m 32M -kernel "$KERNEL" -append "panic=exit"
  [ "$rc" -eq $EXIT_PANIC ] || fail "crash panic: QEMU exit status $rc, expected $EXIT_PANIC" "$log"
  expect_lines "crash panic: message and symbolized backtrace" "$log" \
    'PANIC: crash: panic requested from the monitor' '^\[.*\] backtrace:' \
    '#0 +[0-9a-f]{8} cmd_crash\+0x' 'monitor_exec\+0x' 'kmain\+0x' '^MemTotal: +[0-9]+ kB' \
    'panic: exiting QEMU'

  log=$LOGS/crash-oom.log
  qemu_run "$log" 60 "crash oom\n" -m 32M -kernel "$KERNEL" -append "panic=exit"
  [ "$rc" -eq $EXIT_PANIC ] || fail "crash oom: QEMU exit status $rc, expected $EXIT_PANIC" "$log"
  expect_lines "crash oom: a must-succeed allocation that fails panics with the report" "$log" \
    'mm: memory pressure CRITICAL: ' \
    'PANIC: out of memory: order-0 allocation \(gfp 0x[0-9a-f]+\) from [a-z_]+.*: OOM: requested 4096 bytes, only [0-9]+ available' \
    '#[0-9] +[0-9a-f]{8} crash_oom' '^MemTotal: +[0-9]+ kB' '^MemFree: +[0-9]+ kB'

  log=$LOGS/crash-stack.log
  qemu_run "$log" 60 "crash stack\n" -m 32M -kernel "$KERNEL" -append "panic=exit"
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

for p in "${parts[@]}"; do "part_$p"; done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
