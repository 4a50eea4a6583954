#!/usr/bin/env bash
# The project's whole test suite (the README's second command; CI runs it too).
#   scripts/test.sh            every stage
#   scripts/test.sh unit lab   only the named stages
# Every stage runs even when an earlier one failed; the script fails if any stage failed.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash scripts/setup.sh || exit 1

export ANSIBLE_COLLECTIONS_PATH="$repo/.work/collections"
export ANSIBLE_FORCE_COLOR=0 PY_COLORS=0
py311="$repo/.venv/bin/python"
have_312=false; [ -x "$repo/.venv312/bin/python" ] && have_312=true

# pytest exits 5 when it collected nothing: for us that is a failure, never a pass.
run_pytest() {  # run_pytest PYTHON ARGS...
  local python=$1; shift
  "$python" -m pytest -p no:cacheprovider "$@"
  local rc=$?
  [ $rc -eq 5 ] && echo "pytest collected no test: counted as a failure" >&2
  return $rc
}

stage_sanity() {
  bash scripts/sanity.sh "$repo/.venv" 3.11 || return 1
  if $have_312; then bash scripts/sanity.sh "$repo/.venv312" 3.12 || return 1; fi
}
stage_lint() {
  local PATH="$repo/.venv/bin:$PATH"
  # an installed copy of this collection would shadow the working tree (ansible-lint prefers it)
  rm -rf "${HOME:-/root}/.ansible/collections/ansible_collections/mediaops/antmedia"
  "$repo/.venv/bin/ansible-lint" --profile production --offline --nocolor || return 1
  "$repo/.venv/bin/antsibull-changelog" lint || return 1
}
stage_unit() {
  run_pytest "$py311" tests/unit || return 1
  if $have_312; then run_pytest "$repo/.venv312/bin/python" tests/unit || return 1; fi
}
stage_lab() { run_pytest "$py311" tests/lab; }
stage_integration() {
  run_pytest "$py311" -n 2 tests/integration || return 1
  if $have_312; then
    ANSIBLE_TEST_VENV="$repo/.venv312" run_pytest "$repo/.venv312/bin/python" -n 2 tests/integration || return 1
  fi
}
stage_hosts() { run_pytest "$py311" tests/hosts; }
stage_badinput() { run_pytest "$py311" tests/badinput; }
stage_roles() { run_pytest "$py311" -s tests/roles; }
stage_publish() { bash scripts/publish.sh; }
stage_playbooks() { run_pytest "$py311" tests/playbooks; }
# ansible-rulebook end to end: the receiver restart and the 200-room burst included.
stage_eda() { run_pytest "$repo/.venv-eda/bin/python" tests/eda; }
# The SSH fleet benchmark's short form on its own test hosts (counts, not times), and jobs through ansible-runner.
stage_fleet() {
  local rc=0
  "$py311" benchmarks/fleet_ssh.py --quick --ways ours || rc=1
  run_pytest "$repo/.venv-runner/bin/python" tests/runner || rc=1
  return $rc
}

all_stages=(sanity lint unit lab integration badinput hosts roles playbooks fleet eda publish)
stages=("$@"); [ ${#stages[@]} -gt 0 ] || stages=("${all_stages[@]}")
passed=0; failed=0; failed_names=()
for stage in "${stages[@]}"; do
  if ! declare -F "stage_$stage" >/dev/null; then echo "unknown stage: $stage (stages: ${all_stages[*]})" >&2; exit 2; fi
  echo "=== stage $stage"
  start=$(date +%s)
  if "stage_$stage"; then
    passed=$((passed + 1)); echo "=== stage $stage passed ($(( $(date +%s) - start )) s)"
  else
    failed=$((failed + 1)); failed_names+=("$stage"); echo "=== stage $stage FAILED ($(( $(date +%s) - start )) s)"
  fi
done
[ $failed -eq 0 ] || echo "failed stages: ${failed_names[*]}"
echo "stages: $passed passed, $failed failed"
[ $failed -eq 0 ]
