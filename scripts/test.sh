#!/usr/bin/env bash
# The whole test suite: unit and black-box tests (swift test), then the systemd units through
# systemd-analyze verify. Tests that need root or a tool say why they skip.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
swift build --build-tests
swift test --skip-build 2>&1 | tee .build/test.log
# swift test exits non-zero on a failure; also refuse a run that executed no test at all.
grep -Eq "Test run with [1-9][0-9]* tests? .*passed|Executed [1-9][0-9]* tests?, with 0 failures" .build/test.log || {
  echo "test.sh: swift test ran no test" >&2
  exit 1
}
bash Tests/units/verify-units.sh "$(swift build --show-bin-path)/guestprep"
# Every decoder of untrusted input under libFuzzer for a while (Fuzz/README.md): a crash, a hang
# or a runaway allocation on the seeds or on what libFuzzer makes of them fails the suite.
scripts/fuzz.sh "${GUESTPREP_FUZZ_SECONDS:-20}"
# The release binary is what ships, and only an optimized build runs the optimizer's passes
# (one crashed the compiler once where the debug build was fine): build it as the README's
# install does and run the demo's early stage with it.
release=$(scripts/build-release.sh | tail -1)
demo=$(mktemp -d)
trap 'rm -rf "$demo"' EXIT
cp -a demo/root "$demo/root"
"$release" run --stage early --root "$demo/root" --source "ovf:$PWD/demo/ovf-env.xml" >"$demo/out" || {
  cat "$demo/out" >&2
  echo "test.sh: the release binary failed the demo's early stage" >&2
  exit 1
}
grep -q "^network: write /etc/systemd/network/10-guestprep-net1.network" "$demo/out" || {
  cat "$demo/out" >&2
  echo "test.sh: the release binary's early stage wrote no network file" >&2
  exit 1
}
# And doctor, whose byte-level parsing the optimizer transforms most, on a fixture GPU guest.
status=0
"$release" doctor --root Tests/BlackBoxTests/Cases/positive/doctor-esxi-a100-80gb-bar1-unassigned-bios/root \
    >"$demo/doctor" || status=$?
if [ "$status" != 1 ] || ! grep -q 'pciPassthru.64bitMMIOSizeGB = "256"' "$demo/doctor"; then
  cat "$demo/doctor" >&2
  echo "test.sh: the release binary's doctor did not report the A100 case (exit $status, expected 1)" >&2
  exit 1
fi
echo "release binary: $release ran the demo's early stage and doctor"
# Real boots: the package installed and removed, a container booted three times, a VM booted
# five times on two disks, nouveau unloaded live on one and held on the other
# (Tests/e2e/run.sh; as root, skipped with the reason otherwise).
deb=$(scripts/build-deb.sh "$release" | tail -1)
e2e=0
bash Tests/e2e/run.sh "$deb" || e2e=$?
if [ "$e2e" = 77 ]; then
  echo "test.sh: the real-boot tests skipped (see above)"
elif [ "$e2e" != 0 ]; then
  echo "test.sh: the real-boot tests failed" >&2
  exit 1
fi
# One plain closing line. Swift Testing's own summary line is the count; XCTest's "Executed 0
# tests" line only says no XCTest case exists.
count=$(sed -n 's/.*Test run with \([0-9]*\) tests\{0,1\} .*passed.*/\1/p' .build/test.log | tail -1)
echo "tests: ${count} passed, 0 failed"
