#!/usr/bin/env bash
# run.sh [DEB]: the real-boot tests, one after the other: the package's install and removal
# (Tests/package/test-deb.sh), the container boots (container.sh) and the VM boots (vm.sh).
# Without DEB it builds the package first (scripts/build-deb.sh, which builds the release
# binary). The debootstrapped Debian 12 root is cached in ${GUESTPREP_E2E_CACHE:-/var/cache/guestprep-e2e}
# (about 100 s the first time). GUESTPREP_E2E_SKIP_VM=1 leaves out the VM boots.
# Exit 0 when every test passed, 77 when all of them skipped (not root, a tool missing; each
# says why), 1 otherwise.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
if [ $# -ge 1 ]; then
    deb=$1
else
    deb=$("$repo/scripts/build-deb.sh" | tail -1) || { echo "e2e: building the package failed" >&2; exit 1; }
fi
tests=("$repo/Tests/package/test-deb.sh" "$here/container.sh")
[ -n "${GUESTPREP_E2E_SKIP_VM:-}" ] || tests+=("$here/vm.sh")
failed=0
passed=0
for test in "${tests[@]}"; do
    name=${test#"$repo"/}
    echo "== $name"
    started=$SECONDS
    bash "$test" "$deb"
    status=$?
    case $status in
        0) passed=$((passed + 1)); echo "== $name: passed in $((SECONDS - started)) s" ;;
        77) echo "== $name: skipped" ;;
        *) failed=$((failed + 1)); echo "== $name: FAILED (exit $status) after $((SECONDS - started)) s" ;;
    esac
done
if [ "$failed" -ne 0 ]; then exit 1; fi
if [ "$passed" -eq 0 ]; then exit 77; fi
exit 0
