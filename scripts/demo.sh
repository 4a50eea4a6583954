#!/usr/bin/env bash
# The demo (README's first command): a local fleet of Ant Media Server stand-ins on real
# systemd test hosts, and the collection's whole job on it:
#   one host runs its app as Circle (the conference application) answering as AMS 3.x ->
#   participants join rooms -> provision.yml installs the Media Push plugin of each server's
#   release (checksum-verified, from a local mirror) and restarts safely -> record.yml starts the
#   recordings -> a few seconds later record.yml stops them -> the VoDs (real MP4 files)
#   are listed with their durations -> drift.yml prints its table.
# Runs as root on Debian 12. Everything it starts is torn down at the end.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
hosts=${DEMO_HOSTS:-3}
# This host's app "live" is a Circle app with the AMS 3.x shape; it records with Circle's own room page.
circle_host=${DEMO_CIRCLE_HOST:-3}
work=$repo/.work/demo
started=$(date +%s)

step() { printf '\n=== [%3ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }
# The AMS REST API admits only 127.0.0.1 (its IP filter): ask it on the host itself, as the modules do.
rest_on_host() {  # rest_on_host I PATH FORMAT: curl on host amsI, -w FORMAT (empty: the body)
  bash lab/hosts.sh ssh "$1" "curl -s -o $([ -n "$3" ] && echo /dev/null || echo -) ${3:+-w '$3'} http://127.0.0.1:5080$2"
}
room_metadata() {  # room_metadata I ROOM: the room broadcast's metaData, as Circle's users see it
  rest_on_host "$1" "/live/rest/v2/broadcasts/$2" "" | python3 -c 'import json, sys; print(json.load(sys.stdin).get("metaData"))'
}

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
circle_hosts='[]'
[ "$circle_host" -ge 1 ] && [ "$circle_host" -le "$hosts" ] && circle_hosts="[\"ams$circle_host\"]"
playbook=("$repo/.venv/bin/ansible-playbook" -i "$repo/.work/molecule/hosts.yml" -i "$repo/.work/molecule/inventory.yml"
  -e "@scripts/demo/group_vars.yml" -e "{\"demo_circle_hosts\": $circle_hosts}")

cleanup() { step "tearing the fleet down"; bash tests/roles/lab.sh down >/dev/null 2>&1 || true; }
trap cleanup EXIT

step "booting $hosts media servers (Debian, systemd, sshd, the AMS stand-in as service antmedia)"
bash tests/roles/lab.sh up "$hosts" | tail -1
"${playbook[@]}" extensions/molecule/resources/prepare.yml > "$work.prepare.log" 2>&1 \
  || { tail -30 "$work.prepare.log"; exit 1; }

if [ "$circle_hosts" != '[]' ]; then
  step "ams$circle_host runs app live as Circle (the conference application) and answers as AMS 3.0.1"
  # the lab's switch for a test host (lab/README.md): extra stand-in arguments, read by the antmedia unit
  bash lab/hosts.sh ssh "$circle_host" "echo 'ANTMEDIA_STANDIN_ARGS=\"--app-kind live=circle --server-version 3.0.1\"' \
    > /etc/default/antmedia && systemctl restart antmedia"
  circle_ip=10.77.0.$((10 + circle_host))
  shape=""
  for _ in $(seq 1 150); do  # polled: until the new process answers, ready, with the new shape
    shape=$(curl --noproxy '*' -fsS --max-time 2 "http://$circle_ip:5080/_lab/health" 2>/dev/null | python3 -c '
import json, sys
health = json.load(sys.stdin)
print("%s %s %s" % (health.get("ready"), health.get("serverVersion"), health.get("appKinds", {}).get("live")))' \
      2>/dev/null || true)
    [ "$shape" = "True 3.0.1 circle" ] && break
    sleep 0.2
  done
  [ "$shape" = "True 3.0.1 circle" ] || { echo "demo: ams$circle_host did not come back as a Circle app ($shape)" >&2; exit 1; }
  # what a client sees there: "not found" is a 200 page, not a 404
  printf 'ams%s: GET /live/rest/v2/broadcasts/no-such-room -> %s\n' "$circle_host" \
    "$(rest_on_host "$circle_host" /live/rest/v2/broadcasts/no-such-room 'HTTP %{http_code}, %{content_type}')"
fi

# the servers' management API takes a server JWT (provision.yml sets the app settings with it)
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

step "participants join rooms (the stand-in's control interface, not the AMS API; after the restart, which ends every stream)"
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

step "record.yml: record every room declared in inventory"
"${playbook[@]}" -e @scripts/demo/rooms.yml playbooks/record.yml | grep -E '^(ams[0-9]+ +:)'
step "record.yml again: nothing to change"
"${playbook[@]}" -e @scripts/demo/rooms.yml playbooks/record.yml | grep -E '^(ams[0-9]+ +:)'
if [ "$circle_hosts" != '[]' ]; then
  for room in "board-ams$circle_host" "standup-ams$circle_host"; do  # what Circle's users see: the room records
    printf 'ams%s: room %s metaData %s\n' "$circle_host" "$room" "$(room_metadata "$circle_host" "$room")"
  done
fi

step "the meeting goes on for 6 seconds"
sleep 6

step "record.yml with the rooms stopped: the recordings become VoDs"
"${playbook[@]}" -e @scripts/demo/rooms-stopped.yml playbooks/record.yml | grep -E '^(ams[0-9]+ +:)'
if [ "$circle_hosts" != '[]' ]; then
  printf 'ams%s: room board-ams%s metaData %s\n' "$circle_host" "$circle_host" "$(room_metadata "$circle_host" "board-ams$circle_host")"
fi

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
