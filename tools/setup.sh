#!/usr/bin/env bash
# tools/setup.sh: install the Debian packages Strata's build, run, tests and benchmarks need.
# Checks each tool first and installs only what is missing (with sudo when not root), saying
# what it installs. `make run`, `make test`, `make iso` and `make bench` call it themselves.
#   --quiet   print nothing when everything is already there
set -euo pipefail

quiet=0
[ "${1:-}" = "--quiet" ] && quiet=1

# "test command|file : package" — a command name, or a path that the package provides.
needs=(
  "i686-linux-gnu-gcc:gcc-i686-linux-gnu"
  "i686-linux-gnu-ld:binutils-i686-linux-gnu"
  "nasm:nasm"
  "qemu-system-i386:qemu-system-x86"
  "grub-mkrescue:grub-common"
  "/usr/lib/grub/i386-pc/multiboot.mod:grub-pc-bin"
  "xorriso:xorriso"
  "mformat:mtools"
  "gcc:gcc"
  "make:make"
  "clang:clang"
  "timeout:coreutils"
  "awk:gawk"
  "valgrind:valgrind"
  "gnuplot:gnuplot-nox"
  "/usr/include/jemalloc/jemalloc.h:libjemalloc-dev"
  "/usr/include/mimalloc.h:libmimalloc-dev"
)

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
  missing+=("$pkg")
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
