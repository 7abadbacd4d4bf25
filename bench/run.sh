#!/usr/bin/env bash
# Benchmark: `guestprep run --stage early` on a fresh copy of the demo root, as a whole process,
# many times; reports the median wall time (hyperfine) and the peak RSS (/usr/bin/time -v).
# The early stage here is: properties from an ovf-env.xml, validation, the hostname step, state.
# Usage: bench/run.sh [RUNS]   (default 200). Builds the release binary (static Swift runtime).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
runs=${1:-200}
command -v hyperfine >/dev/null || { echo "bench: needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
swift build -c release --static-swift-stdlib >/dev/null
bin=$(swift build -c release --static-swift-stdlib --show-bin-path)/guestprep
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ovf="$PWD/demo/ovf-env.xml"
# Each timed run starts from the unprovisioned demo root, so every run does the full work.
# (hyperfine -N runs --prepare without a shell too, so the reset is a script of its own.)
printf '#!/bin/sh\nrm -rf "%s/root" && cp -a "%s/demo/root" "%s/root"\n' "$work" "$PWD" "$work" >"$work/reset"
chmod +x "$work/reset"
prepare="$work/reset"
cmd="$bin run --stage early --root $work/root --source ovf:$ovf"
echo "binary: $bin ($(du -h "$bin" | cut -f1))"
hyperfine -N --warmup 10 --runs "$runs" --prepare "$prepare" --export-json "$work/run.json" "$cmd" >/dev/null
# Baseline: /bin/true started the same way, to separate the machine's process cost from ours.
hyperfine -N --warmup 10 --runs "$runs" --export-json "$work/true.json" /bin/true >/dev/null
peak=0
for _ in $(seq 20); do
  "$prepare"
  kb=$(/usr/bin/time -v $cmd 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}')
  [ "$kb" -gt "$peak" ] && peak=$kb
done
python3 - "$work/run.json" "$work/true.json" "$peak" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))["results"][0]
base = json.load(open(sys.argv[2]))["results"][0]
peak = int(sys.argv[3])
print(f"guestprep run --stage early (demo root, ovf-env.xml): median {run['median']*1000:.2f} ms "
      f"(mean {run['mean']*1000:.2f}, min {run['min']*1000:.2f}, max {run['max']*1000:.2f}) over {len(run['times'])} runs")
print(f"baseline /bin/true: median {base['median']*1000:.2f} ms; ratio {run['median']/base['median']:.1f}x")
print(f"peak RSS (max of 20 runs): {peak/1024:.1f} MiB")
PY
