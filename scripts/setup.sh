#!/usr/bin/env bash
# Idempotent developer/CI setup: system packages, the pinned venvs, and the
# ansible_collections layout the tools expect. Safe to run again; fast when done.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

apt_packages=(ffmpeg debootstrap systemd-container openssh-client iproute2 openssl)
# ansible-rulebook (the eda test stage) runs its rules engine on a Java 17 runtime
apt_packages+=(openjdk-17-jre-headless)
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}"
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# --packages: only the system packages (demo.sh builds the test hosts' image while the venvs are made)
[ "${1:-}" != "--packages" ] || exit 0

make_venv() {  # make_venv DIR PYTHON REQUIREMENTS
  local dir=$1 python=$2 reqs=$3 stamp
  stamp="$dir/.requirements.sha256"
  if [ -f "$stamp" ] && sha256sum --status -c "$stamp" 2>/dev/null; then
    return 0
  fi
  echo "setup: creating $dir ($python)"
  rm -rf "$dir"
  "$python" -m venv "$dir"
  # pip is chatty about local index folders that do not exist; keep its log, show it on failure
  if ! { "$dir/bin/pip" install -q --upgrade pip && "$dir/bin/pip" install -q -r "$reqs"; } >"$dir.pip.log" 2>&1; then
    cat "$dir.pip.log" >&2
    echo "setup: pip install into $dir failed" >&2
    exit 1
  fi
  sha256sum "$reqs" > "$stamp"
}

find_python() {  # find_python 3.12 -> a working python3.12 (pyenv shims may exist but not run)
  local version=$1 candidate
  for candidate in "$HOME/.pyenv/versions/$version"*/bin/"python$version" "python$version"; do
    if "$candidate" -c 'import venv' >/dev/null 2>&1; then command -v "$candidate"; return 0; fi
  done
  return 1
}

py311=$(find_python 3.11) || { echo "setup: Python 3.11 is required" >&2; exit 1; }
make_venv "$repo/.venv" "$py311" "$repo/tests/requirements-dev.txt"
if py312=$(find_python 3.12); then
  make_venv "$repo/.venv312" "$py312" "$repo/tests/requirements-dev-2.21.txt"
else
  echo "setup: no Python 3.12 found; ansible-core 2.21 checks will be skipped" >&2
fi
# ansible-runner (as AWX runs a job) for tests/runner, and py-spy for the SSH fleet benchmark's profile:
# a venv of their own (.venv-runner), remade only when tests/requirements-runner.txt changes.
make_venv "$repo/.venv-runner" "$py311" "$repo/tests/requirements-runner.txt"

# Event-Driven Ansible: ansible-rulebook and its ansible-core in their own venv (the eda test stage, the EDA
# benchmark); ansible-rulebook runs ansible-galaxy and ansible-playbook from this venv's bin/ on PATH.
make_venv "$repo/.venv-eda" "$py311" "$repo/tests/requirements-eda.txt"

# Playbooks and pytest import the collection through this path (a link to the checkout).
mkdir -p "$repo/.work/collections/ansible_collections/mediaops"
ln -sfn "$repo" "$repo/.work/collections/ansible_collections/mediaops/antmedia"

# ansible-test cannot run the sanity test without this stand-in for its get-pip download
# (ansible-core 2.19 asks for pip 24.2, 2.21 for pip 25.2).
for pip_version in 24_2 25_2; do
  getpip="$HOME/.ansible/test/cache/get_pip_$pip_version.py"
  if [ ! -f "$getpip" ]; then
    mkdir -p "$(dirname "$getpip")"
    cp "$repo/scripts/get_pip_offline.py" "$getpip"
  fi
done
echo "setup: ready"
