#!/usr/bin/env bash
# Runs every libFuzzer harness of Fuzz/Harnesses (or those named) for SECONDS each (default 20)
# on its corpus, with AddressSanitizer. A crash, a hang over 5 s or an input that takes more than
# 2 GiB fails the run; libFuzzer leaves the input in .build-fuzz/artifacts/NAME/ and this script
# prints the command that replays it. The corpus grows in .build-fuzz/corpus/NAME (the seeds of
# Fuzz/Harnesses/NAME/corpus are read too, never written).
#
# Usage: scripts/fuzz.sh [SECONDS] [NAME...]
#   GUESTPREP_FUZZ_JOBS=N   run N harnesses at a time (default 1)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
seconds=${1:-20}
shift || true
case "$seconds" in '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS] [NAME...]" >&2; exit 2 ;; esac
scratch="$PWD/.build-fuzz"
if [ $# -gt 0 ]; then
  names=("$@")
else
  mapfile -t names < <(find Fuzz/Harnesses -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)
fi
for name in "${names[@]}"; do
  [ -f "Fuzz/Harnesses/$name/Harness.swift" ] || { echo "fuzz: no harness Fuzz/Harnesses/$name" >&2; exit 2; }
done
echo "fuzz: building ${#names[@]} harnesses with -sanitize=fuzzer,address"
# Fuzz/Package.swift makes one target per folder of Harnesses/, so neither its text nor its
# mtime changes when a harness is added, and SwiftPM would reuse the old target list: from its
# shared manifest cache (keyed by the text; --manifest-cache none) and from the build plan in the
# scratch directory (kept while the manifest's mtime stays; touch). A new harness went unbuilt
# in CI that way.
touch Fuzz/Package.swift
swift build --package-path Fuzz --scratch-path "$scratch" -c debug --manifest-cache none \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library 2>&1 | grep -v "Cannot export local symbol" | tail -3
bin=$(swift build --package-path Fuzz --scratch-path "$scratch" -c debug --manifest-cache none --show-bin-path)
for name in "${names[@]}"; do
  [ -x "$bin/fuzz-$name" ] || { echo "fuzz: the build made no $bin/fuzz-$name" >&2; exit 1; }
done

# Swift's crash backtracer reads the stack in a way ASan reports as an underflow: off, so that a
# trap shows the code under test.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}

# fuzz_one NAME: runs one harness; prints its summary line; returns libFuzzer's status.
fuzz_one() {
  local name=$1 corpus="$scratch/corpus/$1" artifacts="$scratch/artifacts/$1" log="$scratch/logs/$1.log"
  local options=() status=0
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  # Harnesses/NAME/options: extra libFuzzer flags, one a line (e.g. -max_len=65536 for ISO images).
  [ -f "Fuzz/Harnesses/$name/options" ] && mapfile -t options < <(grep -v '^#' "Fuzz/Harnesses/$name/options" | grep .)
  "$bin/fuzz-$name" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "${options[@]}" \
    "$corpus" "Fuzz/Harnesses/$name/corpus" >"$log" 2>&1 || status=$?
  local runs
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [ "$status" = 0 ]; then
    printf 'fuzz: %-14s PASS %10s runs in %ss, corpus %s inputs\n' "$name" "${runs:-?}" "$seconds" \
      "$(find "$corpus" -type f | wc -l)"
  else
    printf 'fuzz: %-14s FAIL (libFuzzer exit %s) after %s runs\n' "$name" "$status" "${runs:-?}"
    grep -E "^==[0-9]+==ERROR|SUMMARY|Fatal error|Test unit written to|ALARM|out-of-memory|timeout" "$log" | head -8 | sed 's/^/    /'
    local found
    found=$(ls -t "$artifacts" 2>/dev/null | head -1)
    [ -n "$found" ] && echo "    replay: SWIFT_BACKTRACE=enable=no $bin/fuzz-$name $artifacts/$found"
    echo "    log: $log"
  fi
  return "$status"
}

failed=()
jobs_max=${GUESTPREP_FUZZ_JOBS:-1}
declare -A pids=()
for name in "${names[@]}"; do
  if [ "$jobs_max" -le 1 ]; then
    fuzz_one "$name" || failed+=("$name")
  else
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n || true; done
    fuzz_one "$name" &
    pids[$name]=$!
  fi
done
for name in "${!pids[@]}"; do wait "${pids[$name]}" || failed+=("$name"); done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: ${#failed[@]} of ${#names[@]} harnesses failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: all ${#names[@]} harnesses passed (${seconds}s each)"
