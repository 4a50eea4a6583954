# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The antmedia_schedule role's unit files, rendered by ansible-playbook from the role's own defaults, vars and
templates: a multi-line ansible_managed stays inside comments, every value is written as checked, vods.yml can be
scheduled, and the vault password file reaches the run through the environment file."""

from __future__ import annotations

import json
import re

from conftest import REPO, VENV, run_playbook

ROLE = REPO / "roles" / "antmedia_schedule"
TEMPLATES = {"service": "record.service.j2", "timer": "record.timer.j2", "env": "record.env.j2"}


def render(tmp_path, **variables):
    playbook = tmp_path / "render.yml"
    playbook.write_text(json.dumps([{
        "hosts": "localhost", "gather_facts": False, "connection": "local",
        "vars_files": [str(ROLE / "defaults" / "main.yml"), str(ROLE / "vars" / "main.yml")],
        "tasks": [{"name": "Render %s" % kind, "ansible.builtin.template": {
            "src": str(ROLE / "templates" / source), "dest": str(tmp_path / kind), "mode": "0600"},
            "vars": {"antmedia_schedule_run_environment": "{{ antmedia_schedule_checked.environment }}"}}
            for kind, source in TEMPLATES.items()]}]))
    run = run_playbook(playbook, "localhost,", tmp_path, extra_vars=dict(
        variables, ansible_python_interpreter=str(VENV / "bin" / "python")))
    return run, dict((kind, (tmp_path / kind).read_text() if (tmp_path / kind).exists() else None)
                     for kind in TEMPLATES)


def unit_lines_are_well_formed(text):
    """Every line is blank, a comment, a [Section] or a Key=value: nothing outside a comment but settings."""
    return all(not line or line.startswith("#") or (line.startswith("[") and line.endswith("]")) or
               re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", line) is not None for line in text.splitlines())


def test_multi_line_ansible_managed_stays_in_comments_and_vods_is_scheduled(tmp_path):
    run, files = render(tmp_path, ansible_managed="Managed by Ansible\nExecStartPre=/bin/false\n[Install]",
                        antmedia_schedule_inventory="/etc/ansible/media/inventory.yml",
                        antmedia_schedule_playbook="vods", antmedia_schedule_interval_minutes="60",
                        antmedia_schedule_vault_password_file="/etc/mediaops-antmedia/vault-pass",
                        antmedia_schedule_ansible_playbook="/opt/venv/bin/ansible-playbook")
    assert run.rc == 0, run.output[-3000:]
    for kind, text in files.items():
        assert unit_lines_are_well_formed(text), (kind, text)
        assert "\nExecStartPre" not in text and "\n[Install]\n[" not in text, (kind, text)
    assert "# ExecStartPre=/bin/false" in files["timer"] and "OnUnitActiveSec=60min" in files["timer"]
    assert ('ExecStart="/opt/venv/bin/ansible-playbook" -i "/etc/ansible/media/inventory.yml" '
            '"mediaops.antmedia.vods"') in files["service"], files["service"]
    assert "journalctl -u mediaops-antmedia-vods.service" in files["service"]
    assert 'ANSIBLE_VAULT_PASSWORD_FILE="/etc/mediaops-antmedia/vault-pass"' in files["env"], files["env"]
    assert "EnvironmentFile=/etc/mediaops-antmedia/mediaops-antmedia-vods.env" in files["service"]


def test_a_name_with_a_line_break_writes_nothing(tmp_path):
    run, files = render(tmp_path, antmedia_schedule_inventory="/etc/ansible/media/inventory.yml",
                        antmedia_schedule_name="rec\nExecStartPre=/bin/sh")
    assert run.rc != 0 and "antmedia_schedule_name 'rec\\nExecStartPre=/bin/sh' must be" in run.output, run.output
    assert files == {"service": None, "timer": None, "env": None}
