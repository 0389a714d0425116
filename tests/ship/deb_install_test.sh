#!/usr/bin/env bash
# Installs the Debian package into a clean minbase Debian bookworm root with
# apt (its dependencies come from this machine's mirror), runs tb there
# (version, record, history, log verify), then removes and purges it and
# checks that no file of the package is left.
# Usage: deb_install_test.sh DEB CACHE_DIR   (label ship; needs root)
set -euo pipefail
deb=$(realpath "$1")
cache=$2
here=$(dirname "$0")
source "$here/lib.sh"
[ "$(id -u)" -eq 0 ] || ship_skip "installing into a Debian root needs root (debootstrap, chroot); run as root"
command -v debootstrap >/dev/null || ship_fail "debootstrap is missing: scripts/deps.sh --ship installs it"
version=$(dpkg-deb -f "$deb" Version)
upstream=${version%-*}

mkdir -p "$cache"
work=$(mktemp -d "$(realpath "$cache")/install.XXXXXX")
root=$work/root
cleanup() {
  umount "$root/proc" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
start=$(date +%s)
ship_bookworm_root "$root" "$cache"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

# What the root holds before: every path, so leftovers are exactly known.
in_root find / -xdev \( -path /proc -o -path /tmp \) -prune -o -print | sort >"$work/before"
cp "$deb" "$root/tmp/termbrain.deb"
timeout 300 chroot "$root" apt-get update -qq >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; ship_fail "apt-get update in the root"; }
if ! timeout 300 chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q /tmp/termbrain.deb \
      >>"$work/apt.log" 2>&1; then
  tail -n 30 "$work/apt.log" >&2
  ship_fail "apt-get install ./termbrain.deb in a clean bookworm root"
fi
echo "installed termbrain $version and $(grep -c '^Setting up ' "$work/apt.log") packages in $(( $(date +%s) - start )) s"
# Every dependency came from the mirror and is installed (by its name, or
# as a name an installed package provides).
provided=$(in_root dpkg-query -W -f '${db:Status-Abbrev} ${Package} ${Provides}\n' |
             awk '$1 == "ii" {print $2; for (i = 3; i <= NF; i++) if ($i !~ /^\(|\)/) print $i}' | tr -d ,)
for dep in $(dpkg-deb -f "$deb" Depends | sed 's/([^)]*)//g; s/|[^,]*//g; s/,/ /g'); do
  grep -qxF "$dep" <<<"$provided" || ship_fail "the dependency $dep is not installed in the root"
done
ship_expect_eq "dpkg status" "$(in_root dpkg-query -W -f '${Status} ${Version}' termbrain)" \
  "install ok installed $version"
in_root dpkg -L termbrain | sort >"$work/files"
for f in /usr/bin/tb /usr/lib/systemd/user/termbrain.service /usr/lib/systemd/system/termbrain@.service \
         /usr/share/man/man1/tb.1.gz /usr/share/doc/termbrain/copyright \
         /usr/share/doc/termbrain/changelog.Debian.gz /usr/share/doc/termbrain/README.md \
         /usr/share/doc/termbrain/SECURITY.md /usr/share/doc/termbrain/packaging.md; do
  grep -qx "$f" "$work/files" || ship_fail "the package does not install $f"
done

ship_expect_eq "tb --version" "$(in_root tb --version)" "tb $upstream (store format 1)"
export_env=(TERMBRAIN_DATA_DIR=/root/tb-data TERMBRAIN_SPOOL_DIR=/root/tb-spool)
in_root "${export_env[@]}" tb record --command 'make -j2 test && echo "ok $HOME"' --cwd /srv/build \
  --exit 0 --duration-ms 1234 --started-at 2026-12-07T10:00:00Z --session s1 --shell bash
ship_expect_eq "tb history" "$(in_root "${export_env[@]}" tb history --format plain)" \
  'make -j2 test && echo "ok $HOME"'
line=$(in_root "${export_env[@]}" tb history --format ndjson)
id=$(sed -n 's/^{"id":"\([0-9a-f]\{16\}-1\)".*/\1/p' <<<"$line")
[ -n "$id" ] || ship_fail "no event id in $line"
ship_expect_eq "tb history --format ndjson" "$line" \
  "{\"id\":\"$id\",\"seq\":1,\"command\":\"make -j2 test && echo \\\"ok \$HOME\\\"\",\"cwd\":\"/srv/build\",\"exit_code\":0,\"duration_ms\":1234,\"started_at\":\"2026-12-07T10:00:00.000Z\",\"session\":\"s1\",\"host\":\"$(hostname)\",\"user\":\"root\",\"shell\":\"bash\"}"
ship_expect_eq "tb log verify" "$(in_root "${export_env[@]}" tb log verify)" \
  "events 1 (seq 1..1), bad payloads 0, gaps 0, duplicate ids 0"

# Remove, then purge: nothing of the package stays. The store and spool
# above are the user's data (no package removal touches a user's files).
timeout 120 chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q termbrain >>"$work/apt.log" 2>&1 ||
  ship_fail "apt-get remove termbrain"
[ ! -e "$root/usr/bin/tb" ] || ship_fail "/usr/bin/tb is still there after apt-get remove"
# Without configuration files dpkg forgets the package at its removal, and
# apt-get cannot name a package no source has: dpkg purges what is left.
timeout 120 chroot "$root" dpkg --purge termbrain >>"$work/apt.log" 2>&1 || ship_fail "dpkg --purge termbrain"
if in_root dpkg-query -W termbrain >/dev/null 2>&1; then ship_fail "dpkg still knows termbrain after the purge"; fi
left=()
while read -r f; do
  [ -e "$root$f" ] || continue
  # A directory stays when it was there before or another package owns it.
  if [ -d "$root$f" ] && { grep -qx "$f" "$work/before" || in_root dpkg -S "$f" >/dev/null 2>&1; }; then continue; fi
  left+=("$f")
done <"$work/files"
[ "${#left[@]}" -eq 0 ] || ship_fail "left after the purge: ${left[*]}"
rm -f "$root/tmp/termbrain.deb"
stray=$(in_root find / -xdev \( -path /proc -o -path /root/tb-data -o -path /root/tb-spool \) -prune -o \
          \( -name '*termbrain*' -o -name tb -o -name 'tb.1*' \) -print)
ship_expect_eq "files named after tb left anywhere" "$stray" ""
echo "ok: installed, ran and purged termbrain $version in $(( $(date +%s) - start )) s"
