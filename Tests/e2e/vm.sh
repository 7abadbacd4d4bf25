#!/usr/bin/env bash
# vm.sh DEB: end-to-end test B. Boots the same Debian 12 system with the guestprep package, as a
# disk image with Debian's kernel, under QEMU (software emulation), first made to look like
# VMware: SMBIOS manufacturer VMware, four vmxnet3 NICs (attached in another order than the OVF
# environment lists them), the OVF environment on a CD-ROM labelled OVF-ENV, no open-vm-tools.
#   boot L, on a disk of its own (nouveau loaded, as a GPU VM's is before guestprep, and free
#     to go: the guest has no GPU, so nothing holds it): guestprep finds the CD-ROM itself
#     (`auto`: DMI says VMware, no guestinfo tool works, sr0's medium is labelled OVF-ENV),
#     configures the NICs, blacklists nouveau, rebuilds the initramfs for real and unloads
#     nouveau live (modprobe -r); the main stage runs in the same boot: no reboot at all;
#   boot 1, the same system on another disk, with nouveau held: a unit that runs only when the
#     kernel command line has e2e.hold-nouveau sets kernel.modules_disabled=1 once udev has
#     loaded the drivers, so the kernel refuses to unload any module (delete_module: EPERM, as
#     on a host hardened that way); the nouveau step's modprobe -r fails, so it falls back to
#     the reboot, which guestprep-early.service's ExecStopPost= performs;
#   boot 2, from the initramfs the guest rebuilt (taken out of the disk image): it holds the
#     blacklist, nouveau stays out, both stages complete: exactly one reboot;
#   boots 3 and 4, the normal case of a KVM guest: QEMU's own SMBIOS, no OVF-ENV CD-ROM (-M pc's
#     empty drive only), the same properties as fw_cfg entries (one per property) and the NICs
#     in the OVF environment's order (without its adapter section netN is the Nth NIC):
#     guestprep reads fw_cfg itself; boot 3 rewrites the network files (the NICs' names changed
#     with their PCI slots), boot 4 has nothing to change.
# Each boot that reaches the report prints guestprep-early's and guestprep's times and the time
# from systemd-udev-trigger to network-pre.target (e2e_timing); only a stall fails. For the two
# nouveau paths it prints the reboots and the time from power-on to "main stage done": the QEMU
# run of each boot before the last (power-on to the reboot), plus the last boot's CLOCK_MONOTONIC
# when guestprep.service exited (QEMU loads the kernel directly, so it starts at about power-on).
# Results come from the serial console (lines a test unit in the guest prints, the kernel's
# reboot/power-down line) and from the disk image (debugfs). Each boot takes about half a
# minute or more under emulation; on a failure the serial log is printed. Needs root,
# debootstrap, qemu-system-x86_64, genisoimage, mkfs.ext4 and debugfs; skips (exit 77) otherwise.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=Tests/e2e/lib.sh
. "$here/lib.sh"

e2e_deb_argument "$@"
e2e_require_root_and debootstrap qemu-system-x86_64 genisoimage mkfs.ext4 debugfs

fixtures=$here/fixtures
base=$(e2e_base_root)
work=$(mktemp -d /tmp/guestprep-e2e-vm.XXXXXX)
trap 'e2e_finish_work "$work"' EXIT

root=$(e2e_guest_root "$base" "$work")
e2e_install_deb "$root" "$deb"
kernel=$(cd "$root/boot" && ls vmlinuz-* | sort -V | tail -1)
version=${kernel#vmlinuz-}
# The guest: networkd enabled, the test profile, no site options (auto must find the CD-ROM),
# a serial console, and a unit that prints what the boot shows once guestprep is through, then
# powers off, unless guestprep is rebooting the machine.
systemctl --root="$root" enable systemd-networkd.service >/dev/null 2>&1
mkdir -p "$root/var/log/journal" "$root/etc/guestprep/profiles"
cp "$fixtures/e2e-vm.yaml" "$root/etc/guestprep/profiles/"
# The initramfs rebuilt in the guest holds only the modules this (emulated) machine needs:
# with debootstrap's MODULES=most the rebuild takes minutes under software emulation.
printf 'MODULES=dep\n' >"$root/etc/initramfs-tools/conf.d/e2e-modules"
e2e_short_wait_online "$root"
cat >"$root/usr/local/sbin/e2e-report" <<'EOF'
#!/bin/sh
# Writes "E2E ..." lines for the harness outside to /var/log/e2e-report (which it reads from the
# image: the console can lose a report's last lines when the machine powers off at once) and to
# the console, then powers off (not when guestprep-early exited 3: its ExecStopPost= is
# rebooting the machine).
lines() {
for unit in guestprep-early.service guestprep.service; do
    echo "E2E unit $unit $(systemctl show -p ActiveState --value "$unit") $(systemctl show -p ExecMainStatus --value "$unit")"
done
echo "E2E hostname $(hostname)"
for link in /sys/class/net/*; do
    name=${link##*/}
    [ "$name" = lo ] && continue
    echo "E2E link $(cat "$link/address") $name mtu $(cat "$link/mtu") $(ip -4 -o addr show dev "$name" | awk '{print $4}' | tr '\n' ' ')"
done
ip -4 route show default | sed 's/^/E2E route /; s/ *$//'
echo "E2E cdrom $(readlink -e /dev/disk/by-label/OVF-ENV 2>/dev/null || echo none)"
echo "E2E dmi $(cat /sys/class/dmi/id/sys_vendor)"
if [ -d /sys/module/nouveau ]; then echo "E2E nouveau loaded"; else echo "E2E nouveau absent"; fi
# What status and the doctor say of nouveau: unloaded live, or why there was a reboot.
guestprep status 2>/dev/null | sed -n 's/^ *\(no reboot: .*\|reboot needed because .*\)$/E2E status \1/p'
guestprep doctor 2>/dev/null | grep -E '^[a-z]+ +nouveau-(unloaded-live|reboot) ' | sed 's/^/E2E doctor /'
echo "E2E modules-disabled $(cat /proc/sys/kernel/modules_disabled)"
# SYSLOG_IDENTIFIER (the unit's SyslogIdentifier=, in the stream's header), not -u: journald may
# leave a short-lived process's _SYSTEMD_UNIT out (issue 18, item 11).
journalctl -b -o cat SYSLOG_IDENTIFIER=guestprep | grep -E '^warning: source vmware passed over' | sed 's/^/E2E source /'
journalctl -b -o cat SYSLOG_IDENTIFIER=guestprep | grep -E '^(warning|error): ' | grep -v 'source vmware passed over' | sed 's/^/E2E said /'
echo "E2E ata $(cat /sys/class/ata_device/*/class 2>/dev/null | tr '\n' ' ')"
/usr/local/sbin/e2e-timing
echo "E2E done"
}
lines >/var/log/e2e-report 2>&1
sync
cat /var/log/e2e-report
if [ "$(systemctl show -p ExecMainStatus --value guestprep-early.service)" != 3 ]; then
    systemctl --no-block poweroff
fi
EOF
chmod 0755 "$root/usr/local/sbin/e2e-report"
cat >"$root/etc/systemd/system/e2e-report.service" <<'EOF'
[Unit]
Description=end-to-end test: report what the boot shows
After=guestprep-early.service guestprep.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/e2e-report
StandardOutput=tty
TTYPath=/dev/ttyS0

[Install]
WantedBy=multi-user.target
EOF
systemctl --root="$root" enable e2e-report.service >/dev/null 2>&1
# The held path: on a boot whose command line has e2e.hold-nouveau, once udev has loaded the
# drivers (settle) and before guestprep-early, no module may be loaded or unloaded any more.
cat >"$root/etc/systemd/system/e2e-hold-nouveau.service" <<'EOF'
[Unit]
Description=end-to-end test: hold nouveau (kernel.modules_disabled=1)
ConditionKernelCommandLine=e2e.hold-nouveau
DefaultDependencies=no
Wants=systemd-udev-settle.service
After=systemd-udev-settle.service systemd-modules-load.service
Before=guestprep-early.service

[Service]
Type=oneshot
ExecStart=/bin/sh -c 'echo 1 >/proc/sys/kernel/modules_disabled'

[Install]
WantedBy=multi-user.target
EOF
systemctl --root="$root" enable e2e-hold-nouveau.service >/dev/null 2>&1
e2e_install_timing "$root"
cp "$root/boot/$kernel" "$work/vmlinuz"
cp "$root/boot/initrd.img-$version" "$work/initrd-1"

mkdir -p "$work/ovf"
cp "$fixtures/vm/ovf-env.xml" "$work/ovf/ovf-env.xml"
genisoimage -quiet -V OVF-ENV -J -R -o "$work/ovf.iso" "$work/ovf"
mkfs.ext4 -q -F -L root -d "$root" "$work/disk.img" 2G
# Boot L's disk: the same system, provisioned on its own.
mkfs.ext4 -q -F -L root -d "$root" "$work/disk-live.img" 2G

# The OVF environment's properties as fw_cfg entries, one per property (short names: a fw_cfg
# name has at most 55 characters), for the KVM boot; an empty value is left out, as unset.
fwcfg=()
while read -r key value; do
    [ -n "$value" ] && fwcfg+=(-fw_cfg "name=opt/guestprep/${key#guestinfo.},string=${value//,/,,}")
done < <(sed -n 's/.*oe:key="\([^"]*\)" oe:value="\([^"]*\)".*/\1 \2/p' "$fixtures/vm/ovf-env.xml")

# boot N INITRD KIND EXTRA-KERNEL-ARGUMENTS: one boot until QEMU exits (-no-reboot: a reboot
# ends it too), at most 10 minutes. KIND vmware: VMware's SMBIOS, the OVF-ENV CD-ROM, the NICs
# in PCI order net3, net1, net4, net2 (only the OVF adapters' MACs map them right); kvm: QEMU's
# own SMBIOS, the properties in fw_cfg (more entries than -M pc's default file slots), the NICs
# in order. The serial log is $work/serial-N.log.
boot() {
    local n=$1 initrd=$2 kind=$3 extra=$4 mac=00:50:56:e2:00: started=$SECONDS machine poweron
    poweron=$(date +%s%N)
    rm -f "$work/serial-$n.log"
    if [ "$kind" = vmware ]; then
        machine=(-smbios "type=1,manufacturer=VMware,, Inc.,product=VMware Virtual Platform"
            -drive "file=$work/ovf.iso,media=cdrom,if=ide,readonly=on"
            -nic "user,model=vmxnet3,mac=${mac}03" -nic "user,model=vmxnet3,mac=${mac}01"
            -nic "user,model=vmxnet3,mac=${mac}04" -nic "user,model=vmxnet3,mac=${mac}02")
    else
        machine=(-global fw_cfg_io.x-file-slots=64 "${fwcfg[@]}"
            -nic "user,model=vmxnet3,mac=${mac}01" -nic "user,model=vmxnet3,mac=${mac}02"
            -nic "user,model=vmxnet3,mac=${mac}03" -nic "user,model=vmxnet3,mac=${mac}04")
    fi
    timeout 600 qemu-system-x86_64 -M pc -accel tcg,thread=multi -cpu max -m 1024 -smp 2 \
        -display none -monitor none -serial "file:$work/serial-$n.log" -no-reboot \
        -kernel "$work/vmlinuz" -initrd "$initrd" \
        -append "root=/dev/vda rw console=ttyS0 panic=-1 $extra" \
        -drive "file=$disk,format=raw,if=virtio" \
        "${machine[@]}" \
        </dev/null >"$work/qemu-$n.log" 2>&1 || {
        echo "---- boot $n: qemu"
        cat "$work/qemu-$n.log"
        show_serial "$n"
        e2e_fail "boot $n: qemu failed or timed out"
    }
    # From QEMU's start (power-on) to its exit (the guest's reboot or power-off), in ms.
    echo $((($(date +%s%N) - poweron) / 1000000)) >"$work/wall-$n"
    # The report this boot wrote, taken out of the image and removed there, so that a boot
    # whose report did not run never shows the one before.
    rm -f "$work/report-$n"
    debugfs -R "dump /var/log/e2e-report $work/report-$n" "$disk" >/dev/null 2>&1 || true
    debugfs -w -R "rm /var/log/e2e-report" "$disk" >/dev/null 2>&1 || true
    e2e_log "boot $n: $((SECONDS - started)) s"
}

show_serial() {
    echo "---- boot $1: the report's lines"
    report "$1"
    echo "---- boot $1: serial console (last 80 lines)"
    tail -80 "$work/serial-$1.log" 2>/dev/null || true
}

failures=0
# A check's pipeline ends in grep without -q: grep -q exits at the first match, and the writer
# still writing then dies of SIGPIPE, which under pipefail fails the check (e2e_check drops the
# output anyway).
check() { e2e_check "$@"; }
# The report's lines: the file the guest wrote, else out of the serial log, where systemd's
# status output shares the console, so carriage returns and colour codes are dropped and each
# "E2E ..." taken wherever it starts.
report() {
    if [ -s "$work/report-$1" ]; then
        grep -a '^E2E ' "$work/report-$1" || true
    else
        tr -d '\r' <"$work/serial-$1.log" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' | grep -ao 'E2E .*' || true
    fi
}
serial_has() {
    case $2 in
        '^E2E'*) report "$1" | grep -E "$2" ;;
        *) grep -aqE "$2" "$work/serial-$1.log" ;;
    esac
}
image_cat() { debugfs -R "cat $1" "$disk" 2>/dev/null; }
blacklist_done() {
    local text
    text=$(image_cat /etc/modprobe.d/blacklist-nouveau.conf)
    printf '%s\n' "$text" | grep '^blacklist nouveau' && ! printf '%s\n' "$text" | grep Pending
}
# state_field EXPRESSION: prints a value of state.json out of the image, read as JSON (not as
# text: the member order and spacing are JSONEncoder's), e.g. state_field 's["lastRun"]["stage"]'.
state_field() {
    image_cat /var/lib/guestprep/state.json |
        python3 -c "import json, sys; s = json.load(sys.stdin); print($1)" 2>/dev/null
}
reboot_pending_for_nouveau() {
    [ "$(state_field 's.get("pendingReboot", {}).get("step")')" = nouveau ]
}

# The guest's persistent journal, out of the image (into $work/journal-N): the reboot guestprep
# asks for cancels the report unit, so the journal tells what happened. By SYSLOG_IDENTIFIER
# (the units' SyslogIdentifier=guestprep), not -u: journald may leave a short-lived process's
# _SYSTEMD_UNIT out (issue 18, item 11). Each message names its stage.
take_journal() { mkdir -p "$work/journal-$1" && debugfs -R "rdump /var/log/journal $work/journal-$1" "$disk" >/dev/null 2>&1; }
journal_says() { journalctl -D "$work/journal-$1/journal" --no-pager -o cat SYSLOG_IDENTIFIER=guestprep 2>/dev/null | grep -F "$2"; }
timing() { report "$1" >"$work/timing-$1"; e2e_timing "$work/timing-$1" "$1"; }
# main_done_ms N: boot N's CLOCK_MONOTONIC when guestprep.service (the main stage) exited, in ms.
main_done_ms() { report "$1" | awk '$2 == "timing" && $3 == "main-exit" && $4 > 0 { printf "%.0f\n", $4 / 1000 }'; }
restarts() { grep -ac 'reboot: Restarting system' "$work/serial-$1.log" || true; }
# says_of_nouveau N: what status and the doctor said of nouveau at boot N, on e2e lines.
says_of_nouveau() { report "$1" | grep -E '^E2E (status|doctor) ' | sed "s/^E2E /e2e: boot $1: /" >&2 || true; }
seconds() { awk -v ms="$1" 'BEGIN { printf "%.1f", ms / 1000 }'; }

# Boot L: nouveau loaded at boot (modules-load=), as a GPU VM's nouveau would be bound, and
# nothing holds it: it goes live, and both stages are done in this one boot.
disk=$work/disk-live.img
boot L "$work/initrd-1" vmware "modules-load=nouveau"
before=$failures
take_journal L
timing L || true
check "boot L: the report ran" serial_has L '^E2E done'
check "boot L: guestprep found the OVF-ENV CD-ROM itself" journal_says L "the OVF environment was read from /dev/sr0"
check "boot L: nouveau unloaded live, said in the journal" \
    journal_says L "nouveau unloaded live (modprobe -r nouveau): no reboot"
check "boot L: guestprep-early active, exit 0" serial_has L '^E2E unit guestprep-early.service active 0$'
check "boot L: guestprep (the main stage) active, exit 0, in the same boot" serial_has L '^E2E unit guestprep.service active 0$'
check "boot L: nouveau is gone" serial_has L '^E2E nouveau absent'
check "boot L: modules were never disabled (nothing held nouveau)" serial_has L '^E2E modules-disabled 0$'
check "boot L: status says no reboot: nouveau unloaded live" \
    serial_has L '^E2E status no reboot: nouveau unloaded live \(modprobe -r nouveau\)$'
check "boot L: the doctor says nouveau-unloaded-live" serial_has L '^E2E doctor info +nouveau-unloaded-live '
check "boot L: hostname gp-e2e-vm" serial_has L '^E2E hostname gp-e2e-vm$'
check "boot L: net2 (MAC :02): MTU 9000, 192.168.50.10/24" serial_has L '^E2E link 00:50:56:e2:00:02 [a-z0-9]+ mtu 9000 192\.168\.50\.10/24 *$'
check "boot L: the machine powered off, never rebooted" sh -c "grep -aq 'reboot: Power down' '$work/serial-L.log' && [ \"\$(grep -ac 'reboot: Restarting system' '$work/serial-L.log')\" = 0 ]"
check "boot L: blacklist-nouveau.conf written, no longer pending" blacklist_done
state_after_boot_l() {
    [ "$(state_field '"pendingReboot" in s, s["lastRun"]["stage"], s["lastRun"]["outcome"], s["steps"]["nouveau"]["reboot"]["needed"]')" = "False main done False" ]
}
check "boot L: state: no reboot pending, main stage done, nouveau's record says no reboot" state_after_boot_l
debugfs -R "dump /boot/initrd.img-$version $work/initrd-L" "$disk" >/dev/null 2>&1
check "boot L: the guest rebuilt its initramfs" sh -c "! cmp -s '$work/initrd-1' '$work/initrd-L'"
check "boot L: reached main stage done" sh -c "[ -n \"\$1\" ]" _ "$(main_done_ms L)"
says_of_nouveau L
[ "$failures" -eq "$before" ] || show_serial L

# Boot 1, on the other disk: nouveau loaded and held (e2e.hold-nouveau: modules_disabled=1).
disk=$work/disk.img
boot 1 "$work/initrd-1" vmware "modules-load=nouveau e2e.hold-nouveau"
before=$failures
take_journal 1
check "boot 1: guestprep found the OVF-ENV CD-ROM itself, passing over the vmware source" \
    journal_says 1 "the OVF environment was read from /dev/sr0"
check "boot 1: the kernel refused to unload nouveau, and guestprep said why it reboots" \
    sh -c "journalctl -D '$work/journal-1/journal' --no-pager -o cat SYSLOG_IDENTIFIER=guestprep | grep -E '^warning: nouveau could not be unloaded: modprobe -r nouveau exited with status [0-9]+: .*Operation not permitted; rebooting$'"
check "boot 1: guestprep-early asked for the reboot (exit 3, ExecStopPost)" \
    journal_says 1 "guestprep early stage needs a reboot to go on: rebooting"
check "boot 1: the machine rebooted (the kernel's line)" serial_has 1 'reboot: Restarting system'
check "boot 1: blacklist-nouveau.conf written, no longer pending" \
    blacklist_done
check "boot 1: state records the reboot the nouveau step asked for" \
    reboot_pending_for_nouveau
held_reason() { state_field 's["pendingReboot"]["reason"]' | grep -E '^nouveau could not be unloaded: modprobe -r nouveau exited with status'; }
check "boot 1: state records why (pendingReboot.reason)" held_reason
journalctl -D "$work/journal-1/journal" --no-pager -o cat SYSLOG_IDENTIFIER=guestprep 2>/dev/null |
    grep -E '^warning: nouveau could not be unloaded' | sed 's/^/e2e: boot 1: /' >&2 || true
# Where boot 1's time went: guestprep's first and last journal records (the stage's start, its
# reboot request), in seconds of CLOCK_MONOTONIC; before them udev settles for the hold unit,
# after them the machine shuts down.
journalctl -D "$work/journal-1/journal" --no-pager -o short-monotonic SYSLOG_IDENTIFIER=guestprep 2>/dev/null |
    awk -F'[][]' 'NR == 1 { first = $2 } /needs a reboot to go on: rebooting/ { last = $2 }
        END { if (first != "" && last != "") printf "e2e: boot 1: guestprep from %.1f s to its reboot request at %.1f s\n", first, last }' >&2 || true
[ "$failures" -eq "$before" ] || show_serial 1

# The initramfs the guest rebuilt, out of the disk image: boot 2 starts from it.
debugfs -R "dump /boot/initrd.img-$version $work/initrd-2" "$work/disk.img" >/dev/null 2>&1
check "boot 1: the guest rebuilt its initramfs" sh -c "! cmp -s '$work/initrd-1' '$work/initrd-2'"
check "boot 1: the rebuilt initramfs holds the blacklist (lsinitramfs)" \
    sh -c "cp '$work/initrd-2' '$root/tmp/initrd-2' && chroot '$root' lsinitramfs /tmp/initrd-2 | grep 'etc/modprobe.d/blacklist-nouveau.conf$'"
rm -f "$root/tmp/initrd-2"

boot 2 "$work/initrd-2" vmware ""
before=$failures
timing 2 || true
check "boot 2: guestprep-early took at most 10 s (a stall check, not a speed test)" timing 2
check "boot 2: the report ran" serial_has 2 '^E2E done'
check "boot 2: guestprep-early active, exit 0" serial_has 2 '^E2E unit guestprep-early.service active 0$'
check "boot 2: guestprep active, exit 0" serial_has 2 '^E2E unit guestprep.service active 0$'
check "boot 2: hostname gp-e2e-vm" serial_has 2 '^E2E hostname gp-e2e-vm$'
check "boot 2: net1 (MAC :01): MTU 1500, 10.0.2.15/24" serial_has 2 '^E2E link 00:50:56:e2:00:01 [a-z0-9]+ mtu 1500 10\.0\.2\.15/24 *$'
check "boot 2: net2 (MAC :02): MTU 9000, 192.168.50.10/24" serial_has 2 '^E2E link 00:50:56:e2:00:02 [a-z0-9]+ mtu 9000 192\.168\.50\.10/24 *$'
check "boot 2: net3 (MAC :03): MTU 4096, DHCP" serial_has 2 '^E2E link 00:50:56:e2:00:03 [a-z0-9]+ mtu 4096 10\.0\.2\.[0-9]+/24 *$'
check "boot 2: net4 (MAC :04): MTU 9000, 192.168.52.10/24" serial_has 2 '^E2E link 00:50:56:e2:00:04 [a-z0-9]+ mtu 9000 192\.168\.52\.10/24 *$'
one_default_route() { [ "$(report 2 | grep -c '^E2E route ')" = 1 ] && report 2 | grep -E '^E2E route default via 10\.0\.2\.2 dev '; }
check "boot 2: one default route, via net1's gateway" one_default_route
check "boot 2: nouveau stayed out" serial_has 2 '^E2E nouveau absent'
check "boot 2: the machine powered off (no second reboot)" serial_has 2 'reboot: Power down'
state_after_boot_2() {
    [ "$(state_field '"pendingReboot" in s, s["lastRun"]["stage"], s["lastRun"]["outcome"]')" = "False main done" ]
}
check "boot 2: state: no reboot pending, last run stage main done" state_after_boot_2
check "boot 2: status says why there was a reboot" \
    serial_has 2 '^E2E status reboot needed because nouveau could not be unloaded: modprobe -r nouveau exited with status'
check "boot 2: the doctor says nouveau-reboot" serial_has 2 '^E2E doctor info +nouveau-reboot '
check "boot 2: reached main stage done" sh -c "[ -n \"\$1\" ]" _ "$(main_done_ms 2)"
says_of_nouveau 2
check "boots 1 and 2: exactly one reboot" sh -c "[ \"\$1\" = 1 ] && [ \"\$2\" = 0 ]" _ "$(restarts 1)" "$(restarts 2)"
[ "$failures" -eq "$before" ] || show_serial 2

# The figures for the README: reboots, and power-on to "main stage done".
live_ms=$(main_done_ms L)
held_ms=$(main_done_ms 2)
if [ -n "$live_ms" ] && [ -n "$held_ms" ]; then
    e2e_log "nouveau unloaded live (boot L): $(restarts L) reboots, power-on to main stage done $(seconds "$live_ms") s"
    e2e_log "nouveau held (boots 1 and 2): $(($(restarts 1) + $(restarts 2))) reboot, power-on to main stage done $(seconds $(($(cat "$work/wall-1") + held_ms))) s (boot 1, power-on to its reboot: $(seconds "$(cat "$work/wall-1")") s; boot 2, to main stage done: $(seconds "$held_ms") s)"
fi

kvm_boot_checks() { # kvm_boot_checks N: what a KVM boot with fw_cfg shows
    local n=$1
    timing "$n" || true
    check "boot $n: guestprep-early took at most 10 s (a stall check, not a speed test)" timing "$n"
    check "boot $n: the report ran" serial_has "$n" '^E2E done'
    check "boot $n: QEMU's own SMBIOS, no OVF-ENV CD-ROM" qemu_without_cdrom "$n"
    check "boot $n: guestprep-early active, exit 0 (auto found the fw_cfg entries)" serial_has "$n" '^E2E unit guestprep-early.service active 0$'
    check "boot $n: guestprep active, exit 0" serial_has "$n" '^E2E unit guestprep.service active 0$'
    check "boot $n: hostname gp-e2e-vm" serial_has "$n" '^E2E hostname gp-e2e-vm$'
    check "boot $n: net1 (MAC :01): MTU 1500, 10.0.2.15/24" serial_has "$n" '^E2E link 00:50:56:e2:00:01 [a-z0-9]+ mtu 1500 10\.0\.2\.15/24 *$'
    check "boot $n: net2 (MAC :02): MTU 9000, 192.168.50.10/24" serial_has "$n" '^E2E link 00:50:56:e2:00:02 [a-z0-9]+ mtu 9000 192\.168\.50\.10/24 *$'
    check "boot $n: guestprep warned of nothing but the MTUs" warned_of_mtus_only "$n"
    check "boot $n: the machine powered off" serial_has "$n" 'reboot: Power down'
}
warned_of_mtus_only() { ! report "$1" | grep '^E2E said ' | grep -v 'jumbo frames'; }
qemu_without_cdrom() { report "$1" | grep -x 'E2E dmi QEMU' && report "$1" | grep -x 'E2E cdrom none'; }

boot 3 "$work/initrd-2" kvm ""
before=$failures
kvm_boot_checks 3
check "boot 3: the early stage rewrote the network files (the NICs' names changed)" serial_has 3 '^E2E timing early-changes [1-9]'
[ "$failures" -eq "$before" ] || show_serial 3

boot 4 "$work/initrd-2" kvm ""
before=$failures
kvm_boot_checks 4
check "boot 4: the early stage had nothing to change" serial_has 4 '^E2E timing early-changes 0$'
[ "$failures" -eq "$before" ] || show_serial 4

if [ "$failures" -ne 0 ]; then
    echo "VM boot: $failures check(s) failed"
    exit 1
fi
echo "VM boot: all checks passed"
