#!/usr/bin/env bash
# tools/check-headers.sh CC_INCLUDE_DIR -- COMPILER [FLAGS...] -- SOURCE...
#
# The kernel is freestanding: every header a kernel source reaches must be the repo's own or
# one of the compiler's (the directory `$CC -print-file-name=include` names). This preprocesses
# each SOURCE with the kernel's own flags and -M (a full listing: -MMD would leave system
# headers out) and fails, naming the source and the header, on any other dependency — a C
# library header under /usr/include, say. Exit 0 when all are clean, 1 otherwise.
set -uo pipefail

ccinc=$1; shift
[ "${1:-}" = "--" ] && shift
cc=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do cc+=("$1"); shift; done
shift || true
repo=$(pwd -P)
ccinc=$(cd "$ccinc" && pwd -P) || { echo "check-headers: no compiler include dir '$1'"; exit 1; }

bad=0
for src in "$@"; do
  # -MG would hide a missing header; without it a missing header is an error, as it should be.
  if ! deps=$("${cc[@]}" -M -MT x "$src" 2>&1); then
    echo "check-headers: $src does not preprocess:"; echo "$deps" | head -n 5; bad=1; continue
  fi
  for d in $(echo "$deps" | sed -e 's/\\$//' -e 's/^x://'); do
    case $d in /*) abs=$d ;; *) abs=$repo/$d ;; esac
    abs=$(realpath -m "$abs")
    case $abs in
      "$repo"/*|"$ccinc"/*) ;;
      *) echo "check-headers: $src reaches $d (outside the repo and $ccinc)"; bad=1 ;;
    esac
  done
done
[ $bad -eq 0 ] && echo "check-headers: $# kernel sources reach only the repo's and the compiler's headers"
exit $bad
