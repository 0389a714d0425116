#!/usr/bin/env bash
# The Debian package as built: its control fields, its exact file list, the
# user unit it ships (what the built tb prints: one source), the
# dependencies (every shared library tb needs comes from a package in
# Depends; RocksDB is linked in), the changelog's version, and lintian's
# findings: exactly the tags docs/packaging.md lists and justifies.
# Usage: deb_test.sh DEB SOURCE_DIR WORK_DIR   (label ship)
set -euo pipefail
deb=$1
src=$2
work=$3
here=$(dirname "$0")
source "$here/lib.sh"
command -v lintian >/dev/null || ship_fail "lintian is missing: scripts/deps.sh --ship installs it"
rm -rf "$work"
mkdir -p "$work"
version=$(sed -n 's/^project(termbrain VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
arch=$(dpkg --print-architecture)

ship_expect_eq "Package" "$(dpkg-deb -f "$deb" Package)" "termbrain"
ship_expect_eq "Version" "$(dpkg-deb -f "$deb" Version)" "$version-1"
ship_expect_eq "Architecture" "$(dpkg-deb -f "$deb" Architecture)" "$arch"
ship_expect_eq "Section" "$(dpkg-deb -f "$deb" Section)" "utils"
ship_expect_eq "changelog version" \
  "$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/doc/termbrain/changelog.Debian.gz | gunzip | sed -n 1p)" \
  "termbrain ($version-1) bookworm; urgency=medium"

dpkg-deb -x "$deb" "$work/root"
# The manual pages: tb(1) and one per command group, as the packaged tb
# names them (tb help --man).
pages=$("$work/root/usr/bin/tb" help --man) || ship_fail "tb help --man"
for page in tb tb-search tb-sync tb-backup tb-workflow; do
  grep -qx "$page" <<<"$pages" || ship_fail "tb help --man does not name $page"
done

# The files, exactly (directories aside).
{
  printf '%s\n' ./usr/bin/tb ./usr/lib/systemd/system/termbrain@.service ./usr/lib/systemd/user/termbrain.service \
    ./usr/share/doc/termbrain/README.md ./usr/share/doc/termbrain/SECURITY.md \
    ./usr/share/doc/termbrain/copyright ./usr/share/doc/termbrain/changelog.Debian.gz \
    ./usr/share/bash-completion/completions/tb ./usr/share/zsh/vendor-completions/_tb \
    ./usr/share/fish/vendor_completions.d/tb.fish
  for page in $pages; do echo "./usr/share/man/man1/$page.1.gz"; done
  for f in "$src"/docs/*.md; do echo "./usr/share/doc/termbrain/$(basename "$f")"; done
} | sort >"$work/want"
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $6}' | sort >"$work/got"
diff -u "$work/want" "$work/got" >&2 || ship_fail "the package's files differ from the list above (- expected, + found)"
dpkg-deb -c "$deb" | awk '$2 != "root/root" {bad = bad " " $6} END {if (bad) {print "not root/root:" bad; exit 1}}' ||
  ship_fail "file owners"
# The completion scripts are what the packaged tb prints.
for pair in bash:bash-completion/completions/tb zsh:zsh/vendor-completions/_tb fish:fish/vendor_completions.d/tb.fish; do
  cmp -s "$work/root/usr/share/${pair#*:}" <("$work/root/usr/bin/tb" completions "${pair%%:*}") ||
    ship_fail "/usr/share/${pair#*:} is not what tb completions ${pair%%:*} prints"
done
# The user unit is what tb itself writes for the package (tools/systemd_unit.h).
ship_expect_eq "packaged user unit" "$(cat "$work/root/usr/lib/systemd/user/termbrain.service")" \
  "$("$work/root/usr/bin/tb" install --packaged-unit /usr/bin/tb)"
grep -qx 'ExecStart="/usr/bin/tb" daemon' "$work/root/usr/lib/systemd/user/termbrain.service" ||
  ship_fail "the user unit does not run /usr/bin/tb daemon"
cmp -s "$work/root/usr/lib/systemd/system/termbrain@.service" "$src/deploy/systemd/termbrain@.service" ||
  ship_fail "the system unit is not deploy/systemd/termbrain@.service"
ship_expect_eq "copyright license text" \
  "$(sed -n '/^License: Expat$/,$p' "$work/root/usr/share/doc/termbrain/copyright" | tail -n +2 | sed 's/^ //; s/^\.$//')" \
  "$(tail -n +5 "$src/LICENSE")"

# Debian's hardening (scripts/package): PIE, full RELRO (BIND_NOW), the
# stack protector and _FORTIFY_SOURCE's checked functions.
bin=$work/root/usr/bin/tb
elf=$(readelf -hdlW "$bin")
syms=$(readelf -sW --dyn-syms "$bin")
grep -q 'Type: *DYN (Position-Independent Executable file)' <<<"$elf" || ship_fail "tb is not PIE"
grep -q '(FLAGS) *BIND_NOW' <<<"$elf" || ship_fail "tb is not linked with -z now"
grep -q 'GNU_RELRO' <<<"$elf" || ship_fail "tb has no RELRO segment"
grep -q ' __stack_chk_fail@' <<<"$syms" || ship_fail "tb has no stack protector"
grep -q ' __memcpy_chk@' <<<"$syms" || ship_fail "tb is not built with _FORTIFY_SOURCE"

# Dependencies: each library tb loads belongs to a package Depends names.
depends=$(dpkg-deb -f "$deb" Depends)
[[ "$depends" != *rocksdb* ]] || ship_fail "Depends names RocksDB, which tb links statically: $depends"
needed=$(readelf -d "$work/root/usr/bin/tb" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[ -n "$needed" ] || ship_fail "readelf found no NEEDED library in tb"
ldconfig_cache=$(ldconfig -p)
for lib in $needed; do
  [[ "$lib" != librocksdb* ]] || ship_fail "tb loads $lib: the package's tb must link RocksDB statically"
  # The 64-bit entry, else the first; awk reads to the end, so that under
  # pipefail no writer is cut off by SIGPIPE.
  path=$(awk -v l="$lib" '$1 == l && !any {any = $NF} $1 == l && /x86-64|AArch64|64bit/ && !wide {wide = $NF}
                          END {print wide ? wide : any}' <<<"$ldconfig_cache")
  pkg=$(dpkg -S "$(realpath "$path")" 2>/dev/null | sed -n '1s/:.*//p') ||
    pkg=$(dpkg -S "$path" | sed -n '1s/:.*//p')
  # The package, or a name it provides (libspdlog1.10 provides libspdlog1.10-fmt9).
  # One line per installed architecture: a machine with the arm64 build's
  # libraries beside its own has two (and without the newline, one word).
  names="$pkg $(dpkg-query -W -f '${Provides}\n' "$pkg" | sed 's/([^)]*)//g; s/,/ /g')"
  found=
  for n in $names; do
    if [[ ", $depends," == *", $n "* || ", $depends," == *", $n,"* ]]; then found=$n; fi
  done
  [ -n "$found" ] || ship_fail "tb needs $lib ($pkg), which Depends does not name: $depends"
done

# lintian: exactly the tags docs/packaging.md justifies (its "lintian" table).
lintian --tag-display-limit 0 --display-info --pedantic "$deb" >"$work/lintian.txt" 2>&1 || true
sed -n 's/^[EWIXP]: termbrain[^:]*: \([a-z0-9+.-]*\).*/\1/p' "$work/lintian.txt" | sort -u >"$work/tags"
sed -n '/^### lintian/,/^##[^#]/s/^| `\([a-z0-9+.-]*\)` |.*/\1/p' "$src/docs/packaging.md" | sort -u >"$work/justified"
diff -u "$work/justified" "$work/tags" >&2 ||
  { cat "$work/lintian.txt" >&2; ship_fail "lintian's tags differ from docs/packaging.md's table (- justified, + found)"; }
echo "ok: termbrain_$version-1_$arch.deb ($(du -k "$deb" | cut -f1) KiB): files, unit, dependencies, lintian ($(wc -l <"$work/tags") justified tags)"
