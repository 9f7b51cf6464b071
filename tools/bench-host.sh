#!/usr/bin/env bash
# tools/bench-host.sh [BUILD] — the host allocator comparison (called by tools/bench.sh).
#
# Builds tests/bench/trace_bench.c four times into BUILD/bench/ (default build/bench/):
#   trace-slab      Strata's kmalloc/kfree (mm/slab.c, mm/kmalloc.c) natively at -O2, no
#                   sanitizers, on the host page provider
#   trace-glibc     the C library's malloc/free
#   trace-jemalloc  Debian's libjemalloc (it replaces malloc/free)
#   trace-mimalloc  mi_malloc/mi_free from libmimalloc
# and runs each under `valgrind --tool=callgrind --instr-atstart=no`, which counts only the
# measured replay (between CALLGRIND_START/STOP_INSTRUMENTATION). Prints a markdown table of
# instructions per operation and the ratios. Targets: Strata below glibc, within 1.2x of
# mimalloc; exit status 1 when one is missed, 2 when a tool is missing.
set -euo pipefail
BUILD=${1:-build}
OUT=$BUILD/bench
CC=${HOSTCC:-gcc}
mkdir -p "$OUT"

for tool in valgrind "$CC"; do
  command -v "$tool" >/dev/null || { echo "bench-host: $tool not found"; exit 2; }
done
for h in valgrind/callgrind.h jemalloc/jemalloc.h mimalloc.h; do
  [ -f /usr/include/$h ] || { echo "bench-host: /usr/include/$h missing (apt-get install valgrind libjemalloc-dev libmimalloc-dev)"; exit 2; }
done

CFLAGS=(-std=gnu11 -O2 -g -DNDEBUG -Wall -Wextra -Werror)
SLAB_SRC=(mm/slab*.c mm/kmalloc.c mm/error.c mm/failinject.c kernel/lib/format.c kernel/lib/string.c kernel/lib/preempt.c
          kernel/lib/ksym.c tests/host/stubs.c)

"$CC" "${CFLAGS[@]}" -DBENCH_SLAB -DSTRATA_HOST -Iinclude -Itests/host \
  -o "$OUT/trace-slab" tests/bench/trace_bench.c "${SLAB_SRC[@]}"
"$CC" "${CFLAGS[@]}" -DBENCH_GLIBC -o "$OUT/trace-glibc" tests/bench/trace_bench.c
"$CC" "${CFLAGS[@]}" -DBENCH_JEMALLOC -o "$OUT/trace-jemalloc" tests/bench/trace_bench.c -ljemalloc
"$CC" "${CFLAGS[@]}" -DBENCH_MIMALLOC -o "$OUT/trace-mimalloc" tests/bench/trace_bench.c -lmimalloc

declare -A ir
ops=
for a in slab glibc jemalloc mimalloc; do
  log=$OUT/trace-$a.log
  cg=$OUT/callgrind.out.$a
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$cg" \
    "$OUT/trace-$a" >"$log" 2>&1 || { echo "bench-host: trace-$a failed"; tail "$log"; exit 1; }
  ir[$a]=$(awk '/^totals:/ { print $2; exit }' "$cg")
  ops=$(awk '/^ops / { print $2 }' "$log")
  [ -n "${ir[$a]}" ] && [ -n "$ops" ] || { echo "bench-host: no count for $a"; exit 1; }
done

per() { awk -v i="$1" -v n="$ops" 'BEGIN { printf "%.1f", i / n }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "## Host allocator comparison (tools/bench-host.sh)"
echo
echo "One deterministic trace (tests/bench/trace_bench.c: $ops operations, sizes 8..4096"
echo "weighted toward small, immediate / held / batch-freed lifetimes, fixed seed), replayed by"
echo "each allocator; instructions of the second (steady-state) replay counted by"
echo "\`valgrind --tool=callgrind --instr-atstart=no\`. $(grep -h 'rounding waste' "$OUT/trace-slab.log")."
echo
echo "| allocator | instructions | per op | vs strata |"
echo "|---|---:|---:|---:|"
for a in slab glibc jemalloc mimalloc; do
  name=$a; [ $a = slab ] && name=strata-slab
  echo "| $name | ${ir[$a]} | $(per "${ir[$a]}") | $(ratio "${ir[$a]}" "${ir[slab]}") |"
done
echo
vs_glibc=$(ratio "${ir[slab]}" "${ir[glibc]}")
vs_mi=$(ratio "${ir[slab]}" "${ir[mimalloc]}")
ok=1
awk -v r="$vs_glibc" 'BEGIN { exit !(r < 1.0) }' || ok=0
awk -v r="$vs_mi" 'BEGIN { exit !(r <= 1.2) }' || ok=0
echo "strata/glibc = $vs_glibc (target < 1.00), strata/mimalloc = $vs_mi (target <= 1.20):" \
     "$([ $ok = 1 ] && echo met || echo MISSED)"
[ $ok = 1 ]
