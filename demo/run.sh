#!/usr/bin/env bash
# The bundled demo: a plan and a run of guestprep on a copy of demo/root (a VMware guest's
# /etc, sysfs and procfs), with demo/ovf-env.xml as the OVF environment. Nothing outside the
# copy is touched, and no external program runs (the root is not /).
# Usage: demo/run.sh [PATH-TO-GUESTPREP]   (default: build it with scripts/build-release.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
bin=${1:-}
if [ -z "$bin" ]; then
  bin=$(scripts/build-release.sh 2>/dev/null | tail -1)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -a "$here/root" "$work/root"
source=(--source "ovf:demo/ovf-env.xml")
show() { echo; echo "\$ guestprep $*"; "$bin" "$@" || echo "(exit $?)"; }
show properties --root "$work/root" "${source[@]}"
show plan --root "$work/root" "${source[@]}"
show run --root "$work/root" "${source[@]}"
show plan --root "$work/root" "${source[@]}"
show status --root "$work/root"
echo; echo "--- $work/root/etc/hosts after the run:"; cat "$work/root/etc/hosts"
