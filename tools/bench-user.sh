#!/usr/bin/env bash
# tools/bench-user.sh [--record] KIND [INITRD]: the user-space benchmarks on a kernel
# (`make bench-user`; `make bench-user RECORD=1` records).
#
#   KIND    linux   Debian's linux-image-686 from tools/linux-ref.sh (the reference)
#           strata  build/strata.elf with the archive as its multiboot module
#   INITRD  the test initramfs (default build/test-initramfs.cpio)
#   BENCH   (environment) the benchmark programs in /test, default "bench_syscalls bench_vm":
#           bench_syscalls (system call, fork+exit+wait, fork+exec+wait) and bench_vm (page
#           faults per page, fork and exit+wait at 1-64 MiB, mmap+touch+munmap)
#
# Boots under `-icount shift=0`, where one TSC tick is one guest instruction, so the rdtsc
# deltas of the programs are exact instruction counts whatever the host's speed. On Linux
# the runner /test/init is init, asked to run just the benchmarks (`rdinit=/test/init --
# bench_syscalls bench_vm`), so they get a console and the machine powers off after them,
# in one boot. On Strata each benchmark itself is init (`init=/test/bench_syscalls`: it needs
# neither init arguments nor the runner's stat/opendir) and powers off as pid 1, one boot per
# program. Prints the "bench: NAME N insn/op" lines (and any "bench: NAME failed: reason")
# and the command used; the log is build/bench/user-KIND.log.
# --record rewrites the "## User space (...)" section for KIND in tests/bench/results.md
# (tools/bench.sh keeps such sections when it rewrites the rest) and, when both kernels'
# sections are there, the side-by-side table with tests/bench/user-budgets.
# Exit status: 0 with figures, 1 without, 77 when the Linux packages cannot be fetched.
set -euo pipefail

record=0
[ "${1:-}" = --record ] && { record=1; shift; }

kind=${1:?usage: tools/bench-user.sh linux|strata [INITRD]}
initrd=${2:-build/test-initramfs.cpio}
BUILD=${BUILD:-build}
QEMU=${QEMU:-qemu-system-i386}
BENCH=${BENCH:-bench_syscalls bench_vm}
log=$BUILD/bench/user-$kind.log
mkdir -p "$BUILD/bench"
rc=0

case $kind in
  linux)
    tools/linux-ref.sh fetch || exit $?
    cmd="qemu-system-i386 -icount shift=0 -cpu qemu32 -m 256M -kernel vmlinuz ($(cat "${STRATA_CACHE:-${HOME:-/tmp}/.cache/strata}/linux-ref/version")) -initrd $initrd -append 'console=ttyS0 quiet panic=-1 rdinit=/test/init -- $BENCH'"
    tools/linux-ref.sh boot "$initrd" "$log" "rdinit=/test/init -- $BENCH" -icount shift=0 || rc=$?
    ;;
  strata)
    : > "$log"
    cmd=""
    for prog in $BENCH; do
      cmd="${cmd:+$cmd; }qemu-system-i386 -icount shift=0 -m 256M -kernel $BUILD/strata.elf -initrd $initrd -append 'init=/test/$prog panic=exit loglevel=4'"
      timeout "${HANG_TIMEOUT:-600}" "$QEMU" -icount shift=0 -m 256M -display none -monitor none \
        -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial stdio \
        -kernel "$BUILD/strata.elf" -initrd "$initrd" \
        -append "init=/test/$prog panic=exit loglevel=4" </dev/null >>"$log" 2>&1 || rc=$?
    done
    ;;
  *) echo "usage: tools/bench-user.sh linux|strata [INITRD]" >&2; exit 2 ;;
esac

echo "user-space benchmark on $kind: $cmd"
if ! grep -aqE '^bench: [A-Za-z0-9+._]+ [0-9]+ insn/op' "$log"; then
  echo "bench-user: no figures from $kind (QEMU status $rc); last lines of $log:"
  tail -n 20 "$log" | sed 's/^/  | /'
  exit 1
fi
grep -a '^bench: ' "$log" | tr -d '\r'
[ $record -eq 1 ] || exit 0

case $kind in
  linux)  heading="## User space (Linux 6.1 686 reference)" ;;
  strata) heading="## User space (Strata)" ;;
esac
out=tests/bench/results.md
section=$(mktemp)
{
  echo "$heading"
  echo
  srcs=""
  for prog in $BENCH; do srcs="${srcs:+$srcs, }tests/user/$prog.c"; done
  echo "Made by \`tools/bench-user.sh --record $kind\` on $(date -u +%Y-%m-%d) ($srcs):"
  echo "\`$cmd\`;"
  echo "under -icount shift=0 an rdtsc delta is the exact number of guest instructions (empty-loop"
  echo "overhead subtracted; fork+exec runs /bin/hello with its output on /dev/null). bench_vm's"
  echo "fault.* figures are per page (256 pages, a second pass over the same pages subtracted);"
  echo "fork.NM is the parent's side of fork() with N MiB written; exit+wait.NM runs from the"
  echo "write() that releases the child (blocked in read() since the fork, N MiB shared, none"
  echo "touched) to wait4's return; mmap+touch+munmap is one page mapped, written and unmapped."
  echo
  echo "| benchmark | insn/op | ops |"
  echo "|---|---:|---:|"
  grep -a '^bench: ' "$log" | tr -d '\r' | sed -n \
    -e 's/^bench: \([^ ]*\) \([0-9]*\) insn\/op (\([0-9]*\) ops.*/| \1 | \2 | \3 |/p' \
    -e 's/^bench: \([^ ]*\) failed: \(.*\)/| \1 | failed: \2 | |/p'
} > "$section"
# Replace this kind's section (from its heading to the next "## " heading) or append it.
awk -v heading="$heading" -v file="$section" '
  function emit() { while ((getline l < file) > 0) print l; close(file); printed = 1 }
  $0 == heading { skip = 1; emit(); next }
  skip && /^## / { skip = 0; print "" }
  !skip { print }
  END { if (!printed) { print ""; emit() } }' "$out" > "$out.tmp"
mv "$out.tmp" "$out"
rm -f "$section"

# With both kernels' sections present: the side-by-side table (Strata, Linux, Linux/Strata,
# the budget from tests/bench/user-budgets and whether it is met), replacing the old one.
heading="## User space: Strata against Linux 6.1"
section=$(mktemp)
awk -v budgets=tests/bench/user-budgets -v heading="$heading" '
  BEGIN {
    while ((getline line < budgets) > 0)
      if (line !~ /^#/ && split(line, f, " ") == 2) budget[f[1]] = f[2]
  }
  /^## User space \(Strata\)$/ { sec = "s"; next }
  /^## User space \(Linux 6.1 686 reference\)$/ { sec = "l"; next }
  /^## / { sec = "" }
  sec != "" && /^\| [A-Za-z0-9+._]+ \| [0-9]+ \|/ {
    split($0, f, "|"); name = f[2]; gsub(/ /, "", name); v = f[3]; gsub(/ /, "", v)
    if (sec == "s") { if (!(name in s)) order[n++] = name; s[name] = v } else lx[name] = v
  }
  END {
    if (!n || !length(lx)) exit 1
    print heading; print ""
    print "From the sections of both kernels (same program, same QEMU, `-icount shift=0`); Linux/Strata"
    print "is how many times fewer instructions Strata needs; budgets from tests/bench/user-budgets."
    print ""
    print "| benchmark | Strata | Linux 6.1 | Linux/Strata | budget | |"
    print "|---|---:|---:|---:|---:|---|"
    for (i = 0; i < n; i++) {
      k = order[i]; r = (k in lx && s[k] > 0) ? sprintf("%.1fx", lx[k] / s[k]) : ""
      b = (k in budget) ? "<= " budget[k] : ""
      m = (k in budget) ? (s[k] + 0 <= budget[k] + 0 ? "met" : "NOT met") : ""
      printf "| %s | %s | %s | %s | %s | %s |\n", k, s[k], (k in lx) ? lx[k] : "", r, b, m
    }
  }' "$out" > "$section" && {
  awk -v heading="$heading" -v file="$section" '
    function emit() { while ((getline l < file) > 0) print l; close(file); printed = 1 }
    $0 == heading { skip = 1; emit(); next }
    skip && /^## / { skip = 0; print "" }
    !skip { print }
    END { if (!printed) { print ""; emit() } }' "$out" > "$out.tmp" && mv "$out.tmp" "$out"
}
rm -f "$section"
echo "bench-user: recorded in $out"
