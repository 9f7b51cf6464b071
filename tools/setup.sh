#!/usr/bin/env bash
# tools/setup.sh [--quiet] [GROUP...]: install the Debian packages Strata needs, by name.
#
# Each group lists what its tools need, whatever this machine happens to have: a package is
# installed when the command or file it provides is missing (with sudo when not root).
#   build   the kernel, the GRUB ISO and the user programs (cross gcc/binutils, the i386
#           cross C library for user programs, nasm, grub, xorriso, mtools, cpio, the host
#           gcc for tools/mkcpio)
#   test    `make test`: build + QEMU, the host compiler for the unit tests, gnuplot (memplot),
#           clang-format (the format check),
#           apt-get and dpkg-deb (tools/linux-ref.sh fetches the Linux reference with them)
#   ci      `.ci/run`: test + clang (the second compiler) + the fresh-machine check
#           (debootstrap, git)
#   bench   `make bench` and tools/bench-host.sh: test + valgrind, jemalloc, mimalloc
#   all     every group (the default)
# `make run`, `make test`, `make iso` and `make bench` call it with their group.
#   --quiet   print nothing when everything is already there
set -euo pipefail

quiet=0
[ "${1:-}" = "--quiet" ] && { quiet=1; shift; }
groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(all)

# "command or /path : package" — a command name, or a path that the package provides.
build_needs=(
  "i686-linux-gnu-gcc:gcc-i686-linux-gnu"
  "i686-linux-gnu-ld:binutils-i686-linux-gnu"
  "/usr/i686-linux-gnu/include/stdio.h:libc6-dev-i386-cross"
  "/usr/i686-linux-gnu/lib/libc.a:libc6-dev-i386-cross"
  "nasm:nasm"
  "grub-mkrescue:grub-common"
  "/usr/lib/grub/i386-pc/multiboot.mod:grub-pc-bin"
  "xorriso:xorriso"
  "mformat:mtools"
  "cpio:cpio"
  "gcc:gcc"
  "make:make"
  "awk:gawk"
  "timeout:coreutils"
)
test_needs=(
  "qemu-system-i386:qemu-system-x86"
  "gcc:gcc"
  "/usr/include/stdio.h:libc6-dev"
  "gnuplot:gnuplot-nox"
  "clang-format:clang-format"
  "apt-get:apt"
  "dpkg-deb:dpkg"
)
ci_needs=(
  "clang:clang"
  "debootstrap:debootstrap"
  "git:git"
)
bench_needs=(
  "valgrind:valgrind"
  "/usr/include/valgrind/callgrind.h:valgrind"
  "/usr/include/jemalloc/jemalloc.h:libjemalloc-dev"
  "/usr/include/mimalloc.h:libmimalloc-dev"
)

needs=()
for g in "${groups[@]}"; do
  case $g in
    build) needs+=("${build_needs[@]}") ;;
    test)  needs+=("${build_needs[@]}" "${test_needs[@]}") ;;
    ci)    needs+=("${build_needs[@]}" "${test_needs[@]}" "${ci_needs[@]}") ;;
    bench) needs+=("${build_needs[@]}" "${test_needs[@]}" "${bench_needs[@]}") ;;
    all)   needs+=("${build_needs[@]}" "${test_needs[@]}" "${ci_needs[@]}" "${bench_needs[@]}") ;;
    *) echo "setup: unknown group '$g' (build, test, ci, bench, all)" >&2; exit 2 ;;
  esac
done

missing=()
for n in "${needs[@]}"; do
  what=${n%%:*}
  pkg=${n##*:}
  if [ "${what#/}" != "$what" ]; then
    [ -e "$what" ] && continue
  else
    # an i686-elf toolchain on PATH stands in for Debian's cross compiler
    if [ "$what" = i686-linux-gnu-gcc ] && command -v i686-elf-gcc >/dev/null 2>&1; then continue; fi
    if [ "$what" = i686-linux-gnu-ld ] && command -v i686-elf-ld >/dev/null 2>&1; then continue; fi
    command -v "$what" >/dev/null 2>&1 && continue
  fi
  case " ${missing[*]} " in *" $pkg "*) ;; *) missing+=("$pkg") ;; esac
done

if [ ${#missing[@]} -eq 0 ]; then
  [ $quiet -eq 1 ] || echo "setup: every tool Strata needs is installed"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "setup: missing packages ${missing[*]}, and not root and no sudo; install them and retry" >&2
    exit 1
  fi
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
