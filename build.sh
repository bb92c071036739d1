#!/usr/bin/env bash
# Fledge's one script for the things a checkout needs beyond `dotnet`:
#
#   ./build.sh test [ARGS]   install what the tests use (once), start a Kubernetes control plane for them, then run
#                            every test: dotnet test [ARGS]
#   ./build.sh setup         only install what the tests use: Debian's prometheus, curl and kubectl (apt-get), and
#                            build the control plane (tests/kubernetes/control-plane.sh; about 11 min once, then cached)
#   ./build.sh install       install the `fledge` command (a dotnet tool, ReadyToRun) and the kubectl plugin
#                            `kubectl fledge` (kubectl-fledge beside it), from this checkout
#
# Needs the .NET 10 SDK; installing packages needs root or sudo (the line to run is printed otherwise).
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { printf '\033[1m%s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# command:debian-package pairs the tests run for real.
TOOLS=(prometheus:prometheus curl:curl kubectl:kubernetes-client)

# The tests' own control plane, on ports and in a directory of its own (a developer's own one is left alone).
export K8S_CP_RUN=${K8S_CP_RUN:-/tmp/fledge-test-k8s}
export APISERVER_PORT=${APISERVER_PORT:-16443} ETCD_PORT=${ETCD_PORT:-23890} ETCD_PEER_PORT=${ETCD_PEER_PORT:-23900} KCM_PORT=${KCM_PORT:-10357}
# The controllers the tests need beside Fledge's operator: the Deployment controller (the differential test), the Job
# controller (the job analysis provider) and what namespaces and ServiceAccounts need
export K8S_CP_CONTROLLERS=${K8S_CP_CONTROLLERS:-deployment,replicaset,job,serviceaccount,serviceaccount-token,namespace,garbagecollector}

setup() {
  command -v dotnet >/dev/null || die "the .NET 10 SDK is not installed (https://dot.net); it is all Fledge needs by hand"
  local missing=() pair
  for pair in "${TOOLS[@]}"; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0

  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "the tests need ${missing[*]}; install with: apt-get install -y ${missing[*]} (as root)"
    sudo="sudo"
  fi
  command -v apt-get >/dev/null || die "the tests need ${missing[*]}, and this system has no apt-get: install them with its package manager"
  say "installing what the tests use: ${missing[*]} (apt-get)"
  $sudo apt-get update -qq || die "apt-get update failed; install by hand: apt-get install -y ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null \
    || die "could not install ${missing[*]}; install by hand: apt-get install -y ${missing[*]}"
}

# Runs the control plane script as root (sudo when needed), with the tests' ports and directory.
control_plane() {
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo --preserve-env=K8S_CP_RUN,APISERVER_PORT,ETCD_PORT,ETCD_PEER_PORT,KCM_PORT,K8S_CP_CONTROLLERS)
  "${sudo[@]}" tests/kubernetes/control-plane.sh "$@"
}

start_control_plane() {
  say "starting the tests' Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager; the first build takes about 11 min)"
  control_plane start || die "the Kubernetes control plane did not start; see $K8S_CP_RUN/logs"
  export FLEDGE_TEST_KUBECONFIG=$K8S_CP_RUN/kubeconfig
  trap 'control_plane stop >/dev/null 2>&1 || true' EXIT
}

run_tests() {
  setup
  start_control_plane
  local log code
  log=$(mktemp)
  set +e
  dotnet test "$@" 2>&1 | tee "$log"
  code=${PIPESTATUS[0]}
  set -e
  # Microsoft.Testing.Platform ends each project with "total / failed / succeeded / skipped"; sum them as one line.
  awk '/^[[:space:]]+(succeeded|failed|skipped): [0-9]+/ { n[$1] += $2 }
       END { printf "tests: %d passed, %d failed, %d skipped\n", n["succeeded:"], n["failed:"], n["skipped:"] }' "$log"
  rm -f "$log"
  return "$code"
}

install_tool() {
  command -v dotnet >/dev/null || die "the .NET 10 SDK is not installed (https://dot.net)"
  local version rid artifacts=artifacts tools where
  case "$(uname -m)" in
    x86_64) rid=linux-x64 ;;
    aarch64|arm64) rid=linux-arm64 ;;
    *) die "no ReadyToRun build for $(uname -m); run fledge with: dotnet run --project src/Fledge.Cli --" ;;
  esac
  # FLEDGE_TOOL_PATH installs into a folder of your choice (dotnet tool install --tool-path) instead of ~/.dotnet/tools.
  if [ -n "${FLEDGE_TOOL_PATH:-}" ]; then
    tools=$FLEDGE_TOOL_PATH; where=(--tool-path "$tools")
  else
    tools=$HOME/.dotnet/tools; where=(--global)
  fi
  # A version of its own each time, so that a reinstall never takes an older package from the NuGet cache.
  version="0.1.0-local.$(date -u +%Y%m%d%H%M%S)"
  say "packing fledge $version for $rid (ReadyToRun) into ./$artifacts"
  rm -rf "$artifacts"
  # No build servers or reused MSBuild nodes: they would outlive the install holding its output open (a script or a
  # test that reads the output to its end would wait for them).
  dotnet pack src/Fledge.Cli -c Release -o "$artifacts" -p:Version="$version" -p:FledgeReadyToRun=true \
    -p:RuntimeIdentifiers="$rid" -p:ToolPackageRuntimeIdentifiers="$rid" --nologo -v quiet --disable-build-servers -nodeReuse:false
  dotnet tool uninstall "${where[@]}" fledge >/dev/null 2>&1 || true
  dotnet tool install "${where[@]}" --add-source "./$artifacts" --version "$version" fledge
  ln -sf fledge "$tools/kubectl-fledge"
  say "installed: $tools/fledge and the kubectl plugin $tools/kubectl-fledge"
  case ":$PATH:" in
    *":$tools:"*) ;;
    *) say "add it to PATH: export PATH=\"\$PATH:$tools\"   (e.g. in ~/.bashrc)";;
  esac
}

case "${1:-}" in
  test) shift; run_tests "$@" ;;
  setup) setup; control_plane build; say "everything the tests use is installed" ;;
  install) install_tool ;;
  *) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
