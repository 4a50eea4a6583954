# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/antmedia_service/files/jar_version.py: the collection's one jar-version reader (issue 26), used for the
installed media-push.jar (its Maven pom.properties, else its manifest) and ant-media-server.jar (its manifest's
Implementation-Version: docs/server-contract.md, "Release zip and installer")."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "roles", "antmedia_service", "files",
                      "jar_version.py")


def make_jar(path, entries):
    with zipfile.ZipFile(path, "w") as jar:
        for name, text in entries.items():
            jar.writestr(name, text)
    return str(path)


def run(*args):
    done = subprocess.run([sys.executable, SCRIPT] + [str(arg) for arg in args], capture_output=True, text=True,
                          check=False)
    return done.returncode, done.stdout, done.stderr


MANIFEST = "Manifest-Version: 1.0\r\nImplementation-Title: Ant Media Server\r\nImplementation-Version: 3.0.1\r\n" \
           "Build-Number: 20250101_1200\r\n\r\nName: io/antmedia/\r\nImplementation-Version: 9.9.9\r\n"


def test_the_server_jar_version_is_its_manifests(tmp_path):
    jar = make_jar(tmp_path / "ant-media-server.jar", {"META-INF/MANIFEST.MF": MANIFEST})
    assert run(jar) == (0, "3.0.1\n", "")
    assert run(jar, "") == (0, "3.0.1\n", "")  # the role passes an empty artifact when none is named


def test_the_plugin_version_is_its_own_pom_even_in_a_shaded_jar(tmp_path):
    jar = make_jar(tmp_path / "media-push.jar", {
        "META-INF/MANIFEST.MF": "Manifest-Version: 1.0\nImplementation-Version: 1.2.3\n",
        "META-INF/maven/org.seleniumhq.selenium/selenium-java/pom.properties": "version=4.20.0\n",
        "META-INF/maven/io.antmedia.plugin/media-push/pom.properties":
            "#Generated\ngroupId=io.antmedia.plugin\nartifactId=media-push\nversion=2.17.1\n",
    })
    assert run(jar, "media-push")[1] == "2.17.1\n"
    assert run(jar)[1] == "1.2.3\n"  # no artifact named: the manifest


def test_without_its_pom_the_manifest_answers(tmp_path):
    jar = make_jar(tmp_path / "media-push.jar", {"META-INF/MANIFEST.MF": "Implementation-Version: 3.0.3\n",
                                                 "META-INF/maven/x/other/pom.properties": "version=1.0\n"})
    assert run(jar, "media-push")[1] == "3.0.3\n"


def test_a_long_manifest_value_is_unfolded(tmp_path):
    jar = make_jar(tmp_path / "a.jar", {"META-INF/MANIFEST.MF": "Implementation-Version: 3.0.1-2025\r\n 0101\r\n"})
    assert run(jar)[1] == "3.0.1-20250101\n"


@pytest.mark.parametrize("entries, reason", [
    ({"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n"}, "declares no version"),
    ({"META-INF/MANIFEST.MF": "Implementation-Version: 3.0 1\n"}, "declares no version"),  # not one word
    ({"META-INF/MANIFEST.MF": "Implementation-Version: $(reboot)\n"}, "declares no version"),
    ({"readme.txt": "no manifest"}, "declares no version"),
])
def test_no_version_prints_nothing_and_says_why(tmp_path, entries, reason):
    code, out, err = run(make_jar(tmp_path / "a.jar", entries))
    assert (code, out) == (0, "") and reason in err


def test_a_missing_or_broken_jar_prints_nothing(tmp_path):
    assert run(tmp_path / "none.jar") == (0, "", "no file %s\n" % (tmp_path / "none.jar"))
    broken = tmp_path / "broken.jar"
    broken.write_bytes(b"PK\x03\x04 not really")
    code, out, err = run(broken)
    assert (code, out) == (0, "") and "cannot be read as a jar" in err


def test_a_call_without_a_jar_is_a_usage_error():
    assert run()[0] == 2
