#!/usr/bin/env bash
# fetch-lwip.sh: fetches lwIP's Debian source package through a private apt configuration, verifies it, unpacks it into build/lwip/.
set -euo pipefail
cd "$(dirname "$0")/.."

# The one version the SDK's glue and lwipopts.h are written for (Debian 12 "bookworm").
LWIP_VERSION=2.1.3
# The Debian revision (and a +dfsg repack suffix) is whatever the suite carries.
ROOT=build/lwip
TREE="$ROOT/lwip-$LWIP_VERSION"
STAMP="$TREE/.nabla-verified"

if [ -f "$STAMP" ]; then
  echo "lwip: reusing $TREE (verified $(cat "$STAMP"))"
  exit 0
fi

# A private apt: its own sources list (deb-src mirroring the machine's deb source), lists and
# cache under build/lwip/apt, so nothing system-wide changes. The dpkg status file is read only.
APT="$PWD/$ROOT/apt"
mkdir -p "$APT/etc/sources.list.d" "$APT/etc/preferences.d" "$APT/lists/partial" \
  "$APT/cache/archives/partial" "$ROOT/download"
cat >"$APT/etc/sources.list.d/debian-src.sources" <<SOURCES
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
cat >"$APT/apt.conf" <<CONF
Dir::Etc::SourceList "/dev/null";
Dir::Etc::SourceParts "$APT/etc/sources.list.d";
Dir::Etc::Preferences "/dev/null";
Dir::Etc::PreferencesParts "$APT/etc/preferences.d";
Dir::State::Lists "$APT/lists";
Dir::Cache "$APT/cache";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT::Sandbox::User "root";
CONF
export APT_CONFIG="$APT/apt.conf"

fail() {
  echo "lwip: $*" >&2
  exit 1
}

apt-get update -qq || fail "apt-get update of the private deb-src list failed (see above)"
offered=$(apt-cache showsrc lwip 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -n 1)
[ -n "$offered" ] || fail "apt offers no lwip source package (deb-src bookworm main)"
case "$offered" in
  "$LWIP_VERSION"-* | "$LWIP_VERSION"+*) ;;
  *) fail "apt offers lwip $offered, but nabla expects $LWIP_VERSION-*" ;;
esac

# apt-get checks the .dsc and tarballs against the Sources index, whose hashes come from the
# InRelease file signed by the Debian archive key (Signed-By above).
(cd "$ROOT/download" && apt-get source -qq --download-only "lwip=$offered") ||
  fail "apt-get source --download-only lwip=$offered failed"

dsc="$ROOT/download/lwip_${offered#*:}.dsc"
[ -f "$dsc" ] || fail "$dsc missing after download"

# Then each file against the .dsc's own Checksums-Sha256 (independently of apt and dpkg-source).
listed=0
while read -r sum size name; do
  file="$ROOT/download/$name"
  [ -f "$file" ] || fail "$name, listed in $(basename "$dsc"), was not downloaded"
  [ "$(stat -c %s "$file")" = "$size" ] || fail "$name: size differs from $(basename "$dsc")"
  echo "$sum  $file" | sha256sum --quiet -c - || fail "$name: sha256 differs from $(basename "$dsc")"
  listed=$((listed + 1))
done < <(awk '/^Checksums-Sha256:/{on=1;next} /^[^ ]/{on=0} on&&NF==3{print}' "$dsc")
[ "$listed" -ge 2 ] || fail "$(basename "$dsc") lists no Checksums-Sha256 files"

# dpkg-source re-checks the checksums and applies Debian's patches. The .dsc is signed by its
# uploader, whose key is in debian-keyring (not installed), so dpkg-source only warns (in its
# log) that it cannot check that signature: the archive's signature over the index above is
# what ties these files to Debian.
rm -rf "$TREE" "$TREE.tmp"
dpkg-source -x "$dsc" "$TREE.tmp" >"$ROOT/dpkg-source.log" 2>&1 ||
  fail "dpkg-source -x $dsc failed (see $ROOT/dpkg-source.log)"
[ -f "$TREE.tmp/src/core/tcp.c" ] || fail "$TREE.tmp has no src/core/tcp.c"
mv "$TREE.tmp" "$TREE"
echo "$offered $(sha256sum "$dsc" | cut -d' ' -f1)" >"$STAMP"
echo "lwip: $offered unpacked into $TREE"
