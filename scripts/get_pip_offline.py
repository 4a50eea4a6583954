"""Offline stand-in for the get-pip script that ansible-test downloads.

ansible-test runs this file to bootstrap pip in its sanity virtual
environments; the real script comes from a host this machine cannot reach.
"""
import subprocess
import sys

args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
if args:
    subprocess.check_call([sys.executable, "-m", "pip", "install", *args])
