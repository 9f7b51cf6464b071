#!/usr/bin/env bash
# tools/linux-ref.sh: the Linux reference kernel for Strata's user-space tests.
#
#   tools/linux-ref.sh fetch            make sure the cache holds vmlinuz and busybox; print
#                                       nothing but errors
#   tools/linux-ref.sh vmlinuz          fetch if needed, print the path of vmlinuz
#   tools/linux-ref.sh busybox          fetch if needed, print the path of the static busybox
#   tools/linux-ref.sh boot INITRD LOG [CMDLINE] [QEMU ARGS...]
#                                       boot Linux on INITRD (console on ttyS0, serial log in
#                                       LOG); exit with QEMU's status (0 after a power-off)
#
# Debian's linux-image-686 (i386) metapackage names the versioned kernel package
# (linux-image-6.1.0-N-686); that package and busybox-static:i386 are fetched with
# `apt-get download` (no install, nothing on the host changes but the i386 architecture in
# dpkg's list and apt's package lists) and unpacked with dpkg-deb -x into the cache,
# ${STRATA_CACHE:-${HOME:-/tmp}/.cache/strata}/linux-ref, outside build/ so `make clean` keeps it.
#
# Kernel parameters come first on the command line (console=ttyS0 quiet panic=-1), then
# CMDLINE, so CMDLINE may end with "-- ARGS" for init.
#
# When a package cannot be fetched (no network, no apt) it prints one line starting
# "linux-ref: unavailable:" and exits with status 77, so callers skip rather than fail.
set -euo pipefail

CACHE=${STRATA_CACHE:-${HOME:-/tmp}/.cache/strata}/linux-ref
QEMU=${QEMU:-qemu-system-i386}
EXIT_UNAVAILABLE=77
# Linux boots in a few seconds under TCG; the bound only catches a hang (no verdict on speed).
LINUX_TIMEOUT=${LINUX_TIMEOUT:-600}

unavailable() { echo "linux-ref: unavailable: $*" >&2; exit $EXIT_UNAVAILABLE; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else return 1; fi; }

# Fetch and unpack both packages unless the cache already has them.
fetch() {
  [ -f "$CACHE/vmlinuz" ] && [ -x "$CACHE/busybox" ] && return 0
  command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1 ||
    unavailable "apt-get or dpkg-deb missing"
  if ! dpkg --print-foreign-architectures | grep -qx i386 &&
     [ "$(dpkg --print-architecture)" != i386 ]; then
    as_root dpkg --add-architecture i386 || unavailable "cannot add the i386 architecture (not root, no sudo)"
    as_root apt-get update -qq >/dev/null 2>&1 || unavailable "apt-get update failed"
  fi
  local meta
  meta=$(apt-cache depends linux-image-686:i386 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*\).*/\1/p' | head -n 1)
  if [ -z "$meta" ]; then
    as_root apt-get update -qq >/dev/null 2>&1 || unavailable "apt-get update failed"
    meta=$(apt-cache depends linux-image-686:i386 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*\).*/\1/p' | head -n 1)
  fi
  [ -n "$meta" ] || unavailable "apt-cache cannot resolve linux-image-686:i386"
  local dl=$CACHE/download
  rm -rf "$dl" && mkdir -p "$dl" || unavailable "cannot create the cache directory $dl"
  ( cd "$dl" && apt-get download -q "$meta:i386" busybox-static:i386 >download.log 2>&1 ) ||
    unavailable "apt-get download $meta:i386 busybox-static:i386 failed (see $dl/download.log)"
  local k b
  k=$(ls "$dl"/linux-image-*.deb | head -n 1)
  b=$(ls "$dl"/busybox-static_*.deb | head -n 1)
  rm -rf "$dl/k" "$dl/b"
  dpkg-deb -x "$k" "$dl/k"
  dpkg-deb -x "$b" "$dl/b"
  cp "$(ls "$dl"/k/boot/vmlinuz-* | head -n 1)" "$CACHE/vmlinuz.tmp"
  cp "$dl/b/bin/busybox" "$CACHE/busybox.tmp"
  echo "$meta" > "$CACHE/version"
  mv "$CACHE/busybox.tmp" "$CACHE/busybox"
  mv "$CACHE/vmlinuz.tmp" "$CACHE/vmlinuz"
  rm -rf "$dl/k" "$dl/b" "$dl"/*.deb
}

# Boot Linux on an initramfs; the serial console is the log. QEMU exits 0 after the init's
# power-off (-no-reboot turns panic=-1's reboot into an exit too, with status 0: callers
# judge by the log, not the status alone).
boot() { # initrd log [cmdline] [qemu args...]
  local initrd=$1 log=$2 cmdline=${3:-rdinit=/test/init}
  shift 2; [ $# -gt 0 ] && shift
  fetch
  local rc=0
  timeout "$LINUX_TIMEOUT" "$QEMU" -cpu qemu32 -m 256M -display none -monitor none -no-reboot \
    -serial stdio -kernel "$CACHE/vmlinuz" -initrd "$initrd" \
    -append "console=ttyS0 quiet panic=-1 $cmdline" "$@" </dev/null >"$log" 2>&1 || rc=$?
  return $rc
}

cmd=${1:-}
shift || true
case $cmd in
  fetch)   fetch ;;
  vmlinuz) fetch; echo "$CACHE/vmlinuz" ;;
  busybox) fetch; echo "$CACHE/busybox" ;;
  boot)    [ $# -ge 2 ] || { echo "usage: $0 boot INITRD LOG [CMDLINE] [QEMU ARGS...]" >&2; exit 2; }
           boot "$@" ;;
  *) echo "usage: $0 fetch|vmlinuz|busybox|boot INITRD LOG [CMDLINE] [QEMU ARGS...]" >&2; exit 2 ;;
esac
