#!/usr/bin/env bash
# Benchmark: `guestprep doctor` (text and --json) as a whole process, many times, on a large
# but realistic guest: an ESXi VM (VMware20,1, EFI, Secure Boot off) with 64 PCI functions —
# 8 A100 PCIe 80GB with every BAR assigned and nvidia bound, each behind its own VMware PCIe
# root port, and the rest of the VMware virtual hardware (host and PCI bridges, 32 root ports,
# PIIX4, VMCI, SVGA, USB, SATA, PVSCSI, NVMe, VMXNET3) — plus DMI, EFI variables,
# /proc/meminfo, /proc/cpuinfo (32 vCPUs), /proc/modules and a /dev/kmsg of 2000 records.
# Reports the median wall time (hyperfine -N) and the peak RSS (/usr/bin/time -v), next to a
# /bin/true baseline under the same harness. Target: a median of 8 ms or less (issue 17: the start-up budget of every command, with a
# position-independent binary, option groups and the GPU catalog read whole by libyaml).
#
# The tree lives on tmpfs (/dev/shm): doctor only reads, so this is guestprep's own cost.
#
# Usage: bench/doctor.sh [RUNS]             (default 500) builds the release binary with
#                                           scripts/build-release.sh, builds the tree, times
#        bench/doctor.sh --tree-only DIR    builds the tree in DIR (new or empty) and exits
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C
gpu=scripts/fixture-gpu.sh

# build_tree DIR: the 64-function guest described above.
build_tree() {
    local root=$1 i slot bus
    put() { mkdir -p "$(dirname "$root/$1")"; cat >"$root/$1"; }

    for kv in 'sys_vendor=VMware, Inc.' 'product_name=VMware20,1' 'product_version=None' \
        'bios_vendor=VMware, Inc.' 'bios_version=VMW201.00V.21805430.B64.2305221830' 'bios_date=05/22/2023' \
        'board_vendor=Intel Corporation' 'board_name=440BX Desktop Reference Platform' \
        'product_uuid=4232c0de-81f4-5a6b-9d3e-0f7a2b1c8e95'; do
        printf '%s\n' "${kv#*=}" | put "sys/class/dmi/id/${kv%%=*}"
    done
    printf '64\n' | put sys/firmware/efi/fw_platform_size
    printf '\x06\x00\x00\x00\x00' | put sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c

    # Bus 0: 8 functions.
    $gpu "$root" 0000:00:00.0 --parent root --vendor 0x8086 --device 0x7190 --class 0x060000 --revision 0x01 --subsystem 15ad:1976
    $gpu "$root" 0000:00:01.0 --parent root --vendor 0x8086 --device 0x7191 --class 0x060400 --revision 0x01 --bus 01:01
    $gpu "$root" 0000:00:07.0 --parent root --vendor 0x8086 --device 0x7110 --class 0x060100 --revision 0x08 --subsystem 15ad:1976 --multifunction
    $gpu "$root" 0000:00:07.1 --parent root --vendor 0x8086 --device 0x7111 --class 0x01018a --revision 0x01 --subsystem 15ad:1976 \
        --bar 4:io:0x1060:16 --driver ata_piix
    $gpu "$root" 0000:00:07.3 --parent root --vendor 0x8086 --device 0x7113 --class 0x068000 --revision 0x08 --subsystem 15ad:1976
    $gpu "$root" 0000:00:07.7 --parent root --vendor 0x15ad --device 0x0740 --class 0x088000 --revision 0x10 --subsystem 15ad:0740 \
        --bar 0:io:0x1080:64 --bar 1:mem64:0xfebfe000:8K --driver vmw_vmci
    $gpu "$root" 0000:00:0f.0 --parent root --vendor 0x15ad --device 0x0405 --class 0x030000 --revision 0x00 --subsystem 15ad:0405 \
        --bar 0:io:0x1070:16 --bar 1:mem32pref:0xe8000000:128M --bar 2:mem32:0xfe000000:8M --rom 0xc0000:128K --driver vmwgfx
    $gpu "$root" 0000:00:11.0 --parent root --vendor 0x15ad --device 0x0790 --class 0x060401 --revision 0x02 --bus 02:02
    # 32 PCIe root ports, 00:15.0-00:18.7, buses 03-22; the eight with a GPU get its windows.
    for ((i = 0; i < 32; i++)); do
        slot=$(printf '%02x.%d' $((0x15 + i / 8)) $((i % 8))) bus=$(printf '%02x' $((3 + i)))
        local windows=() g=-1
        case $slot in 16.[0-3]) g=$((i - 8)) ;; 17.[0-3]) g=$((i - 12)) ;; esac
        if [ $g -ge 0 ]; then
            windows=(--window "mem:$((0xf0000000 + g * 0x1000000)):16M"
                --window "mem64pref:$((0x10000000000 + g * 0x4000000000)):$((0x2002000000))")
        fi
        $gpu "$root" "0000:00:$slot" --parent root --vendor 0x15ad --device 0x07a0 --class 0x060400 --revision 0x01 \
            --bus "$bus:$bus" --link 32:5.0:32:5.0 --driver pcieport $([ $((i % 8)) = 0 ] && echo --multifunction) \
            "${windows[@]}"
        if [ $g -ge 0 ]; then
            $gpu "$root" "0000:$bus:00.0" --parent "0000:00:$slot" --device 0x20b5 --subsystem 10de:1533 \
                --bar "0:mem32:$((0xf0000000 + g * 0x1000000)):16M" \
                --bar "1:mem64pref:$((0x10000000000 + g * 0x4000000000)):128G" \
                --bar "3:mem64pref:$((0x10000000000 + g * 0x4000000000 + 0x2000000000)):32M" \
                --link 16:16.0:16:16.0 --driver nvidia
        fi
    done
    # Bus 2 (behind the PCI bridge): USB 1.1, USB 2, SATA.
    $gpu "$root" 0000:02:00.0 --parent 0000:00:11.0 --vendor 0x15ad --device 0x0774 --class 0x0c0300 --revision 0x00 \
        --subsystem 15ad:1976 --bar 4:io:0x2080:32 --driver uhci_hcd
    $gpu "$root" 0000:02:01.0 --parent 0000:00:11.0 --vendor 0x15ad --device 0x0770 --class 0x0c0320 --revision 0x00 \
        --subsystem 15ad:0770 --bar 0:mem32:0xfd5ff000:4K --driver ehci-pci
    $gpu "$root" 0000:02:03.0 --parent 0000:00:11.0 --vendor 0x15ad --device 0x07e0 --class 0x010601 --revision 0x00 \
        --subsystem 15ad:07e0 --bar 5:mem32:0xfd5fe000:4K --rom 0xfd5c0000:64K --driver ahci
    # Storage, USB 3 and network behind the remaining root ports: 13 functions.
    local -a others=(
        '03 15.0 0x07c0 0x010700 vmw_pvscsi --bar 0:io:0x4000:8 --bar 1:mem64:0xfd5f8000:32K'
        '04 15.1 0x07c0 0x010700 vmw_pvscsi --bar 0:io:0x4400:8 --bar 1:mem64:0xfd4f8000:32K'
        '05 15.2 0x07f0 0x010802 nvme --bar 0:mem64:0xfd3fe000:8K'
        '06 15.3 0x07f0 0x010802 nvme --bar 0:mem64:0xfd2fe000:8K'
        '07 15.4 0x0779 0x0c0330 xhci_hcd --bar 0:mem32:0xfd1c0000:128K'
    )
    for ((i = 0; i < 8; i++)); do
        others+=("$(printf '%02x 18.%d 0x07b0 0x020000 vmxnet3 --bar 0:mem32:%d:4K --bar 1:mem32:%d:4K --bar 2:mem32:%d:8K --bar 3:io:%d:16' \
            $((0x1b + i)) $i $((0xfc7fc000 - i * 0x100000)) $((0xfc7fd000 - i * 0x100000)) $((0xfc7fe000 - i * 0x100000)) \
            $((0x7000 + i * 0x1000)))")
    done
    local spec b s dev cls drv
    for spec in "${others[@]}"; do
        read -r b s dev cls drv rest <<<"$spec"
        # shellcheck disable=SC2086 # rest holds the --bar options
        $gpu "$root" "0000:$b:00.0" --parent "0000:00:$s" --vendor 0x15ad --device "$dev" --class "$cls" \
            --revision 0x01 --subsystem "15ad:${dev#0x}" --link 32:5.0:32:5.0 --driver "$drv" $rest
    done
    for i in nvidia nvidia_uvm nvidia_modeset nvidia_drm; do printf 'live\n' | put "sys/module/$i/initstate"; done

    put etc/os-release <<'EOF'
PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=jammy
EOF
    put proc/modules <<'EOF'
nvidia_uvm 1540096 0 - Live 0xffffffffc2a3d000 (PO)
nvidia_drm 77824 0 - Live 0xffffffffc1a2f000 (PO)
nvidia_modeset 1306624 1 nvidia_drm, Live 0xffffffffc1d48000 (PO)
nvidia 56717312 2 nvidia_uvm,nvidia_modeset, Live 0xffffffffc2ee4000 (PO)
vmwgfx 372736 2 - Live 0xffffffffc0a9b000
drm_ttm_helper 16384 1 vmwgfx, Live 0xffffffffc0a93000
ttm 86016 2 vmwgfx,drm_ttm_helper, Live 0xffffffffc0a7d000
drm_kms_helper 311296 2 vmwgfx,nvidia_drm, Live 0xffffffffc0a30000
drm 622592 6 vmwgfx,drm_ttm_helper,ttm,drm_kms_helper,nvidia_drm, Live 0xffffffffc0997000
vmxnet3 69632 0 - Live 0xffffffffc0984000
vmw_pvscsi 28672 3 - Live 0xffffffffc0978000
nvme 49152 2 - Live 0xffffffffc096a000
nvme_core 139264 3 nvme, Live 0xffffffffc0947000
vmw_vmci 86016 1 vmw_vsock_vmci_transport, Live 0xffffffffc0931000
vmw_vsock_vmci_transport 32768 2 - Live 0xffffffffc0924000
vsock 49152 3 vmw_vsock_vmci_transport,vmw_vsock_virtio_transport_common, Live 0xffffffffc0917000
ahci 49152 0 - Live 0xffffffffc0906000
libahci 45056 1 ahci, Live 0xffffffffc08f6000
EOF
    put proc/meminfo <<'EOF'
MemTotal:       1056711532 kB
MemFree:        1047942108 kB
MemAvailable:   1050385996 kB
Buffers:           56212 kB
Cached:          2581044 kB
SwapCached:            0 kB
Active:           807524 kB
Inactive:        2416096 kB
Active(anon):      11948 kB
Inactive(anon):   592924 kB
Active(file):     795576 kB
Inactive(file):  1823172 kB
Unevictable:           0 kB
Mlocked:               0 kB
SwapTotal:             0 kB
SwapFree:              0 kB
Dirty:               120 kB
Writeback:             0 kB
AnonPages:        570556 kB
Mapped:           380368 kB
Shmem:             34316 kB
KReclaimable:     611052 kB
Slab:            1492176 kB
SReclaimable:     611052 kB
SUnreclaim:       881124 kB
KernelStack:       21524 kB
PageTables:        17260 kB
NFS_Unstable:          0 kB
Bounce:                0 kB
WritebackTmp:          0 kB
CommitLimit:    528355764 kB
Committed_AS:    2594672 kB
VmallocTotal:   34359738367 kB
VmallocUsed:      294936 kB
VmallocChunk:          0 kB
Percpu:           125952 kB
HardwareCorrupted:     0 kB
AnonHugePages:    141312 kB
ShmemHugePages:        0 kB
ShmemPmdMapped:        0 kB
FileHugePages:         0 kB
FilePmdMapped:         0 kB
HugePages_Total:       0
HugePages_Free:        0
HugePages_Rsvd:        0
HugePages_Surp:        0
Hugepagesize:       2048 kB
Hugetlb:               0 kB
DirectMap4k:      319388 kB
DirectMap2M:     3874816 kB
DirectMap1G:    1069547520 kB
EOF
    {
        for ((i = 0; i < 32; i++)); do
            printf 'processor\t: %d\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 106\n' $i
            printf 'model name\t: Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz\nstepping\t: 6\nmicrocode\t: 0xd0003a5\n'
            printf 'cpu MHz\t\t: 1995.312\ncache size\t: 49152 KB\nphysical id\t: %d\nsiblings\t: 1\ncore id\t\t: 0\n' $i
            printf 'cpu cores\t: 1\napicid\t\t: %d\ninitial apicid\t: %d\nfpu\t\t: yes\nfpu_exception\t: yes\n' $((2 * i)) $((2 * i))
            printf 'cpuid level\t: 27\nwp\t\t: yes\nflags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss syscall nx pdpe1gb rdtscp lm constant_tsc arch_perfmon rep_good nopl xtopology tsc_reliable nonstop_tsc cpuid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch invpcid_single ssbd ibrs ibpb stibp ibrs_enhanced fsgsbase tsc_adjust bmi1 avx2 smep bmi2 erms invpcid avx512f avx512dq rdseed adx smap avx512ifma clflushopt clwb avx512cd sha_ni avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves arat avx512vbmi umip pku ospke avx512_vbmi2 gfni vaes vpclmulqdq avx512_vnni avx512_bitalg avx512_vpopcntdq rdpid md_clear flush_l1d arch_capabilities\n'
            printf 'bugs\t\t: spectre_v1 spectre_v2 spec_store_bypass swapgs mmio_stale_data eibrs_pbrsb gds bhi\n'
            printf 'bogomips\t: 3990.62\nclflush size\t: 64\ncache_alignment\t: 64\naddress sizes\t: 45 bits physical, 48 bits virtual\npower management:\n\n'
        done
    } | put proc/cpuinfo
    kmsg_2000 | put dev/kmsg
}

# kmsg_2000: 2000 kmsg records of a boot of that guest — kernel messages (with the dictionary
# lines dev_printk adds), the PCI enumeration of all 64 functions, nvidia loading, and the
# systemd (facility 3) and audit records that fill the rest of the buffer.
kmsg_2000() {
    local seq=0 usec=0
    rec() { # rec PRIORITY MESSAGE [ADDRESS]
        printf '%d,%d,%d,-;%s\n' "$1" $seq $usec "$2"
        [ -z "${3:-}" ] || printf ' SUBSYSTEM=pci\n DEVICE=+pci:%s\n' "$3"
        seq=$((seq + 1)) usec=$((usec + 137 + seq % 59))
    }
    rec 5 'Linux version 5.15.0-101-generic (buildd@lcy02-amd64-032) (gcc (Ubuntu 11.4.0-1ubuntu1~22.04) 11.4.0, GNU ld (GNU Binutils for Ubuntu) 2.38) #111-Ubuntu SMP Tue Mar 5 20:16:58 UTC 2024 (Ubuntu 5.15.0-101.111-generic 5.15.143)'
    rec 6 'Command line: BOOT_IMAGE=/vmlinuz-5.15.0-101-generic root=/dev/mapper/ubuntu--vg-ubuntu--lv ro'
    rec 6 'secureboot: Secure boot disabled'
    rec 6 'DMI: VMware, Inc. VMware20,1/440BX Desktop Reference Platform, BIOS VMW201.00V.21805430.B64.2305221830 05/22/2023'
    rec 6 'Hypervisor detected: VMware'
    rec 6 'Memory: 1056560944K/1073731476K available (16393K kernel code, 4383K rwdata, 10824K rodata, 2888K init, 5712K bss, 17170532K reserved, 0K cma-reserved)'
    rec 6 'ACPI: PCI Root Bridge [PCI0] (domain 0000 [bus 00-7f])'
    rec 6 'pci_bus 0000:00: root bus resource [mem 0xc0000000-0xfebfffff window]'
    rec 6 'pci_bus 0000:00: root bus resource [mem 0x10000000000-0x1ffffffffff window]'
    local link addr target dev
    for link in "$root"/sys/bus/pci/devices/*; do
        addr=${link##*/} target=$(readlink "$link") dev=$root/sys/${target#../../../}
        rec 6 "pci $addr: [$(sed 's/^0x//' "$dev/vendor"):$(sed 's/^0x//' "$dev/device")] type $(
            [ "$(head -c 6 "$dev/class")" = 0x0604 ] && echo 01 || echo 00) class $(cat "$dev/class")" "$addr"
        local n=0 line start end flags
        while read -r start end flags; do
            if [ $n -lt 6 ] && [ $((start)) -ne 0 ]; then
                case $flags in
                *0101) rec 6 "pci $addr: reg 0x$(printf %x $((0x10 + 4 * n))): [io  $(printf '0x%04x-0x%04x' $((start)) $((end)))]" "$addr" ;;
                *220c) rec 6 "pci $addr: reg 0x$(printf %x $((0x10 + 4 * n))): [mem $(printf '0x%08x-0x%08x' $((start)) $((end))) 64bit pref]" "$addr" ;;
                *2208) rec 6 "pci $addr: reg 0x$(printf %x $((0x10 + 4 * n))): [mem $(printf '0x%08x-0x%08x' $((start)) $((end))) pref]" "$addr" ;;
                *0204) rec 6 "pci $addr: reg 0x$(printf %x $((0x10 + 4 * n))): [mem $(printf '0x%08x-0x%08x' $((start)) $((end))) 64bit]" "$addr" ;;
                *) rec 6 "pci $addr: reg 0x$(printf %x $((0x10 + 4 * n))): [mem $(printf '0x%08x-0x%08x' $((start)) $((end)))]" "$addr" ;;
                esac
            fi
            n=$((n + 1))
        done <"$dev/resource"
        if [ -e "$dev/current_link_width" ]; then rec 6 "pci $addr: PME# supported from D0 D3hot D3cold" "$addr"; fi
    done
    for ((i = 0; i < 32; i++)); do
        rec 6 "pci 0000:00:$(printf '%02x.%d' $((0x15 + i / 8)) $((i % 8))): PCI bridge to [bus $(printf %02x $((3 + i)))]" \
            "0000:00:$(printf '%02x.%d' $((0x15 + i / 8)) $((i % 8)))"
    done
    for ((i = 3; i < 24; i++)); do
        rec 6 "pci 0000:00:$(printf '%02x.%d' $((0x15 + i / 8)) $((i % 8))): BAR 13: no space for [io  size 0x1000]" \
            "0000:00:$(printf '%02x.%d' $((0x15 + i / 8)) $((i % 8)))"
        rec 6 "pci 0000:00:$(printf '%02x.%d' $((0x15 + i / 8)) $((i % 8))): BAR 13: failed to assign [io  size 0x1000]" \
            "0000:00:$(printf '%02x.%d' $((0x15 + i / 8)) $((i % 8)))"
    done
    rec 6 'Freeing unused kernel image (initmem) memory: 2888K'
    rec 6 'Run /init as init process'
    rec 4 'nvidia: loading out-of-tree module taints kernel.'
    rec 4 "nvidia: module license 'NVIDIA' taints kernel."
    rec 4 'Disabling lock debugging due to kernel taint'
    rec 6 'nvidia-nvlink: Nvlink Core is being initialized, major device number 234'
    rec 6 ''
    rec 3 'NVRM: loading NVIDIA UNIX x86_64 Kernel Module  535.161.07  Sat Feb 17 22:55:48 UTC 2024'
    rec 6 'nvidia-uvm: Loaded the UVM driver, major device number 510.'
    local minor=1
    for b in 0b 0c 0d 0e 13 14 15 16; do
        rec 6 "[drm] [nvidia-drm] [GPU ID 0x0000${b}00] Loading driver"
        rec 6 "[drm] Initialized nvidia-drm 0.0.0 20160202 for 0000:$b:00.0 on minor $minor"
        minor=$((minor + 1))
    done
    local units=(systemd-journald.service systemd-udevd.service systemd-networkd.service systemd-resolved.service
        systemd-timesyncd.service nvidia-persistenced.service ssh.service cron.service rsyslog.service
        multipathd.service open-vm-tools.service snapd.service unattended-upgrades.service guestprep-early.service)
    local k=0
    while [ $seq -lt 2000 ]; do
        case $((k % 5)) in
        0) rec 30 "systemd[1]: Starting ${units[k % ${#units[@]}]} - $(sed 's/\..*//; s/-/ /g' <<<"${units[k % ${#units[@]}]}")..." ;;
        1) rec 30 "systemd[1]: Started ${units[k % ${#units[@]}]}." ;;
        2) rec 5 "audit: type=1400 audit(1711356$((100 + k % 800)).$((k % 1000)):$((80 + k))): apparmor=\"STATUS\" operation=\"profile_load\" profile=\"unconfined\" name=\"/usr/lib/snapd/snap-confine\" pid=$((700 + k)) comm=\"apparmor_parser\"" ;;
        3) rec 6 "EXT4-fs (dm-0): re-mounted. Opts: (null). Quota mode: none." ;;
        4) rec 6 "vmxnet3 0000:$(printf %02x $((0x1b + k % 8))):00.0 ens$((192 + k % 8)): NIC Link is Up 10000 Mbps" "0000:$(printf %02x $((0x1b + k % 8))):00.0" ;;
        esac
        k=$((k + 1))
    done
}

if [ "${1:-}" = --tree-only ]; then
    [ $# -eq 2 ] || { echo "usage: $0 --tree-only DIR" >&2; exit 2; }
    mkdir -p "$2"
    [ -z "$(ls -A "$2")" ] || { echo "$0: $2 is not empty" >&2; exit 2; }
    root=$2
    build_tree "$2"
    exit 0
fi

export PATH="$PATH:/opt/swift/usr/bin"
runs=${1:-500}
command -v hyperfine >/dev/null || { echo "bench: needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
bin=$(scripts/build-release.sh 2>/dev/null | tail -1)
echo "binary: $bin ($(du -h "$bin" | cut -f1))"

results=$(mktemp -d)
root=$(mktemp -d -p /dev/shm)
trap 'rm -rf "$results" "$root"' EXIT
build_tree "$root"
echo "tree: $(find "$root/sys/bus/pci/devices" -mindepth 1 | wc -l) PCI functions, $(grep -c '^[0-9]' "$root/dev/kmsg") kmsg records"

# doctor reports findings through its exit status too, so the runs' status is not checked by
# hyperfine (-i); one run up front shows it, and its output size, so a broken run is visible.
for mode in text json; do
    args=(doctor --root "$root")
    [ $mode = json ] && args+=(--json)
    status=0
    out=$("$bin" "${args[@]}" 2>&1) || status=$?
    echo "doctor ($mode): exit $status, $(printf "%s\n" "$out" | wc -l) lines of output"
    hyperfine -N -i --warmup 20 --runs "$runs" --export-json "$results/$mode.json" "$bin ${args[*]}" >/dev/null
    peak=0
    for _ in $(seq 20); do
        kb=$(/usr/bin/time -v "$bin" "${args[@]}" 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}')
        [ "$kb" -gt "$peak" ] && peak=$kb
    done
    echo "$peak" >"$results/$mode.peak"
done
hyperfine -N --warmup 20 --runs "$runs" --export-json "$results/true.json" /bin/true >/dev/null

python3 - "$results" "$runs" <<'PY'
import json, sys
folder, runs = sys.argv[1], sys.argv[2]
def result(name):
    return json.load(open(f"{folder}/{name}.json"))["results"][0]
base = result("true")
print(f"guestprep doctor (64 PCI functions, 8 GPUs, 2000 kmsg records, tmpfs), {runs} runs each:")
for label, what in (("text", "doctor"), ("json", "doctor --json")):
    run = result(label)
    peak = int(open(f"{folder}/{label}.peak").read())
    verdict = "within" if run["median"] <= 0.008 else "OVER"
    print(f"  {what:18} median {run['median']*1000:6.2f} ms  (min {run['min']*1000:.2f}, "
          f"max {run['max']*1000:.2f})  {run['median']/base['median']:5.1f}x /bin/true  "
          f"peak RSS {peak/1024:.1f} MiB  [{verdict} the 8 ms target]")
print(f"  {'baseline /bin/true':18} median {base['median']*1000:6.2f} ms")
PY
