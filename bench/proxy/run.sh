#!/usr/bin/env bash
# Requests per second and p50/p99 latency of hello: hitting one replica directly, through Fledge's
# Service proxy (YARP), and through nginx proxying to the same replicas, in one run on this machine.
# Needs wrk and nginx (Debian: apt-get install -y wrk nginx-light). Writes bench/results/proxy-<time>.md.
# Usage: bench/proxy/run.sh [duration=15s] [connections=64]
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-15s}
connections=${2:-64}
for tool in wrk nginx; do
  command -v "$tool" >/dev/null || { echo "error: $tool is missing; install it with: apt-get install -y wrk nginx-light" >&2; exit 2; }
done

work=$(mktemp -d)
echo "building fledge (Release)..."
dotnet build -c Release src/Fledge.Cli -o "$work/bin" >/dev/null
fledge=(dotnet "$work/bin/fledge.dll" --data-dir "$work/data")

cleanup() {
  [ -n "${nginx_pid:-}" ] && kill "$nginx_pid" 2>/dev/null || true
  [ -n "${serve_pid:-}" ] && kill -TERM "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
service_port=$(free_port)
nginx_port=$(free_port)

"${fledge[@]}" serve --metrics-port 0 >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 100); do grep -q "ready; stop" "$work/serve.log" && break; sleep 0.1; done

sed -e 's/replicas: 5/replicas: 2/' samples/manifests/hello-v1.yaml >"$work/hello.yaml"
sed -e "s/port: 8080/port: $service_port/" samples/manifests/hello-service.yaml >"$work/service.yaml"
"${fledge[@]}" apply -f "$work/hello.yaml" -f "$work/service.yaml" >/dev/null
"${fledge[@]}" rollout status hello --timeout 2m >/dev/null
ports=$("${fledge[@]}" get pods -o json | python3 -c 'import json,sys; print(" ".join(p["metadata"]["annotations"]["fledge.io/port"] for p in json.load(sys.stdin)["items"] if p["status"]["containerStatuses"][0]["ready"]))')
first=${ports%% *}

cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  upstream hello { $(for p in $ports; do echo "server 127.0.0.1:$p;"; done) keepalive 64; }
  server {
    listen 127.0.0.1:$nginx_port;
    location / { proxy_pass http://hello; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
nginx -c "$work/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
sleep 1

measure() { # name url
  echo "measuring $1 ($2) for $duration with $connections connections..." >&2
  wrk -t2 -c"$connections" -d"$duration" --latency "$2" >"$work/$1.txt" 2>&1
  python3 - "$1" "$work/$1.txt" <<'PY'
import re, sys
name, path = sys.argv[1], sys.argv[2]
text = open(path).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
def ms(label):
    value, unit = re.search(label + r"\s+([\d.]+)(us|ms|s)\b", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(f"| {name} | {rps:,.0f} | {ms(' 50%'):.2f} | {ms(' 99%'):.2f} | {errors.group(1) if errors else 0} |")
PY
}

mkdir -p bench/results
out="bench/results/proxy-$(date -u +%Y%m%dT%H%M%SZ).md"
{
  echo "# Proxy benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "wrk -t2 -c$connections -d$duration against hello (2 replicas, $(nproc) cores shared by wrk, proxies and replicas)."
  echo
  echo "| target | requests/s | p50 ms | p99 ms | non-2xx |"
  echo "|---|---:|---:|---:|---:|"
  measure "replica (direct)" "http://127.0.0.1:$first/"
  measure "fledge Service proxy" "http://127.0.0.1:$service_port/"
  measure "nginx (same upstreams)" "http://127.0.0.1:$nginx_port/"
} | tee "$out"
echo "written to $out"
