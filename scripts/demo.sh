#!/usr/bin/env bash
# The demo (README's first command): a local fleet of Ant Media Server stand-ins on real
# systemd test hosts, and the collection's whole job on it:
#   participants join rooms -> provision.yml installs the Media Push plugin (pinned,
#   checksum-verified, from a local mirror) and restarts safely -> record.yml starts the
#   recordings -> a few seconds later record.yml stops them -> the VoDs (real MP4 files)
#   are listed with their durations -> drift.yml prints its table.
# Runs as root on Debian 12. Everything it starts is torn down at the end.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
hosts=${DEMO_HOSTS:-3}
work=$repo/.work/demo
started=$(date +%s)

step() { printf '\n=== [%3ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }

# The hosts' root filesystem (built once, then cached) and the venvs are made side by side on a new machine.
bash scripts/setup.sh --packages
mkdir -p "$repo/.work"
bash lab/hosts.sh build > "$work.build.log" 2>&1 &
build_pid=$!
bash scripts/setup.sh
wait "$build_pid" || { tail -30 "$work.build.log"; echo "demo: building the test hosts' image failed" >&2; exit 1; }
export ANSIBLE_COLLECTIONS_PATH=$repo/.work/collections ANSIBLE_PIPELINING=1 ANSIBLE_FORCE_COLOR=0
export ANSIBLE_CALLBACK_RESULT_FORMAT=yaml ANSIBLE_DISPLAY_SKIPPED_HOSTS=0 ANSIBLE_DISPLAY_OK_HOSTS=1
export ANSIBLE_DEPRECATION_WARNINGS=0 ANSIBLE_HOST_KEY_CHECKING=0
playbook=("$repo/.venv/bin/ansible-playbook" -i "$repo/.work/molecule/hosts.yml" -i "$repo/.work/molecule/inventory.yml"
  -e "@scripts/demo/group_vars.yml")

cleanup() { step "tearing the fleet down"; bash tests/roles/lab.sh down >/dev/null 2>&1 || true; }
trap cleanup EXIT

step "booting $hosts media servers (Debian, systemd, sshd, the AMS stand-in as service antmedia)"
bash tests/roles/lab.sh up "$hosts" | tail -1
"${playbook[@]}" extensions/molecule/resources/prepare.yml > "$work.prepare.log" 2>&1 \
  || { tail -30 "$work.prepare.log"; exit 1; }

step "participants join rooms (the stand-in's control interface, not the AMS API)"
for i in $(seq 1 "$hosts"); do
  ip=10.77.0.$((10 + i))
  for room in "board-ams$i" "standup-ams$i"; do
    for person in alice bob; do
      curl --noproxy '*' -fsS -o /dev/null -X POST -H 'Content-Type: application/json' \
        -d "{\"streamId\": \"$room-$person\"}" "http://$ip:5080/_lab/apps/live/rooms/$room/participants"
    done
  done
  echo "ams$i: rooms board-ams$i and standup-ams$i, 2 participants each"
done
curl --noproxy '*' -fsS -X PUT -H 'Content-Type: application/json' \
  -d '{"jwtServerControlEnabled": true, "jwtServerSecretKey": "demo-server-jwt-secret-0123456789abcdef"}' \
  "http://10.77.0.11:5080/_lab/server-settings" -o /dev/null
for i in $(seq 2 "$hosts"); do
  curl --noproxy '*' -fsS -X PUT -H 'Content-Type: application/json' \
    -d '{"jwtServerControlEnabled": true, "jwtServerSecretKey": "demo-server-jwt-secret-0123456789abcdef"}' \
    "http://10.77.0.$((10 + i)):5080/_lab/server-settings" -o /dev/null
done

step "provision.yml: install the Media Push plugin, restart safely (rolling, 50% at a time)"
"${playbook[@]}" playbooks/provision.yml | grep -E '^(PLAY|ams[0-9]+ +:)' || true

step "record.yml: record every room declared in inventory"
"${playbook[@]}" -e @scripts/demo/rooms.yml playbooks/record.yml | grep -E '^(ams[0-9]+ +:)'
step "record.yml again: nothing to change"
"${playbook[@]}" -e @scripts/demo/rooms.yml playbooks/record.yml | grep -E '^(ams[0-9]+ +:)'

step "the meeting goes on for 6 seconds"
sleep 6

step "record.yml with the rooms stopped: the recordings become VoDs"
"${playbook[@]}" -e @scripts/demo/rooms-stopped.yml playbooks/record.yml | grep -E '^(ams[0-9]+ +:)'

step "the VoDs, with their durations"
"${playbook[@]}" scripts/demo/vods.yml | sed -nE 's/^ *msg: *//p'

step "someone changes an app setting on ams2 by hand; drift.yml (check mode) finds it"
curl --noproxy '*' -fsS -X PUT -H 'Content-Type: application/json' -d '{"mp4MuxingEnabled": true}' \
  "http://10.77.0.12:5080/_lab/apps/live/settings" -o /dev/null
drift_rc=0
"${playbook[@]}" -e @scripts/demo/rooms-stopped.yml -e "antmedia_drift_report=$work-drift" --check \
  playbooks/drift.yml > "$work.drift.log" 2>&1 || drift_rc=$?
cat "$work-drift.md"
echo "drift.yml exit code: $drift_rc (non-zero means drift: cron and CI can alert on it)"
echo "reports: $work-drift.md and $work-drift.html"
[ "$drift_rc" -ne 0 ] || { echo "expected drift.yml to report the change on ams2" >&2; exit 1; }

step "demo finished in $(( $(date +%s) - started )) s"
