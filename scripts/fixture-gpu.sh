#!/usr/bin/env bash
# Adds one PCI function to a fixture root's sysfs the way the kernel lays it out, with real
# symlinks. For a function ADDRESS (0000:0b:00.0) behind a parent bridge (default 0000:00:15.0,
# `--parent root` for a function on the root bus itself) it writes:
#   sys/devices/pciDDDD:00/PARENT/ADDRESS/
#     vendor device class revision subsystem_vendor subsystem_device   ("0x10de\n" ...)
#     resource  one "0x%016x 0x%016x 0x%016x" line (start end flags) per resource, as a distro
#               kernel (CONFIG_PCI_IOV=y) prints it: 13 lines for an endpoint (BAR0-5, ROM, six
#               SR-IOV BARs), 17 for a bridge (plus its four windows); a BAR the kernel could not
#               assign, the upper half of a 64-bit BAR and an absent BAR are all-zero lines
#     config    256 bytes of configuration space, little-endian: IDs, command, status, revision,
#               class, header type, BARs with their type bits (and the programmed address, or
#               only the type bits when unassigned), subsystem IDs, expansion ROM, capability
#               list (Power Management, MSI, PCI Express with Link Capabilities/Status matching
#               the link options); a bridge gets a type 1 header (bus numbers, windows)
#     enable modalias uevent numa_node; for PCI Express functions current_link_width,
#     max_link_width, current_link_speed, max_link_speed ("8.0 GT/s PCIe")
#     driver -> ../../../../bus/pci/drivers/DRIVER (the ../ count follows the depth), with the
#     driver's directory (bind, unbind) but not the kernel's link back to the function: SwiftPM
#     walks Tests/ following symlinks, excluded folders included, and the back-links (port →
#     driver → its other ports → their children → ...) make cycles that branch, which took
#     swift build to 24 GB and the OOM killer
#   sys/bus/pci/devices/ADDRESS -> ../../../devices/pciDDDD:00/PARENT/ADDRESS
# With --hyperv GUID the function sits on the PCI bus hv_pci creates under the VMBus device
# instead: sys/devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0004:00/VMBUS:00/GUID/pciDDDD:00/ADDRESS.
#
# Usage: scripts/fixture-gpu.sh ROOT ADDRESS --device 0xDDDD [options]
#   --vendor 0x10de           vendor ID (default 0x10de)
#   --device 0x20b5           device ID (required)
#   --class 0x030200          class code (default 0x030200, a 3D controller; 0x030000 VGA,
#                             0x068000 NVSwitch, 0x060400 PCI bridge)
#   --revision 0xa1           revision ID (default 0xa1)
#   --subsystem 10de:1533     subsystem vendor:device (default 0000:0000)
#   --parent 0000:00:16.0     parent bridge, or "root" (default 0000:00:15.0)
#   --hyperv GUID             the VMBus instance of hv_pci's bus (replaces --parent)
#   --bar I:TYPE:ADDR:SIZE    a BAR: index 0-5, TYPE mem32 mem32pref mem64 mem64pref io,
#                             ADDR hex or "unassigned", SIZE with K/M/G/T suffix (16M, 128G);
#                             repeat for each BAR
#   --rom ADDR:SIZE           expansion ROM (default none)
#   --window TYPE:ADDR:SIZE   a bridge window: io, mem or mem64pref (bridges only)
#   --bus SECONDARY:SUBORDINATE   a bridge's bus numbers, hex (bridges only)
#   --link CW:CS:MW:MS        PCI Express link: current width, current GT/s, max width, max
#                             GT/s (16:8.0:16:8.0); without it the function is conventional PCI
#   --caps PM,MSI,EXP         capability offsets, hex (default 60,68,78; Hopper 40,48,60)
#   --numa-node N             numa_node (default -1, as in most VMs)
#   --driver NAME             bind to DRIVER (enable 1, command Mem+ BusMaster+ DisINTx+)
#   --multifunction           set bit 7 of the header type
set -euo pipefail
usage() {
    echo "usage: $0 ROOT ADDRESS --device 0xDDDD [--vendor 0xVVVV] [--class 0xCCCCCC] [--revision 0xRR]" \
        "[--subsystem VVVV:DDDD] [--parent ADDRESS|root | --hyperv GUID] [--bar I:TYPE:ADDR|unassigned:SIZE]..." \
        "[--rom ADDR:SIZE] [--window TYPE:ADDR:SIZE]... [--bus SEC:SUB] [--link CW:CS:MW:MS] [--caps PM,MSI,EXP]" \
        "[--numa-node N] [--driver NAME] [--multifunction]" >&2
    exit 2
}
[ $# -ge 2 ] || usage
root=$1 address=$2
shift 2
vendor=0x10de device='' class=0x030200 revision=0xa1 subsystem=0000:0000 parent=0000:00:15.0 hyperv=''
rom='' bus='' link='' caps=60,68,78 numa=-1 driver='' multifunction=0
bars=() windows=()
while [ $# -gt 0 ]; do
    [ $# -ge 2 ] || [ "$1" = --multifunction ] || usage
    case $1 in
    --vendor) vendor=$2 ;;
    --device) device=$2 ;;
    --class) class=$2 ;;
    --revision) revision=$2 ;;
    --subsystem) subsystem=$2 ;;
    --parent) parent=$2 ;;
    --hyperv) hyperv=$2 ;;
    --bar) bars+=("$2") ;;
    --rom) rom=$2 ;;
    --window) windows+=("$2") ;;
    --bus) bus=$2 ;;
    --link) link=$2 ;;
    --caps) caps=$2 ;;
    --numa-node) numa=$2 ;;
    --driver) driver=$2 ;;
    --multifunction) multifunction=1; shift; continue ;;
    *) usage ;;
    esac
    shift 2
done
[ -n "$device" ] || usage
[[ $address =~ ^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$ ]] || {
    echo "$0: $address is not a PCI address (DDDD:BB:SS.F, lower-case hex)" >&2
    exit 2
}
domain=${BASH_REMATCH[1]} busno=$((16#${BASH_REMATCH[2]}))

# SIZE with a K/M/G/T suffix, or plain bytes → bytes.
bytes() {
    local n=${1%[KMGT]} unit=${1##*[0-9]}
    case $unit in
    K) echo $((n << 10)) ;; M) echo $((n << 20)) ;; G) echo $((n << 30)) ;; T) echo $((n << 40)) ;;
    '') echo $((n)) ;;
    *) echo "$0: bad size $1" >&2; exit 2 ;;
    esac
}

if [ -n "$hyperv" ]; then
    device_dir=sys/devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0004:00/VMBUS:00/$hyperv/pci$domain:00/$address
elif [ "$parent" = root ]; then
    device_dir=sys/devices/pci$domain:00/$address
else
    device_dir=sys/devices/pci$domain:00/$parent/$address
fi
dir=$root/$device_dir
mkdir -p "$dir" "$root/sys/bus/pci/devices"

is_bridge=0
case $class in 0x0604*) is_bridge=1 ;; esac

# Resources, indexed as the kernel does: 0-5 BARs, 6 ROM, 7-12 SR-IOV BARs, 13-16 bridge windows.
declare -a rstart rend rflags
nres=13
[ $is_bridge = 1 ] && nres=17
for ((i = 0; i < nres; i++)); do rstart[i]=0 rend[i]=0 rflags[i]=0; done
declare -a cfg
for ((i = 0; i < 256; i++)); do cfg[i]=0; done
put8() { cfg[$1]=$(($2 & 0xff)); }
put16() { put8 "$1" "$2"; put8 $(($1 + 1)) $(($2 >> 8)); }
put32() { put16 "$1" $(($2 & 0xffff)); put16 $(($1 + 2)) $((($2 >> 16) & 0xffff)); }

has_mem=0 has_io=0
for spec in "${bars[@]}"; do
    IFS=: read -r index type addr size <<<"$spec"
    [[ $index =~ ^[0-5]$ ]] || { echo "$0: bad BAR index in $spec" >&2; exit 2; }
    [ $is_bridge = 0 ] || [ "$index" -le 1 ] || { echo "$0: a bridge has BARs 0 and 1 only ($spec)" >&2; exit 2; }
    size=$(bytes "$size")
    # Type bits in the register, and the kernel's IORESOURCE flags (MEM 0x200, IO 0x100,
    # PREFETCH 0x2000, MEM_64 0x100000, SIZEALIGN 0x40000, plus the register's low bits).
    case $type in
    mem32) bits=0x0 flags=0x40200 ;;
    mem32pref) bits=0x8 flags=0x42208 ;;
    mem64) bits=0x4 flags=0x140204 ;;
    mem64pref) bits=0xc flags=0x14220c ;;
    io) bits=0x1 flags=0x40101 ;;
    *) echo "$0: bad BAR type in $spec" >&2; exit 2 ;;
    esac
    offset=$((0x10 + 4 * index))
    if [ "$addr" = unassigned ]; then
        put32 $offset $((bits))
    else
        addr=$((addr))
        rstart[index]=$addr rend[index]=$((addr + size - 1)) rflags[index]=$((flags))
        if [ "$type" = io ]; then
            put32 $offset $(((addr & 0xfffffffc) | bits)); has_io=1
        else
            put32 $offset $(((addr & 0xfffffff0) | bits)); has_mem=1
        fi
        case $type in mem64*) put32 $((offset + 4)) $((addr >> 32)) ;; esac
    fi
done
if [ -n "$rom" ]; then
    IFS=: read -r addr size <<<"$rom"
    size=$(bytes "$size") addr=$((addr))
    rstart[6]=$addr rend[6]=$((addr + size - 1)) rflags[6]=$((0x46200))
    put32 $([ $is_bridge = 1 ] && echo $((0x38)) || echo $((0x30))) $((addr & 0xfffff800))
fi
for spec in "${windows[@]}"; do
    [ $is_bridge = 1 ] || { echo "$0: --window is for bridges" >&2; exit 2; }
    IFS=: read -r type addr size <<<"$spec"
    size=$(bytes "$size") addr=$((addr)) last=$((addr + size - 1))
    case $type in
    io)
        rstart[13]=$addr rend[13]=$last rflags[13]=$((0x101))
        put8 0x1c $(((addr >> 8) & 0xf0 | 1)); put8 0x1d $(((last >> 8) & 0xf0 | 1))
        put16 0x30 $((addr >> 16)); put16 0x32 $((last >> 16)) ;;
    mem)
        rstart[14]=$addr rend[14]=$last rflags[14]=$((0x200))
        put16 0x20 $(((addr >> 16) & 0xfff0)); put16 0x22 $(((last >> 16) & 0xfff0)) ;;
    mem64pref)
        rstart[15]=$addr rend[15]=$last rflags[15]=$((0x102201))
        put16 0x24 $(((addr >> 16) & 0xfff0 | 1)); put16 0x26 $(((last >> 16) & 0xfff0 | 1))
        put32 0x28 $((addr >> 32)); put32 0x2c $((last >> 32)) ;;
    *) echo "$0: bad window type in $spec" >&2; exit 2 ;;
    esac
done
if [ $is_bridge = 1 ]; then
    put8 0x18 $busno
    if [ -n "$bus" ]; then
        IFS=: read -r secondary subordinate <<<"$bus"
        put8 0x19 $((16#$secondary)); put8 0x1a $((16#$subordinate))
    fi
fi
{
    for ((i = 0; i < nres; i++)); do
        printf '0x%016x 0x%016x 0x%016x\n' "${rstart[i]}" "${rend[i]}" "${rflags[i]}"
    done
} >"$dir/resource"

# Header.
ssv=$((16#${subsystem%%:*})) ssd=$((16#${subsystem##*:}))
put16 0x00 $((vendor)); put16 0x02 $((device))
if [ -n "$driver" ]; then
    command=$((0x0006 | has_io | 0x0400)) # Mem+ BusMaster+ (I/O+ when it has an I/O BAR) DisINTx+
else
    command=$(((has_mem << 1) | has_io)) # what the firmware left enabled
fi
put16 0x04 $command
put8 0x08 $((revision)); put8 0x09 $((class & 0xff)); put8 0x0a $(((class >> 8) & 0xff)); put8 0x0b $((class >> 16))
put8 0x0e $((is_bridge | multifunction << 7))
if [ $is_bridge = 0 ]; then put16 0x2c $ssv; put16 0x2e $ssd; fi
put8 0x3c $([ -n "$driver" ] && echo 0x0b || echo 0xff); put8 0x3d 1
if [ -n "$link" ]; then
    IFS=: read -r cur_width cur_speed max_width max_speed <<<"$link"
    gen() {
        case $1 in
        2.5) echo 1 ;; 5.0) echo 2 ;; 8.0) echo 3 ;; 16.0) echo 4 ;; 32.0) echo 5 ;; 64.0) echo 6 ;;
        *) echo "$0: bad link speed $1 (2.5 5.0 8.0 16.0 32.0 64.0)" >&2; exit 2 ;;
        esac
    }
    IFS=, read -r pm msi exp <<<"$caps"
    pm=$((16#$pm)) msi=$((16#$msi)) exp=$((16#$exp))
    put16 0x06 0x0010                                  # status: capability list
    put8 0x34 $pm
    put8 $pm 0x01; put8 $((pm + 1)) $msi; put16 $((pm + 2)) 0x0003; put16 $((pm + 4)) 0x0008
    msi_control=0x0080                                 # 64-bit capable
    [ -z "$driver" ] || msi_control=0x0081             # enabled by the bound driver
    put8 $msi 0x05; put8 $((msi + 1)) $exp; put16 $((msi + 2)) $msi_control
    put8 $exp 0x10; put8 $((exp + 1)) 0x00
    put16 $((exp + 2)) $([ $is_bridge = 1 ] && echo 0x0042 || echo 0x0002)  # v2: root port / endpoint
    put32 $((exp + 0x0c)) $(($(gen "$max_speed") | max_width << 4))        # Link Capabilities
    put16 $((exp + 0x12)) $(($(gen "$cur_speed") | cur_width << 4))        # Link Status
    printf '%s\n' "$cur_width" >"$dir/current_link_width"
    printf '%s\n' "$max_width" >"$dir/max_link_width"
    printf '%s GT/s PCIe\n' "$cur_speed" >"$dir/current_link_speed"
    printf '%s GT/s PCIe\n' "$max_speed" >"$dir/max_link_speed"
fi
printf "$(printf '\\x%02x' "${cfg[@]}")" >"$dir/config"

# Attributes.
printf '0x%04x\n' $((vendor)) >"$dir/vendor"
printf '0x%04x\n' $((device)) >"$dir/device"
printf '0x%06x\n' $((class)) >"$dir/class"
printf '0x%02x\n' $((revision)) >"$dir/revision"
printf '0x%04x\n' $ssv >"$dir/subsystem_vendor"
printf '0x%04x\n' $ssd >"$dir/subsystem_device"
printf '%s\n' "$numa" >"$dir/numa_node"
printf '%s\n' "$([ -n "$driver" ] && echo 1 || echo 0)" >"$dir/enable"
modalias=$(printf 'pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X' $((vendor)) $((device)) $ssv $ssd \
    $((class >> 16)) $(((class >> 8) & 0xff)) $((class & 0xff)))
printf '%s\n' "$modalias" >"$dir/modalias"
{
    [ -z "$driver" ] || printf 'DRIVER=%s\n' "$driver"
    printf 'PCI_CLASS=%X\nPCI_ID=%04X:%04X\nPCI_SUBSYS_ID=%04X:%04X\nPCI_SLOT_NAME=%s\nMODALIAS=%s\n' \
        $((class)) $((vendor)) $((device)) $ssv $ssd "$address" "$modalias"
} >"$dir/uevent"

# Links: the driver (relative, one ../ per component below sys/) and the bus's device list.
up=$(printf '../%.0s' $(seq $(($(tr -cd / <<<"$device_dir" | wc -c)))))
if [ -n "$driver" ]; then
    mkdir -p "$root/sys/bus/pci/drivers/$driver"
    : >"$root/sys/bus/pci/drivers/$driver/bind"
    : >"$root/sys/bus/pci/drivers/$driver/unbind"
    ln -sfn "$up"bus/pci/drivers/"$driver" "$dir/driver"
else
    rm -f "$dir/driver"
fi
ln -sfn ../../../"${device_dir#sys/}" "$root/sys/bus/pci/devices/$address"
