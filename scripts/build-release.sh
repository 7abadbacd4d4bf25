#!/usr/bin/env bash
# Builds the release binary and prints its path on the last line of stdout. It is a
# position-independent executable, as swiftc links one on Linux (`readelf -h` says DYN), so
# the kernel loads it at a random address: ASLR for a root agent that reads untrusted input.
#
# The Swift runtime is linked statically (--static-swift-stdlib), and so is the C++ runtime it
# needs: Swift's static-stdlib-args.lnk asks for `-lstdc++`, which would load libstdc++.so and
# relocate it at every start (about 0.7 ms of the early stage, bench/run.sh). A search directory
# holding only a link to the toolchain's libstdc++.a, given to swiftc with -L, comes before the
# GCC directory in the linker's search order, so `-lstdc++` finds the archive. Where the
# toolchain has no libstdc++.a, the binary links libstdc++.so as before, and this says so.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
static_cxx=.build/static-libstdc++
archive=$(clang -print-file-name=libstdc++.a 2>/dev/null || true)
mkdir -p "$static_cxx"
if [ -n "$archive" ] && [ -f "$archive" ]; then
  ln -sfn "$archive" "$static_cxx/libstdc++.a"
else
  rm -f "$static_cxx/libstdc++.a"
  echo "build-release: no libstdc++.a in the toolchain (install libstdc++-12-dev): linking libstdc++.so" >&2
fi
flags=(-c release --static-swift-stdlib -Xswiftc -L -Xswiftc "$PWD/$static_cxx")
swift build "${flags[@]}" >&2
bin="$(swift build "${flags[@]}" --show-bin-path)/guestprep"
if ! readelf -h "$bin" | grep -q 'Type: *DYN'; then
  echo "build-release: $bin is not a position-independent executable (readelf -h: $(readelf -h "$bin" | sed -n 's/ *Type: *//p'))" >&2
  exit 1
fi
if readelf -d "$bin" | grep -q 'NEEDED.*libstdc++'; then
  echo "build-release: $bin needs libstdc++.so" >&2
fi
echo "$bin"
