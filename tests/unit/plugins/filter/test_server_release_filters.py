"""antmedia_java_home and redact_url (the antmedia_server role's JAVA_HOME drop-in and failure messages), and
the drop-in template rendered for arm64."""
import os

import jinja2
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.mediaops.antmedia.plugins.filter.antmedia_java_home import antmedia_java_home
from ansible_collections.mediaops.antmedia.plugins.filter.redact_url import redact_url

ROLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "roles", "antmedia_server")


@pytest.mark.parametrize("arch, home", [
    ("x86_64", "/usr/lib/jvm/java-17-openjdk-amd64"), ("amd64", "/usr/lib/jvm/java-17-openjdk-amd64"),
    ("aarch64", "/usr/lib/jvm/java-17-openjdk-arm64"), ("arm64", "/usr/lib/jvm/java-17-openjdk-arm64")])
def test_java_home_per_architecture(arch, home):
    assert antmedia_java_home(arch) == home


@pytest.mark.parametrize("arch", ["armv7l", "ppc64le", "", None, 64])
def test_java_home_refuses_other_architectures(arch):
    with pytest.raises(AnsibleFilterError, match="x86_64 or aarch64"):
        antmedia_java_home(arch)


def render_dropin(architecture, environment=None):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(ROLE, "templates")),
                             keep_trailing_newline=True)
    env.filters["mediaops.antmedia.antmedia_java_home"] = antmedia_java_home
    return env.get_template("antmedia-server.conf.j2").render(
        antmedia_server_unit_path="/etc/systemd/system/antmedia.service", antmedia_server_user="antmedia",
        antmedia_server_group="antmedia", antmedia_server_limit_nofile=1048576, antmedia_server_java_home="",
        antmedia_server_service_environment=environment or {}, ansible_facts={"architecture": architecture})


def test_arm64_dropin_sets_the_arm64_java_home():
    text = render_dropin("aarch64")
    lines = text.splitlines()
    assert "[Service]" in lines
    assert "Environment=JAVA_HOME=/usr/lib/jvm/java-17-openjdk-arm64" in lines
    assert "amd64" not in text


def test_amd64_dropin_and_user_environment():
    text = render_dropin("x86_64", {"JVM_MEMORY_OPTIONS": "-Xmx2g"})
    assert "Environment=JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64" in text.splitlines()
    assert 'Environment="JVM_MEMORY_OPTIONS=-Xmx2g"' in text.splitlines()


@pytest.mark.parametrize("url, shown", [
    ("https://alice:s3cr3t-pass@dl.example.invalid/ams/ams.zip", "https://***@dl.example.invalid/ams/ams.zip"),
    ("https://dl.example.invalid/get?license=LIC-0123456789", "https://dl.example.invalid/get?***"),
    ("http://10.77.0.1:8765/releases/ant-media-server-3.0.3.zip",
     "http://10.77.0.1:8765/releases/ant-media-server-3.0.3.zip"),
])
def test_redact_url(url, shown):
    assert redact_url(url) == shown


def test_redact_url_in_a_message_and_quoted_parts():
    url = "https://alice:p%40ss/word@dl.example.invalid/a.zip?token=xyz123"
    message = ("Request failed for %s (user alice, password p@ss/word, token xyz123): HTTP Error 401" % url)
    shown = redact_url(message, url=url)
    for secret in ("p%40ss", "p@ss/word", "xyz123", "alice"):
        assert secret not in shown, shown
    assert "dl.example.invalid/a.zip" in shown
    assert "HTTP Error 401" in shown


def test_redact_url_of_nothing():
    assert redact_url(None) == ""
    assert redact_url("no url here", url="") == "no url here"
