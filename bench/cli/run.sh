#!/usr/bin/env bash
# How quickly the `fledge` command starts, as people run it (installed with ./build.sh install: ReadyToRun),
# beside `kubectl version --client` in the same run: hyperfine, 3 warm-up runs, then the median of 10.
#   fledge --help                 start-up and the command tree
#   fledge get rollouts           against a running runtime with one rollout: the control socket, JSON, a table
#   fledge simulate (hello)       the planner on a virtual clock, v1 then v2
# Needs hyperfine (apt-get install -y hyperfine); kubectl when it is there. Writes bench/results/cli-<time>.md.
# FLEDGE=/path/to/fledge measures that binary instead of installing one.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v hyperfine >/dev/null || { echo "error: hyperfine is missing; install it with: apt-get install -y hyperfine" >&2; exit 2; }

work=$(mktemp -d)
cleanup() {
  [ -n "${serve_pid:-}" ] && kill -TERM "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${FLEDGE:-}" ]; then
  echo "installing fledge into $work/tools (./build.sh install)..."
  FLEDGE_TOOL_PATH="$work/tools" ./build.sh install >/dev/null 2>&1
  FLEDGE="$work/tools/fledge"
fi
export FLEDGE_DATA_DIR="$work/data"
"$FLEDGE" serve --metrics-port 0 >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 150); do "$FLEDGE" get rollouts >/dev/null 2>&1 && break; sleep 0.2; done
"$FLEDGE" apply -f samples/manifests/hello-v1.yaml >/dev/null
"$FLEDGE" rollout status hello --timeout 2m >/dev/null

commands=("$FLEDGE --help" "$FLEDGE get rollouts" "$FLEDGE simulate -f samples/manifests/hello-v1.yaml -f samples/manifests/hello-v2.yaml")
command -v kubectl >/dev/null && commands+=("kubectl version --client")
hyperfine -N --warmup 3 --runs 10 --export-json "$work/cli.json" "${commands[@]}" >/dev/null

stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=bench/results/cli-$stamp.md
python3 - "$work/cli.json" "$FLEDGE" >"$out" <<'PY'
import json, sys, os
results = json.load(open(sys.argv[1]))["results"]
fledge = sys.argv[2]
print("# fledge start-up (hyperfine, median of 10 after 3 warm-up runs)\n")
print(f"Load average at the start: {open('/proc/loadavg').read().split()[0:3]}, {os.cpu_count()} cores.\n")
print("| command | median | mean ± σ | min | max |")
print("|---|---|---|---|---|")
kubectl = next((r["median"] for r in results if r["command"].startswith("kubectl")), None)
for r in results:
    name = r["command"].replace(fledge, "fledge")
    ratio = f" ({r['median'] / kubectl:.1f}x kubectl)" if kubectl and not name.startswith("kubectl") else ""
    print(f"| `{name}` | {r['median']*1000:.0f} ms{ratio} | {r['mean']*1000:.0f} ± {r['stddev']*1000:.0f} ms | {r['min']*1000:.0f} ms | {r['max']*1000:.0f} ms |")
PY
cat "$out"
echo "written to $out"
