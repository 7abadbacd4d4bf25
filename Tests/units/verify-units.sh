#!/bin/sh
# verify-units.sh: checks every systemd unit in units/ with `systemd-analyze verify`.
#
# Usage (as root, from anywhere):
#   Tests/units/verify-units.sh [PATH-TO-BUILT-guestprep]
#   e.g. swift build --scratch-path .build-units
#        Tests/units/verify-units.sh .build-units/debug/guestprep
#
# It builds a throw-away root: the units under etc/systemd/system, this machine's own unit
# directory under usr/lib/systemd/system (so that targets such as sysinit.target resolve), and
# the executables the units name: usr/bin/guestprep is a copy of the given binary, or of
# /bin/true when none is given (it says which), plus sh and systemctl (bin -> usr/bin, as on a
# merged-/usr Debian). Then, inside a private mount namespace (`unshare -m`) with a tmpfs on
# /run/systemd, because as root systemd-analyze writes /run/systemd/systemd-units-load:
#   1. self-test: deliberately broken copies of a unit (a misspelt ExecStart=, a misspelt key
#      that systemd only warns about, a missing executable) must each be judged FAIL; if any
#      passes, the harness is blind and the script exits 1;
#   2. each unit passes only when `systemd-analyze verify --root=ROOT UNIT` exits 0 AND prints
#      nothing on stderr (unknown keys only warn, with exit status 0);
#   3. `systemctl --root=ROOT enable` must succeed and leave every unit with an [Install]
#      section enabled.
# It prints one line per check and exits 0 only when every check passes; 1 when one fails;
# 2 on bad usage; 77 (skip) when systemd-analyze, systemctl or unshare is missing, when not
# run as root, or when a mount namespace cannot be created.
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
units_dir="$repo/units"

skip() { echo "SKIP: $*"; exit 77; }

if [ -z "${GUESTPREP_VERIFY_IN_NAMESPACE:-}" ]; then
    [ "$(id -u)" = 0 ] || skip "must run as root (systemd-analyze writes /run/systemd, unshare -m needs CAP_SYS_ADMIN)"
    for tool in systemd-analyze systemctl unshare; do
        command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
    done
    unshare -m true 2>/dev/null || skip "cannot create a mount namespace (unshare -m failed)"
    if [ $# -gt 1 ]; then echo "usage: $0 [PATH-TO-BUILT-guestprep]" >&2; exit 2; fi
    if [ $# -eq 1 ] && { [ ! -f "$1" ] || [ ! -x "$1" ]; }; then
        echo "error: '$1' is not an executable file (give the built guestprep binary, or nothing)" >&2
        exit 2
    fi
    GUESTPREP_VERIFY_IN_NAMESPACE=1 exec unshare -m --propagation private "$0" "$@"
    echo "error: could not re-run under unshare -m" >&2
    exit 1
fi

# From here on: inside the private mount namespace.
unset SYSTEMD_LOG_LEVEL SYSTEMD_LOG_TARGET SYSTEMD_LOG_COLOR SYSTEMD_LOG_LOCATION SYSTEMD_LOG_TIME
if [ -d /run/systemd ]; then
    mount -t tmpfs -o mode=0755 tmpfs /run/systemd || { echo "error: cannot mount a tmpfs on /run/systemd" >&2; exit 1; }
else
    mount -t tmpfs -o mode=0755 tmpfs /run || { echo "error: cannot mount a tmpfs on /run" >&2; exit 1; }
    mkdir -p /run/systemd
fi

root=$(mktemp -d /tmp/guestprep-verify-units.XXXXXX) || exit 1
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/bin" "$root/usr/lib/systemd/system" "$root/etc/systemd/system"
ln -s usr/bin "$root/bin"

if [ $# -eq 1 ]; then
    binary=$1
    echo "using the built binary $binary as /usr/bin/guestprep"
else
    binary=/bin/true
    echo "no binary given: using a copy of /bin/true as /usr/bin/guestprep"
fi
cp "$binary" "$root/usr/bin/guestprep" || exit 1
chmod 0755 "$root/usr/bin/guestprep"
cp "$(command -v sh)" "$root/usr/bin/sh" || exit 1
cp "$(command -v systemctl)" "$root/usr/bin/systemctl" || exit 1

system_units=
for candidate in /usr/lib/systemd/system /lib/systemd/system; do
    if [ -f "$candidate/sysinit.target" ]; then system_units=$candidate; break; fi
done
[ -n "$system_units" ] || skip "this machine has no systemd unit directory with sysinit.target"
cp -a "$system_units/." "$root/usr/lib/systemd/system/" || exit 1

units=
for path in "$units_dir"/*; do
    [ -f "$path" ] || continue
    case "$path" in
        *.service | *.socket | *.timer | *.path | *.target | *.mount) ;;
        *) echo "FAIL $(basename "$path"): not a unit file type this script knows"; exit 1 ;;
    esac
    cp "$path" "$root/etc/systemd/system/" || exit 1
    units="$units $(basename "$path")"
done
[ -n "$units" ] || { echo "FAIL: no units found in $units_dir"; exit 1; }

# verify_unit NAME: 0 when systemd-analyze exits 0 with an empty stderr; prints the reason else.
verify_unit() {
    # --man=no: Documentation=man:guestprep(8) names the page the package installs, which this
    # machine's man does not have (Tests/package/test-deb.sh checks the package ships it).
    errors=$(systemd-analyze verify --man=no --root="$root" "$1" 2>&1 >/dev/null)
    status=$?
    if [ "$status" -eq 0 ] && [ -z "$errors" ]; then return 0; fi
    echo "    systemd-analyze verify exited $status"
    [ -n "$errors" ] && printf '%s\n' "$errors" | sed 's/^/    /'
    return 1
}

# Self-test: each broken copy must fail, or the checks above prove nothing.
template=
for unit in $units; do
    case "$unit" in *.service) grep -q '^ExecStart=/usr/bin/guestprep ' "$units_dir/$unit" && template=$unit && break ;; esac
done
[ -n "$template" ] || { echo "FAIL: no .service unit with ExecStart=/usr/bin/guestprep to build the self-test from"; exit 1; }
blind=0
selftest() { # selftest NAME SED-SCRIPT DESCRIPTION
    broken="$root/etc/systemd/system/$1"
    sed "$2" "$root/etc/systemd/system/$template" >"$broken"
    if cmp -s "$broken" "$root/etc/systemd/system/$template"; then
        echo "FAIL self-test $1: the edit ($3) changed nothing in $template"
        blind=1
    elif verify_unit "$1" >/dev/null; then
        echo "FAIL self-test $1: a copy of $template with $3 passed: the harness is blind"
        blind=1
    else
        echo "ok   self-test $1: a copy of $template with $3 is rejected"
    fi
    rm -f "$broken"
}
selftest guestprep-selftest-typo.service 's/^ExecStart=/ExecStrat=/' "ExecStart= misspelt ExecStrat= (a fatal error)"
selftest guestprep-selftest-warning.service '/^\[Service\]/a TimeoutStratSec=5min' \
    "an unknown key TimeoutStratSec= (only a warning, exit status 0)"
selftest guestprep-selftest-missing.service 's#^ExecStart=/usr/bin/guestprep #ExecStart=/usr/bin/guestprep-missing #' \
    "ExecStart= naming a missing executable"
if [ "$blind" -ne 0 ]; then
    echo "the harness is blind: it cannot tell a broken unit from a good one"
    exit 1
fi

failed=0
for unit in $units; do
    if report=$(verify_unit "$unit"); then
        echo "PASS $unit"
    else
        echo "FAIL $unit"
        printf '%s\n' "$report"
        failed=1
    fi
done

installable=
for unit in $units; do
    grep -q '^\[Install\]' "$units_dir/$unit" && installable="$installable $unit"
done
if [ -n "$installable" ]; then
    # shellcheck disable=SC2086 # the unit names are deliberately split
    if output=$(systemctl --root="$root" enable $installable 2>&1); then
        for unit in $installable; do
            state=$(systemctl --root="$root" is-enabled "$unit" 2>&1)
            if [ "$state" = enabled ]; then
                echo "PASS $unit: systemctl enable"
            else
                echo "FAIL $unit: systemctl enable left it '$state'"
                failed=1
            fi
        done
    else
        echo "FAIL systemctl --root enable:$installable"
        printf '%s\n' "$output" | sed 's/^/    /'
        failed=1
    fi
fi

if [ "$failed" -ne 0 ]; then
    echo "some units failed verification"
    exit 1
fi
echo "all units passed"
exit 0
