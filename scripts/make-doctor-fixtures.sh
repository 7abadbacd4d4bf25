#!/usr/bin/env bash
# Regenerates, from scratch, the fixture roots of the seven `guestprep doctor` black-box cases
# (Tests/BlackBoxTests/Cases/positive/doctor-*/root): sysfs PCI functions (scripts/fixture-gpu.sh),
# DMI, EFI variables, /proc/meminfo, /proc/modules, /proc/cpuinfo, /dev/kmsg (a regular file of
# kmsg records), /etc/os-release and, for Hyper-V, the KVP pool 3 file. Each case's
# provenance.md says where every value comes from; this script and those notes go together.
# Deterministic: running it twice leaves the tree unchanged. Bash and coreutils only.
#
# Usage: scripts/make-doctor-fixtures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C
gpu=scripts/fixture-gpu.sh
cases=Tests/BlackBoxTests/Cases/positive

# ---------------------------------------------------------------------------------------------
# Helpers. `root` is the fixture root being written.

begin() { root=$cases/doctor-$1/root; rm -rf "$root"; mkdir -p "$root"; }

# put PATH: stdin → ROOT/PATH.
put() { mkdir -p "$(dirname "$root/$1")"; cat >"$root/$1"; }

# dmi KEY=VALUE...: /sys/class/dmi/id/KEY.
dmi() {
    local kv
    for kv in "$@"; do printf '%s\n' "${kv#*=}" | put "sys/class/dmi/id/${kv%%=*}"; done
}

# efi SECUREBOOT: /sys/firmware/efi with fw_platform_size and the SecureBoot variable
# (4 attribute bytes 06 00 00 00 — boot-service and runtime access — then the value byte).
efi() {
    printf '64\n' | put sys/firmware/efi/fw_platform_size
    printf "\\x06\\x00\\x00\\x00\\x0$1" | put sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c
}

# kmsg: stdin lines "PRIORITY SEQ USEC MESSAGE" → /dev/kmsg records "PRIORITY,SEQ,USEC,-;MESSAGE",
# with the SUBSYSTEM=/DEVICE= dictionary lines /dev/kmsg adds after a dev_printk() message.
kmsg() {
    local prio seq usec msg
    local re_pci='^(pci|pcieport|nvidia|nouveau|vmwgfx|vmw_pvscsi|vmxnet3|nvme|ahci|virtio-pci|bochs-drm) ([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]): '
    local re_bus='^pci_bus ([0-9a-f]{4}:[0-9a-f]{2}): '
    local re_vmbus='^hv_pci ([0-9a-f-]{36}): '
    while read -r prio seq usec msg; do
        printf '%s,%s,%s,-;%s\n' "$prio" "$seq" "$usec" "$msg"
        if [[ $msg =~ $re_pci ]]; then
            printf ' SUBSYSTEM=pci\n DEVICE=+pci:%s\n' "${BASH_REMATCH[2]}"
        elif [[ $msg =~ $re_bus ]]; then
            printf ' SUBSYSTEM=pci_bus\n DEVICE=+pci_bus:%s\n' "${BASH_REMATCH[1]}"
        elif [[ $msg =~ $re_vmbus ]]; then
            printf ' SUBSYSTEM=vmbus\n DEVICE=+vmbus:%s\n' "${BASH_REMATCH[1]}"
        fi
    done | put dev/kmsg
}

# meminfo FLAVOR MEMTOTAL USABLE SWAP ANON CACHED SRECLAIM SUNRECLAIM PERCPU VMALLOCUSED VMALLOCTOTAL
# (kB): a whole /proc/meminfo as the kernel of FLAVOR (5.14, 5.15, 6.1, 6.8) prints it, the
# other figures derived so they add up (Active = Active(anon) + Active(file), Slab = SReclaimable
# + SUnreclaim, CommitLimit = MemTotal/2 + SwapTotal, DirectMap* = USABLE).
meminfo() {
    local flavor=$1 total=$2 usable=$3 swap=$4 anon=$5 cached=$6 srecl=$7 sunrecl=$8 percpu=$9 vused=${10} vtotal=${11}
    r4() { echo $(($1 - $1 % 4)); }
    local buffers shmem file afile ifile aanon ianon kstack ptables slab used free avail committed ahp
    buffers=$(r4 $((3000 + total / 20000))) shmem=$(r4 $((8000 + total / 40000)))
    file=$((buffers + cached - shmem)) afile=$(r4 $((file * 3 / 10))) ifile=$((file - afile))
    aanon=$(r4 $(((anon + shmem) / 50))) ianon=$((anon + shmem - aanon))
    kstack=$(r4 $((9000 + total / 100000))) ptables=$(r4 $((3000 + anon / 40)))
    slab=$((srecl + sunrecl))
    used=$((buffers + cached + anon + slab + kstack + ptables + percpu + vused / 4 + 61440))
    free=$(r4 $((total - used))) avail=$(r4 $((free - total / 500 + file * 9 / 10 + srecl / 2)))
    committed=$(r4 $((anon * 4 + 312448))) ahp=$(((anon / 4) / 2048 * 2048))
    local dm1g dm2m dm4k rest
    dm1g=$(((usable - 4194304) / 1048576 * 1048576)) rest=$((usable - dm1g))
    dm2m=$(((rest - 262144) / 2048 * 2048)) dm4k=$((rest - dm2m))
    line() { printf '%-16s%8s kB\n' "$1:" "$2"; }
    {
        line MemTotal "$total"; line MemFree "$free"; line MemAvailable "$avail"
        line Buffers "$buffers"; line Cached "$cached"; line SwapCached 0
        line Active $((aanon + afile)); line Inactive $((ianon + ifile))
        line 'Active(anon)' "$aanon"; line 'Inactive(anon)' "$ianon"
        line 'Active(file)' "$afile"; line 'Inactive(file)' "$ifile"
        line Unevictable 0; line Mlocked 0; line SwapTotal "$swap"; line SwapFree "$swap"
        case $flavor in 6.*) line Zswap 0; line Zswapped 0 ;; esac
        line Dirty 120; line Writeback 0; line AnonPages "$anon"; line Mapped $(r4 $((anon * 2 / 3)))
        line Shmem "$shmem"; line KReclaimable "$srecl"; line Slab "$slab"
        line SReclaimable "$srecl"; line SUnreclaim "$sunrecl"; line KernelStack "$kstack"
        line PageTables "$ptables"
        [ "$flavor" != 6.8 ] || line SecPageTables 0
        line NFS_Unstable 0; line Bounce 0; line WritebackTmp 0
        line CommitLimit $((total / 2 + swap)); line Committed_AS "$committed"
        line VmallocTotal "$vtotal"; line VmallocUsed "$vused"; line VmallocChunk 0
        line Percpu "$percpu"; printf 'HardwareCorrupted: %5s kB\n' 0; line AnonHugePages "$ahp"
        line ShmemHugePages 0; line ShmemPmdMapped 0; line FileHugePages 0; line FilePmdMapped 0
        [ "$flavor" != 6.8 ] || line Unaccepted 0
        printf 'HugePages_Total:   %5s\nHugePages_Free:    %5s\nHugePages_Rsvd:    %5s\nHugePages_Surp:    %5s\n' 0 0 0 0
        line Hugepagesize 2048; line Hugetlb 0
        line DirectMap4k "$dm4k"; line DirectMap2M "$dm2m"; line DirectMap1G "$dm1g"
    } | put proc/meminfo
}

# cpuinfo: /proc/cpuinfo from the cpu_* variables, one block per vCPU. cpu_layout "sockets"
# gives each vCPU its own socket (VMware's and libvirt's default of one core per socket; VMware
# spaces APIC IDs by 2), "cores" puts them all on one socket (Hyper-V).
cpuinfo() {
    local i apic phys siblings cores coreid
    for ((i = 0; i < cpu_count; i++)); do
        if [ "$cpu_layout" = sockets ]; then
            phys=$i siblings=1 cores=1 coreid=0 apic=$((i * cpu_apic_stride))
        else
            phys=0 siblings=$cpu_count cores=$cpu_count coreid=$i apic=$i
        fi
        printf 'processor\t: %s\nvendor_id\t: %s\ncpu family\t: %s\nmodel\t\t: %s\nmodel name\t: %s\n' \
            "$i" "$cpu_vendor" "$cpu_family" "$cpu_model" "$cpu_name"
        printf 'stepping\t: %s\nmicrocode\t: %s\ncpu MHz\t\t: %s\ncache size\t: %s KB\n' \
            "$cpu_stepping" "$cpu_microcode" "$cpu_mhz" "$cpu_cache"
        printf 'physical id\t: %s\nsiblings\t: %s\ncore id\t\t: %s\ncpu cores\t: %s\n' "$phys" "$siblings" "$coreid" "$cores"
        printf 'apicid\t\t: %s\ninitial apicid\t: %s\nfpu\t\t: yes\nfpu_exception\t: yes\n' "$apic" "$apic"
        printf 'cpuid level\t: %s\nwp\t\t: yes\nflags\t\t: %s\nbugs\t\t: %s\nbogomips\t: %s\n' \
            "$cpu_level" "$cpu_flags" "$cpu_bugs" "$cpu_bogomips"
        [ -z "${cpu_tlb:-}" ] || printf 'TLB size\t: %s\n' "$cpu_tlb"
        printf 'clflush size\t: 64\ncache_alignment\t: 64\naddress sizes\t: %s\npower management:\n\n' "$cpu_address_sizes"
    done | put proc/cpuinfo
}

# kvp POOL KEY VALUE...: /var/lib/hyperv/.kvp_pool_POOL, records of a 512-byte key and a
# 2048-byte value, UTF-8 and NUL-padded, as hv_kvp_daemon writes them.
kvp() {
    local pool=$1 key value
    shift
    while [ $# -ge 2 ]; do
        key=$1 value=$2
        shift 2
        printf '%s' "$key"; head -c $((512 - ${#key})) /dev/zero
        printf '%s' "$value"; head -c $((2048 - ${#value})) /dev/zero
    done | put "var/lib/hyperv/.kvp_pool_$pool"
}

os_release() {
    case $1 in
    rocky-9.3)
        put etc/os-release <<'EOF'
NAME="Rocky Linux"
VERSION="9.3 (Blue Onyx)"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.3"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"
ANSI_COLOR="0;32"
LOGO="fedora-logo-icon"
CPE_NAME="cpe:/o:rocky:rocky:9::baseos"
HOME_URL="https://rockylinux.org/"
BUG_REPORT_URL="https://bugs.rockylinux.org/"
SUPPORT_END="2032-05-31"
ROCKY_SUPPORT_PRODUCT="Rocky-Linux-9"
ROCKY_SUPPORT_PRODUCT_VERSION="9.3"
REDHAT_SUPPORT_PRODUCT="Rocky Linux"
REDHAT_SUPPORT_PRODUCT_VERSION="9.3"
EOF
        ;;
    ubuntu-22.04.*)
        put etc/os-release <<EOF
PRETTY_NAME="Ubuntu ${1#ubuntu-} LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="${1#ubuntu-} LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=jammy
EOF
        ;;
    debian-12)
        put etc/os-release <<'EOF'
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
EOF
        ;;
    esac
}

# module_live NAME...: /sys/module/NAME/initstate as a loaded module shows it.
module_live() { local m; for m in "$@"; do printf 'live\n' | put "sys/module/$m/initstate"; done; }

# The virtual hardware around the GPUs.
vmware_platform() { # the 440BX host bridge, PIIX4 ISA bridge and SVGA II adapter on bus 0
    $gpu "$root" 0000:00:00.0 --parent root --vendor 0x8086 --device 0x7190 --class 0x060000 --revision 0x01 \
        --subsystem 15ad:1976
    $gpu "$root" 0000:00:07.0 --parent root --vendor 0x8086 --device 0x7110 --class 0x060100 --revision 0x08 \
        --subsystem 15ad:1976 --multifunction
    $gpu "$root" 0000:00:0f.0 --parent root --vendor 0x15ad --device 0x0405 --class 0x030000 --revision 0x00 \
        --subsystem 15ad:0405 --bar 0:io:0x1070:16 --bar 1:mem32pref:0xe8000000:128M --bar 2:mem32:0xfe000000:8M \
        --rom 0xc0000:128K --driver vmwgfx
}
vmware_port() { # vmware_port SLOT SECONDARY [WINDOW...]: a VMware PCIe root port (15ad:07a0)
    local slot=$1 secondary=$2 args=()
    shift 2
    for w in "$@"; do args+=(--window "$w"); done
    [[ $slot == *.0 ]] && args+=(--multifunction)
    $gpu "$root" "0000:00:$slot" --parent root --vendor 0x15ad --device 0x07a0 --class 0x060400 --revision 0x01 \
        --bus "$secondary:$secondary" --link 32:5.0:32:5.0 --driver pcieport "${args[@]}"
}
qemu_platform() { # q35: MCH host bridge, QEMU VGA, ICH9 LPC/SATA/SMBus
    $gpu "$root" 0000:00:00.0 --parent root --vendor 0x8086 --device 0x29c0 --class 0x060000 --revision 0x00 \
        --subsystem 1af4:1100
    $gpu "$root" 0000:00:01.0 --parent root --vendor 0x1234 --device 0x1111 --class 0x030000 --revision 0x02 \
        --subsystem 1af4:1100 --bar 0:mem32pref:0xc0000000:16M --bar 2:mem32:0xc1a28000:4K --driver bochs-drm
    $gpu "$root" 0000:00:1f.0 --parent root --vendor 0x8086 --device 0x2918 --class 0x060100 --revision 0x02 \
        --subsystem 1af4:1100 --multifunction --driver lpc_ich
    $gpu "$root" 0000:00:1f.2 --parent root --vendor 0x8086 --device 0x2922 --class 0x010601 --revision 0x02 \
        --subsystem 1af4:1100 --bar 4:io:0x7040:32 --bar 5:mem32:0xc1a27000:4K --driver ahci
    $gpu "$root" 0000:00:1f.3 --parent root --vendor 0x8086 --device 0x2930 --class 0x0c0500 --revision 0x02 \
        --subsystem 1af4:1100 --bar 4:io:0x7000:64 --driver i801_smbus
}
qemu_port() { # qemu_port SLOT SECONDARY [WINDOW...]: a QEMU pcie-root-port (1b36:000c)
    local slot=$1 secondary=$2 args=()
    shift 2
    for w in "$@"; do args+=(--window "$w"); done
    [[ $slot == *.0 ]] && args+=(--multifunction)
    $gpu "$root" "0000:00:$slot" --parent root --vendor 0x1b36 --device 0x000c --class 0x060400 --revision 0x00 \
        --bus "$secondary:$secondary" --link 32:16.0:32:16.0 --driver pcieport "${args[@]}"
}

# CPU models.
flags_clx_vmware='fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss syscall nx pdpe1gb rdtscp lm constant_tsc arch_perfmon nopl xtopology tsc_reliable nonstop_tsc cpuid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch invpcid_single ssbd ibrs ibpb stibp ibrs_enhanced fsgsbase tsc_adjust bmi1 avx2 smep bmi2 invpcid avx512f avx512dq rdseed adx smap clflushopt clwb avx512cd avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves arat pku ospke avx512_vnni md_clear flush_l1d arch_capabilities'
flags_icx_vmware='fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss syscall nx pdpe1gb rdtscp lm constant_tsc arch_perfmon rep_good nopl xtopology tsc_reliable nonstop_tsc cpuid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch invpcid_single ssbd ibrs ibpb stibp ibrs_enhanced fsgsbase tsc_adjust bmi1 avx2 smep bmi2 erms invpcid avx512f avx512dq rdseed adx smap avx512ifma clflushopt clwb avx512cd sha_ni avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves arat avx512vbmi umip pku ospke avx512_vbmi2 gfni vaes vpclmulqdq avx512_vnni avx512_bitalg avx512_vpopcntdq rdpid md_clear flush_l1d arch_capabilities'
flags_genoa_vmware='fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl tsc_reliable nonstop_tsc cpuid extd_apicid tsc_known_freq pni pclmulqdq ssse3 fma cx16 sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm extapic cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw topoext ssbd ibrs ibpb stibp vmmcall fsgsbase bmi1 avx2 smep bmi2 erms invpcid avx512f avx512dq rdseed adx smap avx512ifma clflushopt clwb avx512cd sha_ni avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves avx512_bf16 clzero wbnoinvd arat avx512vbmi umip pku ospke avx512_vbmi2 gfni vaes vpclmulqdq avx512_vnni avx512_bitalg avx512_vpopcntdq rdpid fsrm flush_l1d'
flags_clx_qemu='fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss syscall nx pdpe1gb rdtscp lm constant_tsc arch_perfmon rep_good nopl xtopology cpuid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pdcm pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch cpuid_fault invpcid_single ssbd ibrs ibpb stibp ibrs_enhanced fsgsbase tsc_adjust bmi1 hle avx2 smep bmi2 erms invpcid rtm mpx avx512f avx512dq rdseed adx smap clflushopt clwb avx512cd avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves arat umip pku ospke avx512_vnni md_clear arch_capabilities'
flags_spr_qemu='fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss syscall nx pdpe1gb rdtscp lm constant_tsc arch_perfmon rep_good nopl xtopology cpuid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pdcm pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch cpuid_fault invpcid_single ssbd ibrs ibpb stibp ibrs_enhanced fsgsbase tsc_adjust bmi1 avx2 smep bmi2 erms invpcid avx512f avx512dq rdseed adx smap avx512ifma clflushopt clwb avx512cd sha_ni avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves avx_vnni avx512_bf16 wbnoinvd arat avx512vbmi umip pku ospke waitpkg avx512_vbmi2 gfni vaes vpclmulqdq avx512_vnni avx512_bitalg avx512_vpopcntdq la57 rdpid bus_lock_detect cldemote movdiri movdir64b fsrm md_clear serialize tsxldtrk amx_bf16 avx512_fp16 amx_tile amx_int8 flush_l1d arch_capabilities'
flags_skx_hyperv='fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss ht syscall nx pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology cpuid pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch invpcid_single pti ssbd ibrs ibpb stibp fsgsbase bmi1 hle avx2 smep bmi2 erms invpcid rtm mpx avx512f avx512dq rdseed adx smap clflushopt avx512cd avx512bw avx512vl xsaveopt xsavec xsaves md_clear'

# ---------------------------------------------------------------------------------------------
# a. ESXi 6.7 U3, VMware7,1 EFI firmware, Secure Boot off, 2 x Tesla V100 PCIe 32GB, all BARs
#    assigned in a 128 GiB 64-bit MMIO window that ends at 8 TiB, nvidia 550 bound, Rocky 9.3.
begin esxi-2xv100-32gb-efi
dmi sys_vendor='VMware, Inc.' product_name='VMware7,1' product_version=None \
    product_uuid=4229e8c1-5b3d-7a2f-0c61-9d84f2b7e013 \
    bios_vendor='VMware, Inc.' bios_version=VMW71.00V.13989454.B64.1906190538 bios_date=06/19/2019 \
    board_vendor='Intel Corporation' board_name='440BX Desktop Reference Platform'
efi 0
vmware_platform
vmware_port 15.0 03
vmware_port 16.0 0b mem:0xfc000000:16M mem64pref:0x7e000000000:0x802000000
vmware_port 17.0 13 mem:0xfa000000:16M mem64pref:0x7f000000000:0x802000000
vmware_port 18.0 1b
$gpu "$root" 0000:03:00.0 --parent 0000:00:15.0 --vendor 0x15ad --device 0x07c0 --class 0x010700 --revision 0x02 \
    --subsystem 15ad:07c0 --bar 0:io:0x4000:8 --bar 1:mem64:0xfd5f8000:32K --link 32:5.0:32:5.0 --driver vmw_pvscsi
$gpu "$root" 0000:1b:00.0 --parent 0000:00:18.0 --vendor 0x15ad --device 0x07b0 --class 0x020000 --revision 0x01 \
    --subsystem 15ad:07b0 --bar 0:mem32:0xfd3fc000:4K --bar 1:mem32:0xfd3fd000:4K --bar 2:mem32:0xfd3fe000:8K \
    --bar 3:io:0x7000:16 --link 32:5.0:32:5.0 --driver vmxnet3
$gpu "$root" 0000:0b:00.0 --parent 0000:00:16.0 --device 0x1db6 --subsystem 10de:124a \
    --bar 0:mem32:0xfc000000:16M --bar 1:mem64pref:0x7e000000000:32G --bar 3:mem64pref:0x7e800000000:32M \
    --link 16:8.0:16:8.0 --driver nvidia
$gpu "$root" 0000:13:00.0 --parent 0000:00:17.0 --device 0x1db6 --subsystem 10de:124a \
    --bar 0:mem32:0xfa000000:16M --bar 1:mem64pref:0x7f000000000:32G --bar 3:mem64pref:0x7f800000000:32M \
    --link 16:8.0:16:8.0 --driver nvidia
module_live nvidia nvidia_uvm nvidia_modeset nvidia_drm
os_release rocky-9.3
meminfo 5.14 98465508 100658676 4194300 318912 1419644 187316 224508 48640 132344 34359738367
cpu_count=16 cpu_layout=sockets cpu_apic_stride=2 cpu_vendor=GenuineIntel cpu_family=6 cpu_model=85
cpu_name='Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz' cpu_stepping=7 cpu_microcode=0x5003604 cpu_mhz=2494.140
cpu_cache=28160 cpu_level=22 cpu_flags=$flags_clx_vmware cpu_tlb=''
cpu_bugs='spectre_v1 spectre_v2 spec_store_bypass swapgs itlb_multihit mmio_stale_data retbleed eibrs_pbrsb gds'
cpu_bogomips=4988.28 cpu_address_sizes='45 bits physical, 48 bits virtual'
cpuinfo
put proc/modules <<'EOF'
nvidia_drm 118784 0 - Live 0xffffffffc1a2f000 (POE)
nvidia_modeset 1511424 1 nvidia_drm, Live 0xffffffffc1d48000 (POE)
nvidia_uvm 4911104 0 - Live 0xffffffffc2a3d000 (POE)
nvidia 61108224 2 nvidia_modeset,nvidia_uvm, Live 0xffffffffc2ee4000 (POE)
video 69632 1 nvidia_modeset, Live 0xffffffffc0c4b000
drm_kms_helper 266240 4 vmwgfx,nvidia_drm, Live 0xffffffffc0b6e000
drm 753664 8 vmwgfx,drm_ttm_helper,ttm,nvidia_drm,drm_kms_helper, Live 0xffffffffc09d1000
vmwgfx 458752 2 - Live 0xffffffffc0a63000
drm_ttm_helper 16384 1 vmwgfx, Live 0xffffffffc09c9000
ttm 110592 2 vmwgfx,drm_ttm_helper, Live 0xffffffffc09a9000
vmxnet3 77824 0 - Live 0xffffffffc0972000
vmw_pvscsi 32768 3 - Live 0xffffffffc0959000
vmw_vmci 102400 1 vmw_vsock_vmci_transport, Live 0xffffffffc0932000
vmw_vsock_vmci_transport 45056 2 - Live 0xffffffffc0924000
vsock 57344 3 vmw_vsock_vmci_transport,vmw_vsock_virtio_transport_common, Live 0xffffffffc0913000
xfs 2752512 2 - Live 0xffffffffc063b000
dm_mod 249856 9 - Live 0xffffffffc05ef000
EOF
kmsg <<'EOF'
5 0 0 Linux version 5.14.0-362.8.1.el9_3.x86_64 (mockbuild@iad1-prod-build002.bld.rockylinux.org) (gcc (GCC) 11.4.1 20230605 (Red Hat 11.4.1-2), GNU ld version 2.35.2-42.el9) #1 SMP PREEMPT_DYNAMIC Wed Nov 8 17:36:32 UTC 2023
6 1 0 Command line: BOOT_IMAGE=(hd0,gpt2)/vmlinuz-5.14.0-362.8.1.el9_3.x86_64 root=/dev/mapper/rl-root ro crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M resume=/dev/mapper/rl-swap rd.lvm.lv=rl/root rd.lvm.lv=rl/swap rd.driver.blacklist=nouveau modprobe.blacklist=nouveau
6 38 0 secureboot: Secure boot disabled
6 40 0 DMI: VMware, Inc. VMware7,1/440BX Desktop Reference Platform, BIOS VMW71.00V.13989454.B64.1906190538 06/19/2019
6 41 0 Hypervisor detected: VMware
6 92 0 Reserving 512MB of memory at 2528MB for crashkernel (System RAM: 98299MB)
6 201 112318 Memory: 98423944K/100658676K available (16384K kernel code, 4400K rwdata, 13480K rodata, 2660K init, 4344K bss, 2234732K reserved, 0K cma-reserved)
6 402 351920 ACPI: PCI Root Bridge [PCI0] (domain 0000 [bus 00-7f])
6 409 352771 pci_bus 0000:00: root bus resource [mem 0xc0000000-0xfebfffff window]
6 410 352776 pci_bus 0000:00: root bus resource [mem 0x7e000000000-0x7ffffffffff window]
6 489 368214 pci 0000:0b:00.0: [10de:1db6] type 00 class 0x030200
6 490 368602 pci 0000:0b:00.0: reg 0x10: [mem 0xfc000000-0xfcffffff]
6 491 368935 pci 0000:0b:00.0: reg 0x14: [mem 0x7e000000000-0x7e7ffffffff 64bit pref]
6 492 369270 pci 0000:0b:00.0: reg 0x1c: [mem 0x7e800000000-0x7e801ffffff 64bit pref]
6 493 370512 pci 0000:0b:00.0: PME# supported from D0 D3hot
6 494 371284 pci 0000:00:16.0: PCI bridge to [bus 0b]
6 495 371312 pci 0000:00:16.0:   bridge window [mem 0xfc000000-0xfcffffff]
6 496 371340 pci 0000:00:16.0:   bridge window [mem 0x7e000000000-0x7e801ffffff 64bit pref]
6 521 379002 pci 0000:13:00.0: [10de:1db6] type 00 class 0x030200
6 522 379391 pci 0000:13:00.0: reg 0x10: [mem 0xfa000000-0xfaffffff]
6 523 379726 pci 0000:13:00.0: reg 0x14: [mem 0x7f000000000-0x7f7ffffffff 64bit pref]
6 524 380061 pci 0000:13:00.0: reg 0x1c: [mem 0x7f800000000-0x7f801ffffff 64bit pref]
6 525 381296 pci 0000:13:00.0: PME# supported from D0 D3hot
6 526 382067 pci 0000:00:17.0: PCI bridge to [bus 13]
6 527 382095 pci 0000:00:17.0:   bridge window [mem 0xfa000000-0xfaffffff]
6 528 382123 pci 0000:00:17.0:   bridge window [mem 0x7f000000000-0x7f801ffffff 64bit pref]
6 604 401882 pci 0000:00:15.3: BAR 13: no space for [io  size 0x1000]
6 605 401885 pci 0000:00:15.3: BAR 13: failed to assign [io  size 0x1000]
6 606 401889 pci 0000:00:15.4: BAR 13: no space for [io  size 0x1000]
6 607 401892 pci 0000:00:15.4: BAR 13: failed to assign [io  size 0x1000]
6 1344 3521730 Freeing unused kernel image (initmem) memory: 2660K
4 1702 7612409 nvidia: loading out-of-tree module taints kernel.
4 1703 7612416 nvidia: module license 'NVIDIA' taints kernel.
4 1704 7612418 Disabling lock debugging due to kernel taint
4 1705 7622950 nvidia: module verification failed: signature and/or required key missing - tainting kernel
6 1706 7688135 nvidia-nvlink: Nvlink Core is being initialized, major device number 236
6 1707 7688141 
3 1708 7874303 NVRM: loading NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 22:23:56 UTC 2024
4 1716 8031857 nvidia_uvm: module uses symbols from proprietary module nvidia, inheriting taint.
6 1717 8057340 nvidia-uvm: Loaded the UVM driver, major device number 508.
6 1719 8139516 [drm] [nvidia-drm] [GPU ID 0x00000b00] Loading driver
6 1720 8140128 [drm] Initialized nvidia-drm 0.0.0 20160202 for 0000:0b:00.0 on minor 1
6 1721 8140155 [drm] [nvidia-drm] [GPU ID 0x00001300] Loading driver
6 1722 8140703 [drm] Initialized nvidia-drm 0.0.0 20160202 for 0000:13:00.0 on minor 2
EOF

# ---------------------------------------------------------------------------------------------
# b. ESXi, "VMware Virtual Platform" (BIOS firmware, no /sys/firmware/efi), A100 PCIe 80GB: the
#    BIOS placed BAR0 and BAR3 below 4 GiB and left the 128 GiB BAR1 unassigned; the kernel
#    finds no space for it; nvidia's probe fails and, with no GPU left, the module unloads.
begin esxi-a100-80gb-bar1-unassigned-bios
dmi sys_vendor='VMware, Inc.' product_name='VMware Virtual Platform' product_version=None \
    product_uuid=564d1f8e-2a6b-93c4-7d05-e1b2c3a4f5d6 \
    bios_vendor='Phoenix Technologies LTD' bios_version=6.00 bios_date=11/12/2020 \
    board_vendor='Intel Corporation' board_name='440BX Desktop Reference Platform'
vmware_platform
vmware_port 15.0 03
vmware_port 16.0 0b mem:0xfd000000:16M mem64pref:0xe0000000:32M
vmware_port 18.0 1b
$gpu "$root" 0000:03:00.0 --parent 0000:00:15.0 --vendor 0x15ad --device 0x07c0 --class 0x010700 --revision 0x02 \
    --subsystem 15ad:07c0 --bar 0:io:0x4000:8 --bar 1:mem64:0xfd5f8000:32K --link 32:5.0:32:5.0 --driver vmw_pvscsi
$gpu "$root" 0000:1b:00.0 --parent 0000:00:18.0 --vendor 0x15ad --device 0x07b0 --class 0x020000 --revision 0x01 \
    --subsystem 15ad:07b0 --bar 0:mem32:0xfd3fc000:4K --bar 1:mem32:0xfd3fd000:4K --bar 2:mem32:0xfd3fe000:8K \
    --bar 3:io:0x7000:16 --link 32:5.0:32:5.0 --driver vmxnet3
$gpu "$root" 0000:0b:00.0 --parent 0000:00:16.0 --device 0x20b5 --subsystem 10de:1533 \
    --bar 0:mem32:0xfd000000:16M --bar 1:mem64pref:unassigned:128G --bar 3:mem64pref:0xe0000000:32M \
    --link 16:16.0:16:16.0
os_release ubuntu-22.04.4
meminfo 5.15 66051036 67107524 4194300 264412 1216840 142208 176396 29184 74680 34359738367
cpu_count=16 cpu_layout=sockets cpu_apic_stride=2 cpu_vendor=GenuineIntel cpu_family=6 cpu_model=106
cpu_name='Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz' cpu_stepping=6 cpu_microcode=0xd0003a5 cpu_mhz=1995.312
cpu_cache=49152 cpu_level=27 cpu_flags=$flags_icx_vmware cpu_tlb=''
cpu_bugs='spectre_v1 spectre_v2 spec_store_bypass swapgs mmio_stale_data eibrs_pbrsb gds bhi'
cpu_bogomips=3990.62 cpu_address_sizes='45 bits physical, 48 bits virtual'
cpuinfo
put proc/modules <<'EOF'
vmwgfx 372736 2 - Live 0xffffffffc0a9b000
drm_ttm_helper 16384 1 vmwgfx, Live 0xffffffffc0a93000
ttm 86016 2 vmwgfx,drm_ttm_helper, Live 0xffffffffc0a7d000
drm_kms_helper 311296 1 vmwgfx, Live 0xffffffffc0a30000
drm 622592 5 vmwgfx,drm_ttm_helper,ttm,drm_kms_helper, Live 0xffffffffc0997000
vmxnet3 69632 0 - Live 0xffffffffc0984000
vmw_pvscsi 28672 3 - Live 0xffffffffc0978000
vmw_vmci 86016 1 vmw_vsock_vmci_transport, Live 0xffffffffc0962000
vmw_vsock_vmci_transport 32768 2 - Live 0xffffffffc0955000
vsock 49152 3 vmw_vsock_vmci_transport,vmw_vsock_virtio_transport_common, Live 0xffffffffc0948000
dm_multipath 40960 0 - Live 0xffffffffc093a000
EOF
kmsg <<'EOF'
5 0 0 Linux version 5.15.0-101-generic (buildd@lcy02-amd64-032) (gcc (Ubuntu 11.4.0-1ubuntu1~22.04) 11.4.0, GNU ld (GNU Binutils for Ubuntu) 2.38) #111-Ubuntu SMP Tue Mar 5 20:16:58 UTC 2024 (Ubuntu 5.15.0-101.111-generic 5.15.143)
6 1 0 Command line: BOOT_IMAGE=/vmlinuz-5.15.0-101-generic root=/dev/mapper/ubuntu--vg-ubuntu--lv ro
6 36 0 DMI: VMware, Inc. VMware Virtual Platform/440BX Desktop Reference Platform, BIOS 6.00 11/12/2020
6 37 0 Hypervisor detected: VMware
6 198 104226 Memory: 65930576K/67107524K available (16393K kernel code, 4383K rwdata, 10824K rodata, 2888K init, 5712K bss, 1176948K reserved, 0K cma-reserved)
6 391 318440 ACPI: PCI Root Bridge [PCI0] (domain 0000 [bus 00-7f])
6 398 319207 pci_bus 0000:00: root bus resource [mem 0x000a0000-0x000bffff window]
6 399 319210 pci_bus 0000:00: root bus resource [mem 0xc0000000-0xfebfffff window]
6 400 319213 pci_bus 0000:00: root bus resource [io  0x0000-0x0cf7 window]
6 401 319216 pci_bus 0000:00: root bus resource [io  0x0d00-0xfeff window]
6 480 333918 pci 0000:0b:00.0: [10de:20b5] type 00 class 0x030200
6 481 334302 pci 0000:0b:00.0: reg 0x10: [mem 0xfd000000-0xfdffffff]
6 482 334634 pci 0000:0b:00.0: reg 0x14: [mem 0x00000000-0x1fffffffff 64bit pref]
6 483 334966 pci 0000:0b:00.0: reg 0x1c: [mem 0xe0000000-0xe1ffffff 64bit pref]
6 484 335871 pci 0000:0b:00.0: Enabling HDA controller
6 485 336402 pci 0000:0b:00.0: PME# supported from D0 D3hot
6 486 337155 pci 0000:00:16.0: PCI bridge to [bus 0b]
6 487 337183 pci 0000:00:16.0:   bridge window [mem 0xfd000000-0xfdffffff]
6 488 337211 pci 0000:00:16.0:   bridge window [mem 0xe0000000-0xe1ffffff 64bit pref]
6 590 367745 pci 0000:00:15.3: BAR 13: no space for [io  size 0x1000]
6 591 367748 pci 0000:00:15.3: BAR 13: failed to assign [io  size 0x1000]
6 592 367752 pci 0000:00:15.4: BAR 13: no space for [io  size 0x1000]
6 593 367755 pci 0000:00:15.4: BAR 13: failed to assign [io  size 0x1000]
6 640 371036 pci 0000:0b:00.0: BAR 1: no space for [mem size 0x2000000000 64bit pref]
6 641 371039 pci 0000:0b:00.0: BAR 1: failed to assign [mem size 0x2000000000 64bit pref]
4 1630 6301185 nvidia: loading out-of-tree module taints kernel.
4 1631 6301193 nvidia: module license 'NVIDIA' taints kernel.
4 1632 6301194 Disabling lock debugging due to kernel taint
6 1633 6354201 nvidia-nvlink: Nvlink Core is being initialized, major device number 234
6 1634 6354207 
3 1635 6355118 NVRM: This PCI I/O region assigned to your NVIDIA device is invalid:\x0aNVRM: BAR1 is 0M @ 0x0 (PCI:0000:0b:00.0)
4 1636 6355125 nvidia: probe of 0000:0b:00.0 failed with error -1
3 1637 6355152 NVRM: The NVIDIA probe routine failed for 1 device(s).
3 1638 6355154 NVRM: None of the NVIDIA devices were initialized.
6 1639 6355708 nvidia-nvlink: Unregistered Nvlink Core, major device number 234
6 1702 9184432 nvidia-nvlink: Nvlink Core is being initialized, major device number 234
6 1703 9184437 
3 1704 9185290 NVRM: This PCI I/O region assigned to your NVIDIA device is invalid:\x0aNVRM: BAR1 is 0M @ 0x0 (PCI:0000:0b:00.0)
4 1705 9185296 nvidia: probe of 0000:0b:00.0 failed with error -1
3 1706 9185321 NVRM: The NVIDIA probe routine failed for 1 device(s).
3 1707 9185323 NVRM: None of the NVIDIA devices were initialized.
6 1708 9185861 nvidia-nvlink: Unregistered Nvlink Core, major device number 234
EOF

# ---------------------------------------------------------------------------------------------
# c. ESXi 8.0 U2, VMware20,1 EFI, Secure Boot on, 2 x L40S with every BAR assigned (BAR1 64 GiB
#    each, in a 256 GiB window), no NVIDIA driver yet: nouveau is loaded and bound to both.
#    Ubuntu 22.04.5 on the 6.8 HWE kernel (nouveau drives Ada through GSP firmware from 6.7 on).
begin esxi8-2xl40s-secure-boot
dmi sys_vendor='VMware, Inc.' product_name='VMware20,1' product_version=None \
    product_uuid=4231a7c0-e4d2-8b19-3f6a-51c0d9e82b47 \
    bios_vendor='VMware, Inc.' bios_version=VMW201.00V.21805430.B64.2305221830 bios_date=05/22/2023 \
    board_vendor='Intel Corporation' board_name='440BX Desktop Reference Platform'
efi 1
vmware_platform
vmware_port 15.0 03 mem:0xfd000000:16M mem64pref:0x7c000000000:0x1002000000
vmware_port 16.0 0b
vmware_port 17.0 13 mem:0xfb000000:16M mem64pref:0x7e000000000:0x1002000000
vmware_port 18.0 1b
$gpu "$root" 0000:0b:00.0 --parent 0000:00:16.0 --vendor 0x15ad --device 0x07b0 --class 0x020000 --revision 0x01 \
    --subsystem 15ad:07b0 --bar 0:mem32:0xfd4fc000:4K --bar 1:mem32:0xfd4fd000:4K --bar 2:mem32:0xfd4fe000:8K \
    --bar 3:io:0x5000:16 --link 32:5.0:32:5.0 --driver vmxnet3
$gpu "$root" 0000:1b:00.0 --parent 0000:00:18.0 --vendor 0x15ad --device 0x07f0 --class 0x010802 --revision 0x00 \
    --subsystem 15ad:07f0 --bar 0:mem64:0xfd3fe000:8K --link 32:5.0:32:5.0 --driver nvme
$gpu "$root" 0000:03:00.0 --parent 0000:00:15.0 --device 0x26b9 --subsystem 10de:1851 \
    --bar 0:mem32:0xfd000000:16M --bar 1:mem64pref:0x7c000000000:64G --bar 3:mem64pref:0x7d000000000:32M \
    --link 16:16.0:16:16.0 --driver nouveau
$gpu "$root" 0000:13:00.0 --parent 0000:00:17.0 --device 0x26b9 --subsystem 10de:1851 \
    --bar 0:mem32:0xfb000000:16M --bar 1:mem64pref:0x7e000000000:64G --bar 3:mem64pref:0x7f000000000:32M \
    --link 16:16.0:16:16.0 --driver nouveau
module_live nouveau
os_release ubuntu-22.04.5
meminfo 6.8 198094668 201321464 8388604 402376 1688212 276804 344916 95232 121420 34359738367
cpu_count=32 cpu_layout=sockets cpu_apic_stride=2 cpu_vendor=AuthenticAMD cpu_family=25 cpu_model=17
cpu_name='AMD EPYC 9354 32-Core Processor' cpu_stepping=1 cpu_microcode=0xa101148 cpu_mhz=3249.999
cpu_cache=1024 cpu_level=16 cpu_flags=$flags_genoa_vmware cpu_tlb='3584 4K pages'
cpu_bugs='sysret_ss_attrs spectre_v1 spectre_v2 spec_store_bypass srso'
cpu_bogomips=6499.99 cpu_address_sizes='45 bits physical, 48 bits virtual'
cpuinfo
put proc/modules <<'EOF'
nouveau 3096576 0 - Live 0xffffffffc1400000
mxm_wmi 12288 1 nouveau, Live 0xffffffffc0d23000
drm_gpuvm 45056 1 nouveau, Live 0xffffffffc0d15000
drm_exec 12288 2 nouveau,drm_gpuvm, Live 0xffffffffc0d0f000
gpu_sched 61440 1 nouveau, Live 0xffffffffc0cfb000
drm_ttm_helper 12288 2 vmwgfx,nouveau, Live 0xffffffffc0cf5000
ttm 110592 3 vmwgfx,nouveau,drm_ttm_helper, Live 0xffffffffc0cd7000
i2c_algo_bit 16384 1 nouveau, Live 0xffffffffc0ccf000
drm_display_helper 237568 1 nouveau, Live 0xffffffffc0c92000
cec 94208 1 drm_display_helper, Live 0xffffffffc0c77000
video 73728 1 nouveau, Live 0xffffffffc0c61000
wmi 40960 2 mxm_wmi,video, Live 0xffffffffc0c53000
vmwgfx 442368 2 - Live 0xffffffffc0be3000
vmxnet3 86016 0 - Live 0xffffffffc0bcb000
nvme 61440 2 - Live 0xffffffffc0bb6000
nvme_core 212992 3 nvme, Live 0xffffffffc0b77000
vmw_vmci 106496 1 vmw_vsock_vmci_transport, Live 0xffffffffc0b59000
vmw_vsock_vmci_transport 45056 2 - Live 0xffffffffc0b4a000
vsock 61440 3 vmw_vsock_vmci_transport,vmw_vsock_virtio_transport_common, Live 0xffffffffc0b36000
EOF
kmsg <<'EOF'
5 0 0 Linux version 6.8.0-40-generic (buildd@lcy02-amd64-078) (x86_64-linux-gnu-gcc-12 (Ubuntu 12.3.0-1ubuntu1~22.04) 12.3.0, GNU ld (GNU Binutils for Ubuntu) 2.38) #40~22.04.3-Ubuntu SMP PREEMPT_DYNAMIC Tue Jul 30 17:30:19 UTC 2 (Ubuntu 6.8.0-40.40~22.04.3-generic 6.8.12)
6 1 0 Command line: BOOT_IMAGE=/vmlinuz-6.8.0-40-generic root=/dev/mapper/ubuntu--vg-ubuntu--lv ro
6 40 0 secureboot: Secure boot enabled
5 41 0 Kernel is locked down from EFI Secure Boot mode; see man kernel_lockdown.7
6 43 0 DMI: VMware, Inc. VMware20,1/440BX Desktop Reference Platform, BIOS VMW201.00V.21805430.B64.2305221830 05/22/2023
6 44 0 Hypervisor detected: VMware
6 221 126509 Memory: 198012124K/201321464K available (22528K kernel code, 4436K rwdata, 14404K rodata, 4920K init, 4764K bss, 3309340K reserved, 0K cma-reserved)
6 432 409114 ACPI: PCI Root Bridge [PCI0] (domain 0000 [bus 00-7f])
6 439 409942 pci_bus 0000:00: root bus resource [mem 0xc0000000-0xfebfffff window]
6 440 409946 pci_bus 0000:00: root bus resource [mem 0x7c000000000-0x7ffffffffff window]
6 493 421605 pci 0000:03:00.0: [10de:26b9] type 00 class 0x030200 PCIe Endpoint
6 494 421972 pci 0000:03:00.0: BAR 0 [mem 0xfd000000-0xfdffffff]
6 495 422301 pci 0000:03:00.0: BAR 1 [mem 0x7c000000000-0x7cfffffffff 64bit pref]
6 496 422633 pci 0000:03:00.0: BAR 3 [mem 0x7d000000000-0x7d001ffffff 64bit pref]
6 497 423840 pci 0000:03:00.0: PME# supported from D0 D3hot
6 498 424602 pci 0000:00:15.0: PCI bridge to [bus 03]
6 499 424629 pci 0000:00:15.0:   bridge window [mem 0xfd000000-0xfdffffff]
6 500 424656 pci 0000:00:15.0:   bridge window [mem 0x7c000000000-0x7d001ffffff 64bit pref]
6 533 433187 pci 0000:13:00.0: [10de:26b9] type 00 class 0x030200 PCIe Endpoint
6 534 433555 pci 0000:13:00.0: BAR 0 [mem 0xfb000000-0xfbffffff]
6 535 433884 pci 0000:13:00.0: BAR 1 [mem 0x7e000000000-0x7efffffffff 64bit pref]
6 536 434216 pci 0000:13:00.0: BAR 3 [mem 0x7f000000000-0x7f001ffffff 64bit pref]
6 537 435421 pci 0000:13:00.0: PME# supported from D0 D3hot
6 538 436185 pci 0000:00:17.0: PCI bridge to [bus 13]
6 539 436212 pci 0000:00:17.0:   bridge window [mem 0xfb000000-0xfbffffff]
6 540 436239 pci 0000:00:17.0:   bridge window [mem 0x7e000000000-0x7f001ffffff 64bit pref]
6 1519 4011326 nouveau 0000:03:00.0: NVIDIA AD102 (192000a1)
6 1533 4695118 nouveau 0000:03:00.0: DRM: VRAM: 46068 MiB
6 1534 4695122 nouveau 0000:03:00.0: DRM: GART: 536870912 MiB
6 1535 4695907 nouveau 0000:03:00.0: DRM: MM: using COPY for buffer copies
6 1536 4699841 [drm] Initialized nouveau 1.4.0 20120801 for 0000:03:00.0 on minor 1
6 1537 4700311 nouveau 0000:13:00.0: NVIDIA AD102 (192000a1)
6 1551 5387002 nouveau 0000:13:00.0: DRM: VRAM: 46068 MiB
6 1552 5387006 nouveau 0000:13:00.0: DRM: GART: 536870912 MiB
6 1553 5387790 nouveau 0000:13:00.0: DRM: MM: using COPY for buffer copies
6 1554 5391650 [drm] Initialized nouveau 1.4.0 20120801 for 0000:13:00.0 on minor 2
EOF

# ---------------------------------------------------------------------------------------------
# d. QEMU/KVM q35 with OVMF (EFI, Secure Boot off), one Tesla T4 whose link trained at x8 of
#    its x16, nvidia 535 bound, Debian 12; libvirt's named CPU model, so 40 physical bits.
begin kvm-t4
dmi sys_vendor=QEMU product_name='Standard PC (Q35 + ICH9, 2009)' product_version=pc-q35-7.2 \
    product_uuid=9c3f1d27-64ab-4e8b-b1a2-0f5e7c3d9a84 \
    bios_vendor='EFI Development Kit II / OVMF' bios_version=0.0.0 bios_date=02/06/2015
efi 0
qemu_platform
qemu_port 02.0 01 mem:0xc1800000:2M
qemu_port 02.3 04 mem:0xc1600000:2M
qemu_port 02.4 05 mem:0xfb000000:16M mem64pref:0x17e0000000:512M
$gpu "$root" 0000:01:00.0 --parent 0000:00:02.0 --vendor 0x1af4 --device 0x1041 --class 0x020000 --revision 0x01 \
    --subsystem 1af4:1100 --bar 1:mem32:0xc1840000:4K --bar 4:mem64pref:0x17ffc00000:16K --link 1:2.5:1:2.5 \
    --driver virtio-pci
$gpu "$root" 0000:04:00.0 --parent 0000:00:02.3 --vendor 0x1af4 --device 0x1042 --class 0x010000 --revision 0x01 \
    --subsystem 1af4:1100 --bar 1:mem32:0xc1600000:4K --bar 4:mem64pref:0x17ff800000:16K --link 1:2.5:1:2.5 \
    --driver virtio-pci
$gpu "$root" 0000:05:00.0 --parent 0000:00:02.4 --device 0x1eb8 --subsystem 10de:12a2 \
    --bar 0:mem32:0xfb000000:16M --bar 1:mem64pref:0x17e0000000:256M --bar 3:mem64pref:0x17f0000000:32M \
    --link 8:8.0:16:8.0 --driver nvidia
module_live nvidia nvidia_uvm nvidia_modeset nvidia_drm
os_release debian-12
meminfo 6.1 32959224 33551220 998396 221560 1032516 96344 118212 12288 52732 34359738367
cpu_count=8 cpu_layout=sockets cpu_apic_stride=1 cpu_vendor=GenuineIntel cpu_family=6 cpu_model=85
cpu_name='Intel Xeon Processor (Cascadelake)' cpu_stepping=6 cpu_microcode=0x1 cpu_mhz=2992.968
cpu_cache=16384 cpu_level=13 cpu_flags=$flags_clx_qemu cpu_tlb=''
cpu_bugs='spectre_v1 spectre_v2 spec_store_bypass swapgs taa mmio_stale_data retbleed eibrs_pbrsb gds bhi'
cpu_bogomips=5985.93 cpu_address_sizes='40 bits physical, 48 bits virtual'
cpuinfo
put proc/modules <<'EOF'
nvidia_drm 77824 0 - Live 0xffffffffc1a8a000 (POE)
nvidia_modeset 1302528 1 nvidia_drm, Live 0xffffffffc1944000 (POE)
nvidia_uvm 1527808 0 - Live 0xffffffffc17ca000 (POE)
nvidia 56778752 2 nvidia_modeset,nvidia_uvm, Live 0xffffffffc0e29000 (POE)
video 65536 1 nvidia_modeset, Live 0xffffffffc0dd4000
bochs 16384 0 - Live 0xffffffffc0dcc000
drm_vram_helper 24576 1 bochs, Live 0xffffffffc0dc2000
drm_ttm_helper 16384 2 bochs,drm_vram_helper, Live 0xffffffffc0dba000
ttm 94208 2 drm_vram_helper,drm_ttm_helper, Live 0xffffffffc0d9f000
drm_kms_helper 212992 5 nvidia_drm,bochs,drm_vram_helper, Live 0xffffffffc0d66000
drm 614400 8 nvidia_drm,bochs,drm_vram_helper,drm_ttm_helper,ttm,drm_kms_helper, Live 0xffffffffc0c9d000
virtio_net 61440 0 - Live 0xffffffffc0c88000
net_failover 24576 1 virtio_net, Live 0xffffffffc0c7e000
failover 16384 1 net_failover, Live 0xffffffffc0c76000
virtio_blk 24576 3 - Live 0xffffffffc0c6c000
ahci 49152 0 - Live 0xffffffffc0c5b000
libahci 53248 1 ahci, Live 0xffffffffc0c49000
i2c_i801 36864 0 - Live 0xffffffffc0c3b000
lpc_ich 28672 0 - Live 0xffffffffc0c30000
EOF
kmsg <<'EOF'
5 0 0 Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)
6 1 0 Command line: BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=UUID=3f9b2c1e-8d4a-4e6f-9b7c-2a1d5e8f0c34 ro quiet
6 35 0 secureboot: Secure boot disabled
6 37 0 DMI: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 0.0.0 02/06/2015
6 38 0 Hypervisor detected: KVM
6 176 87342 Memory: 32913512K/33551220K available (14336K kernel code, 2350K rwdata, 9652K rodata, 2780K init, 3456K bss, 637708K reserved, 0K cma-reserved)
6 352 283016 ACPI: PCI Root Bridge [PCI0] (domain 0000 [bus 00-ff])
6 359 283711 pci_bus 0000:00: root bus resource [mem 0x80000000-0xafffffff window]
6 360 283714 pci_bus 0000:00: root bus resource [mem 0xc0000000-0xfebfffff window]
6 361 283717 pci_bus 0000:00: root bus resource [mem 0x1000000000-0x17ffffffff window]
6 429 298450 pci 0000:05:00.0: [10de:1eb8] type 00 class 0x030200
6 430 298791 pci 0000:05:00.0: reg 0x10: [mem 0xfb000000-0xfbffffff]
6 431 299106 pci 0000:05:00.0: reg 0x14: [mem 0x17e0000000-0x17efffffff 64bit pref]
6 432 299422 pci 0000:05:00.0: reg 0x1c: [mem 0x17f0000000-0x17f1ffffff 64bit pref]
6 433 300078 pci 0000:05:00.0: Max Payload Size set to 128 (was 256, max 256)
6 434 300795 pci 0000:05:00.0: PME# supported from D0 D3hot
6 435 301516 pci 0000:05:00.0: 63.008 Gb/s available PCIe bandwidth, limited by 8.0 GT/s PCIe x8 link at 0000:05:00.0 (capable of 126.016 Gb/s with 8.0 GT/s PCIe x16 link)
6 436 302218 pci 0000:00:02.4: PCI bridge to [bus 05]
6 437 302246 pci 0000:00:02.4:   bridge window [mem 0xfb000000-0xfbffffff]
6 438 302273 pci 0000:00:02.4:   bridge window [mem 0x17e0000000-0x17ffffffff 64bit pref]
4 1187 4120877 nvidia: loading out-of-tree module taints kernel.
4 1188 4120886 nvidia: module license 'NVIDIA' taints kernel.
4 1189 4120887 Disabling lock debugging due to kernel taint
4 1190 4136522 nvidia: module verification failed: signature and/or required key missing - tainting kernel
6 1191 4201844 nvidia-nvlink: Nvlink Core is being initialized, major device number 241
6 1192 4201850 
6 1193 4202975 nvidia 0000:05:00.0: enabling device (0000 -> 0002)
3 1194 4254718 NVRM: loading NVIDIA UNIX x86_64 Kernel Module  535.161.07  Sat Feb 17 22:55:48 UTC 2024
4 1203 4388102 nvidia_uvm: module uses symbols from proprietary module nvidia, inheriting taint.
6 1204 4409631 nvidia-uvm: Loaded the UVM driver, major device number 509.
6 1206 4483077 [drm] [nvidia-drm] [GPU ID 0x00000500] Loading driver
6 1207 4483702 [drm] Initialized nvidia-drm 0.0.0 20160202 for 0000:05:00.0 on minor 1
EOF

# ---------------------------------------------------------------------------------------------
# e. QEMU/KVM q35 with an OVMF older than the dynamic MMIO window (a fixed 32 GiB 64-bit
#    aperture, here 0x3800000000-0x3fffffffff above 192 GiB of RAM), host-phys-bits on a
#    Sapphire Rapids host (46 physical bits), one H100 PCIe: OVMF rejected the device, and the
#    kernel cannot fit the root port's window (BAR0 16 MiB + BAR2 128 GiB + BAR4 32 MiB, all
#    64-bit prefetchable) in the 32 GiB aperture, so BAR2 — and with it BAR0 and BAR4 — stay
#    unassigned; nvidia's probe fails.
begin kvm-h100-pcie-bar2-unassigned
dmi sys_vendor=QEMU product_name='Standard PC (Q35 + ICH9, 2009)' product_version=pc-q35-6.2 \
    product_uuid=e7b04a19-3c5d-4f28-a6e1-8d2b9c0f4571 \
    bios_vendor='EFI Development Kit II / OVMF' bios_version=0.0.0 bios_date=02/06/2015
efi 0
qemu_platform
qemu_port 02.0 01 mem:0xc1800000:2M
qemu_port 02.4 05 mem:0xc1600000:2M
qemu_port 02.5 06
$gpu "$root" 0000:01:00.0 --parent 0000:00:02.0 --vendor 0x1af4 --device 0x1041 --class 0x020000 --revision 0x01 \
    --subsystem 1af4:1100 --bar 1:mem32:0xc1840000:4K --bar 4:mem64pref:0x3ffffc0000:16K --link 1:2.5:1:2.5 \
    --driver virtio-pci
$gpu "$root" 0000:05:00.0 --parent 0000:00:02.4 --vendor 0x1af4 --device 0x1042 --class 0x010000 --revision 0x01 \
    --subsystem 1af4:1100 --bar 1:mem32:0xc1600000:4K --bar 4:mem64pref:0x3ffff80000:16K --link 1:2.5:1:2.5 \
    --driver virtio-pci
$gpu "$root" 0000:06:00.0 --parent 0000:00:02.5 --device 0x2331 --subsystem 10de:1626 --caps 40,48,60 \
    --bar 0:mem64pref:unassigned:16M --bar 2:mem64pref:unassigned:128G --bar 4:mem64pref:unassigned:32M \
    --link 16:32.0:16:32.0
os_release ubuntu-22.04.4
meminfo 5.15 198135776 201323652 0 348204 1304472 221484 301632 61440 98212 13743895347199
cpu_count=32 cpu_layout=sockets cpu_apic_stride=1 cpu_vendor=GenuineIntel cpu_family=6 cpu_model=143
cpu_name='Intel(R) Xeon(R) Platinum 8480+' cpu_stepping=8 cpu_microcode=0x2b0004d0 cpu_mhz=1999.999
cpu_cache=107520 cpu_level=31 cpu_flags=$flags_spr_qemu cpu_tlb=''
cpu_bugs='spectre_v1 spectre_v2 spec_store_bypass swapgs eibrs_pbrsb bhi'
cpu_bogomips=3999.99 cpu_address_sizes='46 bits physical, 57 bits virtual'
cpuinfo
put proc/modules <<'EOF'
bochs 20480 0 - Live 0xffffffffc0b53000
drm_vram_helper 24576 1 bochs, Live 0xffffffffc0b49000
drm_ttm_helper 16384 2 bochs,drm_vram_helper, Live 0xffffffffc0b41000
ttm 86016 2 drm_vram_helper,drm_ttm_helper, Live 0xffffffffc0b2b000
drm_kms_helper 311296 4 bochs,drm_vram_helper, Live 0xffffffffc0ade000
drm 622592 6 bochs,drm_vram_helper,drm_ttm_helper,ttm,drm_kms_helper, Live 0xffffffffc0a45000
virtio_net 61440 0 - Live 0xffffffffc0a30000
net_failover 20480 1 virtio_net, Live 0xffffffffc0a26000
failover 16384 1 net_failover, Live 0xffffffffc0a1e000
virtio_blk 24576 3 - Live 0xffffffffc0a14000
ahci 49152 0 - Live 0xffffffffc0a03000
libahci 45056 1 ahci, Live 0xffffffffc09f3000
i2c_i801 36864 0 - Live 0xffffffffc09e5000
lpc_ich 28672 0 - Live 0xffffffffc09da000
EOF
kmsg <<'EOF'
5 0 0 Linux version 5.15.0-101-generic (buildd@lcy02-amd64-032) (gcc (Ubuntu 11.4.0-1ubuntu1~22.04) 11.4.0, GNU ld (GNU Binutils for Ubuntu) 2.38) #111-Ubuntu SMP Tue Mar 5 20:16:58 UTC 2024 (Ubuntu 5.15.0-101.111-generic 5.15.143)
6 1 0 Command line: BOOT_IMAGE=/vmlinuz-5.15.0-101-generic root=/dev/mapper/ubuntu--vg-ubuntu--lv ro
6 35 0 secureboot: Secure boot disabled
6 37 0 DMI: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 0.0.0 02/06/2015
6 38 0 Hypervisor detected: KVM
6 214 121890 Memory: 198014888K/201323652K available (16393K kernel code, 4383K rwdata, 10824K rodata, 2888K init, 5712K bss, 3308764K reserved, 0K cma-reserved)
6 398 322614 ACPI: PCI Root Bridge [PCI0] (domain 0000 [bus 00-ff])
6 405 323390 pci_bus 0000:00: root bus resource [mem 0x80000000-0xafffffff window]
6 406 323393 pci_bus 0000:00: root bus resource [mem 0xc0000000-0xfebfffff window]
6 407 323396 pci_bus 0000:00: root bus resource [mem 0x3800000000-0x3fffffffff window]
6 481 339102 pci 0000:06:00.0: [10de:2331] type 00 class 0x030200
6 482 339458 pci 0000:06:00.0: reg 0x10: [mem 0x00000000-0x00ffffff 64bit pref]
6 483 339790 pci 0000:06:00.0: reg 0x18: [mem 0x00000000-0x1fffffffff 64bit pref]
6 484 340122 pci 0000:06:00.0: reg 0x20: [mem 0x00000000-0x01ffffff 64bit pref]
6 485 340803 pci 0000:06:00.0: Max Payload Size set to 128 (was 256, max 256)
6 486 341530 pci 0000:06:00.0: PME# supported from D0 D3hot
6 487 342261 pci 0000:00:02.5: PCI bridge to [bus 06]
6 561 361207 pci 0000:00:02.5: BAR 15: no space for [mem size 0x3000000000 64bit pref]
6 562 361210 pci 0000:00:02.5: BAR 15: failed to assign [mem size 0x3000000000 64bit pref]
6 575 362018 pci 0000:06:00.0: BAR 2: no space for [mem size 0x2000000000 64bit pref]
6 576 362021 pci 0000:06:00.0: BAR 2: failed to assign [mem size 0x2000000000 64bit pref]
6 577 362025 pci 0000:06:00.0: BAR 4: no space for [mem size 0x02000000 64bit pref]
6 578 362028 pci 0000:06:00.0: BAR 4: failed to assign [mem size 0x02000000 64bit pref]
6 579 362031 pci 0000:06:00.0: BAR 0: no space for [mem size 0x01000000 64bit pref]
6 580 362034 pci 0000:06:00.0: BAR 0: failed to assign [mem size 0x01000000 64bit pref]
4 1598 5902214 nvidia: loading out-of-tree module taints kernel.
4 1599 5902222 nvidia: module license 'NVIDIA' taints kernel.
4 1600 5902223 Disabling lock debugging due to kernel taint
6 1601 5958340 nvidia-nvlink: Nvlink Core is being initialized, major device number 234
6 1602 5958346 
3 1603 5959120 NVRM: This PCI I/O region assigned to your NVIDIA device is invalid:\x0aNVRM: BAR0 is 0M @ 0x0 (PCI:0000:06:00.0)
4 1604 5959127 nvidia: probe of 0000:06:00.0 failed with error -1
3 1605 5959150 NVRM: The NVIDIA probe routine failed for 1 device(s).
3 1606 5959152 NVRM: None of the NVIDIA devices were initialized.
6 1607 5959690 nvidia-nvlink: Unregistered Nvlink Core, major device number 234
EOF

# ---------------------------------------------------------------------------------------------
# f. Hyper-V (Windows Server 2019 host) Generation 2, Secure Boot on with the Microsoft UEFI
#    Certificate Authority template, a Tesla V100 SXM2 16GB assigned by DDA while the VM keeps
#    the default 512 MB of high MMIO space: hv_pci needs BAR1 16 GiB + BAR3 32 MiB = 0x402000000
#    of it, cannot allocate that, and no PCI bus, so no NVIDIA function, ever appears.
begin hyperv-v100-no-high-mmio
dmi sys_vendor='Microsoft Corporation' product_name='Virtual Machine' product_version='Hyper-V UEFI Release v4.1' \
    product_uuid=3f6d2a81-9c4e-4b07-8e15-a2d9c7b0e634 \
    bios_vendor='Microsoft Corporation' bios_version='Hyper-V UEFI Release v4.1' bios_date=04/06/2022 \
    board_vendor='Microsoft Corporation' board_name='Virtual Machine'
efi 1
os_release ubuntu-22.04.4
meminfo 5.15 33014540 33543468 4194300 231340 1102936 104512 131772 15360 58216 34359738367
cpu_count=16 cpu_layout=cores cpu_apic_stride=1 cpu_vendor=GenuineIntel cpu_family=6 cpu_model=85
cpu_name='Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz' cpu_stepping=4 cpu_microcode=0xffffffff cpu_mhz=2394.374
cpu_cache=28160 cpu_level=21 cpu_flags=$flags_skx_hyperv cpu_tlb=''
cpu_bugs='cpu_meltdown spectre_v1 spectre_v2 spec_store_bypass l1tf mds swapgs taa itlb_multihit mmio_stale_data retbleed gds'
cpu_bogomips=4788.74 cpu_address_sizes='46 bits physical, 48 bits virtual'
cpuinfo
put proc/modules <<'EOF'
pci_hyperv 45056 0 - Live 0xffffffffc0a5e000
pci_hyperv_intf 16384 1 pci_hyperv, Live 0xffffffffc0a59000
hyperv_drm 24576 1 - Live 0xffffffffc0a4f000
drm_kms_helper 311296 3 hyperv_drm, Live 0xffffffffc0a02000
drm 622592 4 hyperv_drm,drm_kms_helper, Live 0xffffffffc0969000
hv_netvsc 98304 0 - Live 0xffffffffc0950000
hv_storvsc 24576 3 - Live 0xffffffffc0946000
scsi_transport_fc 86016 1 hv_storvsc, Live 0xffffffffc092f000
hid_hyperv 20480 0 - Live 0xffffffffc0929000
hyperv_keyboard 16384 0 - Live 0xffffffffc0924000
hv_balloon 32768 0 - Live 0xffffffffc091a000
hv_utils 45056 3 - Live 0xffffffffc090c000
EOF
kmsg <<'EOF'
5 0 0 Linux version 5.15.0-101-generic (buildd@lcy02-amd64-032) (gcc (Ubuntu 11.4.0-1ubuntu1~22.04) 11.4.0, GNU ld (GNU Binutils for Ubuntu) 2.38) #111-Ubuntu SMP Tue Mar 5 20:16:58 UTC 2024 (Ubuntu 5.15.0-101.111-generic 5.15.143)
6 1 0 Command line: BOOT_IMAGE=/vmlinuz-5.15.0-101-generic root=/dev/mapper/ubuntu--vg-ubuntu--lv ro
6 32 0 secureboot: Secure boot enabled
5 33 0 Kernel is locked down from EFI Secure Boot mode; see man kernel_lockdown.7
6 35 0 DMI: Microsoft Corporation Virtual Machine/Virtual Machine, BIOS Hyper-V UEFI Release v4.1 04/06/2022
6 36 0 Hypervisor detected: Microsoft Hyper-V
6 181 95210 Memory: 32894160K/33543468K available (16393K kernel code, 4383K rwdata, 10824K rodata, 2888K init, 5712K bss, 649308K reserved, 0K cma-reserved)
6 1263 2937451 hv_vmbus: registering driver hv_pci
6 1264 2939012 hv_pci 5fa3c9e1-7c42-4b1e-9d3a-62c4e0b8f917: PCI VMBus probing: Using version 0x10002
3 1265 2957760 hv_pci 5fa3c9e1-7c42-4b1e-9d3a-62c4e0b8f917: Need 0x402000000 of high MMIO space. Consider reconfiguring the VM.
3 1266 2958419 hv_vmbus: probe failed for device 5fa3c9e1-7c42-4b1e-9d3a-62c4e0b8f917 (-6)
EOF
kvp 3 \
    HostName HV-GPU01.corp.example.com \
    HostingSystemEditionId 8 \
    HostingSystemNestedLevel 0 \
    HostingSystemOsMajor 10 \
    HostingSystemOsMinor 0 \
    HostingSystemProcessorArchitecture 9 \
    HostingSystemProcessorIdleStateMax 0 \
    HostingSystemProcessorThrottleMax 100 \
    HostingSystemProcessorThrottleMin 100 \
    HostingSystemSpMajor 0 \
    HostingSystemSpMinor 0 \
    PhysicalHostName HV-GPU01 \
    PhysicalHostNameFullyQualified HV-GPU01.corp.example.com \
    VirtualMachineDynamicMemoryBalancingEnabled 0 \
    VirtualMachineId 8A1F3C62-0B7D-4E95-A4C8-2D6E91F05B37 \
    VirtualMachineName gpu-vm01

# ---------------------------------------------------------------------------------------------
# g. The issue's new user: ESXi 6.7 U3, VMware7,1 EFI firmware, Secure Boot off, 2 x A100 PCIe
#    40GB with pci.ids' second device ID 0x20b1, all BARs assigned in a 256 GiB 64-bit MMIO window
#    that ends at 8 TiB, nvidia 550 bound, Rocky 9.3, and only 64 GiB of memory (1.5 x 80 GB is 120).
begin esxi-2xa100-40gb-20b1-64gib
dmi sys_vendor='VMware, Inc.' product_name='VMware7,1' product_version=None \
    product_uuid=4229b7d2-6c4e-8b3a-1d72-ae95c3f8a124 \
    bios_vendor='VMware, Inc.' bios_version=VMW71.00V.13989454.B64.1906190538 bios_date=06/19/2019 \
    board_vendor='Intel Corporation' board_name='440BX Desktop Reference Platform'
efi 0
vmware_platform
vmware_port 15.0 03
vmware_port 16.0 0b mem:0xfc000000:16M mem64pref:0x7c000000000:0x1002000000
vmware_port 17.0 13 mem:0xfa000000:16M mem64pref:0x7e000000000:0x1002000000
vmware_port 18.0 1b
$gpu "$root" 0000:03:00.0 --parent 0000:00:15.0 --vendor 0x15ad --device 0x07c0 --class 0x010700 --revision 0x02 \
    --subsystem 15ad:07c0 --bar 0:io:0x4000:8 --bar 1:mem64:0xfd5f8000:32K --link 32:5.0:32:5.0 --driver vmw_pvscsi
$gpu "$root" 0000:1b:00.0 --parent 0000:00:18.0 --vendor 0x15ad --device 0x07b0 --class 0x020000 --revision 0x01 \
    --subsystem 15ad:07b0 --bar 0:mem32:0xfd3fc000:4K --bar 1:mem32:0xfd3fd000:4K --bar 2:mem32:0xfd3fe000:8K \
    --bar 3:io:0x7000:16 --link 32:5.0:32:5.0 --driver vmxnet3
$gpu "$root" 0000:0b:00.0 --parent 0000:00:16.0 --device 0x20b1 --subsystem 10de:145f \
    --bar 0:mem32:0xfc000000:16M --bar 1:mem64pref:0x7c000000000:64G --bar 3:mem64pref:0x7d000000000:32M \
    --link 16:16.0:16:16.0 --driver nvidia
$gpu "$root" 0000:13:00.0 --parent 0000:00:17.0 --device 0x20b1 --subsystem 10de:145f \
    --bar 0:mem32:0xfa000000:16M --bar 1:mem64pref:0x7e000000000:64G --bar 3:mem64pref:0x7f000000000:32M \
    --link 16:16.0:16:16.0 --driver nvidia
module_live nvidia nvidia_uvm nvidia_modeset nvidia_drm
os_release rocky-9.3
meminfo 5.14 65435364 67104244 4194300 318912 1419644 187316 224508 48640 132344 34359738367
cpu_count=16 cpu_layout=sockets cpu_apic_stride=2 cpu_vendor=GenuineIntel cpu_family=6 cpu_model=85
cpu_name='Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz' cpu_stepping=7 cpu_microcode=0x5003604 cpu_mhz=2494.140
cpu_cache=28160 cpu_level=22 cpu_flags=$flags_clx_vmware cpu_tlb=''
cpu_bugs='spectre_v1 spectre_v2 spec_store_bypass swapgs itlb_multihit mmio_stale_data retbleed eibrs_pbrsb gds'
cpu_bogomips=4988.28 cpu_address_sizes='45 bits physical, 48 bits virtual'
cpuinfo
put proc/modules <<'EOF'
nvidia_drm 118784 0 - Live 0xffffffffc1a2f000 (POE)
nvidia_modeset 1511424 1 nvidia_drm, Live 0xffffffffc1d48000 (POE)
nvidia_uvm 4911104 0 - Live 0xffffffffc2a3d000 (POE)
nvidia 61108224 2 nvidia_modeset,nvidia_uvm, Live 0xffffffffc2ee4000 (POE)
video 69632 1 nvidia_modeset, Live 0xffffffffc0c4b000
drm_kms_helper 266240 4 vmwgfx,nvidia_drm, Live 0xffffffffc0b6e000
drm 753664 8 vmwgfx,drm_ttm_helper,ttm,nvidia_drm,drm_kms_helper, Live 0xffffffffc09d1000
vmwgfx 458752 2 - Live 0xffffffffc0a63000
drm_ttm_helper 16384 1 vmwgfx, Live 0xffffffffc09c9000
ttm 110592 2 vmwgfx,drm_ttm_helper, Live 0xffffffffc09a9000
vmxnet3 77824 0 - Live 0xffffffffc0972000
vmw_pvscsi 32768 3 - Live 0xffffffffc0959000
vmw_vmci 102400 1 vmw_vsock_vmci_transport, Live 0xffffffffc0932000
vmw_vsock_vmci_transport 45056 2 - Live 0xffffffffc0924000
vsock 57344 3 vmw_vsock_vmci_transport,vmw_vsock_virtio_transport_common, Live 0xffffffffc0913000
xfs 2752512 2 - Live 0xffffffffc063b000
dm_mod 249856 9 - Live 0xffffffffc05ef000
EOF
kmsg <<'EOF'
5 0 0 Linux version 5.14.0-362.8.1.el9_3.x86_64 (mockbuild@iad1-prod-build002.bld.rockylinux.org) (gcc (GCC) 11.4.1 20230605 (Red Hat 11.4.1-2), GNU ld version 2.35.2-42.el9) #1 SMP PREEMPT_DYNAMIC Wed Nov 8 17:36:32 UTC 2023
6 1 0 Command line: BOOT_IMAGE=(hd0,gpt2)/vmlinuz-5.14.0-362.8.1.el9_3.x86_64 root=/dev/mapper/rl-root ro crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M resume=/dev/mapper/rl-swap rd.lvm.lv=rl/root rd.lvm.lv=rl/swap rd.driver.blacklist=nouveau modprobe.blacklist=nouveau
6 38 0 secureboot: Secure boot disabled
6 40 0 DMI: VMware, Inc. VMware7,1/440BX Desktop Reference Platform, BIOS VMW71.00V.13989454.B64.1906190538 06/19/2019
6 41 0 Hypervisor detected: VMware
6 92 0 Reserving 512MB of memory at 2528MB for crashkernel (System RAM: 65531MB)
6 201 112318 Memory: 65393800K/67104244K available (16384K kernel code, 4400K rwdata, 13480K rodata, 2660K init, 4344K bss, 1710444K reserved, 0K cma-reserved)
6 402 351920 ACPI: PCI Root Bridge [PCI0] (domain 0000 [bus 00-7f])
6 409 352771 pci_bus 0000:00: root bus resource [mem 0xc0000000-0xfebfffff window]
6 410 352776 pci_bus 0000:00: root bus resource [mem 0x7c000000000-0x7ffffffffff window]
6 489 368214 pci 0000:0b:00.0: [10de:20b1] type 00 class 0x030200
6 490 368602 pci 0000:0b:00.0: reg 0x10: [mem 0xfc000000-0xfcffffff]
6 491 368935 pci 0000:0b:00.0: reg 0x14: [mem 0x7c000000000-0x7cfffffffff 64bit pref]
6 492 369270 pci 0000:0b:00.0: reg 0x1c: [mem 0x7d000000000-0x7d001ffffff 64bit pref]
6 493 370512 pci 0000:0b:00.0: PME# supported from D0 D3hot
6 494 371284 pci 0000:00:16.0: PCI bridge to [bus 0b]
6 495 371312 pci 0000:00:16.0:   bridge window [mem 0xfc000000-0xfcffffff]
6 496 371340 pci 0000:00:16.0:   bridge window [mem 0x7c000000000-0x7d001ffffff 64bit pref]
6 521 379002 pci 0000:13:00.0: [10de:20b1] type 00 class 0x030200
6 522 379391 pci 0000:13:00.0: reg 0x10: [mem 0xfa000000-0xfaffffff]
6 523 379726 pci 0000:13:00.0: reg 0x14: [mem 0x7e000000000-0x7efffffffff 64bit pref]
6 524 380061 pci 0000:13:00.0: reg 0x1c: [mem 0x7f000000000-0x7f001ffffff 64bit pref]
6 525 381296 pci 0000:13:00.0: PME# supported from D0 D3hot
6 526 382067 pci 0000:00:17.0: PCI bridge to [bus 13]
6 527 382095 pci 0000:00:17.0:   bridge window [mem 0xfa000000-0xfaffffff]
6 528 382123 pci 0000:00:17.0:   bridge window [mem 0x7e000000000-0x7f001ffffff 64bit pref]
6 604 401882 pci 0000:00:15.3: BAR 13: no space for [io  size 0x1000]
6 605 401885 pci 0000:00:15.3: BAR 13: failed to assign [io  size 0x1000]
6 606 401889 pci 0000:00:15.4: BAR 13: no space for [io  size 0x1000]
6 607 401892 pci 0000:00:15.4: BAR 13: failed to assign [io  size 0x1000]
6 1344 3521730 Freeing unused kernel image (initmem) memory: 2660K
4 1702 7612409 nvidia: loading out-of-tree module taints kernel.
4 1703 7612416 nvidia: module license 'NVIDIA' taints kernel.
4 1704 7612418 Disabling lock debugging due to kernel taint
4 1705 7622950 nvidia: module verification failed: signature and/or required key missing - tainting kernel
6 1706 7688135 nvidia-nvlink: Nvlink Core is being initialized, major device number 236
6 1707 7688141 
3 1708 7874303 NVRM: loading NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 22:23:56 UTC 2024
4 1716 8031857 nvidia_uvm: module uses symbols from proprietary module nvidia, inheriting taint.
6 1717 8057340 nvidia-uvm: Loaded the UVM driver, major device number 508.
6 1719 8139516 [drm] [nvidia-drm] [GPU ID 0x00000b00] Loading driver
6 1720 8140128 [drm] Initialized nvidia-drm 0.0.0 20160202 for 0000:0b:00.0 on minor 1
6 1721 8140155 [drm] [nvidia-drm] [GPU ID 0x00001300] Loading driver
6 1722 8140703 [drm] Initialized nvidia-drm 0.0.0 20160202 for 0000:13:00.0 on minor 2
EOF

# ---------------------------------------------------------------------------------------------
