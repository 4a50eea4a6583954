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
OUT_DIR/releases/ ant-media-server-VERSION.zip with VERSION.zip.sha256, for the antmedia_server role:
                 laid out as the listing of a real Enterprise release says
                 (ams-release-listing.txt: ant-media-server/, ant-media-server.jar whose
                 manifest carries Implementation-Version, the release's antmedia.service,
                 lib/native-linux-x86_64 and -aarch64, no log/, versioned jars in plugins/,
                 webapps/ with the apps, StreamApp-VERSION.war, conf/), plus the stand-in's
                 code (lib/standin/) and settings (conf/server-settings.json). The unit's
                 java is, on the test hosts, lab/hosts/java: it starts the stand-in as the
                 jar's version, and only when -Djava.library.path holds this machine's
                 native library. BROKEN_RELEASE's native folders hold the other machine's
                 library (a bad build: its server does not start). Their server settings
                 turn the server JWT filter on with SERVER_JWT_SECRET, as an operator's
                 red5.properties would, so that provision.yml can set application settings
                 right after installing the server. The file contents are made here.

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
VERSIONS = ("2.17.1", "3.0.0", "3.0.1", "3.0.2", "3.0.3")
BAD_VERSION = "3.0.4"
CHROME_DEB_VERSION = "999.0.0.0-1"
FIXED_TIME = (2024, 1, 1, 0, 0, 0)
RELEASES = ("2.17.1", "3.0.1", "3.0.2", "3.0.3")
BROKEN_RELEASE = "3.1.0"
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


LISTING = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ams-release-listing.txt")
# ELF machine numbers (e_machine) of the native library in each lib/native-linux-* folder.
ELF_MACHINE = {"x86_64": 62, "aarch64": 183}


def read_listing(version, path=LISTING):
    """[(relative path, mode)] of the release `version`, from the listing (its header says the format)."""
    line_of = version.split(".")[0]
    values, apps, entries = {}, [], []
    with open(path) as handle:
        for raw in handle:
            text = raw.split("#", 1)[0].strip()
            if not text:
                continue
            words = text.split()
            if words[0] == "@set":
                if words[1] == line_of:
                    values.update(word.split("=", 1) for word in words[2:])
                continue
            if words[0] == "@apps":
                apps = words[1:]
                continue
            mode, name = int(words[0], 8), words[1]
            if len(words) > 2 and words[2] != line_of:
                continue
            name = name.replace("{v}", version).format_map(dict(values, app="{app}"))
            for app in apps if "{app}" in name else [None]:
                entries.append((name.replace("{app}", app) if app else name, mode))
    return entries


def app_properties(app, version):
    return (f"# Settings of application {app} (made by the mediaops.antmedia tests, release {version})\n"
            f"webapp.contextPath=/{app}\nwebapp.dbName={app.lower()}.db\nappName={app}\n"
            "webapp.virtualHosts=*\nsettings.mp4MuxingEnabled=false\n")


def server_unit():
    """antmedia.service as Ant Media ships it from 2.8.0 to 3.0.3 (src/main/server/antmedia.service): the same
    settings, the Java command line shortened to the options that matter here."""
    return """[Unit]
Description=Ant Media Server
After=syslog.target network.target

[Service]
Type=simple
Environment=JVM_MEMORY_OPTIONS=
Environment=JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
Environment=ANTMEDIA_HOME=/usr/local/antmedia
LimitNOFILE=65536:524288
WorkingDirectory=/usr/local/antmedia
Restart=on-failure
RestartSec=5s
TimeoutStopSec=10
SuccessExitStatus=143
User=antmedia
Group=antmedia
StandardOutput=null
StandardError=append:/usr/local/antmedia/log/antmedia-error.log
ExecStart=/usr/bin/env ${JAVA_HOME}/bin/java -Djava.io.tmpdir=/tmp -XX:ErrorFile=/var/log/antmedia/hs_err_pid%%p.log -cp ${ANTMEDIA_HOME}/ant-media-server-service.jar:${ANTMEDIA_HOME}/conf -Dcatalina.home=${ANTMEDIA_HOME} -Djava.library.path=/usr/local/antmedia/lib/native -Djava.net.preferIPv4Stack=true $JVM_MEMORY_OPTIONS -Djava.system.class.loader=org.red5.server.classloading.ServerClassLoader -Xshare:off org.red5.server.Bootstrap 9999

[Install]
WantedBy=multi-user.target
"""


def elf_library(machine):
    """The first bytes of a 64-bit little-endian ELF shared object for `machine`: what the test-only java
    (lab/hosts/java) reads to tell whose library it is."""
    header = bytearray(64)
    header[0:4] = b"\x7fELF"
    header[4], header[5], header[6] = 2, 1, 1  # 64-bit, little-endian, version 1
    header[16:18] = (3).to_bytes(2, "little")  # ET_DYN
    header[18:20] = ELF_MACHINE[machine].to_bytes(2, "little")
    return bytes(header)


def small_jar(title, version):
    return zip_bytes([("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nCreated-By: mediaops.antmedia role tests\r\n"
                       f"Implementation-Title: {title}\r\nImplementation-Version: {version}\r\n\r\n", 0o644)])


def file_content(name, version, wrong_native):
    """What the tests put in each file of the listing (made here, nothing of Ant Media's)."""
    base = os.path.basename(name)
    if name == "ant-media-server.jar":
        return small_jar("Ant Media Server (lab stand-in)", version)
    if name == "antmedia.service":
        return server_unit()
    if name.startswith("lib/native-linux-"):
        machine = name.split("/")[1][len("native-linux-"):]
        if wrong_native:  # a build whose native folders hold the other machine's library
            machine = "aarch64" if machine == "x86_64" else "x86_64"
        return elf_library(machine)
    if name.startswith("lib/native-mac/"):
        return b"\xcf\xfa\xed\xfe" + bytes(28)  # a Mach-O header
    if name == f"StreamApp-{version}.war":
        return zip_bytes([("WEB-INF/red5-web.properties", app_properties("StreamApp", version), 0o644),
                          ("WEB-INF/web.xml", "<web-app><display-name>StreamApp</display-name></web-app>\n", 0o644),
                          ("index.html", f"<!-- application template of release {version} -->\n", 0o644)])
    if name.startswith("webapps/") and name.endswith("/WEB-INF/red5-web.properties") and "/root/" not in name:
        return app_properties(name.split("/")[1], version)
    if name == "conf/red5.properties":
        return (f"# server settings (test release {version})\nhttp.port=5080\nserver.name=\nserver.licence_key=\n"
                "server.jwtServerControlEnabled=false\n")
    if base.endswith(".jar"):
        return small_jar(base[:-4], version)
    if base.endswith(".sh") or base == "antmedia":
        return f"#!/bin/bash\n# {base} of test release {version} (the unit starts Java, not this)\nexit 0\n"
    return f"{base} of test release {version}\n"


def release_bytes(version, wrong_native=False):
    """ant-media-server/ laid out as the listing of a real release says, plus what the test-only java needs
    to run the stand-in: lib/standin/ (the stand-in's code) and conf/server-settings.json (its settings)."""
    top = "ant-media-server/"
    entries = []
    for name, mode in read_listing(version):
        if name.endswith("/"):
            entries.append((top + ("" if name == "./" else name), b"", mode))
        else:
            entries.append((top + name, file_content(name, version, wrong_native), mode))
    entries.append((top + "conf/server-settings.json", json.dumps(server_settings(), indent=1, sort_keys=True), 0o644))
    entries += standin_files(top + "lib/standin/ams_standin/")
    return zip_bytes(entries)


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


def make_releases(root):
    checksums = {}
    for version in RELEASES + (BROKEN_RELEASE,):
        data = release_bytes(version, wrong_native=version == BROKEN_RELEASE)
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
