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

The jars are byte-for-byte reproducible (fixed timestamps), so a checksum
stays the same from one run to the next.
"""
import hashlib
import io
import os
import subprocess
import sys
import tempfile
import zipfile

GROUP_PATH = "io/antmedia/plugin/media-push"
VERSIONS = ("3.0.1", "3.0.2")
BAD_VERSION = "3.0.3"
CHROME_DEB_VERSION = "999.0.0.0-1"
FIXED_TIME = (2024, 1, 1, 0, 0, 0)


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


def main(out_dir):
    checksums = make_maven(os.path.join(out_dir, "maven"))
    deb = make_chrome_deb(os.path.join(out_dir, "debs"))
    write(os.path.join(out_dir, "chromedriver"),
          "#!/bin/sh\necho 'ChromeDriver 999.0.0.0 (mediaops.antmedia test dummy)'\n", 0o755)
    for version, sums in checksums.items():
        print(f"media-push {version}: sha1 {sums['sha1']} sha256 {sums['sha256']}")
    print(f"chrome deb: {deb}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(os.path.abspath(sys.argv[1]))
