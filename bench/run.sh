#!/usr/bin/env bash
# Benchmark: `guestprep run --stage early` on a fresh copy of the demo root, as a whole process,
# many times; reports the median wall time (hyperfine) and the peak RSS (/usr/bin/time -v).
# The early stage here is: properties from an ovf-env.xml, validation, the hostname step, the
# network step for four NICs (sysfs scan, mapping, four systemd-networkd files), state.
#
# Two placements of the root are timed, because guestprep's writes are durable (each file is
# fsync'd before its rename, and each directory written to once per step after):
#   - tmpfs (/dev/shm): fsync is free, so this is guestprep's own cost: start-up and work;
#   - disk (the file system of $TMPDIR, /tmp by default): what a boot pays on this machine's
#     disk, fsync latency included; the machine's disk decides much of it.
# A baseline, /bin/true under the same harness, separates the machine's process cost from ours.
#
# Usage: bench/run.sh [RUNS]   (default 200). Builds the release binary with
# scripts/build-release.sh (static Swift and C++ runtimes).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
runs=${1:-200}
command -v hyperfine >/dev/null || { echo "bench: needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
bin=$(scripts/build-release.sh 2>/dev/null | tail -1)
ovf="$PWD/demo/ovf-env.xml"
echo "binary: $bin ($(du -h "$bin" | cut -f1))"

results=$(mktemp -d)
cleanup=("$results")
trap 'rm -rf "${cleanup[@]}"' EXIT

# bench_root LABEL PARENT: times the early stage with the root in a fresh folder under PARENT.
bench_root() {
  local label=$1 parent=$2 work
  work=$(mktemp -d -p "$parent")
  cleanup+=("$work")
  # Each timed run starts from the unprovisioned demo root, so every run does the full work.
  # (hyperfine -N runs --prepare without a shell too, so the reset is a script of its own.)
  printf '#!/bin/sh\nrm -rf "%s/root" && cp -a "%s/demo/root" "%s/root"\n' "$work" "$PWD" "$work" >"$work/reset"
  chmod +x "$work/reset"
  local cmd="$bin run --stage early --root $work/root --source ovf:$ovf"
  hyperfine -N --warmup 10 --runs "$runs" --prepare "$work/reset" --export-json "$results/$label.json" "$cmd" \
    >/dev/null
  local peak=0 kb
  for _ in $(seq 20); do
    "$work/reset"
    kb=$(/usr/bin/time -v $cmd 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}')
    [ "$kb" -gt "$peak" ] && peak=$kb
  done
  echo "$peak" >"$results/$label.peak"
}

bench_root tmpfs /dev/shm
bench_root disk "${TMPDIR:-/tmp}"
hyperfine -N --warmup 10 --runs "$runs" --export-json "$results/true.json" /bin/true >/dev/null

python3 - "$results" "$runs" <<'PY'
import json, sys
folder, runs = sys.argv[1], sys.argv[2]
def result(name):
    return json.load(open(f"{folder}/{name}.json"))["results"][0]
base = result("true")
print(f"guestprep run --stage early (demo root, ovf-env.xml), {runs} runs each:")
for label, where in (("tmpfs", "root on tmpfs: guestprep's own cost"),
                     ("disk", "root on disk: with fsync latency")):
    run = result(label)
    peak = int(open(f"{folder}/{label}.peak").read())
    print(f"  {where:38} median {run['median']*1000:6.2f} ms  (min {run['min']*1000:.2f}, "
          f"max {run['max']*1000:.2f})  {run['median']/base['median']:5.1f}x /bin/true  "
          f"peak RSS {peak/1024:.1f} MiB")
print(f"  {'baseline /bin/true':38} median {base['median']*1000:6.2f} ms")
PY
