"""Install or roll back an Ant Media Server release folder (run on the media host by the
antmedia_server role through ansible.builtin.script; stdlib only).

    antmedia_release.py install ZIP DEST VERSION BACKUP USER GROUP KEEP_JSON
    antmedia_release.py rollback DEST BACKUP

install: unpacks the release zip (top folder ant-media-server/) next to DEST, checks that its
ant-media-server.jar declares VERSION (Implementation-Version), and when DEST exists: creates
from the new release's app template every application of the old install that the release
lacks, copies each KEEP path (globs relative to DEST) from the old install over the new one
(plugins/ files only where the release has none of that name), moves DEST to BACKUP and the
new tree to DEST; then owns DEST by USER:GROUP. DEST is replaced only once the new tree is
complete: any failure before leaves DEST as it was.
rollback: moves the failed DEST aside (DEST.failed-...) and BACKUP back to DEST.
Prints one JSON object; exit 1 with {"failed": true, "msg": ...} on an error."""
import glob
import grp
import json
import os
import pwd
import shutil
import sys
import tempfile
import time
import zipfile

TOP = "ant-media-server"
JAR = "ant-media-server.jar"


def fail(message):
    print(json.dumps({"failed": True, "msg": message}))
    sys.exit(1)


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


def copy_path(source, target):
    if os.path.islink(source) or not os.path.isdir(source):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.isdir(target) and not os.path.islink(target):
            shutil.rmtree(target)
        elif os.path.lexists(target):
            os.unlink(target)
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


def chown_tree(folder, user, group):
    uid, gid = pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid
    for root, dirs, files in os.walk(folder):
        for name in [root] + [os.path.join(root, entry) for entry in dirs + files]:
            os.lchown(name, uid, gid)


def install(zip_path, dest, version, backup, user, group, keep_json):
    keep = json.loads(keep_json)
    parent = os.path.dirname(dest.rstrip("/")) or "/"
    work = tempfile.mkdtemp(prefix=".antmedia-release-", dir=parent)
    try:
        with zipfile.ZipFile(zip_path) as archive:
            names = archive.namelist()
            if not names or any(not (name == TOP + "/" or name.startswith(TOP + "/")) for name in names):
                fail("%s is not an Ant Media Server release: every entry must be under %s/" % (zip_path, TOP))
            for info in archive.infolist():
                path = archive.extract(info, work)
                mode = (info.external_attr >> 16) & 0o7777
                if mode and not info.is_dir():
                    os.chmod(path, mode)
        release = os.path.join(work, TOP)
        found, reason = jar_version(release)
        if found != version:
            detail = " (%s: %s)" % (JAR, reason) if reason else ""
            fail("%s holds version %s, not %s%s" % (zip_path, found or "unknown", version, detail))
        kept, apps = [], []
        if os.path.isdir(dest):
            for old_app in sorted(os.listdir(os.path.join(dest, "webapps")) if os.path.isdir(os.path.join(dest, "webapps")) else []):
                if os.path.isdir(os.path.join(dest, "webapps", old_app)) and not os.path.exists(os.path.join(release, "webapps", old_app)):
                    unpack_template(release, old_app)
                    apps.append(old_app)
            for pattern in keep:
                for source in sorted(glob.glob(os.path.join(dest, pattern))):
                    relative = os.path.relpath(source, dest)
                    target = os.path.join(release, relative)
                    if relative.split(os.sep)[0] == "plugins" and os.path.lexists(target):
                        continue  # the release's own plugin of that name wins
                    copy_path(source, target)
                    kept.append(relative)
            os.rename(dest, backup)
        os.rename(release, dest)
        chown_tree(dest, user, group)
        print(json.dumps({"changed": True, "backup": backup if os.path.isdir(backup) else "",
                          "kept": kept, "apps_from_template": apps, "version": version}))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def rollback(dest, backup):
    if not os.path.isdir(backup):
        fail("no backup at %s: nothing to roll back to" % backup)
    failed = ""
    if os.path.lexists(dest):
        failed = "%s.failed-%s" % (dest.rstrip("/"), time.strftime("%Y-%m-%d_%H-%M-%S"))
        os.rename(dest, failed)
    os.rename(backup, dest)
    version = jar_version(dest)[0]
    print(json.dumps({"changed": True, "failed_install": failed, "version": version or ""}))


def main(argv):
    try:
        if len(argv) == 8 and argv[0] == "install":
            install(*argv[1:])
        elif len(argv) == 3 and argv[0] == "rollback":
            rollback(*argv[1:])
        else:
            fail("usage: install ZIP DEST VERSION BACKUP USER GROUP KEEP_JSON | rollback DEST BACKUP")
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        fail("%s: %s" % (type(error).__name__, error))


if __name__ == "__main__":
    main(sys.argv[1:])
