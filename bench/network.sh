#!/usr/bin/env bash
# Benchmark: guestprep's early stage with four NICs against cloud-init's networkd renderer.
#   guestprep: `guestprep run --stage early` on a fresh copy of demo/root with demo/ovf-env.xml
#              (hostname, hosts, four .network files, state);
#   cloud-init: `cloud-init devel net-convert -k yaml -O networkd` on bench/network-config-v2.yaml,
#              the network-config v2 equivalent of the same four NICs (four .network files).
# Both run as whole processes in one hyperfine invocation; hyperfine times all runs of the first
# command, then all runs of the second. Each has its own --prepare reset, so every timed run
# starts from an unprovisioned root or an empty output folder. Roots and output are on tmpfs
# (/dev/shm). Peak RSS is the maximum of 10 runs under /usr/bin/time -v. A baseline, /bin/true
# in the same invocation, shows the machine's process cost at the time.
# Targets (issue 17): guestprep median <= 8 ms, and cloud-init/guestprep >= 25.
#
# Usage: bench/network.sh [RUNS]   (default 100). Builds with scripts/build-release.sh.
# Needs hyperfine, time and cloud-init (apt-get install hyperfine time cloud-init).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
runs=${1:-100}
command -v hyperfine >/dev/null || { echo "bench: needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
command -v cloud-init >/dev/null ||
  { echo "bench: needs cloud-init (apt-get install --no-install-recommends cloud-init)" >&2; exit 1; }
bin=$(scripts/build-release.sh 2>/dev/null | tail -1)
ovf="$PWD/demo/ovf-env.xml"
yaml="$PWD/bench/network-config-v2.yaml"

work=$(mktemp -d -p /dev/shm)
trap 'rm -rf "$work"' EXIT
# hyperfine -N runs --prepare without a shell too, so each reset is a script of its own.
printf '#!/bin/sh\nrm -rf "%s/root" && cp -a "%s/demo/root" "%s/root"\n' "$work" "$PWD" "$work" >"$work/reset-guestprep"
printf '#!/bin/sh\nrm -rf "%s/out"\n' "$work" >"$work/reset-cloud-init"
chmod +x "$work"/reset-*
gp="$bin run --stage early --root $work/root --source ovf:$ovf"
ci="cloud-init devel net-convert -p $yaml -k yaml -D debian -d $work/out -O networkd"

# Each command must write its four .network files, or the timings mean nothing.
"$work/reset-guestprep" && $gp >/dev/null 2>&1 || { echo "bench: guestprep failed: $gp" >&2; exit 1; }
"$work/reset-cloud-init" && $ci >/dev/null 2>&1 || { echo "bench: cloud-init failed: $ci" >&2; exit 1; }
n_gp=$(find "$work/root/etc/systemd/network" -name '10-guestprep-net*.network' | wc -l)
n_ci=$(find "$work/out/etc/systemd/network" -name '10-cloud-init-*.network' | wc -l)
[ "$n_gp" = 4 ] && [ "$n_ci" = 4 ] ||
  { echo "bench: expected 4 .network files each; guestprep wrote $n_gp, cloud-init $n_ci" >&2; exit 1; }

echo "binary: $bin ($(du -h "$bin" | cut -f1))"
echo "cloud-init: $(cloud-init --version 2>&1)$(dpkg-query -W -f=' (Debian package ${Version})' cloud-init 2>/dev/null || true)"
hyperfine -N --warmup 5 --runs "$runs" --export-json "$work/result.json" \
  --prepare "$work/reset-guestprep" --prepare "$work/reset-cloud-init" --prepare /bin/true \
  -n guestprep "$gp" -n cloud-init "$ci" -n true /bin/true >/dev/null

# peak LABEL RESET CMD: maximum resident set size in KiB over 10 runs.
peak() {
  local max=0 kb
  for _ in $(seq 10); do
    "$2"
    kb=$(/usr/bin/time -v $3 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}')
    [ "$kb" -gt "$max" ] && max=$kb
  done
  echo "$max" >"$work/$1.peak"
}
peak guestprep "$work/reset-guestprep" "$gp"
peak cloud-init "$work/reset-cloud-init" "$ci"

python3 - "$work" "$runs" <<'PY'
import json, sys
folder, runs = sys.argv[1], sys.argv[2]
results = {r["command"]: r for r in json.load(open(f"{folder}/result.json"))["results"]}
print(f"four NICs, {runs} runs each, roots and output on tmpfs:")
for name, what in (("guestprep", "guestprep run --stage early"),
                   ("cloud-init", "cloud-init devel net-convert -O networkd")):
    r = results[name]
    peak = int(open(f"{folder}/{name}.peak").read())
    print(f"  {what:42} median {r['median']*1000:7.2f} ms  (min {r['min']*1000:.2f}, "
          f"max {r['max']*1000:.2f})  peak RSS {peak/1024:.1f} MiB")
print(f"  {'baseline /bin/true':42} median {results['true']['median']*1000:7.2f} ms")
gp, ci = results["guestprep"]["median"], results["cloud-init"]["median"]
print(f"  cloud-init / guestprep (medians): {ci/gp:.1f}x  (target >= 25x: {'met' if ci/gp >= 25 else 'MISSED'})")
print(f"  guestprep median {gp*1000:.2f} ms  (target <= 8 ms: {'met' if gp <= 0.008 else 'MISSED'})")
PY
