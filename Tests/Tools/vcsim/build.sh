#!/usr/bin/env bash
# Builds vcsim-lite, a vCenter (VPX) simulator, from Debian's govmomi sources (src/vcsim-lite,
# beside this script).
# Usage: build.sh [OUTPUT_DIR]   (default: /tmp/vcsim-lite)
# Installs golang-go and golang-github-vmware-govmomi-dev with apt-get when they are missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-/tmp/vcsim-lite}
mkdir -p "$out"
if ! command -v go >/dev/null || [ ! -d /usr/share/gocode/src/github.com/vmware/govmomi/simulator ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq golang-go golang-github-vmware-govmomi-dev >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src"
cp -r "$here/src/vcsim-lite" "$work/src/"
# GOPATH mode: the simulator sources come from Debian's /usr/share/gocode.
cd "$work/src/vcsim-lite"
GO111MODULE=off GOPATH="$work:/usr/share/gocode" GOCACHE="${GOCACHE:-$out/gocache}" \
  go build -ldflags="-s -w" -o "$out/vcsim-lite" .
echo "$out/vcsim-lite"
