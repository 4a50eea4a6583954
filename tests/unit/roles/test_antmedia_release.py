"""roles/antmedia_server/files/antmedia_release.py on real folders: staging with normalised modes and the
machine's native libraries, the swap that moves recordings (same inode: not copied) and keeps third-party
plugins only, 0700 backups, the rollback that brings the recordings back, and the pruning of old backups."""
import grp
import importlib.util
import io
import json
import os
import pwd
import stat
import zipfile

import pytest

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "roles", "antmedia_server", "files",
                      "antmedia_release.py")
spec = importlib.util.spec_from_file_location("antmedia_release", SCRIPT)
release = importlib.util.module_from_spec(spec)
spec.loader.exec_module(release)

USER = pwd.getpwuid(os.getuid()).pw_name
GROUP = grp.getgrgid(os.getgid()).gr_name
TOP = "ant-media-server/"


def jar(version):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nImplementation-Version: %s\r\n\r\n" % version)
    return buffer.getvalue()


def make_zip(path, version, extra=(), natives=("x86_64", "aarch64")):
    entries = [(TOP, b"", 0o40755), (TOP + "ant-media-server.jar", jar(version), 0o100666),
               (TOP + "start.sh", b"#!/bin/sh\n", 0o104777), (TOP + "plugins/", b"", 0o40777),
               (TOP + "plugins/ant-media-enterprise-%s.jar" % version, b"jar", 0o100644),
               (TOP + "plugins/ffmpeg-7.1-1.5.11-linux-x86_64.jar", b"jar", 0o100644),
               (TOP + "webapps/LiveApp/WEB-INF/red5-web.properties", b"new=1\n", 0o100644),
               (TOP + "conf/red5.properties", b"server.licence_key=\n", 0o100644)]
    entries += [(TOP + "lib/native-linux-%s/libjingle_peerconnection_so.so" % arch, arch.encode(), 0o100755)
                for arch in natives]
    entries += list(extra)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = mode << 16
            archive.writestr(info, data)
    return path


def test_prepare_normalises_modes_and_keeps_the_machines_natives(tmp_path):
    out = release.prepare(make_zip(tmp_path / "r.zip", "3.0.3"), str(tmp_path / "stage"), "3.0.3", USER, GROUP,
                          machine="aarch64")
    root = out["stage"]
    for folder, dirs, files in os.walk(root):
        for name in dirs + files + [""]:
            mode = os.lstat(os.path.join(folder, name)).st_mode
            assert not mode & (stat.S_IWGRP | stat.S_IWOTH | stat.S_ISUID | stat.S_ISGID), (folder, name, oct(mode))
    assert stat.S_IMODE(os.stat(os.path.join(root, "start.sh")).st_mode) == 0o755
    assert open(os.path.join(root, "lib/native/libjingle_peerconnection_so.so")).read() == "aarch64"
    assert sorted(os.listdir(os.path.join(root, "lib"))) == ["native"]


def test_prepare_refuses_a_wrong_version_or_missing_natives(tmp_path):
    with pytest.raises(release.ReleaseError, match="holds version 3.0.3, not 3.0.2"):
        release.prepare(make_zip(tmp_path / "r.zip", "3.0.3"), str(tmp_path / "s"), "3.0.2", USER, GROUP)
    with pytest.raises(release.ReleaseError, match="no native libraries for this machine .no lib/native-linux-aarch64"):
        release.prepare(make_zip(tmp_path / "n.zip", "3.0.3", natives=("x86_64",)), str(tmp_path / "s"), "3.0.3",
                        USER, GROUP, machine="aarch64")


@pytest.mark.parametrize("name, key", [("ant-media-enterprise-3.0.3.jar", "ant-media-enterprise"),
                                       ("ffmpeg-7.1-1.5.11-linux-x86_64.jar", "ffmpeg-linux-x86_64"),
                                       ("media-push.jar", "media-push"), ("acme-overlay-v2.1.jar", "acme-overlay")])
def test_artifact_key(name, key):
    assert release.artifact_key(name) == key


def old_install(tmp_path):
    dest = tmp_path / "antmedia"
    (dest / "webapps/LiveApp/streams").mkdir(parents=True)
    (dest / "webapps/LiveApp/streams/room.mp4").write_bytes(b"x" * 4096)
    (dest / "webapps/LiveApp/WEB-INF").mkdir()
    (dest / "webapps/LiveApp/WEB-INF/red5-web.properties").write_text("old=1\n")
    (dest / "webapps/mine/streams").mkdir(parents=True)
    (dest / "webapps/mine/streams/a.webm").write_text("a")
    (dest / "plugins").mkdir()
    for name in ("ant-media-enterprise-2.17.1.jar", "ffmpeg-6.1.1-1.5.10-linux-x86_64.jar", "media-push.jar",
                 "acme-overlay-1.2.jar"):
        (dest / "plugins" / name).write_text(name)
    (dest / "server.db").write_text("db")
    (dest / "conf").mkdir()
    (dest / "conf/red5.properties").write_text("server.licence_key=KEY\n")
    (dest / "ant-media-server.jar").write_bytes(jar("2.17.1"))
    return dest


def test_swap_moves_recordings_keeps_settings_and_third_party_plugins_only(tmp_path):
    dest = old_install(tmp_path)
    inode = os.stat(dest / "webapps/LiveApp/streams/room.mp4").st_ino
    stage = release.prepare(make_zip(tmp_path / "r.zip", "3.0.3"), str(tmp_path / "stage"), "3.0.3", USER,
                            GROUP)["stage"]
    backup = str(tmp_path / "antmedia-backup-1")
    out = release.swap(stage, str(dest), backup, USER, GROUP,
                       json.dumps(["webapps/*/WEB-INF/red5-web.properties", "*.db", "conf/red5.properties"]),
                       json.dumps(["webapps/*/streams"]))
    assert os.stat(dest / "webapps/LiveApp/streams/room.mp4").st_ino == inode  # moved, not copied
    assert not os.path.exists(os.path.join(backup, "webapps/LiveApp/streams"))
    assert (dest / "webapps/mine/streams/a.webm").read_text() == "a"
    assert (dest / "webapps/LiveApp/WEB-INF/red5-web.properties").read_text() == "old=1\n"
    assert (dest / "conf/red5.properties").read_text() == "server.licence_key=KEY\n"
    assert (dest / "server.db").exists()
    assert sorted(os.listdir(dest / "plugins")) == ["acme-overlay-1.2.jar", "ant-media-enterprise-3.0.3.jar",
                                                    "ffmpeg-7.1-1.5.11-linux-x86_64.jar", "media-push.jar"]
    assert sorted(out["plugins_left_behind"]) == ["ant-media-enterprise-2.17.1.jar",
                                                  "ffmpeg-6.1.1-1.5.10-linux-x86_64.jar"]
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o700
    assert not os.path.exists(tmp_path / "stage")
    assert release.jar_version(str(dest))[0] == "3.0.3"

    back = release.rollback(str(dest), backup)
    assert back["version"] == "2.17.1"
    assert os.stat(dest / "webapps/LiveApp/streams/room.mp4").st_ino == inode  # moved back
    assert stat.S_IMODE(os.stat(dest).st_mode) != 0o700
    assert stat.S_IMODE(os.stat(back["failed_install"]).st_mode) == 0o700
    assert not os.path.exists(dest / release.NOTE)


def test_prune_keeps_the_newest(tmp_path):
    for index in range(5):
        path = tmp_path / ("antmedia-backup-%d" % index)
        path.mkdir()
        os.utime(path, (1000 + index, 1000 + index))
    (tmp_path / "antmedia.failed-1").mkdir()
    out = release.prune(str(tmp_path / "antmedia-backup-"), str(tmp_path / "antmedia.failed-"), "2")
    assert sorted(os.listdir(tmp_path)) == ["antmedia-backup-3", "antmedia-backup-4", "antmedia.failed-1"]
    assert len(out["removed"]) == 3
    assert release.prune(str(tmp_path / "antmedia-backup-"), str(tmp_path / "antmedia.failed-"), "2")["changed"] is False
