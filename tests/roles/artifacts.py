#!/usr/bin/env python3
"""Make the artifacts the role tests install, so no test reaches the internet.

    python3 tests/roles/artifacts.py OUT_DIR

OUT_DIR/maven/   a Maven repository layout for io.antmedia.plugin:media-push:
                 real jar files (zip with META-INF/MANIFEST.MF carrying the
                 version), each with its .sha1 as Maven Central publishes it,
                 and maven-metadata.xml. Version BAD_VERSION is published with
                 a .sha1 that does not match its jar (a corrupted mirror).
OUT_DIR/debs/    google-chrome-stable_*.deb: a dummy package with Chrome's name
                 (test hosts cannot download Chrome); it installs a script
                 that prints a version, nothing more.
OUT_DIR/chromedriver   a dummy ChromeDriver (a script) for the placement test.
OUT_DIR/releases/ ant-media-server-VERSION.zip with VERSION.zip.sha256: release-shaped
                 zips of the AMS stand-in for the antmedia_server role, in the
                 layout of a real release (ant-media-server/ with antmedia.service,
                 start.sh, conf/, webapps/ and the app template StreamApp-VERSION.war,
                 plugins/, ant-media-server.jar whose manifest carries
                 Implementation-Version). start.sh reads that version from the jar
                 and starts the stand-in (shipped in lib/standin/) as that version.
                 BROKEN_RELEASE's start.sh exits 1 (a new version that cannot start).
                 Their server settings (the stand-in's conf/server-settings.json) turn
                 the server JWT filter on with SERVER_JWT_SECRET, as an operator's
                 red5.properties would, so that provision.yml can set application
                 settings right after installing the server.
                 Nothing in them is Ant Media's: every file is made here.

The jars are byte-for-byte reproducible (fixed timestamps), so a checksum
stays the same from one run to the next.
"""
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile

GROUP_PATH = "io/antmedia/plugin/media-push"
# 2.17.1 is the stand-in's default server version (the role installs the server's own version by default);
# 3.0.2 has no real jar (contract) but serves here as "another version" for the upgrade and mismatch tests.
VERSIONS = ("2.17.1", "3.0.0", "3.0.1", "3.0.2")
BAD_VERSION = "3.0.3"
CHROME_DEB_VERSION = "999.0.0.0-1"
FIXED_TIME = (2024, 1, 1, 0, 0, 0)
RELEASES = ("3.0.1", "3.0.2")
BROKEN_RELEASE = "3.0.3"
RELEASE_APPS = ("live", "LiveApp", "WebRTCAppEE")
STANDIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lab", "ams_standin")
SERVER_JWT_SECRET = "lab-server-jwt-secret-0123456789abcdef"


def server_settings():
    sys.path.insert(0, os.path.dirname(STANDIN))
    try:
        from ams_standin.settings import SERVER_SETTING_DEFAULTS
    finally:
        sys.path.pop(0)
    return dict(SERVER_SETTING_DEFAULTS, jwtServerControlEnabled=True, jwtServerSecretKey=SERVER_JWT_SECRET)


def jar_bytes(version):
    """A real jar: a zip whose first entry is META-INF/MANIFEST.MF."""
    manifest = (
        "Manifest-Version: 1.0\r\n"
        "Created-By: mediaops.antmedia role tests\r\n"
        "Implementation-Title: media-push\r\n"
        f"Implementation-Version: {version}\r\n"
        "Implementation-Vendor-Id: io.antmedia.plugin\r\n"
        "\r\n"
    )
    entries = [
        ("META-INF/MANIFEST.MF", manifest),
        ("META-INF/maven/io.antmedia.plugin/media-push/pom.properties",
         f"groupId=io.antmedia.plugin\nartifactId=media-push\nversion={version}\n"),
        ("media-push-publisher.html", f"<!-- media-push {version} test jar -->\n"),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as jar:
        for name, text in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            jar.writestr(info, text)
    return buffer.getvalue()


def write(path, data, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data if isinstance(data, bytes) else data.encode())
    os.chmod(path, mode)


def make_maven(root):
    artifact_dir = os.path.join(root, GROUP_PATH)
    checksums = {}
    for version in VERSIONS + (BAD_VERSION,):
        data = jar_bytes(version)
        jar = os.path.join(artifact_dir, version, f"media-push-{version}.jar")
        write(jar, data)
        sha1 = hashlib.sha1(data).hexdigest()
        published = sha1 if version != BAD_VERSION else hashlib.sha1(b"not this jar").hexdigest()
        write(jar + ".sha1", published)
        checksums[version] = {"sha1": sha1, "sha256": hashlib.sha256(data).hexdigest()}
    versions = "".join(f"      <version>{v}</version>\n" for v in VERSIONS)
    write(os.path.join(artifact_dir, "maven-metadata.xml"),
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata>\n"
          "  <groupId>io.antmedia.plugin</groupId>\n  <artifactId>media-push</artifactId>\n"
          f"  <versioning>\n    <latest>{VERSIONS[-1]}</latest>\n    <release>{VERSIONS[-1]}</release>\n"
          f"    <versions>\n{versions}    </versions>\n  </versioning>\n</metadata>\n")
    return checksums


def make_chrome_deb(out_dir):
    """A dummy google-chrome-stable: the tests' stand-in for Google's package."""
    with tempfile.TemporaryDirectory() as build:
        package = os.path.join(build, "pkg")
        write(os.path.join(package, "DEBIAN", "control"),
              "Package: google-chrome-stable\n"
              f"Version: {CHROME_DEB_VERSION}\n"
              "Architecture: amd64\n"
              "Maintainer: mediaops team <mediaops@example.invalid>\n"
              "Section: web\nPriority: optional\n"
              "Description: dummy Google Chrome for the mediaops.antmedia role tests\n"
              " Not a browser: test hosts cannot download Chrome, so the tests\n"
              " install this package before converge.\n")
        write(os.path.join(package, "opt", "google", "chrome", "google-chrome"),
              "#!/bin/sh\necho 'Google Chrome 999.0.0.0 (mediaops.antmedia test dummy)'\n", 0o755)
        os.makedirs(os.path.join(package, "usr", "bin"))
        os.symlink("/opt/google/chrome/google-chrome",
                   os.path.join(package, "usr", "bin", "google-chrome-stable"))
        os.makedirs(out_dir, exist_ok=True)
        target = os.path.join(out_dir, f"google-chrome-stable_{CHROME_DEB_VERSION}_amd64.deb")
        subprocess.run(["dpkg-deb", "--root-owner-group", "-Zgzip", "--build", package, target],
                       check=True, stdout=subprocess.DEVNULL)
        return target


def zip_bytes(entries):
    """A reproducible zip: sorted entries, fixed times; a name ending in / is a folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data, mode in sorted(entries, key=lambda entry: entry[0]):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.create_system = 3  # unix: the mode below is kept by unzip and by Ansible's unarchive
            if name.endswith("/"):
                info.external_attr = (0o40755 << 16) | 0x10
                archive.writestr(info, b"")
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = (0o100000 | mode) << 16
                archive.writestr(info, data if isinstance(data, bytes) else data.encode())
    return buffer.getvalue()


def app_properties(app, version):
    return (f"# Settings of application {app} (made by the mediaops.antmedia tests, release {version})\n"
            f"webapp.contextPath=/{app}\nwebapp.virtualHosts=*\nsettings.mp4MuxingEnabled=false\n")


def server_unit():
    return """# antmedia.service of a release-shaped test zip (tests/roles/artifacts.py): the AMS stand-in
# started by the release's start.sh, as user antmedia, from /usr/local/antmedia.
[Unit]
Description=Ant Media Server (lab stand-in release)
After=network.target

[Service]
Type=simple
User=antmedia
Group=antmedia
WorkingDirectory=/usr/local/antmedia
Environment=XDG_CACHE_HOME=/var/cache/antmedia
CacheDirectory=antmedia
ExecStart=/usr/local/antmedia/start.sh
KillMode=mixed
TimeoutStopSec=10
Restart=on-failure
RestartSec=1

[Install]
WantedBy=multi-user.target
"""


def start_script(broken):
    if broken:
        return ("#!/bin/sh\n# A release that cannot start (the rollback test): exits at once.\n"
                "echo 'start.sh: this test release does not start' >&2\nexit 1\n")
    return """#!/bin/sh
# Starts the stand-in as the version this install's ant-media-server.jar declares.
AMS_DIR=$(cd "$(dirname "$0")" && pwd)
VERSION=$(unzip -p "$AMS_DIR/ant-media-server.jar" META-INF/MANIFEST.MF | sed -n 's/^Implementation-Version: *//p' | tr -d '\r')
export PYTHONPATH="$AMS_DIR/lib/standin" PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
exec /usr/bin/python3 -m ams_standin --root "$AMS_DIR" --listen 0.0.0.0 --port 5080 --server-version "$VERSION"
"""


def standin_files(prefix):
    entries = []
    root = os.path.abspath(STANDIN)
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", "install"))
        for name in sorted(files):
            if name.endswith(".pyc"):
                continue
            path = os.path.join(folder, name)
            with open(path, "rb") as handle:
                entries.append((prefix + os.path.relpath(path, root), handle.read(), 0o644))
    return entries


def release_bytes(version, broken=False):
    """ant-media-server/ as a real release lays it out, with the stand-in inside."""
    top = "ant-media-server/"
    manifest = ("Manifest-Version: 1.0\r\nCreated-By: mediaops.antmedia role tests\r\n"
                "Implementation-Title: Ant Media Server (lab stand-in)\r\n"
                f"Implementation-Version: {version}\r\nBuild-Number: 20250101_1200\r\n\r\n")
    server_jar = zip_bytes([("META-INF/MANIFEST.MF", manifest, 0o644)])
    template = zip_bytes([("WEB-INF/red5-web.properties", app_properties("APP", version), 0o644),
                          ("index.html", f"<!-- application template of release {version} -->\n", 0o644)])
    entries = [
        (top, b"", 0o755),
        (top + "ant-media-server.jar", server_jar, 0o644),
        (top + "antmedia.service", server_unit(), 0o644),
        (top + "start.sh", start_script(broken), 0o755),
        (top + f"StreamApp-{version}.war", template, 0o644),
        (top + "conf/", b"", 0o755),
        (top + "conf/red5.properties", f"# server settings (test release {version})\nhttp.port=5080\n", 0o644),
        (top + "conf/jee-container.xml", "<!-- container settings (test release) -->\n<beans/>\n", 0o644),
        (top + "conf/server-settings.json", json.dumps(server_settings(), indent=1, sort_keys=True), 0o644),
        (top + "plugins/", b"", 0o755),
        (top + "webapps/", b"", 0o755),
        (top + "lib/", b"", 0o755),
    ]
    for app in RELEASE_APPS:
        entries += [(top + f"webapps/{app}/", b"", 0o755),
                    (top + f"webapps/{app}/WEB-INF/red5-web.properties", app_properties(app, version), 0o644),
                    (top + f"webapps/{app}/streams/", b"", 0o755)]
    entries += standin_files(top + "lib/standin/ams_standin/")
    return zip_bytes(entries)


def make_releases(root):
    checksums = {}
    for version in RELEASES + (BROKEN_RELEASE,):
        data = release_bytes(version, broken=version == BROKEN_RELEASE)
        path = os.path.join(root, f"ant-media-server-{version}.zip")
        write(path, data)
        checksums[version] = hashlib.sha256(data).hexdigest()
        write(path + ".sha256", f"{checksums[version]}  ant-media-server-{version}.zip\n")
    return checksums


def main(out_dir):
    releases = make_releases(os.path.join(out_dir, "releases"))
    checksums = make_maven(os.path.join(out_dir, "maven"))
    deb = make_chrome_deb(os.path.join(out_dir, "debs"))
    write(os.path.join(out_dir, "chromedriver"),
          "#!/bin/sh\necho 'ChromeDriver 999.0.0.0 (mediaops.antmedia test dummy)'\n", 0o755)
    for version, sums in checksums.items():
        print(f"media-push {version}: sha1 {sums['sha1']} sha256 {sums['sha256']}")
    print(f"chrome deb: {deb}")
    for version, sha256 in releases.items():
        print(f"ant-media-server {version}: sha256 {sha256}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(os.path.abspath(sys.argv[1]))
