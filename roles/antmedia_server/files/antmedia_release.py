"""Stage, swap in, roll back and prune Ant Media Server release folders (run on the media host by
the antmedia_server role through ansible.builtin.script; stdlib only).

    antmedia_release.py prepare ZIP STAGE VERSION USER GROUP
    antmedia_release.py swap STAGE DEST BACKUP USER GROUP KEEP_JSON MOVE_JSON
    antmedia_release.py rollback DEST BACKUP
    antmedia_release.py prune PREFIX FAILED_PREFIX KEEP

prepare (server still running): unpacks the release zip (top folder ant-media-server/) into STAGE,
file modes normalised (no write bit for group or others, no set-id bit), checks that its
ant-media-server.jar declares VERSION, keeps the native libraries of this machine as lib/native
(lib/native-linux-MACHINE, the others removed, as Ant Media's installer does) and owns STAGE by
USER:GROUP. Nothing outside STAGE is touched.
swap (server stopped): when DEST exists, creates in STAGE every application of DEST the release
lacks (from the release's StreamApp war), MOVES each MOVE path (globs relative to DEST, e.g. each
app's streams/: a rename, so the time does not grow with the recordings) and copies each KEEP path
into STAGE; plugins/ of DEST are carried only for jars that are not the release's own (the same
artifact in another version counts as the release's own); moves DEST to BACKUP (mode 0700, a note of
what was moved in BACKUP/.mediaops-backup.json) and STAGE to DEST.
rollback: moves the failed DEST aside (DEST.failed-DATE, 0700), the moved paths back into BACKUP,
and BACKUP back to DEST with its old mode.
prune: keeps the KEEP newest PREFIX* backups and the KEEP newest FAILED_PREFIX* failed installs.
Prints one JSON object; exit 1 with {"failed": true, "msg": ...} on an error."""
import glob
import grp
import json
import os
import platform
import pwd
import re
import shutil
import stat
import sys
import time
import zipfile

TOP = "ant-media-server"
JAR = "ant-media-server.jar"
NOTE = ".mediaops-backup.json"


class ReleaseError(Exception):
    pass


def jar_version(folder):
    try:
        with zipfile.ZipFile(os.path.join(folder, JAR)) as jar:
            manifest = jar.read("META-INF/MANIFEST.MF").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile) as error:
        return None, str(error)
    for line in manifest.splitlines():
        if line.startswith("Implementation-Version:"):
            return line.split(":", 1)[1].strip(), ""
    return None, "no Implementation-Version in its manifest"


def safe_mode(mode, is_dir):
    """The zip's mode without write for group and others and without set-id or sticky bits."""
    mode &= 0o755
    if is_dir:
        return mode | 0o700 if mode else 0o755
    return mode | 0o600 if mode else 0o644


def remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)


def chown_tree(folder, user, group):
    uid, gid = pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid
    os.lchown(folder, uid, gid)
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            os.lchown(os.path.join(root, name), uid, gid)


def machine_native(machine=None):
    machine = machine or platform.machine()
    return "native-linux-" + {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


def prepare(zip_path, stage, version, user, group, machine=None):
    remove(stage)
    os.makedirs(stage, mode=0o700)
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
        if not names or any(not (name == TOP + "/" or name.startswith(TOP + "/")) for name in names):
            raise ReleaseError("%s is not an Ant Media Server release: every entry must be under %s/" % (zip_path, TOP))
        if any(".." in name.split("/") or name.startswith("/") for name in names):
            raise ReleaseError("%s holds a path outside %s/" % (zip_path, TOP))
        folders = []
        for info in archive.infolist():
            path = archive.extract(info, stage)
            mode = (info.external_attr >> 16) & 0o7777
            if info.is_dir():
                folders.append((path, mode))
            elif not os.path.islink(path):
                os.chmod(path, safe_mode(mode, False))
        for path, mode in folders:
            os.chmod(path, safe_mode(mode, True))
    release = os.path.join(stage, TOP)
    found, reason = jar_version(release)
    if found != version:
        detail = " (%s: %s)" % (JAR, reason) if reason else ""
        raise ReleaseError("%s holds version %s, not %s%s" % (zip_path, found or "unknown", version, detail))
    lib = os.path.join(release, "lib")
    wanted = machine_native(machine)
    if os.path.isdir(os.path.join(lib, wanted)):
        remove(os.path.join(lib, "native"))
        os.rename(os.path.join(lib, wanted), os.path.join(lib, "native"))
    elif not os.path.isdir(os.path.join(lib, "native")):
        raise ReleaseError("%s has no native libraries for this machine (no lib/%s)" % (zip_path, wanted))
    for other in glob.glob(os.path.join(lib, "native-*")):
        remove(other)
    chown_tree(release, user, group)
    return {"changed": True, "stage": release, "version": version}


def artifact_key(jar_name):
    """ant-media-enterprise-3.0.3.jar -> ant-media-enterprise; ffmpeg-7.1-1.5.11-linux-x86_64.jar
    -> ffmpeg-linux-x86_64: the name without its version parts, so two versions of one artifact match."""
    parts = jar_name[:-len(".jar")].split("-")
    return "-".join(part for part in parts if not re.match(r"^v?[0-9]", part))


def carried_plugins(old_plugins, new_plugins):
    """What of the old plugins/ goes into the new release: what the release does not ship, jars that
    are not another version of one it ships (an old release's own jars stay behind)."""
    shipped = set(os.listdir(new_plugins)) if os.path.isdir(new_plugins) else set()
    shipped_keys = {artifact_key(name) for name in shipped if name.endswith(".jar")}
    carried, left = [], []
    for name in sorted(os.listdir(old_plugins)) if os.path.isdir(old_plugins) else []:
        if name in shipped or (name.endswith(".jar") and artifact_key(name) in shipped_keys):
            left.append(name)
        else:
            carried.append(name)
    return carried, left


def copy_path(source, target):
    os.makedirs(os.path.dirname(target), exist_ok=True)
    if os.path.islink(source) or not os.path.isdir(source):
        remove(target)
        shutil.copy2(source, target, follow_symlinks=False)
    else:
        shutil.copytree(source, target, symlinks=True, dirs_exist_ok=True)


def unpack_template(release, app):
    templates = sorted(glob.glob(os.path.join(release, "StreamApp*.war")))
    target = os.path.join(release, "webapps", app)
    os.makedirs(target)
    if templates:
        with zipfile.ZipFile(templates[-1]) as war:
            war.extractall(target)
    return target


def owned_like(path, reference):
    info = os.lstat(reference)
    os.lchown(path, info.st_uid, info.st_gid)
    if os.path.isdir(path) and not os.path.islink(path):
        for root, dirs, files in os.walk(path):
            for name in dirs + files:
                os.lchown(os.path.join(root, name), info.st_uid, info.st_gid)


def swap(stage, dest, backup, user, group, keep_json, move_json):
    keep, move = json.loads(keep_json), json.loads(move_json)
    if not os.path.isfile(os.path.join(stage, JAR)):
        raise ReleaseError("no prepared release at %s" % stage)
    kept, moved, apps, plugins_left = [], [], [], []
    backed_up = False
    try:
        if os.path.isdir(dest):
            webapps = os.path.join(dest, "webapps")
            for app in sorted(os.listdir(webapps)) if os.path.isdir(webapps) else []:
                if os.path.isdir(os.path.join(webapps, app)) and not os.path.exists(os.path.join(stage, "webapps", app)):
                    owned_like(unpack_template(stage, app), stage)
                    apps.append(app)
            for pattern in move:
                for source in sorted(glob.glob(os.path.join(dest, pattern))):
                    relative = os.path.relpath(source, dest)
                    target = os.path.join(stage, relative)
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    remove(target)
                    os.rename(source, target)  # one filesystem: the recordings are not copied
                    moved.append(relative)
            for pattern in keep:
                for source in sorted(glob.glob(os.path.join(dest, pattern))):
                    relative = os.path.relpath(source, dest)
                    if relative.split(os.sep)[0] == "plugins" or relative in moved:
                        continue
                    copy_path(source, os.path.join(stage, relative))
                    owned_like(os.path.join(stage, relative), stage)
                    kept.append(relative)
            carried, plugins_left = carried_plugins(os.path.join(dest, "plugins"), os.path.join(stage, "plugins"))
            for name in carried:
                copy_path(os.path.join(dest, "plugins", name), os.path.join(stage, "plugins", name))
                owned_like(os.path.join(stage, "plugins", name), stage)
                kept.append(os.path.join("plugins", name))
            mode = stat.S_IMODE(os.stat(dest).st_mode)
            with open(os.path.join(dest, NOTE), "w") as note:
                json.dump({"mode": mode, "moved": moved}, note)
            os.rename(dest, backup)
            backed_up = True
            os.chmod(backup, 0o700)  # it holds keys and settings
        os.rename(stage, dest)
    except (OSError, ValueError):
        # Put back what was moved, so the old install is whole again.
        if os.path.exists(os.path.join(dest, NOTE)):
            os.unlink(os.path.join(dest, NOTE))
        if backed_up and not os.path.lexists(dest):
            os.rename(backup, dest)
        for relative in moved:
            if os.path.lexists(os.path.join(stage, relative)) and not os.path.lexists(os.path.join(dest, relative)):
                os.rename(os.path.join(stage, relative), os.path.join(dest, relative))
        raise
    if not os.listdir(os.path.dirname(stage)):
        os.rmdir(os.path.dirname(stage))  # the empty staging folder prepare made
    os.lchown(dest, pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid)
    return {"changed": True, "backup": backup if backed_up else "", "kept": kept, "moved": moved,
            "apps_from_template": apps, "plugins_left_behind": plugins_left}


def rollback(dest, backup):
    if not os.path.isdir(backup):
        raise ReleaseError("no backup at %s: nothing to roll back to" % backup)
    try:
        with open(os.path.join(backup, NOTE)) as handle:
            note = json.load(handle)
    except (OSError, ValueError):
        note = {"mode": 0o755, "moved": []}
    failed = ""
    if os.path.lexists(dest):
        failed = "%s.failed-%s" % (dest.rstrip("/"), time.strftime("%Y-%m-%d_%H-%M-%S"))
        os.rename(dest, failed)
        os.chmod(failed, 0o700)
        for relative in note.get("moved", []):
            source, target = os.path.join(failed, relative), os.path.join(backup, relative)
            if os.path.lexists(source) and not os.path.lexists(target):
                os.makedirs(os.path.dirname(target), exist_ok=True)
                os.rename(source, target)
    if os.path.exists(os.path.join(backup, NOTE)):
        os.unlink(os.path.join(backup, NOTE))
    os.chmod(backup, int(note.get("mode", 0o755)))
    os.rename(backup, dest)
    return {"changed": True, "failed_install": failed, "version": jar_version(dest)[0] or ""}


def prune(prefix, failed_prefix, keep):
    keep = int(keep)
    removed = []
    for pattern in (prefix, failed_prefix):
        found = sorted((path for path in glob.glob(glob.escape(pattern) + "*") if os.path.isdir(path)
                        and not os.path.islink(path)), key=lambda path: (os.lstat(path).st_mtime, path), reverse=True)
        for path in found[keep:]:
            shutil.rmtree(path)
            removed.append(path)
    return {"changed": bool(removed), "removed": removed}


COMMANDS = {"prepare": (prepare, 5), "swap": (swap, 7), "rollback": (rollback, 2), "prune": (prune, 3)}


def main(argv):
    command = COMMANDS.get(argv[0] if argv else "")
    if not command or len(argv) - 1 != command[1]:
        print(json.dumps({"failed": True, "msg": "usage: " + " | ".join(sorted(COMMANDS)) + " (see the script)"}))
        return 1
    try:
        print(json.dumps(command[0](*argv[1:])))
        return 0
    except ReleaseError as error:
        message = str(error)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        message = "%s: %s" % (getattr(error, "strerror", None) or "error", getattr(error, "filename", None) or error)
    print(json.dumps({"failed": True, "msg": message}))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
