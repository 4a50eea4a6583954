#!/usr/bin/env bash
# Test hosts for the role scenarios (extensions/molecule/), on top of lab/hosts.sh.
#   tests/roles/lab.sh up N   make the test artifacts, boot hosts ams1..N with the
#                             stand-in as service antmedia, serve the artifacts on
#                             the test network, write the inventory molecule uses
#   tests/roles/lab.sh down   stop serving and tear the hosts down (safe to repeat)
# Everything it writes goes under .work/molecule/ (MOLECULE_LAB_DIR).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
lab_dir=${MOLECULE_LAB_DIR:-$repo/.work/molecule}
hosts_sh=${LAB_HOSTS:-$repo/lab/hosts.sh}
port=${MOLECULE_LAB_PORT:-8765}
# the bridge address of the lab in force (LAB_* settings let a second lab run beside the default one)
gateway=$(bash "$hosts_sh" config | sed -n 's/^LAB_SUBNET=//p').$(bash "$hosts_sh" config | sed -n 's/^LAB_GW=//p')

up() {
  local count=$1
  mkdir -p "$lab_dir"
  rm -rf "$lab_dir/artifacts"
  python3 "$repo/tests/roles/artifacts.py" "$lab_dir/artifacts" > "$lab_dir/artifacts.txt"
  echo "$count" > "$lab_dir/count"
  bash "$hosts_sh" up "$count" --inventory "$lab_dir/hosts.yml"
  # the scenarios name their platforms ams1..N: a second lab's hosts (LAB_NAME) take those names in molecule's copy
  lab_name=$(bash "$hosts_sh" config | sed -n 's/^LAB_NAME=//p')
  if [ "$lab_name" != ams ]; then sed -i "s/^    $lab_name\([0-9][0-9]*\):\$/    ams\1:/" "$lab_dir/hosts.yml"; fi
  cp "$lab_dir/artifacts.txt" "$lab_dir/artifacts/artifacts.txt"
  # serve returns once the server answers (the server itself runs detached); no race with the tests
  bash "$hosts_sh" serve "$lab_dir/artifacts" --port "$port" > "$lab_dir/serve.log" 2>&1 || {
    cat "$lab_dir/serve.log" >&2; echo "lab.sh: the artifact server did not start" >&2; exit 1; }
  curl --noproxy '*' -fsS --max-time 5 -o /dev/null "http://$gateway:$port/artifacts.txt" || {
    echo "lab.sh: the artifact server does not answer on port $port" >&2; exit 1; }
  cat > "$lab_dir/inventory.yml" <<YAML
# Written by tests/roles/lab.sh: the scenario's hosts come from lab/hosts.sh's
# inventory ($lab_dir/hosts.yml); this adds the group the playbooks target.
media_servers:
  children:
    lab: {}
all:
  vars:
    lab_artifacts_url: http://$gateway:$port
    lab_artifacts_dir: $lab_dir/artifacts
YAML
}

down() {
  local count=1
  [ -f "$lab_dir/count" ] && count=$(cat "$lab_dir/count")
  bash "$hosts_sh" down "$count" || true
  rm -f "$lab_dir/count"
}

case "${1:-}" in
  up) up "${2:-1}" ;;
  down) down ;;
  *) echo "usage: $0 up N | down" >&2; exit 2 ;;
esac
