#!/usr/bin/env bash
# tools/check-vdso.sh DIR  — check the built vDSO (DIR/vdso.so and the embedded DIR/vdso.img,
# Makefile: $(BUILD)/vdso) with readelf and nm, for the loaders that will read it (glibc's
# dl_vdso, gdb) and for the kernel that maps it. Run by `make host-test` (tools/test-all.sh).
#
# Asserted: soname linux-gate.so.1; exactly one PT_LOAD (offset 0, address 0, not writable)
# and one PT_DYNAMIC; DT_HASH present; no TEXTREL, no relocation of any kind; each of the 9
# exported functions in .dynsym as FUNC GLOBAL with its version (LINUX_2.6 for __vdso_*,
# LINUX_2.5 for __kernel_*) and a size; no other global function; no undefined symbol (no
# libgcc helper such as __udivdi3); vdso.img stripped (no .symtab) yet with its .dynsym;
# the image within VDSO_MAX_PAGES (2) pages. Prints each failure; exit 0 only when all hold.
set -uo pipefail

dir=${1:?usage: tools/check-vdso.sh DIR}
so=$dir/vdso.so
img=$dir/vdso.img
max_pages=${VDSO_MAX_PAGES:-2}
READELF=$(command -v i686-linux-gnu-readelf || command -v readelf)
NM=$(command -v i686-linux-gnu-nm || command -v nm)
failures=0

bad() { echo "check-vdso: $*"; failures=$((failures + 1)); }

for f in "$so" "$img"; do
  [ -f "$f" ] || { echo "check-vdso: no $f (make $f)"; exit 1; }
done

for f in "$so" "$img"; do
  dyn=$("$READELF" -dW "$f") || { bad "$f: readelf -d failed"; continue; }
  grep -q 'Library soname: \[linux-gate.so.1\]' <<<"$dyn" || bad "$f: soname is not linux-gate.so.1"
  grep -q '(HASH)' <<<"$dyn" || bad "$f: no DT_HASH (glibc's vDSO lookup needs it)"
  grep -q 'TEXTREL' <<<"$dyn" && bad "$f: TEXTREL (text relocations)"
  grep -qE '\((REL|RELA|RELSZ|RELASZ|JMPREL|PLTRELSZ|RELCOUNT|RELACOUNT)\)' <<<"$dyn" &&
    bad "$f: dynamic relocation entries"
  "$READELF" -rW "$f" | grep -q 'There are no relocations in this file' ||
    bad "$f: relocation sections: $("$READELF" -rW "$f" | grep -m1 'Relocation section')"

  phdrs=$("$READELF" -lW "$f")
  loads=$(grep -cE '^ +LOAD ' <<<"$phdrs")
  dynamics=$(grep -cE '^ +DYNAMIC ' <<<"$phdrs")
  [ "$loads" -eq 1 ] || bad "$f: $loads PT_LOAD segments, expected exactly 1"
  [ "$dynamics" -eq 1 ] || bad "$f: $dynamics PT_DYNAMIC segments, expected exactly 1"
  read -r _ off vaddr _ filesz memsz flags _ < <(grep -E '^ +LOAD ' <<<"$phdrs" | head -n 1 |
    sed -E 's/ R E / RE /; s/ R W E / RWE /; s/ RW / RW /')
  [ "${off:-x}" = 0x000000 ] && [ "${vaddr:-x}" = 0x00000000 ] ||
    bad "$f: PT_LOAD at offset ${off:-?}, address ${vaddr:-?}: expected 0 and 0"
  [ "${filesz:-x}" = "${memsz:-y}" ] || bad "$f: PT_LOAD memsz $memsz != filesz $filesz"
  case ${flags:-} in *W*) bad "$f: PT_LOAD is writable ($flags)" ;; esac
  if [ -n "${memsz:-}" ] && [ $((memsz)) -gt $((max_pages * 4096)) ]; then
    bad "$f: PT_LOAD is $((memsz)) bytes, over $max_pages pages"
  fi

  syms=$("$READELF" --dyn-syms -W "$f")
  for name in __vdso_clock_gettime __vdso_clock_gettime64 __vdso_gettimeofday __vdso_time \
              __vdso_clock_getres __vdso_strata_memstatus \
              __kernel_vsyscall __kernel_sigreturn __kernel_rt_sigreturn; do
    version=LINUX_2.6
    [[ $name == __kernel_* ]] && version=LINUX_2.5
    line=$(grep -E " ${name}@@?${version}\$" <<<"$syms")
    if [ -z "$line" ]; then
      bad "$f: no ${name}@${version} in .dynsym"
      continue
    fi
    read -r _ _ size type bind _ ndx _ <<<"$line"
    [ "$type" = FUNC ] && [ "$bind" = GLOBAL ] && [ "$ndx" != UND ] && [ "$size" -gt 0 ] ||
      bad "$f: $name is $type $bind, section $ndx, size $size: expected a defined GLOBAL FUNC with a size"
  done
  extra=$(awk '$4 == "FUNC" && $5 != "LOCAL" { print $8 }' <<<"$syms" |
          grep -vE '^(__vdso_(clock_gettime|clock_gettime64|gettimeofday|time|clock_getres|strata_memstatus)@@?LINUX_2\.6|__kernel_(vsyscall|sigreturn|rt_sigreturn)@@?LINUX_2\.5)$')
  [ -z "$extra" ] || bad "$f: unexpected exported functions: $(echo $extra)"
done

undef=$("$NM" -u "$so")
[ -z "$undef" ] || bad "$so: undefined symbols (a libgcc helper?): $(echo $undef)"
"$READELF" -SW "$img" | grep -q ' \.symtab ' && bad "$img: not stripped (.symtab present)"
"$READELF" -SW "$img" | grep -q ' \.dynsym ' || bad "$img: no .dynsym"
size=$(stat -c %s "$img")
pages=$(((size + 4095) / 4096))
[ "$pages" -le "$max_pages" ] || bad "$img: $size bytes, $pages pages, over $max_pages"

if [ "$failures" -ne 0 ]; then
  echo "check-vdso: $failures problems"
  exit 1
fi
echo "check-vdso: $img: $size bytes ($pages page$([ "$pages" -gt 1 ] && echo s)), 9 symbols, no relocations"
