# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client is two layers: _transport (HTTP: connections, TLS, cookies, credentials, retries, one-line errors)
and _client (the AMS API). The transport knows no AMS path; the JWT code is loaded only when a secret is given."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

from ansible_collections.mediaops.antmedia.plugins.module_utils import _client, _transport

ROOT = os.path.abspath(os.path.join(os.path.dirname(_client.__file__), *[os.pardir] * 5))
JWT = "ansible_collections.mediaops.antmedia.plugins.module_utils._jwt"


def loaded_after(code):
    """The modules of this collection that a fresh interpreter has loaded after running code."""
    probe = code + "\nimport sys\nprint(sorted(n for n in sys.modules if n.startswith('ansible_collections.')))\n"
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          env=dict(os.environ, PYTHONPATH=ROOT)).stdout


def test_the_transport_names_no_ams_route():
    source = open(_transport.__file__).read()
    strings = [node.value for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Constant)
               and isinstance(node.value, str)]
    for route in ("v2/broadcasts", "v1/media-push", "v2/vods", "v2/version"):
        assert not any(route in text for text in strings), route


def test_the_names_modules_import_from_the_client_still_work():
    for name in ("AntMediaClient", "AntMediaError", "OutcomeUnknownError", "PluginMissingError", "ServerResult",
                 "Response", "Transport", "ConnectFailed", "ConnectionLost", "ReadTimedOut", "TLSFailed",
                 "is_json", "version_tuple", "retry_after_seconds"):
        assert hasattr(_client, name), name
    assert _client.Transport is _transport.Transport and _client.AntMediaError is _transport.AntMediaError
    assert issubclass(_client.AntMediaClient, _transport.Session)


def test_the_jwt_code_is_loaded_only_when_a_secret_is_given():
    module = "ansible_collections.mediaops.antmedia.plugins.modules.server_info"
    assert JWT not in loaded_after("import %s" % module)
    connect = ("from ansible_collections.mediaops.antmedia.plugins.module_utils._connection import connect\n"
               "params = dict(url='http://127.0.0.1:9', app='live', jwt_secret=%r, jwt_token=None,\n"
               "              validate_certs=True, ca_path=None, timeout=5)\n"
               "client, warnings = connect(params)\n"
               "client._authorization()\n")
    assert JWT not in loaded_after(connect % None)
    assert JWT in loaded_after(connect % ("s" * 32))


def test_a_minted_token_is_sent_and_redacted(ams):
    client = _client.AntMediaClient("http://127.0.0.1:5080", "live", jwt_secret="s" * 32)
    client.list_broadcasts()
    token = ams.calls[-1].headers["Authorization"]
    assert token.count(".") == 2 and client.redact("got %s" % token) == "got ********"
