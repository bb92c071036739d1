#!/usr/bin/env bash
# The operator at scale on the test control plane (tests/kubernetes/control-plane.sh; started here when it is not
# running, on its own ports): 1000 Rollouts reconciled by a fresh operator, its memory, a restart, and the latency of
# a change. Usage: bench/operator/run.sh [ROLLOUTS=1000] [CHANGES=50]. Writes bench/results/operator-<time>.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
export K8S_CP_RUN=${K8S_CP_RUN:-/tmp/fledge-bench-k8s} APISERVER_PORT=${APISERVER_PORT:-17443} ETCD_PORT=${ETCD_PORT:-24890} \
  ETCD_PEER_PORT=${ETCD_PEER_PORT:-24900} KCM_PORT=${KCM_PORT:-10457}
started=""
if ! kubectl --kubeconfig "$K8S_CP_RUN/kubeconfig" get --raw /readyz >/dev/null 2>&1; then
  tests/kubernetes/control-plane.sh start
  started=1
fi
trap '[ -n "$started" ] && tests/kubernetes/control-plane.sh stop' EXIT
kubectl --kubeconfig "$K8S_CP_RUN/kubeconfig" apply -k deploy/kubernetes >/dev/null
kubectl --kubeconfig "$K8S_CP_RUN/kubeconfig" wait --for=condition=Established crd/rollouts.fledge.io --timeout=60s >/dev/null
dotnet build -c Release src/Fledge.Cli -o "$K8S_CP_RUN/fledge" >/dev/null
stamp=$(date -u +%Y%m%dT%H%M%SZ)
dotnet run -c Release --project bench/operator -- "$K8S_CP_RUN/kubeconfig" "$K8S_CP_RUN/fledge/fledge.dll" "${1:-1000}" "${2:-50}" \
  | tee "bench/results/operator-$stamp.md"
