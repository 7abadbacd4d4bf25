#!/usr/bin/env bash
# Adds a NIC to a fixture root's sysfs the way the kernel lays it out, with real symlinks.
# On PCI (LOCATION is a PCI address such as 0000:0b:00.0):
#   /sys/class/net/NAME -> ../../devices/pci0000:00/0000:00:15.0/PCI/net/NAME
#   …/net/NAME/{address,type}, …/net/NAME/device -> ../../../PCI
#   …/PCI/driver -> ../../../../bus/pci/drivers/DRIVER, /sys/bus/pci/devices/PCI -> …/PCI
# On Hyper-V's VMBus (LOCATION is vmbus:INSTANCE-GUID:RELID, DRIVER normally hv_netvsc):
#   /sys/class/net/NAME -> ../../devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0004:00/VMBUS:00/GUID/net/NAME
#   …/GUID/{class_id,device_id,id} (the synthetic network adapter class, the instance, the relid)
#   …/GUID/driver -> ../../../../../../bus/vmbus/drivers/DRIVER
# Usage: scripts/fixture-nic.sh ROOT NAME MAC LOCATION DRIVER
set -euo pipefail
[ $# -eq 5 ] || { echo "usage: $0 ROOT NAME MAC PCI-ADDRESS|vmbus:GUID:RELID DRIVER" >&2; exit 2; }
root=$1 name=$2 mac=$3 location=$4 driver=$5
mkdir -p "$root/sys/class/net"
case $location in
vmbus:*:*)
    rest=${location#vmbus:}
    guid=${rest%%:*} relid=${rest#*:}
    device_dir=sys/devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0004:00/VMBUS:00/$guid
    mkdir -p "$root/$device_dir/net/$name"
    printf '{f8615163-df3e-46c5-913f-f2d2f965ed0e}\n' >"$root/$device_dir/class_id"
    printf '{%s}\n' "$guid" >"$root/$device_dir/device_id"
    printf '%s\n' "$relid" >"$root/$device_dir/id"
    ln -sfn ../../../../../../bus/vmbus/drivers/"$driver" "$root/$device_dir/driver"
    ln -sfn ../../../"$guid" "$root/$device_dir/net/$name/device"
    ;;
*)
    pci=$location
    device_dir=sys/devices/pci0000:00/0000:00:15.0/$pci
    mkdir -p "$root/$device_dir/net/$name" "$root/sys/bus/pci/devices"
    ln -sfn ../../../"$pci" "$root/$device_dir/net/$name/device"
    ln -sfn ../../../../bus/pci/drivers/"$driver" "$root/$device_dir/driver"
    printf '0x15ad\n' >"$root/$device_dir/vendor"
    ln -sfn ../../../devices/pci0000:00/0000:00:15.0/"$pci" "$root/sys/bus/pci/devices/$pci"
    ;;
esac
printf '%s\n' "$mac" >"$root/$device_dir/net/$name/address"
printf '1\n' >"$root/$device_dir/net/$name/type"
ln -sfn ../../"${device_dir#sys/}"/net/"$name" "$root/sys/class/net/$name"
