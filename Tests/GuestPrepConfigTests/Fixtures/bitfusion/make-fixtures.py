#!/usr/bin/env python3
"""Writes the Bitfusion token archive fixtures of TokenArchiveDecoderTests and
ArchiveReaderTests into this folder.

Run it from anywhere (python3 make-fixtures.py); it writes the same bytes every time
(fixed mtimes, no host names or user names), so a rerun changes nothing in git.
"""
import gzip
import io
import os
import tarfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
MTIME = 1700000000

# A self-signed test CA made for these fixtures (openssl req -x509, EC P-256); not a real CA.
CA_CRT = b"""-----BEGIN CERTIFICATE-----
MIIBpDCCAUmgAwIBAgIUeQP85ixewx2d4rOfKo/fZKV6cVQwCgYIKoZIzj0EAwIw
JjEkMCIGA1UEAwwbZ3Vlc3RwcmVwIHRlc3QgQml0ZnVzaW9uIENBMCAXDTI2MTEy
MTE0MzgwNloYDzIxMjYxMDI4MTQzODA2WjAmMSQwIgYDVQQDDBtndWVzdHByZXAg
dGVzdCBCaXRmdXNpb24gQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATkI1rC
OFV4sAcslK2Vvos+BtJQ22UCO8Jbc72l8gWLTdzM4QcchsvawQtGAdkbM0GQ//7g
qLGy8Vp/sTbTeoKOo1MwUTAdBgNVHQ4EFgQU8IxeTSFqv33THXv5OzobNc1FRIkw
HwYDVR0jBBgwFoAU8IxeTSFqv33THXv5OzobNc1FRIkwDwYDVR0TAQH/BAUwAwEB
/zAKBggqhkjOPQQDAgNJADBGAiEAs+KujytJoUh9CPVYpHjgYoeNhvmu09KKsYPT
NikRXQACIQCFjN3WjYCE3RTdEiekea2zAIRPJJt4/mNQ7r0pkJjo3Q==
-----END CERTIFICATE-----
"""

# A stand-in credential; the tests check that no error message ever contains it.
CLIENT_YAML = b"""client:
  id: 5c6f0e6a-guestprep-test
  token: SECRET-CLIENT-TOKEN-7f3a9c1e2b
"""

SERVERS_YAML = b"""servers:
  - addresses:
      - 172.31.51.20:56001
      - 10.0.0.5:56001
  - addresses:
      - 172.31.51.26:56003
"""

SERVERS_LINES = b"""# Bitfusion servers
172.31.51.20
172.31.51.26:56003
172.31.51.42 56003
"""

TOKEN = [("ca.crt", CA_CRT), ("client.yaml", CLIENT_YAML), ("servers.conf", SERVERS_YAML)]


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def tar_bytes(members, fmt=tarfile.PAX_FORMAT, folders=()):
    """members: (name, bytes) for files, or (name, TarInfo type, linkname)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=fmt) as tar:
        for folder in folders:
            info = tarfile.TarInfo(folder)
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            info.mtime = MTIME
            tar.addfile(info)
        for member in members:
            info = tarfile.TarInfo(member[0])
            info.mtime = MTIME
            info.mode = 0o644
            if len(member) == 2:
                info.size = len(member[1])
                tar.addfile(info, io.BytesIO(member[1]))
            else:
                info.type = member[1]
                info.linkname = member[2]
                tar.addfile(info)
    return buffer.getvalue()


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=MTIME)


def zip_bytes(members, method=zipfile.ZIP_DEFLATED):
    """members: (name, bytes) for files, or (name, mode, bytes) with a Unix mode."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for member in members:
            info = zipfile.ZipInfo(member[0], date_time=(2023, 11, 14, 22, 13, 20))
            info.compress_type = method
            info.create_system = 3
            if len(member) == 2:
                info.external_attr = 0o100644 << 16
                archive.writestr(info, member[1])
            else:
                info.external_attr = member[1] << 16
                archive.writestr(info, member[2])
    return buffer.getvalue()


def main():
    folder = "bitfusion-client-token"

    # Token archives.
    write("client-token.tar.gz",
          gz(tar_bytes([(folder + "/" + n, d) for n, d in TOKEN], folders=[folder])))
    write("client-token.tar",
          tar_bytes([(n, d) for n, d in TOKEN], fmt=tarfile.USTAR_FORMAT))
    write("client-token.zip",
          zip_bytes([(folder + "/ca.crt", CA_CRT), (folder + "/client.yaml", CLIENT_YAML),
                     (folder + "/servers.conf", SERVERS_LINES)]))
    write("client-token-stored.zip", zip_bytes(TOKEN, method=zipfile.ZIP_STORED))

    good = gz(tar_bytes([(folder + "/" + n, d) for n, d in TOKEN], folders=[folder]))
    write("truncated.tar.gz", good[: len(good) // 2])
    write("missing-servers.tar.gz", gz(tar_bytes(TOKEN[:2], folders=[])))
    write("two-ca.tar.gz", gz(tar_bytes(
        [("a/ca.crt", CA_CRT), ("b/ca.crt", CA_CRT), ("a/client.yaml", CLIENT_YAML),
         ("a/servers.conf", SERVERS_YAML)])))
    write("symlink-client.tar.gz", gz(tar_bytes(
        [("ca.crt", CA_CRT), ("client.yaml", tarfile.SYMTYPE, "/etc/shadow"), ("servers.conf", SERVERS_YAML)])))
    write("traversal.tar", tar_bytes([("../etc/passwd", b"root:x:0:0::/root:/bin/sh\n")]))
    write("absolute.tar", tar_bytes([("/etc/passwd", b"root:x:0:0::/root:/bin/sh\n")], fmt=tarfile.GNU_FORMAT))
    write("hardlink.tar", tar_bytes([("ca.crt", CA_CRT), ("copy.crt", tarfile.LNKTYPE, "ca.crt")]))
    write("symlink.zip", zip_bytes([("ca.crt", CA_CRT), ("client.yaml", 0o120777, b"/etc/shadow")]))

    # Long names: a ustar prefix, a GNU 'L' entry, a pax 'path' record.
    long_dir = "bitfusion-client-token-" + "x" * 70 + "/nested-" + "y" * 40
    write("long-ustar.tar", tar_bytes([(long_dir + "/ca.crt", CA_CRT)], fmt=tarfile.USTAR_FORMAT))
    write("long-gnu.tar", tar_bytes([(long_dir + "/" + "z" * 120 + ".crt", CA_CRT)], fmt=tarfile.GNU_FORMAT))
    write("long-pax.tar", tar_bytes([(long_dir + "/" + "z" * 120 + ".crt", CA_CRT)], fmt=tarfile.PAX_FORMAT))

    # The size field in GNU base-256 instead of octal, checksum recomputed.
    plain = bytearray(tar_bytes([("servers.conf", SERVERS_LINES)], fmt=tarfile.GNU_FORMAT))
    plain[124:136] = b"\x80" + len(SERVERS_LINES).to_bytes(11, "big")
    plain[148:156] = b"        "
    plain[148:156] = b"%06o\x00 " % sum(plain[0:512])
    write("base256-size.tar", bytes(plain))

    # Decompression bombs: 17 MiB of zeros, past the 16 MiB limit.
    zeros = bytes(17 << 20)
    write("bomb.zip", zip_bytes([("client.yaml", zeros)]))
    write("bomb.tar.gz", gz(tar_bytes([("ca.crt", zeros)], fmt=tarfile.USTAR_FORMAT)))
    # and 17 members of 1 MiB each (each within the member limit), with the token's three.
    parts = [("token/part%02d.bin" % n, bytes(1 << 20)) for n in range(17)]
    write("bomb-members.tar.gz",
          gz(tar_bytes([("token/" + n, d) for n, d in TOKEN] + parts, fmt=tarfile.USTAR_FORMAT)))

    # gzip that holds text, not a tar archive.
    write("not-tar.gz", gz(b"a gzip member that holds text, not a tar archive\n"))

    # A zip member whose CRC-32 does not match its data.
    bad = bytearray(zip_bytes(TOKEN, method=zipfile.ZIP_STORED))
    local_crc = 14  # the CRC-32 in the first local file header (PK\x03\x04)
    central = bad.index(b"PK\x01\x02") + 16  # and in its central directory entry
    for offset in (local_crc, central):
        bad[offset] ^= 0xFF
    write("bad-crc.zip", bytes(bad))


if __name__ == "__main__":
    main()
