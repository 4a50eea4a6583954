#!/usr/bin/env bash
# ansible-test sanity on one ansible-core: scripts/sanity.sh [VENV_DIR] [PYTHON_VERSION]
# ansible-test wants the collection at .../ansible_collections/mediaops/antmedia inside a
# git repository, so the checkout's files (tracked and new, not ignored) are copied there.
# The lab, benchmarks and dev scripts are not part of the collection (galaxy.yml build_ignore)
# and are left out of the copy.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
venv=$(cd "${1:-$repo/.venv}" && pwd)
python_version=${2:-3.11}
venv_name=$(basename "$venv")
target="$repo/.work/ansible-test/$venv_name/ansible_collections/mediaops/antmedia"

rm -rf "$target"
mkdir -p "$target"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | grep -zEv '^(\.work|\.ci|lab|benchmarks|scripts|tests/lab|tests/hosts|tests/roles)/' |
  while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf -) | tar -xf - -C "$target"
git -C "$target" init -q
git -C "$target" add -A

cd "$target"
"$venv/bin/ansible-test" sanity --python "$python_version" --color no "${@:3}"
