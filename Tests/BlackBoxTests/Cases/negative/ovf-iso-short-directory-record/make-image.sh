#!/bin/sh
# Writes x.iso, the crafted OVF environment CD of issue 17 (it crashed guestprep 0.x with
# SIGILL, exit 132, in the home-made ISO 9660 reader that libarchive replaced):
#
#   genisoimage -V OVF-ENV -o x.iso DIR     DIR holding ovf-env.xml and AB.XML
#
# then the length byte of AB.XML's record in the root directory set to 33 + its name length
# (33 + 8 for "AB.XML;1": an even name length, so no padding byte, and no system-use area).
# The root directory's records are read from the primary volume descriptor (sector 16): its
# root directory record at byte 156 gives the extent (bytes 2-5, little-endian) and the size
# (bytes 10-13). Needs genisoimage and python3. -no-pad keeps the image small.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/dir"
cat >"$work/dir/ovf-env.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<Environment xmlns="http://schemas.dmtf.org/ovf/environment/1" xmlns:oe="http://schemas.dmtf.org/ovf/environment/1">
  <PropertySection>
    <Property oe:key="guestinfo.bitfusion.host.hostname" oe:value="bf-crafted"/>
  </PropertySection>
</Environment>
XML
printf 'x\n' >"$work/dir/AB.XML"
genisoimage -quiet -no-pad -V OVF-ENV -o "$work/x.iso" "$work/dir"
python3 - "$work/x.iso" "$here/x.iso" <<'PY'
import sys
image = bytearray(open(sys.argv[1], "rb").read())
pvd = 16 * 2048
extent = int.from_bytes(image[pvd + 158:pvd + 162], "little") * 2048
size = int.from_bytes(image[pvd + 166:pvd + 170], "little")
position = extent
while position < extent + size and image[position] != 0:
    length, name_length = image[position], image[position + 32]
    if image[position + 33:position + 33 + name_length] == b"AB.XML;1":
        image[position] = 33 + name_length
        break
    position += length
else:
    sys.exit("AB.XML;1 not found in the root directory")
open(sys.argv[2], "wb").write(image)
PY
