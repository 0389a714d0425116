# Helpers of the ship tests (tests/ship/*.sh, scripts/container-test): sourced, not run.
#
# ship_skip MESSAGE          prints "SKIP: MESSAGE" and exits 77 (ctest's SKIP_RETURN_CODE)
# ship_fail MESSAGE          prints "FAIL: MESSAGE" and exits 1
# ship_expect_eq WHAT A B    fails naming WHAT and both values unless A = B
# ship_mirror                the Debian mirror this machine's apt uses for bookworm
# ship_bookworm_tarball CACHE
#                            prints CACHE/bookworm-minbase.tar, a minbase Debian
#                            bookworm root; debootstrap makes it from ship_mirror
#                            when it is not there yet (a rerun downloads nothing)
# ship_bookworm_root DIR CACHE
#                            unpacks that root into DIR (a new directory)

# Any command that fails where the script did not expect it names itself
# (set -e would otherwise end the test without a word).
set -E
trap 'ship_rc=$?; echo "FAIL: ${0##*/} line $LINENO: \"$BASH_COMMAND\" exited $ship_rc" >&2' ERR

ship_skip() {
  echo "SKIP: $*"
  exit 77
}

ship_fail() {
  echo "FAIL: $*" >&2
  exit 1
}

ship_expect_eq() {
  if [ "$2" != "$3" ]; then
    printf 'FAIL: %s\n  expected: %s\n  actual:   %s\n' "$1" "$3" "$2" >&2
    exit 1
  fi
}

ship_mirror() {
  local f uri
  # deb822 sources (URIs: then Suites:), then one-line sources (deb URI SUITE ...).
  uri=$({
    for f in /etc/apt/sources.list.d/*.sources; do
      [ ! -f "$f" ] || awk '/^URIs:/ {u = $2} /^Suites:/ && / bookworm( |$)/ {print u}' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [ ! -f "$f" ] || awk '$1 == "deb" && / bookworm / {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) print $i}' "$f"
    done
  } | sed -n 1p)
  [ -n "$uri" ] && echo "$uri"
}

ship_bookworm_tarball() {
  local cache=$1 tarball=$1/bookworm-minbase.tar mirror tmp
  mkdir -p "$cache"
  if [ ! -s "$tarball" ]; then
    mirror=$(ship_mirror) || ship_fail "no bookworm mirror in /etc/apt/sources.list*"
    tmp=$(mktemp -d "$cache/debootstrap.XXXXXX")
    echo "debootstrap --variant=minbase bookworm from $mirror (cached in $tarball)" >&2
    if ! debootstrap --variant=minbase bookworm "$tmp/root" "$mirror" >"$cache/debootstrap.log" 2>&1; then
      tail -n 20 "$cache/debootstrap.log" >&2
      rm -rf "$tmp"
      ship_fail "debootstrap failed (log: $cache/debootstrap.log)"
    fi
    rm -f "$tmp/root/var/cache/apt/archives/"*.deb
    tar -C "$tmp/root" --numeric-owner -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$tmp"
  fi
  echo "$tarball"
}

ship_bookworm_root() {
  local tarball
  tarball=$(ship_bookworm_tarball "$2")
  mkdir -p "$1"
  tar -C "$1" --numeric-owner -xf "$tarball"
}
