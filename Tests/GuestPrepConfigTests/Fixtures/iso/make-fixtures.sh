#!/bin/sh
# Writes the ISO 9660 fixtures of ArchiveReaderTests and OVFProviderTests into this folder,
# each an OVF environment CD-ROM as a hypervisor makes one (volume label OVF-ENV) holding
# ovf-env.xml (the copy beside this script) and README.TXT:
#
#   ovf-plain.iso      plain ISO 9660 names (genisoimage without -J or -R: OVF_ENV.XML;1)
#   ovf-joliet.iso     a Joliet supplementary volume descriptor (-J): UCS-2 names
#   ovf-rockridge.iso  Rock Ridge NM entries (-R), with a name longer than ISO 9660 allows
#   ovf-joliet-rr.iso  both (-J -R), as VMware's OVF ISO transport writes it
#   ovf-xorriso.iso    the same made by xorriso's mkisofs emulation (-J -R)
#
# Needs genisoimage and xorriso (apt-get install genisoimage xorriso). -no-pad keeps each image
# small (no 300 KiB of trailing zeros); file times are fixed, the volume dates are the time of
# the run (so a rerun changes the images' bytes, not what the tests read from them).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/content"
cp "$here/ovf-env.xml" "$work/content/ovf-env.xml"
printf 'OVF environment CD\n' >"$work/content/README.TXT"
cp "$work/content/README.TXT" "$work/content/rock-ridge-keeps-this-long-Mixed-Case-name.txt"
touch -d @1700000000 "$work/content"/*

genisoimage -quiet -no-pad -V OVF-ENV -o "$here/ovf-plain.iso" -m '*.txt' "$work/content"
genisoimage -quiet -no-pad -V OVF-ENV -J -o "$here/ovf-joliet.iso" -m '*.txt' "$work/content"
genisoimage -quiet -no-pad -V OVF-ENV -R -o "$here/ovf-rockridge.iso" "$work/content"
genisoimage -quiet -no-pad -V OVF-ENV -J -R -o "$here/ovf-joliet-rr.iso" -m '*.txt' "$work/content"
xorriso -as mkisofs -quiet -no-pad -V OVF-ENV -J -R -o "$here/ovf-xorriso.iso" -m '*.txt' "$work/content" 2>/dev/null
