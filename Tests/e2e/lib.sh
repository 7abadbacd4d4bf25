# shellcheck shell=bash
# lib.sh: shared pieces of the end-to-end boot tests (sourced, not run).
#
# The guest system is Debian 12 made by debootstrap once and cached: every test works on an
# overlay (or, where overlayfs is not available, a copy) of the cached root, so the cache is
# never changed. The cache is ${GUESTPREP_E2E_CACHE:-/var/cache/guestprep-e2e}; a root is
# rebuilt when the package list or the mirror below changes (its name holds their digest).

e2e_cache=${GUESTPREP_E2E_CACHE:-/var/cache/guestprep-e2e}
e2e_mirror=${GUESTPREP_E2E_MIRROR:-http://deb.debian.org/debian}
e2e_suite=bookworm
# What the guest needs: systemd as init and networkd, the .deb's Depends, and for the VM a
# kernel whose initramfs initramfs-tools rebuilds (zstd compresses it).
e2e_packages=systemd,systemd-sysv,iproute2,udev,dbus,kmod,libcurl4,libssl3,libexpat1,libyaml-0-2,libarchive13,linux-image-amd64,initramfs-tools,zstd

e2e_log() { printf 'e2e: %s\n' "$*" >&2; }
e2e_fail() { printf 'e2e: FAIL %s\n' "$*" >&2; exit 1; }
e2e_skip() { printf 'SKIP: %s\n' "$*"; exit 77; }

# e2e_require_root_and TOOL...: skips (exit 77) with the reason when not root or a tool is missing.
e2e_require_root_and() {
    [ "$(id -u)" = 0 ] || e2e_skip "must run as root (debootstrap, network namespaces, systemd-nspawn)"
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || e2e_skip "$tool is not installed"
    done
}

# e2e_base_root: prints the cached debootstrapped root's path, making it first when missing
# (about 100 s with the kernel, from the mirror). Safe against an interrupted build: the root
# is made under a temporary name and renamed when complete.
e2e_base_root() {
    local key dir tmp
    key=$(printf '%s %s %s' "$e2e_suite" "$e2e_mirror" "$e2e_packages" | sha256sum | cut -c1-12)
    dir="$e2e_cache/$e2e_suite-$key"
    if [ ! -f "$dir/.complete" ]; then
        mkdir -p "$e2e_cache"
        tmp="$dir.partial.$$"
        rm -rf "$tmp"
        e2e_log "debootstrapping $e2e_suite into $dir (cached for later runs)"
        if ! debootstrap --variant=minbase --include="$e2e_packages" "$e2e_suite" "$tmp" "$e2e_mirror" \
            >"$tmp.log" 2>&1; then
            tail -20 "$tmp.log" >&2
            rm -rf "$tmp"
            e2e_fail "debootstrap failed (log above)"
        fi
        rm -f "$tmp.log"
        # apt's lists and the downloaded packages are not needed in a guest that never fetches.
        rm -rf "$tmp/var/cache/apt/archives/"*.deb "$tmp/var/lib/apt/lists/"*
        touch "$tmp/.complete"
        rm -rf "$dir"
        mv "$tmp" "$dir"
    fi
    printf '%s\n' "$dir"
}

# e2e_guest_root BASE WORKDIR: prints WORKDIR/root, a writable view of BASE: an overlay when
# the kernel allows one, else a copy. e2e_release_root WORKDIR undoes it.
e2e_guest_root() {
    local base=$1 work=$2
    mkdir -p "$work/upper" "$work/work" "$work/root"
    if ! mount -t overlay overlay -o "lowerdir=$base,upperdir=$work/upper,workdir=$work/work" "$work/root" 2>/dev/null; then
        cp -a "$base/." "$work/root/"
    fi
    printf '%s\n' "$work/root"
}

e2e_release_root() {
    local work=$1
    mountpoint -q "$work/root" 2>/dev/null && umount "$work/root"
    rm -rf "$work"
}

# e2e_install_deb ROOT DEB: installs the package with the guest's own dpkg (its maintainer
# scripts run in the guest root, as on a real machine).
e2e_install_deb() {
    local root=$1 deb=$2
    cp "$deb" "$root/tmp/guestprep.deb"
    chroot "$root" dpkg -i /tmp/guestprep.deb >"$root/tmp/dpkg.log" 2>&1 || {
        cat "$root/tmp/dpkg.log" >&2
        e2e_fail "dpkg -i guestprep.deb failed in the guest root"
    }
    rm -f "$root/tmp/guestprep.deb"
}

# e2e_deb_argument "$@": sets $deb to the one argument, a .deb, as an absolute path; prints the
# usage and exits 2 otherwise (call it directly, not in $(...), so the exit ends the test).
e2e_deb_argument() {
    if [ $# -ne 1 ] || [ ! -f "$1" ]; then
        echo "usage: $0 GUESTPREP.deb" >&2
        exit 2
    fi
    deb=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
}

# e2e_finish_work WORKDIR: releases the work directory, or keeps it (and says so) when
# GUESTPREP_E2E_KEEP is set.
e2e_finish_work() {
    if [ -n "${GUESTPREP_E2E_KEEP:-}" ]; then
        e2e_log "kept $1 (GUESTPREP_E2E_KEEP is set): umount $1/root when done"
    else
        e2e_release_root "$1"
    fi
}

# e2e_short_wait_online ROOT: when guestprep leaves net1 unconfigured, network-online.target
# would hold a test's report back for wait-online's default two minutes: a failing boot should
# say so sooner.
e2e_short_wait_online() {
    mkdir -p "$1/etc/systemd/system/systemd-networkd-wait-online.service.d"
    printf '[Service]\nExecStart=\nExecStart=/lib/systemd/systemd-networkd-wait-online --timeout=20\n' \
        >"$1/etc/systemd/system/systemd-networkd-wait-online.service.d/e2e.conf"
}

# e2e_check DESCRIPTION COMMAND...: runs the command quietly and prints PASS or FAIL with the
# description; a failure adds one to $failures, which the caller starts at 0.
e2e_check() {
    local what=$1
    shift
    if "$@" >/dev/null 2>&1; then
        echo "PASS $what"
    else
        echo "FAIL $what"
        failures=$((failures + 1))
    fi
}

# e2e_install_timing ROOT: installs /usr/local/sbin/e2e-timing in the guest, which prints the
# boot's timestamps (CLOCK_MONOTONIC, µs) as "E2E timing NAME VALUE" lines: guestprep-early's and
# guestprep's ExecMainStart/ExecMainExit (systemctl show), the early stage's first journal record
# (GUESTPREP_STAGE=early, "running stage early", logged once the properties are read) and its
# run-finished record's GUESTPREP_CHANGES, systemd-udev-trigger's start and network-pre.target's
# activation. e2e_timing FILE N reads them back.
e2e_install_timing() {
    cat >"$1/usr/local/sbin/e2e-timing" <<'SCRIPT'
#!/bin/sh
show() { echo "E2E timing $1 $(systemctl show -p "$3" --value "$2")"; }
show early-start guestprep-early.service ExecMainStartTimestampMonotonic
show early-exit guestprep-early.service ExecMainExitTimestampMonotonic
show main-start guestprep.service ExecMainStartTimestampMonotonic
show main-exit guestprep.service ExecMainExitTimestampMonotonic
show udev-trigger systemd-udev-trigger.service ExecMainStartTimestampMonotonic
show network-pre network-pre.target ActiveEnterTimestampMonotonic
record() { journalctl -b -o export SYSLOG_IDENTIFIER=guestprep GUESTPREP_STAGE=early "MESSAGE_ID=$1" | sed -n "s/^$2=//p" | tail -1; }
echo "E2E timing early-first-record $(record 3c1c2f5a9b0e4d6f8a7b6c5d4e3f2a10 __MONOTONIC_TIMESTAMP)"
echo "E2E timing early-changes $(record 3c1c2f5a9b0e4d6f8a7b6c5d4e3f2a15 GUESTPREP_CHANGES)"
SCRIPT
    chmod 0755 "$1/usr/local/sbin/e2e-timing"
}

# e2e_timing FILE N: prints boot N's figures from the "E2E timing" lines in FILE (milliseconds:
# guestprep-early from its start to its exit, and to its first record; guestprep likewise;
# systemd-udev-trigger's start to network-pre.target, where udev runs) on one "e2e:" line, and
# fails (status 1) only on a stall: guestprep-early running past 10 s, or never reported.
e2e_timing() {
    tr -d '\r' <"$1" | grep -ao 'E2E timing .*' | awk -v boot="$2" '
        { value[$3] = $4 }
        function ms(from, to) { return (value[from] > 0 && value[to] > 0) ? sprintf("%.0f ms", (value[to] - value[from]) / 1000) : "n/a" }
        END {
            early = (value["early-start"] > 0 && value["early-exit"] > 0) ? (value["early-exit"] - value["early-start"]) / 1000 : -1
            printf "e2e: boot %s: guestprep-early %s (first record after %s, %s change(s)), guestprep %s, systemd-udev-trigger to network-pre.target %s\n",
                boot, ms("early-start", "early-exit"), ms("early-start", "early-first-record"),
                (value["early-changes"] == "" ? "?" : value["early-changes"]), ms("main-start", "main-exit"),
                (value["udev-trigger"] > 0 ? ms("udev-trigger", "network-pre") : "n/a (no udev)") > "/dev/stderr"
            exit !(early >= 0 && early <= 10000)
        }'
}
