#!/usr/bin/env bash
# tools/check-layers.sh [ROOT]  — every #include in the kernel points down the layers
# (`make check-layers`; docs/ARCHITECTURE.md has the picture and the reasons).
#
# Scans ROOT (default: the current directory) — kernel/, mm/, sched/ and include/ — and fails,
# naming the file, the line and the header, on any include that a rule below does not allow.
# Exit 0 when every include is allowed, 1 otherwise.
#
# The layers, bottom first, and what each may include ("quoted" headers, under include/):
#
#   uapi       include/uapi/**/*.h                     uapi/ only (user ABI definitions, plain
#                                                       C: every layer may include them)
#   lib        kernel/lib/*.c, include/lib/*.h        lib/ (and uapi/, as every layer may)
#   x86        include/x86/*.h                         lib/, x86/
#   mm core    mm/memmap.c mm/bitmap.c mm/buddy*.c      lib/, mm/ — and everything they reach
#              mm/slab*.c mm/kmalloc.c mm/error.c       through those headers must be lib/ or
#              mm/pressure.c                            mm/ too (checked transitively), so the
#                                                       cores build unchanged on the host
#   mm         the rest of mm/*.c, include/mm/*.h      lib/, mm/, x86/ (hardware helpers)
#   sched      sched/*.c, include/sched/*.h            lib/, mm/, x86/, sched/
#   kernel     kernel/*.c, kernel/arch/*.c,            anything (the top: kmain, the monitor,
#              include/kernel/*.h                       drivers, the glue that wires layers)
#
# <angle> headers: only the compiler's freestanding ones — stdarg.h, stdbool.h, stddef.h,
# stdint.h, stdalign.h, stdnoreturn.h, iso646.h, float.h (not <limits.h>: gcc's reaches the C
# library; use lib/limits.h). Lines inside an `#ifdef STRATA_HOST` block (or the #else of
# `#ifndef STRATA_HOST`) belong to the host-test build and are not checked.
#
# A quoted include must name a header under include/ (the kernel builds with -Iinclude and
# nothing else). tests/, boot/ and tools/ are above every layer and are not checked.
set -uo pipefail

root=${1:-.}
cd "$root" || { echo "check-layers: no directory '$root'"; exit 1; }

# The hardware-independent allocator cores (patterns; slab may be split into mm/slab*.c).
core_patterns=(mm/memmap.c mm/bitmap.c 'mm/buddy*.c' 'mm/slab*.c' mm/kmalloc.c mm/error.c
               mm/pressure.c mm/vma.c mm/commit.c mm/failinject.c)
freestanding=" stdarg.h stdbool.h stddef.h stdint.h stdalign.h stdnoreturn.h iso646.h float.h "

is_core() { # path
  local p
  for p in "${core_patterns[@]}"; do
    # shellcheck disable=SC2053  # the pattern is meant to glob
    [[ $1 == $p ]] && return 0
  done
  return 1
}

# The layer a file belongs to, or "" for files no rule covers.
layer_of() { # path
  case $1 in
    include/uapi/*)                 echo uapi ;;
    kernel/lib/*.c|include/lib/*.h) echo lib ;;
    include/x86/*.h)                echo x86 ;;
    mm/*.c)                         if is_core "$1"; then echo core; else echo mm; fi ;;
    mm/*.h)                         if is_core "${1%.h}.c"; then echo core; else echo mm; fi ;; # private
    include/mm/*.h)                 echo mm ;;
    sched/*.c|include/sched/*.h)    echo sched ;;
    kernel/*.c|kernel/arch/*.c|include/kernel/*.h) echo kernel ;;
    *) echo "" ;;
  esac
}

# Header directories (under include/) each layer may name directly.
allowed_dirs() { # layer
  case $1 in
    uapi)   echo "uapi" ;;
    lib)    echo "lib uapi" ;;
    x86)    echo "lib x86 uapi" ;;
    core)   echo "lib mm uapi" ;;
    mm)     echo "lib mm x86 uapi" ;;
    sched)  echo "lib mm x86 sched uapi" ;;
    kernel) echo "*" ;;
  esac
}

# Print "LINE<TAB>q|a<TAB>NAME" for each #include outside host-only (STRATA_HOST) regions.
includes_of() { # path
  awk '
    function hostonly(   i) {
      for (i = 1; i <= n; i++)
        if ((kind[i] == "H" && !inelse[i]) || (kind[i] == "N" && inelse[i])) return 1
      return 0
    }
    /^[ \t]*#[ \t]*ifdef[ \t]+STRATA_HOST/          { kind[++n] = "H"; inelse[n] = 0; next }
    /^[ \t]*#[ \t]*if[ \t]+defined\(?[ \t]*STRATA_HOST/ { kind[++n] = "H"; inelse[n] = 0; next }
    /^[ \t]*#[ \t]*ifndef[ \t]+STRATA_HOST/         { kind[++n] = "N"; inelse[n] = 0; next }
    /^[ \t]*#[ \t]*if[ \t]+!defined\(?[ \t]*STRATA_HOST/ { kind[++n] = "N"; inelse[n] = 0; next }
    /^[ \t]*#[ \t]*if/                              { kind[++n] = "O"; inelse[n] = 0; next }
    /^[ \t]*#[ \t]*elif/                            { kind[n] = "O"; next }
    /^[ \t]*#[ \t]*else/                            { inelse[n] = 1; next }
    /^[ \t]*#[ \t]*endif/                           { if (n > 0) n--; next }
    /^[ \t]*#[ \t]*include[ \t]*"/ {
      if (hostonly()) next
      s = $0; sub(/^[^"]*"/, "", s); sub(/".*/, "", s); print FNR "\tq\t" s; next
    }
    /^[ \t]*#[ \t]*include[ \t]*</ {
      if (hostonly()) next
      s = $0; sub(/^[^<]*</, "", s); sub(/>.*/, "", s); print FNR "\ta\t" s; next
    }
  ' "$1"
}

mapfile -t files < <(find kernel mm sched include -type f \( -name '*.c' -o -name '*.h' \) \
                       2>/dev/null | LC_ALL=C sort)

bad=0
checked=0
declare -A deps # path -> space-separated headers it includes (include/-relative names)

for f in "${files[@]}"; do
  layer=$(layer_of "$f")
  [ -z "$layer" ] && continue
  checked=$((checked + 1))
  allowed=" $(allowed_dirs "$layer") "
  list=""
  while IFS=$'\t' read -r line kind name; do
    [ -z "$line" ] && continue
    if [ "$kind" = a ]; then
      case $freestanding in
        *" $name "*) ;;
        *) echo "check-layers: $f:$line: includes <$name>, not one of the compiler's" \
                "freestanding headers"; bad=1 ;;
      esac
      continue
    fi
    # A subsystem's private header (mm/slab_internal.h) sits beside its sources and is checked
    # as a file of that layer itself.
    if [ "${name#*/}" = "$name" ] && [ -f "$(dirname "$f")/$name" ]; then
      continue
    fi
    if [ ! -f "include/$name" ]; then
      echo "check-layers: $f:$line: includes \"$name\", which is not a header under include/"
      bad=1; continue
    fi
    list+=" $name"
    dir=${name%%/*}
    [ "$dir" = "$name" ] && dir=""
    case $allowed in
      " * ") ;;
      *" $dir "*) ;;
      *) echo "check-layers: $f:$line: includes \"$name\": upward (${layer/core/mm core} may include only" \
              "$(allowed_dirs "$layer" | sed 's/\([a-z0-9]*\)/\1\//g'))"; bad=1 ;;
    esac
  done < <(includes_of "$f")
  deps[$f]=$list
done

# The cores also must not reach x86/, sched/ or kernel/ through an mm/ header.
for f in "${files[@]}"; do
  [ "$(layer_of "$f")" = core ] || continue
  declare -A seen=()
  queue=()
  for h in ${deps[$f]}; do queue+=("$h:$h"); done
  while [ ${#queue[@]} -gt 0 ]; do
    item=${queue[0]}; queue=("${queue[@]:1}")
    h=${item%%:*}; via=${item#*:}
    [ -n "${seen[$h]:-}" ] && continue
    seen[$h]=1
    case $h in
      lib/*|mm/*|uapi/*) ;;
      *) # a direct include was reported above
         [ "$h" != "$via" ] && echo "check-layers: $f reaches \"$h\" through \"$via\" (an mm" \
              "core may reach only lib/ and mm/ headers)"; bad=1; continue ;;
    esac
    for n in ${deps[include/$h]:-}; do queue+=("$n:$via"); done
  done
  unset seen
done

[ $bad -eq 0 ] && echo "check-layers: $checked files, every include points down the layers"
exit $bad
