#!/usr/bin/env bash
# Publishing checks (CI runs them as the test stage "publish"):
#   - builds the collection tarball into .work/dist and checks it holds only the collection, and of the tests only
#     those that run from the tarball (tests/unit: none needs lab/);
#   - galaxy-importer on the tarball (its ansible-lint and ansible-doc steps included): no ERROR, no WARNING;
#   - ansible-builder: the EE definition in docs/ makes a build context, and introspection finds the
#     collection's Python and system dependencies;
#   - antsibull-changelog lint, and the CHANGELOG rendered from changelogs/ (.work/dist/CHANGELOG.md);
#   - the module, plugin and role docs rendered to HTML with antsibull-docs and Sphinx, offline:
#     .work/docs/build/html/index.html (the user guide in docs/ is part of the collection).
# Tools come from .venv-publish (tests/requirements-publish.txt), made here when missing or changed.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
venv=$repo/.venv-publish
requirements=tests/requirements-publish.txt
stamp=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ "$(cat "$venv/.stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "publish: creating $venv"
  rm -rf "$venv"
  "${PYTHON311:-$(command -v python3.11 || echo "$HOME/.pyenv/versions/3.11.7/bin/python3.11")}" -m venv "$venv"
  "$venv/bin/pip" install -q -r "$requirements" > "$repo/.venv-publish.pip.log" 2>&1 \
    || { tail -20 "$repo/.venv-publish.pip.log"; exit 1; }
  echo "$stamp" > "$venv/.stamp"
fi
export PATH="$venv/bin:$PATH"
dist=$repo/.work/dist
rm -rf "$dist"; mkdir -p "$dist"

echo "publish: building the collection"
ansible-galaxy collection build --output-path "$dist" . > /dev/null
tarball=$(ls "$dist"/mediaops-antmedia-*.tar.gz)
unwanted=$(tar tzf "$tarball" | grep -E '^(lab|benchmarks|scripts|\.work|\.venv[^/]*|tests/output|tests/lab|tests/hosts|tests/roles|\.ci)(/|$)' || true)
[ -z "$unwanted" ] || { echo "publish: the tarball holds files that are not the collection:"; echo "$unwanted"; exit 1; }
# The tarball ships only tests that run from it: nothing under tests/ but tests/unit and requirements files, and no
# shipped file under tests/ names the stand-in (lab/, ams_standin), which the tarball leaves out.
stray_tests=$(tar tzf "$tarball" | grep -E '^tests/' | grep -vE '^tests/(unit(/|$)|requirements[^/]*\.txt$)|^tests/$' || true)
[ -z "$stray_tests" ] || { echo "publish: the tarball ships tests that cannot run from it:"; echo "$stray_tests"; exit 1; }
rm -rf "$dist/unpacked"; mkdir -p "$dist/unpacked"; tar xzf "$tarball" -C "$dist/unpacked" tests
lab_users=$(grep -rlE '(^|[^A-Za-z_])lab/|ams_standin|import lab|from lab|"lab"' "$dist/unpacked/tests" || true)
[ -z "$lab_users" ] || { echo "publish: shipped tests need lab/, which the tarball excludes:"; echo "$lab_users"; exit 1; }
rm -rf "$dist/unpacked"
echo "publish: $(basename "$tarball"): $(tar tzf "$tarball" | wc -l) entries, $(du -k "$tarball" | cut -f1) KiB"

echo "publish: galaxy-importer"
cat > "$dist/galaxy-importer.cfg" <<CFG
[galaxy-importer]
LOG_LEVEL_MAIN = INFO
RUN_ANSIBLE_TEST = False
RUN_ANSIBLE_LINT = True
OFFLINE_ANSIBLE_LINT = True
CHECK_REQUIRED_TAGS = False
ANSIBLE_LOCAL_TMP = $dist/ansible-tmp
CFG
# from $dist: the importer writes importer_result.json into the current directory
(cd "$dist" && GALAXY_IMPORTER_CONFIG="$dist/galaxy-importer.cfg" python -m galaxy_importer.main "$tarball") \
  > "$dist/importer.log" 2>&1 || { tail -40 "$dist/importer.log"; echo "publish: galaxy-importer failed"; exit 1; }
if grep -E '^(ERROR|WARNING)|ERROR:|WARNING:' "$dist/importer.log" | grep -v 'Location .* is ignored'; then
  echo "publish: galaxy-importer reported the lines above (log: $dist/importer.log)"; exit 1
fi
grep -E 'Importing with galaxy-importer|content' "$dist/importer.log" | head -3 || true
echo "publish: galaxy-importer: no error, no warning ($(grep -c 'Loading' "$dist/importer.log" || true) content items loaded)"

echo "publish: ansible-builder"
ansible-builder create -f docs/execution-environment.yml -c "$dist/ee-context" > "$dist/builder.log" 2>&1 \
  || { cat "$dist/builder.log"; exit 1; }
[ -f "$dist/ee-context/Containerfile" ] || [ -f "$dist/ee-context/Dockerfile" ] || { echo "publish: ansible-builder made no build context"; exit 1; }
echo "publish: ansible-builder: build context in $dist/ee-context (the collection adds no Python or system dependency)"

echo "publish: changelog"
antsibull-changelog lint
# CHANGELOG.rst must be what changelogs/changelog.yaml renders to (regenerated in a copy, compared)
rm -rf "$dist/cl"; mkdir -p "$dist/cl"
cp -r changelogs galaxy.yml CHANGELOG.rst "$dist/cl/"
(cd "$dist/cl" && antsibull-changelog generate > /dev/null)
cmp -s CHANGELOG.rst "$dist/cl/CHANGELOG.rst" \
  || { diff CHANGELOG.rst "$dist/cl/CHANGELOG.rst" | head -20; echo "publish: CHANGELOG.rst is out of date"; exit 1; }
echo "publish: changelog: CHANGELOG.rst matches changelogs/changelog.yaml ($(grep -c '^v[0-9]' CHANGELOG.rst) release)"

echo "publish: rendering the docs"
docs=$repo/.work/docs
rm -rf "$docs"; mkdir -p "$docs"
# The docs are rendered from the tarball, installed here (no Galaxy: the collection has no dependency), so a fresh
# clone needs nothing that scripts/setup.sh makes.
collections=$dist/collections
export ANSIBLE_COLLECTIONS_PATH=$collections
ansible-galaxy collection install --offline --force -p "$collections" "$tarball" > "$dist/install.log" 2>&1 \
  || { tail -20 "$dist/install.log"; echo "publish: installing the tarball for the docs failed"; exit 1; }
[ -d "$collections/ansible_collections/mediaops/antmedia" ] \
  || { tail -20 "$dist/install.log"; echo "publish: the tarball was not installed for the docs"; exit 1; }
antsibull-docs sphinx-init --use-current --dest-dir "$docs" mediaops.antmedia > "$dist/sphinx-init.log" 2>&1 \
  || { tail -20 "$dist/sphinx-init.log"; echo "publish: antsibull-docs sphinx-init failed"; exit 1; }
# offline: no intersphinx inventories from the network
printf '\n# offline build (scripts/publish.sh)\nintersphinx_mapping = {}\n' >> "$docs/conf.py"
# build.sh exits non-zero on the offline link warnings filtered below; a build that made no page shows why here
(cd "$docs" && bash build.sh > "$docs/build.log" 2>&1) || true
[ -f "$docs/build/html/collections/mediaops/antmedia/index.html" ] \
  || { tail -30 "$docs/build.log"; echo "publish: the docs build made no page (log: $docs/build.log)"; exit 1; }
# Offline, the links into docs.ansible.com (common return values, configuration settings, what an action or a
# callback plugin is) cannot resolve; any other warning is ours and fails.
ours=$(grep 'WARNING' "$docs/build.log" | grep -v -e "undefined label: 'common_return_values'" \
  -e "undefined label: 'ansible_configuration_settings'" -e "undefined label: 'action_plugins'" \
  -e "undefined label: 'callback_plugins'" \
  -e "build finished with problems" || true)
[ -z "$ours" ] || { echo "$ours"; echo "publish: the docs have warnings"; exit 1; }
for page in mediaops/antmedia/media_push_module.html mediaops/antmedia/room_recordings_module.html \
            mediaops/antmedia/conference_recording_role.html; do
  [ -f "$docs/build/html/collections/$page" ] || { echo "publish: missing rendered page $page"; exit 1; }
done
echo "publish: docs rendered: $docs/build/html/collections/mediaops/antmedia/index.html"
echo "publish: all checks passed"
