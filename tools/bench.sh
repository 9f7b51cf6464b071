#!/usr/bin/env bash
# tools/bench.sh BUILD — `make bench`: the in-kernel benchmarks under `qemu -icount shift=0`
# (one TSC tick per guest instruction, so every figure is an exact instruction count) at
# -m 128M and -m 3G, then the host allocator comparison (tools/bench-host.sh) if present.
# Writes tests/bench/results.md (checked in) and prints it. Exit status: 0 when every budget
# is met.
set -uo pipefail
BUILD=${1:-build}
QEMU=${QEMU:-qemu-system-i386}
OUT=tests/bench/results.md
mkdir -p "$BUILD/bench" tests/bench
# The "## User space (...)" sections belong to tools/bench-user.sh: kept as they are.
user_sections=$(awk '/^## User space/ { keep = 1 } /^## / && !/^## User space/ { keep = 0 } keep' "$OUT" 2>/dev/null || true)
status=0

for mem in 128M 3G; do
  log=$BUILD/bench/guest-$mem.log
  timeout 300 "$QEMU" -icount shift=0 -m "$mem" -display none -monitor none -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial stdio -kernel "$BUILD/strata.elf" \
    -append "bench panic=exit loglevel=4" </dev/null >"$log" 2>&1
  rc=$?
  if [ $rc -ne 33 ]; then status=1; fi
  grep -q '^bench: ' "$log" || { echo "bench: no results at -m $mem (QEMU status $rc)"; tail -20 "$log"; exit 1; }
done

{
  echo "# Strata benchmark results"
  echo
  echo "Made by \`make bench\` (tools/bench.sh) on $(date -u +%Y-%m-%d), kernel $(git rev-parse --short HEAD 2>/dev/null)."
  echo "Guest figures: \`qemu-system-i386 -icount shift=0 -m {128M,3G} -kernel build/strata.elf -append 'bench panic=exit'\`;"
  echo "under -icount shift=0 an rdtsc delta is the exact number of guest instructions."
  echo
  echo "| benchmark | -m 128M | -m 3G | unit | budget |"
  echo "|---|---:|---:|---|---|"
  join -t'|' \
    <(grep -a '^bench: ' "$BUILD/bench/guest-128M.log" | awk '{b=""; if ($5=="(budget") b=$6; sub(/\)$/,"",b); print $2"|"$3"|"$4"|"b}' | sort -t'|' -k1,1) \
    <(grep -a '^bench: ' "$BUILD/bench/guest-3G.log" | awk '{print $2"|"$3}' | sort -t'|' -k1,1) |
    awk -F'|' '{ printf "| %s | %s | %s | %s | %s |\n", $1, $2, $5, $3, ($4 == "" ? "" : "<= " $4) }'
  echo
  echo "Budgets missed: $(grep -ah '^bench: .*OVER' "$BUILD"/bench/guest-*.log | awk '{print $2}' | sort -u | tr '\n' ' ')"
  if [ -x tools/bench-host.sh ] && [ -s "$BUILD/bench/host.md" -o "${BENCH_HOST:-1}" = 1 ]; then
    echo
    tools/bench-host.sh "$BUILD" 2>&1 || status=1
  fi
  if [ -n "$user_sections" ]; then echo; echo "$user_sections"; fi
} > "$OUT"
cat "$OUT"
exit $status
