#!/usr/bin/env bash
# Benchmark: guestprep's downloader (CurlDownloader, through bench/DownloadBench) against the
# curl CLI, fetching the same 1 GiB of random bytes from nginx on loopback into a file.
#
#   curl            curl -s -o FILE URL: libcurl writing the file, nothing more;
#   curl + sync     the same, then sync FILE: the durability guestprep gives its files;
#   guestprep       download-bench URL SHA256 FILE: fetched into FILE.partial with the SHA-256
#                   computed as the bytes arrive, verified, fsync'd, renamed, directory fsync'd.
#
# Over http and over https (a test CA made here with openssl; curl --cacert, download-bench's
# CA-FILE argument), and with the file in two places, as bench/run.sh does:
#   - tmpfs (/dev/shm): writes cost memory copies only and fsync is free: the downloader's own
#     cost next to curl's;
#   - disk (the file system of $TMPDIR, /tmp by default): what this machine's disk adds, write-back
#     and fsync included; much of it, and most of its run-to-run spread, is the disk's.
# Each run starts without the file (hyperfine --prepare removes it and the .partial). Reports
# hyperfine's medians, throughput in MiB/s, guestprep's throughput as a share of curl's, and the
# peak RSS (/usr/bin/time -v). nginx runs on the same machine, so on a small one it takes CPU
# from the client (TLS above all): a share of the cores a real download does not pay.
#
# Usage: bench/download.sh [RUNS]   (default 10). Needs hyperfine, time, nginx, openssl, curl.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
runs=${1:-10}
for tool in hyperfine curl openssl; do
  command -v $tool >/dev/null || { echo "bench: needs $tool (apt-get install $tool)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || { echo "bench: needs nginx (apt-get install nginx)" >&2; exit 1; }

bin_dir=$(dirname "$(scripts/build-release.sh 2>/dev/null | tail -1)")
bench="$bin_dir/download-bench"
[ -x "$bench" ] || { echo "bench: $bench was not built" >&2; exit 1; }

work=$(mktemp -d -p "${TMPDIR:-/tmp}")
cleanup_dirs=("$work")
nginx_pid=
cleanup() {
  if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
  rm -rf "${cleanup_dirs[@]}"
}
trap cleanup EXIT
mkdir -p "$work/html" "$work/tmp" "$work/out"
echo "bench: 1 GiB of random bytes into $work/html/big.bin"
head -c 1G /dev/urandom >"$work/html/big.bin"
sha=$(sha256sum "$work/html/big.bin" | cut -c1-64)

# A test CA and a server certificate for 127.0.0.1.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$work/ca.key" \
  -out "$work/ca.pem" -days 2 -subj "/CN=guestprep bench CA" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$work/server.key" \
  -out "$work/server.csr" -subj "/CN=localhost" 2>/dev/null
printf 'subjectAltName = IP:127.0.0.1, DNS:localhost\nbasicConstraints = CA:FALSE\n' >"$work/server.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -set_serial 2 -days 2 \
  -extfile "$work/server.ext" -out "$work/server.pem" 2>/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
http_port=$(free_port)
https_port=$(free_port)
# One process (no master): the benchmark has one client at a time. sendfile, as nginx serves
# files in production.
cat >"$work/nginx.conf" <<CONF
daemon off;
master_process off;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $work/tmp/body; proxy_temp_path $work/tmp/proxy; fastcgi_temp_path $work/tmp/fastcgi;
    uwsgi_temp_path $work/tmp/uwsgi; scgi_temp_path $work/tmp/scgi;
    default_type application/octet-stream;
    sendfile on;
    server { listen 127.0.0.1:$http_port; root $work/html; }
    server {
        listen 127.0.0.1:$https_port ssl;
        ssl_certificate $work/server.pem; ssl_certificate_key $work/server.key;
        root $work/html;
    }
}
CONF
"$nginx" -p "$work/" -c "$work/nginx.conf" -e "$work/error.log" &
nginx_pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$http_port/" && break; sleep 0.05; done

# bench_case LABEL URL DIR [CA]: curl, curl + sync and guestprep fetching URL into DIR, and the
# peak RSS of curl and guestprep.
bench_case() {
  local label=$1 url=$2 dir=$3 ca=${4:-}
  local out="$dir/big.bin"
  # hyperfine -N runs --prepare without a shell too, so the reset and "curl + sync" are scripts.
  printf '#!/bin/sh\nrm -f "%s" "%s.partial"\n' "$out" "$out" >"$work/reset-$label"
  printf '#!/bin/sh\ncurl -s "$@" -o "%s" && sync "%s"\n' "$out" "$out" >"$work/curl-sync-$label"
  chmod +x "$work/reset-$label" "$work/curl-sync-$label"
  local curl_args=(-s) bench_args=("$url" "$sha" "$out")
  if [ -n "$ca" ]; then curl_args+=(--cacert "$ca"); bench_args+=("$ca"); fi
  # One run up front: a broken command shows here, not as a fast time.
  "$work/reset-$label"
  "$bench" "${bench_args[@]}" >/dev/null || { echo "bench: download-bench failed on $url" >&2; exit 1; }
  hyperfine -N --warmup 1 --runs "$runs" --prepare "$work/reset-$label" --export-json "$work/$label.json" \
    -n curl "curl ${curl_args[*]} -o $out $url" \
    -n "curl + sync" "$work/curl-sync-$label ${curl_args[*]} $url" \
    -n guestprep "$bench ${bench_args[*]}" >/dev/null
  "$work/reset-$label"
  /usr/bin/time -v curl "${curl_args[@]}" -o "$out" "$url" 2>"$work/$label.curl.rss"
  "$work/reset-$label"
  /usr/bin/time -v "$bench" "${bench_args[@]}" >/dev/null 2>"$work/$label.guestprep.rss"
  "$work/reset-$label"
}
shm=$(mktemp -d -p /dev/shm)
cleanup_dirs+=("$shm")
http="http://127.0.0.1:$http_port/big.bin"
https="https://127.0.0.1:$https_port/big.bin"
bench_case http-tmpfs "$http" "$shm"
bench_case https-tmpfs "$https" "$shm" "$work/ca.pem"
bench_case http-disk "$http" "$work/out"
bench_case https-disk "$https" "$work/out" "$work/ca.pem"

python3 - "$work" "$runs" <<'PY'
import json, re, sys
folder, runs = sys.argv[1], sys.argv[2]
def rss(path):
    return int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(path).read()).group(1)) / 1024
print(f"1 GiB from nginx on loopback, {runs} runs each (hyperfine medians):")
for label in ("http-tmpfs", "https-tmpfs", "http-disk", "https-disk"):
    results = {r["command"]: r for r in json.load(open(f"{folder}/{label}.json"))["results"]}
    print(f"  {label}:")
    for name in ("curl", "curl + sync", "guestprep"):
        r = results[name]
        peak = {"curl": f"{folder}/{label}.curl.rss", "guestprep": f"{folder}/{label}.guestprep.rss"}.get(name)
        extra = f"  peak RSS {rss(peak):.1f} MiB" if peak else ""
        print(f"    {name:12} median {r['median']:6.3f} s  (min {r['min']:.3f}, max {r['max']:.3f})  "
              f"{1024 / r['median']:7.1f} MiB/s{extra}")
    g = results["guestprep"]["median"]
    print(f"    guestprep's throughput: {results['curl']['median'] / g * 100:5.1f}% of curl's, "
          f"{results['curl + sync']['median'] / g * 100:5.1f}% of curl + sync's")
PY
