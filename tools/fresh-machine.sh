#!/usr/bin/env bash
# tools/fresh-machine.sh [--rebuild] [--keep] [-- COMMAND]
#
# Proves that README's two commands are the whole set-up: in a minimal Debian chroot
# (debootstrap --variant=minbase, the machine's own Debian release) to which only `make` is
# added, clone this repository (its committed HEAD: uncommitted changes are not part of a
# clone) and run `make test` (or COMMAND) there, as a newcomer would. `make test` must then
# install every package it needs through tools/setup.sh by itself.
#
# The pristine chroot (minbase + make) is cached as a tarball in $FRESH_CACHE (default
# /var/cache/strata-fresh) and reused; --rebuild makes it anew. Downloaded .deb files are
# cached there too, so later runs only unpack. Each run unpacks the pristine tree into a new
# directory, mounts /proc, /sys and /dev in it, and on every exit path (success, failure,
# Ctrl-C) unmounts them and deletes the directory (--keep leaves the tree for a look).
#
# The Debian mirror is the one this machine's apt sources name; no host is written here.
# Needs root (debootstrap, chroot, mount). Exit status: that of the command in the chroot,
# or 2 when the chroot cannot be made.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd -P)
cache=${FRESH_CACHE:-/var/cache/strata-fresh}
rebuild=0 keep=0
cmd="make test"
while [ $# -gt 0 ]; do
  case $1 in
    --rebuild) rebuild=1 ;;
    --keep) keep=1 ;;
    --) shift; cmd="$*"; break ;;
    *) echo "usage: tools/fresh-machine.sh [--rebuild] [--keep] [-- COMMAND]" >&2; exit 2 ;;
  esac
  shift
done

say() { echo "fresh-machine: $*"; }
die() { echo "fresh-machine: $*" >&2; exit 2; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot and mount)"
"$here/tools/setup.sh" --quiet ci
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$suite" ] || die "cannot tell this machine's Debian release from /etc/os-release"

# The first mirror this machine's apt sources name for $suite (deb822 .sources or one-line
# .list files; security and update suites are not a base system's mirror).
find_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$suite" '
      /^[[:space:]]*$/ { if (uri != "" && ok && !sec) { print uri; exit } uri = ""; ok = 0; sec = 0; next }
      /^URIs:/ { uri = $2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) ok = 1 }
      /^Types:/ { sec = 0 }
      /security/ && /^URIs:/ { sec = 1 }
      END { if (uri != "" && ok && !sec) print uri }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v suite="$suite" '$1 == "deb" { u = ($2 ~ /^\[/) ? $3 : $2; s = ($2 ~ /^\[/) ? $4 : $3;
                                        if (s == suite) print u }' "$f"
  done
}
mirror=$(find_mirror | head -n 1)
[ -n "$mirror" ] || die "no Debian mirror for '$suite' in this machine's apt sources"

mkdir -p "$cache/archives/partial"
pristine=$cache/$suite-minbase-make.tar
root="" building=""
cleanup() {
  local rc=$? m
  if [ -n "$root" ] && [ -d "$root" ]; then
    # unmount everything below the tree, deepest first, before anything is deleted
    for m in $(awk -v r="$root" 'index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r); do
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    done
    if awk -v r="$root" 'index($2, r "/") == 1 { found = 1 } END { exit !found }' /proc/mounts; then
      echo "fresh-machine: $root still has mounts; not deleting it" >&2
    elif [ $keep -eq 1 ]; then
      say "kept the tree at $root"
    else
      rm -rf --one-file-system "$root"
    fi
  fi
  [ -n "$building" ] && rm -rf --one-file-system "$building" "$pristine.tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

if [ $rebuild -eq 1 ] || [ ! -s "$pristine" ]; then
  building=$(mktemp -d "$cache/build.XXXXXX")
  say "building the pristine $suite minbase chroot (+ make) from $mirror"
  debootstrap --variant=minbase --include=make "$suite" "$building" "$mirror" \
    >"$cache/debootstrap.log" 2>&1 || { tail -n 20 "$cache/debootstrap.log" >&2; die "debootstrap failed"; }
  rm -f "$building"/var/cache/apt/archives/*.deb
  tar -C "$building" -cf "$pristine.tmp" . && mv "$pristine.tmp" "$pristine"
  rm -rf --one-file-system "$building"; building=""
fi

root=$(mktemp -d /var/tmp/strata-fresh.XXXXXX)
tar -C "$root" -xf "$pristine"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount --bind "$cache/archives" "$root/var/cache/apt/archives"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
# keep downloaded packages for the next run (Debian's images may be set to delete them)
# (and the bind-mounted cache belongs to root, so apt downloads as root, not as _apt)
printf '%s\n' 'Binary::apt::APT::Keep-Downloaded-Packages "true";' 'APT::Keep-Downloaded-Packages "true";' \
  'APT::Sandbox::User "root";' >"$root/etc/apt/apt.conf.d/90strata-fresh"
git clone -q --no-hardlinks "$here" "$root/root/strata"
say "running '$cmd' in a clean clone ($(git -C "$here" rev-parse --short HEAD)) on a $suite minbase chroot with make"
set +e
chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  bash -c "cd /root/strata && $cmd"
rc=$?
set -e
say "'$cmd' exited $rc"
exit $rc
