#!/usr/bin/env bash
# container.sh DEB: end-to-end test A. Boots a real Debian 12 systemd with the guestprep
# package installed, in a container (systemd-nspawn), three times:
#   1. first boot: four NICs (veths in a network namespace, dnsmasq for DHCP on net3's peer),
#      the OVF environment bind-mounted in; checked from outside: the hostname, each NIC's MTU
#      and address as systemd-networkd applied them from guestprep's files, the default route
#      via net1 only, both units active, state complete, guestprep's structured journal entries;
#   2. the same again: nothing changes (no file rewritten, no step ran again);
#   3. a changed guestinfo.guestprep.instance-id (a clone): the per-instance steps run again
#      (a new machine-id), the every-boot steps find nothing to change.
# Each boot takes a few seconds. On a failure it prints what the boot showed (console, the
# guestprep journal, state). Needs root, debootstrap, systemd-nspawn (systemd-container), ip,
# dnsmasq, nsenter; skips (exit 77) with the reason otherwise.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=Tests/e2e/lib.sh
. "$here/lib.sh"

e2e_deb_argument "$@"
e2e_require_root_and debootstrap systemd-nspawn ip dnsmasq nsenter journalctl
unshare --net true 2>/dev/null || e2e_skip "cannot create a network namespace"

fixtures=$here/fixtures
base=$(e2e_base_root)
work=$(mktemp -d /tmp/guestprep-e2e-container.XXXXXX)
guest_ns=gpe2e-guest-$$
switch_ns=gpe2e-switch-$$
nspawn_pid=
dnsmasq_pid=

cleanup() {
    [ -n "$nspawn_pid" ] && kill -9 "$nspawn_pid" 2>/dev/null && wait "$nspawn_pid" 2>/dev/null
    [ -n "$dnsmasq_pid" ] && kill "$dnsmasq_pid" 2>/dev/null
    ip netns del "$guest_ns" 2>/dev/null || true
    ip netns del "$switch_ns" 2>/dev/null || true
    e2e_finish_work "$work"
}
trap cleanup EXIT

root=$(e2e_guest_root "$base" "$work")
e2e_install_deb "$root" "$deb"
# The guest: networkd enabled (the template's choice; guestprep writes for it), a persistent
# journal to read afterwards, the test profile, the OVF environment's path as the site option,
# and a unit that tells the harness when the boot is through guestprep.
systemctl --root="$root" enable systemd-networkd.service >/dev/null 2>&1
mkdir -p "$root/var/log/journal" "$root/etc/guestprep/profiles" "$root/media/ovf" "$root/e2e-out"
cp "$fixtures/e2e-network.yaml" "$root/etc/guestprep/profiles/"
printf 'GUESTPREP_ARGS="--source ovf:/media/ovf/ovf-env.xml"\n' >"$root/etc/default/guestprep"
cat >"$root/etc/systemd/system/e2e-report.service" <<'EOF'
[Unit]
Description=end-to-end test: the boot is through guestprep
After=guestprep-early.service guestprep.service

[Service]
Type=oneshot
ExecStart=/bin/sh -c 'systemctl show -p Id -p ActiveState -p ExecMainStatus guestprep-early.service guestprep.service >/e2e-out/units; /usr/local/sbin/e2e-timing >/e2e-out/timing; touch /e2e-out/ready'

[Install]
WantedBy=multi-user.target
EOF
systemctl --root="$root" enable e2e-report.service >/dev/null 2>&1
e2e_install_timing "$root"
e2e_short_wait_online "$root"

# The network: the guest's NICs are veths named eth0..eth3 whose MACs are the OVF adapters'
# in another order than the names (net1 is eth1), so only the OVF mapping gets them right.
ip netns add "$guest_ns"
ip netns add "$switch_ns"
mac=02:e2:e2:00:00:
# netN guest-name switch-address switch-mtu
nics=("1 eth1 10.77.1.1/24 1500" "2 eth3 10.77.2.1/24 9000" "3 eth0 10.77.3.1/24 4096" "4 eth2 10.77.4.1/24 9000")
for nic in "${nics[@]}"; do
    read -r n name address mtu <<<"$nic"
    ip link add "$name" address "${mac}0$n" netns "$guest_ns" type veth peer name "sw$n" netns "$switch_ns"
    ip -n "$switch_ns" link set "sw$n" mtu "$mtu" up
    ip -n "$switch_ns" addr add "$address" dev "sw$n"
done
ip netns exec "$switch_ns" dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 --user=root --no-ping \
    --bind-interfaces --interface=sw3 --dhcp-range=10.77.3.50,10.77.3.99,255.255.255.0,1h \
    --dhcp-leasefile="$work/dnsmasq.leases" --log-facility="$work/dnsmasq.log" &
dnsmasq_pid=$!

failures=0
# A check's pipeline ends in grep without -q: grep -q exits at the first match, and the writer
# still writing then dies of SIGPIPE, which under pipefail fails the check (e2e_check drops the
# output anyway).
check() { e2e_check "$@"; }

# show_boot N: what boot N showed, for a failure.
show_boot() {
    echo "---- boot $1: console (last 40 lines)"
    tail -40 "$work/boot$1.console" || true
    echo "---- boot $1: guestprep's journal"
    journalctl -D "$root/var/log/journal" --no-pager -o short-monotonic SYSLOG_IDENTIFIER=guestprep 2>/dev/null | tail -60 || true
    echo "---- boot $1: IPv4 routes in the guest"
    cat "$work/boot$1.routes" || true
    echo "---- boot $1: guestprep status"
    "$root/usr/bin/guestprep" status --root "$root" 2>&1 || true
}

# boot N OVF: boots the container with OVF as its OVF environment, waits until e2e-report.service
# has run (60 s at most), leaves the container running; $leader is its pid 1.
boot() {
    local n=$1 ovf=$2
    shift 2
    rm -f "$root/e2e-out/"*
    # Started inside the namespace (nsenter, which unlike `ip netns exec` leaves /sys and its
    # cgroup mount alone) rather than given it with --network-namespace-path: that
    # way the sysfs nspawn mounts for the guest shows the namespace's links (with the option,
    # /sys/class/net in the guest lists the host's).
    nsenter --net="/run/netns/$guest_ns" systemd-nspawn -q -D "$root" -b --register=no --keep-unit --console=pipe \
        --capability=CAP_NET_ADMIN \
        --bind-ro="$ovf:/media/ovf/ovf-env.xml" "$@" </dev/null >"$work/boot$n.console" 2>&1 &
    nspawn_pid=$!
    local waited=0
    while [ ! -f "$root/e2e-out/ready" ]; do
        if ! kill -0 "$nspawn_pid" 2>/dev/null; then
            show_boot "$n"
            e2e_fail "boot $n: the container stopped before the boot was through guestprep"
        fi
        if [ "$waited" -ge 600 ]; then
            show_boot "$n"
            e2e_fail "boot $n: not through guestprep after 60 s"
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
    leader=$(pgrep -P "$nspawn_pid" | head -1)
    ip -n "$guest_ns" -4 route show >"$work/boot$n.routes"
    journalctl -D "$root/var/log/journal" --no-pager -o cat SYSLOG_IDENTIFIER=guestprep >"$work/boot$n.journal" 2>/dev/null || true
    cp "$root/e2e-out/timing" "$work/boot$n.timing"
    e2e_log "boot $n: through guestprep after $((waited / 10)).$((waited % 10)) s"
    e2e_timing "$work/boot$n.timing" "$n" || true
}

# halt: powers the container off (SIGRTMIN+4 is systemd's poweroff) and waits for it.
halt() {
    kill -s RTMIN+4 "$leader"
    local waited=0
    while kill -0 "$nspawn_pid" 2>/dev/null && [ "$waited" -lt 300 ]; do
        sleep 0.1
        waited=$((waited + 1))
    done
    kill -9 "$nspawn_pid" 2>/dev/null || true
    wait "$nspawn_pid" 2>/dev/null || true
    nspawn_pid=
}

unit_ok() { # unit_ok UNIT: active and its process exited 0, as e2e-report.service saw it.
    awk -v unit="$1" 'BEGIN { RS = ""; FS = "\n" } $0 ~ "Id=" unit { ok = ($0 ~ /ActiveState=active/ && $0 ~ /ExecMainStatus=0/) } END { exit !ok }' \
        "$root/e2e-out/units"
}
both_units_ok() { unit_ok guestprep-early.service && unit_ok guestprep.service; }
hostname_is() { [ "$(nsenter -t "$leader" -u hostname)" = "$1" ]; }
link_has() { # link_has NAME MTU ADDRESS-PATTERN
    ip -n "$guest_ns" -o link show dev "$1" | grep " mtu $2 " &&
        ip -n "$guest_ns" -4 -o addr show dev "$1" | grep -E "inet $3 "
}
only_default_route_via_net1() {
    [ "$(ip -n "$guest_ns" -4 route show default | sed "s/ *$//")" = "default via 10.77.1.1 dev eth1 proto static" ]
}
state_outcome() { # state_outcome: the last run's outcome and stage, from guestprep status
    "$root/usr/bin/guestprep" status --root "$root" | sed -n 's/^last run: stage \([a-z]*\), \([a-z]*\),.*/\1 \2/p'
}
# journal_has FIELD=VALUE...: a guestprep journal entry with all of them. Only fields guestprep
# sends itself (sd_journal: GUESTPREP_*, MESSAGE_ID, and SYSLOG_IDENTIFIER) are matched, never
# journald's _SYSTEMD_UNIT, which it takes from /proc when the record arrives and so leaves out
# when the short-lived process has exited by then (issue 18, item 11).
journal_has() {
    [ -n "$(journalctl -D "$root/var/log/journal" --no-pager -o cat SYSLOG_IDENTIFIER=guestprep "$@" 2>/dev/null)" ]
}
fingerprint() { # the inode and mtime of every file guestprep writes in the early stage
    local path
    for path in /etc/hostname /etc/hosts /etc/machine-id /etc/systemd/network/10-guestprep-net{1,2,3,4}.network; do
        stat -c "%n %i %Y" "$root$path"
    done
}

boot 1 "$fixtures/container/ovf-env.xml"
before=$failures
check "boot 1: guestprep-early took at most 10 s (a stall check, not a speed test)" e2e_timing "$work/boot1.timing" 1
check "boot 1: guestprep-early.service active, exit 0" unit_ok guestprep-early.service
check "boot 1: guestprep.service active, exit 0" unit_ok guestprep.service
check "boot 1: hostname gp-e2e-node (running, from outside)" hostname_is gp-e2e-node
check "boot 1: /etc/hostname says gp-e2e-node" grep -qx gp-e2e-node "$root/etc/hostname"
check "boot 1: net1 = eth1 (by OVF MAC): MTU 1500, 10.77.1.10/24" link_has eth1 1500 '10\.77\.1\.10/24'
check "boot 1: net2 = eth3: MTU 9000, 10.77.2.10/24" link_has eth3 9000 '10\.77\.2\.10/24'
check "boot 1: net3 = eth0: MTU 4096, DHCP from dnsmasq 10.77.3.50-99" link_has eth0 4096 '10\.77\.3\.(5[0-9]|[6-9][0-9])/24'
check "boot 1: net4 = eth2: MTU 9000, 10.77.4.10/24" link_has eth2 9000 '10\.77\.4\.10/24'
check "boot 1: the only default route is via net1 (10.77.1.1 dev eth1)" only_default_route_via_net1
check "boot 1: the networkd files are guestprep's" test -f "$root/etc/systemd/network/10-guestprep-net4.network"
# guestprep health on the booted machine itself (every namespace of the container: its root, its
# NICs, its clock), with its own OVF source and a Bitfusion server's role for the MTU rule. No GPU
# in a container: the doctor check is critical, so the exit is 5.
health_on_the_machine() {
    nsenter -t "$leader" -a /usr/bin/guestprep health --json --profile bitfusion-server \
        --source ovf:/media/ovf/ovf-env.xml >"$work/health.json" 2>"$work/health.err"
    local status=$?
    [ "$status" -eq 5 ] || { echo "health exited $status: $(cat "$work/health.err")"; return 1; }
    python3 - "$work/health.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["version"] == 1, doc.get("version")
def level(name, subject_prefix=""):
    found = [c for c in doc["checks"] if c["name"] == name and c.get("subject", "").startswith(subject_prefix)]
    assert len(found) == 1, (name, subject_prefix, found)
    return found[0]["level"]
assert level("doctor") == "critical", level("doctor")
for nic in ("net2", "net3", "net4"):
    assert level("mtu", nic) == "pass", (nic, level("mtu", nic))
for nic in ("net1", "net2", "net3", "net4"):
    assert level("network", nic) == "pass", (nic, level("network", nic))
assert level("time_sync") in ("pass", "warn"), level("time_sync")
assert doc["summary"]["level"] == "critical", doc["summary"]
PY
}
check "boot 1: guestprep health on the machine: data NICs' MTU and counters pass, no GPU is critical (exit 5)" health_on_the_machine
halt
check "boot 1: state: last run stage main, done" test "$(state_outcome)" = "main done"
check "boot 1: journal: the network step's entries carry GUESTPREP_STEP=network" journal_has GUESTPREP_STEP=network
stage_entries_have_message_ids() { # the early stage's entries carry GUESTPREP_STAGE and a MESSAGE_ID
    [ -n "$(journalctl -D "$root/var/log/journal" --no-pager -o verbose SYSLOG_IDENTIFIER=guestprep GUESTPREP_STAGE=early 2>/dev/null |
        grep -E '^ *MESSAGE_ID=[0-9a-f]{32}$')" ]
}
check "boot 1: journal: the early stage's entries carry GUESTPREP_STAGE and a MESSAGE_ID" stage_entries_have_message_ids
[ "$failures" -eq "$before" ] || show_boot 1
first=$(fingerprint)
machine_id_inode=$(stat -c %i "$root/etc/machine-id")
instance=$("$root/usr/bin/guestprep" status --root "$root" | sed -n 's/^instance: //p')

boot 2 "$fixtures/container/ovf-env.xml"
before=$failures
check "boot 2: guestprep-early took at most 10 s (a stall check, not a speed test)" e2e_timing "$work/boot2.timing" 2
check "boot 2: both units active, exit 0" both_units_ok
check "boot 2: net1 still 10.77.1.10/24, MTU 1500" link_has eth1 1500 '10\.77\.1\.10/24'
halt
check "boot 2: no file rewritten (inode and mtime of hostname, hosts, machine-id, network files)" test "$(fingerprint)" = "$first"
# The early stage's run-finished record of this boot: done, no change.
check "boot 2: the early stage had nothing to do" journal_has --boot=0 GUESTPREP_STAGE=early \
    MESSAGE_ID=3c1c2f5a9b0e4d6f8a7b6c5d4e3f2a15 GUESTPREP_OUTCOME=done GUESTPREP_CHANGES=0
[ "$failures" -eq "$before" ] || show_boot 2

boot 3 "$fixtures/container/ovf-env-clone.xml"
before=$failures
check "boot 3: guestprep-early took at most 10 s (a stall check, not a speed test)" e2e_timing "$work/boot3.timing" 3
check "boot 3: both units active, exit 0" both_units_ok
check "boot 3: net1 still 10.77.1.10/24" link_has eth1 1500 '10\.77\.1\.10/24'
halt
check "boot 3: a new instance identity" test "$("$root/usr/bin/guestprep" status --root "$root" | sed -n 's/^instance: //p')" != "$instance"
# In a container systemd-machine-id-setup takes the container's UUID, which nspawn derives from
# the image's old machine-id, so the new file can hold the same id: the file is checked.
check "boot 3: clone-identity ran again: /etc/machine-id made anew" \
    test "$(stat -c %i "$root/etc/machine-id")" != "$machine_id_inode"
records_the_clone() { "$root/usr/bin/guestprep" status --root "$root" | grep "cloned from instance $instance"; }
check "boot 3: status records the clone" records_the_clone
check "boot 3: the network files were not rewritten" test "$(fingerprint | grep network)" = "$(printf '%s\n' "$first" | grep network)"
[ "$failures" -eq "$before" ] || show_boot 3

if [ "$failures" -ne 0 ]; then
    echo "container boot: $failures check(s) failed"
    exit 1
fi
echo "container boot: all checks passed"
