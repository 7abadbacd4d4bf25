#!/usr/bin/env bash
# Builds the Debian package of guestprep with dpkg-deb (no debhelper) and prints its path on the
# last line of stdout:
#
#     scripts/build-deb.sh [BINARY]
#
# BINARY is the guestprep executable to package; without it, scripts/build-release.sh builds
# the release binary first (minutes). The version is the binary's own (`BINARY --version`), the
# architecture this machine's (`dpkg --print-architecture`). The package is staged under
# .build/deb/guestprep_VERSION_ARCH/ and written to .build/deb/guestprep_VERSION_ARCH.deb.
#
# Contents: /usr/bin/guestprep (stripped, no RUNPATH), every unit of units/ in
# /lib/systemd/system, the profiles under /usr/share/guestprep/profiles (reference copies: the
# binary has its own built in), /etc/default/guestprep (a conffile), and the copyright and
# changelog in /usr/share/doc/guestprep, and guestprep(8), made from the binary's help by
# packaging/manpage.sh. The maintainer scripts in packaging/debian enable the
# units that have an [Install] section and start nothing (they are first-boot units).
#
# Depends is computed:
# - the binary's NEEDED libraries (readelf -d), each mapped to the package that holds it on
#   this machine (dpkg -S), with the minimum versions dpkg-shlibdeps gives from the libraries'
#   symbols files when dpkg-dev is installed;
# - the libraries guestprep loads with dlopen (table `dlopened` below; every soname the
#   sources name is checked against it), mapped the same way. dpkg-shlibdeps cannot see these,
#   and a missing one shows only when it is needed (without libsystemd0 no READY=1 reaches
#   systemd, and the Type=notify units time out), so they are Depends, not Recommends. No
#   version: guestprep binds only functions that every version of these packages has
#   (sd_notify and sd_journal_sendv; curl_easy_*, choosing at run time the options of libcurl
#   7.85 and later; EVP_* and X509_* of OpenSSL 3; archive_read_* and archive_entry_* of
#   libarchive 3, for token archives and OVF ISO images);
# - init-system-helpers (>= 1.54~) when the maintainer scripts use deb-systemd-helper, as
#   dh_installsystemd adds it.
# The package is for the distribution this script runs on: built on Debian 12, it names
# libssl3, libcurl4 and libarchive13; on a distribution with the 64-bit time_t names
# (libssl3t64, libarchive13t64), those.
#
# Lintian (Tests/package/test-deb.sh runs it): no errors. The binary links the Swift runtime,
# FoundationEssentials and libstdc++ statically (scripts/build-release.sh says why); lintian 2.116
# has no tag for that (no statically-linked-binary or embedded-library: it looks for those
# libraries' own code, e.g. zlib, not the Swift runtime). What it does tag comes from how swiftc
# links the executable, not from packaging, and is left as it is: hardening-no-bindnow and
# hardening-no-fortify-functions (I). The executable is position-independent (the default
# of swiftc on Linux), so there is no hardening-no-pie. The units (units/, not packaging) draw
# systemd-service-file-missing-documentation-key and, having no init.d script,
# package-supports-alternative-init-but-no-init.d-script (I).
#
# Needs: dpkg-deb and dpkg (dpkg), readelf and strip (binutils), ldd, gzip, and chrpath or patchelf
# when the binary has a RUNPATH (swift build adds $ORIGIN; lintian's custom-library-search-path
# is an error). SOURCE_DATE_EPOCH, else the time of the last commit, dates the changelog and
# the files in the package, so the same inputs give the same .deb.
set -euo pipefail
umask 022
cd "$(dirname "$0")/.."
repo=$PWD

die() {
  echo "build-deb: $*" >&2
  exit 1
}
warn() { echo "build-deb: warning: $*" >&2; }

# Libraries guestprep opens with dlopen, and the package that has each on Debian 12 (used only
# when dpkg -S cannot find the library on this machine). libnvidia-ml.so.1 is also opened, but
# it comes with the NVIDIA driver that guestprep installs, so it is no dependency.
declare -A dlopened=([libsystemd.so.0]=libsystemd0 [libcurl.so.4]=libcurl4 [libcrypto.so.3]=libssl3
  [libarchive.so.13]=libarchive13)
not_dependencies=(libnvidia-ml.so.1)

[ $# -le 1 ] || die "usage: scripts/build-deb.sh [BINARY]"
command -v dpkg-deb >/dev/null 2>&1 || die "dpkg-deb not found: it comes with dpkg (Debian, Ubuntu); install dpkg to build the .deb"
for tool in dpkg dpkg-query readelf strip ldd gzip; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found (dpkg, binutils, libc-bin, gzip)"
done

if [ $# -eq 1 ]; then
  bin=$1
else
  echo "build-deb: no BINARY given: building the release binary with scripts/build-release.sh" >&2
  bin=$(scripts/build-release.sh | tail -1) || die "scripts/build-release.sh failed"
fi
[ -e "$bin" ] || die "binary not found: $bin (build it with scripts/build-release.sh, or give its path)"
if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then die "not an executable file: $bin"; fi
version=$("$bin" --version) || die "$bin --version failed"
[[ $version =~ ^[0-9][A-Za-z0-9.+~]*$ ]] || die "$bin --version printed '$version', not a version"
arch=$(dpkg --print-architecture)

stage_dir=.build/deb
pkg=guestprep_${version}_${arch}
root=$stage_dir/$pkg
deb=$stage_dir/$pkg.deb
rm -rf "$root" "$deb"
mkdir -p "$root/DEBIAN"

if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || date +%s)
fi
export SOURCE_DATE_EPOCH

# --- the binary: stripped as dh_strip strips an executable, RUNPATH removed -------------------
install -d "$root/usr/bin"
strip --remove-section=.comment --remove-section=.note -o "$root/usr/bin/guestprep" "$bin"
if readelf -d "$root/usr/bin/guestprep" | grep -qE '\((RPATH|RUNPATH)\)'; then
  # The Swift runtime is linked statically, so $ORIGIN finds nothing guestprep needs.
  # (swift build --disable-local-rpath would leave it out in the first place.)
  if command -v chrpath >/dev/null 2>&1; then
    chrpath -d "$root/usr/bin/guestprep" >/dev/null
  elif command -v patchelf >/dev/null 2>&1; then
    patchelf --remove-rpath "$root/usr/bin/guestprep"
  else
    die "$bin has a RUNPATH ($(readelf -d "$bin" | sed -n 's/.*path: //p')) and neither chrpath nor patchelf is installed to remove it (apt-get install chrpath)"
  fi
fi
chmod 0755 "$root/usr/bin/guestprep"
stripped_version=$("$root/usr/bin/guestprep" --version) || die "the stripped binary does not run"
[ "$stripped_version" = "$version" ] || die "the stripped binary says '$stripped_version', not '$version'"

# --- units --------------------------------------------------------------------------------
install -d "$root/lib/systemd/system"
all_units=()
install_units=()
for unit in units/*; do
  name=${unit#units/}
  [ -f "$unit" ] || die "$unit is not a file: only unit files belong in units/"
  [[ $name =~ ^[A-Za-z0-9:_.@-]+\.(service|socket|timer|path|target|mount|automount|swap|slice)$ ]] ||
    die "$unit is not a systemd unit file name (units/ is installed in /lib/systemd/system)"
  install -m 0644 "$unit" "$root/lib/systemd/system/$name"
  all_units+=("$name")
  # A unit marked "# Enabled by guestprep itself" (the health timer, which only profiles that
  # want it get) is installed but not enabled by the package.
  if grep -q '^\[Install\]' "$unit" && ! grep -q '^# Enabled by guestprep itself' "$unit"; then
    install_units+=("$name")
  fi
  if [[ $name == *.service && $name != *@.service ]] && ! grep -q '^EnvironmentFile=-\?/etc/default/guestprep$' "$unit"; then
    warn "$unit does not read /etc/default/guestprep (EnvironmentFile=-/etc/default/guestprep): GUESTPREP_ARGS has no effect on it"
  fi
done
[ ${#all_units[@]} -gt 0 ] || die "no unit files in units/"

# --- profiles, /etc/default, documentation ---------------------------------------------------
profiles=$root/usr/share/guestprep/profiles
install -d "$profiles"
install -m 0644 profiles/*.yaml "$profiles/"
cp -R profiles/catalog "$profiles/catalog"
find "$profiles" -type d -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +

install -d "$root/etc/default"
install -m 0644 packaging/default/guestprep "$root/etc/default/guestprep"
printf '/etc/default/guestprep\n' >"$root/DEBIAN/conffiles"

doc=$root/usr/share/doc/guestprep
install -d "$doc"
install -m 0644 packaging/debian/copyright "$doc/copyright"
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo "an unknown commit")
# A native package (the version has no Debian revision): its changelog is changelog.gz.
{
  printf 'guestprep (%s) unstable; urgency=medium\n\n' "$version"
  printf '  * Built from the guestprep repository at %s.\n\n' "$commit"
  printf ' -- guestprep developers <guestprep@example.invalid>  %s\n' "$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"

man=$root/usr/share/man/man8
install -d "$man"
packaging/manpage.sh "$root/usr/bin/guestprep" "$version" "$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)" |
  gzip -9n >"$man/guestprep.8.gz"
chmod 0644 "$man/guestprep.8.gz"

# --- maintainer scripts -------------------------------------------------------------------------
for script in postinst prerm postrm; do
  sed -e "s/#UNITS#/${install_units[*]}/" -e "s/#ALL_UNITS#/${all_units[*]}/" \
    "packaging/debian/$script" >"$root/DEBIAN/$script"
  chmod 0755 "$root/DEBIAN/$script"
done

# --- Depends ---------------------------------------------------------------------------------
# The directory of the C library this binary uses, e.g. x86_64-linux-gnu: dpkg -S looks for
# each library there, so a library of another architecture installed beside it is not taken.
libc_path=$(ldd "$root/usr/bin/guestprep" 2>/dev/null | awk '$1 == "libc.so.6" { print $3 }') || true
[ -n "$libc_path" ] || die "ldd finds no libc.so.6 for $bin"
triplet=$(basename "$(dirname "$libc_path")")

# owner SONAME: the package holding SONAME in the C library's directory, else anywhere.
owner() {
  local found
  found=$(dpkg -S "*/$triplet/$1" 2>/dev/null || dpkg -S "*/$1" 2>/dev/null) || return 1
  printf '%s\n' "$found" | grep -v '^diversion ' | sed -n 's/^\([^:,]*\)[:,].*/\1/p' | sort -u | head -1
}

declare -A depends=()
while read -r soname; do
  package=$(owner "$soname") || die "no installed package holds $soname, which $bin needs (readelf -d): cannot compute Depends"
  depends[$package]=$package
done < <(readelf -d "$root/usr/bin/guestprep" | sed -n 's/.*(NEEDED).*Shared library: \[\(.*\)\]/\1/p')

if command -v dpkg-shlibdeps >/dev/null 2>&1; then
  # dpkg-shlibdeps reads debian/control: a stub in a scratch directory is enough for -O.
  scratch=$stage_dir/shlibdeps
  rm -rf "$scratch"
  mkdir -p "$scratch/debian"
  printf 'Source: guestprep\n\nPackage: guestprep\nArchitecture: any\n' >"$scratch/debian/control"
  shlibs=$(cd "$scratch" && dpkg-shlibdeps -O -e"$repo/$root/usr/bin/guestprep") ||
    die "dpkg-shlibdeps failed"
  rm -rf "$scratch"
  IFS=',' read -ra versioned <<<"${shlibs#shlibs:Depends=}"
  for entry in "${versioned[@]}"; do
    entry=$(echo "$entry" | sed 's/^ *//; s/ *$//')
    package=${entry%% *}
    [ -n "${depends[$package]:-}" ] || warn "dpkg-shlibdeps names $package, which readelf -d and dpkg -S did not: added"
    depends[$package]=$entry
  done
else
  warn "dpkg-shlibdeps not found (dpkg-dev): Depends has no minimum versions for the linked libraries"
fi

# Every library name in the sources must be a known dlopen dependency or a known exception.
if [ -d Sources ]; then
  while read -r soname; do
    [ -n "${dlopened[$soname]:-}" ] && continue
    [[ " ${not_dependencies[*]} " == *" $soname "* ]] && continue
    die "Sources name $soname (dlopen?), which build-deb.sh does not know: add it to dlopened or not_dependencies"
  done < <(grep -rhoE '"lib[A-Za-z0-9_+-]*\.so\.[0-9]+"' Sources | tr -d '"' | sort -u)
  for soname in "${!dlopened[@]}"; do
    grep -rqF "\"$soname\"" Sources || warn "no source names $soname any more: is ${dlopened[$soname]} still needed?"
  done
fi
for soname in "${!dlopened[@]}"; do
  if ! package=$(owner "$soname"); then
    package=${dlopened[$soname]}
    warn "$soname is not installed here: Depends names $package, its package on Debian 12"
  fi
  depends[$package]=${depends[$package]:-$package}
done

if grep -q 'deb-systemd-helper' "$root"/DEBIAN/post* "$root"/DEBIAN/pre*; then
  depends[init-system-helpers]='init-system-helpers (>= 1.54~)'
fi
depends_line=$(printf '%s\n' "${depends[@]}" | sort | paste -sd, - | sed 's/,/, /g')

# --- control, md5sums, build ------------------------------------------------------------------
# Installed-Size as dpkg-gencontrol counts it (DEBIAN/ aside): KiB per file, rounded up, and 1
# per directory or symbolic link.
installed_size=$(cd "$root" && find . -path ./DEBIAN -prune -o ! -path . -printf '%y %s\n' |
  awk '$1 == "f" { total += int(($2 + 1023) / 1024) } $1 != "f" { total += 1 } END { print total }')
sed -e "s/#VERSION#/$version/" -e "s/#ARCH#/$arch/" -e "s/#INSTALLED_SIZE#/$installed_size/" \
  -e "s/#DEPENDS#/$depends_line/" packaging/debian/control.in >"$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
  xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"
# The file times in the package, for a reproducible .deb (dpkg-deb clamps to SOURCE_DATE_EPOCH
# too, but only times later than it).
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

dpkg-deb --root-owner-group --build "$root" "$deb" >&2
echo "build-deb: Depends: $depends_line" >&2
echo "$deb"
