#!/usr/bin/env bash
# Adds a NIC to a fixture root's sysfs the way the kernel lays it out, with real symlinks:
#   /sys/class/net/NAME -> ../../devices/pci0000:00/0000:00:15.0/PCI/net/NAME
#   …/net/NAME/{address,type}, …/net/NAME/device -> ../../../PCI
#   …/PCI/driver -> ../../../../bus/pci/drivers/DRIVER, /sys/bus/pci/devices/PCI -> …/PCI
# Usage: scripts/fixture-nic.sh ROOT NAME MAC PCI-ADDRESS DRIVER
set -euo pipefail
[ $# -eq 5 ] || { echo "usage: $0 ROOT NAME MAC PCI-ADDRESS DRIVER" >&2; exit 2; }
root=$1 name=$2 mac=$3 pci=$4 driver=$5
function_dir=sys/devices/pci0000:00/0000:00:15.0/$pci
mkdir -p "$root/$function_dir/net/$name" "$root/sys/class/net" "$root/sys/bus/pci/devices"
printf '%s\n' "$mac" >"$root/$function_dir/net/$name/address"
printf '1\n' >"$root/$function_dir/net/$name/type"
ln -sfn ../../../"$pci" "$root/$function_dir/net/$name/device"
ln -sfn ../../../../bus/pci/drivers/"$driver" "$root/$function_dir/driver"
printf '0x15ad\n' >"$root/$function_dir/vendor"
ln -sfn ../../devices/pci0000:00/0000:00:15.0/"$pci"/net/"$name" "$root/sys/class/net/$name"
ln -sfn ../../../devices/pci0000:00/0000:00:15.0/"$pci" "$root/sys/bus/pci/devices/$pci"
