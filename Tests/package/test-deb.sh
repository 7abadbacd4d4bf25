#!/usr/bin/env bash
# test-deb.sh DEB: installs, removes and purges the guestprep package in a Debian 12 root with
# the root's own dpkg (chroot), checking each state, then runs lintian on the package.
#
#     bash Tests/package/test-deb.sh .build/deb/guestprep_VERSION_ARCH.deb
#
# The root is the end-to-end tests' cached debootstrap root (Tests/e2e/lib.sh), seen through an
# overlay, so the cache is never changed. As root only; prints "SKIP: reason" and exits 77 when
# not root or chroot or dpkg is missing. One PASS or FAIL line per check, then a summary; exit 0
# only when every check passed. lintian fails the test only with errors (E:); its warnings and
# other tags are printed and counted.
set -uo pipefail

skip() {
  printf 'SKIP: %s\n' "$*"
  exit 77
}

[ $# -eq 1 ] || {
  echo "usage: Tests/package/test-deb.sh DEB" >&2
  exit 2
}
[ "$(id -u)" = 0 ] || skip "must run as root (chroot, overlay mount, dpkg in the guest root)"
for tool in chroot dpkg dpkg-deb; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done

repo=$(cd "$(dirname "$0")/../.." && pwd)
deb=$(realpath -e "$1" 2>/dev/null) || {
  echo "test-deb: no such package: $1" >&2
  exit 2
}
[ -f "$repo/Tests/e2e/lib.sh" ] || {
  echo "test-deb: $repo/Tests/e2e/lib.sh is missing: it makes the Debian 12 root" >&2
  exit 1
}
# shellcheck source-path=SCRIPTDIR source=../e2e/lib.sh
. "$repo/Tests/e2e/lib.sh"

passed=0
failed=0
pass() {
  printf 'PASS %s\n' "$*"
  passed=$((passed + 1))
}
fail() {
  printf 'FAIL %s\n' "$*"
  failed=$((failed + 1))
}
# check NAME COMMAND...: PASS or FAIL by COMMAND's status; what it printed is shown indented.
check() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then
    pass "$name"
  else
    fail "$name"
  fi
  [ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/    /'
}

package=$(dpkg-deb -f "$deb" Package)
version=$(dpkg-deb -f "$deb" Version)
[ "$package" = guestprep ] || {
  echo "test-deb: $deb is package '$package', not guestprep" >&2
  exit 2
}

work=$(mktemp -d /tmp/guestprep-test-deb.XXXXXX)
cleanup() {
  if [ -n "${root:-}" ] && mountpoint -q "$root/proc" 2>/dev/null; then umount "$root/proc"; fi
  e2e_release_root "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

base=$(e2e_base_root) || {
  echo "test-deb: no Debian 12 root (e2e_base_root failed)" >&2
  exit 1
}
root=$(e2e_guest_root "$base" "$work")
echo "test-deb: $deb ($package $version) in $root (overlay of $base)"

in_root() { chroot "$root" "$@"; }
# Everything under the root whose name holds "guestprep", one path a line (relative to it).
named_guestprep() { (cd "$root" && find . -xdev -name '*guestprep*' | LC_ALL=C sort); }
before=$(named_guestprep)

# --- install ------------------------------------------------------------------------------------
installed() {
  cp "$deb" "$root/tmp/test-deb.deb" || return 1
  local status=0
  in_root dpkg -i /tmp/test-deb.deb || status=$?
  rm -f "$root/tmp/test-deb.deb"
  return "$status"
}
check "dpkg -i $package $version" installed
if ! in_root dpkg-query -W "$package" >/dev/null 2>&1; then
  fail "the package is not installed: the remaining dpkg checks are not run"
else
  # With /proc mounted, as on a booted system: without it the Swift runtime cannot read the
  # arguments (/proc/self/cmdline), and guestprep prints its help whatever it is asked.
  runs() {
    local said status=0
    mount -t proc proc "$root/proc" || return 1
    said=$(in_root guestprep --version) || status=$?
    umount "$root/proc"
    echo "guestprep --version: $said"
    [ "$status" = 0 ] && [ "$said" = "${version%%-*}" ]
  }
  check "guestprep --version in the root prints $version" runs

  # The units in the package, and the links enabling each one with an [Install] section.
  mapfile -t units < <(in_root dpkg -L "$package" | sed -n 's|^/lib/systemd/system/\([^/]*\)$|\1|p')
  if [ ${#units[@]} -gt 0 ]; then
    pass "units in the package: ${units[*]}"
  else
    fail "no units in /lib/systemd/system"
  fi
  enable_links=()
  self_enabled=()
  for unit in "${units[@]}"; do
    file=$root/lib/systemd/system/$unit
    install_section=$(sed -n '/^\[Install\]/,/^\[/p' "$file")
    [ -n "$install_section" ] || continue
    # The health timer is enabled by guestprep for the profiles that want it, never by dpkg.
    if grep -q '^# Enabled by guestprep itself' "$file"; then
      self_enabled+=("$unit")
      continue
    fi
    for target in $(printf '%s\n' "$install_section" | sed -n 's/^WantedBy=//p'); do
      enable_links+=("/etc/systemd/system/$target.wants/$unit")
    done
    for target in $(printf '%s\n' "$install_section" | sed -n 's/^RequiredBy=//p'); do
      enable_links+=("/etc/systemd/system/$target.requires/$unit")
    done
  done
  linked() {
    local link target ok=0
    for link in "${enable_links[@]}"; do
      target=$(readlink "$root$link") || {
        echo "missing: $link"
        ok=1
        continue
      }
      if [ -f "$root$target" ]; then
        echo "$link -> $target"
      else
        echo "$link -> $target, which is not in the root"
        ok=1
      fi
    done
    return "$ok"
  }
  check "every unit with [Install] is enabled (${#enable_links[@]} links)" linked
  not_enabled() {
    local unit
    for unit in "${self_enabled[@]}"; do
      if find "$root/etc/systemd/system" -name "$unit" | grep -q .; then
        echo "enabled by the package: $unit"
        return 1
      fi
    done
  }
  check "units guestprep enables itself are left disabled (${self_enabled[*]:-none})" not_enabled
  check "the manual page the units' Documentation= names is installed" test -f "$root/usr/share/man/man8/guestprep.8.gz"

  conffile() {
    [ -f "$root/etc/default/guestprep" ] || {
      echo "/etc/default/guestprep is missing"
      return 1
    }
    grep -q '^GUESTPREP_ARGS=$' "$root/etc/default/guestprep" || {
      echo "no empty GUESTPREP_ARGS= line"
      return 1
    }
    local listed
    # shellcheck disable=SC2016 # ${Conffiles} is dpkg-query's, not the shell's
    listed=$(in_root dpkg-query -W -f='${Conffiles}\n' "$package")
    echo "Conffiles:$listed"
    printf '%s\n' "$listed" | grep -q '^ /etc/default/guestprep [0-9a-f]\{32\}$'
  }
  check "/etc/default/guestprep is there and is a conffile" conffile

  status_is() {
    local status
    # shellcheck disable=SC2016 # ${Status} is dpkg-query's, not the shell's
    status=$(in_root dpkg-query -W -f='${Status}' "$package" 2>&1)
    echo "Status: $status"
    [ "$status" = "$1" ]
  }
  check "dpkg -s: install ok installed" status_is "install ok installed"
  audit() {
    local out
    out=$(in_root dpkg --audit 2>&1)
    printf '%s' "$out"
    [ -z "$out" ]
  }
  check "dpkg --audit reports nothing" audit

  # What systemd's StateDirectory= and a first run would leave: purge must remove it.
  install -d -m 0700 "$root/var/lib/guestprep"
  echo '{}' >"$root/var/lib/guestprep/state.json"

  # --- remove --------------------------------------------------------------------------------
  check "dpkg -r $package" in_root dpkg -r "$package"
  gone() {
    local path ok=0
    for path in "$@"; do
      if [ -e "$root$path" ] || [ -L "$root$path" ]; then
        echo "still there: $path"
        ok=1
      fi
    done
    return "$ok"
  }
  unit_paths=()
  for unit in "${units[@]}"; do unit_paths+=("/lib/systemd/system/$unit"); done
  check "binary and units are gone" gone /usr/bin/guestprep "${unit_paths[@]}"
  no_dangling() {
    local dangling
    dangling=$(in_root find /etc/systemd/system -xtype l | grep guestprep)
    [ -z "$dangling" ] || {
      printf '%s\n' "$dangling" | sed 's/^/dangling: /'
      return 1
    }
    in_root find /etc/systemd/system -name '*guestprep*' -printf 'left: %p -> %l\n'
  }
  check "no dangling enable links naming guestprep in /etc/systemd/system" no_dangling
  check "/etc/default/guestprep stays (conffile)" test -f "$root/etc/default/guestprep"
  check "/var/lib/guestprep stays until purge" test -f "$root/var/lib/guestprep/state.json"
  check "dpkg -s: deinstall ok config-files" status_is "deinstall ok config-files"

  # The postrm deleted the enable links on remove (debhelper's leaves them dangling until
  # purge); installing again must enable the units again, as the first installation did.
  check "dpkg -i again after dpkg -r" installed
  check "every unit with [Install] is enabled again" linked
  check "dpkg -r $package again" in_root dpkg -r "$package"

  # --- purge ---------------------------------------------------------------------------------
  check "dpkg -P $package" in_root dpkg -P "$package"
  check "/etc/default/guestprep and /var/lib/guestprep are gone" gone /etc/default/guestprep /var/lib/guestprep
  not_known() {
    if in_root dpkg -L "$package"; then return 1; fi
    return 0
  }
  check "dpkg -L $package fails" not_known
  nothing_left() {
    local after
    after=$(named_guestprep)
    if [ "$after" != "$before" ]; then
      diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | sed -n 's/^> /left: /p'
      return 1
    fi
  }
  check "nothing named *guestprep* left in the root" nothing_left
  check "dpkg --audit reports nothing after purge" audit
fi

# --- lintian ------------------------------------------------------------------------------------
if ! command -v lintian >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  echo "test-deb: installing lintian (apt-get install -y --no-install-recommends lintian)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends lintian >/dev/null 2>&1 ||
    echo "test-deb: apt-get install lintian failed"
fi
if ! command -v lintian >/dev/null 2>&1; then
  fail "lintian: not installed (apt-get install -y --no-install-recommends lintian)"
else
  # Every tag: errors, warnings, info, pedantic and experimental ones.
  tags=$(lintian --display-info --display-experimental --pedantic --tag-display-limit 0 "$deb" 2>&1 |
    grep -E '^[A-Z]: ')
  errors=$(printf '%s\n' "$tags" | grep -c '^E: ')
  warnings=$(printf '%s\n' "$tags" | grep -c '^W: ')
  others=$(printf '%s\n' "$tags" | grep -c '^[^EW]: ')
  echo "lintian $(lintian --version | sed 's/^Lintian v//'): $errors errors, $warnings warnings, $others info/pedantic/experimental"
  [ -z "$tags" ] || printf '%s\n' "$tags" | sed 's/^/    /'
  if [ "$warnings" -gt 0 ]; then
    echo "lintian warnings:"
    printf '%s\n' "$tags" | grep '^W: ' | sed 's/^/    /'
  fi
  if [ "$errors" -eq 0 ]; then pass "lintian: no errors"; else fail "lintian: $errors errors"; fi
fi

echo "test-deb: $((passed + failed)) checks, $passed passed, $failed failed"
[ "$failed" -eq 0 ]
